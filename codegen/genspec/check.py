"""`genspec validate` and `genspec lint`: check request bodies in files, directories, globs, stdin.

validate reports errors only (the CI gate); lint adds warnings: the spec's warning rules and the
lint-only checks of `genspec.diagnostics`. Exit codes: 0 clean, 1 a finding that fails the run
(an error; a warning too with --strict), 2 a usage, configuration or I/O failure.

Only `argparse` is imported at module level: the CLI imports this module to build its parser,
and `genspec --version` must stay fast.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    from genspec.diagnostics import Diagnostic, SchemaView
    from genspec.rules import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_FAILURE = 0, 1, 2
MAX_FILE_BYTES = 64 * 1024 * 1024  # far beyond any real request body; keeps memory bounded
BODY_SUFFIXES = (".json", ".jsonl")
DEFAULT_VALIDATOR = "leonardo_generations.validate_request"


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="request body files (.json, or .jsonl with one body a line), directories "
        "(searched recursively), globs, or - for standard input",
    )
    parser.add_argument("--format", choices=("text", "json", "sarif", "github"), default=None)
    parser.add_argument(
        "--select",
        action="append",
        default=None,
        metavar="RULES",
        help="report only these rule ids or prefixes (comma-separated, repeatable; "
        "`schema` = every plain schema error)",
    )
    parser.add_argument(
        "--ignore", action="append", default=None, metavar="RULES", help="never report these"
    )
    parser.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="warnings fail the run too (exit 1)",
    )
    parser.add_argument(
        "--schema",
        metavar="FILE.json",
        help="check against this JSON Schema instead of the Leonardo request spec",
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="name to report for standard input (a .jsonl name reads it as JSON Lines)",
    )
    parser.add_argument(
        "--isolated", action="store_true", help="ignore [tool.genspec] in pyproject.toml"
    )
    parser.set_defaults(lint=command == "lint")


class UsageError(Exception):
    """A problem with how genspec was called or configured (exit 2)."""


def run(args: argparse.Namespace) -> int:
    import sys

    _tolerant_stdout()
    try:
        settings = _settings(args)
        engine = _load_engine(args.schema, lint=args.lint)
        selection = _selection(settings, engine)
    except UsageError as exc:
        print(f"genspec {'lint' if args.lint else 'validate'}: {exc}", file=sys.stderr)
        return EXIT_FAILURE

    wanted = _wanted(selection, lint=args.lint)
    diagnostics = sorted(
        check_paths(args.paths, engine, wanted, lint=args.lint, stdin_name=args.stdin_filename),
        key=lambda d: (d.path, d.line, d.col, d.rule_id),
    )
    from genspec.render import RENDERERS

    catalogue = engine.rule_catalogue(d.rule_id for d in diagnostics)
    sys.stdout.write(RENDERERS[settings.format](diagnostics, catalogue))
    sys.stdout.flush()
    return _exit_code(diagnostics, strict=settings.strict)


def _tolerant_stdout() -> None:
    """Never crash printing a path with undecodable bytes or a lone surrogate from a body."""
    import io
    import sys

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _exit_code(diagnostics: Sequence[Diagnostic], *, strict: bool) -> int:
    if any(d.rule_id in ("io-error", "internal-error") for d in diagnostics):
        return EXIT_FAILURE
    failing = ("error", "warning") if strict else ("error",)
    return EXIT_FINDINGS if any(d.severity in failing for d in diagnostics) else EXIT_CLEAN


# --- settings: command line over pyproject.toml -------------------------------------------------


def _settings(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from genspec.config import Config, ConfigError, load_config, split_rule_ids

    try:
        config = Config() if args.isolated else load_config()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.select is not None:
        config = replace(config, select=split_rule_ids(args.select))
    if args.ignore is not None:  # added to the project's ignores, as ruff's --extend-ignore
        config = replace(config, ignore=config.ignore + split_rule_ids(args.ignore))
    if args.strict is not None:
        config = replace(config, strict=args.strict)
    if args.format is not None:
        config = replace(config, format=args.format)
    return config


def _rule_matches(rule_id: str, selector: str) -> bool:
    """`schema` selects `schema-maximum`; a full id selects itself; ALL selects everything."""
    return selector == "ALL" or rule_id == selector or rule_id.startswith(selector + "-")


def _selection(settings: Any, engine: Engine) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """Validated (select, ignore): an unknown rule id is a usage error, with a suggestion."""
    from genspec.diagnostics import closest_name

    known = set(engine.rule_catalogue()) | {"schema"}
    for option, selectors in (("select", settings.select or ()), ("ignore", settings.ignore)):
        for selector in selectors:
            if selector.startswith("schema-") or any(_rule_matches(k, selector) for k in known):
                continue
            suggestion = closest_name(selector, known)
            hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
            raise UsageError(f"unknown rule {selector!r} in {option}{hint}")
    return settings.select, settings.ignore


def _wanted(
    selection: tuple[tuple[str, ...] | None, tuple[str, ...]], *, lint: bool
) -> Callable[[str, str], bool]:
    select, ignore = selection

    def wanted(rule_id: str, severity: str) -> bool:
        if not lint and severity != "error":  # validate is the CI gate: errors only
            return False
        if any(_rule_matches(rule_id, s) for s in ignore):
            return False
        return select is None or any(_rule_matches(rule_id, s) for s in select)

    return wanted


# --- the validator: generated module, or a schema compiled now --------------------------------


class Engine:
    """The validator to run, the schema behind it (loaded only when a check needs it)."""

    def __init__(self, module: Any, schema_loader: Callable[[], Any]) -> None:
        self.validate: Callable[[Any], list[Any]] = module.validate
        self.rules: Mapping[str, Mapping[str, str]] = getattr(module, "RULES", {})
        self._schema_loader = schema_loader
        self._view: SchemaView | None = None

    def view(self) -> SchemaView | None:
        from genspec.diagnostics import SchemaView

        if self._view is None:
            try:
                self._view = SchemaView(self._schema_loader())
            except Exception:  # no readable spec: lint checks that need it are skipped
                return None
        return self._view

    def rule_catalogue(self, seen: Iterable[str] = ()) -> dict[str, Rule]:
        """Every rule we can describe: lint checks, the spec's rules, and plain schema
        errors among `seen` (their ids are made up from the keyword, so listed on demand)."""
        from genspec.diagnostics import LINT_RULES
        from genspec.rules import Rule, Severity

        catalogue = dict(LINT_RULES)
        for rule_id in seen:
            if rule_id.startswith("schema-"):
                keyword = rule_id.removeprefix("schema-")
                summary = f"The value breaks the request schema's {keyword} constraint."
                catalogue[rule_id] = Rule(rule_id, Severity.ERROR, summary)
        for rule_id, rule in self.rules.items():
            catalogue[rule_id] = Rule(
                rule_id,
                Severity(rule.get("severity", "error")),
                rule.get("message", ""),
                reference=rule.get("reference", ""),
            )
        return catalogue


def _load_engine(schema_file: str | None, *, lint: bool) -> Engine:
    if schema_file is None:
        return _generated_engine()
    return _compiled_engine(schema_file)


def _generated_engine() -> Engine:
    import importlib

    try:
        module = importlib.import_module(DEFAULT_VALIDATOR)
    except ImportError as exc:
        raise UsageError(
            f"cannot import the generated validator {DEFAULT_VALIDATOR} ({exc}): "
            "run `genspec generate`"
        ) from None

    def load_spec() -> Any:
        from genspec.spec import load_schema

        return load_schema()

    return Engine(module, load_spec)


def _compiled_engine(schema_file: str) -> Engine:
    import sys
    import types

    from genspec.jsonio import JsonInputError, load_file

    try:
        schema = load_file(schema_file)
    except JsonInputError as exc:
        raise UsageError(f"--schema {schema_file}: {exc}") from None
    try:
        from genspec.compiler import compile_schema
    except ImportError:
        raise UsageError("--schema needs genspec.compiler, which this install lacks") from None
    try:
        source = compile_schema(schema)
    except Exception as exc:  # the compiler refuses what it does not support: say what
        raise UsageError(f"--schema {schema_file}: cannot compile: {exc}") from None
    module = types.ModuleType("genspec_schema_validator")
    sys.modules[module.__name__] = module  # dataclasses in the generated code look themselves up
    exec(compile(source, f"<compiled {schema_file}>", "exec"), module.__dict__)
    return Engine(module, lambda: schema)


# --- inputs: paths to documents -----------------------------------------------------------------


def check_paths(
    paths: Sequence[str],
    engine: Engine,
    wanted: Callable[[str, str], bool],
    *,
    lint: bool,
    stdin_name: str | None = None,
) -> Iterator[Diagnostic]:
    """Every wanted diagnostic for every file named, a bad file never stopping the others."""
    import sys

    from genspec.diagnostics import Diagnostic

    for source in _expand(paths):
        if isinstance(source, Diagnostic):
            yield source
            continue
        name, data = source, b""
        try:
            if source == "-":
                name = stdin_name or "<stdin>"
                data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            else:
                data = _read_bounded(source)
        except OSError as exc:
            yield _io_error(name, f"cannot read: {exc.strerror or exc}")
            continue
        yield from check_bytes(name, data, engine, wanted, lint=lint)


def _io_error(path: str, message: str) -> Diagnostic:
    from genspec.diagnostics import Diagnostic

    return Diagnostic(path, 0, 0, "io-error", "error", message)


def _read_bounded(path: str) -> bytes:
    with open(path, "rb") as handle:  # read-only: input files are never written to
        return handle.read(MAX_FILE_BYTES + 1)


def _expand(paths: Sequence[str]) -> Iterator[str | Diagnostic]:
    """Files in order, each once: directories recursively (hidden ones skipped), globs expanded."""
    import glob
    import os

    seen: set[str] = set()
    for raw in paths:
        if raw == "-":
            found: list[str] = ["-"]
        elif os.path.isdir(raw):
            found = _files_under(raw)
        elif os.path.exists(raw) or not glob.has_magic(raw):
            found = [raw]  # a missing plain path is reported when it is read
        else:
            found = [f for m in sorted(glob.glob(raw, recursive=True)) for f in _as_files(m)]
            if not found:
                yield _io_error(raw, "no files match this pattern")
        for path in found:
            key = path if path == "-" else os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                yield path


def _as_files(path: str) -> list[str]:
    import os

    if os.path.isdir(path):
        return _files_under(path)
    return [path] if path.endswith(BODY_SUFFIXES) else []


def _files_under(directory: str) -> list[str]:
    import os

    found: list[str] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # .git, .venv, ...
        found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(BODY_SUFFIXES))
    return found


# --- documents: bytes to diagnostics ------------------------------------------------------------


def check_bytes(
    name: str, data: bytes, engine: Engine, wanted: Callable[[str, str], bool], *, lint: bool
) -> list[Diagnostic]:
    """Diagnostics for one file's bytes (.jsonl: one body a line, each line on its own)."""
    from dataclasses import replace

    from genspec.diagnostics import Diagnostic
    from genspec.jsonio import UTF8_BOM, JsonInputError, decode_document

    def file_level(
        rule_id: str, severity: str, message: str, line: int = 1, col: int = 1
    ) -> list[Diagnostic]:
        if not wanted(rule_id, severity):
            return []
        return [Diagnostic(name, line, col, rule_id, severity, message)]

    if len(data) > MAX_FILE_BYTES:
        return file_level("file-too-large", "error", f"larger than {MAX_FILE_BYTES} bytes")
    found: list[Diagnostic] = []
    if data.startswith(UTF8_BOM):
        found += file_level(
            "utf8-bom", "warning", "byte order mark: JSON text must not start with one"
        )
        data = data[len(UTF8_BOM) :]
    if name.endswith(".jsonl"):
        return found + _check_lines(name, data, engine, wanted, lint=lint)
    try:
        text = decode_document(data).text
    except JsonInputError as exc:
        rule_id = "invalid-json" if "empty" in exc.message else "invalid-encoding"
        return found + file_level(rule_id, "error", exc.message, exc.line, exc.col)
    return found + [replace(d, path=name) for d in check_text(text, engine, wanted, lint=lint)]


def _check_lines(
    name: str, data: bytes, engine: Engine, wanted: Callable[[str, str], bool], *, lint: bool
) -> list[Diagnostic]:
    from dataclasses import replace

    from genspec.diagnostics import Diagnostic
    from genspec.jsonio import JsonInputError, decode_document

    found: list[Diagnostic] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.removesuffix(b"\r")
        if not raw.strip():  # blank lines (the trailing newline, mostly) carry no body
            continue
        try:
            text = decode_document(raw).text
        except JsonInputError as exc:
            if wanted("invalid-encoding", "error"):
                found.append(
                    Diagnostic(name, number, exc.col, "invalid-encoding", "error", exc.message)
                )
            continue
        line_diagnostics = check_text(text, engine, wanted, lint=lint, first_line=number)
        found.extend(replace(d, path=name) for d in line_diagnostics)
    return found


def check_text(
    text: str,
    engine: Engine,
    wanted: Callable[[str, str], bool],
    *,
    lint: bool,
    first_line: int = 1,
) -> list[Diagnostic]:
    """Diagnostics for one body's text (path left empty for the caller to fill in)."""
    from dataclasses import replace

    from genspec.diagnostics import KEY_ANCHORED, Diagnostic
    from genspec.jsonio import JsonInputError, Positions, loads_if_clean, parse_with_positions

    clean, body = loads_if_clean(text)
    positions: Positions | None = None
    found: list[Diagnostic] = []
    if not clean:  # the slow parser says what is wrong, and where
        try:
            body, positions = parse_with_positions(text, first_line=first_line)
        except JsonInputError as exc:
            if not wanted("invalid-json", "error"):
                return []
            return [Diagnostic("", exc.line, exc.col, "invalid-json", "error", exc.message)]
        found += _duplicate_keys(positions, wanted)

    unlocated = [d for d in _findings(body, engine, lint=lint) if wanted(d.rule_id, d.severity)]
    if unlocated and positions is None:
        _, positions = parse_with_positions(text, first_line=first_line)
    for d in unlocated:
        assert positions is not None
        if d.rule_id in KEY_ANCHORED:
            line, col = positions.key_at(d.instance_path)
        else:
            line, col = positions.value_at(d.instance_path)
        found.append(replace(d, line=line, col=col))
    return found


def _duplicate_keys(positions: Any, wanted: Callable[[str, str], bool]) -> list[Diagnostic]:
    from genspec.diagnostics import Diagnostic
    from genspec.pointer import split as split_pointer

    if not wanted("duplicate-key", "warning"):
        return []
    return [
        Diagnostic(
            "",
            dup.line,
            dup.col,
            "duplicate-key",
            "warning",
            f"duplicate key {split_pointer(dup.pointer)[-1]!r} (first at {dup.first_line}:"
            f"{dup.first_col}): the API keeps this last value",
            dup.pointer,
        )
        for dup in positions.duplicate_keys
    ]


def _findings(body: Any, engine: Engine, *, lint: bool) -> list[Diagnostic]:
    """The validator's findings, then (lint) the lint-only ones, each once, not yet located."""
    from genspec.diagnostics import from_validator_error, lint_body, unlocated

    try:
        errors = engine.validate(body)
    except Exception as exc:  # a validator bug must not hide the other files' results
        return [unlocated("internal-error", "error", f"validator failed: {exc!r}", "")]
    view = engine.view() if (lint or _has_unexpected_member(errors)) else None
    found = [from_validator_error(error, view, body) for error in errors]
    if lint and view is not None:
        unexpected = {
            d.instance_path
            for d, e in zip(found, errors, strict=True)
            if e.keyword in ("additionalProperties", "unevaluatedProperties")
        }
        found += lint_body(body, view, unexpected)
    return list(dict.fromkeys(found))  # a rule failing on two keywords at one place: say it once


def _has_unexpected_member(errors: list[Any]) -> bool:
    return any(e.keyword in ("additionalProperties", "unevaluatedProperties") for e in errors)
