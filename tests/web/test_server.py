"""The console server: loopback by default; a non-loopback bind needs TLS or a proxy flag."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from conftest import make_settings

from oncodrop.errors import ConfigError
from oncodrop.settings import Settings
from oncodrop.web.server import ConsoleServer, check_bind


def test_non_loopback_bind_is_refused_without_tls_or_proxy(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="without TLS"):
        check_bind(make_settings(tmp_path, bind="0.0.0.0").web)
    check_bind(make_settings(tmp_path, bind="0.0.0.0", behind_proxy=True).web)
    check_bind(make_settings(tmp_path, bind="::1").web)
    with pytest.raises(ConfigError, match="tls_cert and tls_key"):
        Settings.load(web__tls_cert="/x.pem")


def test_the_server_answers_on_loopback_and_stops(tmp_path: Path) -> None:
    server = ConsoleServer(make_settings(tmp_path, port=0))
    server.start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{server.url}/api/v1/health", timeout=10).json()["status"] == "ok"
        assert httpx.get(f"{server.url}/api/v1/samples", timeout=10).status_code == 401
    finally:
        server.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.url}/api/v1/health", timeout=2)


def test_a_taken_port_is_a_config_error_that_says_which_setting_to_change(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = ConsoleServer(make_settings(tmp_path, port=port))
        with pytest.raises(ConfigError, match=rf"127\.0\.0\.1:{port} \(the port is taken.*ONCODROP_WEB__PORT"):
            server.start()
