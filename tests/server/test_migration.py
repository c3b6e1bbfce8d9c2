"""The legacy ControlNet fields (controlNet, controlNetType, weighting) migrated to controlnets[].

Expected values are the reference's, written here with their source, not read from genspec:
controlNetType CANNY/POSE/DEPTH = Edge/Pose/Depth to Image, and the Image Guidance guide's
preprocessor ids Edge 1/12/19, Depth 3/13/20, Pose 7/16/21 on SD1.5/SD2.1/SDXL
(shared/reference/leonardo-api-facts.md 2.8). Where the body does not say which base model
it uses, the fix must not invent a preprocessorId: it only removes, and says why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from tests.server.test_server import WORKSPACE, actions_at, apply, open_document

SDXL_1_0 = "16e7060a-803e-4df3-97ee-edcfa5dc9cc8"  # facts 2.11 model ids
LEGACY_DEPTH = (
    "{\n"
    '  "prompt": "a lighthouse at dusk",\n'
    '  "controlNet": true,\n'
    f'  "modelId": "{SDXL_1_0}",\n'
    '  "controlNetType": "DEPTH",\n'
    '  "init_image_id": "a1b2c3",\n'
    '  "weighting": 0.75\n'
    "}\n"
)
MIGRATED_DEPTH = {
    "initImageId": "a1b2c3",
    "initImageType": "UPLOADED",
    "preprocessorId": 20,  # Depth to Image on SDXL
    "weight": 0.75,
}
# No modelId and no sd_version: which base (and so which preprocessorId) is not documented.
LEGACY_UNKNOWN_BASE = (
    '{"prompt": "a dancer", "controlNet": true, "controlNetType": "POSE", '
    '"init_image_id": "img-9", "weighting": 1.2}'
)
LEGACY = ("controlNet", "controlNetType", "weighting")


def lint(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genspec", "lint", "--isolated", *args, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=path.parent,
    )


def findings(path: Path) -> list[dict[str, object]]:
    done = lint(path, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout))


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "genspec", "server"]),
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=WORKSPACE.as_uri()
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="module")
async def test_code_action_migrates_the_legacy_fields(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = await open_document(client, "legacy.json", LEGACY_DEPTH)
    flagged = {str(d.code) for d in client.diagnostics[uri]}
    assert flagged == {"deprecated-field"}
    migrations = [a for a in await actions_at(client, uri) if "controlnets" in a.title]
    assert len(migrations) == 3  # offered on each legacy field
    action = migrations[0]
    assert "Depth to Image" in action.title and "20" in action.title
    assert action.title.endswith("(changes the request)") and not action.is_preferred
    assert action.edit is not None and action.edit.changes is not None
    fixed = apply(LEGACY_DEPTH, list(action.edit.changes[uri]))
    body = json.loads(fixed)
    assert body["controlnets"] == [MIGRATED_DEPTH]
    assert not set(LEGACY) & set(body)
    original = json.loads(LEGACY_DEPTH)
    assert {k: v for k, v in body.items() if k != "controlnets"} == {
        k: v for k, v in original.items() if k not in LEGACY
    }
    (tmp_path / "fixed.json").write_text(fixed, encoding="utf-8")
    assert findings(tmp_path / "fixed.json") == []  # the API accepts it, nothing to warn


@pytest.mark.asyncio(loop_scope="module")
async def test_unknown_base_model_offers_only_removal_and_says_why(
    client: LanguageClient,
) -> None:
    uri = await open_document(client, "legacy-unknown.json", LEGACY_UNKNOWN_BASE)
    actions = await actions_at(client, uri)
    assert {a.title.split(" (")[0] for a in actions} == {f"Remove {n!r}" for n in LEGACY}
    for action in actions:
        assert "not migrated" in action.title and "preprocessorId" in action.title
        assert action.edit is not None and action.edit.changes is not None
        fixed = apply(LEGACY_UNKNOWN_BASE, list(action.edit.changes[uri]))
        assert "preprocessorId" not in fixed  # no invented value


def test_lint_diff_previews_and_unsafe_fixes_rewrite_atomically(tmp_path: Path) -> None:
    body = tmp_path / "legacy.json"
    body.write_text(LEGACY_DEPTH, encoding="utf-8")
    # a JSON Lines file: line 1 migrates (a generated image, sd_version v1_5: Pose is 7 on SD1.5),
    # line 2 cannot (a custom model id) and loses the legacy fields only
    lines = tmp_path / "bodies.jsonl"
    lines.write_text(
        '{"prompt": "p", "sd_version": "v1_5", "controlNet": true, "controlNetType": "POSE",'
        ' "init_generation_image_id": "gen-1"}\n'
        + LEGACY_UNKNOWN_BASE.replace('"prompt"', '"modelId": "my-own-model", "prompt"')
        + "\n",
        encoding="utf-8",
    )

    safe = lint(body, "--fix")  # safe fixes only: the legacy fields stay
    assert body.read_text(encoding="utf-8") == LEGACY_DEPTH, safe.stderr

    diff = lint(body, "--diff", "--unsafe-fixes")
    assert diff.returncode == 1, diff.stderr
    assert body.read_text(encoding="utf-8") == LEGACY_DEPTH  # --diff writes nothing
    assert diff.stdout.startswith(f"--- a/{body}\n+++ b/{body}\n")
    added = [line[1:] for line in diff.stdout.splitlines() if line.startswith("+  ")]
    assert added[0] == '  "controlnets": ' + json.dumps([MIGRATED_DEPTH]) + ","

    inode = body.stat().st_ino
    done = lint(body, "--fix", "--unsafe-fixes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(body.read_text(encoding="utf-8"))["controlnets"] == [MIGRATED_DEPTH]
    assert body.stat().st_ino != inode  # replaced by a rename, never rewritten in place
    assert sorted(os.listdir(tmp_path)) == ["bodies.jsonl", "legacy.json"]  # no temp file left

    lint(lines, "--fix", "--unsafe-fixes")
    first, second = (json.loads(line) for line in lines.read_text().splitlines())
    assert first["controlnets"] == [
        {"initImageId": "gen-1", "initImageType": "GENERATED", "preprocessorId": 7}
    ]
    assert not set(LEGACY) & (set(first) | set(second))
    assert "controlnets" not in second
