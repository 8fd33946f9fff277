"""Spot interruption: watch the instance metadata notice and stop the worker before AWS does.

AWS posts ``/latest/meta-data/spot/instance-action`` two minutes before it reclaims a spot
instance; until then that path answers 404. The watcher asks every ``interval_s`` (5 s by
default) with an IMDSv2 session token (``PUT /latest/api/token``, then ``GET`` with the token
header; the launch template requires tokens). When a notice appears it calls the worker's
``stop(reason)``: the worker stops claiming, kills the running job child before it can upload
anything and releases the lease at once, so the sample is requeued for another worker without
waiting for the lease to expire. Two minutes is ample for that; nothing partial is uploaded
(outputs are written whole or not at all).

``SpotInterruptionWatcher`` is a picklable ``execute.local.StopWatcher``: put it in
``WorkerConfig.watchers``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from oncodrop.errors import TransientError

log = logging.getLogger(__name__)

IMDS_ENDPOINT = "http://169.254.169.254"
TOKEN_PATH = "/latest/api/token"
NOTICE_PATH = "/latest/meta-data/spot/instance-action"
TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
_TOKEN_MARGIN_S = 60.0  # renew the token this long before it expires


@dataclass(frozen=True, slots=True)
class SpotNotice:
    """AWS's notice: what will happen to the instance (terminate/stop/hibernate) and when."""

    action: str
    time: str

    @property
    def reason(self) -> str:
        """The release reason recorded in the ledger's history."""
        return f"spot interruption: instance will {self.action} at {self.time}"


def parse_notice(body: str) -> SpotNotice:
    """The notice body (``{"action": "terminate", "time": "2026-11-25T13:00:00Z"}``).

    A 200 answer means a notice exists even if its body is garbled, so that is still a notice.
    """
    try:
        data = json.loads(body)
    except ValueError:
        return SpotNotice("unknown", "unknown")
    if not isinstance(data, dict):
        return SpotNotice("unknown", "unknown")
    return SpotNotice(str(data.get("action", "unknown")), str(data.get("time", "unknown")))


class MetadataClient:
    """IMDSv2 over HTTP: fetches a session token, renews it before expiry or after a 401."""

    def __init__(self, endpoint: str = IMDS_ENDPOINT, *, token_ttl_s: int = 21600, timeout_s: float = 2.0) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token_ttl_s = token_ttl_s
        self._http = httpx.Client(base_url=self.endpoint, timeout=timeout_s, trust_env=False)
        self._token: str | None = None
        self._token_until = 0.0

    def close(self) -> None:
        self._http.close()

    def spot_notice(self) -> SpotNotice | None:
        """The pending interruption notice, or None (404: no notice)."""
        response = self._get(NOTICE_PATH)
        if response.status_code == 401:  # the token expired early (or IMDS restarted)
            self._token = None
            response = self._get(NOTICE_PATH)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise TransientError(f"instance metadata {NOTICE_PATH} answered HTTP {response.status_code}")
        return parse_notice(response.text)

    def _get(self, path: str) -> httpx.Response:
        headers = {TOKEN_HEADER: self._session_token()}
        return self._request("GET", path, headers)

    def _session_token(self) -> str:
        if self._token is None or time.monotonic() >= self._token_until:
            response = self._request("PUT", TOKEN_PATH, {TOKEN_TTL_HEADER: str(self.token_ttl_s)})
            if response.status_code != 200 or not response.text:
                raise TransientError(f"instance metadata token request answered HTTP {response.status_code}")
            self._token = response.text
            self._token_until = time.monotonic() + max(1.0, self.token_ttl_s - _TOKEN_MARGIN_S)
        return self._token

    def _request(self, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
        try:
            return self._http.request(method, path, headers=headers)
        except httpx.HTTPError as exc:  # unreachable, timeout: try again on the next poll
            raise TransientError(f"instance metadata {self.endpoint}{path} unreachable: {exc}") from exc


@dataclass(frozen=True, slots=True)
class SpotInterruptionWatcher:
    """Polls the spot notice until ``done`` is set; on a notice calls ``stop(notice.reason)``."""

    endpoint: str = IMDS_ENDPOINT
    interval_s: float = 5.0
    timeout_s: float = 2.0

    def __call__(self, stop: Callable[[str], None], done: threading.Event) -> None:
        client = MetadataClient(self.endpoint, timeout_s=self.timeout_s)
        failing = False
        try:
            while not done.is_set():
                try:
                    notice = client.spot_notice()
                except TransientError as exc:
                    if not failing:  # say it once, not every 5 s
                        log.warning("spot watcher: %s; still trying", exc.message)
                    failing = True
                else:
                    failing = False
                    if notice is not None:
                        log.warning("spot watcher: %s; releasing work", notice.reason)
                        stop(notice.reason)
                        return
                done.wait(self.interval_s)
        finally:
            client.close()
