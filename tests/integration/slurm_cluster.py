"""A real one-node Slurm cluster (Debian ``slurm-wlm`` + ``munge``) under a temp dir, for tests.

``munged``, ``slurmctld`` and ``slurmd`` run as this user (root here) with every file, socket
and port private to the test: a munge key, socket and pid file of our own, ``AuthInfo=socket=``
pointing Slurm at that socket, ``proctrack/linuxproc`` and ``task/none`` (no cgroups in a
sandbox), private controller/daemon ports on 127.0.0.1's host name, and ``jobcomp/filetxt``
because there is no ``slurmdbd`` (so ``sacct`` has no accounting storage). Each daemon is
stopped by its PID (SIGTERM, then SIGKILL), never by name.

Run ``python tests/integration/slurm_cluster.py DIR`` to start one by hand and print the
``SLURM_CONF`` to export; Ctrl-C stops it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BINARIES = {name: shutil.which(name) for name in ("munged", "slurmctld", "slurmd", "sbatch", "scontrol")}
MUNGED = BINARIES["munged"] or "/usr/sbin/munged"


def available() -> bool:
    """Every daemon and client is installed and we may run the daemons (root)."""
    return all(BINARIES.values()) and os.geteuid() == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SLURM_CONF = """\
ClusterName=oncotest
SlurmctldHost={host}
SlurmUser={user}
SlurmdUser=root
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool-%n
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=5
JobCompType=jobcomp/filetxt
JobCompLoc={root}/jobcomp.txt
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
KillWait=30
InactiveLimit=0
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=60
MailProg=/bin/true
NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=onco Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


@dataclass
class SlurmCluster:
    """A running cluster: its config file, node name, partition and daemons (by PID)."""

    root: Path
    node: str
    partition: str = "onco"
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def conf(self) -> Path:
        return self.root / "slurm.conf"

    @property
    def env(self) -> dict[str, str]:
        return {"SLURM_CONF": str(self.conf)}

    def run(self, *command: str, check: bool = True) -> str:
        """A Slurm client command against this cluster; its stdout."""
        done = subprocess.run(command, env={**os.environ, **self.env}, capture_output=True, text=True,
                              timeout=60, check=False)  # fmt: skip
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
        return done.stdout

    def node_state(self) -> str:
        out = self.run("scontrol", "show", "node", self.node, "-o")
        return next(p.split("=", 1)[1] for p in out.split() if p.startswith("State="))

    def drain(self, reason: str) -> None:
        self.run("scontrol", "update", f"NodeName={self.node}", "State=DRAIN", f"Reason={reason}")

    def resume(self) -> None:
        self.run("scontrol", "update", f"NodeName={self.node}", "State=RESUME")

    def jobcomp(self) -> list[dict[str, str]]:
        """The finished jobs as ``jobcomp/filetxt`` recorded them (one dict per line)."""
        path = self.root / "jobcomp.txt"
        if not path.exists():
            return []
        return [dict(p.split("=", 1) for p in line.split() if "=" in p)
                for line in path.read_text().splitlines() if line.strip()]  # fmt: skip

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n{(self.root / name).read_text(errors='replace')[-3000:]}"
            for name in ("munged.log", "slurmctld.log", "slurmd.log") if (self.root / name).exists()
        )  # fmt: skip


def _wait(predicate, timeout_s: float, what: str, cluster: SlurmCluster) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"slurm test cluster: {what} within {timeout_s:.0f} s\n{cluster.logs()}")


def _stop_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


@contextmanager
def slurm_cluster(root: Path, cpus: int = 2, memory_mb: int = 2000) -> Iterator[SlurmCluster]:
    """Start munged, slurmctld and slurmd under ``root``; stop all three by PID afterwards."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)  # job steps (as root) and daemons read the config
    (root / "state").mkdir(exist_ok=True)
    node = socket.gethostname().split(".")[0]
    cluster = SlurmCluster(root, node)
    key = root / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    munge_socket = root / "munge.socket"
    conf = SLURM_CONF.format(host=node, node=node, user="root", root=root, cpus=cpus, memory_mb=memory_mb,
                             ctld_port=_free_port(), slurmd_port=_free_port(), munge_socket=munge_socket)  # fmt: skip
    cluster.conf.write_text(conf)
    env = {**os.environ, **cluster.env}
    try:
        subprocess.run([MUNGED, "--key-file", str(key), "--socket", str(munge_socket), "--pid-file",
                        str(root / "munged.pid"), "--log-file", str(root / "munged.log"), "--seed-file",
                        str(root / "munged.seed"), "--force"], check=True, timeout=30, env=env)  # fmt: skip
        cluster.pids["munged"] = _wait_pid(root / "munged.pid", cluster)
        subprocess.run(["slurmctld", "-c", "-i"], check=True, timeout=30, env=env)  # -c: clean state
        cluster.pids["slurmctld"] = _wait_pid(root / "slurmctld.pid", cluster)
        subprocess.run(["slurmd"], check=True, timeout=30, env=env)
        cluster.pids["slurmd"] = _wait_pid(root / "slurmd.pid", cluster)
        _wait(lambda: cluster.node_state().split("+")[0] in ("IDLE", "MIXED", "ALLOCATED"), 90,
              "the node did not come up", cluster)  # fmt: skip
        yield cluster
    finally:
        for name in ("slurmd", "slurmctld", "munged"):
            pid = cluster.pids.get(name)
            if pid is not None:
                _stop_pid(pid)


def _wait_pid(path: Path, cluster: SlurmCluster) -> int:
    _wait(lambda: _read_pid(path) is not None, 30, f"no pid in {path.name}", cluster)
    pid = _read_pid(path)
    assert pid is not None
    return pid


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a SIGTERM stops the daemons too
    with slurm_cluster(Path(sys.argv[1]).resolve()) as running:
        print(f"export SLURM_CONF={running.conf}  # node {running.node}, pids {running.pids}", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass  # the context manager stops the daemons by PID
