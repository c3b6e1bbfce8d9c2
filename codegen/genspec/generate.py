"""`genspec generate`: write everything under generated/ from spec/ (or check it is current).

Every artifact is built in memory first (Python already laid out as ruff would format it, by
genspec.pylayout: no formatter runs). Then the output
folder is copied to a temporary sibling, updated there and swapped into place, so a failing or
interrupted run leaves the previous output whole. `--check` builds the same bytes and compares.
Messages are printed only once the tree is in place: a closed pipe cannot cut a write short.

Exit codes: 0 written or up to date, 1 stale (`--check`), 2 usage or input error.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_PACKAGE = "leonardo_generations"
PACKAGE = f"python/{DEFAULT_PACKAGE}"
EXIT_OK, EXIT_STALE, EXIT_USAGE = 0, 1, 2

# A distribution and import name both: lowercase, so `pip install` and `import` agree.
_PACKAGE_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class GenerateError(Exception):
    """Bad input or a missing piece: one line for the user, exit 2."""


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the output is stale"
    )
    parser.add_argument(
        "--spec-dir",
        "--spec",
        dest="spec_dir",
        type=Path,
        help="the spec folder (default: [tool.genspec] spec, else ./spec, else the bundled spec)",
    )
    parser.add_argument("--out", type=Path, help="the output folder (default: beside spec/)")
    parser.add_argument(
        "--package-name",
        metavar="NAME",
        help="import name of the generated Python package; also writes python/pyproject.toml "
        "so `pip install OUT/python` installs it on its own",
    )
    parser.add_argument(
        "--package-version",
        metavar="VERSION",
        default="0.1.0",
        help="version written into python/pyproject.toml (with --package-name; default 0.1.0)",
    )


def _validators(request: Any, response: Any, package: str, spec: Path) -> dict[str, str]:
    from genspec.compiler import compile_schema
    from genspec.spec import REQUEST_SCHEMA, RESPONSE_SCHEMA
    from genspec.templating import REGENERATE

    return {
        f"{PACKAGE}/validate_request.py": compile_schema(
            request, source=f"spec/{REQUEST_SCHEMA}", command=REGENERATE
        ),
        f"{PACKAGE}/validate_response.py": compile_schema(
            response, source=f"spec/{RESPONSE_SCHEMA}", command=REGENERATE
        ),
        f"{PACKAGE}/py.typed": "",
    }


def _strategies(request: Any, response: Any, package: str, spec: Path) -> dict[str, str]:
    from genspec.spec import REQUEST_SCHEMA
    from genspec.strategies import RUNTIME_MODULE, render_strategies, runtime_source
    from genspec.templating import REGENERATE

    source = render_strategies(request, source=f"spec/{REQUEST_SCHEMA}", command=REGENERATE)
    runtime = runtime_source(command=REGENERATE)
    return {f"{PACKAGE}/strategies.py": source, f"{PACKAGE}/{RUNTIME_MODULE}.py": runtime}


def _clients(request: Any, response: Any, package: str, spec: Path) -> dict[str, str]:
    from genspec.clients import render_client_artifacts
    from genspec.generation_loop import load_loop_schemas

    try:
        return render_client_artifacts(request, response, load_loop_schemas(spec))
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "datamodel_code_generator":
            raise
        raise GenerateError(
            "the models need datamodel-code-generator, which this install lacks: "
            "pip install 'datamodel-code-generator>=0.89,<0.90' (or reinstall genspec)"
        ) from None


# A producer maps (request schema, response schema, package name, spec folder) to {path under
# out/: text}, paths written with the default package folder (renamed for --package-name).
Producer = Callable[[Any, Any, str, Path], dict[str, str]]


def _javascript(request: Any, response: Any, package: str, spec: Path) -> dict[str, str]:
    from genspec.js_package import render_js_package

    return render_js_package(request, response)


def _site(request: Any, response: Any, package: str, spec: Path) -> dict[str, str]:
    from genspec.site import render_site

    return render_site(request, response, spec)


PRODUCERS: list[Producer] = [_validators, _strategies, _clients, _javascript, _site]


def build_artifacts(
    spec: Path, package: str | None = None, version: str = "0.1.0"
) -> dict[str, str]:
    """Every generated file, by path relative to the output folder, formatted and final."""
    from genspec.compiler import SchemaError
    from genspec.js_patterns import NodeUnavailable
    from genspec.jsonio import JsonInputError, load_file
    from genspec.spec import REQUEST_SCHEMA, RESPONSE_SCHEMA

    name = package or DEFAULT_PACKAGE
    schemas = []
    for file in (spec / REQUEST_SCHEMA, spec / RESPONSE_SCHEMA):
        try:
            schemas.append(load_file(file))
        except JsonInputError as exc:  # "cannot read PATH: ..." or "LINE:COL: message"
            raise GenerateError(f"{file}:{exc}" if exc.line else str(exc)) from None
    request, response = schemas
    files: dict[str, str] = {}
    try:
        for produce in PRODUCERS:
            files.update(produce(request, response, name, spec))
    except SchemaError as exc:
        raise GenerateError(f"{spec}: {exc}") from None
    except NodeUnavailable as exc:  # nothing is written: generate is all or nothing
        raise GenerateError(f"{exc} (for generated/js)") from None
    if package is not None:
        files = _renamed(files, package)
        files["python/pyproject.toml"] = package_pyproject(package, version)
    return dict(sorted(files.items()))


_DEFAULT_NAME = re.compile(rf"\b{DEFAULT_PACKAGE}\b")


def _renamed(files: dict[str, str], package: str) -> dict[str, str]:
    """The package under its new import name: its folder, and the places that spell the name
    (the usage docstring, the logger name); the modules import each other relatively."""
    renamed: dict[str, str] = {}
    for path, text in files.items():
        if path.startswith(f"{PACKAGE}/"):
            path = f"python/{package}/{path.removeprefix(f'{PACKAGE}/')}"
            text = _DEFAULT_NAME.sub(package, text)
        renamed[path] = text
    return renamed


def package_pyproject(package: str, version: str) -> str:
    """pyproject.toml of a generated package: what its modules import at run time, nothing more
    (the validators are stdlib only; strategies.py needs hypothesis, an extra)."""
    return (
        "# Generated by genspec: do not edit. Regenerate with `genspec generate`.\n"
        "[build-system]\n"
        'requires = ["setuptools>=69"]\n'
        'build-backend = "setuptools.build_meta"\n'
        "\n"
        "[project]\n"
        f'name = "{package.replace("_", "-")}"\n'
        f'version = "{version}"\n'
        f'description = "Validators, models and clients generated by genspec ({package})"\n'
        'requires-python = ">=3.11"\n'
        'dependencies = ["httpx>=0.27", "pydantic>=2.7"]\n'
        "\n"
        "[project.optional-dependencies]\n"
        'strategies = ["hypothesis>=6.100"]\n'
        "\n"
        "[tool.setuptools]\n"
        f'packages = ["{package}"]\n'
        "\n"
        "[tool.setuptools.package-data]\n"
        f'"{package}" = ["py.typed"]\n'
    )


def _default_spec(bundled: Path) -> Path:
    # [tool.genspec] spec first; inside a checkout (./spec exists) that spec; else the bundled one.
    from genspec.spec import REQUEST_SCHEMA
    from genspec.user_spec import configured_spec_dir

    configured = configured_spec_dir()
    if configured is not None:
        return configured
    here = Path.cwd() / "spec"
    return here if (here / REQUEST_SCHEMA).is_file() else bundled


def _default_out(spec: Path) -> Path | None:
    # In a source checkout spec/ and generated/ are siblings; an installed spec has no such place.
    out = spec.parent / "generated"
    return out if (spec.parent / "pyproject.toml").is_file() else None


def _owned_folders(files: dict[str, str]) -> set[str]:
    # Everything under a package folder we write is ours: a file we no longer make is stale.
    python = {"/".join(path.split("/")[:2]) for path in files if path.startswith("python/")}
    others = {top for path in files if (top := path.split("/")[0]) in ("js", "site")}
    return (python - {"python/pyproject.toml"}) | others


def _stale(out: Path, files: dict[str, str]) -> tuple[list[str], list[str]]:
    """(paths whose bytes differ or are missing, owned paths we no longer generate)."""
    changed = [
        path
        for path, text in files.items()
        if not (out / path).is_file() or (out / path).read_bytes() != text.encode("utf-8")
    ]
    extra = [
        found.relative_to(out).as_posix()
        for folder in sorted(_owned_folders(files))
        if (out / folder).is_dir()
        for found in sorted((out / folder).rglob("*"))
        if found.is_file()
        and "__pycache__" not in found.parts
        and "node_modules" not in found.parts
        and found.relative_to(out).as_posix() not in files
    ]
    return changed, extra


def replace_tree(out: Path, files: dict[str, str], changed: list[str], extra: list[str]) -> None:
    """Apply the changes to a copy of `out` beside it, then swap the copy into place.

    Until the swap `out` is untouched; the two renames of the swap run with SIGINT and SIGTERM
    held back, so an interrupt lands before or after them, never between.
    """
    import shutil
    import signal
    import tempfile

    target = out.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".genspec-tmp", dir=target.parent)
    )
    try:
        staged = work / "new"
        if target.is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(target, staged, symlinks=True, ignore=ignore)
        else:
            staged.mkdir()
        for path in changed:
            destination = staged / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(files[path].encode("utf-8"))
        for path in extra:
            (staged / path).unlink()
        previous = work / "previous"
        held = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            if target.exists():
                target.rename(previous)
            try:
                staged.rename(target)
            except OSError:
                if previous.exists():
                    previous.rename(target)
                raise
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _shown(out: Path, given: Path | None) -> str:
    """The output folder as the user would type it: as given, else relative to the cwd."""
    if given is not None:
        return given.as_posix().rstrip("/") or "/"
    try:
        return out.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return out.as_posix()


def _fail(message: str) -> int:
    from genspec.console import emit

    emit([f"genspec generate: error: {message}"], sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    from genspec.console import emit
    from genspec.spec import REQUEST_SCHEMA, spec_dir
    from genspec.user_spec import SpecSettingError

    package = args.package_name
    if package is not None and not _PACKAGE_NAME.fullmatch(package):
        return _fail(f"--package-name {package!r}: use lowercase letters, digits and _")
    try:
        spec = args.spec_dir or _default_spec(spec_dir())
    except SpecSettingError as exc:
        return _fail(str(exc))
    if not (spec / REQUEST_SCHEMA).is_file():
        return _fail(f"{spec}: no {REQUEST_SCHEMA} there (is it a spec folder?)")
    out = args.out or _default_out(spec)
    if out is None:
        return _fail("no generated/ beside the spec; pass --out")
    try:
        files = build_artifacts(spec, package, args.package_version)
    except GenerateError as exc:
        return _fail(str(exc))
    shown = _shown(out, args.out)
    changed, extra = _stale(out, files)
    if args.check:
        emit([f"stale: {shown}/{path}" for path in changed])
        emit([f"not generated by genspec: {shown}/{path}" for path in extra])
        if changed or extra:
            emit(["run `genspec generate` and commit the result"], sys.stderr)
            return EXIT_STALE
        emit([f"{shown}/ is up to date ({len(files)} files)"])
        return EXIT_OK
    if changed or extra:
        try:
            replace_tree(out, files, changed, extra)
        except OSError as exc:
            return _fail(f"cannot write {shown}: {exc.strerror or exc}")
    emit([f"wrote {shown}/{path}" for path in changed])
    emit([f"removed {shown}/{path}" for path in extra])
    if not changed and not extra:
        emit([f"{shown}/ is up to date ({len(files)} files)"])
    return EXIT_OK
