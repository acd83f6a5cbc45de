"""The API benchmark's own promises: customer texts that are new and never the bot's training
examples, and an open loop that counts a slow server's backlog in the latency."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from bench.common import percentile
from bench.load.client import Plan, Runner
from bench.load.texts import LANGUAGES, Conversation, CustomerText, TrainingExamples

_PLAIN = re.compile(r"[^\w@.]+")


def _plain(text: str) -> str:
    return _PLAIN.sub(" ", text.lower()).strip()


def test_customer_texts_are_all_different_and_none_is_a_training_example() -> None:
    gen = CustomerText(seed=5)
    convs = gen.conversations(1500)
    turns = [t for c in convs for t in c.turns]
    assert len(turns) > 3000
    assert len(set(turns)) == len(turns)
    # Checked here against the examples as written (an independent, plainer comparison than the
    # generator's own filter), in every language.
    from samtale.bot.content import load_content
    from samtale.demo.content_dir import DEMO_CONTENT_DIR

    examples = {_plain(t) for t, _i, _l in load_content(DEMO_CONTENT_DIR).training_rows()}
    assert not [t for t in turns if _plain(t) in examples]
    assert not [t for t in turns if gen.examples.matches(t)]
    assert {c.language for c in convs} == set(LANGUAGES)
    topics = Counter(k for c in convs for k in c.topics)
    wanted = {"delivery", "returns", "tracking", "products", "payment", "greeting"}
    wanted |= {"complaints", "person", "out_of_scope", "email"}
    assert wanted <= set(topics)
    assert topics["person"] / sum(topics.values()) < 0.05  # hand-offs stay rare
    assert all(c.topics[-1] == "person" for c in convs if "person" in c.topics)
    assert any(re.search(r"\b10\d{7}\b", t) for t in turns)  # order numbers


def test_near_matches_of_an_example_are_caught_and_other_texts_pass() -> None:
    examples = TrainingExamples(["hvor er min pakke", "ordre 104827361", "tak"])
    assert examples.matches("Hvor er min pakke??")
    assert examples.matches("hvor er min pakke henne")  # a word added
    assert examples.matches("hvor er pakke")  # one dropped
    assert examples.matches("hvor er min ordre")  # one changed
    assert examples.matches("ordre 100000033")  # another number
    assert not examples.matches("hvor er min vinterjakke blevet af henne")
    assert not examples.matches("mange tak for hjælpen i dag")


@contextlib.asynccontextmanager
async def one_at_a_time(service_seconds: float) -> AsyncIterator[str]:
    """An HTTP server that answers one request at a time, each after `service_seconds`."""
    lock = asyncio.Lock()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
                length = re.search(r"(?i)content-length: (\d+)", head)
                if length:
                    await reader.readexactly(int(length.group(1)))
                if "/messages" in head.split("\r\n", 1)[0]:  # opening a conversation is quick
                    async with lock:
                        await asyncio.sleep(service_seconds)
                body = json.dumps({"conversation_id": "c1"}).encode()
                writer.write(
                    b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n"
                    + f"content-length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}"


def _plan(url: str, mode: str, **kw: Any) -> Plan:
    convs = [Conversation("da", (f"tekst {i}", f"mere {i}"), ()) for i in range(60)]
    return Plan(
        url=url, kind="floor", mode=mode, seconds=1.0, conversations=convs, prepare=60, **kw
    )


async def test_open_loop_counts_the_backlog_of_a_slow_server_in_the_latency() -> None:
    async with one_at_a_time(0.05) as url:  # at most 20 requests a second
        loop = asyncio.get_running_loop()
        closed = Runner(_plan(url, "closed", clients=1))
        await closed.prepare(60)
        await closed.closed_loop(loop.time())
        closed.pool.close()
        # One client at a time: every request takes about the service time.
        assert percentile(closed.out.latencies, 0.9) < 0.2

        # Twice what the server can do, through one connection: requests wait in the client
        # before they are sent, as behind a stalled connection pool.
        opened = Runner(_plan(url, "open", rate=40.0, max_connections=1))
        await opened.prepare(60)
        await opened.open_loop(loop.time())
        opened.pool.close()
        await asyncio.sleep(0.05)  # the server sees the connections close
        done = opened.out.latencies
        assert opened.out.statuses["201"] == len(done) >= 25
        # Arrivals keep their schedule while the server falls behind: late ones have waited
        # for the backlog, which a client measuring from its send (about the service time
        # each) would not see.
        assert percentile(done, 0.9) > 0.3
        # (Sending keeps to the clock: a typical send is on time, and even a late one, on a
        # busy machine, is far later than nothing next to the backlog it measures.)
        assert percentile(opened.out.lags, 0.5) < 0.05
        assert percentile(opened.out.lags, 0.99) < percentile(done, 0.9) / 2
