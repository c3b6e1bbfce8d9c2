"""Native builds: a compiled validator's Python source built into a C extension with mypyc.

`build_native(source, output)` compiles the source `compile_schema(..., native=True)` returns
into one importable extension module (`output`, e.g. `validator.so`): the same functions,
findings and `Error` class, run as C. The build happens in a temporary directory, in a
subprocess (mypyc writes its C, `build/` and the mypy cache there), and the result is imported
in a fresh interpreter before it replaces `output` atomically; a failed build leaves `output` as
it was. It needs mypyc (`pip install 'genspec[native]'`), a C compiler and the Python headers.

Compiled code has no recursion limit: a recursive schema (a `$ref` cycle) would let a deeply
nested instance overflow the C stack and kill the process, so `refuse_recursion` refuses one.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import keyword
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from genspec.ir import Keyword, Node, Ref, SchemaError, SchemaIR, keyword_children, lower

__all__ = [
    "NativeBuildError",
    "build_native",
    "build_native_modules",
    "native_source",
    "refuse_recursion",
]

INSTALL_HINT = "pip install 'genspec[native]'"


class NativeBuildError(Exception):
    """The native build cannot run or failed; the message says why and what to do."""


# Run by the build's own interpreter in the temporary directory: mypyc turns the modules named
# on its command line into C, setuptools compiles that in place. `--config-file=` keeps any
# user's mypy configuration out; `--no-user-cfg` their ~/.pydistutils.cfg. An empty literal
# (`for name in ():`, for `required: []`) is valid code mypy cannot give an element type:
# `var-annotated` off lets it be Any.
_SETUP_SCRIPT = """\
import sys

import setuptools
from mypyc.build import mypycify

setuptools.setup(
    name="genspec_native",
    ext_modules=mypycify(
        ["--config-file=", "--disable-error-code=var-annotated", *sys.argv[1:]],
        opt_level="3",
        debug_level="0",
        target_dir="build",
    ),
    script_args=["--no-user-cfg", "build_ext", "--inplace"],
)
"""

# `error: ...` (setuptools), `file:line: error: ...` (mypy), `file:line:col: error: ...` (gcc).
_ERROR_LINE = re.compile(r"(^|: )(fatal )?error: ")

# Imports each built module by path in a fresh, isolated interpreter (argv: directory, names).
_IMPORT_SCRIPT = """\
import importlib, sys

sys.path.insert(0, sys.argv[1])
for name in sys.argv[2:]:
    module = importlib.import_module(name)
    assert module.__file__.startswith(sys.argv[1]), module.__file__
    assert callable(module.is_valid) and callable(module.validate), name
"""


def native_source(
    schema: Any,
    *,
    source: str = "<schema>",
    command: str = "genspec compile --target native",
    resources: dict[str, Any] | None = None,
) -> str:
    """`compile_schema(..., native=True)`, refusing a recursive schema (SchemaError)."""
    from genspec.compiler import compile_schema, run_deep

    text = compile_schema(schema, source=source, command=command, resources=resources, native=True)
    # Checked already by compile_schema: this lowering is only for the shape of the graph.
    refuse_recursion(run_deep(lambda: lower(schema, check=False, resources=resources)))
    return text


def module_name(output: Path) -> str:
    """The module name `output` gives (the file name before its first dot), checked."""
    name, dot, rest = output.name.partition(".")
    suffix = dot + rest
    # Not `.abi3.so`: mypyc's C uses CPython's full API, so the module fits this Python only.
    suffixes = [s for s in importlib.machinery.EXTENSION_SUFFIXES if ".abi3." not in s]
    if suffix not in suffixes:
        raise NativeBuildError(
            f"{output}: a native module's file name ends in {' or '.join(suffixes)} "
            f"(for example {name or 'validator'}{suffixes[-1]})"
        )
    if not name.isidentifier() or keyword.iskeyword(name):
        raise NativeBuildError(
            f"{output}: {name!r} is not a Python module name; name the file like validator{suffix}"
        )
    if name in sys.stdlib_module_names:
        raise NativeBuildError(
            f"{output}: {name!r} would shadow the standard library module; choose another name"
        )
    return name


def check_toolchain() -> None:
    """NativeBuildError unless mypyc, setuptools, a C compiler and Python.h are all there."""
    for package in ("mypyc", "setuptools"):
        if importlib.util.find_spec(package) is None:
            raise NativeBuildError(f"{package} is not installed; run: {INSTALL_HINT}")
    configured = os.environ.get("CC")
    command = configured if configured is not None else sysconfig.get_config_var("CC") or ""
    compiler = (shlex.split(command) or [""])[0]
    # On Windows Python's build configuration names no compiler: setuptools finds MSVC itself.
    unnamed = configured is None and not compiler and sys.platform == "win32"
    if not unnamed and (not compiler or shutil.which(compiler) is None):
        where = "$CC" if configured is not None else "Python's build configuration (sysconfig CC)"
        raise NativeBuildError(
            f"no C compiler: {compiler or 'nothing'!r} (from {where}) is not an executable; "
            "install one (Debian/Ubuntu: apt install gcc) or point $CC at it"
        )
    include = Path(sysconfig.get_paths()["include"])
    if not (include / "Python.h").is_file():
        raise NativeBuildError(
            f"no Python headers: {include / 'Python.h'} is missing; install them "
            f"(Debian/Ubuntu: apt install python3-dev, for Python "
            f"{sys.version_info.major}.{sys.version_info.minor})"
        )


def build_native(source: str, output: Path | str) -> None:
    """Build validator `source` into the extension module `output` (replaced atomically)."""
    output = Path(output)
    name = module_name(output)
    _check_destination(output)
    check_toolchain()
    with tempfile.TemporaryDirectory(prefix="genspec-native-") as work:
        built = _build(Path(work), {name: source})
        if len(built) != 1:  # one module is built without a shared library
            found = ", ".join(path.name for path in built)
            raise NativeBuildError(f"mypyc built {found}, not one module; report this to genspec")
        _install(built[0], output)


def build_native_modules(sources: Mapping[str, str], directory: Path | str) -> list[Path]:
    """Build several validators (module name -> source) in one C compile into `directory`.

    They share a `<hash>__mypyc` library, written beside them: keep the files together.
    Returns the files written."""
    directory = Path(directory)
    for name in sources:
        module_name(directory / f"{name}.so")
    if not directory.is_dir():
        raise NativeBuildError(f"cannot write into {directory}: not a directory")
    check_toolchain()
    with tempfile.TemporaryDirectory(prefix="genspec-native-") as work:
        return [_install(built, directory / built.name) for built in _build(Path(work), sources)]


def _check_destination(output: Path) -> None:
    if output.is_dir():
        raise NativeBuildError(f"cannot write {output}: it is a directory")
    if not output.parent.is_dir():
        raise NativeBuildError(f"cannot write {output}: no directory {output.parent}")
    if not os.access(output.parent, os.W_OK | os.X_OK):  # said now, not after the build
        raise NativeBuildError(f"cannot write {output}: {output.parent} is not writable")


def _build(work: Path, sources: Mapping[str, str]) -> list[Path]:
    """Run mypyc in `work` on the sources; the built extensions, each imported once."""
    files = []
    for name, text in sources.items():
        (work / f"{name}.py").write_text(text, encoding="utf-8")
        files.append(f"{name}.py")
    # PYTHONPATH stays (it may be where mypyc is found); MYPYPATH would add stubs to the check.
    env = {k: v for k, v in os.environ.items() if k != "MYPYPATH"}
    env["MYPY_CACHE_DIR"] = str(work / ".mypy_cache")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [sys.executable, "-c", _SETUP_SCRIPT, *files]
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise NativeBuildError(f"mypyc could not build the module: {_cause(done)}")
    check = [sys.executable, "-I", "-c", _IMPORT_SCRIPT, str(work), *sources]
    imported = subprocess.run(check, cwd=work, capture_output=True, text=True)
    if imported.returncode != 0:
        raise NativeBuildError(f"the built module does not import: {_cause(imported)}")
    return sorted(work.glob(f"*{sysconfig.get_config_var('EXT_SUFFIX')}"))


def _cause(done: subprocess.CompletedProcess[str]) -> str:
    """The line of a failed build's output that says why: its first error (mypy's, the C
    compiler's or setuptools'), else its last line."""
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    errors = [line for line in lines if _ERROR_LINE.search(line)]
    cause = (errors[:1] or lines[-1:] or [f"exit status {done.returncode}"])[0]
    return cause if len(cause) <= 400 else cause[:400] + "..."


def _install(built: Path, output: Path) -> Path:
    """Copy `built` to `output` through a temporary file beside it, then rename (atomic)."""
    try:
        handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
        os.close(handle)
        try:
            shutil.copyfile(built, temporary)
            shutil.copymode(built, temporary)
            os.replace(temporary, output)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise NativeBuildError(f"cannot write {output}: {exc.strerror or exc}") from None
    return output


def _edges(node: Node) -> Iterator[tuple[Keyword, Node]]:
    for record in node.keywords:
        for child in keyword_children(record):
            yield record, child


def refuse_recursion(schema_ir: SchemaIR) -> None:
    """SchemaError at a `$ref` of the first cycle of subschemas (walked without recursion)."""
    done: set[int] = set()
    for start in schema_ir.nodes:
        if start.index in done:
            continue
        stack: list[tuple[Node, Iterator[tuple[Keyword, Node]]]] = [(start, _edges(start))]
        through: list[Keyword] = []  # through[i]: the keyword from stack[i] to stack[i + 1]
        active = {start.index: 0}
        while stack:
            node, edges = stack[-1]
            edge = next(edges, None)
            if edge is None:
                stack.pop()
                del active[node.index]
                done.add(node.index)
                if through:
                    through.pop()
                continue
            record, child = edge
            if child.index in active:
                cycle = [*through[active[child.index] :], record]
                # A cycle goes through a $ref (structure only goes deeper): name the last one.
                ref = next(r for r in reversed(cycle) if isinstance(r, Ref))
                target = ref.target.location or "/"
                raise SchemaError(
                    ref.location,
                    f"the schema is recursive (this $ref to {target!r} closes a cycle); a native "
                    "module has no recursion limit, so a deeply nested instance would crash the "
                    "process: compile recursive schemas with --target python",
                    "$ref",
                )
            if child.index not in done:
                active[child.index] = len(stack)
                stack.append((child, _edges(child)))
                through.append(record)
