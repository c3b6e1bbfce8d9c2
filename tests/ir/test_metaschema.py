"""The meta-schema check: the flattened 2020-12 meta-schema judges exactly as the shipped one,
and a document checked in bounded-depth pieces reports the same place and message."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from genspec import ir
from genspec.ir import SchemaError, check_metaschema

# $JSON_SCHEMA_TEST_SUITE, else ../shared beside the checkout (where CI puts it).
SUITE = Path(
    os.environ.get("JSON_SCHEMA_TEST_SUITE")
    or Path(__file__).resolve().parents[3] / "shared" / "json-schema-test-suite"
)

BROKEN: list[Any] = [
    {"type": 5},
    {"type": "integr"},
    {"properties": {"a": {"minLength": -1}}},
    {"allOf": []},
    {"items": [{}]},
    {"$defs": {"a": {"enum": 5}}},
    {"dependencies": {"a": 5}},
    {"$anchor": "1bad"},
    {"required": ["a", "a"]},
    {"prefixItems": [{"maxItems": 1.5}]},
    {"not": {"if": {"then": {"contains": {"minContains": "1"}}}}},
    {"patternProperties": {"^a": {"dependentRequired": {"b": [1]}}}},
    {"unevaluatedProperties": {"$id": "#frag"}},
    {"contentSchema": {"type": 3}},
    {"$defs": {"x": {"$ref": 5}}},
]


def shipped_verdict(schema: Any) -> tuple[str, str] | None:
    error = best_match(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema))
    if error is None:
        return None
    return "".join(f"/{part}" for part in error.absolute_path), error.message


@pytest.mark.parametrize("schema", BROKEN, ids=lambda s: json.dumps(s)[:40])
def test_same_place_and_message_as_the_shipped_meta_schema(schema: Any) -> None:
    expected = shipped_verdict(schema)
    assert expected is not None
    with pytest.raises(SchemaError) as refused:
        check_metaschema(schema)
    assert (refused.value.path, refused.value.reason) == (
        expected[0],
        f"not a valid draft 2020-12 schema: {expected[1]}",
    )


def test_the_flattened_meta_schema_is_used_and_agrees_on_the_official_suite() -> None:
    flat = ir._flat_metaschema()
    assert flat is not Draft202012Validator.META_SCHEMA  # else the speed-up silently went away
    assert "allOf" not in flat and '"$dynamicRef": "#meta"' not in json.dumps(flat)
    if not SUITE.is_dir():
        pytest.skip(f"JSON-Schema-Test-Suite not found at {SUITE}: set JSON_SCHEMA_TEST_SUITE")
    shipped = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    ours = Draft202012Validator(flat)
    checked = 0
    for path in sorted((SUITE / "tests" / "draft2020-12").rglob("*.json")):
        for group in json.loads(path.read_text(encoding="utf-8")):
            # every schema, and every instance (the meta-schema tests use instances as schemas)
            for document in [group["schema"], *(test["data"] for test in group["tests"])]:
                assert ours.is_valid(document) is shipped.is_valid(document), (path, document)
                checked += 1
    assert checked > 1000


def nested_not(levels: int, leaf: Any) -> Any:
    schema = leaf
    for _ in range(levels):
        schema = {"not": schema}
    return schema


@pytest.mark.parametrize("levels", [15, 16, 17, 40, 200])
def test_an_error_deep_down_is_placed_exactly(levels: int) -> None:
    """Pieces are cut every few levels: an error on either side of a cut keeps its full path."""
    with pytest.raises(SchemaError) as refused:
        check_metaschema(nested_not(levels, {"minLength": -1}))
    assert refused.value.path == "/not" * levels + "/minLength"


def test_the_shallowest_error_is_reported_as_best_match_would() -> None:
    schema = {"allOf": [nested_not(40, {"type": 5})], "minimum": "0"}
    with pytest.raises(SchemaError) as refused:
        check_metaschema(schema)
    assert refused.value.path == "/minimum"


def test_a_valid_deep_schema_passes() -> None:
    check_metaschema(nested_not(254, {"type": "integer"}))
