"""`genspec validate` and `genspec lint`: check request bodies in files, directories, globs, stdin.

validate reports errors only (the CI gate); lint adds warnings: the spec's advice rules and the
lint-only checks of `genspec.diagnostics`. `--strict` means one thing in both: warnings are
reported and fail the run (so `validate --strict` checks what `lint --strict` does). Exit codes:
0 clean, 1 a finding that fails the run, 2 a usage, configuration or I/O failure (also: nothing
found to check, a body whose check ran out of time).

Work is cut into units (a file, or a chunk of a big JSON Lines file) checked in order, by
`--jobs` processes; findings are written as each unit finishes, so memory stays bounded at any
input size. Within a unit, `BodyChecker` is the per-body path (parse, validate, place). Only
`argparse` and `dataclasses` are imported at module level: the CLI imports this module to build
its parser, and `genspec validate one.json` must start fast.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from typing import BinaryIO

    from genspec.diagnostics import Diagnostic, LintModel
    from genspec.inputs import Unreadable
    from genspec.jsonio import Positions, ScanPositions
    from genspec.rules import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_FAILURE = 0, 1, 2
MAX_FILE_BYTES = 64 * 1024 * 1024  # one .json body file; far beyond any real request body
MAX_LINE_BYTES = 64 * 1024 * 1024  # one line of a .jsonl file (the file itself has no cap)
CHUNK_BYTES = 4 * 1024 * 1024  # JSON Lines files are cut into chunks this big for --jobs
PARALLEL_MIN_BYTES = 1024 * 1024  # below this, starting worker processes costs more than it saves
# CPU seconds per body (a CPU timer: a busy machine does not make a body time out): a pattern
# that backtracks catastrophically stops here; a 20 MB body takes a few seconds.
DEFAULT_TIMEOUT = 30.0
DEFAULT_VALIDATOR = "leonardo_generations.validate_request"
RUN_FAILURES = ("io-error", "internal-error", "check-timeout")  # exit 2: the check did not finish


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="request body files (.json, or .jsonl with one body a line), directories "
        "(searched recursively), globs, or - for standard input",
    )
    parser.add_argument(
        "--format", choices=("text", "json", "jsonl", "sarif", "github"), default=None
    )
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
        help="report warnings and fail the run on them (exit 1), in validate as in lint",
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
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="a directory or glob with no body files is not an error",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes for files and chunks of big .jsonl files (default: all cores)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"CPU seconds per body (default {DEFAULT_TIMEOUT:g}; a check-timeout error past it)",
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no summary line and no progress bar"
    )
    parser.add_argument(
        "--rules-url",
        metavar="URL",
        default=None,
        help="base of the rules reference the findings link to, as BASE#RULE-ID (default: "
        "the rules.html installed with genspec, as a file: URL)",
    )
    _add_spec_argument(parser)
    parser.set_defaults(lint=command == "lint", fix=False, diff=False, unsafe_fixes=False)
    if command == "lint":
        _add_fix_arguments(parser)


def _add_fix_arguments(parser: argparse.ArgumentParser) -> None:
    """lint --fix/--diff (genspec.fixes: the fixes the language server offers)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--fix", action="store_true", help="apply the safe fixes to the files, then lint them"
    )
    group.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff, write nothing (exit 1 if a fix would apply)",
    )
    parser.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="also apply fixes that change the request (e.g. alchemy: false for ultra)",
    )


def _add_spec_argument(parser: argparse.ArgumentParser) -> None:
    from genspec.user_spec import add_spec_argument

    add_spec_argument(parser)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class UsageError(Exception):
    """A problem with how genspec was called or configured (exit 2)."""


def run(args: argparse.Namespace) -> int:
    import sys

    from genspec.render import printable

    command = "lint" if args.lint else "validate"
    _tolerant_stdout()
    try:
        settings = _settings(args)
        selection = Selection(
            lint=args.lint or settings.strict, select=settings.select, ignore=settings.ignore
        )
        timeout = max(args.timeout, 0.0)
        spec = EngineSpec(args.schema, _compiled_source(args.schema), timeout, _user_spec(args))
        engine = _install(spec, selection)
        _check_selection(selection, engine)
    except UsageError as exc:
        print(f"genspec {command}: {printable(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    if sys.stdout is None:  # started with stdout closed (`>&-`): nowhere to say anything
        print(f"genspec {command}: standard output is closed", file=sys.stderr)
        return EXIT_FAILURE

    if args.fix or args.diff:
        status = _run_fixes(args, engine, selection, command)
        if status is not None:
            return status

    from genspec.render import RENDERERS, Summary, summary_line

    options: dict[str, object] = {"quiet": args.quiet, "rules_base": settings.rules_url}
    if settings.format == "text":  # rule ids as hyperlinks on a terminal only (not in pipes)
        options["links"] = sys.stdout.isatty()
    renderer = RENDERERS[settings.format](sys.stdout, **options)
    totals = _Totals()
    seen_rules: set[str] = set()
    progress = _Progress.for_stderr(quiet=args.quiet)
    units = _units(args.paths, args.stdin_filename, allow_empty=args.allow_empty)
    jobs = 1 if "-" in args.paths else args.jobs  # workers cannot read our standard input
    for diagnostic in check_units(units, spec, selection, jobs, totals, progress):
        seen_rules.add(diagnostic.rule_id)
        totals.count(diagnostic)
        renderer.add(diagnostic)
    progress.close()
    summary = Summary(totals.files, totals.bodies, totals.errors, totals.warnings)
    renderer.end(summary, engine.rule_catalogue(seen_rules))
    if settings.format not in ("text", "sarif") and not args.quiet:
        print(summary_line(summary), file=sys.stderr)
    sys.stdout.flush()
    return totals.exit_code(strict=settings.strict)


def _run_fixes(
    args: argparse.Namespace, engine: Engine, selection: Selection, command: str
) -> int | None:
    """--diff: the diff and its exit code. --fix: None once the files are fixed (the lint run
    that follows reports what is left), or the exit code of a refusal."""
    import sys

    from genspec.fixes import fix_files

    option = "--fix" if args.fix else "--diff"
    if "-" in args.paths:
        print(f"genspec {command}: {option} needs files, not standard input", file=sys.stderr)
        return EXIT_FAILURE
    units = _units(args.paths, None, allow_empty=args.allow_empty)
    names = [u.name for u in units if u.start == 0 and u.problem is None]
    totals = fix_files(
        names, engine, selection, write=args.fix, unsafe=args.unsafe_fixes, out=sys.stdout
    )
    if not args.quiet:
        verb = "Fixed" if args.fix else "Would fix"
        print(f"{verb} {totals.fixes} finding(s) in {totals.files} file(s).", file=sys.stderr)
    if args.diff:
        return EXIT_FINDINGS if totals.fixes else EXIT_CLEAN
    return EXIT_FAILURE if totals.failed else None


def _tolerant_stdout() -> None:
    """Never crash printing a path with undecodable bytes or a lone surrogate from a body."""
    import io
    import sys

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


@dataclass
class _Totals:
    files: int = 0
    bodies: int = 0
    errors: int = 0
    warnings: int = 0
    failed: bool = False  # a diagnostic that means the check itself did not finish

    def count(self, diagnostic: Diagnostic) -> None:
        if diagnostic.severity == "error":
            self.errors += 1
        else:
            self.warnings += 1
        self.failed = self.failed or diagnostic.rule_id in RUN_FAILURES

    def exit_code(self, *, strict: bool) -> int:
        if self.failed:
            return EXIT_FAILURE
        return EXIT_FINDINGS if self.errors or (strict and self.warnings) else EXIT_CLEAN


class _Progress:
    """`genspec: 41% of 160.0 MB, 409,600 bodies` on stderr, only when stderr is a terminal."""

    def __init__(self, stream: Any) -> None:
        import time

        self.stream, self.total, self.done, self.bodies = stream, 0, 0, 0
        self.clock, self.last = time.monotonic, 0.0

    @classmethod
    def for_stderr(cls, *, quiet: bool) -> _Progress:
        import sys

        stream = sys.stderr
        tty = stream is not None and not quiet and stream.isatty()
        return cls(stream if tty else None)

    def advance(self, size: int, bodies: int) -> None:
        self.done += size
        self.bodies += bodies
        if self.stream is None or self.clock() - self.last < 0.1:
            return
        self.last = self.clock()
        share = f"{100 * self.done // self.total}% of " if self.total else ""
        mb = max(self.total, self.done) / 1e6
        self.stream.write(f"\rgenspec: {share}{mb:.1f} MB, {self.bodies:,} bodies ")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.last:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


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
    if args.rules_url is not None:
        config = replace(config, rules_url=args.rules_url)
    return config


def _rule_matches(rule_id: str, selector: str) -> bool:
    """`schema` selects `schema-maximum`; a full id selects itself; ALL selects everything."""
    return selector == "ALL" or rule_id == selector or rule_id.startswith(selector + "-")


@dataclass(frozen=True)
class Selection:
    """Which findings to report: lint (warnings too) or not, and --select/--ignore."""

    lint: bool
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()

    def wanted(self, rule_id: str, severity: str) -> bool:
        if not self.lint and severity != "error":  # validate is the CI gate: errors only
            return False
        if any(_rule_matches(rule_id, s) for s in self.ignore):
            return False
        return self.select is None or any(_rule_matches(rule_id, s) for s in self.select)


def _check_selection(selection: Selection, engine: Engine) -> None:
    """An unknown rule id in select or ignore is a usage error, with a suggestion."""
    from genspec.diagnostics import closest_name

    known = set(engine.rule_catalogue()) | {"schema"}
    for option, selectors in (("select", selection.select or ()), ("ignore", selection.ignore)):
        for selector in selectors:
            if selector.startswith("schema-") or any(_rule_matches(k, selector) for k in known):
                continue
            suggestion = closest_name(selector, known)
            hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
            raise UsageError(f"unknown rule {selector!r} in {option}{hint}")


# --- the validator: generated module, or a schema compiled now --------------------------------


@dataclass(frozen=True)
class EngineSpec:
    """How a process builds its engine (picklable: worker processes get it)."""

    schema_file: str | None  # None: the generated Leonardo validator
    source: str | None  # the compiled validator's code, for --schema
    timeout: float  # seconds per body; 0: no limit
    user_spec: str | None = None  # --spec / [tool.genspec] spec, see genspec.user_spec


class Engine:
    """The validator to run, the schema behind it (loaded only when a check needs it)."""

    def __init__(self, module: Any, schema_loader: Callable[[], Any], timeout: float) -> None:
        from functools import partial

        self.validate: Callable[[Any], list[Any]] = module.validate
        # is_valid(x) == no error in validate(x) (constraints only, no advice): the cheap
        # verdict a check that wants no warnings asks first (None: the module lacks it)
        self.is_valid: Callable[[Any], bool] | None = getattr(module, "is_valid", None)
        # ... and then its errors alone: the advice it would also compute is dropped anyway.
        self.errors: Callable[[Any], list[Any]] = module.validate
        code = getattr(module.validate, "__code__", None)
        if (
            code is not None
            and "advice" in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        ):
            self.errors = partial(module.validate, advice=False)
        self.rules: Mapping[str, Mapping[str, str]] = getattr(module, "RULES", {})
        self.timeout = timeout
        self._schema_loader = schema_loader
        self._view: LintModel | None = None

    def view(self) -> LintModel | None:
        from genspec.diagnostics import LintModel

        if self._view is None:
            try:
                self._view = LintModel(self._schema_loader())
            except Exception:  # no readable spec: lint checks that need it are skipped
                return None
        return self._view

    def rule_catalogue(self, seen: Iterable[str] = ()) -> dict[str, Rule]:
        """Every rule we can describe: lint checks, the spec's rules, and plain schema
        errors among `seen` (their ids are made up from the keyword, so listed on demand)."""
        from genspec.diagnostics import LINT_RULES
        from genspec.rules import Evidence, Rule, Severity

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
                source=rule.get("source", ""),
                reference=rule.get("reference", ""),
                evidence=Evidence(rule["evidence"]) if rule.get("evidence") else None,
            )
        return catalogue


def _compiled_source(schema_file: str | None) -> str | None:
    """The validator code for --schema (compiled once, here, so a refusal is a usage error)."""
    if schema_file is None:
        return None
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
        return compile_schema(schema)
    except Exception as exc:  # the compiler refuses what it does not support: say what
        raise UsageError(f"--schema {schema_file}: cannot compile: {exc}") from None


def _user_spec(args: argparse.Namespace) -> str | None:
    """--spec or [tool.genspec] spec (genspec.user_spec); None: the bundled spec."""
    from genspec.user_spec import SpecSettingError, selected_spec

    try:
        chosen = selected_spec(args)
    except SpecSettingError as exc:
        raise UsageError(str(exc)) from None
    return None if chosen is None else str(chosen)


def _user_spec_engine(spec: EngineSpec) -> Engine:
    from pathlib import Path

    from genspec.user_spec import SpecSettingError, load_validator

    assert spec.user_spec is not None
    try:
        module, load_schema = load_validator(Path(spec.user_spec))
    except SpecSettingError as exc:
        raise UsageError(str(exc)) from None
    return Engine(module, load_schema, spec.timeout)


def build_engine(spec: EngineSpec) -> Engine:
    import importlib

    if spec.user_spec is not None and spec.source is None:  # --schema wins over the spec
        return _user_spec_engine(spec)
    if spec.source is None:
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

        return Engine(module, load_spec, spec.timeout)

    import sys
    import types

    module = types.ModuleType("genspec_schema_validator")
    sys.modules[module.__name__] = module  # dataclasses in the generated code look themselves up
    exec(compile(spec.source, f"<compiled {spec.schema_file}>", "exec"), module.__dict__)

    def load_schema_file() -> Any:
        from genspec.jsonio import load_file

        assert spec.schema_file is not None
        return load_file(spec.schema_file)

    return Engine(module, load_schema_file, spec.timeout)


# The engine and selection of this process (the main one, or a worker of the pool).
_STATE: dict[str, Any] = {}


def _install(spec: EngineSpec, selection: Selection) -> Engine:
    engine = build_engine(spec)
    _STATE.update(engine=engine, selection=selection)
    return engine


# --- inputs: paths to units of work -------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One piece of work: a whole file, or the lines of a JSON Lines file that start in
    [start, end). A unit with `problem` set is a path that yields nothing but that diagnostic."""

    name: str  # the path as the user named it ("-" for standard input)
    jsonl: bool = False
    start: int = 0
    end: int = -1  # -1: to the end of the file
    size: int = 0  # bytes, for the progress bar
    problem: str | None = None
    stdin: bool = False  # read standard input; `name` is what to call it


@dataclass
class UnitResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    bodies: int = 0
    lines: int = 0  # lines that start in the unit: the next chunk's numbering starts after them
    read: bool = False  # the file could be opened (counted as a file checked)


def _units(paths: Sequence[str], stdin_name: str | None, *, allow_empty: bool) -> Iterator[Unit]:
    """Units in the order the paths were given, each file once."""
    import os

    from genspec.inputs import Unreadable, is_jsonl

    seen: set[str] = set()
    for source in _expand(paths):
        if isinstance(source, Unreadable):
            if not (allow_empty and source.nothing_found):
                yield Unit(source.path, problem=source.message)
            continue
        if source == "-":
            yield Unit(stdin_name or "<stdin>", jsonl=is_jsonl(stdin_name or ""), stdin=True)
            continue
        key = os.path.realpath(source)
        if key in seen:
            continue
        seen.add(key)
        try:
            size = os.stat(source).st_size
        except OSError:
            size = 0  # reported when the unit is read
        if not is_jsonl(source) or size <= CHUNK_BYTES:
            yield Unit(source, jsonl=is_jsonl(source), size=size)
            continue
        for start in range(0, size, CHUNK_BYTES):
            end = min(start + CHUNK_BYTES, size)
            yield Unit(source, jsonl=True, start=start, end=end, size=end - start)


def _expand(paths: Sequence[str]) -> Iterator[str | Unreadable]:
    """Files in order: directories recursively (hidden ones skipped), globs expanded; a directory
    or glob that yields no body file is reported (nothing passes on nothing)."""
    import os

    from genspec.inputs import Unreadable, glob, has_magic, is_body_file, walk

    for raw in paths:
        if raw == "-":
            yield "-"
        elif os.path.isdir(raw):
            found = list(walk(raw))
            yield from found
            if not any(isinstance(f, str) for f in found):
                yield Unreadable(raw, "no body files (.json, .jsonl) in this directory", True)
        elif os.path.lexists(raw) or not has_magic(raw):
            yield raw  # a missing plain path is reported when it is read
        else:
            matched = False
            for match in glob(raw):
                if os.path.isdir(match) and not os.path.islink(match):
                    for item in walk(match):
                        matched = matched or isinstance(item, str)
                        yield item
                elif is_body_file(match):
                    matched = True
                    yield match
            if not matched:
                yield Unreadable(raw, "no files match this pattern", True)


def check_units(
    units: Iterable[Unit],
    spec: EngineSpec,
    selection: Selection,
    jobs: int | None,
    totals: _Totals,
    progress: _Progress,
) -> Iterator[Diagnostic]:
    """Every wanted diagnostic of every unit, in input order, as units finish."""
    import itertools

    from genspec.diagnostics import Diagnostic

    pending = iter(units)
    head = list(itertools.islice(pending, 2))
    units = itertools.chain(head, pending)
    workers = jobs or _cores()
    # One file or a small run: worker processes would cost more than they save.
    small = len(head) < 2 or (sum(u.size for u in head) < PARALLEL_MIN_BYTES and jobs is None)
    if workers > 1 and not small:
        results = _parallel(units, spec, selection, workers, progress)
    else:
        results = ((unit, _rows(check_unit(unit))) for unit in _counted(units, progress))
    shift = 0  # lines of the file's earlier chunks: chunks number their lines from 1
    for unit, (rows, bodies, lines, read) in results:
        if unit.start == 0:
            shift = 0
            totals.files += read
        totals.bodies += bodies
        progress.advance(unit.size, bodies)
        for r in rows:
            line = r[1] + shift if shift and r[1] >= 1 else r[1]
            yield Diagnostic(r[0], line, r[2], r[3], r[4], r[5], r[6], r[7])
        shift += lines


# What a unit's check sends back: its findings as plain tuples (Diagnostic's fields in order;
# they cross the process boundary ten times faster than the dataclass), bodies, lines, read.
Rows = tuple[list[tuple[Any, ...]], int, int, bool]


def _rows(result: UnitResult) -> Rows:
    rows = [
        (d.path, d.line, d.col, d.rule_id, d.severity, d.message, d.instance_path, d.anchor)
        for d in result.diagnostics
    ]
    return rows, result.bodies, result.lines, result.read


def _check_unit_rows(unit: Unit) -> Rows:
    return _rows(check_unit(unit))


def _counted(units: Iterable[Unit], progress: _Progress) -> Iterator[Unit]:
    for unit in units:
        progress.total += unit.size
        yield unit


def _cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _parallel(
    units: Iterable[Unit], spec: EngineSpec, selection: Selection, workers: int, progress: Any
) -> Iterator[tuple[Unit, Rows]]:
    import collections
    import multiprocessing
    import sys

    method = "fork" if sys.platform == "linux" else "spawn"
    context = multiprocessing.get_context(method)
    queued: collections.deque[Unit] = collections.deque()  # in flight, in submission order

    def feed() -> Iterator[Unit]:
        for unit in _counted(units, progress):
            queued.append(unit)
            yield unit

    with context.Pool(workers, initializer=_install, initargs=(spec, selection)) as pool:
        for result in pool.imap(_check_unit_rows, feed(), chunksize=1):
            yield queued.popleft(), result


# --- units: bytes to diagnostics ----------------------------------------------------------------


def check_unit(unit: Unit) -> UnitResult:
    """The diagnostics of one unit, sorted by place; a bad file never stops the others."""
    import sys

    from genspec.inputs import InputRefused, open_regular, read_bounded

    engine: Engine = _STATE["engine"]
    selection: Selection = _STATE["selection"]
    name = unit.name
    if unit.problem is not None:
        return UnitResult([_io_error(name, unit.problem)])
    try:
        if unit.stdin:
            if sys.stdin is None:  # started with standard input closed (`<&-`)
                raise InputRefused("cannot read: standard input is closed")
            if unit.jsonl:
                result = check_stream(name, sys.stdin.buffer, -1, engine, selection)
                result.read = True
                return result
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        elif unit.jsonl:
            with open(open_regular(name), "rb") as handle:
                if unit.start:
                    _skip_partial_line(handle, unit.start)
                result = check_stream(name, handle, unit.end, engine, selection, unit.start)
            result.read = True
            return result
        else:
            data = read_bounded(name, MAX_FILE_BYTES)
    except InputRefused as exc:
        return UnitResult([_io_error(name, str(exc))])
    except OSError as exc:
        return UnitResult([_io_error(name, f"cannot read: {exc.strerror or exc}")])
    found = check_bytes(name, data, engine, selection.wanted, lint=selection.lint)
    return UnitResult(sorted_findings(found), bodies=1, read=True)


def _skip_partial_line(handle: BinaryIO, start: int) -> None:
    """Move to the first line that starts at or after `start` (the one before is not ours)."""
    handle.seek(start - 1)
    if handle.read(1) != b"\n":
        while True:
            piece = handle.readline(1024 * 1024)
            if not piece or piece.endswith(b"\n"):
                break


def _place(d: Diagnostic) -> tuple[int, int, str]:
    return d.line, d.col, d.rule_id


def sorted_findings(found: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(found, key=_place) if len(found) > 1 else found


def _io_error(path: str, message: str) -> Diagnostic:
    from genspec.diagnostics import Diagnostic

    return Diagnostic(path, 0, 0, "io-error", "error", message)


def check_stream(
    name: str, handle: BinaryIO, end: int, engine: Engine, selection: Selection, start: int = 0
) -> UnitResult:
    """A JSON Lines stream, line by line, each line bounded (the stream is not)."""
    result = UnitResult()
    checker = BodyChecker(engine, selection.wanted, lint=selection.lint)
    try:
        _check_lines(checker, name, handle, end, start, result)
    finally:
        checker.close()
    return result


def _check_lines(
    checker: BodyChecker, name: str, handle: BinaryIO, end: int, start: int, result: UnitResult
) -> None:
    from genspec.diagnostics import Diagnostic
    from genspec.jsonio import UTF8_BOM

    wanted, check_line, out = checker.wanted, checker.line, result.diagnostics
    readline = handle.readline
    position = handle.tell() if end >= 0 else 0
    number = bodies = 0
    while end < 0 or position < end:
        raw = readline(MAX_LINE_BYTES + 1)
        if not raw:
            break
        position += len(raw)
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while True:  # skip the rest of the line, never holding it whole
                piece = readline(1024 * 1024)
                position += len(piece)
                if not piece or piece.endswith(b"\n"):
                    break
            if wanted("line-too-large", "error"):
                message = f"line longer than {MAX_LINE_BYTES} bytes: not checked"
                out.append(Diagnostic(name, number, 1, "line-too-large", "error", message))
            continue
        if number == 1 and start == 0 and raw.startswith(UTF8_BOM):
            if wanted("utf8-bom", "warning"):
                message = "byte order mark: JSON text must not start with one"
                out.append(Diagnostic(name, 1, 1, "utf8-bom", "warning", message))
            raw = raw[len(UTF8_BOM) :]
        raw = raw.removesuffix(b"\n").removesuffix(b"\r")
        if not raw.strip():  # blank lines (the trailing newline, mostly) carry no body
            continue
        bodies += 1
        found = check_line(name, raw, number)
        if found:
            out += found
    result.bodies, result.lines = bodies, number


# --- documents: bytes to diagnostics ------------------------------------------------------------


def _decode_failure(name: str, exc: Any, wanted: Callable[[str, str], bool]) -> list[Diagnostic]:
    from genspec.diagnostics import Diagnostic
    from genspec.jsonio import ENCODING

    rule_id = "invalid-encoding" if exc.kind == ENCODING else "invalid-json"
    if not wanted(rule_id, "error"):
        return []
    return [Diagnostic(name, exc.line, exc.col, rule_id, "error", exc.message)]


def check_bytes(
    name: str, data: bytes, engine: Engine, wanted: Callable[[str, str], bool], *, lint: bool
) -> list[Diagnostic]:
    """Diagnostics for one .json file's bytes."""
    from genspec.diagnostics import Diagnostic
    from genspec.jsonio import UTF8_BOM, JsonInputError, decode_document

    if len(data) > MAX_FILE_BYTES:
        if not wanted("file-too-large", "error"):
            return []
        message = f"larger than {MAX_FILE_BYTES} bytes (a .jsonl file has no size limit)"
        return [Diagnostic(name, 1, 1, "file-too-large", "error", message)]
    found: list[Diagnostic] = []
    if data.startswith(UTF8_BOM):
        if wanted("utf8-bom", "warning"):
            message = "byte order mark: JSON text must not start with one"
            found.append(Diagnostic(name, 1, 1, "utf8-bom", "warning", message))
        data = data[len(UTF8_BOM) :]
    try:
        text = decode_document(data)
    except JsonInputError as exc:
        return found + _decode_failure(name, exc, wanted)
    return found + check_text(text, engine, wanted, lint=lint, name=name)


def check_text(
    text: str,
    engine: Engine,
    wanted: Callable[[str, str], bool],
    *,
    lint: bool,
    first_line: int = 1,
    name: str = "",
) -> list[Diagnostic]:
    """Diagnostics for one body's text, reported under `name`."""
    checker = BodyChecker(engine, wanted, lint=lint)
    try:
        return checker.text(text, name, first_line)
    finally:
        checker.close()


class BodyChecker:
    """The per-body path of one process for one engine and selection, with what it calls bound
    once (this module imports nothing at its top, see above; --select/--ignore answered once
    per rule id): a clean body costs the parse, the validator and little else."""

    def __init__(self, engine: Engine, wanted: Callable[[str, str], bool], *, lint: bool) -> None:
        import functools
        import signal

        from genspec import jsonio
        from genspec.diagnostics import (
            KEY_ANCHORED,
            Diagnostic,
            from_validator_error,
            lint_body,
            unlocated,
        )

        self.engine, self.lint = engine, lint
        self.wanted = functools.cache(wanted)  # rule ids and severities: a small, fixed set
        self.fast = not self.wanted("duplicate-key", "warning")  # orjson cannot see duplicates
        self.timed, self.armed = _alarm_ready(engine), False
        # Without lint no warning is wanted: a body is_valid accepts has nothing to report, and
        # is_valid skips the advice rules and every error message (most bodies are clean).
        self.is_valid = None if lint else engine.is_valid
        self.signal = signal
        self.jsonio, self.Diagnostic, self.key_anchored = jsonio, Diagnostic, KEY_ANCHORED
        self.from_validator_error, self.lint_body = from_validator_error, lint_body
        self.unlocated = unlocated

    def line(self, name: str, raw: bytes, number: int) -> list[Diagnostic]:
        """One line of JSON Lines, sorted by place. The fast path: a line the fast parser
        reads exactly is parsed once, in C, and only decoded and scanned for positions when
        it has findings."""
        from dataclasses import replace

        jsonio = self.jsonio
        if self.fast:
            clean, body = jsonio.loads_fast(raw)
            if clean:
                unlocated = self.findings(body)
                if not unlocated:
                    return unlocated
                positions = jsonio.ScanPositions(raw.decode("utf-8"), number, body)
                return sorted_findings(self.placed(name, unlocated, positions))
        try:
            text = jsonio.decode_document(raw)
        except jsonio.JsonInputError as exc:
            return _decode_failure(name, replace(exc, line=number), self.wanted)
        return sorted_findings(self.text(text, name, number))

    def text(self, text: str, name: str, first_line: int = 1) -> list[Diagnostic]:
        """Diagnostics for one body's text, reported under `name` (not sorted)."""
        jsonio, wanted = self.jsonio, self.wanted
        clean, body = jsonio.loads_if_clean(text)
        positions: Positions | ScanPositions
        found: list[Diagnostic] = []
        if clean:
            positions = jsonio.ScanPositions(text, first_line, body)
        else:  # the slow parser says what is wrong, and where
            try:
                body, positions = jsonio.parse_with_positions(text, first_line=first_line)
            except jsonio.JsonInputError as exc:
                if not wanted("invalid-json", "error"):
                    return []
                return [
                    self.Diagnostic(name, exc.line, exc.col, "invalid-json", "error", exc.message)
                ]
            found += _duplicate_keys(name, positions, wanted)
        unlocated = self.findings(body)
        return found + self.placed(name, unlocated, positions) if unlocated else found

    def placed(self, name: str, unlocated: list[Diagnostic], positions: Any) -> list[Diagnostic]:
        """The findings with their file, line and column: the value at the instance path, or
        the member name for an unknown member (and the lint checks about a key)."""
        make, key_anchored = self.Diagnostic, self.key_anchored
        placed = []
        for d in unlocated:
            if d.anchor:
                line, col = positions.key_at(d.anchor)
            elif d.rule_id in key_anchored:
                line, col = positions.key_at(d.instance_path)
            else:
                line, col = positions.value_at(d.instance_path)
            placed.append(
                make(name, line, col, d.rule_id, d.severity, d.message, d.instance_path, d.anchor)
            )
        return placed

    def findings(self, body: Any) -> list[Diagnostic]:
        """The validator's findings, then (lint) the lint-only ones, each once, wanted, not yet
        located, under at most engine.timeout CPU seconds (see _Watch: `re` checks for signals
        while it backtracks, so even a catastrophic pattern is stopped)."""
        if not self.timed:
            found = self._findings(body)
        else:
            if not self.armed:
                self.arm()
            watch = _WATCH
            watch.body += 1
            watch.active = True
            try:
                found = self._findings(body)
            except CheckTimeout:
                message = f"checking this body took more than {self.engine.timeout:g} s of CPU "
                message += "(--timeout): a pattern that backtracks catastrophically?"
                found = [self.unlocated("check-timeout", "error", message, "")]
            finally:
                watch.active = False
        if not found:
            return found
        wanted = self.wanted
        return [d for d in found if wanted(d.rule_id, d.severity)]

    def arm(self) -> None:
        """Start the CPU timer's ticks (once per checker, not once per body: a timer set and
        cleared around every body cost two system calls each)."""
        interval = self.engine.timeout / WATCH_TICKS
        self.signal.setitimer(self.signal.ITIMER_VIRTUAL, interval, interval)
        self.armed = True

    def close(self) -> None:
        """Stop the ticks (the entry points call this when their bodies are done)."""
        if self.armed:
            self.signal.setitimer(self.signal.ITIMER_VIRTUAL, 0)
            self.armed = False

    def _findings(self, body: Any) -> list[Diagnostic]:
        engine, lint, is_valid = self.engine, self.lint, self.is_valid
        try:
            if is_valid is None:
                errors = engine.validate(body)
            elif is_valid(body):
                return []
            else:
                errors = engine.errors(body)
        except CheckTimeout:
            raise
        except Exception as exc:  # a validator bug must not hide the other files' results
            return [self.unlocated("internal-error", "error", f"validator failed: {exc!r}", "")]
        if not errors and not lint:
            return []
        view = engine.view() if (lint or _has_unexpected_member(errors)) else None
        convert = self.from_validator_error
        found = [convert(error, view) for error in errors]
        if lint and view is not None:
            unexpected = {d.anchor for d in found if d.anchor}
            found += self.lint_body(body, view, unexpected)
        return list(dict.fromkeys(found))  # one rule failing on two keywords at one place: once


def _duplicate_keys(
    name: str, positions: Any, wanted: Callable[[str, str], bool]
) -> list[Diagnostic]:
    from genspec.diagnostics import Diagnostic
    from genspec.pointer import split as split_pointer

    if not wanted("duplicate-key", "warning"):
        return []
    return [
        Diagnostic(
            name,
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


class CheckTimeout(Exception):
    """A body's check took more CPU time than --timeout (raised from the SIGVTALRM handler)."""


WATCH_TICKS = 10  # a body is stopped after 10 to 11 ticks of timeout/10: 1x to 1.1x --timeout


class _Watch:
    """The body under check, as the CPU timer's tick sees it: the timer ticks every
    timeout/WATCH_TICKS CPU seconds while a checker runs, and the tick that finds one body
    still active after WATCH_TICKS earlier ticks raises CheckTimeout in it."""

    body = 0  # bodies started: a new number means a new body
    active = False  # a body's check is running (ticks between bodies do nothing)
    seen = -1  # the body the last ticks saw
    ticks = 0  # ticks that saw it


_WATCH = _Watch()


def _on_tick(signum: int, frame: Any) -> None:
    watch = _WATCH
    if not watch.active:
        return
    if watch.seen != watch.body:
        watch.seen, watch.ticks = watch.body, 0
    watch.ticks += 1
    if watch.ticks > WATCH_TICKS:  # the first tick may come as the body starts: one more
        raise CheckTimeout


_ALARM_THREADS: dict[int, bool] = {}  # thread id -> whether bodies run under a timer there


def _alarm_ready(engine: Engine) -> bool:
    """Whether bodies run under a CPU timer here (installing our handler on first use:
    only the main thread of a process receives signals)."""
    import _thread  # not threading: its import costs start-up, and an id is all we need

    if engine.timeout <= 0:
        return False
    ident = _thread.get_ident()
    ready = _ALARM_THREADS.get(ident)
    if ready is None:
        import signal

        ready = hasattr(signal, "setitimer")
        if ready:
            try:
                signal.signal(signal.SIGVTALRM, _on_tick)
            except ValueError:  # not the main thread (a language server's worker thread)
                ready = False
        _ALARM_THREADS[ident] = ready
    return ready


def _has_unexpected_member(errors: list[Any]) -> bool:
    return any(e.keyword in ("additionalProperties", "unevaluatedProperties") for e in errors)
