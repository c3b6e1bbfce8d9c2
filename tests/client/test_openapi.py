"""The OpenAPI 3.1 document: valid, self-contained, and meaning what the spec means."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from genspec.openapi import (
    COMPONENTS_PREFIX,
    RULES_EXTENSION,
    OpenAPIBuildError,
    Operation,
    build_openapi,
    data_definitions,
    render_openapi_json,
)
from genspec.spec import ADVICE_KEYWORD, REQUEST_SCHEMA, RESPONSE_SCHEMA, load_schema


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_openapi(load_schema(REQUEST_SCHEMA), load_schema(RESPONSE_SCHEMA))


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _component_validator(document: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    """A validator for one component, its references resolved inside the document."""
    root = {"$ref": COMPONENTS_PREFIX + name, "components": document["components"]}
    return jsonschema.Draft202012Validator(root)


def test_is_a_valid_openapi_3_1_document(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_describes_the_endpoint(document: dict[str, Any]) -> None:
    assert document["servers"] == [{"url": "https://cloud.leonardo.ai/api/rest/v1"}]
    operation = document["paths"]["/generations"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": COMPONENTS_PREFIX + "GenerationRequest"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": COMPONENTS_PREFIX + "GenerationResponse"}
    assert {"400", "401", "403", "429", "5XX"} <= set(operation["responses"])
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {"type": "http", "scheme": "bearer"}


def test_every_ref_resolves_inside_the_document(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    refs = set(_refs(document))
    assert refs, "the spec has $defs, so the document must have references"
    for ref in refs:
        assert ref.startswith(COMPONENTS_PREFIX), ref
        head = ref.removeprefix(COMPONENTS_PREFIX).split("/")[0]
        assert head in schemas, ref
    assert not any("$defs" in schema for schema in schemas.values())


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "A lighthouse at dusk", "num_images": 1},
        {"prompt": "x", "num_images": 8},
        {"prompt": "x", "width": 1001},
        {"prompt": "x", "ultra": True},
        {"prompt": "x", "controlnets": [{"initImageId": "a"}]},
        {"prompt": "x", "styleUUID": "111dc692-d470-4eec-b791-3475abac4c46"},
        {"prompt": "x", "unknown": 1},
        {},
    ],
)
def test_the_request_component_with_its_x_rules_judges_bodies_like_the_spec(
    document: dict[str, Any], body: dict[str, Any]
) -> None:
    spec = load_schema(REQUEST_SCHEMA)
    component = document["components"]["schemas"]["GenerationRequest"]
    with_rules = {**component, "allOf": component[RULES_EXTENSION]}
    root = {
        "$ref": "#/x/request",
        "x": {"request": with_rules},
        "components": document["components"],
    }
    assert jsonschema.Draft202012Validator(root).is_valid(body) == (
        jsonschema.Draft202012Validator(spec).is_valid(body)
    )
    # Without them, the component asserts the spec's members: types, ranges, enums, no others.
    members = {key: value for key, value in spec.items() if key not in ("allOf", ADVICE_KEYWORD)}
    assert _component_validator(document, "GenerationRequest").is_valid(body) == (
        jsonschema.Draft202012Validator(members).is_valid(body)
    )


def test_rules_and_advice_are_extension_data_with_every_rule(document: dict[str, Any]) -> None:
    spec = load_schema(REQUEST_SCHEMA)
    component = document["components"]["schemas"]["GenerationRequest"]
    assert "allOf" not in component
    ids = [part["x-rule"]["id"] for part in component[RULES_EXTENSION]]
    assert ids == [part["x-rule"]["id"] for part in spec["allOf"]]
    advice = [part["x-rule"]["id"] for part in component[ADVICE_KEYWORD]]
    assert advice == [part["x-rule"]["id"] for part in spec[ADVICE_KEYWORD]]


def test_no_helper_condition_is_a_component(document: dict[str, Any]) -> None:
    spec = load_schema(REQUEST_SCHEMA)
    helpers = set(spec["$defs"]) - data_definitions(spec)
    assert helpers, "the spec has rule-only $defs"
    schemas = document["components"]["schemas"]
    assert not helpers & set(schemas)
    assert data_definitions(spec) <= set(schemas)


def test_every_enum_is_one_generators_build(document: dict[str, Any]) -> None:
    """Enums of strings or integers (and null) only, outside `allOf` entries, which hold the
    others: openapi-python-client drops the operation on a number enum."""

    def enums(node: Any, in_all_of: bool = False) -> Iterator[tuple[list[Any], bool]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "enum" and isinstance(value, list):
                    yield value, in_all_of
                elif key not in ("const", "default", "examples", "x-rule"):
                    yield from enums(value, in_all_of or key == "allOf")
        elif isinstance(node, list):
            for item in node:
                yield from enums(item, in_all_of)

    found = list(enums(document["components"]["schemas"]))
    assert any(in_all_of for _, in_all_of in found), "photoRealStrength keeps its enum"
    for values, in_all_of in found:
        plain = [v for v in values if v is not None]
        kinds = {type(v) for v in plain}
        assert in_all_of or kinds <= {str} or kinds <= {int}, values


def test_the_response_examples_fit_the_response_component(document: dict[str, Any]) -> None:
    examples = load_schema(RESPONSE_SCHEMA).get("examples", [])
    assert examples
    for example in examples:
        _component_validator(document, "GenerationResponse").validate(example)


def test_other_generators_can_read_it(document: dict[str, Any]) -> None:
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import Formatter

    source = generate(
        render_openapi_json(document),
        input_file_type=InputFileType.OpenAPI,
        output_model_type=DataModelType.PydanticV2BaseModel,
        formatters=[Formatter.BUILTIN],
    )
    assert isinstance(source, str)
    assert "class GenerationRequest(" in source and "class GenerationResponse(" in source


def test_rendering_is_stable_json() -> None:
    request = load_schema(REQUEST_SCHEMA)
    response = load_schema(RESPONSE_SCHEMA)
    first = render_openapi_json(build_openapi(request, response))
    assert first == render_openapi_json(build_openapi(request, response))
    assert first.endswith("}\n") and json.loads(first)["openapi"] == "3.1.0"


# --- the lifting of $defs, on small hostile schemas -------------------------------------------


def test_refs_are_rewritten_only_where_they_are_refs() -> None:
    request = {
        "type": "object",
        "properties": {
            "$ref": {"$ref": "#/$defs/item"},  # a member named "$ref" is a schema, not a ref
            "tree": {"$ref": "#"},
            "label": {"enum": ["#/$defs/item"], "default": {"$ref": "#/$defs/item"}},
        },
        "$defs": {"item": {"type": "string"}},
    }
    schemas = build_openapi(request, {"type": "object"})["components"]["schemas"]
    properties = schemas["GenerationRequest"]["properties"]
    assert properties["$ref"] == {"$ref": COMPONENTS_PREFIX + "item"}
    assert properties["tree"] == {"$ref": COMPONENTS_PREFIX + "GenerationRequest"}
    assert properties["label"] == {"enum": ["#/$defs/item"], "default": {"$ref": "#/$defs/item"}}
    assert schemas["item"] == {"type": "string"}


def test_two_different_defs_with_one_name_are_refused() -> None:
    request = {"properties": {"a": {"$ref": "#/$defs/cost"}}, "$defs": {"cost": {"type": "string"}}}
    response = {
        "properties": {"a": {"$ref": "#/$defs/cost"}},
        "$defs": {"cost": {"type": "number"}},
    }
    with pytest.raises(OpenAPIBuildError, match="cost"):
        build_openapi(request, response)


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"a": {"$ref": "https://example.com/schema.json"}}},
        {
            "properties": {"a": {"$ref": "#/$defs/no spaces allowed"}},
            "$defs": {"no spaces allowed": {}},
        },
    ],
)
def test_what_openapi_cannot_hold_is_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(OpenAPIBuildError):
        build_openapi(schema, {"type": "object"})


def test_more_operations_and_their_schemas_join_the_document() -> None:
    """How the endpoints around POST /generations come in (GET /generations/{id}, ...)."""
    lookup = {
        "type": "object",
        "properties": {"generations_by_pk": {"$ref": "#/$defs/generation"}},
        "$defs": {"generation": {"type": ["object", "null"]}},
    }
    get = Operation(
        path="/generations/{id}",
        method="get",
        operation_id="getGeneration",
        summary="Get a Single Generation",
        response="GenerationLookup",
        response_description="The generation.",
        parameters=({"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},),
    )
    document = build_openapi(
        load_schema(REQUEST_SCHEMA),
        load_schema(RESPONSE_SCHEMA),
        schemas={"GenerationLookup": lookup},
        operations=[get],
    )
    validate(document)
    assert set(document["paths"]) == {"/generations", "/generations/{id}"}
    operation = document["paths"]["/generations/{id}"]["get"]
    assert "requestBody" not in operation and operation["parameters"][0]["name"] == "id"
    schemas = document["components"]["schemas"]
    assert schemas["GenerationLookup"]["properties"]["generations_by_pk"] == {
        "$ref": COMPONENTS_PREFIX + "generation"
    }
    with pytest.raises(OpenAPIBuildError, match="Missing"):
        build_openapi({}, {}, operations=[Operation("/x", "get", "x", "x", "Missing", "x")])
