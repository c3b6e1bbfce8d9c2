"""The endpoint spec itself: schema well-formedness, rule annotations, and the worked examples.

Every example under spec/examples/ is classified by python-jsonschema (the reference
implementation) and must match spec/examples/expected.toml exactly, so a rule that stops
firing, fires too often, or reports at another place fails here.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft202012Validator

from genspec.ir import SUPPORTED_KEYWORDS, lower
from genspec.spec import (
    REQUEST_SCHEMA,
    RESPONSE_SCHEMA,
    SEVERITIES,
    Rule,
    default_readme_path,
    enclosing_rule_id,
    iter_rules,
    load_schema,
    readme_rules_section,
    rule_table_markdown,
    spec_dir,
    with_rules_table,
)

# The 49 body members of Leonardo's OpenAPI document (and of its SDK), written out by hand so
# that a member dropped from or added to the schema by accident fails the test.
DOCUMENTED_MEMBERS = frozenset(
    [
        "alchemy",
        "canvasInitId",
        "canvasMaskId",
        "canvasRequest",
        "canvasRequestType",
        "contrast",
        "contrastRatio",
        "controlNet",
        "controlNetType",
        "controlnets",
        "elements",
        "enhancePrompt",
        "enhancePromptInstruction",
        "expandedDomain",
        "fantasyAvatar",
        "guidance_scale",
        "height",
        "highContrast",
        "highResolution",
        "imagePromptWeight",
        "imagePrompts",
        "init_generation_image_id",
        "init_image_id",
        "init_strength",
        "modelId",
        "negative_prompt",
        "num_images",
        "num_inference_steps",
        "photoReal",
        "photoRealStrength",
        "photoRealVersion",
        "presetStyle",
        "prompt",
        "promptMagic",
        "promptMagicStrength",
        "promptMagicVersion",
        "public",
        "scheduler",
        "sd_version",
        "seed",
        "tiling",
        "transparency",
        "ultra",
        "unzoom",
        "unzoomAmount",
        "upscaleRatio",
        "userElements",
        "weighting",
        "width",
    ]
)
DOCUMENTED_DEFAULTS = {
    "alchemy": True,
    "height": 768,
    "width": 1024,
    "modelId": "b24e16ff-06e3-43eb-8d33-4416c2d75876",
    "num_images": 4,
    "presetStyle": "DYNAMIC",
}
DEPRECATED_MEMBERS = {"controlNet", "controlNetType", "weighting"}
NOT_NULLABLE = {"prompt", "scheduler", "sd_version", "controlNetType"}
# Keys Leonardo's guides send although the OpenAPI document lacks them (see the schema's
# description): accepted, typed, and nothing else.
GUIDE_KEYS = {"styleUUID", "contextImages", "isInitImage"}

RULE_FIELDS = {"id", "severity", "message", "source", "reference"}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

EXAMPLES = spec_dir() / "examples"
VALID_FILES = sorted((EXAMPLES / "valid").glob("*.json"))
INVALID_FILES = sorted((EXAMPLES / "invalid").glob("*.json"))


@pytest.fixture(scope="module")
def schema() -> Any:
    """The request schema with its x-advice entries enforced as root allOf constraints.

    expected.toml lists warnings too (python-jsonschema itself ignores x-advice), so the
    examples are classified against this view; the advice entries keep their order after the
    constraints, as in the document.
    """
    document = load_schema(REQUEST_SCHEMA)
    advice = document.pop("x-advice", [])
    return {**document, "allOf": [*document.get("allOf", []), *advice]}


@pytest.fixture(scope="module")
def response_schema() -> Any:
    return load_schema(RESPONSE_SCHEMA)


@pytest.fixture(scope="module")
def validator(schema: Any) -> Draft202012Validator:
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def rules(schema: Any) -> list[Rule]:
    return list(iter_rules(schema))


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return tomllib.loads((EXAMPLES / "expected.toml").read_text(encoding="utf-8"))


def load_example(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def error_key(schema: Any, error: jsonschema.ValidationError) -> tuple[str, str]:
    """(rule id or failing keyword, JSON Pointer of the instance location) for one error."""
    rule_id = enclosing_rule_id(schema, list(error.absolute_schema_path))
    path = "".join(f"/{step}" for step in error.absolute_path)
    return (rule_id or str(error.validator), path)


def classify(schema: Any, validator: Draft202012Validator, body: Any) -> set[tuple[str, str]]:
    return {error_key(schema, error) for error in validator.iter_errors(body)}


def rule_entries(schema: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(x-rule annotation, the allOf entry carrying it) for every rule."""
    for entry in schema["allOf"]:
        yield entry["x-rule"], entry


# --- the schemas ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [REQUEST_SCHEMA, RESPONSE_SCHEMA])
def test_schema_passes_the_2020_12_meta_schema(name: str) -> None:
    document = load_schema(name)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("name", [REQUEST_SCHEMA, RESPONSE_SCHEMA])
def test_schema_compiles_with_genspecs_compiler(name: str) -> None:
    # The compiler refuses every keyword it does not implement (tests/test_compiler.py).
    lower(load_schema(name))


def test_body_members_are_exactly_the_49_documented(schema: Any) -> None:
    assert len(DOCUMENTED_MEMBERS) == 49
    assert set(schema["properties"]) == DOCUMENTED_MEMBERS
    assert schema["required"] == ["prompt"]
    assert schema["additionalProperties"] is False


def test_guide_only_keys_are_accepted_by_exact_name_only(schema: Any) -> None:
    patterns = schema["patternProperties"]
    assert {pattern.strip("^$") for pattern in patterns} == GUIDE_KEYS
    for pattern in patterns:
        assert re.fullmatch(r"\^[A-Za-z]+\$", pattern), pattern
    validator = Draft202012Validator(schema)
    assert not validator.is_valid({"prompt": "x", "styleUUIDs": "a"})
    assert not validator.is_valid({"prompt": "x", "xstyleUUID": "a"})


def test_every_property_has_a_description(schema: Any) -> None:
    def described(node: Any, pointer: str) -> Iterator[str]:
        for name, sub in node.get("properties", {}).items():
            if not sub.get("description", "").strip():
                yield f"{pointer}/properties/{name}"

    missing = list(described(schema, ""))
    for name, sub in schema["patternProperties"].items():
        if not sub.get("description", "").strip():
            missing.append(f"/patternProperties/{name}")
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object":  # item schemas; the rest are rule conditions
            missing.extend(described(definition, f"/$defs/{name}"))
    assert missing == []


def test_documented_defaults(schema: Any) -> None:
    members = schema["properties"]
    assert {name: sub["default"] for name, sub in members.items() if "default" in sub} == (
        DOCUMENTED_DEFAULTS
    )
    # prompt is required, so a default could only mislead (the OpenAPI sample moves to examples).
    assert "default" not in members["prompt"]
    assert members["prompt"]["examples"] == ["A majestic cat in the snow"]
    assert schema["$defs"]["elementInput"]["properties"]["weight"]["default"] == 1


def _subschemas_with_defaults(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        if "default" in node:
            yield pointer, node
        for key, value in node.items():
            if key not in {"enum", "const", "default", "examples", "x-rule"}:
                yield from _subschemas_with_defaults(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _subschemas_with_defaults(value, f"{pointer}/{index}")


def test_every_default_validates_against_its_own_schema(schema: Any) -> None:
    found = list(_subschemas_with_defaults(schema))
    assert len(found) == len(DOCUMENTED_DEFAULTS) + 1
    for pointer, sub in found:
        local = {**sub, "$defs": schema["$defs"]}
        errors = list(Draft202012Validator(local).iter_errors(sub["default"]))
        assert errors == [], pointer


def test_nullability_follows_the_openapi_document(schema: Any) -> None:
    for name, sub in schema["properties"].items():
        types = sub["type"] if isinstance(sub["type"], list) else [sub["type"]]
        assert ("null" in types) is (name not in NOT_NULLABLE), name
        if "enum" in sub:
            assert (None in sub["enum"]) is ("null" in types), name


def test_deprecated_members(schema: Any) -> None:
    flagged = {name for name, sub in schema["properties"].items() if sub.get("deprecated")}
    assert flagged == DEPRECATED_MEMBERS


def test_item_schemas_are_closed(schema: Any) -> None:
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object":
            assert definition["additionalProperties"] is False, name
    assert schema["$defs"]["elementInput"]["required"] == ["akUUID"]


def test_response_schema_accepts_the_documented_example(response_schema: Any) -> None:
    validator = Draft202012Validator(response_schema)
    for example in response_schema["examples"]:
        assert list(validator.iter_errors(example)) == []
    assert validator.is_valid({"sdGenerationJob": None})
    assert validator.is_valid({"sdGenerationJob": {"generationId": "g", "cost": None}})
    assert not validator.is_valid({})
    assert not validator.is_valid({"sdGenerationJob": {"apiCreditCost": 5}})
    assert not validator.is_valid({"sdGenerationJob": {"generationId": None}})
    assert not validator.is_valid(
        {"sdGenerationJob": {"generationId": "g", "cost": {"amount": "1", "unit": "EUR"}}}
    )


# --- rule annotations -----------------------------------------------------------------------


def test_rules_are_well_formed(schema: Any, rules: list[Rule]) -> None:
    assert len(rules) >= 20
    ids = [rule.id for rule in rules]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for annotation, entry in rule_entries(schema):
        assert set(annotation) == RULE_FIELDS, annotation.get("id")
        assert KEBAB.fullmatch(annotation["id"]), annotation["id"]
        assert annotation["severity"] in SEVERITIES
        for field in ("message", "source", "reference"):
            assert isinstance(annotation[field], str), (annotation["id"], field)
            assert annotation[field].strip(), (annotation["id"], field)
        # Every rule is a real assertion: a condition and what must hold when it is true.
        assert set(entry) == {"x-rule", "if", "then"}, annotation["id"]


def test_rules_live_only_at_the_top_level_allOf(schema: Any, rules: list[Rule]) -> None:
    assert [rule.schema_path for rule in rules] == [
        f"/allOf/{index}" for index in range(len(schema["allOf"]))
    ]


def test_both_severities_are_used(rules: list[Rule]) -> None:
    assert {rule.severity for rule in rules} == set(SEVERITIES)


# --- examples -------------------------------------------------------------------------------


def test_there_are_enough_examples(expected: dict[str, Any]) -> None:
    assert len(VALID_FILES) >= 30
    assert len(INVALID_FILES) >= 60
    assert {path.stem for path in INVALID_FILES} == set(expected)


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda path: path.stem)
def test_valid_example_has_no_error(
    schema: Any, validator: Draft202012Validator, path: Path
) -> None:
    assert classify(schema, validator, load_example(path)) == set()


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda path: path.stem)
def test_invalid_example_has_exactly_the_listed_errors(
    schema: Any, validator: Draft202012Validator, expected: dict[str, Any], path: Path
) -> None:
    entry = expected[path.stem]
    assert entry["why"].strip()
    listed = {(error["rule"], error["path"]) for error in entry["errors"]}
    assert listed, "an invalid example lists at least one error"
    assert classify(schema, validator, load_example(path)) == listed


def test_expected_rules_name_real_rules_or_keywords(
    expected: dict[str, Any], rules: list[Rule]
) -> None:
    ids = {rule.id for rule in rules}
    for stem, entry in expected.items():
        for error in entry["errors"]:
            assert error["rule"] in ids or error["rule"] in SUPPORTED_KEYWORDS, stem


def test_every_rule_is_exercised_by_a_valid_and_an_invalid_example(
    schema: Any, validator: Draft202012Validator, expected: dict[str, Any]
) -> None:
    """A valid example counts for a rule only when the rule's condition holds for it."""
    valid_bodies = [load_example(path) for path in VALID_FILES]
    broken = {error["rule"] for entry in expected.values() for error in entry["errors"]}
    for annotation, entry in rule_entries(schema):
        condition = validator.evolve(schema={**entry["if"], "$defs": schema["$defs"]})
        exercised = [body for body in valid_bodies if condition.is_valid(body)]
        assert exercised, f"no valid example exercises {annotation['id']}"
        assert annotation["id"] in broken, f"no invalid example breaks {annotation['id']}"


# --- the two behaviours named in the issue ----------------------------------------------------


def _message_of(schema: Any, rule_id: str) -> str:
    return next(rule.message for rule in iter_rules(schema) if rule.id == rule_id)


@pytest.mark.parametrize(
    ("body", "rule_id", "path"),
    [
        ({"prompt": "x", "num_images": 6}, "num-images-max-4-when-large", "/num_images"),
        ({"prompt": "x", "ultra": True}, "ultra-requires-alchemy-off", ""),
    ],
)
def test_issue_examples_are_rejected_with_the_rule_message(
    schema: Any, validator: Draft202012Validator, body: Any, rule_id: str, path: str
) -> None:
    errors = list(validator.iter_errors(body))
    assert [error_key(schema, error) for error in errors] == [(rule_id, path)]
    message = _message_of(schema, rule_id)
    assert "default" in message
    # Fixing the body as the message says makes the error go away.
    fixed = {**body, "width": 768} if "num_images" in body else {**body, "alchemy": False}
    if "alchemy" in fixed:
        fixed["presetStyle"] = "NONE"
    assert list(validator.iter_errors(fixed)) == []


def test_null_reads_as_not_sent(validator: Draft202012Validator) -> None:
    # alchemy null is the default (on), so ultra still conflicts; width null is 1024.
    assert not validator.is_valid({"prompt": "x", "ultra": True, "alchemy": None})
    assert not validator.is_valid({"prompt": "x", "width": None, "num_images": 5})
    assert validator.is_valid({"prompt": "x", "width": None, "num_images": 4})


def test_error_mapping_finds_rules_behind_refs(schema: Any) -> None:
    probe = {
        "properties": {"a": {"$ref": "#/$defs/b"}},
        "$defs": {
            "b": {
                "properties": {
                    "c": {"x-rule": {"id": "inner"}, "maximum": 1},
                    "d": {"type": "string"},
                }
            }
        },
    }
    assert enclosing_rule_id(probe, ["properties", "a", "properties", "c", "maximum"]) == "inner"
    assert enclosing_rule_id(probe, ["properties", "a", "properties", "d", "type"]) is None
    assert enclosing_rule_id(schema, ["properties", "width", "multipleOf"]) is None
    assert (
        enclosing_rule_id(schema, ["allOf", 1, "then", "required"])
        == (schema["allOf"][1]["x-rule"]["id"])
    )


# --- README ---------------------------------------------------------------------------------


def test_readme_rules_table_matches_the_spec(schema: Any) -> None:
    readme = default_readme_path().read_text(encoding="utf-8")
    section = readme_rules_section(readme)
    assert section is not None, "README.md lacks the rules markers"
    assert section == rule_table_markdown(schema), (
        "README rules table is stale: run python -m genspec.spec --write-readme"
    )


def test_rule_table_lists_every_rule_and_escapes_pipes(schema: Any) -> None:
    table = rule_table_markdown(schema)
    for rule in iter_rules(schema):
        assert f"| `{rule.id}` | {rule.severity} |" in table
    tricky = {"allOf": [{"x-rule": {**schema["allOf"][0]["x-rule"], "message": "a | b"}}]}
    assert "a \\| b" in rule_table_markdown(tricky)


def test_with_rules_table_adds_markers_then_replaces_in_place(schema: Any) -> None:
    added = with_rules_table("# genspec\n\nIntro.\n", schema)
    assert added.startswith("# genspec\n\nIntro.\n\n## Rules\n\n<!-- rules:start -->\n")
    assert readme_rules_section(added) == rule_table_markdown(schema)
    stale = added.replace("`ultra-requires-alchemy-off`", "`old-id`") + "\nTrailer.\n"
    refreshed = with_rules_table(stale, schema)
    assert refreshed == added + "\nTrailer.\n"
