"""Every curated example through the compiled validator, against spec/examples/expected.toml.

The spec tests check the examples with python-jsonschema; these check that genspec's compiled
validator finds exactly the listed findings ((rule id, or keyword for a plain schema error;
instance path) pairs, errors and warnings), that valid and official examples get no error the
file does not list, and that on every example the verdict and error places are python-jsonschema's
on the published schema (so the schema can be used without genspec) and the warnings are
python-jsonschema's on each x-advice subschema.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import astuple
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
NATIVE_LAYOUT = load_module(compile_schema(SCHEMA, native=True), "genspec_examples_native")
ORACLE = Oracle(SCHEMA)


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def entry_for(path: Path) -> dict[str, Any]:
    """The example's expected.toml entry (official/ ones under [official.<stem>]); {}: none."""
    table = EXPECTED.get("official", {}) if path.parent.name == "official" else EXPECTED
    found = table.get(path.stem, {})
    return found if isinstance(found, dict) else {}


def findings(body: Any, severity: str | None = None) -> set[tuple[str, str]]:
    return {
        (e.rule_id or e.keyword, e.instance_path)
        for e in VALIDATOR.validate(body)
        if severity in (None, e.severity)
    }


def listed(entry: dict[str, Any], key: str) -> set[tuple[str, str]]:
    return {(item["rule"], item["path"]) for item in entry.get(key, [])}


def example_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_the_examples_are_there() -> None:
    assert len(VALID) >= 30 and len(INVALID) >= 60


@pytest.mark.parametrize("path", [*VALID, *INVALID], ids=example_id)
def test_example_gets_exactly_the_listed_findings(path: Path) -> None:
    body, entry = load(path), entry_for(path)
    assert findings(body) == listed(entry, "errors") | listed(entry, "warnings")
    assert listed(entry, "warnings") <= findings(body, "warning")
    if path in INVALID:
        assert listed(entry, "errors"), f"expected.toml lists no error for {example_id(path)}"


@pytest.mark.parametrize("path", [*VALID, *INVALID], ids=example_id)
def test_native_layout_reports_the_same_findings(path: Path) -> None:
    # The source a `--target native` build compiles, interpreted: finding for finding the same.
    body = load(path)
    assert NATIVE_LAYOUT.is_valid(body) is VALIDATOR.is_valid(body)
    for advice in (True, False):
        ours = [astuple(e) for e in NATIVE_LAYOUT.validate(body, advice=advice)]
        assert ours == [astuple(e) for e in VALIDATOR.validate(body, advice=advice)]


@pytest.mark.parametrize("path", VALID, ids=example_id)
def test_valid_example_gets_no_error_unless_listed(path: Path) -> None:
    body = load(path)
    assert findings(body, "error") <= listed(entry_for(path), "errors")
    assert VALIDATOR.is_valid(body) == (findings(body, "error") == set())


@pytest.mark.parametrize("path", [*VALID, *INVALID], ids=example_id)
def test_example_verdict_and_advice_agree_with_python_jsonschema(path: Path) -> None:
    body = load(path)
    assert VALIDATOR.is_valid(body) == ORACLE.is_valid(body)
    errors = {e.instance_path for e in VALIDATOR.validate(body) if e.rule_id not in ORACLE.advice}
    assert errors == ORACLE.error_paths(body)
    warnings = [e for e in VALIDATOR.validate(body) if e.rule_id in ORACLE.advice]
    assert {(e.rule_id, e.instance_path) for e in warnings} == ORACLE.advice_findings(body)
