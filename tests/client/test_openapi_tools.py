"""generated/openapi.json in the tools people point at an OpenAPI document.

Each tool runs for real on the committed document: openapi-python-client and
openapi-generator generate clients in a temporary directory (in a subprocess), datamodel-codegen
generates models, and schemathesis draws request bodies and sends them to an HTTP server this
test starts on 127.0.0.1, which judges them with genspec's compiled validator. Marked `tools`
(`pytest -m "not tools"` skips them); each is bounded (one generation, a few dozen cases).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from genspec.openapi import data_definitions
from genspec.spec import REQUEST_SCHEMA, load_schema, spec_dir
from leonardo_generations.validate_request import is_valid

pytestmark = pytest.mark.tools

DOCUMENT = Path(__file__).resolve().parents[2] / "generated" / "openapi.json"
SAMPLE = spec_dir() / "examples" / "official" / "style-reference-guide.json"
API_KEY = "test-key"


def _run(command: list[str], cwd: Path, timeout: float = 300) -> str:
    """Run a tool; its combined output, or a failed test showing it."""
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    return output


def _helper_names() -> set[str]:
    """The spec's `$defs` that only serve rules: no tool may turn them into a model."""
    schema = load_schema(REQUEST_SCHEMA)
    helpers = set(schema["$defs"]) - data_definitions(schema)
    assert helpers, "the spec has rule-only $defs, so this test means something"
    return helpers


def _sample() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return body


def test_openapi_python_client_generates_the_create_operation(tmp_path: Path) -> None:
    tool = shutil.which("openapi-python-client")
    assert tool, "openapi-python-client is a dev dependency"
    output = _run(
        [tool, "generate", "--path", str(DOCUMENT), "--meta", "none", "--output-path", "leo"],
        tmp_path,
    )
    assert "will not be generated" not in output and "Warning" not in output, output
    # The generated client imports, and its request model round-trips one of Leonardo's samples.
    check = (
        "import json, sys\n"
        "from leo.api.default import create_generation\n"
        "from leo.models import CreateGenerationRequest\n"
        "assert callable(create_generation.sync_detailed)\n"
        "body = json.loads(sys.argv[1])\n"
        "assert CreateGenerationRequest.from_dict(body).to_dict() == body\n"
    )
    _run([sys.executable, "-c", check, json.dumps(_sample())], tmp_path)
    models = {path.stem for path in (tmp_path / "leo" / "models").glob("*.py")}
    assert not {name.lower() for name in _helper_names()} & {m.replace("_", "") for m in models}


def test_datamodel_codegen_makes_models_of_data_only(tmp_path: Path) -> None:
    tool = shutil.which("datamodel-codegen")
    assert tool, "datamodel-code-generator is a dev dependency"
    target = tmp_path / "models.py"
    _run(
        [
            tool,
            "--input",
            str(DOCUMENT),
            "--input-file-type",
            "openapi",
            "--output",
            str(target),
            "--output-model-type",
            "pydantic_v2.BaseModel",
        ],
        tmp_path,
    )
    spec = importlib.util.spec_from_file_location("dmc_models", target)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the postponed annotations through it
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    classes = {name.lower() for name in vars(module) if isinstance(vars(module)[name], type)}
    assert not {name.lower() for name in _helper_names()} & classes
    request = module.GenerationRequest.model_validate(_sample())
    assert request.model_dump(by_alias=True, exclude_unset=True, mode="json") == _sample()


def _openapi_generator() -> str:
    tool = shutil.which("openapi-generator-cli")
    if tool is None or shutil.which("java") is None:
        pytest.skip("openapi-generator-cli (PyPI, bundles the jar) needs java on PATH")
    return tool


@pytest.mark.parametrize("generator", ["python", "typescript-fetch"])
def test_openapi_generator_builds_a_client(tmp_path: Path, generator: str) -> None:
    tool = _openapi_generator()
    _run([tool, "generate", "-i", str(DOCUMENT), "-g", generator, "-o", "out"], tmp_path)
    out = tmp_path / "out"
    if generator == "python":
        models = out / "openapi_client" / "models"
        names = {path.stem.replace("_", "") for path in models.glob("*.py")}
        _run([sys.executable, "-m", "compileall", "-q", str(out / "openapi_client")], tmp_path)
    else:
        models = out / "models"
        names = {path.stem.lower() for path in models.glob("*.ts")}
    assert "generationrequest" in names and "generationresponse" in names
    assert not {name.lower() for name in _helper_names()} & names


# --- schemathesis against a local server ------------------------------------------------------


class _Server(ThreadingHTTPServer):
    verdicts: list[tuple[Any, int]]


class _Handler(BaseHTTPRequestHandler):
    """POST /generations as Leonardo answers it: 401 without the key, 400 for a body the API
    rejects (judged by genspec's compiled validator), else 200 with a created job."""

    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            body = None
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            status, answer = 401, {"error": "Invalid response from authorization hook"}
        elif self.path != "/generations" or not is_valid(body):
            status, answer = 400, {"error": "bad request", "path": "$", "code": "bad-request"}
        else:
            job = {"generationId": "g-1", "apiCreditCost": None}
            status, answer = 200, {"sdGenerationJob": {**job, "cost": None}}
        if status != 401:
            self.server.verdicts.append((body, status))
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.verdicts = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_schemathesis_generates_cases_and_the_responses_fit(server: _Server) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import positive_data_acceptance

    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    operation = schemathesis.openapi.from_dict(document)["/generations"]["POST"]
    base_url = f"http://127.0.0.1:{server.server_address[1]}"

    @settings(
        max_examples=40,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy())
    def send(case: Any) -> None:
        response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"})
        # Every other default check runs (no server error, documented status and content type,
        # the body fits the response schema, auth is not ignored). Not positive_data_acceptance:
        # the cross-field rules are extension data in the document (x-rules), so a body can fit
        # the document and still be one the API rejects; the verdicts are compared below.
        case.validate_response(response, excluded_checks=[positive_data_acceptance])

    send()
    spec = Draft202012Validator(load_schema(REQUEST_SCHEMA))
    assert len(server.verdicts) >= 20, "schemathesis generated too few cases"
    for body, status in server.verdicts:
        assert status == (200 if spec.is_valid(body) else 400), body
    assert {status for _, status in server.verdicts} == {200, 400}
