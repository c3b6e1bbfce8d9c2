"""The official JSON-Schema-Test-Suite (draft 2020-12) through the JavaScript target.

Every group the JS compiler accepts must give the suite's verdict from both `isValid` and
`validate`, and report errors at exactly the instance paths python-jsonschema reports; every
refused group must be refused for a documented reason.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from genspec.ir import SchemaError

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO.parent / "shared" / "json-schema-test-suite"
DOCUMENTED_REFUSALS = (
    "dynamic references are not supported",
    "dynamic anchors are not supported",
    "only draft 2020-12 is supported",
    "remote reference 'https://json-schema.org/draft/2020-12/schema'",
    "is not a regular expression Python can run",
    "cannot be run by ECMAScript",
)


def suite_root() -> Path | None:
    import os

    configured = os.environ.get("JSON_SCHEMA_TEST_SUITE")
    for path in [Path(configured)] if configured else [SUITE]:
        if (path / "tests" / "draft2020-12").is_dir():
            return path
    return None


ROOT = suite_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="JSON-Schema-Test-Suite not found")


@cache
def registry() -> Registry[Any]:
    return Registry().with_resources(
        (uri, Resource.from_contents(doc, default_specification=DRAFT202012))
        for uri, doc in remotes().items()
    )


@cache
def remotes() -> dict[str, Any]:
    assert ROOT is not None
    base = ROOT / "remotes"
    return {
        f"http://localhost:1234/{path.relative_to(base).as_posix()}": json.loads(path.read_text())
        for path in sorted(base.rglob("*.json"))
    }


def pointer(parts: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def oracle(schema: Any) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=registry())


def groups() -> list[tuple[str, dict[str, Any]]]:
    if ROOT is None:
        return []
    found = []
    for path in sorted((ROOT / "tests" / "draft2020-12").glob("*.json")):
        for group in json.loads(path.read_text(encoding="utf-8")):
            found.append((f"{path.stem}: {group['description']}", group))
    return found


GROUPS = groups()


@pytest.mark.parametrize(("name", "group"), GROUPS, ids=[name for name, _ in GROUPS])
def test_group_verdicts_and_paths_equal_python_jsonschema(
    name: str, group: dict[str, Any], node_validators: Any
) -> None:
    try:
        module = node_validators.compile(group["schema"], resources=remotes())
    except SchemaError as exc:
        assert any(reason in str(exc) for reason in DOCUMENTED_REFUSALS), f"refused: {exc}"
        pytest.skip(f"refused: {exc}")
    reference = oracle(group["schema"])
    for case in group["tests"]:
        reply = node_validators.run(module, case["data"])
        assert reply["valid"] is case["valid"], case["description"]
        assert (reply["findings"] == []) is case["valid"], (case["description"], reply)
        theirs = {pointer(e.absolute_path) for e in reference.iter_errors(case["data"])}
        assert {f[0] for f in reply["findings"]} == theirs, case["description"]


def test_at_least_90_percent_of_groups_compile_to_js(node_validators: Any) -> None:
    refused = []
    for name, group in GROUPS:
        try:
            node_validators.compile(group["schema"], resources=remotes())
        except SchemaError as exc:
            refused.append(f"{name}: {exc}")
    print(f"\n{len(GROUPS) - len(refused)}/{len(GROUPS)} groups compiled; refused:", *refused)
    assert len(GROUPS) >= 383
    assert (len(GROUPS) - len(refused)) / len(GROUPS) >= 0.90
