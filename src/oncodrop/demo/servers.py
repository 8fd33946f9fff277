"""Throw-away local servers the cloud demo needs (moto_server, redis-server): on 127.0.0.1,
a free port, stopped by their PID. The integration tests use the same helpers."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oncodrop.errors import ConfigError

_STARTUP_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_server(command: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server that listens on 127.0.0.1:``port``; stopped by its PID on exit."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + _STARTUP_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise ConfigError(f"{Path(command[0]).name} did not start on 127.0.0.1:{port}") from None
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def moto_server() -> Iterator[str]:
    """moto_server (installed beside this Python) on a free port; yields its endpoint URL."""
    binary = Path(sys.executable).with_name("moto_server")
    if not binary.exists():
        raise ConfigError("moto_server is not installed beside this Python: pip install 'moto[server]'")
    port = free_port()
    with local_server([str(binary), "-H", "127.0.0.1", "-p", str(port)], port):
        yield f"http://127.0.0.1:{port}"


def check_servers(*, redis: bool) -> None:
    """``ConfigError`` now, before any set-up, when a server the demo starts is not installed
    (moto_server; redis-server with ``redis``), rather than after the bundle and the samples."""
    if not Path(sys.executable).with_name("moto_server").exists():
        raise ConfigError("moto_server is not installed beside this Python: pip install 'moto[server]'")
    if redis and shutil.which("redis-server") is None:
        raise ConfigError("--executor celery needs redis-server (apt-get install redis-server)")


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A throw-away redis-server (no persistence) on a free port; yields the broker URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ConfigError("--executor celery needs redis-server (apt-get install redis-server)")
    port = free_port()
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
               "--dir", str(workdir)]  # fmt: skip
    with local_server(command, port):
        yield f"redis://127.0.0.1:{port}/0"
