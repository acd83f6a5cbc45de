"""The load generator of the API benchmarks: open-loop and closed-loop, in worker processes.

Open loop (`mode="open"`): requests arrive at a fixed offered rate whatever the server does —
Poisson arrivals, scheduled by the clock before the run, not by responses — and each request's
latency is measured from its *scheduled* time. A server that stalls therefore shows the stall in
every request that should have been sent meanwhile (coordinated omission is counted, as wrk2
does); a generator that is late dispatching (its own CPU starved) is charged to the latency too,
and its lag is reported so that it can be told apart. Each arrival takes a conversation that has
no turn in flight (the next turn of one already talking, else a new one), so no conversation has
two turns in flight, as in a widget.

Closed loop (`mode="closed"`): N clients, each sending its next request as soon as the last one
answered (no think time): the most the server does at that concurrency; latency from the send.

The client speaks HTTP/1.1 keep-alive on raw asyncio streams under uvloop rather than through
httpx: on a 2-core machine the generator shares the cores with the server, and a client that
spends a fraction of a millisecond of CPU per request in Python would take a visible share of
what it measures. Each worker reports its own CPU time so that the share can be printed.

Every conversation comes from its own address (`X-Forwarded-For`, which the server trusts from
loopback for the run), as customers do: per-address limits (conversations per minute, failed
order look-ups) count per customer, not for the whole benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import random
import resource
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from typing import Any
from urllib.parse import urlsplit

from bench.load.texts import Conversation

CACHED_TEXT = "hvor er min pakke"  # a training example of the demo bot: its vector is cached
KINDS = ("turns", "cached", "get", "floor")


class HttpError(Exception):
    """The connection broke or the response could not be read."""


class Connection:
    """One HTTP/1.1 keep-alive connection; responses with Content-Length or chunked bodies."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.writer is not None:
            try:
                return await self._request(data)
            except HttpError:
                pass  # the server closed the idle connection (keep-alive timeout): a new one
        return await self._request(data)

    async def _request(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            try:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            except OSError as exc:
                raise HttpError(str(exc)) from exc
        assert self.reader is not None and self.writer is not None
        try:
            self.writer.write(data)
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            if "content-length" in headers:
                body = await self.reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                body = await self._chunked()
            else:
                body = b""
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            self.close()
            raise HttpError(str(exc) or type(exc).__name__) from exc
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def http_request(
    host: str, method: str, path: str, headers: dict[str, str], body: Any = None
) -> bytes:
    data = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


class Pool:
    """Keep-alive connections reused as they come free; a new one when none is (a customer's
    browser has its own), up to `limit`, beyond which a request waits for one."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port = host, port
        self.idle: list[Connection] = []
        self.count = 0
        self.limit = limit
        self.freed = asyncio.Condition()

    async def request(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        while not self.idle and self.count >= self.limit:
            async with self.freed:
                await self.freed.wait()
        if self.idle:
            conn = self.idle.pop()
        else:
            conn = Connection(self.host, self.port)
            self.count += 1
        try:
            return await conn.request(data)
        finally:
            self.idle.append(conn)
            async with self.freed:
                self.freed.notify()

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()
        self.count = 0


@dataclass
class Plan:
    """What one worker process does (picklable: it crosses to a spawned process)."""

    url: str
    kind: str  # turns (new text), cached (one training example), get (read), floor (write floor)
    mode: str  # open or closed
    seconds: float
    rate: float = 0.0  # this worker's share of the offered rate (open loop)
    clients: int = 0  # this worker's share of the concurrent clients (closed loop)
    conversations: Sequence[Conversation] = ()
    prepare: int = 0  # conversations opened before the window (the rest as needed in it)
    address: int = 0  # the first X-Forwarded-For address (as an integer) this worker uses
    seed: int = 1
    timeout: float = 30.0
    max_connections: int = 2000


@dataclass
class Outcome:
    """What one worker saw: latencies of answered requests (2xx) and every status."""

    latencies: list[float] = field(default_factory=list)  # seconds, 2xx only
    statuses: Counter[str] = field(default_factory=Counter)  # "201", "503", "timeout", "conn"
    lags: list[float] = field(default_factory=list)  # open loop: dispatch later than scheduled
    started: float = 0.0  # wall clock of the window's start
    finished: float = 0.0  # wall clock of the last answer
    cpu: float = 0.0  # this process's CPU seconds over the window
    created_inline: int = 0  # conversations opened during the window (the prepared ran out)
    replies: Counter[str] = field(default_factory=Counter)  # authors of the replies (turns)

    def merge(self, other: Outcome) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.lags += other.lags
        self.started = min(self.started or other.started, other.started)
        self.finished = max(self.finished, other.finished)
        self.cpu += other.cpu
        self.created_inline += other.created_inline
        self.replies.update(other.replies)


@dataclass
class _Live:
    """A conversation on the server, with the turns it has still to send."""

    id: str
    token: str
    address: str
    turns: deque[str]


class Runner:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        parts = urlsplit(plan.url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.hostname = f"{self.host}:{self.port}"
        self.pool = Pool(self.host, self.port, plan.max_connections)
        self.fresh: deque[Conversation] = deque(plan.conversations)
        self.prepared: deque[_Live] = deque()
        self.address = plan.address
        self.out = Outcome()
        self.rng = random.Random(plan.seed)

    # -- requests --------------------------------------------------------------------------

    def _next_address(self) -> str:
        self.address += 1
        a = self.address
        return f"10.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}"

    async def open_conversation(self, conv: Conversation, pool: Pool | None = None) -> _Live:
        address = self._next_address()
        if self.plan.kind == "floor":
            path, headers = "/c", {}
        else:
            path, headers = "/api/v1/widget/demo/conversations", {"X-Forwarded-For": address}
        body = {"language": conv.language}
        status, _h, data = await (pool or self.pool).request(
            http_request(self.hostname, "POST", path, headers, body)
        )
        if status != 201:
            raise HttpError(f"starting a conversation answered {status}: {data[:200]!r}")
        started = json.loads(data)
        return _Live(
            started["conversation_id"], started.get("token", ""), address, deque(conv.turns)
        )

    def _request(self, live: _Live) -> bytes:
        kind = self.plan.kind
        if kind == "floor":
            text = live.turns.popleft()
            body = {"text": text, "client_id": uuid.uuid4().hex}
            return http_request(self.hostname, "POST", f"/c/{live.id}/messages", {}, body)
        headers = {"Authorization": f"Bearer {live.token}", "X-Forwarded-For": live.address}
        path = f"/api/v1/conversations/{live.id}"
        if kind == "get":
            return http_request(self.hostname, "GET", path, headers)
        text = CACHED_TEXT if kind == "cached" else live.turns.popleft()
        body = {"text": text, "client_id": uuid.uuid4().hex}
        return http_request(self.hostname, "POST", f"{path}/messages", headers, body)

    async def send(self, live: _Live, since: float, pool: Pool | None = None) -> None:
        """One request; its latency is counted from `since` (loop time)."""
        loop = asyncio.get_running_loop()
        data = self._request(live)
        try:
            async with asyncio.timeout(self.plan.timeout - (loop.time() - since)):
                status, _headers, body = await (pool or self.pool).request(data)
        except TimeoutError:
            self.out.statuses["timeout"] += 1
            return
        except HttpError:
            self.out.statuses["conn"] += 1
            return
        done = loop.time()
        self.out.finished = max(self.out.finished, time.time())
        self.out.statuses[str(status)] += 1
        if 200 <= status < 300:
            self.out.latencies.append(done - since)
            if self.plan.kind in ("turns", "cached") and self.rng.random() < 0.1:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    for reply in json.loads(body)["replies"]:
                        self.out.replies[reply["author"]] += 1

    # -- preparing -------------------------------------------------------------------------

    async def prepare(self, count: int, parallel: int = 8) -> None:
        """Open `count` conversations before the window (their turns are what is measured)."""
        todo = [self.fresh.popleft() for _ in range(min(count, len(self.fresh)))]

        async def opener(items: list[Conversation]) -> None:
            for conv in items:
                self.prepared.append(await self.open_conversation(conv))

        await asyncio.gather(*(opener(todo[i::parallel]) for i in range(parallel)))

    async def _take(self, pool: Pool | None = None) -> _Live | None:
        """A prepared conversation, else one opened now (within the request timeout)."""
        if self.prepared:
            return self.prepared.popleft()
        if not self.fresh:
            self.out.statuses["no conversation left"] += 1
            return None
        self.out.created_inline += 1
        try:
            async with asyncio.timeout(self.plan.timeout):
                return await self.open_conversation(self.fresh.popleft(), pool)
        except (HttpError, TimeoutError):
            self.out.statuses["opening failed"] += 1
            return None

    def _needs_turns(self) -> bool:
        return self.plan.kind in ("turns", "floor")

    # -- the two loops ---------------------------------------------------------------------

    async def open_loop(self, start: float) -> None:
        """Arrivals at `plan.rate` per second from loop time `start` for `plan.seconds`."""
        loop = asyncio.get_running_loop()
        ready: deque[_Live] = deque()  # conversations with turns left and none in flight
        tasks: set[asyncio.Task[None]] = set()
        end = start + self.plan.seconds
        at = start + self.rng.expovariate(self.plan.rate)

        async def arrival(scheduled: float) -> None:
            live = ready.popleft() if ready else await self._take()
            if live is None:
                return
            await self.send(live, scheduled)
            if live.turns or not self._needs_turns():
                ready.append(live)

        while at < end:
            now = loop.time()
            if at > now:
                await asyncio.sleep(at - now)
                now = loop.time()
            self.out.lags.append(max(0.0, now - at))
            task = loop.create_task(arrival(at))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            at += self.rng.expovariate(self.plan.rate)
        if tasks:
            await asyncio.wait(tasks)

    async def closed_loop(self, start: float) -> None:
        loop = asyncio.get_running_loop()
        end = start + self.plan.seconds

        async def client() -> None:
            pool = Pool(self.host, self.port, 1)  # one connection per client, kept
            try:
                live = await self._take(pool)
                while live is not None and loop.time() < end:
                    await self.send(live, loop.time(), pool)
                    if self._needs_turns() and not live.turns:
                        live = await self._take(pool)
            finally:
                pool.close()

        if loop.time() < start:
            await asyncio.sleep(start - loop.time())
        await asyncio.gather(*(client() for _ in range(self.plan.clients)))

    async def run(self, start_wall: float) -> Outcome:
        loop = asyncio.get_running_loop()
        start = loop.time() + (start_wall - time.time())
        if loop.time() < start:
            await asyncio.sleep(start - loop.time())
        cpu0 = _cpu()
        self.out.started = time.time()
        if self.plan.mode == "open":
            await self.open_loop(loop.time())
        else:
            await self.closed_loop(loop.time())
        self.out.cpu = _cpu() - cpu0
        self.pool.close()
        return self.out


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(plan: Plan, pipe: Pipe) -> None:
    """A worker process: prepare, say so, wait for the common start time, run, send back."""
    try:
        import uvloop

        runner_factory: Any = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        runner_factory = None

    async def main() -> None:
        runner = Runner(plan)
        try:
            await runner.prepare(plan.prepare)
        except Exception as exc:
            pipe.send(("error", f"{type(exc).__name__}: {exc}"))
            return
        if plan.mode == "closed":
            runner.pool.close()  # each client has its own connection
        pipe.send(("ready", len(runner.prepared)))
        start_wall = pipe.recv()
        pipe.send(("done", await runner.run(start_wall)))

    with asyncio.Runner(loop_factory=runner_factory) as runner:
        runner.run(main())


def run(
    plans: Sequence[Plan],
    sample: Callable[[], tuple[float, ...]] | None = None,
    setup_timeout: float = 900,
) -> tuple[Outcome, tuple[float, ...], tuple[float, ...]]:
    """Run the plans in one worker process each, started together once all are prepared; their
    outcomes merged. `sample` (CPU counters, say) is called at the start of the window and when
    the last worker is done, so that what it measures covers the window and nothing else."""
    ctx = multiprocessing.get_context("spawn")
    workers = []
    for plan in plans:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker, args=(plan, child), daemon=True)
        proc.start()
        workers.append((proc, parent))
    try:
        for _proc, pipe in workers:
            if not pipe.poll(setup_timeout):
                raise RuntimeError("a load worker did not get ready")
            kind, detail = pipe.recv()
            if kind != "ready":
                raise RuntimeError(f"a load worker failed to prepare: {detail}")
        start = time.time() + 0.3
        for _proc, pipe in workers:
            pipe.send(start)
        time.sleep(max(0.0, start - time.time()))
        before = sample() if sample else ()
        total = Outcome()
        for _proc, pipe in workers:
            if not pipe.poll(max(p.seconds for p in plans) + max(p.timeout for p in plans) + 60):
                raise RuntimeError("a load worker did not finish")
            kind, outcome = pipe.recv()
            total.merge(outcome)
        after = sample() if sample else ()
        return total, before, after
    finally:
        for proc, _pipe in workers:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
