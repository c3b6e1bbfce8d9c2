"""The hand-written schemas of the generation loop (GET /generations/{id}, the init-image upload,
the webhook): valid 2020-12, sourced, tolerant, in the OpenAPI document, and read the same way
by the generated models (strictly typed, open to new values)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pydantic
import pytest
from openapi_spec_validator import validate

import leonardo_generations as lg
from genspec.generation_loop import LOOP_OPERATIONS, LOOP_SCHEMAS, load_loop_schemas, loop_openapi
from genspec.openapi import COMPONENTS_PREFIX
from genspec.spec import REQUEST_SCHEMA, RESPONSE_SCHEMA, load_schema, spec_dir

SCHEMAS = load_loop_schemas(spec_dir())
MODELS: dict[str, type[pydantic.BaseModel]] = {
    "GetGenerationResponse": lg.GetGenerationResponse,
    "InitImageRequest": lg.InitImageRequest,
    "InitImageResponse": lg.InitImageResponse,
    "WebhookPayload": lg.WebhookPayload,
}


@pytest.mark.parametrize("name", sorted(LOOP_SCHEMAS))
def test_each_schema_is_valid_and_its_examples_pass(name: str) -> None:
    schema = SCHEMAS[name]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == name
    assert "x-source" in schema and "leonardo-api-facts.md" in schema["x-source"]
    assert schema["examples"]
    for example in schema["examples"]:
        jsonschema.validate(example, schema, cls=jsonschema.Draft202012Validator)
        MODELS[name].model_validate_json(json.dumps(example), strict=True)


def _status_schema_accepts(value: Any) -> bool:
    body = {"generations_by_pk": {"id": "g", "status": value}}
    return jsonschema.Draft202012Validator(SCHEMAS["GetGenerationResponse"]).is_valid(body)


def test_statuses_are_an_open_enum() -> None:
    assert all(_status_schema_accepts(s) for s in ("PENDING", "COMPLETE", "FAILED", "NEW_ONE"))
    assert not _status_schema_accepts(3)
    parsed = lg.GetGenerationResponse.model_validate_json(
        '{"generations_by_pk": {"id": "g", "status": "NEW_ONE", "unknownMember": [1]}}',
        strict=True,
    )
    assert parsed.generations_by_pk is not None
    assert parsed.generations_by_pk.status == "NEW_ONE"


@pytest.mark.parametrize(
    "generation",
    [
        {"id": "g", "status": "COMPLETE", "imageWidth": True},
        {"id": "g", "status": "COMPLETE", "imageWidth": "1024"},
        {"id": "g", "status": "COMPLETE", "generated_images": [{"id": "i"}]},
        {"id": 7, "status": "COMPLETE"},
    ],
)
def test_wrong_types_are_refused_by_schema_and_model(generation: dict[str, Any]) -> None:
    body = {"generations_by_pk": generation}
    assert not jsonschema.Draft202012Validator(SCHEMAS["GetGenerationResponse"]).is_valid(body)
    with pytest.raises(pydantic.ValidationError):
        lg.GetGenerationResponse.model_validate_json(json.dumps(body), strict=True)


def test_the_init_image_request_is_closed() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMAS["InitImageRequest"])
    assert validator.is_valid({"extension": "webp"})
    assert not validator.is_valid({"extension": "gif"})
    assert not validator.is_valid({"extension": "png", "other": 1})


def test_the_openapi_document_has_the_loop() -> None:
    document = loop_openapi(load_schema(REQUEST_SCHEMA), load_schema(RESPONSE_SCHEMA), SCHEMAS)
    validate(document)
    for operation in LOOP_OPERATIONS:
        entry = document["paths"][operation.path][operation.method]
        ok = entry["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": COMPONENTS_PREFIX + operation.response}
    get = document["paths"]["/generations/{id}"]["get"]
    assert get["parameters"][0]["in"] == "path"
    assert {"Generation", "GeneratedImage", "InitImageUpload", "WebhookPayload"} <= set(
        document["components"]["schemas"]
    )


def test_the_committed_openapi_json_has_the_loop() -> None:
    committed = json.loads((spec_dir().parent / "generated" / "openapi.json").read_text())
    assert "/generations/{id}" in committed["paths"] and "/init-image" in committed["paths"]
