"""A `false` subschema under a keyword is reported where python-jsonschema reports it.

python-jsonschema yields a false schema's error without the step into it: the error sits at the
parent's instance path, with the schema path of the keyword that applied the false schema
(`/properties`, not `/properties/x`; for `then`/`else` and `$ref`, the schema holding them).
Findings are placed by the oracle's paths (design 3), so the compiled module must agree on both.
"""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from genspec.compiler import compile_schema, load_module

MANY = {f"p{n}": {"type": "string"} for n in range(12)}  # past the small-object inline limit

CASES: list[tuple[str, Any, Any]] = [
    ("properties", {"properties": {"x": False}}, {"x": 1}),
    ("properties dispatch table", {"properties": {"x": False, **MANY}}, {"x": 1, "p0": "a"}),
    ("closed object", {"properties": {"x": False}, "additionalProperties": False}, {"x": 1}),
    ("patternProperties", {"patternProperties": {"^a": False}}, {"ab": 1}),
    (
        "literal pattern in the member table",
        {"patternProperties": {"^a$": False}, "additionalProperties": False},
        {"a": 1},
    ),
    ("items", {"items": False}, [1, 2]),
    ("prefixItems", {"prefixItems": [True, False]}, [1, 2]),
    ("dependentSchemas", {"dependentSchemas": {"a": False}}, {"a": 1}),
    ("allOf", {"allOf": [True, False]}, 1),
    ("propertyNames", {"propertyNames": False}, {"a": 1}),
    ("then", {"if": True, "then": False}, 1),
    ("else", {"if": False, "else": False}, 1),
    (
        "$ref to false",
        {"$defs": {"n": False}, "properties": {"x": {"$ref": "#/$defs/n"}}},
        {"x": 1},
    ),
    (
        "$ref to false in the dispatch table",
        {"$defs": {"n": False}, "properties": {"x": {"$ref": "#/$defs/n"}, **MANY}},
        {"x": 1},
    ),
    (
        "chain of $refs to false under items",
        {"$defs": {"n": False, "m": {"$ref": "#/$defs/n"}}, "items": {"$ref": "#/$defs/m"}},
        [1, 2],
    ),
    (
        "rules sharing a condition",
        {
            "allOf": [
                {"if": {"required": ["a"]}, "then": False},
                {"if": {"required": ["a"]}, "then": {"properties": {"a": False}}},
            ]
        },
        {"a": 1},
    ),
    (
        "nested under items",
        {"properties": {"a": {"items": {"properties": {"b": False}}}}},
        {"a": [{"b": 1}, {"c": 2}, {"b": 3}]},
    ),
]


def _pointer(path: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@pytest.mark.parametrize(("schema", "instance"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_false_subschema_is_placed_as_the_oracle_places_it(schema: Any, instance: Any) -> None:
    oracle = sorted(
        (_pointer(e.absolute_path), _pointer(e.absolute_schema_path))
        for e in Draft202012Validator(schema).iter_errors(instance)
    )
    module = load_module(compile_schema(schema))
    ours = sorted((e.instance_path, e.schema_path) for e in module.validate(instance))
    assert oracle, "each case must fail"
    assert ours == oracle
    assert not module.is_valid(instance)
