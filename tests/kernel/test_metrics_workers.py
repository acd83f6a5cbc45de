"""`/metrics` of a server with several worker processes: each process keeps its own values in
the supervisor's folder, and whichever answers gives the sum over all of them (open websockets
over the living ones). Real processes, since prometheus_client chooses the mode at import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import multiprocess

REPO = Path(__file__).resolve().parents[2]

WORKER = """
from samtale.kernel.metrics import Metrics
m = Metrics()
assert m.multiprocess_dir
for _ in range({n}):
    m.requests.labels("GET", "/healthz", "200").inc()
m.websockets.inc({ws})
import os, sys
print(os.getpid())
"""

READ = """
import sys
from samtale.kernel.metrics import Metrics
sys.stdout.write(Metrics().exposition().decode())
"""


def _python(code: str, folder: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout


def test_any_worker_answers_with_every_workers_counts(tmp_path: Path) -> None:
    first = int(_python(WORKER.format(n=3, ws=2), tmp_path))
    _python(WORKER.format(n=4, ws=1), tmp_path)
    text = _python(READ, tmp_path)
    assert 'samtale_http_requests_total{method="GET",route="/healthz",status="200"} 7.0' in text
    assert "samtale_open_websockets 3.0" in text
    # A worker that died: its requests still count, its websockets no longer do.
    multiprocess.mark_process_dead(first, str(tmp_path))
    text = _python(READ, tmp_path)
    assert 'samtale_http_requests_total{method="GET",route="/healthz",status="200"} 7.0' in text
    assert "samtale_open_websockets 1.0" in text
