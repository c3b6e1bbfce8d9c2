"""The endpoints around the POST: fetch a generation, upload an init image, receive a webhook.

Their schemas are hand-written in spec/ (each fact's source in an `x-source` note) and read
tolerantly: open objects, and open enums (`anyOf: [{enum}, {type: string}]`) so a new status or
event type reaches the user instead of breaking the client. This module names the files, the
component names and the operations (`genspec.openapi.Operation`s) and builds the OpenAPI
document with them; `clients.py` turns that document into models, so both read one description.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from genspec.jsonio import load_file
from genspec.openapi import Operation, build_openapi

# Component name -> spec file. The names are the models' class names.
GET_GENERATION_RESPONSE = "GetGenerationResponse"
INIT_IMAGE_REQUEST = "InitImageRequest"
INIT_IMAGE_RESPONSE = "InitImageResponse"
WEBHOOK_PAYLOAD = "WebhookPayload"

LOOP_SCHEMAS: dict[str, str] = {
    GET_GENERATION_RESPONSE: "generation-get-response.schema.json",
    INIT_IMAGE_REQUEST: "init-image-request.schema.json",
    INIT_IMAGE_RESPONSE: "init-image-response.schema.json",
    WEBHOOK_PAYLOAD: "webhook-payload.schema.json",
}


# The id in the spec's examples; `genspec mock` serves a finished generation under it, and the
# OpenAPI document gives it as the path parameter's example, so schemathesis fetches a real one.
EXAMPLE_GENERATION_ID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"

LOOP_OPERATIONS = (
    Operation(
        path="/generations/{id}",
        method="get",
        operation_id="getGenerationById",
        summary="Get a generation: its status and, once COMPLETE, its images",
        response=GET_GENERATION_RESPONSE,
        response_description="The generation, or `generations_by_pk: null` for an unknown id.",
        parameters=(
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": "The generationId the POST answered.",
                "schema": {"type": "string"},
                "example": EXAMPLE_GENERATION_ID,
            },
        ),
    ),
    Operation(
        path="/init-image",
        method="post",
        operation_id="uploadInitImage",
        summary="Start an init-image upload: a presigned URL and the form fields to POST it with",
        response=INIT_IMAGE_RESPONSE,
        response_description="Where and how to upload the file (without the Authorization header).",
        request=INIT_IMAGE_REQUEST,
    ),
)


def loop_openapi(
    request_schema: dict[str, Any], response_schema: dict[str, Any], loop_schemas: dict[str, Any]
) -> dict[str, Any]:
    """The OpenAPI document with the loop's operations and components (none without schemas).

    The webhook payload is a component only, not an OpenAPI `webhooks` entry: openapi-generator's
    python target turns such an entry into a method that does not compile.
    """
    operations = LOOP_OPERATIONS if loop_schemas else ()
    return build_openapi(
        request_schema, response_schema, schemas=loop_schemas, operations=operations
    )


def load_loop_schemas(spec: Path) -> dict[str, Any]:
    """Component name -> schema, read from the spec folder (else genspec's bundled spec: a
    user's own spec folder usually only holds the request and response)."""
    from genspec.spec import spec_dir

    return {
        name: load_file(spec / file if (spec / file).is_file() else spec_dir() / file)
        for name, file in LOOP_SCHEMAS.items()
    }


def member_names(schema: Any) -> dict[str, list[str]]:
    """Schema pointer of each closed object schema -> the member names it allows.

    What the generated client needs for a did-you-mean on an unknown member: an
    `additionalProperties` error's `schema_path` minus its last token is one of these pointers.
    Exact `^name$` patterns count as names.
    """
    found: dict[str, list[str]] = {}

    def visit(node: Any, pointer: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                visit(item, f"{pointer}/{index}")
            return
        if not isinstance(node, Mapping):
            return
        if node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False:
            names = set(node.get("properties", {}))
            for pattern in node.get("patternProperties", {}):
                exact = pattern[1:-1] if pattern[:1] == "^" and pattern[-1:] == "$" else ""
                if exact.isidentifier():
                    names.add(exact)
            found[pointer] = sorted(names)
        for key, value in node.items():
            if key not in ("enum", "const", "default", "examples") and not key.startswith("x-"):
                visit(value, f"{pointer}/{_escape(key)}")

    visit(schema, "")
    return dict(sorted(found.items()))


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
