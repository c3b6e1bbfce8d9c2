"""Multi-root workspaces: each workspace folder is checked with its own [tool.genspec].

A real LSP client (pytest-lsp) opens the same body in folders whose pyproject.toml differ;
what each must show is what `genspec lint` prints when run inside that folder. Folders added
and removed at run time (workspace/didChangeWorkspaceFolders) are honoured at once.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

# A deprecated field, a default value and an unknown key: three rules to select between.
BODY = '{"prompt": "a cat", "controlNet": true, "width": 1024, "witdh": 512}\n'
CONFIGS = {
    "quiet": '[tool.genspec]\nignore = ["deprecated-field", "default-value"]\n',
    "strict": '[tool.genspec]\nselect = ["deprecated-field"]\ninclude = ["requests/*.json"]\n',
    "late": '[tool.genspec]\nselect = ["default-value"]\n',
}


def body_in(folder: Path) -> Path:
    place = folder / "requests" / "body.json"
    place.parent.mkdir(parents=True, exist_ok=True)
    place.write_text(BODY, encoding="utf-8")
    return place


def cli_rules(folder: Path) -> list[str]:
    """The rule ids `genspec lint` reports for the folder's body, run inside the folder."""
    done = subprocess.run(
        [sys.executable, "-m", "genspec", "lint", "--format", "json", "requests/body.json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )
    assert done.returncode in (0, 1), done.stderr
    return sorted(record["rule"] for record in json.loads(done.stdout))


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("multiroot")
    made = {}
    for name, config in CONFIGS.items():
        (root / name).mkdir()
        (root / name / "pyproject.toml").write_text(config, encoding="utf-8")
        body_in(root / name)
        made[name] = root / name
    return made


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "genspec", "server"]),
)
async def client(lsp_client: LanguageClient, folders: dict[str, Path]):  # type: ignore[no-untyped-def]
    first = [folders["quiet"], folders["strict"]]
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(workspace_folders=True)
        ),
        root_uri=first[0].as_uri(),
        workspace_folders=[types.WorkspaceFolder(f.as_uri(), f.name) for f in first],
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def published(client: LanguageClient, *uris: str) -> list[list[str]]:
    """Wait until the diagnostics of every one of `uris` have come (in any order, among
    others; the caller forgot them first) and return the rule ids of each. The client's
    record is polled: a notification can arrive before a waiter would be registered."""

    async def wait() -> None:
        while not all(uri in client.diagnostics for uri in uris):
            await asyncio.sleep(0.05)

    await asyncio.wait_for(wait(), timeout=60)
    return [sorted(str(d.code) for d in client.diagnostics[uri]) for uri in uris]


def forget(client: LanguageClient, *uris: str) -> None:
    for uri in uris:
        client.diagnostics.pop(uri, None)


async def open_body(client: LanguageClient, folder: Path) -> str:
    uri = body_in(folder).as_uri()
    forget(client, uri)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "json", 1, BODY))
    )
    return uri


@pytest.mark.asyncio(loop_scope="module")
async def test_each_folder_uses_its_own_configuration(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    (quiet,) = await published(client, await open_body(client, folders["quiet"]))
    (strict,) = await published(client, await open_body(client, folders["strict"]))
    assert quiet == cli_rules(folders["quiet"]) and quiet  # the unknown key only
    assert strict == cli_rules(folders["strict"]) == ["deprecated-field"]
    assert quiet != strict
    # the strict folder's include globs: a body outside requests/ is not checked there
    other = folders["strict"] / "elsewhere.json"
    other.write_text(BODY, encoding="utf-8")
    forget(client, other.as_uri())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(other.as_uri(), "json", 1, BODY))
    )
    assert await published(client, other.as_uri()) == [[]]


@pytest.mark.asyncio(loop_scope="module")
async def test_folders_added_and_removed_at_run_time(
    client: LanguageClient, folders: dict[str, Path]
) -> None:
    # a body of a folder the workspace does not have yet is read with the root folder's settings
    late_uri = await open_body(client, folders["late"])
    assert await published(client, late_uri) == [cli_rules(folders["quiet"])]
    strict_uri = body_in(folders["strict"]).as_uri()

    late = types.WorkspaceFolder(folders["late"].as_uri(), "late")
    strict = types.WorkspaceFolder(folders["strict"].as_uri(), "strict")
    forget(client, late_uri, strict_uri)
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            types.WorkspaceFoldersChangeEvent(added=[late], removed=[strict])
        )
    )
    # no edit needed: the open documents are checked again, each under its folder now
    got_late, got_strict = await published(client, late_uri, strict_uri)
    assert got_late == cli_rules(folders["late"]) == ["default-value"]
    # the removed folder's settings are gone: its body is read with the root folder's
    assert got_strict == cli_rules(folders["quiet"]) != cli_rules(folders["strict"])
