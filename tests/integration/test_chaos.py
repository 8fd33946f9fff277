"""The chaos suite (issue 10, item 11): samples keep flowing while the service is shot at.

A real ``oncodrop serve`` (SQLite ledger, local-folder store, real reporter, HTTP targets on
127.0.0.1) processes N samples while, on a seeded random schedule (the seed is printed; set
``ONCODROP_CHAOS_SEED`` to replay one), the test SIGKILLs workers, job children and ``serve``
itself (restarting it), makes the store read-only for a while, writes one upload in bursts, and
its two notification targets misbehave: the webhook answers 500 at first, Slack hangs for the
first part of the run. It asserts:

- every sample SUCCEEDED exactly once (one sample row per key, one SUCCEEDED in its history);
- one valid output each: the tarball opens and its provenance names the input's sha256;
- no process the service started outlives its killed parent by 15 s (every process the test
  starts carries a unique environment mark, found by scanning ``/proc``);
- no partial output is ever visible: a watcher lists the bucket all along and every
  ``-output.tar.gz`` it sees is a complete archive;
- each notification is delivered once to each target (by ``Idempotency-Key`` / id, counting
  only answers that reached a client still waiting for them);
- the work dirs are empty at the end.

The read-only store: the test runs as root, so ``chmod`` cannot stop ``serve``; the bucket
folder is made immutable with ``chattr +i`` instead (ext4/xfs/btrfs/tmpfs: even root can then
create, rename or delete nothing in it), and the test skips that window where the filesystem
does not support it.

``make test-slow`` runs one short round; ``make chaos`` (``ONCODROP_CHAOS=long``) runs the long one.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from httpcapture import CaptureServer
from waiting import scaled, wait_for

from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.intake.pack import pack_sample
from oncodrop.ledger import Ledger

pytestmark = [pytest.mark.integration, pytest.mark.chaos, pytest.mark.slow]

LONG = os.environ.get("ONCODROP_CHAOS", "").strip().lower() == "long"
N_SAMPLES = 12 if LONG else 4
N_KILLS = 14 if LONG else 4  # SIGKILLs of workers, job children and serve, besides the serve kills below
N_SERVE_KILLS = 3 if LONG else 1
MARK = "ONCODROP_CHAOS_TEST_MARK"  # not a setting: only this test reads it, in /proc/<pid>/environ
ORPHAN_GRACE_S = 15.0
VARIANTS = 6000  # the reporter runs a few seconds per sample: long enough to be killed mid-job

pytestmark.append(pytest.mark.timeout(scaled(1800 if LONG else 420)))


# --------------------------------------------------------------------------------------------
# /proc: the processes this test started (directly or not)


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    start: int  # clock ticks after boot: tells a reused pid from the process we saw
    cmdline: str


def _stat(pid: int) -> tuple[int, int, str] | None:
    """(ppid, start time, state) of ``pid``, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[19]), fields[0]


def marked(mark: str) -> dict[int, Proc]:
    """Every live (not zombie) process whose environment carries ``MARK=mark``."""
    needle = f"{MARK}={mark}".encode()
    found: dict[int, Proc] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        stat = _stat(pid)
        if needle in env.split(b"\0") and stat is not None and stat[2] != "Z":
            found[pid] = Proc(pid, stat[0], stat[1], cmdline.strip())
    return found


def descendants(procs: dict[int, Proc], root: int) -> list[Proc]:
    out, todo = [], [root]
    while todo:
        parent = todo.pop()
        for p in procs.values():
            if p.ppid == parent:
                out.append(p)
                todo.append(p.pid)
    return out


def alive(p: Proc) -> bool:
    stat = _stat(p.pid)
    return stat is not None and stat[1] == p.start and stat[2] != "Z"


def _workers(procs: dict[int, Proc], serve_pid: int) -> list[Proc]:
    """The local executor's worker processes (spawned by ``serve``)."""
    return [p for p in procs.values() if p.ppid == serve_pid and "spawn_main" in p.cmdline]


def _job_children(procs: dict[int, Proc], serve_pid: int) -> list[Proc]:
    """Job children: forked by a worker's fork server."""
    workers = {p.pid for p in _workers(procs, serve_pid)}
    servers = {p.pid for p in procs.values() if p.ppid in workers and "forkserver" in p.cmdline}
    return [p for p in procs.values() if p.ppid in servers]


@dataclass
class OrphanWatch:
    """After each kill: the killed process's descendants must all be gone within 15 s."""

    pending: list[tuple[float, str, list[Proc]]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    checked: int = 0

    def after_kill(self, what: str, procs: list[Proc]) -> None:
        if procs:
            self.pending.append((time.monotonic() + scaled(ORPHAN_GRACE_S), what, procs))

    def check(self) -> None:
        still = []
        for deadline, what, procs in self.pending:
            left = [p for p in procs if alive(p)]
            if not left:
                self.checked += 1
            elif time.monotonic() > deadline:
                self.violations.append(f"after {what}: still alive {[(p.pid, p.cmdline[:80]) for p in left]}")
                raise AssertionError(f"orphans: {self.violations}")  # at once: an orphan may hold a lease
            else:
                still.append((deadline, what, left))
        self.pending = still


# --------------------------------------------------------------------------------------------
# samples, the bucket watcher, serve


def _sample(src: Path, name: str, seed: int) -> Path:
    """A small somatic tarball on the demo bundle's build (the reporter runs in seconds)."""
    folder = src / name.removesuffix(".tar.gz")
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    csq = Consequence(gene="GENE1", terms=("intron_variant",), impact="MODIFIER", source="VEP")
    positions = sorted(rng.sample(range(1_000_000, 200_000_000), VARIANTS))
    variants = [Variant("1", pos, "A", "G", depth=100, alt_depth=30, vaf=0.3, consequence=csq) for pos in positions]
    vcf = write_synthetic_vcf(folder / "s.vcf.gz", variants, samples=("TUMOR",), build="grch37")
    config = folder / "s.toml"
    config.write_text('[sample]\ngenome_build = "grch37"\n')
    return pack_sample(folder / name, vcf, config, index=Path(f"{vcf}.tbi"))


def _drop(tarball: Path, bucket: Path) -> None:
    """Atomically, as ``oncodrop submit`` does (temp name + rename)."""
    tmp = bucket / f".{tarball.name}.part"
    tmp.write_bytes(tarball.read_bytes())
    tmp.rename(bucket / tarball.name)


def _bursty_drop(tarball: Path, bucket: Path, bursts: int = 5, pause_s: float = 0.4) -> None:
    """Written in place in bursts, as a slow copy would (the service must wait for it to settle)."""
    data = tarball.read_bytes()
    step = len(data) // bursts + 1
    with open(bucket / tarball.name, "wb") as out:
        for i in range(bursts):
            out.write(data[i * step : (i + 1) * step])
            out.flush()
            time.sleep(pause_s)  # the writer's pace, not a wait for the service


class BucketWatcher(threading.Thread):
    """Lists the bucket all along; every ``-output.tar.gz`` it sees must be a whole archive."""

    def __init__(self, bucket: Path) -> None:
        super().__init__(name="bucket-watcher", daemon=True)
        self.bucket = bucket
        self.stop = threading.Event()
        self.verified: dict[str, tuple[int, int]] = {}  # name -> (inode, size) read completely
        self.partial: list[str] = []
        self.looks = 0

    def run(self) -> None:
        while not self.stop.is_set():
            for path in list(self.bucket.iterdir()):
                if not path.name.endswith("-output.tar.gz"):
                    continue
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                if self.verified.get(path.name) == (st.st_ino, st.st_size):
                    continue
                try:
                    with tarfile.open(path, "r:gz") as tar:
                        for member in tar:  # reads every byte: a truncated gzip stream raises
                            if member.isfile():
                                extracted = tar.extractfile(member)
                                assert extracted is not None
                                extracted.read()
                    self.verified[path.name] = (st.st_ino, st.st_size)
                except (tarfile.TarError, EOFError, OSError, AssertionError) as exc:
                    self.partial.append(f"{path.name} ({st.st_size} bytes): {exc!r}")
            self.looks += 1
            self.stop.wait(0.05)


@dataclass
class Service:
    """Starts (and restarts) ``oncodrop serve``; all incarnations log to one file."""

    cmd: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        with open(self.log, "ab") as out:
            out.write(f"\n===== serve start {self.starts + 1} =====\n".encode())
            out.flush()
            self.process = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                            start_new_session=True)  # fmt: skip
        self.starts += 1

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def assert_alive(self) -> None:
        assert self.process is not None and self.process.poll() is None, (
            f"oncodrop serve exited early:\n{self.tail()}"
        )

    def tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=scaled(60))
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@contextmanager
def _immutable(folder: Path) -> Iterator[bool]:
    """``chattr +i`` for the duration (True if it took): a read-only store, even for root."""
    try:
        took = subprocess.run(["chattr", "+i", str(folder)], check=False, capture_output=True).returncode == 0
    except FileNotFoundError:  # no e2fsprogs: the window is skipped (the report line says so)
        took = False
    try:
        yield took
    finally:
        if took:
            subprocess.run(["chattr", "-i", str(folder)], check=True)


def _samples(db: str) -> list[SampleRecord]:
    with Ledger.open(db, migrate_schema=False) as ledger:
        return ledger.list_samples()


# --------------------------------------------------------------------------------------------


def test_chaos_every_sample_succeeds_once_while_workers_children_and_serve_are_killed(
    tmp_path: Path, demo_bundle: Path, http_capture: CaptureServer, second_capture: CaptureServer
) -> None:
    seed = int(os.environ.get("ONCODROP_CHAOS_SEED") or random.SystemRandom().randrange(1 << 32))
    print(f"chaos seed {seed} (ONCODROP_CHAOS_SEED={seed} replays the schedule); "
          f"{N_SAMPLES} samples, {N_KILLS} kills, {N_SERVE_KILLS} serve kills")  # fmt: skip
    rng = random.Random(seed)
    mark = uuid.uuid4().hex

    bucket, work = tmp_path / "bucket", tmp_path / "work"
    bucket.mkdir()
    work.mkdir(mode=0o700)
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    tarballs = [_sample(tmp_path / "src", f"chaos-{n:06d}-somatic.tar.gz", seed + n) for n in range(1, N_SAMPLES + 1)]
    sha = {t.name: hashlib.sha256(t.read_bytes()).hexdigest() for t in tarballs}
    bursty = tarballs[rng.randrange(len(tarballs))]

    http_capture.statuses[:] = [500] * 4  # the webhook fails at first
    second_capture.gate.clear()  # Slack hangs until the test opens the gate
    env = {
        **os.environ, MARK: mark,
        "ONCODROP_WORKDIR": str(work),
        "ONCODROP_WEB__PORT": "0",  # the console on any free port: other tests may hold 8765
        "ONCODROP_SETTLE_S": f"{scaled(3):g}",  # the bursty writer pauses 0.4 s between bursts
        "ONCODROP_LEASE_S": f"{scaled(8):g}",
        "ONCODROP_ADMISSION_SWEEP_S": "2",
        "ONCODROP_MAX_ATTEMPTS": "10",  # a job child SIGKILLed by the test counts as an attempt
        "ONCODROP_RETRY_BACKOFF_S": "0.5",
        "ONCODROP_RETRY_BACKOFF_CAP_S": "2",
        "ONCODROP_OUTAGE_BACKOFF_CAP_S": "2",
        "ONCODROP_MAX_LEASE_LOSSES": "50",  # the test kills workers, not the samples' fault
        "ONCODROP_NOTIFY__SLACK_WEBHOOK_URL": second_capture.url("/services/T0/B0/X"),
        "ONCODROP_NOTIFY__WEBHOOK_URL": http_capture.url("/hook"),
        "ONCODROP_NOTIFY__TIMEOUT_S": "2",
        "ONCODROP_NOTIFY__BACKOFF_S": "0.2",
        "ONCODROP_NOTIFY__MAX_BACKOFF_S": "2",
        "ONCODROP_NOTIFY__ATTEMPTS": "1000",
        "ONCODROP_NOTIFY__POLL_S": "0.2",
    }  # fmt: skip
    cmd = [sys.executable, "-m", "oncodrop", "serve", "--store", bucket.as_uri(), "--db", db,
           "--bundle", str(demo_bundle), "--workers", "2", "--poll-interval", "0.3"]  # fmt: skip
    service = Service(cmd, env, tmp_path / "serve.log")
    watcher = BucketWatcher(bucket)
    orphans = OrphanWatch()
    kills: Counter[str] = Counter()
    keys = {t.name for t in tarballs}

    def succeeded() -> set[str]:
        return {r.key for r in _samples(db) if r.state is SampleState.SUCCEEDED}

    def kill(what: str, target: Proc) -> None:
        tree = descendants(marked(mark), target.pid)
        if not alive(target):
            return
        os.kill(target.pid, signal.SIGKILL)  # a process this test started (it carries our mark)
        kills[what] += 1
        orphans.after_kill(f"SIGKILL of {what} {target.pid}", tree)

    def refusals() -> int:
        return service.log.read_text(errors="replace").count("cannot write")

    def pause(seconds: float, *, serving: bool = True) -> None:
        """The schedule's pace; meanwhile keep checking for orphans (and that serve lives)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            orphans.check()
            if serving:
                service.assert_alive()
            time.sleep(0.1)

    watcher.start()
    service.start()
    ro_window: list[float] = []
    try:
        # drops: most atomic, one written in bursts, spread over the first part of the run
        drops = [t for t in tarballs if t is not bursty]
        threading.Thread(target=_bursty_drop, args=(bursty, bucket), daemon=True).start()
        for t in drops[: len(drops) // 2]:
            _drop(t, bucket)

        actions = ["worker", "child"] * (N_KILLS // 2) + ["serve"] * N_SERVE_KILLS + ["readonly", "rest-drops"]
        rng.shuffle(actions)
        for action in actions:
            pause(rng.uniform(1.0, 4.0))
            procs = marked(mark)
            workers = _workers(procs, service.pid)
            if action == "worker" and workers:
                kill("worker", rng.choice(workers))
            elif action == "child":
                with suppress(AssertionError):  # no job running within 10 s: skip this kill
                    children = wait_for(lambda: _job_children(marked(mark), service.pid), 10, "a job child")
                    kill("job child", rng.choice(children))
            elif action == "serve":
                kill("serve", procs[service.pid])
                assert service.process is not None
                service.process.wait()
                # its workers die with it; the next serve takes their samples over by heartbeat silence
                pause(rng.uniform(0.0, 3.0), serving=False)
                service.start()
            elif action == "readonly":
                # while a job runs, so its upload meets the read-only store; held until an upload
                # was refused (or 30 s), then a little longer so the retries are refused too
                with suppress(AssertionError):
                    wait_for(lambda: _job_children(marked(mark), service.pid), 10, "a job child")
                refused = refusals()
                with _immutable(bucket) as took:
                    if took:
                        start = time.monotonic()
                        with suppress(AssertionError):
                            wait_for(lambda n=refused: (service.assert_alive(), refusals() > n)[1], 30,
                                     "an upload refused by the read-only store")  # fmt: skip
                        pause(scaled(rng.uniform(1.0, 4.0)))
                        ro_window.append(time.monotonic() - start)
            elif action == "rest-drops":
                for t in drops[len(drops) // 2 :]:
                    _drop(t, bucket)

        # Slack hung all along (each send times out after 2 s); once a send has timed out, it
        # answers again
        wait_for(lambda: "timed out" in service.log.read_text(errors="replace"), 60, "a send to Slack to time out")
        second_capture.gate.set()

        def all_done() -> bool:
            orphans.check()
            service.assert_alive()
            return keys <= succeeded()

        try:
            wait_for(all_done, 300, "every sample SUCCEEDED", interval_s=0.3)
        except AssertionError as exc:
            states = [(r.key, r.state.value, r.reason) for r in _samples(db)]
            raise AssertionError(f"{exc}; ledger: {states}\n{service.tail()}") from None

        def delivered() -> bool:
            orphans.check()
            with Ledger.open(db, migrate_schema=False) as ledger:
                notices = ledger.notifications()
            return len(notices) >= len(keys) and all(outcome == "delivered" for _, outcome in notices)

        wait_for(delivered, 120, "every notification delivered")
        wait_for(lambda: (orphans.check(), not orphans.pending)[1], ORPHAN_GRACE_S + 5, "orphan checks settled")
        looks = watcher.looks
        wait_for(lambda: watcher.looks > looks + 2, 10, "the watcher to look at the final bucket")
    finally:
        watcher.stop.set()
        service.stop()
        watcher.join(timeout=10)
    print(f"kills: {dict(kills)}, serve starts: {service.starts}, read-only window: "
          f"{[round(w, 1) for w in ro_window]} s, orphan checks passed: {orphans.checked}, "
          f"watcher looks: {watcher.looks}, uploads refused by the read-only store: "
          f"{refusals()}, slack requests: "
          f"{len(second_capture.received)} received / {len(second_capture.answered)} answered, webhook requests: "
          f"{len(http_capture.received)} received / {len(http_capture.answered)} answered")  # fmt: skip

    # no orphan outlived its parent by 15 s
    assert not orphans.violations, orphans.violations
    # serve stopped (SIGTERM): its helpers (e.g. multiprocessing's resource tracker) follow it
    try:
        wait_for(lambda: not marked(mark), ORPHAN_GRACE_S, "every process gone after serve stopped")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {list(marked(mark).values())}") from None

    # every sample SUCCEEDED exactly once: one row per key, one SUCCEEDED in its history
    records = _samples(db)
    assert sorted(r.key for r in records) == sorted(keys), [(r.key, r.state.value, r.reason) for r in records]
    with Ledger.open(db, migrate_schema=False) as ledger:
        for r in records:
            history = ledger.history(r.id)
            assert r.state is SampleState.SUCCEEDED, (r.key, r.state.value, r.reason)
            assert [h.to_state for h in history].count(SampleState.SUCCEEDED) == 1, (r.key, history)
        notices = ledger.notifications()

    # one valid output each, naming its input; never a partial one in sight
    assert not watcher.partial, watcher.partial
    outputs = sorted(p.name for p in bucket.iterdir() if p.name.endswith("-output.tar.gz"))
    assert outputs == sorted(k.replace(".tar.gz", "-output.tar.gz") for k in keys)
    for key in keys:
        stem = key.removesuffix(".tar.gz")
        with tarfile.open(bucket / f"{stem}-output.tar.gz") as tar:
            member = tar.extractfile(f"{stem}-output/provenance.json")
            assert member is not None
            provenance = json.load(member)
        assert provenance["input"]["sha256"] == sha[key] and provenance["input"]["key"] == key
    assert set(watcher.verified) == set(outputs)
    assert not [p.name for p in bucket.iterdir() if p.name.startswith(".")], "temp files left in the bucket"

    # each notification delivered once to each target (answers that reached a waiting client)
    ids = {f"oncodrop-{item.id}" for item, _ in notices}
    assert {item.record.key for item, _ in notices} == keys and len(ids) == len(keys)
    for capture in (http_capture, second_capture):
        ok = Counter(r.headers.get("Idempotency-Key") for r, status in capture.answered if status < 300)
        assert set(ok) == ids and set(ok.values()) == {1}, (capture.port, ok)
    assert any(status == 500 for _, status in http_capture.answered)
    assert len(second_capture.received) > len(second_capture.answered)  # Slack did hang

    # the work dirs are empty
    assert not list(work.rglob("*")), sorted(str(p) for p in work.rglob("*"))
