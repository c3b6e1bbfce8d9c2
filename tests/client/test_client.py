"""Both generated clients against a real HTTP server on 127.0.0.1 that replays scripted replies.

Every test runs twice, once through `Client` and once through `AsyncClient`, with the same
assertions: the two must behave alike. Backoff is a millisecond so retry tests stay fast.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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
    body: Any = field(default_factory=lambda: JOB)  # str: sent as is; else JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


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
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                reply = server._next(Received("POST", self.path, dict(self.headers), body))
                time.sleep(reply.delay)
                payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                data = payload.encode("utf-8")
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
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
    with pytest.raises(ValueError):
        lg.Client(api_key=API_KEY, max_retries=-1)
    with pytest.raises(ValueError):
        lg.Client(api_key=API_KEY, timeout=0)
