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

from genspec.compiler import compile_schema, load_module
from genspec.strategies import strategy_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

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


def leaf_schemas() -> st.SearchStrategy[Any]:
    types = st.sampled_from(["null", "boolean", "integer", "number", "string", "array", "object"])
    return st.one_of(
        st.booleans(),
        st.builds(
            lambda t: {"type": t}, types | st.lists(types, min_size=1, max_size=3, unique=True)
        ),
        st.builds(lambda v: {"enum": v}, st.lists(SCALARS, min_size=1, max_size=4)),
        st.builds(lambda v: {"const": v}, SCALARS),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
            st.integers(-5, 5),
        ),
        st.builds(lambda n: {"multipleOf": n}, st.integers(1, 4)),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(
                ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]
            ),
            SIZES,
        ),
        st.builds(lambda p: {"pattern": p}, PATTERNS),
        st.just({"uniqueItems": True}),
        st.builds(lambda names: {"required": names}, st.lists(NAMES, max_size=3, unique=True)),
        st.builds(
            lambda d: {"dependentRequired": d},
            st.dictionaries(NAMES, st.lists(NAMES, max_size=2, unique=True), max_size=2),
        ),
    )


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
    SCALARS | st.floats(allow_nan=False, allow_infinity=False, width=32),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=3),
    max_leaves=6,
)


def unevaluated(schema: Any) -> bool:
    return "unevaluated" in repr(schema)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(SCHEMAS, st.lists(INSTANCES, min_size=1, max_size=5))
def test_random_schema_verdicts_agree_with_the_oracle(schema: Any, instances: list[Any]) -> None:
    validator = load_module(compile_schema(schema))
    oracle = Draft202012Validator(schema)
    for instance in instances:
        assert validator.is_valid(instance) == oracle.is_valid(instance), instance
        assert (validator.validate(instance) == []) == validator.is_valid(instance)


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
