"""Every curated example through the compiled validator, against spec/examples/expected.toml.

The spec tests check the examples with python-jsonschema; these check that genspec's compiled
validator finds exactly the same: for an invalid example the listed (rule id, or keyword for
a plain schema error; instance path) pairs, for a valid one no error, and on every example the
same verdict as python-jsonschema on the published schema (so the schema can be used without
genspec) and the same advice as python-jsonschema on each x-advice subschema.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from oracle import Oracle

from genspec.compiler import compile_schema, load_module
from genspec.spec import load_schema, spec_dir

EXAMPLES = spec_dir() / "examples"
EXPECTED: dict[str, Any] = tomllib.loads((EXAMPLES / "expected.toml").read_text("utf-8"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.json"))
# Everything else under examples/ (valid/, official/, ...) is a body the API accepts.
VALID = sorted(set(EXAMPLES.rglob("*.json")) - set(INVALID))
SCHEMA = load_schema()
VALIDATOR = load_module(compile_schema(SCHEMA), "genspec_examples_validator")
ORACLE = Oracle(SCHEMA)


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def findings(body: Any) -> set[tuple[str, str]]:
    return {(e.rule_id or e.keyword, e.instance_path) for e in VALIDATOR.validate(body)}


def listed(entry: dict[str, Any], key: str) -> set[tuple[str, str]]:
    return {(item["rule"], item["path"]) for item in entry.get(key, [])}


def test_the_examples_are_there() -> None:
    assert len(VALID) >= 30 and len(INVALID) >= 60


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.stem)
def test_invalid_example_gets_exactly_the_listed_findings(path: Path) -> None:
    body, entry = load(path), EXPECTED[path.stem]
    expected = listed(entry, "errors") | listed(entry, "warnings")
    assert expected, f"expected.toml lists nothing for {path.stem}"
    assert findings(body) == expected
    warnings = [e for e in VALIDATOR.validate(body) if e.severity == "warning"]
    assert listed(entry, "warnings") <= {(e.rule_id, e.instance_path) for e in warnings}
    assert VALIDATOR.is_valid(body) == ORACLE.is_valid(body)


@pytest.mark.parametrize("path", VALID, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_valid_example_gets_no_error(path: Path) -> None:
    body = load(path)
    assert [e for e in VALIDATOR.validate(body) if e.severity == "error"] == []
    assert VALIDATOR.is_valid(body)
    assert ORACLE.is_valid(body)


@pytest.mark.parametrize("path", [*VALID, *INVALID], ids=lambda path: path.stem)
def test_example_verdict_and_advice_agree_with_python_jsonschema(path: Path) -> None:
    body = load(path)
    assert VALIDATOR.is_valid(body) == ORACLE.is_valid(body)
    warnings = [e for e in VALIDATOR.validate(body) if e.rule_id in ORACLE.advice]
    assert {(e.rule_id, e.instance_path) for e in warnings} == ORACLE.advice_findings(body)
