"""The generated pydantic models, and how genspec feeds datamodel-code-generator."""

from __future__ import annotations

import http.server
import inspect
import json
import threading
import types
import typing
from typing import Any

import pydantic
import pytest

import leonardo_generations as lg
from genspec.clients import render_client_artifacts, render_models, shape_of
from genspec.spec import REQUEST_SCHEMA, RESPONSE_SCHEMA, load_schema
from leonardo_generations import models


def _json_names(schema: dict[str, Any]) -> set[str]:
    names = set(schema.get("properties", {}))
    names |= {p.strip("^$") for p in schema.get("patternProperties", {})}
    return names


def test_every_body_member_is_a_snake_case_field_with_its_json_alias() -> None:
    fields = lg.GenerationRequest.model_fields
    aliases = {field.alias or name for name, field in fields.items()}
    assert aliases == _json_names(load_schema(REQUEST_SCHEMA))
    assert all(name == name.lower() for name in fields)
    assert fields["preset_style"].alias == "presetStyle"


def test_fields_can_be_set_by_python_name_or_json_name() -> None:
    by_name = lg.GenerationRequest(prompt="x", preset_style="NONE", num_images=1)
    by_alias = lg.GenerationRequest.model_validate(
        {"prompt": "x", "presetStyle": "NONE", "num_images": 1}
    )
    assert by_name == by_alias
    assert by_name.model_dump(by_alias=True, exclude_unset=True) == {
        "prompt": "x",
        "presetStyle": "NONE",
        "num_images": 1,
    }


def test_models_carry_shape_and_defaults_but_leave_ranges_to_the_validator() -> None:
    body = lg.GenerationRequest(prompt="x", width=1001)  # not a multiple of 8: a rule's job
    assert body.width == 1001
    assert lg.GenerationRequest(prompt="x").alchemy is True  # the spec's default
    with pytest.raises(pydantic.ValidationError):
        lg.GenerationRequest(prompt="x", width="wide")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        lg.GenerationRequest(width=512)  # type: ignore[call-arg]  # prompt is required


def test_the_request_model_is_as_closed_as_the_spec() -> None:
    closed = load_schema(REQUEST_SCHEMA).get("additionalProperties") is False
    assert (lg.GenerationRequest.model_config.get("extra") == "forbid") == closed


def test_the_response_examples_parse_with_generation_id_and_cost() -> None:
    for example in load_schema(RESPONSE_SCHEMA)["examples"]:
        response = lg.GenerationResponse.model_validate(example)
        job = response.sd_generation_job
        assert job is not None
        assert job.generation_id == example["sdGenerationJob"]["generationId"]
        if example["sdGenerationJob"].get("cost"):
            assert job.cost is not None
            assert job.cost.amount == example["sdGenerationJob"]["cost"]["amount"]


def test_the_response_model_ignores_members_it_does_not_know() -> None:
    body = {"sdGenerationJob": {"generationId": "g", "newThing": 1}, "alsoNew": True}
    response = lg.GenerationResponse.model_validate(body)
    assert response.sd_generation_job is not None
    assert response.sd_generation_job.generation_id == "g"


CHARGED_WITH_A_NEW_UNIT = {
    "sdGenerationJob": {
        "generationId": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "apiCreditCost": None,
        "cost": {"amount": "12", "unit": "TOKENS"},
        "queuePosition": 3,
    }
}


def test_a_charged_response_with_a_unit_the_spec_did_not_list_parses_and_keeps_it() -> None:
    response = lg.GenerationResponse.model_validate(CHARGED_WITH_A_NEW_UNIT)
    job = response.sd_generation_job
    assert job is not None and job.cost is not None
    assert job.cost.unit == "TOKENS" and job.cost.amount == "12"
    known = {
        **CHARGED_WITH_A_NEW_UNIT["sdGenerationJob"],
        "cost": {"amount": "1", "unit": "DOLLARS"},
    }
    parsed = lg.GenerationResponse.model_validate({"sdGenerationJob": known}).sd_generation_job
    assert parsed is not None and parsed.cost is not None and parsed.cost.unit == "DOLLARS"
    # The unit's type says both: the documented values, and any other string as sent.
    unit = models.Cost.model_fields["unit"].annotation
    assert typing.Literal["CREDITS", "DOLLARS"] in typing.get_args(unit)
    assert str in typing.get_args(unit)


def test_the_client_returns_a_charged_200_with_an_unforeseen_unit() -> None:
    """End to end through the real client and a real HTTP server on 127.0.0.1."""
    data = json.dumps(CHARGED_WITH_A_NEW_UNIT).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base_url = f"http://127.0.0.1:{httpd.server_address[1]}/api/rest/v1"
        with lg.Client(api_key="test-key", base_url=base_url, max_retries=0) as client:
            response = client.create_generation({"prompt": "a cat", "num_images": 1})
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
    job = response.sd_generation_job
    assert job is not None and job.cost is not None and job.cost.unit == "TOKENS"


def _referenced_models(annotation: Any) -> set[type[pydantic.BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, pydantic.BaseModel):
        found = {annotation}
        for field in annotation.model_fields.values():
            found |= _referenced_models(field.annotation)
        return found
    return set().union(*(_referenced_models(arg) for arg in typing.get_args(annotation)))


# The generation loop's bodies (genspec.generation_loop), added by the client work.
LOOP_ROOTS = (
    models.GetGenerationResponse,
    models.InitImageRequest,
    models.InitImageResponse,
    models.WebhookPayload,
)


def test_no_model_is_generated_for_rule_helpers() -> None:
    defined = {
        value
        for value in vars(models).values()
        if inspect.isclass(value)
        and issubclass(value, pydantic.BaseModel)
        and value.__module__ == models.__name__
    }
    reachable = set().union(
        *(_referenced_models(root) for root in (lg.GenerationRequest, lg.GenerationResponse)),
        *(_referenced_models(root) for root in LOOP_ROOTS),
    )
    assert {m.__name__ for m in defined - reachable} == {"ErrorBody"}  # the API's error body


# --- shape_of: what datamodel-code-generator is fed -------------------------------------------


def test_shape_of_keeps_types_and_drops_rules_ranges_and_unused_defs() -> None:
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 1, "default": 4, "x-note": "gone"},
            "item": {"$ref": "#/$defs/used"},
        },
        "patternProperties": {"^extra$": {"type": "string"}},
        "additionalProperties": False,
        "allOf": [{"x-rule": {"id": "r"}, "if": {"$ref": "#/$defs/onlyForRules"}}],
        "$defs": {"used": {"type": "string", "pattern": "^a"}, "onlyForRules": {}},
    }
    assert shape_of(schema, closed=True) == {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "default": 4},
            "item": {"$ref": "#/$defs/used"},
            "extra": {"type": "string"},
        },
        "additionalProperties": False,
        "$defs": {"used": {"type": "string"}},
    }


def test_shape_of_opens_what_a_real_pattern_or_a_response_would_break() -> None:
    patterned = {"patternProperties": {"^x-": {}}, "additionalProperties": False}
    assert shape_of(patterned, closed=True) == {"properties": {}}
    assert shape_of({"additionalProperties": False}, closed=False) == {}


# --- generation is reproducible and safe --------------------------------------------------------


def test_generation_is_byte_identical_whatever_the_working_directory(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    request, response = load_schema(REQUEST_SCHEMA), load_schema(RESPONSE_SCHEMA)
    first = render_client_artifacts(request, response)
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 40\n")
    monkeypatch.chdir(tmp_path)
    assert render_client_artifacts(request, response) == first
    assert all(
        "timestamp" not in text and "generated by datamodel" not in text for text in first.values()
    )


HOSTILE_TEXT = 'q"uote \'single\' """triple""" \\back\nline \u2028sep {braces} \x00nul'


def test_hostile_schema_text_stays_data(tmp_path: Any) -> None:
    request = {
        "type": "object",
        "required": ["weird name"],
        "properties": {
            "weird name": {"type": "string", "description": HOSTILE_TEXT},
            "mode": {"enum": ['a"b', "c'd", "e\\f"], "default": 'a"b'},
            "import os": {"type": "string", "default": HOSTILE_TEXT},
        },
    }
    source = render_models(request, {"type": "object"})
    module = types.ModuleType("hostile_models")
    exec(compile(source, "hostile_models.py", "exec"), module.__dict__)
    model = module.GenerationRequest
    model.model_rebuild(_types_namespace=module.__dict__)
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    assert fields["weird name"].description == HOSTILE_TEXT
    assert fields["import os"].default == HOSTILE_TEXT
    instance = model.model_validate({"weird name": "w", "mode": "c'd"})
    assert json.loads(instance.model_dump_json(by_alias=True, exclude_unset=True)) == {
        "weird name": "w",
        "mode": "c'd",
    }
