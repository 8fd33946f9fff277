"""Session fixture ``moto_endpoint``: one real ``moto_server`` on 127.0.0.1 for the whole run.

Import it into tests/conftest.py (``from moto_fixture import moto_endpoint  # noqa: F401``).
The server is started once (even if several test modules import the fixture), answers S3, SQS,
EC2… exactly as AWS would over HTTP, and is stopped by its PID when the session ends. Fake
credentials and a region are put in the environment for boto3 while it runs; tests create
their own uniquely named buckets and queues, so they never see each other's objects.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from waiting import scaled

_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
_STARTUP_S = scaled(30.0)


class _SharedServer:
    """One moto_server per process, reference-counted: a module that imports the fixture
    itself and a conftest that imports it too still share one server."""

    def __init__(self) -> None:
        self.users = 0
        self.url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._saved_env: dict[str, str | None] = {}

    def acquire(self) -> str:
        if self.users == 0:
            self._saved_env = {name: os.environ.get(name) for name in _ENV}
            os.environ.update(_ENV)
            self._proc, self.url = _start()
        self.users += 1
        return self.url

    def release(self) -> None:
        self.users -= 1
        if self.users or self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_SERVER = _SharedServer()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    binary = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + _STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited with status {proc.returncode} on port {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"moto_server did not listen on 127.0.0.1:{port} within {_STARTUP_S} s")


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a running moto_server, with fake AWS credentials in the env."""
    url = _SERVER.acquire()
    try:
        yield url
    finally:
        _SERVER.release()
