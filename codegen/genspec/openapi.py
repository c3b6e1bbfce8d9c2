"""The endpoint as an OpenAPI 3.1 document, built from the two spec schemas.

OpenAPI 3.1 speaks JSON Schema 2020-12, so the spec's schemas go in unchanged except for one
move: each schema's `$defs` are lifted into `components/schemas` and every local `$ref` is
rewritten to match, because a `#/$defs/...` reference inside an embedded schema would otherwise
resolve against the OpenAPI document's root, where nothing lives. The cross-field rules
(`allOf` entries with `x-rule`) stay: the document describes the endpoint, rules included.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from genspec import __version__
from genspec.spec import REQUEST_SCHEMA, RESPONSE_SCHEMA

REQUEST_NAME = "GenerationRequest"
RESPONSE_NAME = "GenerationResponse"
API_ERROR_NAME = "ErrorBody"
COMPONENTS_PREFIX = "#/components/schemas/"
_COMPONENT_NAME = re.compile(r"^[A-Za-z0-9._-]+$")  # what OpenAPI allows as a component key

# Leonardo's error replies are Hasura-style; the endpoint's published OpenAPI declares none, so
# this shape comes from the "API Error Messages" page (see
# /work/shared/reference/leonardo-api-facts.md, section 3).
API_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The body Leonardo sends with an error status.",
    "properties": {
        "error": {"type": "string", "description": "What went wrong, in words."},
        "path": {"type": "string", "description": "JSON path of the culprit; `$` for the body."},
        "code": {
            "type": "string",
            "description": "Category, e.g. bad-request, validation-failed, access-denied.",
        },
    },
}


@dataclass(frozen=True)
class Endpoint:
    """Where the operation lives; the client and the OpenAPI document both read it from here."""

    server: str = "https://cloud.leonardo.ai/api/rest/v1"
    path: str = "/generations"
    method: str = "post"
    operation_id: str = "createGeneration"
    summary: str = "Create a Generation of Images"


ENDPOINT = Endpoint()

_ERROR_STATUSES = {
    "400": "The body was rejected (unknown key, wrong type, too many images, ...).",
    "401": "The API key is missing or invalid.",
    "403": "Access denied, e.g. by the content moderation filter.",
    "429": "Too many requests; honour `Retry-After` if present.",
    "5XX": "Server error; retrying later may succeed.",
}


class OpenAPIBuildError(ValueError):
    """The spec cannot be expressed as one OpenAPI document (e.g. two different `$defs/X`)."""


# Where JSON Schema 2020-12 keeps subschemas; everything else in a schema is a value or an
# annotation and is copied as is (so `enum`, `default` and `x-rule` are never walked into).
SCHEMA_KEYWORDS = frozenset(
    {"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"}
    | {"unevaluatedItems", "unevaluatedProperties", "contentSchema"}
)
# x-advice: genspec's advice entries (root only), subschemas whose $refs must resolve too.
SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "x-advice"})
SCHEMA_MAP_KEYWORDS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


def map_subschemas(schema: Any, transform: Callable[[Any], Any]) -> Any:
    """A copy of `schema` with `transform` applied to each of its immediate subschemas."""
    if not isinstance(schema, dict):
        return copy.deepcopy(schema)  # a boolean schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in SCHEMA_KEYWORDS:
            result[key] = transform(value)
        elif key in SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            result[key] = [transform(item) for item in value]
        elif key in SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            result[key] = {name: transform(item) for name, item in value.items()}
        else:
            result[key] = copy.deepcopy(value)
    return result


def _rewrite_refs(schema: Any, root_pointer: str) -> Any:
    """A copy of `schema` whose local `$ref`s point into `components/schemas`.

    `#/$defs/X...` becomes `#/components/schemas/X...` (the definition was lifted); any other
    local pointer `#/...` is relative to the schema's root, now `root_pointer`.
    """
    result = map_subschemas(schema, lambda sub: _rewrite_refs(sub, root_pointer))
    if isinstance(result, dict) and isinstance(result.get("$ref"), str):
        result["$ref"] = _rewritten_ref(result["$ref"], root_pointer)
    return result


def _rewritten_ref(ref: str, root_pointer: str) -> str:
    if ref.startswith("#/$defs/"):
        return COMPONENTS_PREFIX + ref.removeprefix("#/$defs/")
    if ref == "#" or ref.startswith("#/"):
        return root_pointer + ref[1:]
    raise OpenAPIBuildError(f"only local $refs are supported, got {ref!r}")


def _lift(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """`schema` and its `$defs` as component schemas: {name: schema, def name: def, ...}."""
    root_pointer = COMPONENTS_PREFIX + name
    body = _rewrite_refs(schema, root_pointer)
    for key in ("$schema", "$id"):  # the document fixes the dialect; an $id would rebase refs
        body.pop(key, None)
    components = {name: body}
    for def_name, definition in body.pop("$defs", {}).items():
        components[def_name] = definition
    return components


def _merge_components(*groups: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for group in groups:
        for name, schema in group.items():
            if not _COMPONENT_NAME.match(name):
                raise OpenAPIBuildError(
                    f"$defs name {name!r} is not a valid OpenAPI component name"
                )
            if name in merged and merged[name] != schema:
                raise OpenAPIBuildError(
                    f"two different schemas are both named {name!r}; rename one of the $defs"
                )
            merged[name] = schema
    return merged


def _json_response(description: str, name: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": COMPONENTS_PREFIX + name}}},
    }


def _operation() -> dict[str, Any]:
    responses = {"200": _json_response("The generation job was created.", RESPONSE_NAME)}
    for status, description in _ERROR_STATUSES.items():
        responses[status] = _json_response(description, API_ERROR_NAME)
    return {
        "operationId": ENDPOINT.operation_id,
        "summary": ENDPOINT.summary,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": COMPONENTS_PREFIX + REQUEST_NAME}}},
        },
        "responses": responses,
    }


def build_openapi(
    request_schema: dict[str, Any], response_schema: dict[str, Any]
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the endpoint, as JSON-ready data."""
    schemas = _merge_components(
        _lift(request_schema, REQUEST_NAME),
        _lift(response_schema, RESPONSE_NAME),
        {API_ERROR_NAME: copy.deepcopy(API_ERROR_SCHEMA)},
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Leonardo.ai: {ENDPOINT.summary}",
            "version": __version__,
            "description": (
                f"Generated by genspec from spec/{REQUEST_SCHEMA} and spec/{RESPONSE_SCHEMA}: "
                "do not edit. Regenerate with `genspec generate`. Cross-field rules are the "
                "`allOf` entries annotated with `x-rule`."
            ),
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": ENDPOINT.server}],
        "security": [{"bearerAuth": []}],
        "paths": {ENDPOINT.path: {ENDPOINT.method: _operation()}},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def render_openapi_json(document: dict[str, Any]) -> str:
    """The document as committed: stable key order (the spec's), two-space indent, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
