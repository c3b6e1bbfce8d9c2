"""`genspec generate`: write everything under generated/ from spec/ (or check it is current).

Every artifact is built in memory first, Python is formatted by the pinned ruff, and only then
are files replaced, each atomically; `--check` builds the same bytes and compares instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PACKAGE = "python/leonardo_generations"

# Everything under these folders of generated/ is ours: a file we no longer make is stale.
OWNED_FOLDERS = (PACKAGE, "js", "site")


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if generated/ is stale"
    )
    parser.add_argument(
        "--spec-dir", type=Path, help="the spec folder (default: ./spec, else the bundled spec)"
    )
    parser.add_argument("--out", type=Path, help="the generated/ folder (default: beside spec/)")


def _validators(request: Any, response: Any, spec: Path) -> dict[str, str]:
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


def _strategies(request: Any, response: Any, spec: Path) -> dict[str, str]:
    from genspec.spec import REQUEST_SCHEMA
    from genspec.strategies import render_strategies
    from genspec.templating import REGENERATE

    source = render_strategies(request, source=f"spec/{REQUEST_SCHEMA}", command=REGENERATE)
    return {f"{PACKAGE}/strategies.py": source}


def _clients(request: Any, response: Any, spec: Path) -> dict[str, str]:
    from genspec.clients import render_client_artifacts

    return render_client_artifacts(request, response)


def _javascript(request: Any, response: Any, spec: Path) -> dict[str, str]:
    from genspec.js_package import render_js_package

    return render_js_package(request, response)


def _site(request: Any, response: Any, spec: Path) -> dict[str, str]:
    from genspec.site import render_site

    return render_site(request, response, spec)


# A producer maps (request schema, response schema, spec folder) to {path in generated/: text}.
PRODUCERS: list[Callable[[Any, Any, Path], dict[str, str]]] = [
    _validators,
    _strategies,
    _clients,
    _javascript,
    _site,
]


def build_artifacts(spec: Path) -> dict[str, str]:
    """Every generated file, by path relative to generated/, formatted and final."""
    from genspec.formatting import ruff_format
    from genspec.jsonio import load_file
    from genspec.spec import REQUEST_SCHEMA, RESPONSE_SCHEMA

    request = load_file(spec / REQUEST_SCHEMA)
    response = load_file(spec / RESPONSE_SCHEMA)
    files: dict[str, str] = {}
    for produce in PRODUCERS:
        files.update(produce(request, response, spec))
    return {
        path: ruff_format(text, Path(path).name) if path.endswith(".py") else text
        for path, text in sorted(files.items())
    }


def _default_spec(bundled: Path) -> Path:
    # Inside a checkout (the working directory has spec/), that spec wins over the bundled copy.
    from genspec.spec import REQUEST_SCHEMA

    here = Path.cwd() / "spec"
    return here if (here / REQUEST_SCHEMA).is_file() else bundled


def _default_out(spec: Path) -> Path | None:
    # In a source checkout spec/ and generated/ are siblings; an installed spec has no such place.
    out = spec.parent / "generated"
    return out if (spec.parent / "pyproject.toml").is_file() else None


def _stale(out: Path, files: dict[str, str]) -> tuple[list[str], list[str]]:
    """(paths whose bytes differ or are missing, owned paths we no longer generate)."""
    changed = [
        path
        for path, text in files.items()
        if not (out / path).is_file() or (out / path).read_bytes() != text.encode("utf-8")
    ]
    extra = [
        str(found.relative_to(out))
        for folder in OWNED_FOLDERS
        if (out / folder).is_dir()
        for found in sorted((out / folder).rglob("*"))
        if found.is_file()
        and "__pycache__" not in found.parts
        and str(found.relative_to(out)) not in files
    ]
    return changed, extra


def run(args: argparse.Namespace) -> int:
    from genspec.compiler import SchemaError
    from genspec.jsonio import JsonInputError, write_atomic
    from genspec.spec import spec_dir

    spec = args.spec_dir or _default_spec(spec_dir())
    out = args.out or _default_out(spec)
    if out is None:
        print("genspec generate: error: no generated/ beside the spec; pass --out", file=sys.stderr)
        return 2
    try:
        files = build_artifacts(spec)
    except (JsonInputError, SchemaError) as exc:
        print(f"genspec generate: error: {exc}", file=sys.stderr)
        return 1
    changed, extra = _stale(out, files)
    if args.check:
        for path in changed:
            print(f"stale: generated/{path}")
        for path in extra:
            print(f"not generated by genspec: generated/{path}")
        if changed or extra:
            print("run `genspec generate` and commit the result", file=sys.stderr)
            return 1
        print(f"generated/ is up to date ({len(files)} files)")
        return 0
    for path in changed:
        write_atomic(out / path, files[path])
        print(f"wrote generated/{path}")
    for path in extra:
        (out / path).unlink()
        print(f"removed generated/{path}")
    if not changed and not extra:
        print(f"generated/ is up to date ({len(files)} files)")
    return 0
