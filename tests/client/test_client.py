"""Both generated clients against a real HTTP server on 127.0.0.1 that replays scripted replies.

Every test runs twice, once through `Client` and once through `AsyncClient`, with the same
assertions: the two must behave alike. Backoff is a millisecond so retry tests stay fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import json
import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

import leonardo_generations as lg
from leonardo_generations import client as client_module

API_KEY = "test-key-c0ffee-never-shown"
VALID_BODY: dict[str, Any] = {"prompt": "A lighthouse at dusk", "num_images": 1}
JOB = {
    "sdGenerationJob": {
        "generationId": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "apiCreditCost": None,
        "cost": {"amount": "0.0147", "unit": "DOLLARS"},
    }
}
BASE_PATH = "/api/rest/v1"


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=lambda: JOB)  # str or bytes: sent as is; else JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # Writes the whole reply itself (status line included), for hostile replies.
    writer: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out hangs up mid-reply: expected, not worth a traceback


class ScriptedServer:
    """Answers each request with the next scripted reply; the last one repeats."""

    def __init__(self) -> None:
        self.replies: list[Reply] = [Reply()]
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.01)  # shutdown() waits up to one interval

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{BASE_PATH}"

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def _next(self, received: Received) -> Reply:
        with self._lock:
            self.received.append(received)
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self._answer()

            def do_GET(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                received = Received(self.command, self.path, dict(self.headers), body)
                reply = server._next(received)
                time.sleep(reply.delay)
                if reply.writer is not None:
                    self.close_connection = True
                    reply.writer(self)
                    return
                if isinstance(reply.body, bytes):
                    data = reply.body
                else:
                    text = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                    data = text.encode("utf-8")
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json"} | reply.headers
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


Create = Callable[..., lg.GenerationResponse]


@pytest.fixture(params=["sync", "async"])
def create(request: pytest.FixtureRequest, server: ScriptedServer) -> Create:
    """`create(body, **client_options)`: one create_generation through the client under test."""

    def options(overrides: dict[str, Any]) -> dict[str, Any]:
        defaults = {"api_key": API_KEY, "base_url": server.base_url, "backoff": 0.001}
        return defaults | overrides

    def sync(body: Any, **overrides: Any) -> lg.GenerationResponse:
        with lg.Client(**options(overrides)) as client:
            return client.create_generation(body)

    def run_async(body: Any, **overrides: Any) -> lg.GenerationResponse:
        async def call() -> lg.GenerationResponse:
            async with lg.AsyncClient(**options(overrides)) as client:
                return await client.create_generation(body)

        return asyncio.run(call())

    return sync if request.param == "sync" else run_async


# --- request shape and auth -------------------------------------------------------------------


def test_posts_the_body_as_json_with_bearer_auth(create: Create, server: ScriptedServer) -> None:
    create(VALID_BODY)
    [sent] = server.received
    assert sent.method == "POST"
    assert sent.path == f"{BASE_PATH}/generations"
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.body) == VALID_BODY


def test_a_model_body_sends_only_the_fields_set_under_json_names(
    create: Create, server: ScriptedServer
) -> None:
    body = lg.GenerationRequest(prompt="A lighthouse at dusk", num_images=1, preset_style="NONE")
    create(body)
    # Defaults (alchemy, width, modelId...) stay unsent: the rules read an omitted field as its
    # default, and PhotoReal v1 even requires modelId to be absent.
    assert json.loads(server.received[0].body) == {
        "prompt": "A lighthouse at dusk",
        "num_images": 1,
        "presetStyle": "NONE",
    }


def test_returns_the_typed_response(create: Create) -> None:
    response = create(VALID_BODY)
    assert isinstance(response, lg.GenerationResponse)
    job = response.sd_generation_job
    assert job is not None
    assert job.generation_id == "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
    assert job.cost is not None and (job.cost.amount, job.cost.unit) == ("0.0147", "DOLLARS")


def test_api_key_defaults_to_the_environment(
    create: Create, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEONARDO_API_KEY", "from-env")
    create(VALID_BODY, api_key=None)
    assert server.received[0].headers["Authorization"] == "Bearer from-env"


def test_no_api_key_is_an_error_that_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEONARDO_API_KEY", raising=False)
    with pytest.raises(lg.LeonardoError, match="LEONARDO_API_KEY"):
        lg.Client()
    with pytest.raises(lg.LeonardoError, match="LEONARDO_API_KEY"):
        lg.AsyncClient()


# --- local validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path", "rule_id"),
    [
        ({"prompt": "x", "num_images": 8}, "/num_images", "num-images-max-4-when-large"),
        ({"prompt": "x", "width": 1001}, "/width", None),
        ({"num_images": 1}, "", None),
    ],
)
def test_a_body_the_validator_rejects_is_never_sent(
    create: Create, server: ScriptedServer, body: dict[str, Any], path: str, rule_id: str | None
) -> None:
    with pytest.raises(lg.RequestInvalid) as raised:
        create(body)
    assert server.received == []
    errors = raised.value.errors
    assert errors and all(isinstance(e, lg.Error) and e.severity == "error" for e in errors)
    assert any(e.instance_path == path and e.rule_id == rule_id for e in errors), errors
    assert path in str(raised.value)


def test_a_model_body_is_validated_too(create: Create, server: ScriptedServer) -> None:
    with pytest.raises(lg.RequestInvalid):
        create(lg.GenerationRequest(prompt="x", width=1001))
    assert server.received == []


def test_warnings_are_logged_not_raised(
    create: Create, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"prompt": "x", "num_images": 1, "guidance_scale": 25}
    assert {e.severity for e in lg.validate(body)} == {"warning"}
    with caplog.at_level(logging.WARNING, logger="leonardo_generations"):
        create(body)
    assert len(server.received) == 1
    assert any("/guidance_scale" in r.getMessage() for r in caplog.records)


# --- retries ----------------------------------------------------------------------------------


def test_429_waits_for_retry_after_then_succeeds(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(429, {"error": "slow down"}, {"Retry-After": "1"}), Reply())
    started = time.monotonic()
    create(VALID_BODY, backoff=0.0)
    assert time.monotonic() - started >= 0.95
    assert len(server.received) == 2


def test_503_then_200_is_retried(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(503, {"error": "busy"}), Reply())
    assert create(VALID_BODY).sd_generation_job is not None
    assert len(server.received) == 2
    assert server.received[0].body == server.received[1].body


def test_retries_are_bounded(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(503, {"error": "Service Error", "path": "$", "code": "unexpected"}))
    with pytest.raises(lg.ServerError) as raised:
        create(VALID_BODY, max_retries=2)
    assert len(server.received) == 3
    assert raised.value.status_code == 503
    assert raised.value.code == "unexpected"


def test_zero_retries_means_one_attempt(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(500, {"error": "internal error"}))
    with pytest.raises(lg.ServerError):
        create(VALID_BODY, max_retries=0)
    assert len(server.received) == 1


def test_a_retry_after_too_long_to_wait_is_raised_at_once(
    create: Create, server: ScriptedServer
) -> None:
    server.script(Reply(429, {"error": "quota"}, {"Retry-After": "3600"}))
    with pytest.raises(lg.RateLimitError) as raised:
        create(VALID_BODY)
    assert len(server.received) == 1
    assert raised.value.retry_after == 3600


def test_400_is_not_retried(create: Create, server: ScriptedServer) -> None:
    error = {"error": "Unexpected variable sd_Version", "path": "$", "code": "bad-request"}
    server.script(Reply(400, error))
    with pytest.raises(lg.ClientError) as raised:
        create(VALID_BODY)
    assert len(server.received) == 1
    assert (raised.value.status_code, raised.value.body) == (400, error)
    assert (raised.value.message, raised.value.code, raised.value.path) == (
        "Unexpected variable sd_Version",
        "bad-request",
        "$",
    )
    assert "Unexpected variable sd_Version" in str(raised.value)


def test_a_refused_connection_is_retried_then_raised(create: Create) -> None:
    with ScriptedServer() as closed:
        url = closed.base_url
    started = time.monotonic()
    with pytest.raises(lg.APIConnectionError):
        create(VALID_BODY, base_url=url, max_retries=2)
    assert time.monotonic() - started < 5


# --- error mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, lg.AuthenticationError),
        (403, lg.PermissionDeniedError),
        (404, lg.ClientError),
        (422, lg.ClientError),
        (502, lg.ServerError),
    ],
)
def test_error_statuses_map_to_typed_errors(
    create: Create, server: ScriptedServer, status: int, kind: type[lg.APIError]
) -> None:
    body = {"error": "Authentication hook unauthorized this request", "code": "access-denied"}
    server.script(Reply(status, body))
    with pytest.raises(kind) as raised:
        create(VALID_BODY, max_retries=0)
    assert raised.value.status_code == status
    assert raised.value.body == body


def test_a_non_json_error_body_is_kept_as_text(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(502, "<html>Bad Gateway</html>"))
    with pytest.raises(lg.ServerError) as raised:
        create(VALID_BODY, max_retries=0)
    assert raised.value.body == "<html>Bad Gateway</html>"
    assert raised.value.message is None


@pytest.mark.parametrize("body", ["not json", {"sdGenerationJob": None}, {"other": 1}])
def test_a_success_without_a_job_is_unexpected(
    create: Create, server: ScriptedServer, body: Any
) -> None:
    server.script(Reply(200, body))
    with pytest.raises(lg.UnexpectedResponse):
        create(VALID_BODY)
    assert len(server.received) == 1


def test_a_timeout_raises_and_is_not_retried(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(delay=1.0))
    started = time.monotonic()
    with pytest.raises(lg.APITimeoutError):
        create(VALID_BODY, timeout=0.2, max_retries=2)
    assert time.monotonic() - started < 0.9
    assert len(server.received) == 1  # the server may have created the job: never sent twice


# --- the key stays secret ---------------------------------------------------------------------


def test_the_key_never_appears_in_repr_logs_or_errors(
    create: Create, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(Reply(503, {"error": "busy"}), Reply(401, {"error": "bad key"}))
    with caplog.at_level(logging.DEBUG), pytest.raises(lg.AuthenticationError) as raised:
        create(VALID_BODY)
    client = lg.Client(api_key=API_KEY)
    shown = [repr(client), str(vars(client)), str(raised.value), repr(raised.value)]
    shown += [str(vars(raised.value)), caplog.text]
    client.close()
    assert all(API_KEY not in text for text in shown)
    assert "retry 1 of 2" in caplog.text  # the retry was logged, so the logs were looked at


# --- helpers that need no server --------------------------------------------------------------


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    parse = client_module._retry_after_seconds
    assert parse("7") == 7.0
    assert parse(None) is None
    assert parse("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    seconds = parse(later)
    assert seconds is not None and 25 <= seconds <= 30
    assert parse("Thu, 01 Jan 1970 00:00:00 GMT") == 0.0


def test_bad_settings_are_refused() -> None:
    with pytest.raises(lg.SettingsInvalid):
        lg.Client(api_key=API_KEY, max_retries=-1)
    with pytest.raises(ValueError):  # SettingsInvalid is a ValueError too
        lg.Client(api_key=API_KEY, timeout=0)
    with pytest.raises(lg.SettingsInvalid):
        lg.Client(api_key=API_KEY, http_client=httpx.Client(), transport=httpx.HTTPTransport())


# --- the key is checked before anything is sent -----------------------------------------------


@pytest.mark.parametrize(
    ("key", "said"),
    [
        (
            "sk-1234\r",
            "ends with a carriage return (CR) (read from a file with CRLF line endings?)",
        ),
        ("sk-1234\r\n", "ends with a carriage return (CR)"),
        ("sk-1234\n", "ends with a line feed (LF)"),
        ("sk-12\r\nX-Injected: 1", "contains a carriage return (CR)"),
        ("sk-12\x0034", "contains a NUL character"),
        (" sk-1234", "starts with a space"),
        ("sk-clé-1234", "is not ASCII"),
        ("sk-\u202e1234", "is not ASCII"),
        ("sk-12\x1b34", "contains a control character"),
        ("", "is empty"),
        ("sk-" + "\r\n\x00é" * 8, "contains a carriage return (CR)"),
    ],
)
def test_a_key_that_cannot_be_sent_is_refused_saying_why(key: str, said: str) -> None:
    for make in (lg.Client, lg.AsyncClient):
        with pytest.raises(lg.APIKeyInvalid) as raised:
            make(api_key=key)
        assert said in str(raised.value)
        assert isinstance(raised.value, lg.LeonardoError)
        assert_no_leak(raised.value, key)


def test_a_key_from_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEONARDO_API_KEY", "sk-from-a-crlf-env-file\r")
    with pytest.raises(lg.APIKeyInvalid, match=r"\$LEONARDO_API_KEY\) ends with a carriage") as e:
        lg.Client()
    assert_no_leak(e.value, "sk-from-a-crlf-env-file")


# --- the key never leaves the client, on any failure path -------------------------------------

CANARY = "sk-canary-5f1d0c2b-9a7e-4c3f-8b6a-d2e1f0a9b8c7"


def _fragments(key: str) -> set[str]:
    """The key and every 12-character piece of it, raw and as repr shows it."""
    pieces = {key} | {key[i : i + 12] for i in range(max(1, len(key) - 11))}
    return {text for p in pieces for text in (p, repr(p)[1:-1]) if text}


def _texts(value: Any, seen: set[int], depth: int = 0) -> Iterator[str]:
    """Every string reachable from `value`: attributes, slots, items, exception chains."""
    if id(value) in seen or depth > 40:
        return
    seen.add(id(value))
    if isinstance(value, str):
        yield value
        return
    if isinstance(value, bytes | bytearray):
        yield bytes(value).decode("latin-1")
        return
    if isinstance(value, int | float | bool | type(None)):
        return
    yield repr(value)
    if isinstance(value, BaseException):
        yield str(value)
        yield "".join(traceback.format_exception(value))
        yield from _client_frame_locals(value)
        for linked in (value.__cause__, value.__context__, value.args):
            yield from _texts(linked, seen, depth + 1)
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(key, seen, depth + 1)
            yield from _texts(item, seen, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _texts(item, seen, depth + 1)
    for name in getattr(type(value), "__slots__", ()):
        yield from _texts(getattr(value, name, None), seen, depth + 1)
    if hasattr(value, "__dict__") and not isinstance(value, type):
        yield from _texts(vars(value), seen, depth + 1)


def _client_frame_locals(error: BaseException) -> Iterator[str]:
    """repr of every local of the client's own frames in the traceback (what Sentry captures).

    Frames of the caller (this test) are skipped: they hold the key because they passed it.
    """
    package = Path(lg.__file__).parent
    for frame, _ in traceback.walk_tb(error.__traceback__):
        if Path(frame.f_code.co_filename).parent == package:
            yield from (f"{name}={value!r}" for name, value in frame.f_locals.items())


def assert_no_leak(error: BaseException, key: str) -> None:
    assert isinstance(error, lg.LeonardoError), repr(error)
    assert error.__cause__ is None and error.__context__ is None, repr(error.__context__)
    needles = _fragments(key)
    for text in _texts(error, set()):
        found = [n for n in needles if n in text]
        assert not found, f"key fragment {found[0]!r} in {text[:300]!r}"


def _hang_up(handler: BaseHTTPRequestHandler) -> None:
    handler.connection.shutdown(socket.SHUT_RDWR)


def _bad_gzip(handler: BaseHTTPRequestHandler) -> None:
    handler.wfile.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: 12\r\n\r\nnot gzip!!!!"
    )


def _endless_chunks(handler: BaseHTTPRequestHandler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" * 65536
    with contextlib.suppress(OSError):
        for _ in range(100_000):  # 6.5 GB if the client never stopped reading
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def _trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n")
    handler.wfile.flush()
    with contextlib.suppress(OSError):
        for _ in range(40):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(1.0)


def _echo_key(handler: BaseHTTPRequestHandler) -> None:
    echoed = json.dumps({"error": f"bad header {handler.headers['Authorization']}"}).encode()
    handler.wfile.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: %d\r\n\r\n" % len(echoed))
    handler.wfile.write(echoed)


DEEP = "[" * 100_000 + "]" * 100_000
UTF32_BAD = "{'error': 'x'}".encode("utf-32-le") + b"\xff\xff\xff\xff\x00"

FAILURE_PATHS: dict[str, tuple[list[Reply], type[lg.LeonardoError]]] = {
    "auth error": (
        [Reply(401, {"error": "Authentication hook unauthorized this request"})],
        lg.AuthenticationError,
    ),
    "auth error echoing the key": ([Reply(writer=_echo_key)], lg.AuthenticationError),
    "4xx": (
        [Reply(400, {"error": "Unexpected variable sd_Version", "code": "bad-request"})],
        lg.ClientError,
    ),
    "5xx after retries": ([Reply(503, {"error": "busy"})], lg.ServerError),
    "unknown status": ([Reply(999, {"error": "?"})], lg.APIError),
    "retry-after superscript": ([Reply(503, "busy", {"Retry-After": "²"})], lg.ServerError),
    "timeout": ([Reply(delay=2.0)], lg.APITimeoutError),
    "dropped connection": ([Reply(writer=_hang_up)], lg.APIConnectionError),
    "bad gzip body": ([Reply(writer=_bad_gzip)], lg.UnexpectedResponse),
    "bad json": ([Reply(200, "{not json")], lg.UnexpectedResponse),
    "wrong types": (
        [Reply(200, {"sdGenerationJob": {"generationId": "g", "apiCreditCost": True}})],
        lg.UnexpectedResponse,
    ),
    "utf-32 error body with bad bytes": (
        [Reply(400, UTF32_BAD, {"Content-Type": "application/json; charset=utf-32"})],
        lg.ClientError,
    ),
    "deep json success": ([Reply(200, DEEP)], lg.UnexpectedResponse),
    "deep json error": ([Reply(500, DEEP)], lg.ServerError),
    "oversized success": ([Reply(writer=_endless_chunks)], lg.UnexpectedResponse),
    "oversized error": ([Reply(500, "x" * 3_000_000)], lg.ServerError),
}


@pytest.mark.parametrize("path", sorted(FAILURE_PATHS))
def test_no_failure_path_leaks_the_key(
    create: Create,
    server: ScriptedServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    replies, kind = FAILURE_PATHS[path]
    server.script(*replies)
    monkeypatch.setenv("LEONARDO_API_KEY", CANARY)  # no local variable of this frame holds it
    with caplog.at_level(logging.DEBUG):
        error = _raised(lambda: create(VALID_BODY, api_key=None, timeout=1.0, max_retries=1))
    assert type(error) is kind, repr(error)
    assert_no_leak(error, CANARY)
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert not [n for n in _fragments(CANARY) if n in logged]
    assert server.received and server.received[0].headers["Authorization"] == f"Bearer {CANARY}"


def test_connection_refused_leaks_nothing(
    create: Create, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with ScriptedServer() as closed:
        url = closed.base_url
    monkeypatch.setenv("LEONARDO_API_KEY", CANARY)
    with caplog.at_level(logging.DEBUG):
        error = _raised(lambda: create(VALID_BODY, api_key=None, base_url=url))
    assert type(error) is lg.APIConnectionError
    assert_no_leak(error, CANARY)
    assert CANARY not in caplog.text


def test_a_rejected_body_leaks_nothing(create: Create, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEONARDO_API_KEY", CANARY)
    error = _raised(lambda: create({"prompt": "x", "width": 1001}, api_key=None))
    assert type(error) is lg.RequestInvalid
    assert_no_leak(error, CANARY)


def _raised(call: Callable[[], Any]) -> BaseException:
    try:
        call()
    except Exception as exc:  # the test inspects whatever came out, LeonardoError or not
        return exc
    raise AssertionError("the call succeeded")


# --- bounded memory and time ------------------------------------------------------------------


def test_an_endless_success_body_stops_at_the_cap(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(writer=_endless_chunks))
    with pytest.raises(lg.UnexpectedResponse) as raised:
        create(VALID_BODY, max_response_bytes=100_000)
    assert raised.value.status_code == 200
    assert "larger than max_response_bytes (100000 bytes)" in str(raised.value)
    assert len(server.received) == 1


def test_a_huge_error_body_is_truncated(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(500, json.dumps({"error": "x" * 3_000_000})))
    with pytest.raises(lg.ServerError) as raised:
        create(VALID_BODY, max_retries=0)
    error = raised.value
    assert error.body_truncated
    assert isinstance(error.body, str) and len(error.body) == client_module.ERROR_BODY_LIMIT
    assert error.body.startswith('{"error": "xxx')
    assert len(str(error)) < 700


def test_the_deadline_covers_a_trickling_body(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(writer=_trickle))  # 40 bytes, one a second
    started = time.monotonic()
    with pytest.raises(lg.APITimeoutError):
        create(VALID_BODY, timeout=1.5)
    assert time.monotonic() - started < 4.0  # not 40 s


def test_the_deadline_covers_retries_and_waits(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(503, {"error": "busy"}, {"Retry-After": "1"}))
    started = time.monotonic()
    with pytest.raises(lg.ServerError):
        create(VALID_BODY, timeout=1.5, max_retries=10)
    assert time.monotonic() - started < 3.0
    assert len(server.received) == 2  # one wait fits in 1.5 s, the second would not


def test_a_retry_after_that_is_not_ascii_digits_is_ignored(
    create: Create, server: ScriptedServer
) -> None:
    server.script(Reply(503, {"error": "busy"}, {"Retry-After": "²"}), Reply())
    assert create(VALID_BODY).sd_generation_job is not None
    assert len(server.received) == 2


@pytest.mark.parametrize("status", [999, 302, 600])
def test_unknown_statuses_are_not_retried_and_not_server_errors(
    create: Create, server: ScriptedServer, status: int
) -> None:
    server.script(Reply(status, {"error": "odd"}))
    with pytest.raises(lg.APIError) as raised:
        create(VALID_BODY)
    assert type(raised.value) is lg.APIError
    assert raised.value.status_code == status
    assert len(server.received) == 1


@pytest.mark.parametrize(
    "job",
    [
        {"generationId": "g", "apiCreditCost": True},
        {"generationId": "g", "apiCreditCost": "5"},
        {"generationId": 5},
        {"generationId": "g", "cost": {"amount": 0.0147, "unit": "DOLLARS"}},
    ],
)
def test_response_types_are_not_coerced(create: Create, server: ScriptedServer, job: Any) -> None:
    server.script(Reply(200, {"sdGenerationJob": job}))
    with pytest.raises(lg.UnexpectedResponse) as raised:
        create(VALID_BODY)
    assert raised.value.body == {"sdGenerationJob": job}


def test_an_integer_cost_is_read_as_is(create: Create, server: ScriptedServer) -> None:
    server.script(Reply(200, {"sdGenerationJob": {"generationId": "g", "apiCreditCost": 7}}))
    job = create(VALID_BODY).sd_generation_job
    assert job is not None and job.api_credit_cost == 7


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(writer=_bad_gzip), lg.UnexpectedResponse),
        (Reply(200, DEEP), lg.UnexpectedResponse),
        (Reply(200, b"\xff\xfe{}"), lg.UnexpectedResponse),
        (
            Reply(400, UTF32_BAD, {"Content-Type": "application/json; charset=utf-32"}),
            lg.ClientError,
        ),
        (
            Reply(400, b"{}", {"Content-Type": "application/json; charset=no-such-codec"}),
            lg.ClientError,
        ),
        (Reply(500, DEEP), lg.ServerError),
    ],
)
def test_undecodable_replies_raise_typed_errors(
    create: Create, server: ScriptedServer, reply: Reply, kind: type[lg.APIError]
) -> None:
    server.script(reply)
    with pytest.raises(kind):
        create(VALID_BODY, max_retries=0)


# --- the generation loop: fetch, wait, generate, upload, webhooks -----------------------------

GENERATION_ID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
IMAGE = {"id": "img-1", "url": "https://cdn.leonardo.ai/users/u/generations/g/image_0.png"}


def generation(status: str, images: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    inner = {"id": GENERATION_ID, "status": status, "generated_images": images or []} | extra
    return {"generations_by_pk": inner}


Use = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def use(request: pytest.FixtureRequest, server: ScriptedServer) -> Use:
    """`use(method, *args, client={options}, **kwargs)`: one method call on the client under test
    (sync or async), built with the test server's URL and a millisecond backoff."""

    def build(kind: Any, options: dict[str, Any]) -> Any:
        defaults = {"api_key": API_KEY, "base_url": server.base_url, "backoff": 0.001}
        return kind(**(defaults | options))

    def sync(method: str, *args: Any, client: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        with build(lg.Client, client or {}) as made:
            return getattr(made, method)(*args, **kwargs)

    def run_async(
        method: str, *args: Any, client: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        async def call() -> Any:
            async with build(lg.AsyncClient, client or {}) as made:
                return await getattr(made, method)(*args, **kwargs)

        return asyncio.run(call())

    return sync if request.param == "sync" else run_async


def test_get_generation_fetches_by_id_with_auth(use: Use, server: ScriptedServer) -> None:
    server.script(Reply(200, generation("COMPLETE", [IMAGE], seed="42", newField={"x": 1})))
    found = use("get_generation", GENERATION_ID)
    assert isinstance(found, lg.Generation)
    assert (found.id, found.status, found.seed) == (GENERATION_ID, "COMPLETE", "42")
    assert found.generated_images is not None
    assert [(i.id, i.url) for i in found.generated_images] == [(IMAGE["id"], IMAGE["url"])]
    [sent] = server.received
    assert (sent.method, sent.path) == ("GET", f"{BASE_PATH}/generations/{GENERATION_ID}")
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"


def test_an_unknown_status_is_kept_not_refused(use: Use, server: ScriptedServer) -> None:
    server.script(Reply(200, generation("QUEUED_SOMEWHERE_NEW")))
    assert use("get_generation", GENERATION_ID).status == "QUEUED_SOMEWHERE_NEW"


def test_the_generation_id_cannot_escape_its_path(use: Use, server: ScriptedServer) -> None:
    server.script(Reply(200, generation("PENDING")))
    use("get_generation", "../../me?x=1")
    assert server.received[0].path == f"{BASE_PATH}/generations/..%2F..%2Fme%3Fx%3D1"


def test_an_unknown_generation_is_not_found(use: Use, server: ScriptedServer) -> None:
    server.script(Reply(200, {"generations_by_pk": None}))
    with pytest.raises(lg.GenerationNotFound, match="no generation with id 'nope'"):
        use("get_generation", "nope")


def test_a_get_is_retried_after_a_dropped_connection(use: Use, server: ScriptedServer) -> None:
    server.script(Reply(writer=_hang_up), Reply(200, generation("PENDING")))
    assert use("get_generation", GENERATION_ID).status == "PENDING"
    assert len(server.received) == 2  # a GET is idempotent; the POST is never sent twice


def test_a_post_is_not_resent_after_a_dropped_connection(use: Use, server: ScriptedServer) -> None:
    server.script(Reply(writer=_hang_up), Reply())
    with pytest.raises(lg.APIConnectionError):
        use("create_generation", VALID_BODY)
    assert len(server.received) == 1


def test_wait_polls_until_complete(use: Use, server: ScriptedServer) -> None:
    pending = Reply(200, generation("PENDING"))
    server.script(pending, pending, Reply(200, generation("COMPLETE", [IMAGE])))
    done = use("wait_for_generation", GENERATION_ID, timeout=10, interval=0.01)
    assert done.status == "COMPLETE"
    assert len(server.received) == 3
    assert {r.method for r in server.received} == {"GET"}


def test_wait_raises_when_the_generation_failed(use: Use, server: ScriptedServer) -> None:
    server.script(Reply(200, generation("PENDING")), Reply(200, generation("FAILED")))
    with pytest.raises(lg.GenerationFailed) as raised:
        use("wait_for_generation", GENERATION_ID, timeout=10, interval=0.01)
    assert raised.value.generation_id == GENERATION_ID
    assert raised.value.generation.status == "FAILED"


def test_wait_gives_up_after_its_timeout(use: Use, server: ScriptedServer) -> None:
    server.script(Reply(200, generation("PENDING")))
    started = time.monotonic()
    with pytest.raises(lg.GenerationTimeout) as raised:
        use("wait_for_generation", GENERATION_ID, timeout=0.5, interval=0.05)
    assert time.monotonic() - started < 3
    assert raised.value.status == "PENDING"
    # Backoff: 0.05 s growing by half each poll, so far fewer polls than 0.5 / 0.05 + 1.
    assert 3 <= len(server.received) <= 9


def test_generate_creates_waits_and_returns_the_images(use: Use, server: ScriptedServer) -> None:
    server.script(
        Reply(),
        Reply(200, generation("PENDING")),
        Reply(200, generation("COMPLETE", [IMAGE, IMAGE | {"id": "img-2"}])),
    )
    images = use("generate", VALID_BODY, timeout=10, interval=0.01)
    assert [image.id for image in images] == ["img-1", "img-2"]
    assert all(isinstance(image, lg.GeneratedImage) for image in images)
    methods = [(r.method, r.path.rsplit("/", 1)[-1]) for r in server.received]
    assert methods == [("POST", "generations"), ("GET", GENERATION_ID), ("GET", GENERATION_ID)]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # a PNG signature is all the client looks at


def _upload_replies(server: ScriptedServer) -> list[Reply]:
    host, port = server._httpd.server_address[:2]
    fields = {"key": "uploads/abc.png", "policy": "eyJwb2xpY3kiOjF9", "x-amz-signature": "s1g"}
    upload = {
        "id": "init-1",
        "url": f"http://{host!s}:{port}/presigned-bucket",
        "fields": json.dumps(fields),
        "key": "uploads/abc.png",
    }
    return [Reply(200, {"uploadInitImage": upload}), Reply(204, "")]


def _form_parts(received: Received) -> list[tuple[str, str | None, bytes]]:
    """(name, filename, content) of each multipart part, in order."""
    head = f"Content-Type: {received.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + received.body)
    parts = []
    for part in message.iter_parts():
        content = part.get_payload(decode=True)
        parts.append(
            (part.get_param("name", header="content-disposition"), part.get_filename(), content)
        )
    return parts


def test_upload_init_image_posts_the_file_to_the_presigned_url_without_the_key(
    use: Use, server: ScriptedServer, tmp_path: Path
) -> None:
    image = tmp_path / "face.PNG"
    image.write_bytes(PNG)
    server.script(*_upload_replies(server))
    upload = use("upload_init_image", image)
    assert upload.id == "init-1"
    ask, store = server.received
    assert (ask.method, ask.path) == ("POST", f"{BASE_PATH}/init-image")
    assert ask.headers["Authorization"] == f"Bearer {API_KEY}"
    assert json.loads(ask.body) == {"extension": "png"}
    assert (store.method, store.path) == ("POST", "/presigned-bucket")
    assert "Authorization" not in store.headers
    assert store.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    parts = _form_parts(store)
    assert [(name, filename) for name, filename, _ in parts] == [
        ("key", None),
        ("policy", None),
        ("x-amz-signature", None),
        ("file", "init-image.png"),
    ]
    assert parts[-1][2] == PNG and parts[0][2] == b"uploads/abc.png"


def test_upload_from_bytes_sniffs_the_type_and_an_injected_auth_header_is_dropped(
    use: Use, server: ScriptedServer
) -> None:
    server.script(*_upload_replies(server))
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 16
    kind = lg.Client if use.__name__ == "sync" else lg.AsyncClient
    http = (httpx.Client if kind is lg.Client else httpx.AsyncClient)(
        headers={"Authorization": "Bearer leaked-default"}
    )
    use("upload_init_image", jpeg, client={"http_client": http})
    ask, store = server.received
    assert json.loads(ask.body) == {"extension": "jpg"}
    assert "Authorization" not in store.headers
    assert _form_parts(store)[-1][2] == jpeg


@pytest.mark.parametrize(("image", "extension"), [(b"GIF89a....", None), (PNG, "gif")])
def test_an_image_of_another_type_is_refused_before_anything_is_sent(
    use: Use, server: ScriptedServer, image: bytes, extension: str | None
) -> None:
    with pytest.raises(lg.RequestInvalid, match="png, jpg, jpeg or webp"):
        use("upload_init_image", image, extension=extension)
    assert server.received == []


def test_an_unreadable_image_path_is_a_clear_error(use: Use, tmp_path: Path) -> None:
    with pytest.raises(lg.RequestInvalid, match=r"cannot read .*missing\.png"):
        use("upload_init_image", tmp_path / "missing.png")


# --- headers and injection --------------------------------------------------------------------


def test_custom_headers_and_a_user_agent_naming_genspec(use: Use, server: ScriptedServer) -> None:
    use(
        "create_generation",
        VALID_BODY,
        client={"headers": {"X-Team": "art", "User-Agent": "app/2"}},
    )
    sent = server.received[0].headers
    assert sent["X-Team"] == "art"
    from genspec import __version__

    assert sent["User-Agent"] == f"app/2 leonardo-generations/{__version__} (genspec {__version__})"


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer x"}, {"X-Bad": "a\r\nInjected: 1"}, {"Bad Name": "x"}, {"X": "é"}],
)
def test_bad_custom_headers_are_refused_on_construction(headers: dict[str, str]) -> None:
    with pytest.raises(lg.SettingsInvalid):
        lg.Client(api_key=API_KEY, headers=headers)


class CountingTransport(httpx.HTTPTransport):
    """A real transport that counts what goes through it."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return super().handle_request(request)


class AsyncCountingTransport(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return await super().handle_async_request(request)


def test_an_injected_transport_carries_the_requests(use: Use, server: ScriptedServer) -> None:
    transport = CountingTransport() if use.__name__ == "sync" else AsyncCountingTransport()
    use("create_generation", VALID_BODY, client={"transport": transport})
    assert transport.count == 1 and len(server.received) == 1


def test_an_injected_http_client_is_used_and_left_open(server: ScriptedServer) -> None:
    with httpx.Client() as http:
        with lg.Client(api_key=API_KEY, base_url=server.base_url, http_client=http) as client:
            client.create_generation(VALID_BODY)
        assert not http.is_closed
    assert len(server.received) == 1


# --- RequestInvalid reads like the CLI --------------------------------------------------------


def test_request_invalid_lists_path_rule_message_and_did_you_mean(create: Create) -> None:
    body = {
        "prompt": "x",
        "numImages": 2,
        "controlnets": [
            {"initImageId": "a", "initImageType": "UPLOADED", "preprocessorId": 3, "wieght": 1}
        ],
    }
    with pytest.raises(lg.RequestInvalid) as raised:
        create(body)
    text = str(raised.value)
    assert (
        "  /numImages: schema-additional-properties: unknown property 'numImages'"
        " (did you mean 'num_images'?)"
    ) in text
    assert (
        "  /controlnets/0/wieght: schema-additional-properties: unknown property 'wieght'"
        " (did you mean 'weight'?)"
    ) in text


def test_request_invalid_names_the_rule(create: Create) -> None:
    with pytest.raises(lg.RequestInvalid) as raised:
        create({"prompt": "x", "num_images": 8})
    assert "/num_images: num-images-max-4-when-large: num_images must be 4 or fewer" in str(
        raised.value
    )


# --- webhooks ---------------------------------------------------------------------------------

WEBHOOK_KEY = "whk-3b9f0c1e"
WEBHOOK_BODY = json.dumps(
    {
        "type": "image_generation.complete",
        "object": "generation",
        "api_version": "v1",
        "data": {
            "object": {
                "id": GENERATION_ID,
                "status": "COMPLETE",
                "seed": "42",
                "images": [IMAGE | {"nsfw": False}],
                "futureField": 1,
            }
        },
    }
).encode()


def test_a_webhook_with_the_right_key_is_parsed() -> None:
    payload = lg.parse_webhook(WEBHOOK_BODY, f"Bearer {WEBHOOK_KEY}", WEBHOOK_KEY)
    assert isinstance(payload, lg.WebhookPayload)
    assert payload.type == "image_generation.complete"
    assert payload.data.object.id == GENERATION_ID
    assert payload.data.object.images is not None
    assert [image.url for image in payload.data.object.images] == [IMAGE["url"]]
    assert lg.parse_webhook(WEBHOOK_BODY.decode(), f"bearer {WEBHOOK_KEY}", WEBHOOK_KEY)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        WEBHOOK_KEY,
        f"Basic {WEBHOOK_KEY}",
        f"Bearer {WEBHOOK_KEY}x",
        "Bearer whk-3b9f0c1",
        "Bearer é",
    ],
)
def test_a_webhook_without_the_right_key_is_unauthorized(authorization: str | None) -> None:
    with pytest.raises(lg.WebhookUnauthorized) as raised:
        lg.parse_webhook(WEBHOOK_BODY, authorization, WEBHOOK_KEY)
    assert WEBHOOK_KEY not in str(raised.value)


def test_the_webhook_key_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = client_module.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(client_module.hmac, "compare_digest", spy)
    with pytest.raises(lg.WebhookUnauthorized):
        lg.parse_webhook(WEBHOOK_BODY, "Bearer nope", WEBHOOK_KEY)
    lg.parse_webhook(WEBHOOK_BODY, f"Bearer {WEBHOOK_KEY}", WEBHOOK_KEY)
    assert compared == [(b"nope", WEBHOOK_KEY.encode()), (WEBHOOK_KEY.encode(),) * 2]


@pytest.mark.parametrize(
    "body", [b"{not json", b"[]", b'{"type": 5, "data": {}}', b"[" * 100_000, b" " * 2_000_000]
)
def test_a_bad_webhook_body_is_invalid(body: bytes) -> None:
    with pytest.raises(lg.WebhookInvalid) as raised:
        lg.parse_webhook(body, f"Bearer {WEBHOOK_KEY}", WEBHOOK_KEY)
    assert raised.value.__context__ is None


def _trickle_headers(handler: BaseHTTPRequestHandler) -> None:
    with contextlib.suppress(OSError):
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 40:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.5)


def _bounded(call: Callable[[], Any], limit: float) -> BaseException:
    """What `call` raised, run in a thread; a call still running after `limit` s fails the test
    (a hang must not hang the suite)."""
    outcome: list[BaseException] = []

    def run() -> None:
        outcome.append(_raised(call))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    assert not worker.is_alive(), f"still waiting after {limit} s: the deadline did not hold"
    return outcome[0]


def test_the_deadline_covers_a_trickled_status_line_and_headers(
    create: Create, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Half a second a byte: 28 s for the status line and one header, each read well within
    # every per-operation timeout. Both clients must give up at their 1 s deadline.
    server.script(Reply(writer=_trickle_headers))
    monkeypatch.setenv("LEONARDO_API_KEY", CANARY)
    error = _bounded(lambda: create(VALID_BODY, api_key=None, timeout=1.0, max_retries=3), 10.0)
    assert type(error) is lg.APITimeoutError, repr(error)
    assert "deadline" in str(error)
    assert_no_leak(error, CANARY)
    assert len(server.received) == 1  # a timed-out POST is never sent again


def test_the_blocking_deadline_holds_on_an_injected_http_client(server: ScriptedServer) -> None:
    server.script(Reply(writer=_trickle_headers), Reply())
    with httpx.Client() as http:

        def call() -> None:
            with lg.Client(
                api_key=API_KEY, base_url=server.base_url, timeout=1.0, http_client=http
            ) as c:
                c.create_generation(VALID_BODY)

        assert type(_bounded(call, 10.0)) is lg.APITimeoutError
        # Outside the client's calls the injected client keeps its own timeouts.
        assert http.post(server.base_url + "/generations", json=VALID_BODY).status_code == 200


def test_a_short_key_does_not_mangle_reply_bodies(use: Use, server: ScriptedServer) -> None:
    # Redacting a one-letter key would turn "generations_by_pk" into "generations_by_p<redacted>".
    server.script(Reply(200, generation("PENDING")))
    assert use("get_generation", GENERATION_ID, client={"api_key": "k"}).status == "PENDING"
