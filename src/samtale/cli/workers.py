"""`samtale serve --workers N`: several worker processes serving one port.

One Python process answers on one core (the bot's turn is CPU work under one interpreter lock);
N workers use N cores. Each worker is a whole instance — its own `Container`, with its bots
loaded, its hub connection and its database pool — exactly like the instances of a scaled-out
deployment (`docs/deploy.md`), only on one box and behind one port. So workers need what several
instances need, and the supervisor refuses to start more than one without it:

- Redis for the hub and the rate limits: a message posted through one worker must reach the
  widget's or the console's websocket held by another, and a limit must count every worker's
  hits. With the in-process hub it would not.
- PostgreSQL for the rows: the embedded SQLite is one file whose writers this server queues
  behind one lock per process, and that lock is what keeps a transaction that reads and then
  writes (an agent's capacity when they claim a chat) from acting on a row another writer is
  changing. Several processes each have their own lock, so their transactions would interleave.

The parent process (the supervisor) does the once-only work and then only watches. The
`samtale` command first replaces itself with a fresh interpreter running this module (same pid,
a third of the memory: the command imports every feature, the supervisor needs none); then

1. it checks the schema (a database behind the code refuses the start, as for one process) and
   makes the data folder and the secret key, once;
2. it binds and listens on the port, so a port in use fails at once and every worker accepts
   from the one socket (the kernel hands each new connection to one of them);
3. it starts N workers as fresh interpreters (`spawn`: nothing of the parent's threads or
   connections is inherited), each building its container and serving on the socket;
4. a worker that dies is logged and started again, after a growing pause when it keeps dying;
   a worker that cannot start at all (exit code 3: the app's start-up failed) stops the server
   with that code, since every restart would fail the same way;
5. SIGTERM or SIGINT is passed on to every worker as SIGTERM: each stops accepting, finishes its
   requests, closes its websockets (the clients reconnect and catch up by cursor) and its
   container. The supervisor waits `GRACE_SECONDS` and kills what is left; a second signal
   kills at once. It exits 0 when the workers stopped by themselves, 1 when it had to kill one.

Workers leave by themselves when the supervisor is gone (they look every second), so a
supervisor killed outright leaves nothing serving.

Work that must happen once: model training is shared through the data folder (the first worker
that needs a model trains it under a file lock, the others load it: `bot/model.py`); the
scheduled jobs that must run once per round (the retention purge, the catalogue sync, the
knowledge re-crawl) take a database lock (`infra/locks.py`); the live chat's sweep and the
evaluation queue are safe in every process at once (conditional updates, leases). Metrics are
kept per process and summed by whichever worker answers `/metrics` (`kernel/metrics.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any, NoReturn, cast

import uvicorn

from samtale.kernel.config import Settings
from samtale.kernel.logs import configure_logging, get_logger
from samtale.kernel.metrics import MULTIPROCESS_DIR

log = get_logger(__name__)

# uvicorn's exit code for an app that could not start (and ours for a container that could not
# be built).
STARTUP_FAILURE = 3
# How long workers get to finish after SIGTERM before they are killed.
GRACE_SECONDS = 30.0
# A worker that lived this long before dying is restarted at once; one that keeps dying sooner
# waits 1, 2, 4 … up to `MAX_RESTART_DELAY` seconds before each new start.
STABLE_SECONDS = 60.0
MAX_RESTART_DELAY = 30.0
BACKLOG = 2048


def refusal(settings: Settings) -> str | None:
    """Why this deployment cannot run `settings.workers` worker processes (None: it can)."""
    if settings.workers <= 1:
        return None
    needs = []
    if not settings.redis_url:
        needs.append(
            "Redis (SAMTALE_REDIS_URL): with the in-process hub, a message published in one "
            "worker process would not reach a websocket held by another, and each process "
            "would count the rate limits on its own"
        )
    if settings.is_sqlite:
        needs.append(
            "PostgreSQL (SAMTALE_DATABASE_URL): SQLite is one file whose writes this server "
            "queues inside one process; transactions of several processes would interleave"
        )
    if not needs:
        return None
    return (
        f"--workers {settings.workers} needs "
        + "; and ".join(needs)
        + ". Run one worker (--workers 1) on the embedded defaults."
    )


def supervise(settings: Settings) -> NoReturn:
    """Become the supervisor: this process is replaced by a fresh interpreter running this
    module (same pid, same environment, plus the command line's host, port and workers). The
    `samtale` command imports every feature (about 240 MB); the supervisor needs a tenth of it,
    and it lives as long as the server."""
    os.environ.update(
        SAMTALE_HOST=settings.host,
        SAMTALE_PORT=str(settings.port),
        SAMTALE_WORKERS=str(settings.workers),
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", __name__])


def main() -> NoReturn:
    try:
        settings = Settings()
    except ValueError as exc:
        raise SystemExit(f"invalid configuration: {exc}") from None
    problem = refusal(settings)
    if problem:
        raise SystemExit(f"error: {problem}")
    run_workers(settings)


def run_workers(settings: Settings) -> NoReturn:
    """Supervise `settings.workers` workers on one port until stopped; exits the process."""
    configure_logging(settings.log_level, fields={"pid": os.getpid(), "role": "supervisor"})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _ = settings.effective_secret_key  # generated here once, not by N workers at once
    asyncio.run(_check_schema(settings))
    try:
        sock = listen(settings.host, settings.port)
    except OSError as exc:
        log.error("supervisor_bind_failed", host=settings.host, port=settings.port)
        raise SystemExit(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}"
        ) from None
    metrics_dir = tempfile.mkdtemp(prefix="samtale-metrics-")
    os.environ[MULTIPROCESS_DIR] = metrics_dir
    try:
        code = Supervisor(settings, sock, metrics_dir).run()
    finally:
        sock.close()
        shutil.rmtree(metrics_dir, ignore_errors=True)
    sys.exit(code)


async def _check_schema(settings: Settings) -> None:
    from samtale.cli.schema import check_schema
    from samtale.infra.database import Database

    db = Database(settings.effective_database_url)
    try:
        await check_schema(settings, db)
    finally:
        await db.dispose()


def listen(host: str, port: int) -> socket.socket:
    """The listening socket every worker accepts from."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


@dataclass
class _Slot:
    """One worker's place: its number, its current process and its restarts."""

    index: int
    process: BaseProcess | None = None
    started: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = 0.0


class Supervisor:
    """Starts the workers, starts again the ones that die, stops them all when asked.
    `target(settings, sock, index, supervisor_pid)` is a worker's whole life (`worker_main`)."""

    def __init__(
        self,
        settings: Settings,
        sock: socket.socket,
        metrics_dir: str,
        target: Callable[[Settings, socket.socket, int, int], None] | None = None,
        grace: float = GRACE_SECONDS,
    ) -> None:
        self.settings = settings
        self.sock = sock
        self.metrics_dir = metrics_dir
        self.target = target or worker_main
        self.grace = grace
        self.context = multiprocessing.get_context("spawn")
        self.slots = [_Slot(i) for i in range(settings.workers)]
        self.signals = 0
        self.failure: int | None = None

    def stop(self) -> None:
        """Ask for a stop (what SIGTERM and SIGINT do); asked twice, stop without waiting."""
        self.signals += 1

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        # Only counted here: writing a log line inside a signal handler could interrupt one.
        self.stop()

    def run(self) -> int:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self._on_signal)
        log.info(
            "supervisor_started",
            host=self.settings.host,
            port=self.settings.port,
            workers=len(self.slots),
        )
        while not self.signals and self.failure is None:
            now = time.monotonic()
            for slot in self.slots:
                if slot.restart_at is not None and slot.restart_at <= now:
                    self._start(slot)
            running = {s.process.sentinel: s for s in self.slots if s.process is not None}
            for sentinel in wait(list(running), timeout=0.5):
                self._exited(running[cast(int, sentinel)])
        if self.signals:
            log.info("supervisor_stopping", workers=len(self.slots))
        return self._stop_all()

    def _start(self, slot: _Slot) -> None:
        process = self.context.Process(
            target=self.target,
            args=(self.settings, self.sock, slot.index, os.getpid()),
            name=f"samtale-worker-{slot.index}",
        )
        process.start()
        slot.process, slot.started, slot.restart_at = process, time.monotonic(), None
        log.info("worker_started", worker=slot.index, worker_pid=process.pid)

    def _exited(self, slot: _Slot) -> None:
        process = slot.process
        assert process is not None
        process.join()
        slot.process = None
        self._forget(process)
        code = process.exitcode
        if code == STARTUP_FAILURE:
            log.error("worker_start_failed", worker=slot.index, worker_pid=process.pid)
            self.failure = STARTUP_FAILURE
            return
        lived = time.monotonic() - slot.started
        slot.quick_deaths = slot.quick_deaths + 1 if lived < STABLE_SECONDS else 0
        delay = min(MAX_RESTART_DELAY, 2.0 ** (slot.quick_deaths - 1)) if slot.quick_deaths else 0.0
        slot.restart_at = time.monotonic() + delay
        log.error(
            "worker_died",
            worker=slot.index,
            worker_pid=process.pid,
            exit_code=code,  # negative: killed by that signal
            lived_seconds=round(lived, 1),
            restart_in_seconds=delay,
        )

    def _forget(self, process: BaseProcess) -> None:
        """A gone worker's live gauges no longer count (its counters still do)."""
        from prometheus_client import multiprocess

        if process.pid is not None:
            with contextlib.suppress(OSError):
                multiprocess.mark_process_dead(process.pid, self.metrics_dir)

    def _stop_all(self) -> int:
        running = [s.process for s in self.slots if s.process is not None]
        for process in running:
            if process.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGTERM)
        signals = self.signals
        deadline = time.monotonic() + self.grace
        while any(p.is_alive() for p in running) and time.monotonic() < deadline:
            if self.signals > max(signals, 1):  # asked again: do not wait
                break
            wait([p.sentinel for p in running if p.is_alive()], timeout=0.2)
        killed = 0
        for process in running:
            if process.is_alive():
                log.warning("worker_killed", worker_pid=process.pid)
                process.kill()
                killed += 1
            process.join()
            self._forget(process)
        log.info("supervisor_stopped", killed=killed)
        if self.failure is not None:
            return self.failure
        return 1 if killed else 0


class _WorkerServer(uvicorn.Server):
    """uvicorn, stopping gracefully on any stop signal (the supervisor kills after its grace
    period), and not raising the signal again afterwards: the worker then exits 0."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.should_exit = True


def worker_main(settings: Settings, sock: socket.socket, index: int, parent: int) -> None:
    """One worker process: its own container and app, serving on the supervisor's socket."""
    configure_logging(settings.log_level, fields={"pid": os.getpid(), "worker": index})
    # Ctrl-C reaches every process of the terminal's group; the supervisor passes it on as
    # SIGTERM, so before serving a worker ignores it (and while serving stops gracefully).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from samtale.app.container import Container
    from samtale.cli.server import loop_factory, quick_switches, raise_file_limit, uvicorn_config
    from samtale.web.app import create_app

    quick_switches()
    raise_file_limit()
    try:
        runtime = Container.build(settings)
        app = create_app(runtime)
    except Exception:
        log.exception("worker_build_failed", worker=index)
        sys.exit(STARTUP_FAILURE)
    server = _WorkerServer(uvicorn_config(app, settings))

    async def serve() -> None:
        watch = asyncio.create_task(_leave_when_orphaned(server, parent))
        try:
            await server.serve(sockets=[sock])
        finally:
            watch.cancel()

    run_then_exit(serve, loop_factory())


def run_then_exit(
    main: Callable[[], Coroutine[Any, Any, None]], loop_factory: Any = None
) -> NoReturn:
    """Run a worker's `main` and end the process as soon as it returns (0), exits (its code) or
    fails (1). A worker's `main` has stopped its server and closed its container by then;
    closing the event loop would wait for work still running in threads (a model being
    trained, a catalogue being embedded: minutes), and the interpreter's tear-down would spend
    seconds collecting the bots' objects."""
    code = 0
    try:
        asyncio.Runner(loop_factory=loop_factory).run(main())
    except SystemExit as exc:  # uvicorn's, when the app's start-up failed
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        log.exception("worker_failed")
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


async def _leave_when_orphaned(server: uvicorn.Server, parent: int) -> None:
    while os.getppid() == parent:  # noqa: ASYNC110 (nothing signals a parent's death)
        await asyncio.sleep(1.0)
    log.warning("worker_orphaned", supervisor_pid=parent)
    server.should_exit = True


if __name__ == "__main__":
    main()
