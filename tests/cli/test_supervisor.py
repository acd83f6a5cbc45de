"""The supervisor of `samtale serve --workers N`, with stand-in workers: it refuses deployments
whose state is per process, stops the server when a worker cannot start, starts a dying worker
again after a growing pause, passes a stop on and waits, and kills a worker that ignores it.
(The real server with real workers: `test_serve_workers.py`.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from samtale.cli.main import app
from samtale.cli.workers import STARTUP_FAILURE, Supervisor, listen, refusal
from samtale.kernel.config import Settings
from tests.cli import worker_targets

runner = CliRunner()

PG = "postgresql://samtale@db.internal/samtale"


def test_the_in_process_hub_is_refused_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMTALE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAMTALE_DATABASE_URL", PG)
    monkeypatch.delenv("SAMTALE_REDIS_URL", raising=False)
    r = runner.invoke(app, ["serve", "--workers", "2"])
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())
    assert "--workers 2 needs Redis (SAMTALE_REDIS_URL)" in text
    assert (
        "a message published in one worker process would not reach a websocket held by another"
        in text
    )
    assert "PostgreSQL" not in text  # the database is not the problem here


def test_sqlite_is_refused_and_the_demo_stays_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMTALE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SAMTALE_DATABASE_URL", raising=False)
    monkeypatch.setenv("SAMTALE_REDIS_URL", "redis://127.0.0.1:6379/0")
    r = runner.invoke(app, ["serve", "--workers", "3"])
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())
    assert "--workers 3 needs PostgreSQL (SAMTALE_DATABASE_URL)" in text and "Redis (" not in text
    monkeypatch.setenv("SAMTALE_WORKERS", "2")
    r = runner.invoke(app, ["demo"])
    assert r.exit_code == 2 and "the demo runs in one process" in " ".join(r.output.split())
    r = runner.invoke(app, ["serve", "--workers", "0"])
    assert r.exit_code == 2  # not a number of workers
    assert not (tmp_path / "samtale.db").exists()  # refused before anything was made


def test_postgresql_and_redis_may_have_workers() -> None:
    base: dict[str, Any] = {"database_url": PG, "redis_url": "redis://r:6379/0"}
    assert refusal(Settings(workers=4, **base)) is None
    assert refusal(Settings(workers=1)) is None  # one process: the embedded defaults
    assert refusal(Settings(workers=2, **{**base, "database_url": None})) is not None
    assert refusal(Settings(workers=2, **{**base, "redis_url": None})) is not None


@pytest.fixture
def supervise(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Run a supervisor of stand-in workers in a thread: `run = supervise(target, workers=…)`;
    `run.events()` are the workers' notes, `run.result()` the exit code."""
    started: list[tuple[Supervisor, threading.Thread]] = []
    sock = listen("127.0.0.1", 0)

    def start(target: Any, workers: int = 1, grace: float = 5.0) -> Any:
        settings = Settings(workers=workers, data_dir=tmp_path)
        metrics = tmp_path / "metrics"
        metrics.mkdir(exist_ok=True)
        sup = Supervisor(settings, sock, str(metrics), target=target, grace=grace)
        result: list[int] = []
        thread = threading.Thread(target=lambda: result.append(sup.run()), daemon=True)
        thread.start()
        started.append((sup, thread))

        class Run:
            supervisor = sup

            @staticmethod
            def events(kind: str | None = None) -> list[tuple[str, int, float]]:
                path = tmp_path / "events"
                if not path.exists():
                    return []
                rows = [line.split() for line in path.read_text().splitlines()]
                return [(k, int(pid), float(at)) for k, pid, at in rows if kind in (None, k)]

            @staticmethod
            def result(timeout: float = 60) -> int:
                thread.join(timeout)
                assert result, "the supervisor did not return"
                return result[0]

            @staticmethod
            def wait_for(kind: str, count: int, timeout: float = 60) -> None:
                deadline = time.monotonic() + timeout
                while len(Run.events(kind)) < count:
                    assert time.monotonic() < deadline, Run.events()
                    time.sleep(0.05)

        return Run

    yield start
    for sup, thread in started:
        sup.stop()
        sup.stop()
        thread.join(30)
    sock.close()


def test_a_worker_that_cannot_start_stops_the_server(supervise: Callable[..., Any]) -> None:
    run = supervise(worker_targets.fails_to_start, workers=2)
    assert run.result() == STARTUP_FAILURE
    # Not started again and again: the app would fail the same way every time.
    assert 1 <= len(run.events("start")) <= 2


def test_a_worker_that_dies_is_started_again_after_a_growing_pause(
    supervise: Callable[..., Any],
) -> None:
    run = supervise(worker_targets.crashes)
    run.wait_for("start", 3)
    times = [at for _k, _pid, at in run.events("start")]
    # Died at once each time: started again after 1 s, then after 2 s (and so on, up to 30 s).
    assert times[1] - times[0] >= 0.9 and times[2] - times[1] >= 1.9, times
    assert len({pid for _k, pid, _at in run.events("start")}) == len(times)
    run.supervisor.stop()
    assert run.result() == 0


def test_a_stop_is_passed_on_and_waited_for(supervise: Callable[..., Any]) -> None:
    run = supervise(worker_targets.serves_until_stopped, workers=2)
    run.wait_for("start", 2)
    run.supervisor.stop()
    assert run.result() == 0
    starts = {pid for _k, pid, _at in run.events("start")}
    assert len(starts) == 2  # nobody was started again
    assert {pid for _k, pid, _at in run.events("stopped")} == starts


def test_a_worker_that_ignores_the_stop_is_killed_after_the_grace(
    supervise: Callable[..., Any],
) -> None:
    run = supervise(worker_targets.ignores_stop, grace=1.0)
    run.wait_for("start", 1)
    asked = time.monotonic()
    run.supervisor.stop()
    assert run.result() == 1
    assert time.monotonic() - asked >= 1.0


LEAVES = """
import asyncio, sys, time
from samtale.cli.workers import run_then_exit

async def main():
    asyncio.get_running_loop().run_in_executor(None, time.sleep, 120)  # a model training
    await asyncio.sleep(0.1)
    if sys.argv[1] == "fails":
        sys.exit(3)

run_then_exit(main)
"""


@pytest.mark.parametrize(("how", "code"), [("stops", 0), ("fails", 3)])
def test_a_worker_leaves_at_once_whatever_its_threads_are_doing(how: str, code: int) -> None:
    """A stopped worker does not wait for work in its threads (minutes of training): the
    supervisor's grace is for requests, and a worker stuck after its server stopped would
    outlive it."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo / "src"), str(repo)])}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", LEAVES, how], env=env, timeout=60)
    assert done.returncode == code
    assert time.monotonic() - started < 30
