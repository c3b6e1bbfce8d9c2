"""Differential properties: the compiled request validator against python-jsonschema.

Bodies come from genspec's strategy runtime on the current spec (`valid_requests`,
`violating`), which never consults a validator. Whatever the code under test is, it never
chooses its inputs: draws are kept or dropped by python-jsonschema alone, then compared.
python-jsonschema on the published schema is the oracle for verdicts and error places; on each
advice subschema (`x-advice`, which plain validators ignore) it is the oracle for warnings.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import Oracle

from genspec.compiler import compile_schema, load_module
from genspec.spec import load_schema
from genspec.strategies import strategy_for

SCHEMA = load_schema()
BUILT = strategy_for(SCHEMA)
VALIDATOR = BUILT.validator
STRATEGIES = BUILT.strategies
ORACLE = Oracle(SCHEMA)
# Examples per rule: a tenth of the profile's budget (the rules share it).
PER_RULE = max(5, settings.default.max_examples // 10)
NEAR_MISS = settings(
    max_examples=PER_RULE,
    # A near miss is a whole valid body plus one planted fault: its smallest form is not small.
    suppress_health_check=[
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
        HealthCheck.too_slow,
    ],
)

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


# The layout meant for a mypyc build, interpreted (tests/native runs the built one): the same
# oracle decides it.
NATIVE_LAYOUT = load_module(compile_schema(SCHEMA, native=True), "genspec_native_layout")


def errors_of(instance: Any, validator: Any = VALIDATOR) -> list[Any]:
    return [e for e in validator.validate(instance) if e.rule_id not in ORACLE.advice]


def assert_same_findings(instance: Any) -> None:
    """Same verdict, same error places, and the same advice, as python-jsonschema says."""
    verdict = ORACLE.is_valid(instance)
    for validator in (VALIDATOR, NATIVE_LAYOUT):
        assert validator.is_valid(instance) == verdict
        errors = errors_of(instance, validator)
        assert (errors == []) == verdict
        assert {e.instance_path for e in errors} == ORACLE.error_paths(instance)
        warnings = [e for e in validator.validate(instance) if e.rule_id in ORACLE.advice]
        assert all(e.severity == "warning" for e in warnings)
        assert {(e.rule_id, e.instance_path) for e in warnings} == ORACLE.advice_findings(instance)


@given(STRATEGIES.valid_requests().filter(ORACLE.is_valid))
def test_valid_requests_are_valid_for_both(body: dict[str, Any]) -> None:
    assert VALIDATOR.is_valid(body)
    assert errors_of(body) == []
    assert_same_findings(body)


ERROR_RULES = [rule for rule in ORACLE.rules if rule not in ORACLE.advice]


@pytest.mark.parametrize("rule_id", ERROR_RULES)
def test_violating_breaks_exactly_that_rule(rule_id: str) -> None:
    # Kept only when python-jsonschema rejects the body and accepts it once that rule is gone.
    @NEAR_MISS
    @given(STRATEGIES.violating(rule_id).filter(lambda body: ORACLE.breaks_only(body, rule_id)))
    def check(body: dict[str, Any]) -> None:
        errors = errors_of(body)
        assert errors, "the near miss passed the compiled validator"
        assert not VALIDATOR.is_valid(body)
        assert {error.rule_id for error in errors} == {rule_id}
        assert {error.instance_path for error in errors} == ORACLE.error_paths(body)

    check()


@pytest.mark.parametrize("rule_id", sorted(ORACLE.advice))
def test_violating_an_advice_rule_is_accepted_with_that_warning(rule_id: str) -> None:
    @NEAR_MISS
    @given(
        STRATEGIES.violating(rule_id).filter(
            lambda body: ORACLE.is_valid(body) and rule_id in ORACLE.advice_broken(body)
        )
    )
    def check(body: dict[str, Any]) -> None:
        assert VALIDATOR.is_valid(body)
        findings = VALIDATOR.validate(body)
        assert rule_id in {e.rule_id for e in findings if e.severity == "warning"}
        assert_same_findings(body)

    check()


def numbers_in(schema: Any) -> set[int | float]:
    """Every number the schema writes (bounds, enum members, consts)."""
    if isinstance(schema, dict):
        return set().union(*(numbers_in(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(numbers_in(value) for value in schema))
    is_number = isinstance(schema, (int, float)) and not isinstance(schema, bool)
    return {schema} if is_number else set()


def edges(schema: Any) -> list[int | float]:
    """The numbers `schema` writes and their neighbours: where an off-by-one bound shows."""
    return sorted({n + step for n in numbers_in(schema) for step in (-1, 0, 1)})


MEMBER_EDGES = {
    name: edges(member) for name, member in SCHEMA["properties"].items() if numbers_in(member)
}


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


@pytest.mark.parametrize("name", sorted(MEMBER_EDGES))
def test_members_at_their_edges_agree_with_the_oracle(name: str) -> None:
    @NEAR_MISS
    @given(STRATEGIES.valid_requests(), st.sampled_from(MEMBER_EDGES[name]))
    def check(body: dict[str, Any], value: int | float) -> None:
        assert_same_findings({**body, name: value})

    check()
