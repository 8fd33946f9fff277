"""Supervision: every process the service starts dies with its parent, even after SIGKILL.

Two independent mechanisms, because either alone has a gap:

- ``PR_SET_PDEATHSIG`` (Linux, via ``prctl``): the kernel signals the child when the *thread*
  that forked it ends. The executors therefore fork workers from one long-lived supervisor
  thread. A parent that died before the call is caught by comparing ``getppid()``.
- a lifeline: a file descriptor whose other end only the parent holds (``multiprocessing``'s
  parent sentinel for spawned workers, stdin for Celery workers, a pipe for job children).
  End of file means the parent is gone; a watcher thread then asks the process to stop and,
  if it has not exited after ``grace_s``, ends it with ``os._exit``.

Each worker also leads its own process group (``lead_process_group``), so its fork server and
job children share it and the executor can kill a dead worker's leftovers with one ``killpg``.
"""

from __future__ import annotations

import ctypes
import logging
import os
import select
import signal
import sys
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
ORPHAN_EXIT = 70  # exit status of a process whose parent vanished


def die_with_parent(signum: int = signal.SIGTERM, expected_parent: int | None = None) -> bool:
    """Ask the kernel to send ``signum`` when our parent (thread) dies; True if armed.

    Exits at once when the parent is already gone (re-parented: ``getppid()`` changed).
    """
    armed = False
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)  # the running process's symbols: libc's prctl
        armed = libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    parent = os.getppid()
    if (expected_parent is not None and parent != expected_parent) or parent == 1:
        os._exit(ORPHAN_EXIT)
    return armed


def watch_fd(fd: int, on_gone: Callable[[], None], grace_s: float, name: str = "lifeline") -> threading.Thread:
    """Start a daemon thread that blocks until ``fd`` reaches end of file (the parent is gone),
    then calls ``on_gone()`` and, ``grace_s`` later, ``os._exit(ORPHAN_EXIT)``."""

    def watch() -> None:
        try:
            while True:
                select.select([fd], [], [])
                if not os.read(fd, 4096):
                    break
        except OSError:
            pass
        log.warning("parent process is gone; stopping (exit in at most %.0f s)", grace_s)
        try:
            on_gone()
        finally:
            threading.Timer(grace_s, os._exit, args=(ORPHAN_EXIT,)).start()

    thread = threading.Thread(target=watch, name=name, daemon=True)
    thread.start()
    return thread


def lead_process_group() -> None:
    """Make this process the leader of a new process group (its children inherit it)."""
    try:
        os.setpgid(0, 0)
    except OSError:  # already a group or session leader
        pass


def kill_group(pgid: int, signum: int = signal.SIGKILL) -> bool:
    """Signal every process left in group ``pgid``; False when the group is empty."""
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        return False
    return True
