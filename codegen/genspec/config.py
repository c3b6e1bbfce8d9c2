"""`[tool.genspec]` in pyproject.toml: the defaults a project gives `genspec validate`/`lint`.

Found like ruff finds its own: the nearest pyproject.toml, walking up from the working
directory, that has a `[tool.genspec]` table. Command-line options win over it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = ("text", "json", "jsonl", "sarif", "github")
MAX_PYPROJECT_BYTES = 16 * 1024 * 1024  # a pyproject.toml; /dev/zero behind the name is refused
# spec: genspec.user_spec; rules-url: the base findings link their rule to (render.rules_url)
KNOWN_KEYS = ("select", "ignore", "strict", "format", "spec", "include", "rules-url")


class ConfigError(Exception):
    """A pyproject.toml we cannot use; the message names the file and the bad setting."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] | None = None  # None: every rule
    ignore: tuple[str, ...] = ()
    strict: bool = False
    format: str = "text"
    rules_url: str | None = None  # None: the rules reference installed with genspec
    source: Path | None = None  # the pyproject.toml it came from


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` with a [tool.genspec] table."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.exists() and "genspec" in _tool_table(candidate):
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only once a pyproject.toml is found: start-up stays cheap

    from genspec.inputs import InputRefused, read_bounded

    try:
        data = read_bounded(str(path), MAX_PYPROJECT_BYTES)
    except InputRefused as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if len(data) > MAX_PYPROJECT_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_PYPROJECT_BYTES} bytes: refused")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: cannot read: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def _tool_table(path: Path) -> dict[str, Any]:
    """The file's [tool] table; `tool = 5` is an error, not a traceback."""
    tool = _read_toml(path).get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table, not {type(tool).__name__}")
    return tool


def _rule_list(path: Path, key: str, value: Any) -> tuple[str, ...]:
    """A list of rule ids (a comma-separated string is accepted too, as on the command line)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: [tool.genspec] {key} must be a list of rule ids")
    return split_rule_ids(value)


def split_rule_ids(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def load_config(start: Path | None = None) -> Config:
    """The [tool.genspec] settings that apply in `start` (default: the working directory)."""
    path = find_pyproject((start or Path.cwd()).resolve())
    if path is None:
        return Config()
    table = _tool_table(path)["genspec"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.genspec] must be a table")
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:  # a warning, not a failure: other genspec commands may read keys of their own
        print(f"genspec: {path}: ignoring unknown [tool.genspec] keys {unknown}", file=sys.stderr)
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"{path}: [tool.genspec] strict must be true or false")
    output_format = table.get("format", "text")
    if output_format not in FORMATS:
        raise ConfigError(f"{path}: [tool.genspec] format must be one of {', '.join(FORMATS)}")
    rules_url = table.get("rules-url")
    if rules_url is not None and not (isinstance(rules_url, str) and rules_url):
        raise ConfigError(f"{path}: [tool.genspec] rules-url must be a URL (a string)")
    return Config(
        select=_rule_list(path, "select", table["select"]) if "select" in table else None,
        ignore=_rule_list(path, "ignore", table.get("ignore", [])),
        strict=strict,
        format=output_format,
        rules_url=rules_url,
        source=path,
    )


def include_globs(start: Path | None = None) -> tuple[str, ...] | None:
    """[tool.genspec] include: the globs (relative to the pyproject.toml's folder) of the files
    `genspec server` checks; None when not set."""
    path = find_pyproject((start or Path.cwd()).resolve())
    if path is None:
        return None
    table = _tool_table(path)["genspec"]
    if not isinstance(table, dict) or "include" not in table:
        return None
    value = table["include"]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{path}: [tool.genspec] include must be a list of globs")
    return tuple(value)
