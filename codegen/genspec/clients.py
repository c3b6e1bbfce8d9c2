"""The generated client package: models, sync and async clients, errors, and the OpenAPI document.

`render_client_artifacts` is the one entry point; it returns file contents keyed by path under
`generated/` and writes nothing. The `.py`s are final: laid out as ruff would (genspec.pylayout).

Models come from datamodel-code-generator fed the OpenAPI document reduced to *shape* (types,
enums, required, defaults, descriptions): value ranges and cross-field rules are the generated
validator's job, so a bad value is reported the same way (`RequestInvalid`, with rule ids)
whether the body was a dict or a model. The response models ignore unknown keys even if the
spec closes them, so a new field from the API never breaks a client already deployed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from genspec import __version__
from genspec.generation_loop import (
    INIT_IMAGE_REQUEST,
    load_loop_schemas,
    loop_openapi,
    member_names,
)
from genspec.openapi import (
    ENDPOINT,
    REQUEST_NAME,
    RESPONSE_NAME,
    data_definitions,
    generators_build_enum,
    map_subschemas,
    render_openapi_json,
)
from genspec.pylayout import layout_module
from genspec.rules import RULE_KEYWORD
from genspec.spec import spec_dir
from genspec.templating import header, render

PACKAGE_DIR = "python/leonardo_generations"
API_KEY_ENV = "LEONARDO_API_KEY"
TEMPLATES = Path(__file__).resolve().parent / "templates"

# The keywords that describe a model's shape; everything else (ranges, patterns, formats,
# if/then/else, dependentRequired, x-* annotations) is dropped from the copy the models see.
SHAPE_KEYWORDS = frozenset(
    {"type", "properties", "patternProperties", "required", "additionalProperties", "items"}
    | {"prefixItems"}
    | {"$ref", "$defs", "enum", "const", "anyOf", "oneOf", "allOf"}
    | {"default", "description", "title", "deprecated"}
)

# datamodel-code-generator options, pinned so the output depends on the spec alone. Pydantic v2
# BaseModel: validation and by-alias serialisation with one dependency genspec already has.
MODEL_OPTIONS: dict[str, Any] = {
    "input_file_type": "openapi",
    "output_model_type": "pydantic_v2.BaseModel",
    "target_python_version": "3.11",
    "target_pydantic_version": "2",  # populate_by_name, understood by every pydantic 2.x
    "disable_timestamp": True,
    "snake_case_field": True,  # Python names snake_case, JSON names kept as aliases
    "allow_population_by_field_name": True,
    "enum_field_as_literal": "all",  # `preset_style="ANIME"` type-checks; no enum imports
    "use_annotated": True,
    "use_standard_collections": True,
    "use_union_operator": True,
    "use_double_quotes": True,
    "wrap_string_literal": True,  # long descriptions split into implicitly joined strings
    "builtin_format_line_length": 100,  # ruff's; explicit, or a nearby pyproject.toml decides
    # Its own layout, then genspec.pylayout for the few lines still too long: no formatter runs.
    "formatters": ["builtin"],
}


# The client reads every schema in spec/: the request, the response and the generation loop's
# (named in full, the banner would push "do not edit" past the first lines).
SPEC_SOURCES = ("spec/*.schema.json",)


def shape_of(schema: Any, *, closed: bool) -> Any:
    """What the models see of `schema`: SHAPE_KEYWORDS only, rules and unused `$defs` gone.

    `closed=False` also drops `additionalProperties: false` (used for responses).
    """
    shaped = _shape(schema, closed=closed)
    if isinstance(shaped, dict) and "$defs" in shaped:
        used = data_definitions(shaped)
        shaped["$defs"] = {name: d for name, d in shaped["$defs"].items() if name in used}
    return shaped


def _shape(schema: Any, *, closed: bool) -> Any:
    if not isinstance(schema, dict):
        return schema
    kept = {key: value for key, value in schema.items() if key in SHAPE_KEYWORDS}
    if not generators_build_enum(kept.get("enum")):
        del kept["enum"]  # photoRealStrength's [0.55, 0.5, 0.45]: a float, as the validator checks
    if "patternProperties" in kept:
        _promote_exact_patterns(kept)
    if not closed and kept.get("additionalProperties") is False:
        del kept["additionalProperties"]
    if "allOf" in kept:
        kept["allOf"] = [part for part in kept["allOf"] if not _carries_rule(part)]
        if not kept["allOf"]:
            del kept["allOf"]
    return map_subschemas(kept, lambda sub: _shape(sub, closed=closed))


# `^name$` with a plain name matches that one member: a property in all but spelling.
_EXACT_NAME = re.compile(r"\^([A-Za-z_][A-Za-z0-9_]*)\$")


def _promote_exact_patterns(schema: dict[str, Any]) -> None:
    """Turn `patternProperties` `^name$` into properties, so the models get real fields.

    Any other pattern has no field form; the model then accepts extra members rather than
    forbid what the spec allows.
    """
    properties = dict(schema.get("properties", {}))
    for pattern, subschema in schema.pop("patternProperties").items():
        exact = _EXACT_NAME.fullmatch(pattern)
        if exact and exact.group(1) not in properties:
            properties[exact.group(1)] = subschema
        elif schema.get("additionalProperties") is False:
            del schema["additionalProperties"]
    schema["properties"] = properties


def _carries_rule(schema: Any) -> bool:
    return isinstance(schema, dict) and RULE_KEYWORD in schema


def render_models(
    request_schema: dict[str, Any],
    response_schema: dict[str, Any],
    loop_schemas: dict[str, Any] | None = None,
) -> str:
    """models.py: pydantic v2 models of the schemas, via datamodel-code-generator."""
    from datamodel_code_generator import generate  # dev dependency: imported only to generate

    loop = {
        name: shape_of(schema, closed=name == INIT_IMAGE_REQUEST)
        for name, schema in (loop_schemas or {}).items()
    }
    document = loop_openapi(
        shape_of(request_schema, closed=True), shape_of(response_schema, closed=False), loop
    )
    source = generate(
        document,
        # A description is one string however long: the line limit cannot hold for it.
        custom_file_header=header(*SPEC_SOURCES) + "\n# ruff: noqa: E501",
        **_model_options(MODEL_OPTIONS),
    )
    if not isinstance(source, str):
        raise TypeError("datamodel-code-generator returned no single module")
    return source if source.endswith("\n") else source + "\n"


def _model_options(options: dict[str, Any]) -> dict[str, Any]:
    """MODEL_OPTIONS with the string values datamodel-code-generator wants as its enums."""
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import Formatter

    converted = dict(options)
    converted["input_file_type"] = InputFileType(options["input_file_type"])
    converted["output_model_type"] = DataModelType(options["output_model_type"])
    converted["formatters"] = [Formatter(name) for name in options["formatters"]]
    return converted


def public_names(source: str) -> list[str]:
    """What a generated module exports: its `__all__` if it has one, else its classes."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return [str(name) for name in ast.literal_eval(node.value)]
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)]


def export_order(name: str) -> tuple[int, str]:
    """isort's (and ruff's RUF022) order: CONSTANTS, then Classes, then functions."""
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


def render_client_artifacts(
    request_schema: dict[str, Any],
    response_schema: dict[str, Any],
    loop_schemas: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Every client-side artifact: relative path under `generated/` -> file content.

    `loop_schemas` defaults to the bundled spec's (genspec.generation_loop).
    """
    if loop_schemas is None:
        loop_schemas = load_loop_schemas(spec_dir())
    context: dict[str, Any] = {
        "header": header(*SPEC_SOURCES),
        "endpoint": ENDPOINT,
        "api_key_env": API_KEY_ENV,
        "request_model": REQUEST_NAME,
        "response_model": RESPONSE_NAME,
        "genspec_version": __version__,
        "member_names": {
            pointer: tuple(names) for pointer, names in member_names(request_schema).items()
        },
    }
    modules = {"models": render_models(request_schema, response_schema, loop_schemas)}
    modules["errors"] = render("errors.py.jinja", **context)
    modules["client"] = render("client.py.jinja", **context)
    modules = {name: layout_module(source) for name, source in modules.items()}
    exports = {
        name: sorted(public_names(source), key=export_order) for name, source in modules.items()
    }
    exports["validate_request"] = ["Error", "is_valid", "validate"]
    everything = sorted((n for names in exports.values() for n in names), key=export_order)
    files = {f"{PACKAGE_DIR}/{name}.py": source for name, source in modules.items()}
    files[f"{PACKAGE_DIR}/__init__.py"] = render(
        "init.py.jinja", exports=dict(sorted(exports.items())), everything=everything, **context
    )
    files["openapi.json"] = render_openapi_json(
        loop_openapi(request_schema, response_schema, loop_schemas)
    )
    return files
