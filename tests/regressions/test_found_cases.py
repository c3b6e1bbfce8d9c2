"""Examples the fuzzers or reviews found once, kept as explicit checks against the oracle.

Add a case here (schema, instance) whenever a `deep` run or a bug report finds a disagreement.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from genspec.compiler import compile_schema, load_module

CASES: list[tuple[str, Any, Any]] = [
    # `^name$` patterns compile to a set lookup; Python's `$` also matches before a final
    # newline, so "a\n" must still match (python-jsonschema uses `re.search`).
    ("literal pattern and trailing newline", {"patternProperties": {"^a$": False}}, {"a\n": 1}),
    (
        "literal pattern beside a property",
        {
            "properties": {"a": {"type": "string"}},
            "patternProperties": {"^a$": {"minLength": 2}},
            "additionalProperties": False,
        },
        {"a": "x"},
    ),
    # Enum split by JSON kind: 1 and 1.0 are equal, true is not 1.
    ("enum numbers and booleans", {"enum": [1, "1", None]}, True),
    ("enum integral float", {"enum": [1, "1", None]}, 1.0),
    # A bare $ref is its target; sibling rules share one hoisted condition.
    (
        "shared rule condition",
        {
            "$defs": {"c": {"required": ["a"]}},
            "allOf": [
                {"if": {"$ref": "#/$defs/c"}, "then": {"required": ["b"]}},
                {"if": {"$ref": "#/$defs/c"}, "then": {"required": ["c"]}},
            ],
        },
        {"a": 1, "b": 2},
    ),
    # Closed objects: the set comparison must not reject a pattern-matched member.
    (
        "closed object with regex pattern",
        {
            "properties": {"a": True},
            "patternProperties": {"^x-": True},
            "additionalProperties": False,
        },
        {"a": 1, "x-y": 2},
    ),
    # A conditional expression inside a generator's `if` needs its parentheses (a random-schema
    # run found `sum(1 for _item in x if False if False else False)`, a SyntaxError).
    (
        "if/then/else under minContains",
        {"contains": {"if": False, "then": False, "else": False}, "minContains": 2},
        [1, 2],
    ),
    (  # the same, long enough for genspec.pylayout to break it (it dropped the parentheses)
        "long if/then/else under minContains",
        {"contains": {"if": False, "then": False, "else": {"minimum": 0}}, "minContains": 1},
        [-1, 2],
    ),
    # NaN (json.loads reads `NaN`) fails no comparison: it passes every bound, as in
    # python-jsonschema, whether the bound is a statement (`if x < 1`) or inline (`not x < 1`).
    ("NaN and minimum", {"minimum": 1}, math.nan),
    ("NaN and an inline member bound", {"properties": {"a": {"maximum": 4.5}}}, {"a": math.nan}),
    (
        "NaN in a rule's condition",
        {
            "if": {"properties": {"h": {"exclusiveMinimum": 768}}, "required": ["h"]},
            "then": {"required": ["x"]},
        },
        {"h": math.nan},
    ),
    (
        "if/then/else under unevaluatedProperties",
        {"unevaluatedProperties": {"if": {"type": "string"}, "then": False, "else": True}},
        {"a": 1},
    ),
]


@pytest.mark.parametrize(("schema", "instance"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
@pytest.mark.parametrize("layout", ["python", "native"])
def test_compiled_validator_agrees_with_the_oracle(schema: Any, instance: Any, layout: str) -> None:
    module = load_module(compile_schema(schema, native=layout == "native"))
    oracle = Draft202012Validator(schema)
    assert module.is_valid(instance) is oracle.is_valid(instance)
    assert (module.validate(instance) == []) is oracle.is_valid(instance)


def test_merged_rule_walks_keep_every_rule() -> None:
    # Rules sharing a condition are checked with their `then`s merged into one walk of the
    # array; each rule must still bite on its own.
    item_rule = {"if": {"required": ["k"]}, "then": {"required": ["v"]}}
    other_rule = {"if": {"required": ["v"]}, "then": {"properties": {"v": {"type": "integer"}}}}
    schema = {
        "$defs": {"has": {"required": ["xs"]}},
        "allOf": [
            {"if": {"$ref": "#/$defs/has"}, "then": {"properties": {"xs": {"items": item_rule}}}},
            {"if": {"$ref": "#/$defs/has"}, "then": {"properties": {"xs": {"items": other_rule}}}},
        ],
    }
    module = load_module(compile_schema(schema))
    oracle = Draft202012Validator(schema)
    for instance in (
        {"xs": [{"k": 1, "v": 2}]},
        {"xs": [{"k": 1}]},
        {"xs": [{"v": "s"}]},
        {"xs": [{}, {"k": 1, "v": 1.5}]},
        {"ys": [{"k": 1}]},
    ):
        assert module.is_valid(instance) is oracle.is_valid(instance), instance
        assert (module.validate(instance) == []) is oracle.is_valid(instance), instance
