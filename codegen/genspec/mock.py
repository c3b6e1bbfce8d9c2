"""`genspec mock`: a local server that answers like Leonardo's API, so apps are tested for free.

Endpoints (under /api/rest/v1, bearer auth with `--api-key`):
- POST /generations: the body is checked by the same compiled validator the client uses
  (`leonardo_generations.validate_request`) and refused as the real server words it
  (`{"error", "path", "code"}`: "Unexpected variable X", `expecting a value for non-nullable
  variable: "prompt"`, GraphQL type errors, "Invalid prompt, maximum length of 1500 characters
  exceeded.", "invalid init image id"); a rule the server's wording is not documented for is
  answered with the validator's message. A good body gets a generationId and a cost.
- GET /generations/{id}: PENDING until `--delay` seconds have passed, then COMPLETE with
  `num_images` images whose URLs this server serves (/mock-cdn/..., real PNGs of the requested
  size). A prompt containing "[mock:fail]" ends FAILED.
- POST /init-image, then the multipart POST to the returned presigned URL (/mock-s3/upload): the
  upload refuses an Authorization header, as S3 does; the id is then a valid init_image_id.
- Webhook: with `--webhook-url`, each finished generation is POSTed there with
  `authorization: Bearer <--webhook-key>`.
- Faults: `--failure-rate` of API requests answered 429 or 503 with `Retry-After`, `--latency`
  seconds added, `--drop-rate` of replies cut off mid-body.
- GET /mock/requests: what the mock received, newest last (method, path, headers; the value
  of an Authorization header shown as "<present>"), so a test can assert what a client sent,
  e.g. that the presigned upload carried no Authorization.
Memory is bounded: request bodies and uploads are size-capped, and only the newest
MAX_GENERATIONS generations and uploads are kept.

The mock reads the generated package (`leonardo_generations`) at run time, like the tests: it
must answer as the validator it mocks for does, so it imports that validator rather than compile
another copy. Starlette, uvicorn and python-multipart are imported only when it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import math
import random
import socket
import struct
import sys
import time
import uuid
import zlib
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from genspec.generation_loop import EXAMPLE_GENERATION_ID

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Receive, Scope, Send

API_PREFIX = "/api/rest/v1"
DEFAULT_API_KEY = "mock-api-key"
MAX_BODY_BYTES = 1024 * 1024  # request bodies; the real endpoint's bodies are a few KB
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_GENERATIONS = 10_000  # generations and uploads kept; the oldest go first
MAX_LOGGED_REQUESTS = 1_000  # entries of GET /mock/requests; the oldest go first
REQUEST_LOG_PATH = "/mock/requests"
GRAPHQL_PATH = "$.selectionSet.sdGenerationJob.args.arg1"
INIT_EXTENSIONS = ("png", "jpg", "jpeg", "webp")
# A finished generation served from the start, under the spec's example id.
DEMO_BODY = {"prompt": "A lighthouse at dusk", "num_images": 1, "width": 512, "height": 512}

# JSON Schema type -> how Hasura names it in "expected a 32-bit integer for type 'Int', ...".
_GRAPHQL_TYPES = {
    "integer": "a 32-bit integer for type 'Int'",
    "number": "a float for type 'Float'",
    "boolean": "a boolean for type 'Boolean'",
    "string": "a string for type 'String'",
    "array": "a list",
    "object": "an object",
}


@dataclass(frozen=True)
class MockSettings:
    api_key: str = DEFAULT_API_KEY
    delay: float = 2.0  # seconds from PENDING to COMPLETE
    failure_rate: float = 0.0  # share of API requests answered 429 or 503
    retry_after: int = 1  # seconds, sent with those
    latency: float = 0.0  # seconds added before every API answer
    drop_rate: float = 0.0  # share of API replies cut off mid-body
    webhook_url: str | None = None
    webhook_key: str | None = None
    seed: int | None = None  # makes the faults reproducible


@dataclass
class _Generation:
    id: str
    body: dict[str, Any]
    created: float
    webhook_sent: bool = False

    def status(self, delay: float) -> str:
        if time.monotonic() - self.created < delay:
            return "PENDING"
        return "FAILED" if "[mock:fail]" in str(self.body.get("prompt", "")) else "COMPLETE"


@dataclass
class _State:
    settings: MockSettings
    generations: OrderedDict[str, _Generation] = field(default_factory=OrderedDict)
    uploads: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)
    random: random.Random = field(default_factory=random.Random)

    def remember(self, store: OrderedDict[str, Any], key: str, value: Any) -> None:
        store[key] = value
        while len(store) > MAX_GENERATIONS:
            store.popitem(last=False)


def _error(status: int, message: str, code: str, path: str = "$") -> Response:
    from starlette.responses import JSONResponse

    return JSONResponse({"error": message, "path": path, "code": code}, status_code=status)


def _graphql_path(instance_path: str) -> str:
    """The GraphQL path the real server reports: `/controlnets/0/weight` ->
    `$.selectionSet.sdGenerationJob.args.arg1.controlnets[0].weight`."""
    path = GRAPHQL_PATH
    for token in instance_path.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        path += f"[{token}]" if token.isdigit() else f".{token}"
    return path


def _found(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _at_pointer(document: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


@functools.cache
def _request_schema() -> Any:
    from genspec.spec import load_schema

    return load_schema()


def refusal(body: Any) -> tuple[str, str, str] | None:
    """(message, code, path) the real server would answer `body` with, or None if accepted.

    Wording from the API Error Messages page and real replies (leonardo-api-facts.md, section 3).
    """
    from leonardo_generations.validate_request import validate

    errors = [e for e in validate(body) if e.severity == "error"]
    if not errors:
        return None
    error = errors[0]
    if error.keyword == "additionalProperties" and error.property:
        return f"Unexpected variable {error.property}", "bad-request", "$"
    if error.keyword == "required" and error.property and not error.rule_id:
        message = f'expecting a value for non-nullable variable: "{error.property}"'
        return message, "validation-failed", "$"
    if error.instance_path == "/prompt" and error.keyword == "maxLength":
        return "Invalid prompt, maximum length of 1500 characters exceeded.", "unexpected", "$"
    if error.keyword == "type":
        value = _at_pointer(body, error.instance_path)  # the validator found it there
        if value is None:
            name = error.instance_path.rsplit("/", 1)[-1]
            message = f'expecting a value for non-nullable variable: "{name}"'
            return message, "validation-failed", _graphql_path(error.instance_path)
        try:
            allowed = _at_pointer(_request_schema(), error.schema_path)
        except (KeyError, IndexError, ValueError, TypeError):  # a path the schema cannot walk
            allowed = []
        if not isinstance(allowed, str | list):
            allowed = []
        kinds = [allowed] if isinstance(allowed, str) else [k for k in allowed if k != "null"]
        expected = _GRAPHQL_TYPES.get(kinds[0], kinds[0]) if kinds else "a value"
        message = f"expected {expected}, but found {_found(value)}"
        return message, "validation-failed", _graphql_path(error.instance_path)
    return error.message, "bad-request", _graphql_path(error.instance_path)


@functools.lru_cache(maxsize=16)
def png_image(width: int, height: int, shade: int) -> bytes:
    """A real PNG, one colour, of the given size (8-bit RGB)."""
    row = b"\x00" + bytes((shade, 96, 255 - shade)) * width
    pixels = zlib.compress(row * height, 6)

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _image_count(body: dict[str, Any]) -> int:
    count = body.get("num_images")
    return count if isinstance(count, int) and not isinstance(count, bool) else 4  # the default


def _dimension(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name)
    return value if isinstance(value, int) and 32 <= value <= 1536 else default


def _generation_document(generation: _Generation, base: str, delay: float) -> dict[str, Any]:
    body = generation.body
    status = generation.status(delay)
    count = _image_count(body)
    images = [
        {
            "id": f"{generation.id}-{index}",
            "url": f"{base}/mock-cdn/{generation.id}/{index}.png",
            "nsfw": False,
            "likeCount": 0,
            "generated_image_variation_generics": [],
        }
        for index in range(count if status == "COMPLETE" else 0)
    ]
    return {
        "id": generation.id,
        "status": status,
        "generated_images": images,
        "modelId": body.get("modelId"),
        "prompt": body.get("prompt"),
        "negativePrompt": body.get("negative_prompt"),
        "imageWidth": _dimension(body, "width", 1024),
        "imageHeight": _dimension(body, "height", 768),
        "seed": body.get("seed") if isinstance(body.get("seed"), int) else 42,
        "sdVersion": body.get("sd_version"),
        "presetStyle": body.get("presetStyle"),
        "public": bool(body.get("public", False)),
        "createdAt": "2026-01-01T00:00:00.000",
    }


async def _bounded_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than `limit` (reading stops there)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def build_app(settings: MockSettings) -> ASGIApp:
    """The ASGI application (Starlette), for uvicorn or a test's own server."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    state = _State(settings)
    demo = _Generation(EXAMPLE_GENERATION_ID, dict(DEMO_BODY), created=-math.inf)
    state.remember(state.generations, demo.id, demo)
    if settings.seed is not None:
        state.random.seed(settings.seed)
    expected = f"Bearer {settings.api_key}"

    def base_url(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def unauthorized(request: Request) -> Response | None:
        if request.headers.get("authorization") != expected:
            return _error(401, "Authentication hook unauthorized this request", "access-denied")
        return None

    async def faults(request: Request) -> Response | None:
        if settings.latency:
            await asyncio.sleep(settings.latency)
        if settings.failure_rate and state.random.random() < settings.failure_rate:
            status = state.random.choice((429, 503))
            message = "Too many requests" if status == 429 else "Service Unavailable"
            response = _error(status, message, "unexpected")
            response.headers["Retry-After"] = str(settings.retry_after)
            return response
        return None

    async def json_body(request: Request) -> Any:
        raw = await _bounded_body(request, MAX_BODY_BYTES)
        if raw is None:
            return _error(413, "request body too large", "bad-request")
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            return _error(400, "invalid JSON in the request body", "bad-request")

    async def create_generation(request: Request) -> Response:
        refused = unauthorized(request) or await faults(request)
        if refused is not None:
            return refused
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        problem = refusal(body)
        if problem is not None:
            message, code, path = problem
            return _error(400, message, code, path)
        init = body.get("init_image_id")
        if isinstance(init, str) and not state.uploads.get(init, {}).get("stored"):
            return _error(400, "invalid init image id", "unexpected")
        generation = _Generation(str(uuid.uuid4()), body, time.monotonic())
        state.remember(state.generations, generation.id, generation)
        if settings.webhook_url:
            _schedule_webhook(generation, base_url(request))
        credits = 2 * _image_count(body)
        job = {
            "generationId": generation.id,
            "apiCreditCost": credits,
            "cost": {"amount": str(credits), "unit": "CREDITS"},
        }
        return JSONResponse({"sdGenerationJob": job})

    async def get_generation(request: Request) -> Response:
        refused = unauthorized(request) or await faults(request)
        if refused is not None:
            return refused
        generation = state.generations.get(request.path_params["id"])
        if generation is None:
            return JSONResponse({"generations_by_pk": None})
        document = _generation_document(generation, base_url(request), settings.delay)
        return JSONResponse({"generations_by_pk": document})

    async def image(request: Request) -> Response:
        generation = state.generations.get(request.path_params["id"])
        index = request.path_params["index"]
        if generation is None or generation.status(settings.delay) != "COMPLETE":
            return Response("no such image", status_code=404)
        width = _dimension(generation.body, "width", 1024)
        height = _dimension(generation.body, "height", 768)
        data = await asyncio.to_thread(png_image, width, height, (index * 67) % 256)
        return Response(data, media_type="image/png")

    async def init_image(request: Request) -> Response:
        refused = unauthorized(request) or await faults(request)
        if refused is not None:
            return refused
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        if not isinstance(body, dict) or set(body) != {"extension"}:
            return _error(400, "expecting a single variable: extension", "validation-failed")
        if body["extension"] not in INIT_EXTENSIONS:
            return _error(400, "invalid extension", "validation-failed", "$.extension")
        upload_id = str(uuid.uuid4())
        key = f"uploads/{upload_id}.{body['extension']}"
        fields = {"key": key, "policy": uuid.uuid4().hex, "x-amz-signature": uuid.uuid4().hex}
        state.remember(state.uploads, upload_id, {"fields": fields, "stored": False})
        document = {
            "id": upload_id,
            "url": f"{base_url(request)}/mock-s3/upload",
            "fields": json.dumps(fields),
            "key": key,
        }
        return JSONResponse({"uploadInitImage": document})

    async def presigned_upload(request: Request) -> Response:
        if "authorization" in request.headers:  # S3: a presigned POST allows one auth mechanism
            return Response(
                "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed"
                "</Message></Error>",
                status_code=400,
                media_type="application/xml",
            )
        length = request.headers.get("content-length", "")
        if not length.isdigit():
            return Response("<Error><Code>MissingContentLength</Code></Error>", status_code=411)
        if int(length) > MAX_UPLOAD_BYTES:
            return Response("<Error><Code>EntityTooLarge</Code></Error>", status_code=400)
        form = await request.form(max_files=1, max_fields=20, max_part_size=MAX_UPLOAD_BYTES)
        key = form.get("key")
        upload_id = str(key).split("/")[-1].rsplit(".", 1)[0] if key else ""
        upload = state.uploads.get(upload_id)
        file = form.get("file")
        matches = upload is not None and all(
            form.get(name) == value for name, value in upload["fields"].items()
        )
        if upload is None or not matches or file is None or isinstance(file, str):
            return Response("<Error><Code>AccessDenied</Code></Error>", status_code=403)
        upload["stored"] = True
        return Response(status_code=204)

    def _schedule_webhook(generation: _Generation, base: str) -> None:
        async def deliver() -> None:
            await asyncio.sleep(settings.delay)
            document = _generation_document(generation, base, settings.delay)
            payload = {
                "type": "image_generation.complete",
                "object": "generation",
                "api_version": "v1",
                "data": {
                    "object": {
                        "id": generation.id,
                        "status": document["status"],
                        "images": document["generated_images"],
                        "seed": str(document["seed"]),
                        "prompt": document["prompt"],
                    }
                },
            }
            await _post_webhook(settings, payload)
            generation.webhook_sent = True

        asyncio.get_running_loop().create_task(deliver())

    received: deque[dict[str, Any]] = deque(maxlen=MAX_LOGGED_REQUESTS)

    async def request_log(request: Request) -> Response:
        return JSONResponse({"requests": list(received)})

    routes = [
        Route(REQUEST_LOG_PATH, request_log, methods=["GET"]),
        Route(f"{API_PREFIX}/generations", create_generation, methods=["POST"]),
        Route(f"{API_PREFIX}/generations/{{id}}", get_generation, methods=["GET"]),
        Route(f"{API_PREFIX}/init-image", init_image, methods=["POST"]),
        Route("/mock-s3/upload", presigned_upload, methods=["POST"]),
        Route("/mock-cdn/{id}/{index:int}.png", image, methods=["GET"]),
    ]
    app: ASGIApp = Starlette(routes=routes)
    if settings.drop_rate:
        app = _DroppingApp(app, settings, state.random)
    return _RecordingApp(app, received)


async def _post_webhook(settings: MockSettings, payload: dict[str, Any]) -> None:
    import httpx

    assert settings.webhook_url is not None
    headers = {"authorization": f"Bearer {settings.webhook_key or ''}"}
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            await client.post(settings.webhook_url, json=payload, headers=headers)
    except httpx.HTTPError as exc:
        print(f"genspec mock: webhook delivery failed: {type(exc).__name__}", file=sys.stderr)


class _RecordingApp:
    """Logs every request but those to the log itself, before anything can drop it."""

    def __init__(self, app: ASGIApp, log: deque[dict[str, Any]]) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != REQUEST_LOG_PATH:
            headers: dict[str, str] = {}
            for raw_name, raw_value in scope["headers"]:
                name = raw_name.decode("latin-1").lower()
                value = raw_value.decode("latin-1")
                headers[name] = "<present>" if name == "authorization" else value
            self.log.append({"method": scope["method"], "path": scope["path"], "headers": headers})
        await self.app(scope, receive, send)


class _DroppingApp:
    """Cuts `drop_rate` of the API replies off mid-body: the client sees the connection drop."""

    def __init__(self, app: ASGIApp, settings: MockSettings, rng: random.Random) -> None:
        self.app = app
        self.settings = settings
        self.random = rng

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = scope["type"] == "http" and scope["path"].startswith(API_PREFIX)
        if not api or self.random.random() >= self.settings.drop_rate:
            await self.app(scope, receive, send)
            return
        headers = [(b"content-length", b"1000"), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"sdGeneration', "more_body": True})
        # Returning with the reply incomplete makes uvicorn close the connection.


# --- the command ------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the Bearer key accepted")
    parser.add_argument("--delay", type=float, default=2.0, help="seconds PENDING -> COMPLETE")
    parser.add_argument("--failure-rate", type=_rate, default=0.0, help="share answered 429/503")
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After of those")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to answers")
    parser.add_argument("--drop-rate", type=_rate, default=0.0, help="share of replies cut off")
    parser.add_argument("--webhook-url", help="POST image_generation.complete events here")
    parser.add_argument("--webhook-key", help="sent as `authorization: Bearer <key>`")
    parser.add_argument("--seed", type=int, help="seed of the fault injection")


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1")
    return value


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        print(
            "genspec mock: error: needs uvicorn and starlette: pip install 'genspec[mock]'",
            file=sys.stderr,
        )
        return 2
    settings = MockSettings(
        api_key=args.api_key,
        delay=args.delay,
        failure_rate=args.failure_rate,
        retry_after=args.retry_after,
        latency=args.latency,
        drop_rate=args.drop_rate,
        webhook_url=args.webhook_url,
        webhook_key=args.webhook_key,
        seed=args.seed,
    )
    try:
        listener = socket.create_server((args.host, args.port))
    except OSError as exc:
        print(
            f"genspec mock: error: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    host, port = listener.getsockname()[:2]
    print(
        f"genspec mock: Leonardo's API on http://{host}:{port}{API_PREFIX} "
        f"(API key {settings.api_key!r})",
        flush=True,
    )
    config = uvicorn.Config(
        build_app(settings),
        log_level="warning",
        limit_concurrency=1000,  # beyond that, 503: bounded memory under load
        timeout_graceful_shutdown=1,
    )
    uvicorn.Server(config).run(sockets=[listener])
    return 0
