"""What a bot turn costs the database: on PostgreSQL, one read to find the conversation and one
transaction of one statement (BEGIN, the turn's write, COMMIT), whatever the turn hooks add
(identifier index, statistics, the improvement sample). The round trips are counted on the wire,
by a proxy between the server and PostgreSQL: a round trip is the client speaking after the
server has answered."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from samtale.model import ConversationIdentifier, InsightEvent, Message, SampleItem
from samtale.web.app import create_app


class WireCounter:
    """A TCP proxy to PostgreSQL that counts round trips per connection."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.count = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        last = ["server"]  # who spoke last on this connection

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, side: str) -> None:
            try:
                while data := await src.read(65536):
                    if side == "client" and last[0] == "server":
                        self.count += 1
                    last[0] = side
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pump(reader, up_writer, "client"), pump(up_reader, writer, "server"))


@contextmanager
def round_trips(engine: Any) -> Iterator[list[str]]:
    """Every statement, BEGIN, COMMIT and ROLLBACK the engine sends while inside."""
    sent: list[str] = []

    def statement(conn: Any, cursor: Any, text: str, *args: Any) -> None:
        sent.append(text.split(None, 1)[0].upper())

    def begin(conn: Any) -> None:
        sent.append("BEGIN")

    def commit(conn: Any) -> None:
        sent.append("COMMIT")

    def rollback(conn: Any) -> None:
        sent.append("ROLLBACK")

    sync = engine.sync_engine
    hooks = [
        ("before_cursor_execute", statement),
        ("begin", begin),
        ("commit", commit),
        ("rollback", rollback),
    ]
    for name, fn in hooks:
        event.listen(sync, name, fn)
    try:
        yield sent
    finally:
        for name, fn in hooks:
            event.remove(sync, name, fn)


async def test_a_bot_turn_is_four_round_trips(
    make_bot_runtime: Any, database_url: str, backend: str
) -> None:
    wire = None
    if backend == "postgres":
        url = make_url(database_url)
        wire = WireCounter((url.host or "127.0.0.1", url.port or 5432))
        database_url = url.set(port=await wire.start()).render_as_string(hide_password=False)
    rt = await make_bot_runtime(database_url, bot_fast_start=False)
    app = create_app(rt, manage_runtime=False)
    transport = httpx.ASGITransport(app=app, client=("10.77.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=30) as api:
        r = await api.post("/api/v1/widget/demo/conversations", json={"language": "da"})
        assert r.status_code == 201, r.text
        conv = r.json()
        conv["headers"] = {"authorization": f"Bearer {conv['token']}"}
        path = f"/api/v1/conversations/{conv['conversation_id']}/messages"
        # The first turn warms what is kept per tenant (formats, settings, the index of the
        # shop's pages) and per connection (the driver prepares a statement the first time it
        # sees its text: one round trip more, once).
        # A turn whose hooks all write: an e-mail to index, statistics, and a question the
        # bot cannot place (always sampled). It is measured the second time it is sent.
        text = "hvad synes I om kvantefysik og blåbærsyltetøj? karen.holm@example.com"
        for warm_up in ("hvad med tyttebærsaft? skriv til ole.berg@example.com", text):
            r = await api.post(path, json={"text": warm_up}, headers=conv["headers"])
            assert r.status_code == 201, r.text
        before = wire.count if wire else 0
        with round_trips(rt.db.engine) as sent:
            r = await api.post(path, json={"text": text}, headers=conv["headers"])
        assert r.status_code == 201, r.text
    if wire is not None:
        trips = wire.count - before
        await wire.close()
        assert trips == 4, (trips, sent)
        # One read (autocommit: SQLAlchemy's BEGIN and ROLLBACK events send nothing), then
        # BEGIN, the one statement, COMMIT.
        assert sent == ["BEGIN", "SELECT", "ROLLBACK", "BEGIN", "WITH", "COMMIT"], sent
    else:
        # In-process: no round trips, but one transaction with one statement per table.
        assert sent[:2] == ["BEGIN", "SELECT"] and sent.count("COMMIT") == 1, sent
        assert sent.count("BEGIN") == 2 and "SELECT" not in sent[2:], sent
    async with rt.db.session() as session:
        cid = uuid.UUID(conv["conversation_id"])
        messages = (
            await session.scalars(
                select(Message).where(Message.conversation_id == cid).order_by(Message.seq)
            )
        ).all()
        identifiers = await session.scalar(
            select(func.count())
            .select_from(ConversationIdentifier)
            .where(ConversationIdentifier.conversation_id == cid)
        )
        samples = (
            await session.scalars(select(SampleItem).where(SampleItem.conversation_id == cid))
        ).all()
        events = await session.scalar(select(func.count()).select_from(InsightEvent))
    # Everything the one statement was to write is there: the messages with gap-free
    # cursors, the identifier, the redacted sample, the statistics.
    assert [m.seq for m in messages] == list(range(1, len(messages) + 1))
    assert [m.author for m in messages].count("visitor") == 3
    assert identifiers == 2  # ole.berg@… and karen.holm@…
    assert any("[EMAIL]" in s.text and "karen.holm" not in s.text for s in samples), [
        (s.text, s.outcome) for s in samples
    ]
    assert events and events >= 2
