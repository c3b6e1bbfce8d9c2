"""The endpoint spec itself: schema well-formedness, rule annotations, and the worked examples.

Every example under spec/examples/ is classified by python-jsonschema (the reference
implementation): its errors on the schema, and as warnings the errors of each `x-advice` entry
applied to the body. Both must match spec/examples/expected.toml exactly, so a rule that stops
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
    ADVICE_KEYWORD,
    EVIDENCE,
    REQUEST_SCHEMA,
    RESPONSE_SCHEMA,
    SEVERITIES,
    Rule,
    advice_schemas,
    default_readme_path,
    enclosing_rule_id,
    iter_rules,
    load_schema,
    readme_rules_section,
    rule_table_markdown,
    spec_dir,
    with_rules_table,
)
from leonardo_generations.validate_request import is_valid, validate

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
# The OpenAPI document also marks scheduler, sd_version and controlNetType non-nullable, but
# nothing shows the server refusing null there: the spec accepts it and warns.
NOT_NULLABLE = {"prompt"}
NULL_ADVISED = {"scheduler", "sd_version", "controlNetType"}
# Keys Leonardo's guides send although the OpenAPI document lacks them (see the schema's
# description): accepted, typed, and nothing else.
GUIDE_KEYS = {"styleUUID", "contextImages", "isInitImage"}

RULE_FIELDS = {"id", "severity", "message", "source", "reference", "evidence"}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

EXAMPLES = spec_dir() / "examples"
VALID_FILES = sorted((EXAMPLES / "valid").glob("*.json"))
INVALID_FILES = sorted((EXAMPLES / "invalid").glob("*.json"))
OFFICIAL_FILES = sorted((EXAMPLES / "official").glob("*.json"))


@pytest.fixture(scope="module")
def schema() -> Any:
    return load_schema(REQUEST_SCHEMA)


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
    """The errors: what a standard validator reports on the published schema."""
    return {error_key(schema, error) for error in validator.iter_errors(body)}


def advise(schema: Any, body: Any) -> set[tuple[str, str]]:
    """The warnings: each x-advice entry applied to the whole body."""
    found = set()
    for entry in advice_schemas(schema):
        for error in Draft202012Validator(entry).iter_errors(body):
            found.add(error_key(entry, error))
    return found


def listed(entry: dict[str, Any], kind: str) -> set[tuple[str, str]]:
    return {(finding["rule"], finding["path"]) for finding in entry.get(kind, [])}


def compiled_findings(body: Any) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(errors, warnings) of genspec's compiled validator, keyed like `classify`: it must agree
    with python-jsonschema on the published schema, so anyone may use the schema without it."""
    errors, warnings = set(), set()
    for finding in validate(body):
        key = (finding.rule_id or finding.keyword, finding.instance_path)
        (errors if finding.severity == "error" else warnings).add(key)
    assert is_valid(body) is (not errors)
    return errors, warnings


def warned_rules(entry: dict[str, Any]) -> set[str]:
    return {rule for rule, _ in listed(entry, "warnings")}


def rule_entries(schema: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(x-rule annotation, the allOf or x-advice entry carrying it) for every rule."""
    for entry in [*schema["allOf"], *schema[ADVICE_KEYWORD]]:
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


def test_nullability_follows_the_evidence(schema: Any) -> None:
    for name, sub in schema["properties"].items():
        types = sub["type"] if isinstance(sub["type"], list) else [sub["type"]]
        assert ("null" in types) is (name not in NOT_NULLABLE), name
        if "enum" in sub:
            assert (None in sub["enum"]) is ("null" in types), name
    validator = Draft202012Validator(schema)
    for name in NULL_ADVISED:
        body = {"prompt": "x", name: None}
        assert validator.is_valid(body), name
        assert advise(schema, body) == {("non-nullable-member-null", f"/{name}")}, name
    assert not validator.is_valid({"prompt": None})


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
    # Tolerant where Leonardo has changed before: a unit it did not list, a new member.
    assert validator.is_valid(
        {"sdGenerationJob": {"generationId": "g", "cost": {"amount": "1", "unit": "TOKENS"}}}
    )
    assert validator.is_valid({"sdGenerationJob": {"generationId": "g", "newMember": [1]}})
    # Strict where the value is unusable: a unit that is no string, a cost that is no object.
    assert not validator.is_valid(
        {"sdGenerationJob": {"generationId": "g", "cost": {"amount": "1", "unit": 3}}}
    )
    assert not validator.is_valid({"sdGenerationJob": {"generationId": "g", "cost": "1"}})


# --- rule annotations -----------------------------------------------------------------------


def test_rules_are_well_formed(schema: Any, rules: list[Rule]) -> None:
    assert len(rules) >= 20
    ids = [rule.id for rule in rules]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for annotation, entry in rule_entries(schema):
        assert set(annotation) == RULE_FIELDS, annotation.get("id")
        assert KEBAB.fullmatch(annotation["id"]), annotation["id"]
        assert annotation["severity"] in SEVERITIES
        assert annotation["evidence"] in EVIDENCE, annotation["id"]
        for field in ("message", "source", "reference"):
            assert isinstance(annotation[field], str), (annotation["id"], field)
            assert annotation[field].strip(), (annotation["id"], field)
        # Every rule is a real assertion: a condition and what must hold when it is true.
        assert set(entry) == {"x-rule", "if", "then"}, annotation["id"]


def test_rules_live_only_at_the_top_level_allOf_and_x_advice(
    schema: Any, rules: list[Rule]
) -> None:
    assert [rule.schema_path for rule in rules] == [
        f"/allOf/{index}" for index in range(len(schema["allOf"]))
    ] + [f"/{ADVICE_KEYWORD}/{index}" for index in range(len(schema[ADVICE_KEYWORD]))]


def test_constraints_hold_errors_and_advice_holds_warnings(schema: Any) -> None:
    assert {entry["x-rule"]["severity"] for entry in schema["allOf"]} == {"error"}
    assert {entry["x-rule"]["severity"] for entry in schema[ADVICE_KEYWORD]} == {"warning"}


def test_evidence_backs_the_severity(rules: list[Rule]) -> None:
    """An error needs a quoted server rejection or a documented requirement; advice-worded
    docs can only back a warning."""
    for rule in rules:
        if rule.severity == "error":
            assert rule.evidence in {"server-rejection", "documented-requirement"}, rule.id
        if rule.evidence == "server-rejection":
            # `source` quotes the server's words, and `reference` says where they were seen.
            assert "issue" in rule.reference or "Error Messages" in rule.reference, rule.id
    assert {rule.evidence for rule in rules} == set(EVIDENCE)


def test_both_severities_are_used(rules: list[Rule]) -> None:
    assert {rule.severity for rule in rules} == set(SEVERITIES)


def test_a_standard_validator_ignores_the_advice(schema: Any) -> None:
    # The bodies the issue names: a plain 2020-12 validator accepts them, the advice warns.
    validator = Draft202012Validator(schema)
    for body in ({"prompt": "a cat", "alchemy": False}, {"prompt": "x", "sd_version": "FLUX"}):
        assert list(validator.iter_errors(body)) == []
        assert advise(schema, body), body


# --- examples -------------------------------------------------------------------------------


def _entries(expected: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every expected.toml entry by example path under examples/ (without .json)."""
    found = {f"official/{stem}": entry for stem, entry in expected.get("official", {}).items()}
    for stem, entry in expected.items():
        if stem != "official":
            folder = "invalid" if (EXAMPLES / "invalid" / f"{stem}.json").exists() else "valid"
            found[f"{folder}/{stem}"] = entry
    return found


def test_there_are_enough_examples(expected: dict[str, Any]) -> None:
    assert len(VALID_FILES) >= 30
    assert len(INVALID_FILES) >= 60
    assert len(OFFICIAL_FILES) >= 20
    files = {f"{path.parent.name}/{path.stem}" for path in VALID_FILES + INVALID_FILES}
    files |= {f"official/{path.stem}" for path in OFFICIAL_FILES}
    assert set(_entries(expected)) <= files, "an entry names no example"
    assert {f"invalid/{path.stem}" for path in INVALID_FILES} <= set(_entries(expected))


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda path: path.stem)
def test_valid_example_has_no_error_and_the_listed_warnings(
    schema: Any, validator: Draft202012Validator, expected: dict[str, Any], path: Path
) -> None:
    entry = expected.get(path.stem, {})
    assert "errors" not in entry
    body = load_example(path)
    assert classify(schema, validator, body) == set()
    assert advise(schema, body) == listed(entry, "warnings")
    assert compiled_findings(body) == (set(), listed(entry, "warnings"))


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda path: path.stem)
def test_invalid_example_has_exactly_the_listed_errors_and_warnings(
    schema: Any, validator: Draft202012Validator, expected: dict[str, Any], path: Path
) -> None:
    entry = expected[path.stem]
    assert listed(entry, "errors"), "an invalid example lists at least one error"
    body = load_example(path)
    assert classify(schema, validator, body) == listed(entry, "errors")
    assert advise(schema, body) == listed(entry, "warnings")
    errors, warnings = compiled_findings(body)
    assert not is_valid(body) and warnings == listed(entry, "warnings")
    assert {path for _, path in errors} == {path for _, path in listed(entry, "errors")}


def test_expected_rules_name_real_rules_or_keywords(
    expected: dict[str, Any], rules: list[Rule]
) -> None:
    severity = {rule.id: rule.severity for rule in rules}
    for name, entry in _entries(expected).items():
        assert entry["why"].strip(), name
        for error in entry.get("errors", []):
            assert severity.get(error["rule"], "error") == "error", name
            assert error["rule"] in severity or error["rule"] in SUPPORTED_KEYWORDS, name
        for warning in entry.get("warnings", []):
            assert severity.get(warning["rule"]) == "warning", name


def test_every_rule_is_exercised_by_a_passing_and_a_failing_example(
    schema: Any, validator: Draft202012Validator, expected: dict[str, Any]
) -> None:
    """A passing example counts for a rule only when the rule's condition holds for it and the
    rule does not fire on it; a failing one is listed with that rule."""
    findings = _entries(expected)
    fired = {
        finding["rule"]
        for entry in findings.values()
        for finding in entry.get("errors", []) + entry.get("warnings", [])
    }
    for annotation, entry in rule_entries(schema):
        condition = validator.evolve(schema={**entry["if"], "$defs": schema["$defs"]})
        exercised = [
            path
            for path in VALID_FILES
            if condition.is_valid(load_example(path))
            and annotation["id"] not in warned_rules(findings.get(f"valid/{path.stem}", {}))
        ]
        assert exercised, f"no passing example exercises {annotation['id']}"
        assert annotation["id"] in fired, f"no example breaks {annotation['id']}"


# --- Leonardo's own samples -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources() -> dict[str, Any]:
    return tomllib.loads((EXAMPLES / "official" / "SOURCES.toml").read_text(encoding="utf-8"))


def test_every_official_sample_names_its_source(sources: dict[str, Any]) -> None:
    assert set(sources) == {path.stem for path in OFFICIAL_FILES}
    for stem, source in sources.items():
        assert source["source"].strip() and source["edits"].strip(), stem


@pytest.mark.parametrize("path", OFFICIAL_FILES, ids=lambda path: path.stem)
def test_official_sample_has_no_error_unless_the_server_is_quoted_rejecting_it(
    schema: Any,
    validator: Draft202012Validator,
    expected: dict[str, Any],
    sources: dict[str, Any],
    path: Path,
) -> None:
    entry = expected.get("official", {}).get(path.stem, {})
    body = load_example(path)
    errors = classify(schema, validator, body)
    assert errors == listed(entry, "errors")
    # genspec's compiled validator agrees: same verdict, and the same advice as warnings.
    assert is_valid(body) is (not errors)
    assert compiled_findings(body)[1] == listed(entry, "warnings")
    if errors:
        assert sources[path.stem].get("server_rejection", "").strip(), path.stem
    assert advise(schema, body) == listed(entry, "warnings")


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
