"""Stand-in workers for the supervisor's tests: each is a worker process's whole life, as
`samtale.cli.workers.worker_main` is, imported by a fresh interpreter (so nothing heavy here)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any


def _note(settings: Any, what: str) -> None:
    """One line per event in the data folder's `events` file, which the test reads."""
    with open(Path(settings.data_dir) / "events", "a") as f:
        f.write(f"{what} {os.getpid()} {time.time()}\n")


def fails_to_start(settings: Any, sock: Any, index: int, parent: int) -> None:
    _note(settings, "start")
    sys.exit(3)


def crashes(settings: Any, sock: Any, index: int, parent: int) -> None:
    _note(settings, "start")
    os.kill(os.getpid(), signal.SIGKILL)


def serves_until_stopped(settings: Any, sock: Any, index: int, parent: int) -> None:
    """Waits for SIGTERM and leaves cleanly."""
    stopped = []
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(True))
    _note(settings, "start")
    while not stopped:
        time.sleep(0.02)
    _note(settings, "stopped")


def ignores_stop(settings: Any, sock: Any, index: int, parent: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _note(settings, "start")
    while True:
        time.sleep(0.05)
