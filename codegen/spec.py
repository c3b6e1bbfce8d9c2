"""Where the endpoint spec lives and how its rule annotations (`x-rule`) are read.

The spec is the single source of truth; everything else asks this module for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genspec.jsonio import load_file

REQUEST_SCHEMA = "generation-request.schema.json"
RESPONSE_SCHEMA = "generation-response.schema.json"
RULE_KEYWORD = "x-rule"
SEVERITIES = ("error", "warning")


def spec_dir() -> Path:
    """The spec directory: inside the installed package (wheel), else the source checkout's spec/."""
    packaged = Path(__file__).resolve().parent / "spec"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "spec"


def load_schema(name: str = REQUEST_SCHEMA) -> Any:
    return load_file(spec_dir() / name)


@dataclass(frozen=True)
class Rule:
    """One documented rule: a stable id, how bad breaking it is, what to do, and where it is written."""

    id: str
    severity: str
    message: str
    source: str
    reference: str
    schema_path: str  # JSON Pointer of the subschema carrying the annotation


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def iter_rules(schema: Any, pointer: str = "") -> Iterator[Rule]:
    """Every `x-rule` annotation in `schema`, in document order."""
    if isinstance(schema, dict):
        rule = schema.get(RULE_KEYWORD)
        if isinstance(rule, dict):
            yield Rule(
                id=rule["id"],
                severity=rule["severity"],
                message=rule["message"],
                source=rule["source"],
                reference=rule.get("reference", ""),
                schema_path=pointer,
            )
        for key, value in schema.items():
            if key != RULE_KEYWORD and key not in ("enum", "const", "default", "examples"):
                yield from iter_rules(value, f"{pointer}/{_escape(key)}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from iter_rules(value, f"{pointer}/{index}")
