from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest
from local_server import FileServer

from oncodrop.errors import BundleError, TransientError
from oncodrop.refdata.download import DOWNLOAD_RETRY, fetch
from oncodrop.retry import RetryPolicy

FAST = RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.01)


def test_fetch_streams_file_and_records_its_sha256(
    file_server: FileServer, tmp_path: Path
) -> None:
    payload = b"gene\trole\n" * 50_000  # > 1 MiB: several streamed chunks
    (file_server.root / "table.tsv").write_bytes(payload)
    got = fetch(
        f"{file_server.url}/table.tsv", tmp_path / "dl" / "table.tsv", policy=FAST
    )
    assert got.path.read_bytes() == payload
    assert got.sha256 == hashlib.sha256(payload).hexdigest()
    assert got.bytes == len(payload)
    assert not list((tmp_path / "dl").glob("*.part"))


def test_fetch_retries_503_then_succeeds(
    file_server: FileServer, tmp_path: Path
) -> None:
    (file_server.root / "flaky.txt").write_text("finally")
    file_server.failures["/flaky.txt"] = 2
    waits: list[float] = []
    got = fetch(
        f"{file_server.url}/flaky.txt",
        tmp_path / "f.txt",
        policy=FAST,
        sleep=waits.append,
    )
    assert got.path.read_text() == "finally"
    assert file_server.requests.count("/flaky.txt") == 3
    assert len(waits) == 2


def test_fetch_gives_up_with_transient_error_after_all_attempts(
    file_server: FileServer, tmp_path: Path
) -> None:
    (file_server.root / "down.txt").write_text("never served")
    file_server.failures["/down.txt"] = 10
    with pytest.raises(TransientError, match="after 3 attempts"):
        fetch(
            f"{file_server.url}/down.txt",
            tmp_path / "d.txt",
            policy=FAST,
            sleep=lambda _s: None,
        )
    assert not (tmp_path / "d.txt").exists()


def test_fetch_404_is_not_retried_and_names_the_url(
    file_server: FileServer, tmp_path: Path
) -> None:
    with pytest.raises(BundleError, match="HTTP 404 .*missing.tsv"):
        fetch(f"{file_server.url}/missing.tsv", tmp_path / "m.tsv", policy=FAST)
    assert file_server.requests == ["/missing.tsv"]


def test_fetch_connection_refused_is_transient(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransientError):
        fetch(
            f"http://127.0.0.1:{port}/x",
            tmp_path / "x",
            policy=FAST,
            sleep=lambda _s: None,
        )


def test_fetch_copies_local_paths_and_file_urls(tmp_path: Path) -> None:
    source = tmp_path / "local.tsv"
    source.write_text("a\tb\n")
    assert fetch(str(source), tmp_path / "out1").path.read_text() == "a\tb\n"
    assert (
        fetch(source.as_uri(), tmp_path / "out2").sha256
        == hashlib.sha256(b"a\tb\n").hexdigest()
    )
    with pytest.raises(BundleError, match="does not exist"):
        fetch(str(tmp_path / "absent.tsv"), tmp_path / "out3")


def test_download_policy_waits_half_a_second_doubling_up_to_8_s() -> None:
    assert [DOWNLOAD_RETRY.delay_s(n) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert DOWNLOAD_RETRY.attempts == 4


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_from_the_server_is_honoured(file_server: FileServer, tmp_path: Path, status: int) -> None:
    (file_server.root / "busy.txt").write_bytes(b"finally\n")
    file_server.failures["/busy.txt"] = 2
    file_server.failure_status = status
    file_server.failure_headers = {"Retry-After": "3"}
    waits: list[float] = []
    policy = RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=5.0)
    got = fetch(f"{file_server.url}/busy.txt", tmp_path / "busy.txt", policy=policy, sleep=waits.append)
    assert got.path.read_bytes() == b"finally\n"
    assert waits == [3.0, 3.0]
