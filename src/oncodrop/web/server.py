"""Serving the console: uvicorn in a thread beside the service (``oncodrop serve``) or in the
foreground (``oncodrop web``). Loopback by default; a bind anyone else can reach needs TLS
settings or an explicit ``behind_proxy``, so patient reports never cross a network in clear.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time

import uvicorn
from fastapi import FastAPI

from oncodrop.errors import ConfigError
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings, WebSettings
from oncodrop.web.app import create_app

log = logging.getLogger(__name__)
GRACE_S = 2.0  # open live streams are cut after this on shutdown


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(web: WebSettings) -> None:
    """``ConfigError`` for a non-loopback bind with neither TLS nor a proxy in front."""
    if is_loopback(web.bind) or web.tls_cert is not None or web.behind_proxy:
        return
    raise ConfigError(
        f"the console would listen on {web.bind} without TLS: set web.tls_cert and web.tls_key "
        "(ONCODROP_WEB__TLS_CERT, ONCODROP_WEB__TLS_KEY), or web.behind_proxy = true when a TLS "
        "proxy is in front, or bind 127.0.0.1"
    )


def uvicorn_config(app: FastAPI, web: WebSettings) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=web.bind, port=web.port, log_level="warning", access_log=False, lifespan="on",
        ssl_certfile=str(web.tls_cert) if web.tls_cert else None, ssl_keyfile=str(web.tls_key) if web.tls_key else None,
        proxy_headers=web.behind_proxy, forwarded_allow_ips="*" if web.behind_proxy else None,
        timeout_graceful_shutdown=int(GRACE_S), server_header=False,
    )  # fmt: skip


class ConsoleServer:
    """The console on a background thread; ``url`` once started."""

    def __init__(self, settings: Settings, ledger: Ledger | None = None) -> None:
        check_bind(settings.web)
        self.settings = settings
        self.app = create_app(settings, ledger)
        self._server = uvicorn.Server(uvicorn_config(self.app, settings.web))
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign,attr-defined]  # the caller owns signals
        self._thread: threading.Thread | None = None
        self.url = ""

    def _bound_url(self) -> str:
        scheme = "https" if self.settings.web.tls_cert else "http"
        servers = getattr(self._server, "servers", [])
        port = servers[0].sockets[0].getsockname()[1] if servers else self.settings.web.port
        host = self.settings.web.bind
        return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"

    def _serve(self) -> None:
        # uvicorn ends with SystemExit(1) when it cannot bind (after logging why); ``start``
        # turns the thread's end into a ConfigError, so the exit must not escape the thread.
        try:
            self._server.run()
        except SystemExit:
            pass

    def start(self, timeout_s: float = 30.0) -> None:
        self._thread = threading.Thread(target=self._serve, name="console", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive():
                web = self.settings.web
                raise ConfigError(
                    f"the console could not listen on {web.bind}:{web.port} (the port is taken, e.g. by another "
                    "oncodrop serve, or the address is not this machine's): set web.port (ONCODROP_WEB__PORT, "
                    "[web] port; 0 picks a free one) or web.bind, or web.enabled = false to serve without it"
                )
            if time.monotonic() > deadline:
                raise ConfigError("the console did not start in time")
            time.sleep(0.05)
        self.url = self._bound_url()
        log.info("console at %s", self.url)

    def stop(self) -> None:
        self.app.state.console.stopping.set()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=GRACE_S + 10)


def run_foreground(settings: Settings) -> None:
    """``oncodrop web``: serve until SIGTERM/SIGINT (uvicorn handles the signals)."""
    check_bind(settings.web)
    app = create_app(settings)
    uvicorn.Server(uvicorn_config(app, settings.web)).run()
