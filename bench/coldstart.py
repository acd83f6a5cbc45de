"""Cold start: how long after `samtale demo` starts on an empty data folder a customer gets a
real answer, and when the bot's whole model is in; then a warm start (the folder kept).

`samtale demo` (what `make demo` runs once installed) is started in its own process with the
embedded defaults (SQLite in the data folder, the default log level), and watched from outside:

- **listening**: the first HTTP answer of any kind (`/healthz` says 503 while starting);
- **ready**: `/healthz` answers 200 (the database answers and the demo's bot is loaded);
- **first real answer**: a new customer, in a new conversation, sends a new sentence (never a
  training example, `bench/load/texts.py`) and gets a reply from the bot — not the "I'm just
  starting up" system message. Customers keep coming until one does; the time is when that
  answer arrived;
- **whole model**: the trained model, which is saved only with its e5 part, is in the data
  folder; **e5 answering**: the server logs that the whole model replaced the fast path in the
  live bot (on a warm start: that the bot was loaded with it);
- **idle**: the server's CPU use has dropped (the help pages are indexed in the background).

Seconds from the start of the process. `--baseline REV` starts another git revision the same
way (from a temporary worktree, same virtualenv) in the same run. Each start trains from
nothing, so a run takes several minutes per revision on a small machine.

    PYTHONPATH=src:. .venv/bin/python -m bench.coldstart [--baseline main] [--repeat 1] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from bench.common import free_port, machine, settle, table
from bench.load.revisions import Tree, checkout, this_tree
from bench.load.texts import CustomerText

MILESTONES = ("listening", "ready", "first real answer", "whole model", "e5 answering", "idle")


@dataclass
class Start:
    tree: str
    kind: str  # cold or warm
    at: dict[str, float] = field(default_factory=dict)  # milestone -> seconds from the start
    customers: int = 0  # customers who wrote before the first real answer, that one included
    starting_replies: int = 0  # of them, told that the assistant is starting


class Watch:
    """One server process from its start, until every milestone wanted is seen."""

    def __init__(self, proc: subprocess.Popen[str], url: str, data: Path, log: Path) -> None:
        self.proc = proc
        self.url = url
        self.data = data
        self.log = log
        self.t0 = time.monotonic()
        self.start_wall = time.time()
        self.at: dict[str, float] = {}

    def mark(self, name: str, when: float | None = None) -> None:
        if name not in self.at:
            self.at[name] = round((when or time.monotonic()) - self.t0, 1)

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"the server exited: {self.log.read_text()[-3000:]}")

    async def health(self, client: httpx.AsyncClient) -> None:
        while "ready" not in self.at:
            self.alive()
            with contextlib.suppress(httpx.HTTPError):
                r = await client.get(f"{self.url}/healthz", timeout=2)
                self.mark("listening")
                if r.status_code == 200:
                    self.mark("ready")
                    return
            await asyncio.sleep(0.1)

    async def answer(self, client: httpx.AsyncClient, texts: CustomerText, start: Start) -> None:
        """New customers, one after another, until one gets the bot's answer."""
        while True:
            self.alive()
            conv = texts.conversation()
            try:
                r = await client.post(
                    f"{self.url}/api/v1/widget/demo/conversations",
                    json={"language": conv.language},
                    timeout=10,
                )
                if r.status_code != 201:
                    await asyncio.sleep(0.2)
                    continue
                started = r.json()
                start.customers += 1
                turn = await client.post(
                    f"{self.url}/api/v1/conversations/{started['conversation_id']}/messages",
                    json={"text": conv.turns[0]},
                    headers={"authorization": f"Bearer {started['token']}"},
                    timeout=60,
                )
            except httpx.HTTPError:
                await asyncio.sleep(0.1)  # not listening yet
                continue
            authors = (
                {m["author"] for m in turn.json().get("replies", [])} if turn.is_success else set()
            )
            if "bot" in authors:
                self.mark("first real answer")
                return
            start.starting_replies += "system" in authors

    async def model(self) -> None:
        folder = self.data / "models"
        while "whole model" not in self.at:
            self.alive()
            for path in folder.glob("*.model"):  # before the start (warm): there at once
                saved = max(0.0, path.stat().st_mtime - self.start_wall)
                self.mark("whole model", self.t0 + saved)
            await asyncio.sleep(0.5)

    async def e5(self) -> None:
        """The log's word that the live bot answers with the whole model."""
        while "e5 answering" not in self.at:
            self.alive()
            for line in self.log.read_text(errors="replace").splitlines():
                with contextlib.suppress(ValueError, KeyError, AttributeError):
                    event = json.loads(line)
                    loaded = event.get("event") == "bot_loaded" and event.get("e5") is True
                    if loaded or event.get("event") == "bot_cascade_loaded":
                        logged = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
                        self.mark("e5 answering", self.t0 + logged.timestamp() - self.start_wall)
            await asyncio.sleep(0.5)


def start_demo(tree: Tree, data: Path, port: int, log: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        **tree.env,
        "SAMTALE_DATA_DIR": str(data),
        "SAMTALE_LOG_LEVEL": "info",  # the default, and what the e5 milestone reads
    }
    env.pop("SAMTALE_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "samtale", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        text=True,
    )


def one_start(tree: Tree, data: Path, kind: str, args: argparse.Namespace) -> Start:
    port = free_port()
    start = Start(tree.label, kind)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        proc = start_demo(tree, data, port, log)
        watch = Watch(proc, f"http://127.0.0.1:{port}", data, log)
        texts = CustomerText(seed=args.seed + (0 if kind == "cold" else 1))
        try:

            async def main() -> None:
                async with httpx.AsyncClient() as client:
                    jobs = [watch.health(client), watch.answer(client, texts, start)]
                    if not args.quick:
                        jobs += [watch.model(), watch.e5()]
                    async with asyncio.timeout(args.timeout):
                        await asyncio.gather(*jobs)

            asyncio.run(main())
            if not args.quick:
                settle(proc.pid, busy=0.2, window=2.0, timeout=args.timeout)
                watch.mark("idle")
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
    start.at = watch.at
    print(f"  {tree.label} {kind}: {start.at}", flush=True)
    return start


def run(args: argparse.Namespace) -> list[Start]:
    starts: list[Start] = []
    with contextlib.ExitStack() as stack:
        trees = [this_tree()]
        if args.baseline:
            trees.insert(0, stack.enter_context(checkout(args.baseline)))
        for _ in range(args.repeat):
            for tree in trees:
                with tempfile.TemporaryDirectory(prefix="samtale-coldstart-") as folder:
                    data = Path(folder)
                    starts.append(one_start(tree, data, "cold", args))
                    if not args.quick:
                        starts.append(one_start(tree, data, "warm", args))
    return starts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", help="git revision to start too, from a worktree")
    parser.add_argument("--repeat", type=int, default=1, help="cold and warm starts per revision")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per start, at most")
    parser.add_argument("--seed", type=int, default=7, help="of the customer texts")
    parser.add_argument(
        "--quick", action="store_true", help="cold start until the first real answer only"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load_start = os.getloadavg()
    starts = run(args)
    print()
    print(
        "bench/coldstart.py — seconds from starting `samtale demo` (SQLite, default settings) until"
        " each milestone; cold = empty data folder, warm = the same folder again"
    )
    print(f"machine: {machine()}")
    print(
        "load average at start {:.1f} {:.1f} {:.1f}, at end {:.1f} {:.1f} {:.1f}".format(
            *load_start, *os.getloadavg()
        )
    )
    rows = [
        [
            s.tree,
            s.kind,
            *(f"{s.at[m]:.1f}" if m in s.at else "-" for m in MILESTONES),
            f"{s.customers} ({s.starting_replies})",
        ]
        for s in starts
    ]
    print(table(["code", "start", *MILESTONES, "customers (told 'starting')"], rows))
    if args.json:
        print(json.dumps([{"tree": s.tree, "kind": s.kind, **s.at} for s in starts]))


if __name__ == "__main__":
    main()
