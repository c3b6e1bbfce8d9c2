"""The official JSON-Schema-Test-Suite (draft 2020-12, required tests) through the compiler.

Every group the compiler accepts must get every verdict right, from both `is_valid` and
`validate`, in both layouts (the default one, and the one laid out for a mypyc build,
interpreted here; tests/native builds it); every group it refuses must be refused for a
documented reason; and at least 90% of the groups must compile. The suite is read from
$JSON_SCHEMA_TEST_SUITE or ../shared.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from genspec.compiler import SchemaError, compile_schema, load_module

REPO = Path(__file__).resolve().parents[2]
# Why a group may be refused: features the compiler documents as unsupported.
DOCUMENTED_REFUSALS = (
    "dynamic references are not supported",
    "dynamic anchors are not supported",
    "only draft 2020-12 is supported",  # a custom meta-schema ($vocabulary)
    "remote reference 'https://json-schema.org/draft/2020-12/schema'",  # needs $dynamicRef
    "is not a regular expression Python can run",  # \p{...}: ECMA-262 only
)


def suite_root() -> Path | None:
    configured = os.environ.get("JSON_SCHEMA_TEST_SUITE")
    candidates = [Path(configured)] if configured else []
    candidates.append(REPO.parent / "shared" / "json-schema-test-suite")
    return next((path for path in candidates if (path / "tests" / "draft2020-12").is_dir()), None)


ROOT = suite_root()
pytestmark = pytest.mark.skipif(
    ROOT is None,
    reason="JSON-Schema-Test-Suite not found: set JSON_SCHEMA_TEST_SUITE or put it in ../shared",
)


@cache
def remotes() -> dict[str, Any]:
    """The suite's remote documents, by the URI the suite serves them at (nothing is fetched)."""
    assert ROOT is not None
    base = ROOT / "remotes"
    return {
        f"http://localhost:1234/{path.relative_to(base).as_posix()}": json.loads(path.read_text())
        for path in sorted(base.rglob("*.json"))
    }


def groups() -> Iterator[tuple[str, dict[str, Any]]]:
    if ROOT is None:
        return
    for path in sorted((ROOT / "tests" / "draft2020-12").glob("*.json")):
        for group in json.loads(path.read_text(encoding="utf-8")):
            yield f"{path.stem}: {group['description']}", group


GROUPS = list(groups())


def compile_group(group: dict[str, Any], native: bool = False) -> Any:
    return load_module(compile_schema(group["schema"], resources=remotes(), native=native))


@pytest.mark.parametrize("layout", ["python", "native"])
@pytest.mark.parametrize(("name", "group"), GROUPS, ids=[name for name, _ in GROUPS])
def test_group_verdicts_or_documented_refusal(
    name: str, group: dict[str, Any], layout: str
) -> None:
    try:
        module = compile_group(group, native=layout == "native")
    except SchemaError as exc:
        assert any(reason in str(exc) for reason in DOCUMENTED_REFUSALS), f"refused: {exc}"
        pytest.skip(f"refused: {exc}")
    for case in group["tests"]:
        assert module.is_valid(case["data"]) is case["valid"], case["description"]
        errors = module.validate(case["data"])
        assert (errors == []) is case["valid"], (case["description"], errors)


def test_at_least_90_percent_of_groups_compile() -> None:
    refused = []
    for name, group in GROUPS:
        try:
            compile_schema(group["schema"], resources=remotes())
        except SchemaError as exc:
            refused.append(f"{name}: {exc}")
    compiled = len(GROUPS) - len(refused)
    print(f"\n{compiled}/{len(GROUPS)} groups compiled; refused:\n  " + "\n  ".join(refused))
    assert len(GROUPS) >= 383
    assert compiled / len(GROUPS) >= 0.90
