"""The AWS Lambda Runtime API loop, so the one oncodrop image also runs as a Lambda container
image (``ImageConfig.Command = ["lambda", "runtime"]``), without AWS's runtime interface client.

Lambda starts the container with ``AWS_LAMBDA_RUNTIME_API`` (host:port); the loop asks for the
next event, calls the handler, posts its JSON result or an error document, and asks again
(https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html). Standard library only, like
the handler it runs. An exception in the handler is reported to Lambda as that invocation's
error (Lambda's retry and on-failure destination apply) and the loop goes on.
"""

from __future__ import annotations

import importlib
import json
import logging
import traceback
import urllib.request
from collections.abc import Callable
from typing import Any

from oncodrop.errors import ConfigError

log = logging.getLogger(__name__)

API = "2018-06-01/runtime"
DEFAULT_HANDLER = "oncodrop.events.lambda_handler:handler"
Handler = Callable[[Any, Any], Any]


class InvocationContext:
    """The subset of Lambda's context object our handlers read."""

    def __init__(self, request_id: str, function_arn: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.deadline_ms = deadline_ms


def load_handler(spec: str) -> Handler:
    """``module:function`` (or ``module.function``) -> the callable; ``ConfigError`` if absent."""
    module_name, sep, attr = spec.partition(":") if ":" in spec else spec.rpartition(".")
    if not (module_name and sep and attr):
        raise ConfigError(f"Lambda handler {spec!r} is not module:function")
    try:
        function = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"Lambda handler {spec!r} cannot be loaded: {exc}") from exc
    if not callable(function):
        raise ConfigError(f"Lambda handler {spec!r} is not callable")
    return function  # type: ignore[no-any-return]


def _request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[bytes, Any]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(request, timeout=None) as response:
        return response.read(), response.headers


def run(api: str, handler: Handler, *, max_invocations: int | None = None) -> int:
    """Serve invocations from the Runtime API at ``api`` (host:port) until the process is
    stopped (or ``max_invocations``, for tests); returns how many were served."""
    base = f"http://{api}/{API}"
    served = 0
    while max_invocations is None or served < max_invocations:
        body, headers = _request(f"{base}/invocation/next")
        request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        context = InvocationContext(
            request_id, headers.get("Lambda-Runtime-Invoked-Function-Arn", ""),
            int(headers.get("Lambda-Runtime-Deadline-Ms", "0")),
        )  # fmt: skip
        try:
            result = handler(json.loads(body or b"null"), context)
            _request(f"{base}/invocation/{request_id}/response", json.dumps(result).encode(),
                     {"Content-Type": "application/json"})  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - any handler failure is this invocation's error, not the loop's
            log.warning("Lambda invocation %s failed: %s", request_id, type(exc).__name__)
            error = {"errorMessage": str(exc), "errorType": type(exc).__name__,
                     "stackTrace": traceback.format_exception(exc)}  # fmt: skip
            _request(f"{base}/invocation/{request_id}/error", json.dumps(error).encode(),
                     {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": "Unhandled"})  # fmt: skip
        served += 1
    return served
