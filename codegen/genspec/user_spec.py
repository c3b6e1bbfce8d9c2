"""The user's own spec: `[tool.genspec] spec = "path"` or `--spec PATH`, for every command.

`path` is a spec folder (holding generation-request.schema.json and, for drift and generate,
generation-response.schema.json) or a request schema file, relative to the pyproject.toml that
names it. Its request schema is compiled into a validator on first use and its bytecode kept
in a cache folder under a key made of the schema's bytes and genspec's version and compiler, so
an edited spec or an upgraded genspec is never checked with a stale validator. An entry is
verified (its first line holds the key and the SHA-256 of the rest) before it is loaded;
anything else is rebuilt, never trusted.

Only the standard library is imported at module level: validate and lint import this module to
build their parser.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
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
    """genspec's own sources and templates by name, size and mtime: a reinstalled or edited
    compiler means a new key (stat only: a cache hit must stay cheap)."""
    import hashlib  # here, not at the top: the CLI imports this module to build its parser

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), *package.glob("templates/*.jinja")]):
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.digest()


def cache_key(schema_bytes: bytes) -> str:
    """The schema's bytes, genspec's version and compiler, and the bytecode format."""
    import hashlib
    import importlib.util

    from genspec import __version__

    digest = hashlib.sha256(b"genspec-validator\0" + __version__.encode() + b"\0")
    digest.update(importlib.util.MAGIC_NUMBER)
    digest.update(_compiler_fingerprint())
    digest.update(schema_bytes)
    return digest.hexdigest()


def _first_line(key: str, body: bytes) -> bytes:
    import hashlib

    return f"{CACHE_MAGIC} key={key} sha256={hashlib.sha256(body).hexdigest()}\n".encode()


def _read_entry(path: Path, key: str) -> bytes | None:
    """The body of a whole cache entry for `key` (its first line vouches for the rest)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    first, _, body = data.partition(b"\n")
    return body if first + b"\n" == _first_line(key, body) else None


def _write_entry(path: Path, key: str, body: bytes) -> None:
    """Store an entry; a cache folder that cannot be written (a read-only home) only means
    the next run compiles again."""
    from genspec.jsonio import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, _first_line(key, body) + body)
    except OSError:
        pass


def _module(code: Any, name: str) -> Any:
    import sys
    import types

    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses in the generated code look their module up
    try:
        exec(code, module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _compile(schema: Any, schema_file: Path) -> str:
    from genspec.compiler import SchemaError, compile_schema

    try:
        return compile_schema(schema, source=schema_file.name, command="genspec (cached)")
    except SchemaError as exc:
        raise SpecSettingError(f"{schema_file}: cannot compile: {exc}") from None


def _parse(schema_file: Path, data: bytes) -> Any:
    from genspec.jsonio import JsonInputError, loads_strict

    try:
        return loads_strict(data)
    except JsonInputError as exc:
        raise SpecSettingError(f"{schema_file}:{' ' if not exc.line else ''}{exc}") from None


def load_validator(spec: Path) -> tuple[Any, Callable[[], Any]]:
    """(the validator module of `spec`'s request schema, a loader of that schema).

    The module comes from a verified cache entry (its bytecode), else it is compiled now and
    cached. The schema is parsed only when needed: to compile, or for lint's checks.
    """
    import marshal

    schema_file = request_schema_path(spec)
    try:
        data = schema_file.read_bytes()
    except OSError as exc:
        raise SpecSettingError(f"{schema_file}: cannot read: {exc.strerror or exc}") from None

    def load_schema() -> Any:
        return _parse(schema_file, data)

    key = cache_key(data)
    name = f"genspec_user_validator_{key[:16]}"
    entry = cache_dir() / f"{key}.bin"
    body = _read_entry(entry, key)
    if body is not None:
        try:
            return _module(marshal.loads(body), name), load_schema
        except Exception:  # a damaged entry that still hashes right: rebuild below
            entry.unlink(missing_ok=True)
    source = _compile(load_schema(), schema_file)
    code = compile(source, f"<genspec validator of {schema_file}>", "exec")
    _write_entry(entry, key, marshal.dumps(code))
    return _module(code, name), load_schema
