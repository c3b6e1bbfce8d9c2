"""`genspec server` driven by a real LSP client (pytest-lsp) over stdio, in a subprocess.

Every expectation about findings is read from `genspec lint` run on the same bytes in its own
subprocess, so the server is held to the CLI's ids, severities and line:col, not to numbers
written here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

WORKSPACE = Path(__file__).parent / "workspace"

# A misspelt key (with a non-ASCII prompt before it on the same line), ultra without
# alchemy: false, a default value, a deprecated field.
MISTAKES = (
    "{\n"
    '  "prompt": "Café 🐈 au lait", "numImages": 2,\n'
    '  "ultra": true,\n'
    '  "width": 1024,\n'
    '  "controlNet": true\n'
    "}\n"
)


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "genspec", "server"]),
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        root_uri=WORKSPACE.as_uri(),
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def cli_findings(text: str, name: str, tmp_path: Path) -> list[tuple[int, int, str, str]]:
    """(line, col, rule id, severity) as `genspec lint --format json` reports them."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "genspec", "lint", "--isolated", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    items = report["diagnostics"] if isinstance(report, dict) else report
    return [(d["line"], d["column"], d["rule"], d["severity"]) for d in items]


def utf16_col(line: str, col_1based_codepoints: int) -> int:
    return len(line[: col_1based_codepoints - 1].encode("utf-16-le")) // 2


async def open_document(client: LanguageClient, name: str, text: str) -> str:
    uri = (WORKSPACE / name).as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="json", version=1, text=text)
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def change_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


@pytest.mark.asyncio(loop_scope="module")
async def test_diagnostics_match_the_cli_in_utf16_positions(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = await open_document(client, "mistakes.json", MISTAKES)
    expected = cli_findings(MISTAKES, "mistakes.json", tmp_path)
    assert {rule for *_, rule, _ in expected} >= {
        "schema-additional-properties",
        "ultra-requires-alchemy-off",
        "default-value",
        "deprecated-field",
    }
    lines = MISTAKES.split("\n")
    got = sorted(
        (d.range.start.line, d.range.start.character, str(d.code), d.severity)
        for d in client.diagnostics[uri]
    )
    severities = {
        "error": types.DiagnosticSeverity.Error,
        "warning": types.DiagnosticSeverity.Warning,
    }
    want = sorted(
        (line - 1, utf16_col(lines[line - 1], col), rule, severities[severity])
        for line, col, rule, severity in expected
    )
    assert got == want
    # the misspelt key sits after an astral character: UTF-16 counts it as two units
    misspelt = next(d for d in client.diagnostics[uri] if "numImages" in d.message)
    assert misspelt.range.start.line == 1
    assert misspelt.range.start.character == lines[1].index('"numImages"') + 1
    assert misspelt.range.end.character == misspelt.range.start.character + len('"numImages"')
    assert all(d.source == "genspec" for d in client.diagnostics[uri])
    # each code links to its rule's anchor in the rules reference installed with genspec
    for d in client.diagnostics[uri]:
        assert d.code_description is not None
        page, _, anchor = d.code_description.href.partition("#")
        assert anchor == d.code
        html = Path(unquote(urlsplit(page).path)).read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html


@pytest.mark.asyncio(loop_scope="module")
async def test_malformed_mid_edit_gives_a_diagnostic_not_a_crash(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = await open_document(client, "typing.json", '{"prompt": "a cat"}\n')
    assert list(client.diagnostics[uri]) == []
    half = '{"prompt": "a cat", "ultr'
    await change_document(client, uri, 2, half)
    (only,) = client.diagnostics[uri]
    assert only.code == "invalid-json"
    expected = cli_findings(half, "typing.json", tmp_path)
    assert [(only.range.start.line + 1, only.range.start.character + 1)] == [
        (line, col) for line, col, *_ in expected
    ]
    # the server is still alive and answers on the same document
    await change_document(client, uri, 3, '{"prompt": "a cat", "width": 512}')
    assert list(client.diagnostics[uri]) == []
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 1))
    )
    assert hover is None or isinstance(hover, types.Hover)


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_on_a_key_shows_schema_facts_and_rules(client: LanguageClient) -> None:
    text = '{"prompt": "a cat", "ultra": true, "alchemy": false}'
    uri = await open_document(client, "hover.json", text)
    position = types.Position(0, text.index('"ultra"') + 2)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), position)
    )
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    value = hover.contents.value
    schema = json.loads(
        (Path(__file__).parents[2] / "spec" / "generation-request.schema.json").read_text()
    )
    assert schema["properties"]["ultra"]["description"] in value
    assert "ultra-requires-alchemy-off" in value
    # the rule links to its anchor of the installed rules reference
    link = re.search(r"\[`ultra-requires-alchemy-off`\]\(([^)]+)\)", value)
    assert link is not None
    page, _, anchor = link.group(1).partition("#")
    assert anchor == "ultra-requires-alchemy-off"
    assert f'id="{anchor}"' in Path(unquote(urlsplit(page).path)).read_text(encoding="utf-8")
    # hover on a value describes its member: width's bounds
    text2 = '{"prompt": "a cat", "width": 512}'
    uri2 = await open_document(client, "hover2.json", text2)
    hover2 = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri2), types.Position(0, text2.index("512")))
    )
    assert hover2 is not None and isinstance(hover2.contents, types.MarkupContent)
    width = schema["properties"]["width"]
    assert "**width**" in hover2.contents.value
    for bound in ("minimum", "maximum"):
        if bound in width:
            assert str(width[bound]) in hover2.contents.value


@pytest.mark.asyncio(loop_scope="module")
async def test_completion_of_keys_and_enum_values(client: LanguageClient) -> None:
    schema = json.loads(
        (Path(__file__).parents[2] / "spec" / "generation-request.schema.json").read_text()
    )
    text = '{"prompt": "a cat", "sch'
    uri = await open_document(client, "complete.json", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(0, len(text)))
    )
    assert isinstance(result, types.CompletionList)
    labels = {item.label for item in result.items}
    assert set(schema["properties"]) - {"prompt"} == labels  # prompt is there already
    text = '{"prompt": "a cat", "scheduler": "'
    await change_document(client, uri, 2, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(0, len(text)))
    )
    assert isinstance(result, types.CompletionList)
    wanted = {json.dumps(v) for v in schema["properties"]["scheduler"]["enum"]}
    assert {item.label for item in result.items} == wanted


async def actions_at(client: LanguageClient, uri: str) -> list[types.CodeAction]:
    diagnostics = client.diagnostics[uri]
    whole = types.Range(types.Position(0, 0), types.Position(100, 0))
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), whole, types.CodeActionContext(list(diagnostics))
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions) as an editor would."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        line = lines[position.line]
        units, index = 0, 0
        while units < position.character:
            units += len(line[index].encode("utf-16-le")) // 2
            index += 1
        return sum(len(x) + 1 for x in lines[: position.line]) + index

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


@pytest.mark.asyncio(loop_scope="module")
async def test_code_actions_fix_each_finding(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_document(client, "actions.json", MISTAKES)
    actions = await actions_at(client, uri)
    titles = {a.title for a in actions}
    assert "Rename 'numImages' to 'num_images'" in titles
    assert any(t.startswith('Set "alchemy": false') for t in titles)
    assert "Remove 'width'" in titles
    assert any(t.startswith("Remove 'controlNet'") for t in titles)
    for action in actions:
        assert action.edit is not None and action.edit.changes is not None
        fixed = apply(MISTAKES, list(action.edit.changes[uri]))
        json.loads(fixed)  # still JSON
        before = {rule for _, _, rule, _ in cli_findings(MISTAKES, "a.json", tmp_path)}
        after = {rule for _, _, rule, _ in cli_findings(fixed, "a.json", tmp_path)}
        (rule,) = {str(d.code) for d in action.diagnostics or []}
        assert rule in before and rule not in after, action.title
        assert after - before <= {"preset-style-alchemy-off"}, action.title  # alchemy: false


@pytest.mark.asyncio(loop_scope="module")
async def test_jsonl_lines_are_checked_each_on_its_line(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = '{"prompt": "a"}\n{"prompt": "é", "ultra": true}\n\n{"prompt": "b", "witdh": 512}\n'
    uri = await open_document(client, "bodies.jsonl", text)
    expected = cli_findings(text, "bodies.jsonl", tmp_path)
    lines = text.split("\n")
    got = sorted(
        (d.range.start.line, d.range.start.character, str(d.code)) for d in client.diagnostics[uri]
    )
    assert got == sorted(
        (line - 1, utf16_col(lines[line - 1], col), rule) for line, col, rule, _ in expected
    )
    assert {line for line, *_ in got} == {1, 3}


@pytest.mark.asyncio(loop_scope="module")
async def test_files_outside_the_include_globs_are_left_alone(client: LanguageClient) -> None:
    # workspace/pyproject.toml includes *.json and *.jsonl but not other/*.json
    uri = await open_document(client, "other/package.json", '{"name": "x", "numImages": 2}')
    assert list(client.diagnostics[uri]) == []


def test_without_pygls_the_command_names_the_extra() -> None:
    blocked = (
        "import sys; sys.modules['pygls'] = None; from genspec.cli import main; "
        "raise SystemExit(main(['server']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "genspec[server]" in line
