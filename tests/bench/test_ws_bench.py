"""`bench/ws.py` end to end on a few sockets: it starts `samtale serve`, holds the sockets, and
delivers live messages to the customer and the agent beside them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_websocket_benchmark_holds_its_sockets_and_delivers_beside_them(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.ws", "--sqlite", "--sockets", "5,12", "--probes", "3"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "still open at the end | 12 of 12" in out
    rows = [line for line in out.splitlines() if "→" in line]
    # Three kinds of live message, each with p50 and p99 before and beside the idle sockets.
    assert len(rows) == 3
    for row in rows:
        figures = [float(x) for x in row.split("|")[2:]]
        assert len(figures) == 4 and all(0 < f < 10_000 for f in figures)
