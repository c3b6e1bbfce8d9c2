"""The endpoint as an OpenAPI 3.1 document, built from the spec schemas, for other tools.

OpenAPI 3.1 speaks JSON Schema 2020-12, so the spec's schemas keep their meaning; three moves
make them readable by generators (openapi-python-client, openapi-generator, datamodel-codegen,
schemathesis), which understand less than a validator does:

- `$defs` that describe data (item objects) are lifted into `components/schemas` and every local
  `$ref` is rewritten to match (a `#/$defs/...` reference inside an embedded schema would
  resolve against the document's root, where nothing lives). `$defs` that only serve the rules
  (conditions such as `alchemyOn`) are inlined where they are used, so no generator mistakes
  them for models.
- An enum of numbers or booleans (`[0.55, 0.5, 0.45, null]`, `[true, null]`) moves into an
  `allOf` entry, which generators skip; nullable members keep `"type": [T, "null"]`.
- Cross-field rules become extension data beside the schema: the spec's errors (`allOf`
  entries with `x-rule`) move to `x-rules`, its advice stays in `x-advice`; validators and
  generators ignore both. What stays asserted is every member's type, range, enum and
  required-ness and the refusal of unknown members. Why: test generators must turn the schema
  into a finite plan, and a conjunction of a dozen if/then rules multiplies out past what
  schemathesis' canonicaliser accepts ("Schemathesis does not support this part of it"), so
  no case could be generated. The full contract for validators is the spec itself (or
  `{**component, "allOf": component["x-rules"]}`), which genspec's validators compile.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from genspec import __version__
from genspec.spec import ADVICE_KEYWORD, REQUEST_SCHEMA, RESPONSE_SCHEMA, RULE_KEYWORD

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


@dataclass(frozen=True)
class Operation:
    """One operation of the document: where it lives and the components it reads and answers.

    More endpoints (GET /generations/{id}, the init-image upload) come in as more Operations
    and their schemas (`build_openapi(..., schemas=..., operations=...)`).
    """

    path: str
    method: str
    operation_id: str
    summary: str
    response: str  # component name of the 200 body
    response_description: str
    request: str | None = None  # component name of the JSON body, if there is one
    parameters: tuple[dict[str, Any], ...] = ()  # OpenAPI parameter objects, e.g. a path id


CREATE_GENERATION = Operation(
    path=ENDPOINT.path,
    method=ENDPOINT.method,
    operation_id=ENDPOINT.operation_id,
    summary=ENDPOINT.summary,
    response=RESPONSE_NAME,
    response_description="The generation job was created.",
    request=REQUEST_NAME,
)

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
SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
RULES_EXTENSION = "x-rules"  # the spec's error rules, as extension data in the document
# genspec's own extension keywords that hold lists of subschemas (rules applied to the root).
EXTENSION_LIST_KEYWORDS = frozenset({ADVICE_KEYWORD, RULES_EXTENSION})
SCHEMA_MAP_KEYWORDS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


def map_subschemas(schema: Any, transform: Callable[[Any], Any]) -> Any:
    """A copy of `schema` with `transform` applied to each of its immediate subschemas."""
    if not isinstance(schema, dict):
        return copy.deepcopy(schema)  # a boolean schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in EXTENSION_LIST_KEYWORDS and isinstance(value, list):
            result[key] = [transform(item) for item in value]
        elif key in SCHEMA_KEYWORDS:
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


def data_definitions(schema: dict[str, Any]) -> set[str]:
    """Names of the `$defs` that describe data: reachable by `$ref` from the schema with its
    rule entries (`x-rule` subschemas, `x-advice`) and its `$defs` left out. The others only
    serve the rules."""
    definitions = schema.get("$defs", {})
    outside = {key: value for key, value in schema.items() if key not in ("$defs", ADVICE_KEYWORD)}
    pending: list[Any] = [_without_rules(outside)]
    used: set[str] = set()
    while pending:
        for ref in _local_refs(pending.pop()):
            name = ref.removeprefix("#/$defs/").split("/")[0]
            if ref.startswith("#/$defs/") and name in definitions and name not in used:
                used.add(name)
                pending.append(_without_rules(definitions[name]))
    return used


def _without_rules(schema: Any) -> Any:
    if isinstance(schema, dict) and RULE_KEYWORD in schema:
        return True
    return map_subschemas(schema, _without_rules)


def _local_refs(schema: Any) -> list[str]:
    refs: list[str] = []

    def visit(node: Any) -> Any:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            refs.append(node["$ref"])
        return map_subschemas(node, visit)

    visit(schema)
    return refs


def _inline_helpers(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every `$ref` to a rule-only `$defs` entry replaced by the entry itself."""
    definitions = schema.get("$defs", {})
    helpers = set(definitions) - data_definitions(schema)

    def inline(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            name = node["$ref"].removeprefix("#/$defs/")
            if node["$ref"].startswith("#/$defs/") and name in helpers:
                if name in seen:
                    raise OpenAPIBuildError(f"$defs/{name} refers to itself; it cannot be inlined")
                body = inline(definitions[name], (*seen, name))
                rest = {key: value for key, value in node.items() if key != "$ref"}
                return {"allOf": [inline(rest, seen), body]} if rest else body
        return map_subschemas(node, lambda sub: inline(sub, seen))

    result: dict[str, Any] = inline({k: v for k, v in schema.items() if k != "$defs"}, ())
    kept = {name: inline(definitions[name], ()) for name in definitions if name not in helpers}
    if kept:
        result["$defs"] = kept
    return result


def for_generators(schema: Any) -> Any:
    """`schema` with each enum of other values than strings or integers (null aside) moved
    into an `allOf` entry: the same instances, but generators only build enums of strings and
    integers. openapi-python-client drops the whole operation on `[0.55, 0.5, 0.45, null]`, and
    an `anyOf` of `const`s makes it accept the first value only; beside `allOf` it types the
    member as a plain `float | None`. Nullable members keep the 3.1 form `"type": [T, "null"]`,
    which every tool tested reads as `T | None` (an `anyOf` with `{"type": "null"}` makes
    openapi-generator invent a model per member and its Python target fail)."""
    result = map_subschemas(schema, for_generators)
    if isinstance(result, dict) and not generators_build_enum(result.get("enum")):
        result["allOf"] = [*result.get("allOf", []), {"enum": result.pop("enum")}]
    return result


def generators_build_enum(values: Any) -> bool:
    """Whether `values` (an `enum`, or None when there is none) is one generators type: no enum,
    or an enum of strings or of integers, null aside."""
    if not isinstance(values, list):
        return True
    plain = [value for value in values if value is not None]
    return all(isinstance(value, str) for value in plain) or all(
        isinstance(value, int) and not isinstance(value, bool) for value in plain
    )


def _rules_as_extension(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its rule-carrying `allOf` entries moved to `x-rules`."""
    parts = schema.get("allOf", [])
    rules = [part for part in parts if isinstance(part, dict) and RULE_KEYWORD in part]
    if not rules:
        return schema
    result = {key: value for key, value in schema.items() if key != "allOf"}
    others = [part for part in parts if part not in rules]
    if others:
        result["allOf"] = others
    result[RULES_EXTENSION] = rules
    return result


def _lift(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """`schema` and its data `$defs` as component schemas: {name: schema, def name: def, ...}."""
    root_pointer = COMPONENTS_PREFIX + name
    body = _rewrite_refs(for_generators(_rules_as_extension(_inline_helpers(schema))), root_pointer)
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


def _operation(operation: Operation, components: dict[str, Any]) -> dict[str, Any]:
    for name in (operation.request, operation.response):
        if name is not None and name not in components:
            raise OpenAPIBuildError(f"{operation.operation_id} names no component {name!r}")
    responses = {"200": _json_response(operation.response_description, operation.response)}
    for status, description in _ERROR_STATUSES.items():
        responses[status] = _json_response(description, API_ERROR_NAME)
    result: dict[str, Any] = {"operationId": operation.operation_id, "summary": operation.summary}
    if operation.parameters:
        result["parameters"] = [copy.deepcopy(parameter) for parameter in operation.parameters]
    if operation.request is not None:
        body = {"schema": {"$ref": COMPONENTS_PREFIX + operation.request}}
        result["requestBody"] = {"required": True, "content": {"application/json": body}}
    result["responses"] = responses
    return result


def build_openapi(
    request_schema: dict[str, Any],
    response_schema: dict[str, Any],
    *,
    schemas: Mapping[str, dict[str, Any]] | None = None,
    operations: Sequence[Operation] = (),
) -> dict[str, Any]:
    """The OpenAPI 3.1 document, as JSON-ready data: POST /generations from the two spec
    schemas, plus any further `operations` whose components are the named `schemas`."""
    components = _merge_components(
        _lift(request_schema, REQUEST_NAME),
        _lift(response_schema, RESPONSE_NAME),
        *(_lift(schema, name) for name, schema in (schemas or {}).items()),
        {API_ERROR_NAME: copy.deepcopy(API_ERROR_SCHEMA)},
    )
    paths: dict[str, dict[str, Any]] = {}
    for operation in (CREATE_GENERATION, *operations):
        methods = paths.setdefault(operation.path, {})
        if operation.method in methods:
            raise OpenAPIBuildError(f"two operations for {operation.method} {operation.path}")
        methods[operation.method] = _operation(operation, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Leonardo.ai: {ENDPOINT.summary}",
            "version": __version__,
            "description": (
                f"Generated by genspec from spec/{REQUEST_SCHEMA} and spec/{RESPONSE_SCHEMA}: "
                "do not edit. Regenerate with `genspec generate`. Cross-field rules are the "
                "`x-rules` (errors) and `x-advice` (warnings) lists of the request schema, "
                "extension data here; types, ranges, enums and unknown members are asserted."
            ),
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": ENDPOINT.server}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def render_openapi_json(document: dict[str, Any]) -> str:
    """The document as committed: stable key order (the spec's), two-space indent, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
