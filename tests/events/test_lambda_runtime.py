"""The Lambda Runtime API loop against a local stand-in of the Runtime API (real HTTP)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.errors import ConfigError
from oncodrop.events import lambda_handler
from oncodrop.events.lambda_runtime import DEFAULT_HANDLER, load_handler, run


class RuntimeApi:
    """Hands out queued events as Lambda does and records what the loop posts back."""

    def __init__(self, events: list[Any]) -> None:
        self.events = list(events)
        self.posted: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                assert self.path == "/2018-06-01/runtime/invocation/next"
                number = len(events) - len(api.events)
                body = json.dumps(api.events.pop(0)).encode()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", f"req-{number}")
                self.send_header("Lambda-Runtime-Deadline-Ms", "1700000000000")
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:1:function:f")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                parts = self.path.split("/")  # /2018-06-01/runtime/invocation/{id}/{response|error}
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.posted.append((parts[4], parts[5], body, dict(self.headers)))
                self.send_response(202)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def runtime_api(request: pytest.FixtureRequest) -> Iterator[RuntimeApi]:
    api = RuntimeApi(request.param)
    thread = threading.Thread(target=api.server.serve_forever, daemon=True)
    thread.start()
    yield api
    api.server.shutdown()
    api.server.server_close()


def _handler(event: Any, context: Any) -> Any:
    if event.get("fail"):
        raise ValueError("bad event")
    return {"echo": event["n"], "request": context.aws_request_id}


@pytest.mark.parametrize("runtime_api", [[{"n": 1}, {"fail": True}, {"n": 3}]], indirect=True)
def test_each_result_or_error_is_posted_for_its_request_and_the_loop_goes_on(runtime_api: RuntimeApi) -> None:
    assert run(runtime_api.address, _handler, max_invocations=3) == 3
    assert [(rid, kind) for rid, kind, _, _ in runtime_api.posted] == [
        ("req-0", "response"), ("req-1", "error"), ("req-2", "response"),
    ]  # fmt: skip
    assert runtime_api.posted[0][2] == {"echo": 1, "request": "req-0"}
    _, _, error, headers = runtime_api.posted[1]
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "bad event"
    assert headers["Lambda-Runtime-Function-Error-Type"] == "Unhandled"


@pytest.mark.parametrize("runtime_api", [[{"Records": []}]], indirect=True)
def test_the_default_handler_is_the_intake_handler_and_answers_an_empty_event(
    runtime_api: RuntimeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONCODROP_QUEUE_URL", raising=False)
    handler = load_handler(DEFAULT_HANDLER)
    assert handler is lambda_handler.handler
    run(runtime_api.address, handler, max_invocations=1)
    (rid, kind, body, _), = runtime_api.posted
    assert (rid, kind) == ("req-0", "response") and isinstance(body, dict)


def test_a_handler_that_cannot_be_loaded_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot be loaded"):
        load_handler("oncodrop.events.lambda_handler:nope")
    with pytest.raises(ConfigError, match="not module:function"):
        load_handler("handler")


def test_the_command_outside_lambda_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_RUNTIME_API", raising=False)
    result = CliRunner().invoke(main, ["lambda", "runtime"])
    assert result.exit_code == 1 and "AWS_LAMBDA_RUNTIME_API is not set" in result.output
