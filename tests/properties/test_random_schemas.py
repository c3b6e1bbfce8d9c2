"""Random schemas from the compiler's keyword set, with hostile strings, against the oracle.

Each example draws a schema (nested, with combinators, `$ref`s into `$defs` and names, enum
values and patterns that are hostile to code generation), compiles it and renders its
strategies in process, then compares verdicts with python-jsonschema on arbitrary instances
and on instances the rendered strategies construct. Float `multipleOf` divisors are left out:
the compiler's exact decimal semantics differ from python-jsonschema's float division on
purpose (see test_float_multiple_of_uses_exact_decimals).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from genspec.compiler import compile_schema, load_module
from genspec.ir import BOUND_KEYWORDS, SIZE_KEYWORDS
from genspec.pointer import from_parts
from genspec.strategies import strategy_for

HOSTILE = [
    '"', "'", "'''", '"""', "\\", "\\n", "\n", "\r", "\u2028", "\u2029", "\x00", "class",
    "def", "import", "None", "lambda", "{x}", "{{", "%s", "~0/~1", "a b", "é", "__init__",
    "') or True or ('",
]  # fmt: skip
NAMES = st.sampled_from(HOSTILE) | st.text(max_size=4)
PATTERNS = st.sampled_from(HOSTILE).map(re.escape) | st.sampled_from(
    ["^a", "b$", "[0-9]+", "^$", "."]
)
SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(HOSTILE)
SIZES = st.integers(0, 3)
# Within +-2**53 a float is the decimal it prints as, where exact multipleOf and
# python-jsonschema's float arithmetic agree (beyond it they differ on purpose: README).
FLOATS = st.floats(
    allow_nan=False, allow_infinity=False, width=32, min_value=-(2.0**53), max_value=2.0**53
)


TYPES = st.sampled_from(["null", "boolean", "integer", "number", "string", "array", "object"])
# One strategy per assertion keyword, so each keyword's emitter can be fuzzed on its own.
KEYWORD_SCHEMAS: dict[str, st.SearchStrategy[Any]] = {
    "type": st.builds(
        lambda t: {"type": t}, TYPES | st.lists(TYPES, min_size=1, max_size=3, unique=True)
    ),
    "enum": st.builds(lambda v: {"enum": v}, st.lists(SCALARS, min_size=1, max_size=4)),
    "const": st.builds(lambda v: {"const": v}, SCALARS),
    **{
        name: st.builds(lambda n, name=name: {name: n}, st.integers(-5, 5))
        for name in BOUND_KEYWORDS
    },
    "multipleOf": st.builds(lambda n: {"multipleOf": n}, st.integers(1, 4)),
    **{name: st.builds(lambda n, name=name: {name: n}, SIZES) for name in SIZE_KEYWORDS},
    "pattern": st.builds(lambda p: {"pattern": p}, PATTERNS),
    "uniqueItems": st.just({"uniqueItems": True}),
    "required": st.builds(lambda n: {"required": n}, st.lists(NAMES, max_size=3, unique=True)),
    "dependentRequired": st.builds(
        lambda d: {"dependentRequired": d},
        st.dictionaries(NAMES, st.lists(NAMES, max_size=2, unique=True), max_size=2),
    ),
}


def leaf_schemas() -> st.SearchStrategy[Any]:
    return st.one_of(st.booleans(), *KEYWORD_SCHEMAS.values())


def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    lists = st.lists(inner, min_size=1, max_size=3)
    return st.one_of(
        st.builds(lambda d: {"properties": d}, st.dictionaries(NAMES, inner, max_size=3)),
        st.builds(lambda d: {"patternProperties": d}, st.dictionaries(PATTERNS, inner, max_size=2)),
        st.builds(lambda s: {"additionalProperties": s}, inner),
        st.builds(lambda s: {"propertyNames": s}, inner),
        st.builds(lambda d: {"dependentSchemas": d}, st.dictionaries(NAMES, inner, max_size=2)),
        st.builds(lambda s: {"items": s}, inner),
        st.builds(lambda s: {"prefixItems": s}, lists),
        st.builds(lambda s, n: {"contains": s, "minContains": n}, inner, SIZES),
        st.builds(lambda s: {"allOf": s}, lists),
        st.builds(lambda s: {"anyOf": s}, lists),
        st.builds(lambda s: {"oneOf": s}, lists),
        st.builds(lambda s: {"not": s}, inner),
        st.builds(lambda a, b, c: {"if": a, "then": b, "else": c}, inner, inner, inner),
        st.builds(
            lambda a, b: {**a, **b},
            inner.filter(lambda s: isinstance(s, dict)),
            inner.filter(lambda s: isinstance(s, dict)),
        ),
        st.just({"$ref": "#/$defs/shared"}),
    )


SUBSCHEMAS = st.recursive(leaf_schemas(), extend, max_leaves=8)
SCHEMAS = st.builds(
    lambda body, shared: {**body, "$defs": {"shared": shared}} if isinstance(body, dict) else body,
    SUBSCHEMAS,
    leaf_schemas(),
)
INSTANCES = st.recursive(
    SCALARS | FLOATS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=3),
    max_leaves=6,
)


def schema_literals(schema: Any) -> list[Any]:
    """Numbers and strings written in a schema: where off-by-one and equality bugs live."""
    found: list[Any] = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.append(key)
            found.extend(schema_literals(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(schema_literals(value))
    elif isinstance(schema, str) or (isinstance(schema, int) and not isinstance(schema, bool)):
        found.append(schema)
    return found


def instances_near(schema: Any) -> st.SearchStrategy[Any]:
    """Arbitrary JSON, plus the schema's own literals and the numbers next to them."""
    nearby = [
        near
        for value in schema_literals(schema)
        for near in (
            [value - 1, value, value + 1, float(value)] if isinstance(value, int) else [value]
        )
    ]
    leaves = SCALARS | FLOATS
    if nearby:
        leaves = leaves | st.sampled_from(nearby)
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                NAMES | st.sampled_from([v for v in nearby if isinstance(v, str)] or ["k"]),
                inner,
                max_size=3,
            )
        ),
        max_leaves=6,
    )


def unevaluated(schema: Any) -> bool:
    return "unevaluated" in repr(schema)


@pytest.mark.parametrize("layout", ["python", "native"])
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(SCHEMAS, st.data())
def test_random_schema_verdicts_agree_with_the_oracle(
    layout: str, schema: Any, data: st.DataObject
) -> None:
    # "native": the layout meant for a mypyc build, interpreted (tests/native builds it).
    validator = load_module(compile_schema(schema, native=layout == "native"))
    oracle = Draft202012Validator(schema)
    instances = data.draw(st.lists(instances_near(schema), min_size=1, max_size=8))
    for instance in instances:
        assert validator.is_valid(instance) == oracle.is_valid(instance), instance
        ours = {e.instance_path for e in validator.validate(instance)}
        theirs = {pointer(e.absolute_path) for e in oracle.iter_errors(instance)}
        assert ours == theirs, (schema, instance)


@pytest.mark.parametrize("keyword", sorted(KEYWORD_SCHEMAS))
@given(data=st.data())
def test_each_assertion_keyword_agrees_with_the_oracle_at_its_edges(
    keyword: str, data: st.DataObject
) -> None:
    # A keyword alone at the top, and instances at and around the values it names: an
    # off-by-one or inverted emitter shows up here first.
    schema = data.draw(KEYWORD_SCHEMAS[keyword])
    validator = load_module(compile_schema(schema))
    oracle = Draft202012Validator(schema)
    for instance in data.draw(st.lists(instances_near(schema), min_size=1, max_size=8)):
        assert validator.is_valid(instance) == oracle.is_valid(instance), (schema, instance)
        ours = {e.instance_path for e in validator.validate(instance)}
        theirs = {pointer(e.absolute_path) for e in oracle.iter_errors(instance)}
        assert ours == theirs, (schema, instance)


def pointer(path: Any) -> str:
    return from_parts(path)


@settings(suppress_health_check=list(HealthCheck))
@given(SCHEMAS, st.data())
def test_random_schema_strategies_construct_valid_instances(
    schema: Any, data: st.DataObject
) -> None:
    built = strategy_for(schema)
    instance = data.draw(built.strategies.valid_requests())
    assert Draft202012Validator(schema).is_valid(instance)
    assert built.validator.is_valid(instance)


def test_float_multiple_of_uses_exact_decimals() -> None:
    """The documented difference: 0.3 is a multiple of 0.1 here, not for python-jsonschema."""
    schema = {"multipleOf": 0.1}
    validator = load_module(compile_schema(schema))
    assert validator.is_valid(0.3)
    assert not Draft202012Validator(schema).is_valid(0.3)
