"""`genspec server`: a Language Server over stdio for request bodies (.json, .jsonl).

Diagnostics as you type come from the lint engine of `genspec lint` (`genspec.editor`), quick
fixes from `genspec.fixes` (the ones `genspec lint --fix` applies), hover and completion from
the schema. Which files it checks: `[tool.genspec] include` globs (default every .json and
.jsonl file the editor hands it). pygls is an optional extra (`pip install 'genspec[server]'`),
imported only when the server starts.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genspec.diagnostics import Diagnostic

DEFAULT_INCLUDE = ("**/*.json", "**/*.jsonl")


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument(
        "--stdio", action="store_true", help="talk LSP over stdin/stdout (the default and only way)"
    )
    parser.add_argument(
        "--isolated", action="store_true", help="ignore [tool.genspec] in pyproject.toml"
    )


def run(args: argparse.Namespace) -> int:
    try:
        import pygls  # noqa: F401
    except ImportError:
        print(
            "genspec server: needs pygls, in the `server` extra: pip install 'genspec[server]'",
            file=sys.stderr,
        )
        return 2
    build_server(isolated=args.isolated).start_io()
    return 0


class _Project:
    """The engine and settings of the project the server runs in (built on first use)."""

    def __init__(self, start: Path, *, isolated: bool) -> None:
        from genspec.check import DEFAULT_TIMEOUT, EngineSpec, Selection, build_engine
        from genspec.config import Config, include_globs, load_config
        from genspec.user_spec import configured_spec

        config = Config() if isolated else load_config(start)
        include = None if isolated else include_globs(start)
        self.include = include or DEFAULT_INCLUDE
        self.root = config.source.parent if config.source else start
        self.selection = Selection(lint=True, select=config.select, ignore=config.ignore)
        self.rules_base = config.rules_url  # None: the installed rules reference
        user_spec = None if isolated else configured_spec(start)
        spec = EngineSpec(None, None, DEFAULT_TIMEOUT, str(user_spec) if user_spec else None)
        self.engine = build_engine(spec)

    def wants(self, path: str) -> bool:
        import contextlib
        import os

        relative = path
        with contextlib.suppress(ValueError):  # another drive (Windows)
            relative = os.path.relpath(path, self.root)
        relative = relative.replace(os.sep, "/")
        return any(glob_pattern(g).fullmatch(relative) for g in self.include)


def uri_path(uri: str) -> Path:
    """The local path of a file: URI (as the client names a workspace folder)."""
    from pygls.uris import to_fs_path

    return Path(to_fs_path(uri) or uri)


def folder_containing(path: str, folder_uris: list[str]) -> Path | None:
    """The innermost of the workspace folders that holds `path`, None when none does."""
    target = Path(path)
    holding = [f for f in map(uri_path, folder_uris) if target.is_relative_to(f)]
    return max(holding, key=lambda f: len(f.parts), default=None)


def glob_pattern(glob: str) -> re.Pattern[str]:
    """A glob as git and ruff read one: `*` and `?` stay inside a folder, `**/` spans any."""
    out, index = [], 0
    while index < len(glob):
        if glob.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            out.append(".*")
            index += 2
        elif glob[index] == "*":
            out.append("[^/]*")
            index += 1
        elif glob[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(glob[index]))
            index += 1
    return re.compile("".join(out))


def to_client_position(text_lines: list[str], line: int, col: int, units: Any) -> Any:
    """The engine's 1-based line and code point column as an LSP position (0-based, in the
    negotiated code units: UTF-16 unless the client asked otherwise)."""
    from lsprotocol import types

    if line < 1:
        return types.Position(0, 0)
    row = line - 1
    source = text_lines[row] if row < len(text_lines) else ""
    return types.Position(row, units(source[: max(col - 1, 0)]))


def build_server(*, isolated: bool = False) -> Any:
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    from genspec import __version__

    server = LanguageServer("genspec", __version__)
    projects: dict[Path, _Project] = {}  # by workspace folder, each read on first use

    def folder_of(path: str) -> Path:
        """The workspace folder holding `path` (the innermost, in a multi-root workspace), else
        the root the client named, else the working directory."""
        folders = [f.uri for f in server.workspace.folders.values()]
        found = folder_containing(path, folders)
        if found is not None:
            return found
        root = server.workspace.root_path
        return Path(root) if root else Path.cwd()

    def project_for(doc: Any) -> _Project:
        """The project of the folder `doc` is in: its own [tool.genspec] (include, select,
        ignore, spec)."""
        start = folder_of(doc.path)
        if start not in projects:
            from genspec.check import UsageError
            from genspec.config import ConfigError
            from genspec.user_spec import SpecSettingError

            try:
                projects[start] = _Project(start, isolated=isolated)
            except (ConfigError, UsageError, SpecSettingError) as exc:  # say why; use defaults
                server.window_show_message(
                    types.ShowMessageParams(types.MessageType.Error, f"genspec: {exc}")
                )
                projects[start] = _Project(start, isolated=True)
        return projects[start]

    def document(uri: str) -> Any:
        return server.workspace.get_text_document(uri)

    def model_and_cursor(doc: Any, position: Any) -> tuple[Any, Any, int] | None:
        """For hover and completion: the schema model of `doc`'s project, what the cursor is
        in, and the offset of the body it is in (a .jsonl line); None where nothing applies."""
        from genspec.editor import cursor_at

        project = project_for(doc)
        model = project.engine.view()
        if model is None or not project.wants(doc.path):
            return None
        text, base = _body_at(doc, position)
        cursor = cursor_at(text, doc.offset_at_position(position) - base)
        return None if cursor is None else (model, cursor, base)

    def findings(doc: Any) -> list[Diagnostic]:
        from genspec.editor import lint_document

        project = project_for(doc)
        return lint_document(doc.source, doc.path, project.engine, project.selection)

    def lsp_range(doc: Any, d: Diagnostic) -> Any:
        lines = doc.source.split("\n")
        units = doc.position_codec.client_num_units
        start = to_client_position(lines, d.line, d.col, units)
        end = _token_end(lines, d, start, units)
        return types.Range(start, end)

    def publish(doc: Any) -> None:
        from genspec.render import default_rules_base, rules_url

        project = project_for(doc)
        if not project.wants(doc.path):
            server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=[])
            )
            return
        diagnostics = [
            types.Diagnostic(
                range=lsp_range(doc, d),
                message=d.message,
                severity=types.DiagnosticSeverity.Error
                if d.severity == "error"
                else types.DiagnosticSeverity.Warning,
                code=d.rule_id,
                # the editor shows the code as a link to the rule's reference
                code_description=types.CodeDescription(
                    href=rules_url(d.rule_id, project.rules_base or default_rules_base())
                ),
                source="genspec",
                data={"line": d.line, "col": d.col, "rule": d.rule_id},
            )
            for d in findings(doc)
        ]
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=doc.uri, version=doc.version, diagnostics=diagnostics
            )
        )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        publish(document(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        publish(document(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        publish(document(params.text_document.uri))

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(params: types.DidChangeWorkspaceFoldersParams) -> None:
        """pygls has updated its folder list: forget the projects of removed folders and check
        the open documents again, each now under the folder (and settings) that holds it."""
        for removed in params.event.removed:
            projects.pop(uri_path(removed.uri), None)
        for doc in list(server.workspace.text_documents.values()):
            publish(doc)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        from genspec.editor import hover_markdown
        from genspec.render import default_rules_base

        doc = document(params.text_document.uri)
        at = model_and_cursor(doc, params.position)
        if at is None:
            return None
        model, cursor, _ = at
        if not cursor.in_object or cursor.key is None:
            return None
        rules_base = project_for(doc).rules_base or default_rules_base()
        markdown = hover_markdown(model, cursor.path, cursor.key, rules_base)
        if markdown is None:
            return None
        content = types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown)
        return types.Hover(contents=content)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=['"', ":"]),
    )
    def completion(params: types.CompletionParams) -> types.CompletionList | None:
        from genspec.editor import completions

        doc = document(params.text_document.uri)
        at = model_and_cursor(doc, params.position)
        if at is None:
            return None
        model, cursor, base = at
        items = []
        for found in completions(model, cursor):
            edit = None
            if cursor.token is not None:
                start = doc.client_position_at_offset(base + cursor.token[0])
                end = doc.client_position_at_offset(base + cursor.token[1])
                edit = types.TextEdit(types.Range(start, end), found.insert)
            items.append(
                types.CompletionItem(
                    label=found.label,
                    kind=types.CompletionItemKind.Property
                    if found.is_key
                    else types.CompletionItemKind.EnumMember,
                    detail=found.detail,
                    documentation=found.documentation or None,
                    insert_text=found.insert if edit is None else None,
                    text_edit=edit,
                    filter_text=found.insert if edit is not None else None,
                )
            )
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        from genspec.editor import is_jsonl
        from genspec.fixes import fixes_for

        doc = document(params.text_document.uri)
        project = project_for(doc)
        if not project.wants(doc.path):
            return None
        found = findings(doc)
        fixes = fixes_for(doc.source, found, project.engine.view(), jsonl=is_jsonl(doc.path))
        wanted = params.range
        actions = []
        for fix in fixes:
            diagnostic_range = lsp_range(doc, fix.diagnostic)
            if not _overlaps(diagnostic_range, wanted):
                continue
            edits = [
                types.TextEdit(
                    types.Range(
                        doc.client_position_at_offset(e.start),
                        doc.client_position_at_offset(e.end),
                    ),
                    e.text,
                )
                for e in fix.edits
            ]
            d = fix.diagnostic
            actions.append(
                types.CodeAction(
                    title=fix.title + ("" if fix.safe else " (changes the request)"),
                    kind=types.CodeActionKind.QuickFix,
                    is_preferred=fix.safe,
                    diagnostics=[
                        types.Diagnostic(range=diagnostic_range, message=d.message, code=d.rule_id)
                    ],
                    edit=types.WorkspaceEdit(changes={doc.uri: edits}),
                )
            )
        return actions

    return server


def _body_at(doc: Any, position: Any) -> tuple[str, int]:
    """The text the cursor is in: the whole document, or its line of a .jsonl file (with the
    offset that line starts at)."""
    from genspec.editor import is_jsonl

    if not is_jsonl(doc.path):
        return doc.source, 0
    lines = doc.source.split("\n")
    row = min(position.line, len(lines) - 1)
    return lines[row], sum(len(line) + 1 for line in lines[:row])


def _token_end(lines: list[str], d: Diagnostic, start: Any, units: Any) -> Any:
    """The end of the word or string the finding points at (the editor underlines it)."""
    import re

    from lsprotocol import types

    if d.line < 1 or d.line > len(lines):
        return start
    source = lines[d.line - 1]
    tail = source[max(d.col - 1, 0) :]
    match = re.match(r'[{\[]|"(?:[^"\\]|\\.)*"|[^\s,:\]}{\[]+', tail)  # an object: its brace
    length = len(match.group()) if match else 1
    return types.Position(start.line, units(source[: max(d.col - 1, 0) + length]))


def _overlaps(a: Any, b: Any) -> bool:
    def key(p: Any) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)
