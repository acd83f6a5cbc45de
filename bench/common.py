"""Shared pieces of the benchmarks: the machine's name, tables, percentiles, a server process."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "bench-data"


def add_service_arguments(
    parser: argparse.ArgumentParser, *, redis: bool = True, postgres_help: str | None = None
) -> None:
    """`--postgres` (and `--redis`): the servers a benchmark runs against, by default the test
    suite's (`SAMTALE_TEST_POSTGRES_URL`, `SAMTALE_TEST_REDIS_URL`) or the local ones."""
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "SAMTALE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        help=postgres_help,
    )
    if redis:
        parser.add_argument(
            "--redis",
            default=os.environ.get("SAMTALE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        )


def machine() -> str:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [
        [f"{c:.2f}" if isinstance(c, float) else str(c) for c in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)), line]
    out += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells[1:]]
    return "\n".join(out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one benchmark run, dropped afterwards."""
    name = f"samtale_bench_{secrets.token_hex(4)}"
    admin = ["psql", base_url, "-q", "-c"]
    subprocess.run([*admin, f'CREATE DATABASE "{name}"'], check=True)
    try:
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False)


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def resident_mb(pid: int) -> float:
    """The resident memory of a process, in MB (Linux's /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy so far, all processes (Linux's
    /proc/stat): over a window, divided by its length, how many cores were in use."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def settle(pid: int, busy: float = 0.2, window: float = 2.0, timeout: float = 600) -> float:
    """Wait until a freshly started server has finished its start-up work (the demo indexes its
    help pages in the background after it reports ready): its CPU use over `window` seconds
    drops below `busy`. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = cpu_seconds(pid)
        time.sleep(window)
        if (cpu_seconds(pid) - before) / window < busy:
            break
    return time.monotonic() - started


@contextlib.contextmanager
def server_process(
    database_url: str | None = None, extra_env: dict[str, str] | None = None, demo: bool = True
) -> Iterator[str]:
    """Run `samtale demo` (or `serve`) in its own process; yields its base URL."""
    with server(database_url, extra_env, demo) as running:
        yield running.url


@contextlib.contextmanager
def server(
    database_url: str | None = None,
    extra_env: dict[str, str] | None = None,
    demo: bool = True,
    data_dir: str | None = None,
    log_path: str | None = None,
) -> Iterator[Server]:
    """Run `samtale demo` (or `serve`) in its own process until it is ready; yields its URL and
    process id. Processes given the same `data_dir` share the trained bot (start the first one,
    then the others). The server's log goes to `log_path` when given."""
    port = free_port()
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = stack.enter_context(tempfile.TemporaryDirectory())
        env = {
            **os.environ,
            "SAMTALE_DATA_DIR": data_dir,
            "SAMTALE_LOG_LEVEL": "warning",
            "SAMTALE_MESSAGES_PER_MINUTE": "1000000",
            "SAMTALE_CONVERSATIONS_PER_MINUTE_PER_IP": "1000000",
            **(extra_env or {}),
        }
        if database_url:
            env["SAMTALE_DATABASE_URL"] = database_url
        cmd = [sys.executable, "-m", "samtale", "demo" if demo else "serve", "--port", str(port)]
        # The server's log goes to a file, not a pipe nobody reads: a pipe that fills up (a
        # server logging every failed request during an outage) would stall the server.
        log = stack.enter_context(
            open(log_path, "w+") if log_path else tempfile.TemporaryFile("w+")  # noqa: SIM115
        )
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 900
            while time.time() < deadline:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"server exited: {log.read()[-4000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                time.sleep(0.2)
            else:
                raise RuntimeError("server did not become ready")
            yield Server(url, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
