"""`genspec mock` end to end: the real command in a subprocess on 127.0.0.1, driven by both
generated clients (create -> wait -> download; upload -> generate with that init image; faults
retried; webhooks delivered) and by plain httpx for the server's exact error bodies."""

from __future__ import annotations

import asyncio
import json
import os
import selectors
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

import leonardo_generations as lg

KEY = "mock-test-key"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Mock:
    """One `genspec mock` process; `url` is its API base URL, read from its first line."""

    def __init__(self, *options: str) -> None:
        command = [sys.executable, "-m", "genspec", "mock", "--port", "0", "--api-key", KEY]
        self.process = subprocess.Popen(
            [*command, *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )
        self.url = self._announced_url()

    def _announced_url(self) -> str:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=30):
                self.stop()
                raise AssertionError("genspec mock did not start in 30 s")
        line = self.process.stdout.readline()
        assert "Leonardo's API on http://127.0.0.1:" in line, line
        return line.split(" on ", 1)[1].split()[0]

    def stop(self) -> str:
        self.process.terminate()
        try:
            _, errors = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, errors = self.process.communicate()
        return errors


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    running = Mock("--delay", "0.3")
    yield running
    running.stop()


def client_options(url: str, **extra: Any) -> dict[str, Any]:
    return {"api_key": KEY, "base_url": url, "backoff": 0.01} | extra


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking every chunk's CRC and the pixel data size."""
    assert data.startswith(PNG_SIGNATURE)
    offset, chunks = len(PNG_SIGNATURE), {}
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks[kind] = body
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2) and b"IEND" in chunks
    assert len(zlib.decompress(chunks[b"IDAT"])) == (width * 3 + 1) * height
    return width, height


BODY = {"prompt": "A lighthouse at dusk", "num_images": 2, "width": 512, "height": 384}


def test_create_wait_download_with_the_blocking_client(mock: Mock) -> None:
    with lg.Client(**client_options(mock.url)) as client:
        job = client.create_generation(BODY).sd_generation_job
        assert job is not None and job.cost is not None and job.cost.unit == "CREDITS"
        assert client.get_generation(job.generation_id).status == "PENDING"
        done = client.wait_for_generation(job.generation_id, timeout=10, interval=0.05)
    assert done.status == "COMPLETE" and (done.image_width, done.image_height) == (512, 384)
    assert done.generated_images is not None and len(done.generated_images) == 2
    for image in done.generated_images:
        reply = httpx.get(image.url)
        assert reply.headers["content-type"] == "image/png"
        assert png_size(reply.content) == (512, 384)


def test_generate_with_the_async_client(mock: Mock) -> None:
    async def run() -> list[lg.GeneratedImage]:
        async with lg.AsyncClient(**client_options(mock.url)) as client:
            return await client.generate(BODY | {"num_images": 1}, timeout=10, interval=0.05)

    [image] = asyncio.run(run())
    assert png_size(httpx.get(image.url).content) == (512, 384)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_upload_then_generate_with_that_init_image(mock: Mock, kind: str) -> None:
    image = PNG_SIGNATURE + b"\x00" * 64

    async def run_async() -> list[lg.GeneratedImage]:
        async with lg.AsyncClient(**client_options(mock.url)) as client:
            upload = await client.upload_init_image(image)
            body = BODY | {"init_image_id": upload.id, "init_strength": 0.5}
            return await client.generate(body, timeout=10, interval=0.05)

    def run_sync() -> list[lg.GeneratedImage]:
        with lg.Client(**client_options(mock.url)) as client:
            upload = client.upload_init_image(image)
            body = BODY | {"init_image_id": upload.id, "init_strength": 0.5}
            return client.generate(body, timeout=10, interval=0.05)

    images = run_sync() if kind == "sync" else asyncio.run(run_async())
    assert len(images) == 2


def test_an_init_image_that_was_never_uploaded_is_refused(mock: Mock) -> None:
    with lg.Client(**client_options(mock.url)) as client:
        body = {"prompt": "x", "init_image_id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890"}
        with pytest.raises(lg.ClientError) as raised:
            client.create_generation(body)
    assert (raised.value.message, raised.value.code) == ("invalid init image id", "unexpected")


def test_the_presigned_upload_refuses_an_authorization_header(mock: Mock) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    asked = httpx.post(f"{mock.url}/init-image", json={"extension": "png"}, headers=headers)
    upload = asked.json()["uploadInitImage"]
    files = {"file": ("a.png", PNG_SIGNATURE, "image/png")}
    fields = json.loads(upload["fields"])
    with_key = httpx.post(upload["url"], data=fields, files=files, headers=headers)
    assert with_key.status_code == 400 and b"Only one auth mechanism" in with_key.content
    assert httpx.post(upload["url"], data=fields, files=files).status_code == 204
    forged = fields | {"x-amz-signature": "forged"}
    assert httpx.post(upload["url"], data=forged, files=files).status_code == 403


def test_the_request_log_shows_the_python_upload_went_without_the_key() -> None:
    logged = Mock("--delay", "0")
    try:
        with lg.Client(**client_options(logged.url, headers={"X-Trace": "t-1"})) as client:
            client.upload_init_image(PNG_SIGNATURE + b"\x00" * 16)
        requests = httpx.get(logged.url.split("/api/")[0] + "/mock/requests").json()["requests"]
    finally:
        logged.stop()
    asked, uploaded = requests
    assert (asked["method"], asked["path"]) == ("POST", "/api/rest/v1/init-image")
    assert asked["headers"]["authorization"] == "<present>"  # the log never shows the key
    assert (uploaded["method"], uploaded["path"]) == ("POST", "/mock-s3/upload")
    assert "authorization" not in uploaded["headers"]
    assert uploaded["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert "genspec" in asked["headers"]["user-agent"]


def test_a_failed_generation_raises(mock: Mock) -> None:
    with lg.Client(**client_options(mock.url)) as client, pytest.raises(lg.GenerationFailed):
        client.generate({"prompt": "a castle [mock:fail]"}, timeout=10, interval=0.05)


def test_a_wrong_key_is_an_authentication_error(mock: Mock) -> None:
    client = lg.Client(**client_options(mock.url, api_key="wrong"))
    with client, pytest.raises(lg.AuthenticationError) as raised:
        client.create_generation(BODY)
    assert raised.value.message == "Authentication hook unauthorized this request"


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (
            {"prompt": "x", "numImages": 2},
            {"error": "Unexpected variable numImages", "path": "$", "code": "bad-request"},
        ),
        (
            {"width": 512},
            {
                "error": 'expecting a value for non-nullable variable: "prompt"',
                "path": "$",
                "code": "validation-failed",
            },
        ),
        (
            {"prompt": "x", "width": "1024"},
            {
                "error": "expected a 32-bit integer for type 'Int', but found a string",
                "path": "$.selectionSet.sdGenerationJob.args.arg1.width",
                "code": "validation-failed",
            },
        ),
        (
            {"prompt": "x", "alchemy": "true"},
            {
                "error": "expected a boolean for type 'Boolean', but found a string",
                "path": "$.selectionSet.sdGenerationJob.args.arg1.alchemy",
                "code": "validation-failed",
            },
        ),
        (
            {"prompt": "x" * 1501},
            {
                "error": "Invalid prompt, maximum length of 1500 characters exceeded.",
                "path": "$",
                "code": "unexpected",
            },
        ),
    ],
)
def test_bad_bodies_are_answered_as_the_server_does(
    mock: Mock, body: dict[str, Any], answer: dict[str, str]
) -> None:
    reply = httpx.post(
        f"{mock.url}/generations", json=body, headers={"Authorization": f"Bearer {KEY}"}
    )
    assert (reply.status_code, reply.json()) == (400, answer)


def test_a_broken_rule_is_answered_with_the_validators_message(mock: Mock) -> None:
    reply = httpx.post(
        f"{mock.url}/generations",
        json={"prompt": "x", "num_images": 8},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert reply.status_code == 400
    assert reply.json()["error"].startswith("num_images must be 4 or fewer")


def test_an_unknown_generation_is_not_found(mock: Mock) -> None:
    with lg.Client(**client_options(mock.url)) as client, pytest.raises(lg.GenerationNotFound):
        client.get_generation("no-such-generation")


def test_throttling_and_503s_are_retried_with_retry_after() -> None:
    faulty = Mock("--delay", "0", "--failure-rate", "0.5", "--retry-after", "0", "--seed", "7")
    try:
        with lg.Client(**client_options(faulty.url, max_retries=30)) as client:
            jobs = [client.create_generation(BODY).sd_generation_job for _ in range(10)]
        with lg.Client(**client_options(faulty.url, max_retries=0)) as client:
            outcomes = []
            for _ in range(10):
                try:
                    client.create_generation(BODY)
                    outcomes.append("ok")
                except (lg.RateLimitError, lg.ServerError) as exc:
                    assert exc.retry_after == 0
                    outcomes.append(str(exc.status_code))
    finally:
        faulty.stop()
    assert all(job is not None for job in jobs)
    assert {"429", "503"} <= set(outcomes)  # the faults were there; retries hid them


def test_dropped_connections_are_retried_for_reads_only() -> None:
    dropping = Mock("--drop-rate", "0.5", "--seed", "3")
    try:
        with lg.Client(**client_options(dropping.url, max_retries=30)) as client:
            for _ in range(10):  # GET is idempotent: every call gets its answer
                with pytest.raises(lg.GenerationNotFound):
                    client.get_generation("nope")
        with lg.Client(**client_options(dropping.url, max_retries=30)) as client:
            failures = 0
            for _ in range(10):  # POST is never sent twice: a drop reaches the caller
                try:
                    client.create_generation(BODY)
                except lg.APIConnectionError:
                    failures += 1
    finally:
        dropping.stop()
    assert 0 < failures < 10


class _WebhookReceiver:
    def __init__(self) -> None:
        self.received: list[tuple[str | None, bytes]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append((self.headers.get("Authorization"), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.arrived.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{host!s}:{port}/hook"


def test_webhooks_are_delivered_and_pass_parse_webhook() -> None:
    receiver = _WebhookReceiver()
    webhook_key = "whk-mock-1"
    hooked = Mock("--delay", "0.2", "--webhook-url", receiver.url, "--webhook-key", webhook_key)
    try:
        with lg.Client(**client_options(hooked.url)) as client:
            job = client.create_generation(BODY).sd_generation_job
        assert receiver.arrived.wait(15)
    finally:
        hooked.stop()
        receiver.httpd.shutdown()
    [(authorization, body)] = receiver.received
    payload = lg.parse_webhook(body, authorization, webhook_key)
    assert job is not None and payload.data.object.id == job.generation_id
    assert payload.type == "image_generation.complete"
    assert payload.data.object.images is not None and len(payload.data.object.images) == 2
    with pytest.raises(lg.WebhookUnauthorized):
        lg.parse_webhook(body, authorization, "another-key")


def test_bad_options_and_a_busy_port_are_clear_errors(mock: Mock) -> None:
    command = [sys.executable, "-m", "genspec", "mock"]
    bad_rate = subprocess.run([*command, "--failure-rate", "2"], capture_output=True, text=True)
    assert bad_rate.returncode == 2 and "a rate is between 0 and 1" in bad_rate.stderr
    port = mock.url.split(":")[2].split("/")[0]
    busy = subprocess.run([*command, "--port", port], capture_output=True, text=True, timeout=30)
    assert busy.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr
    assert "Traceback" not in busy.stderr


# --- schemathesis: the OpenAPI document against the mock --------------------------------------

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
OPENAPI = Path(__file__).resolve().parents[2] / "generated" / "openapi.json"


def _schemathesis(mock: Mock, *selection: str) -> subprocess.CompletedProcess[str]:
    command = [str(SCHEMATHESIS), "run", str(OPENAPI), "--url", mock.url]
    command += ["-H", f"Authorization: Bearer {KEY}", "--checks", "all", "--seed", "1"]
    command += ["--no-color", *selection]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


# The document carries the cross-field rules as extension data (x-rules), so a body it allows
# may break a rule the mock enforces: a 400 there is right, not a finding.
RULES_ARE_EXTENSION_DATA = ("--exclude-checks", "positive_data_acceptance")


@pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="schemathesis is not installed")
def test_schemathesis_finds_no_server_error_and_no_response_off_the_schema(mock: Mock) -> None:
    """Every operation, examples and fuzzing phases, every other check: no 5xx, every status
    documented, every response valid against its schema."""
    phases = ("--phases", "examples,fuzzing", "-n", "10")
    result = _schemathesis(mock, *phases, *RULES_ARE_EXTENSION_DATA)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "No issues found" in result.stdout
    assert "Tested: 3" in result.stdout


@pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="schemathesis is not installed")
@pytest.mark.skipif(
    os.environ.get("GENSPEC_HYPOTHESIS_PROFILE") != "deep",
    reason="the coverage phase adds about 500 cases: run with GENSPEC_HYPOTHESIS_PROFILE=deep",
)
def test_schemathesis_coverage_and_stateful_phases(mock: Mock) -> None:
    phases = ("--phases", "coverage,stateful", "-n", "50")
    result = _schemathesis(mock, *phases, *RULES_ARE_EXTENSION_DATA)
    assert result.returncode == 0, result.stdout[-3000:]


def test_the_readme_mock_example_runs_as_written(mock: Mock, tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A local mock of the API: `genspec mock`", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert 'Client("mock-api-key", base_url="http://127.0.0.1:8000/api/rest/v1")' in example
    port = mock.url.split(":")[2].split("/")[0]
    script = tmp_path / "example.py"
    script.write_text(
        example.replace('"mock-api-key"', repr(KEY)).replace(":8000/", f":{port}/"),
        encoding="utf-8",
    )
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert "/mock-cdn/" in ran.stdout
