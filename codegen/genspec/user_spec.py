"""The user's own spec: `[tool.genspec] spec = "path"` or `--spec PATH`, for every command.

`path` is a spec folder (holding generation-request.schema.json and, for drift and generate,
generation-response.schema.json) or a request schema file, relative to the pyproject.toml that
names it. Its request schema is compiled into a validator on first use and kept in a cache
folder under a key made of the schema's bytes and the compiler's own sources, so an edited
spec or an upgraded genspec is never checked with a stale validator. A cached module is
verified (key and content hash in its first line) before it is imported; anything else is
rebuilt, never trusted.

Only the standard library is imported at module level: validate and lint import this module to
build their parser.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path
from typing import Any

SETTING = "spec"
CACHE_MAGIC = "# genspec validator cache"


class SpecSettingError(Exception):
    """The spec named by --spec or [tool.genspec] spec cannot be used; says which and why."""


def add_spec_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spec",
        type=Path,
        metavar="PATH",
        help="the spec folder or request schema to check against "
        "(default: [tool.genspec] spec, else the bundled Leonardo spec)",
    )


def configured_spec(start: Path | None = None) -> Path | None:
    """`[tool.genspec] spec` of the nearest pyproject.toml, resolved against its folder."""
    import tomllib

    from genspec.config import find_pyproject

    try:
        pyproject = find_pyproject((start or Path.cwd()).resolve())
    except Exception as exc:  # config.ConfigError: an unreadable pyproject.toml
        raise SpecSettingError(str(exc)) from None
    if pyproject is None:
        return None
    with pyproject.open("rb") as handle:
        table = tomllib.load(handle)["tool"]["genspec"]
    if not isinstance(table, dict) or SETTING not in table:
        return None
    value = table[SETTING]
    if not isinstance(value, str) or not value:
        raise SpecSettingError(f"{pyproject}: [tool.genspec] spec must be a path (a string)")
    path = pyproject.parent / value
    if not path.exists():
        raise SpecSettingError(
            f"{pyproject}: [tool.genspec] spec {value!r}: no such file or folder"
        )
    return path


def configured_spec_dir(start: Path | None = None) -> Path | None:
    """The spec folder of `[tool.genspec] spec` (a schema file's folder), or None."""
    path = configured_spec(start)
    if path is None:
        return None
    return path if path.is_dir() else path.parent


def selected_spec(args: argparse.Namespace) -> Path | None:
    """--spec, else [tool.genspec] spec unless --isolated; None means the bundled spec."""
    given: Path | None = getattr(args, "spec", None)
    if given is not None:
        if not given.exists():
            raise SpecSettingError(f"--spec {given}: no such file or folder")
        return given
    if getattr(args, "isolated", False):
        return None
    return configured_spec()


def request_schema_path(spec: Path) -> Path:
    from genspec.spec import REQUEST_SCHEMA

    return spec / REQUEST_SCHEMA if spec.is_dir() else spec


def response_schema_path(spec: Path) -> Path:
    from genspec.spec import RESPONSE_SCHEMA

    return (spec if spec.is_dir() else spec.parent) / RESPONSE_SCHEMA


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "genspec" / "validators"


def _compiler_fingerprint() -> bytes:
    """A digest of genspec's own sources and templates: a new compiler means a new key."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), *package.glob("templates/*.jinja")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def cache_key(schema_bytes: bytes) -> str:
    from genspec import __version__

    digest = hashlib.sha256(b"genspec-validator\0" + __version__.encode() + b"\0")
    digest.update(_compiler_fingerprint())
    digest.update(schema_bytes)
    return digest.hexdigest()


def _first_line(key: str, body: bytes) -> bytes:
    return f"{CACHE_MAGIC} key={key} sha256={hashlib.sha256(body).hexdigest()}\n".encode()


def _verified(path: Path, key: str) -> bool:
    """True when `path` is a whole cache entry for `key` (its first line vouches for the rest)."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    first, _, body = data.partition(b"\n")
    return first + b"\n" == _first_line(key, body)


def _write_entry(path: Path, key: str, source: str) -> bool:
    """Store a compiled module; False when the cache folder cannot be written (then run
    without caching: a read-only home must not stop a check)."""
    from genspec.jsonio import write_atomic

    body = source.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, _first_line(key, body) + body)
    except OSError:
        return False
    return True


def _import_file(path: Path, name: str) -> Any:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in the generated code look their module up
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _exec_source(source: str, name: str, origin: str) -> Any:
    import sys
    import types

    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, origin, "exec"), module.__dict__)
    return module


def _compile(schema: Any, schema_file: Path) -> str:
    from genspec.compiler import SchemaError, compile_schema

    try:
        return compile_schema(schema, source=schema_file.name, command="genspec (cached)")
    except SchemaError as exc:
        raise SpecSettingError(f"{schema_file}: cannot compile: {exc}") from None


def load_validator(spec: Path) -> tuple[Any, Any]:
    """(the validator module of `spec`'s request schema, that schema), from the cache when
    a verified entry exists, else compiled now and cached."""
    from genspec.jsonio import JsonInputError, loads_strict

    schema_file = request_schema_path(spec)
    try:
        data = schema_file.read_bytes()
        schema = loads_strict(data)
    except OSError as exc:
        raise SpecSettingError(f"{schema_file}: cannot read: {exc.strerror or exc}") from None
    except JsonInputError as exc:
        raise SpecSettingError(f"{schema_file}:{' ' if not exc.line else ''}{exc}") from None
    key = cache_key(data)
    name = f"genspec_user_validator_{key[:16]}"
    entry = cache_dir() / f"{key}.py"
    if _verified(entry, key):
        try:
            return _import_file(entry, name), schema
        except Exception:  # a damaged entry or bytecode: rebuild below
            _discard(entry)
    source = _compile(schema, schema_file)
    if _write_entry(entry, key, source) and _verified(entry, key):
        try:
            return _import_file(entry, name), schema
        except Exception:
            _discard(entry)
    return _exec_source(source, name, f"<compiled {schema_file}>"), schema


def _discard(entry: Path) -> None:
    import shutil

    entry.unlink(missing_ok=True)
    shutil.rmtree(entry.parent / "__pycache__", ignore_errors=True)
