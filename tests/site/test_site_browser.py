"""The playground in a real browser: Debian's Chromium driven by playwright-core.

drive_playground.mjs types the body key by key into generated/site/index.html opened from
file://; what the page shows is compared with `genspec lint` run on the same body in a
subprocess. Without Chromium or tests/site/node_modules the test skips, unless
GENSPEC_REQUIRE_BROWSER=1 (set by .ci/run).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SITE = ROOT / "generated" / "site"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NODE = shutil.which("node")

# Three mistakes: too many images for the default width, ultra with alchemy left on (its
# default), and a misspelt key. Positions come from genspec lint, not from this file.
BODY = """{
  "prompt": "a lighthouse at dusk, oil painting",
  "num_images": 6,
  "ultra": true,
  "widht": 512
}
"""


def _top_level_names() -> list[str]:
    schema = json.loads((ROOT / "spec" / "generation-request.schema.json").read_text("utf-8"))
    return sorted(schema["properties"])


def _misspellings() -> list[str]:
    """Names a user might type: each spec name with a letter dropped, doubled, swapped or
    recased, and a few that resemble nothing."""
    found = ["zzz", "", "x", "promptt_magic_strenght", "NUM-IMAGES", "aaaaaaaaaaaaaaaaaaaa"]
    for name in _top_level_names():
        middle = len(name) // 2
        found += [
            name[:middle] + name[middle + 1 :],
            name[:middle] + name[middle] + name[middle:],
            name[: middle - 1] + name[middle] + name[middle - 1] + name[middle + 1 :],
            name.upper(),
            name + "s",
            name[::-1],
        ]
    return found


PROBES = _misspellings()

# Bodies the curated examples do not cover: broken JSON, duplicate keys, code points beyond the
# BMP before a finding, a nested unknown key, a field without effect, a body that is no object.
EXTRA_BODIES = {
    "truncated": '{\n  "prompt": "a cat",\n  "num_images": ',
    "trailing-comma": '{"prompt": "a cat",}',
    "duplicate": '{\n  "prompt": "a",\n  "prompt": "b",\n  "seed": -1\n}',
    "emoji": '{"prompt": "\U0001f600\U0001f600 cat", "num_images": 99, "Alchemy": true}',
    "nested": '{"prompt": "a", "controlnets": [{"initImageId": "x", "preprocessorId": 67,'
    ' "initImageType": "UPLOADED", "strenght": 1}]}',
    "no-effect": '{"prompt": "a", "photoRealStrength": 0.5}',
    "array": "[1, 2]",
    "empty": "",
}


def _missing() -> str | None:
    if NODE is None:
        return "node is not installed"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        return "playwright-core is not installed (npm ci --prefix tests/site)"
    return None


@pytest.fixture(scope="module", params=["file", "http"])
def seen(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """What the page showed, opened from file:// and from a static server on 127.0.0.1."""
    reason = _missing()
    if reason:
        if os.environ.get("GENSPEC_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("browser")
    body = folder / "body.json"
    body.write_text(BODY, encoding="utf-8")
    shots = Path(os.environ.get("GENSPEC_SITE_SCREENSHOTS", folder))
    shots.mkdir(parents=True, exist_ok=True)
    probes = folder / "probes.json"
    probes.write_text(
        json.dumps({"names": PROBES, "candidates": _top_level_names(), "bodies": EXTRA_BODIES})
    )
    assert NODE is not None
    with _static_server() if request.param == "http" else contextlib.nullcontext("") as base:
        env = {**os.environ, "CHROMIUM": CHROMIUM, "SITE_BASE_URL": base}
        done = subprocess.run(
            [
                NODE,
                str(HERE / "drive_playground.mjs"),
                str(SITE),
                str(body),
                str(shots),
                str(probes),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
        )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    result["lint"] = _lint(body)
    result["shots"] = shots
    result["base"] = base or SITE.as_uri() + "/"
    yield result


@contextlib.contextmanager
def _static_server() -> Iterator[str]:
    """generated/site/ served by a plain static server on 127.0.0.1 (any static host)."""
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _lint(*bodies: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "genspec", "lint", "--format", "json", *map(str, bodies)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr  # 1: findings
    return list(json.loads(done.stdout))


def test_typed_body_arrives_as_typed(seen: dict[str, Any]) -> None:
    assert seen["typed"] == BODY
    assert seen["consoleErrors"] == []


def test_three_findings_at_the_lint_positions(seen: dict[str, Any]) -> None:
    shown = [(f["rule"], f["line"], f["column"]) for f in seen["findings"]]
    linted = [(f["rule"], f["line"], f["column"]) for f in seen["lint"]]
    assert len(linted) == 3
    assert shown == linted
    assert {rule for rule, _, _ in shown} == {
        "num-images-max-4-when-large",
        "ultra-requires-alchemy-off",
        "schema-additional-properties",
    }


def test_findings_are_underlined_and_explained(seen: dict[str, Any]) -> None:
    # The underline covers the token at line:col, where every surface places the finding: the
    # body itself for the missing alchemy (instance path "", as python-jsonschema reports a
    # `required`), the value 6, the key "widht".
    assert seen["marks"] == ["{", "6", '"widht"']
    assert seen["tooltip"]["hidden"] is False
    assert seen["tooltip"]["text"].startswith(seen["findings"][0]["rule"] + " (error")
    assert all(f["title"].startswith(f["rule"] + " (") for f in seen["findings"])
    assert seen["findings"][-1]["title"].endswith("(did you mean 'width'?)")


def test_did_you_mean_is_the_clis(seen: dict[str, Any]) -> None:
    from genspec.diagnostics import closest_name

    candidates = set(_top_level_names())
    assert seen["suggestions"] == [closest_name(name, candidates) for name in PROBES]
    assert any(s is None for s in seen["suggestions"]) and any(seen["suggestions"])


def test_clicking_a_finding_moves_the_caret_there(seen: dict[str, Any]) -> None:
    last = seen["findings"][-1]
    assert seen["caret"] == {"line": last["line"], "column": last["column"], "focused": True}


def test_share_link_round_trip(seen: dict[str, Any]) -> None:
    assert seen["shareUrl"].startswith(seen["base"]) and "#body=" in seen["shareUrl"]
    assert seen["restored"] == BODY
    assert seen["restoredFindings"] == seen["findings"]


def test_gallery_loads_a_curated_example(seen: dict[str, Any]) -> None:
    name = seen["galleryOption"]["name"]
    example = ROOT / "spec" / "examples" / "invalid" / f"{name}.json"
    assert seen["galleryBody"] == example.read_text(encoding="utf-8")
    assert seen["galleryFindings"], "an invalid example shows findings"


def test_every_curated_example_shows_what_lint_reports(seen: dict[str, Any]) -> None:
    # The playground runs the validator and the lint-only checks; the CLI is the reference.
    examples = ROOT / "spec" / "examples"
    shown = {
        e["name"]: [(f["rule"], f["line"], f["column"]) for f in e["findings"]]
        for e in seen["everyExample"]
    }
    paths = sorted(examples.glob("*/*.json"))
    assert sorted(shown) == sorted(str(p.relative_to(examples)) for p in paths)
    linted: dict[str, list[tuple[str, int, int]]] = {name: [] for name in shown}
    for f in _lint(*paths):
        linted[str(Path(f["path"]).relative_to(examples))].append(
            (f["rule"], f["line"], f["column"])
        )
    assert shown == linted


def test_extra_bodies_show_what_lint_reports(seen: dict[str, Any], tmp_path: Path) -> None:
    paths = []
    for name, text in EXTRA_BODIES.items():
        (tmp_path / f"{name}.json").write_text(text, encoding="utf-8")
        paths.append(tmp_path / f"{name}.json")
    linted: dict[str, list[tuple[str, int, int]]] = {name: [] for name in EXTRA_BODIES}
    for f in _lint(*paths):
        linted[Path(f["path"]).stem].append((f["rule"], f["line"], f["column"]))
    shown = {
        name: [(f["rule"], f["line"], f["column"]) for f in findings]
        for name, findings in seen["extraBodies"].items()
    }
    assert shown == linted


def test_copy_as_curl_posts_the_body(seen: dict[str, Any]) -> None:
    curl = seen["curl"]
    assert curl.startswith(
        "curl --request POST 'https://cloud.leonardo.ai/api/rest/v1/generations'"
    )
    assert "--data-raw '" + BODY + "'" in curl


def test_no_request_leaves_the_machine(seen: dict[str, Any]) -> None:
    assert seen["requests"], "the listener saw the page loads"
    assert all(url.startswith(seen["base"]) for url in seen["requests"]), seen["requests"]


def test_rules_page_has_an_anchor_per_finding(seen: dict[str, Any]) -> None:
    assert {f["rule"] for f in seen["findings"]} <= set(seen["anchors"])
    assert [f["href"] for f in seen["findings"]] == [
        f"rules.html#{f['rule']}" for f in seen["findings"]
    ]
    assert (seen["shots"] / "playground.png").stat().st_size > 0
    assert (seen["shots"] / "rules.png").stat().st_size > 0
