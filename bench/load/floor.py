"""The write floor: the least a server can do for a chat turn, to hold the product against.

A bare Starlette app with two routes: `POST /c` opens a conversation (one row) and
`POST /c/{id}/messages` stores a turn — in one transaction, a message-like row inserted and the
conversation row updated (its version and last activity), which is the least storing a turn
can be. It runs as the product runs: its own process, uvicorn with uvloop and httptools, no
access log, the same switch interval, and the product's database layer (`infra.database`: the
same async driver — aiosqlite or asyncpg under SQLAlchemy — the same pool, SQLite's WAL and
its one-writer lock). No bot, no validation beyond JSON, no hooks, no token: so the product's
turn rate divided by this one is the share of the database's write rate that the product keeps
after everything else it does.

    python -m bench.load.floor --port 8123 --database-url sqlite+aiosqlite:///floor.db
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from samtale.infra.database import Database
from samtale.kernel.config import async_database_url

metadata = sa.MetaData()
conversations = sa.Table(
    "floor_conversations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, default=0),
    sa.Column("last_message_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
messages = sa.Table(
    "floor_messages",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "conversation_id",
        sa.Uuid,
        sa.ForeignKey("floor_conversations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("author", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("client_id", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


def create_app(db: Database) -> Starlette:
    async def start(request: Request) -> JSONResponse:
        body = await request.json()
        conv_id = uuid.uuid4()
        async with db.transaction() as session:
            await session.execute(
                conversations.insert().values(
                    id=conv_id,
                    language=str(body.get("language") or "da"),
                    version=0,
                    created_at=datetime.now(UTC),
                )
            )
        return JSONResponse({"conversation_id": str(conv_id)}, status_code=201)

    async def post_message(request: Request) -> JSONResponse:
        body = await request.json()
        conv_id = uuid.UUID(request.path_params["id"])
        now = datetime.now(UTC)
        message_id = uuid.uuid4()
        async with db.transaction() as session:
            await session.execute(
                messages.insert().values(
                    id=message_id,
                    conversation_id=conv_id,
                    author="visitor",
                    text=str(body["text"]),
                    client_id=body.get("client_id"),
                    created_at=now,
                )
            )
            await session.execute(
                conversations.update()
                .where(conversations.c.id == conv_id)
                .values(version=conversations.c.version + 1, last_message_at=now)
            )
        return JSONResponse(
            {"message": {"id": str(message_id), "text": body["text"]}}, status_code=201
        )

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/c", start, methods=["POST"]),
            Route("/c/{id}/messages", post_message, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    sys.setswitchinterval(0.0005)  # as `samtale serve` sets it (cli/server.py)
    db = Database(async_database_url(args.database_url))

    async def serve() -> None:
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        config = uvicorn.Config(
            create_app(db),
            host="127.0.0.1",
            port=args.port,
            log_config=None,
            access_log=False,
            ws_ping_interval=None,
            lifespan="on",
        )
        try:
            await uvicorn.Server(config).serve()
        finally:
            await db.dispose()

    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(serve())


if __name__ == "__main__":
    main()
