"""Differential properties: the compiled request validator against python-jsonschema.

Bodies come from the strategies genspec renders for the spec (`valid_requests`, `violating`),
loaded in process from the current spec, so they always match it. python-jsonschema on the
same schema is the oracle for verdicts and for where errors are (instance paths).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from genspec.pointer import from_parts
from genspec.spec import load_schema
from genspec.strategies import strategy_for

SCHEMA = load_schema()
BUILT = strategy_for(SCHEMA)
VALIDATOR = BUILT.validator
STRATEGIES = BUILT.strategies
# python-jsonschema ignores x-advice, so on the published schema it judges validity; with the
# advice entries enforced as constraints it is the oracle for every finding validate() lists.
ORACLE = Draft202012Validator(SCHEMA)
_ADVISED = {k: v for k, v in SCHEMA.items() if k != "x-advice"}
FINDINGS_ORACLE = Draft202012Validator(
    {**_ADVISED, "allOf": [*SCHEMA.get("allOf", []), *SCHEMA.get("x-advice", [])]}
)
# Examples per rule: a tenth of the profile's budget (30 rules share it).
PER_RULE = max(5, settings.default.max_examples // 10)

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def pointer(path: Any) -> str:
    return from_parts(path)


def oracle_paths(instance: Any) -> set[str]:
    return {pointer(error.absolute_path) for error in FINDINGS_ORACLE.iter_errors(instance)}


def compiled_paths(instance: Any) -> set[str]:
    return {error.instance_path for error in VALIDATOR.validate(instance)}


def assert_same_findings(instance: Any) -> None:
    assert VALIDATOR.is_valid(instance) == ORACLE.is_valid(instance)
    assert (VALIDATOR.validate(instance) == []) == FINDINGS_ORACLE.is_valid(instance)
    assert compiled_paths(instance) == oracle_paths(instance)


@given(STRATEGIES.valid_requests())
def test_valid_requests_are_valid_for_both(body: dict[str, Any]) -> None:
    assert ORACLE.is_valid(body)
    assert VALIDATOR.is_valid(body)
    assert VALIDATOR.validate(body) == []


@pytest.mark.parametrize("rule_id", STRATEGIES.RULE_IDS)
def test_violating_breaks_exactly_that_rule(rule_id: str) -> None:
    # A near miss is a whole valid body plus one planted fault: its smallest form is not small.
    @settings(
        max_examples=PER_RULE,
        suppress_health_check=[
            HealthCheck.large_base_example,
            HealthCheck.data_too_large,
            HealthCheck.too_slow,
        ],
    )
    @given(STRATEGIES.violating(rule_id))
    def check(body: dict[str, Any]) -> None:
        assert not FINDINGS_ORACLE.is_valid(body)
        errors = VALIDATOR.validate(body)
        assert errors, "the near miss passed the compiled validator"
        assert {error.rule_id for error in errors} == {rule_id}
        assert {error.instance_path for error in errors} == oracle_paths(body)

    check()


def mutations(body: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """One member of `body` removed, replaced or added (names from the body and the spec)."""
    names = sorted({*body, *SCHEMA["properties"], "styleUUID", "contextImages", "unknown"})

    def replaced(name: str, value: Any) -> dict[str, Any]:
        return {**body, name: value}

    removed = st.sampled_from(sorted(body)).map(
        lambda name: {k: v for k, v in body.items() if k != name}
    )
    return removed | st.builds(replaced, st.sampled_from(names), JSON_VALUES)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(STRATEGIES.valid_requests().flatmap(mutations))
def test_one_field_mutations_agree_with_the_oracle(body: dict[str, Any]) -> None:
    assert_same_findings(body)


@given(JSON_VALUES)
def test_arbitrary_json_agrees_with_the_oracle(instance: Any) -> None:
    assert_same_findings(instance)


@given(st.dictionaries(st.sampled_from(sorted(SCHEMA["properties"])), JSON_VALUES, max_size=6))
def test_objects_of_spec_members_agree_with_the_oracle(instance: dict[str, Any]) -> None:
    assert_same_findings({"prompt": "a cat", **instance})
