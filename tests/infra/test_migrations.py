"""The migrations build exactly the models' schema, and deletion cascades in the database."""

from __future__ import annotations

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from samtale.infra.database import Database
from samtale.model import Base, Conversation, Message
from tests.conftest import new_tenant


async def test_migrations_match_the_models(db: Database) -> None:
    def diff(conn):  # type: ignore[no-untyped-def]
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_deleting_a_conversation_cascades_to_its_messages(db: Database) -> None:
    from samtale.conversations.repository import Conversations
    from samtale.kernel.clock import ManualClock

    clock = ManualClock()
    tenant = await new_tenant(db, clock)
    async with db.transaction() as s:
        repo = Conversations(s, tenant.id)
        conv = await repo.create(id=uuid.uuid4(), token="t" * 40, language="da", now=clock.now())
        seq = await repo.next_seqs(conv.id, 2, clock.now())
        await repo.add_message(
            conv.id, id=uuid.uuid4(), seq=seq, author="visitor", text="hej", now=clock.now()
        )
        await repo.add_message(
            conv.id, id=uuid.uuid4(), seq=seq + 1, author="bot", text="hej!", now=clock.now()
        )
    async with db.transaction() as s:
        await s.delete(await s.get(Conversation, conv.id))
    async with db.session() as s:
        left = await s.scalar(
            select(func.count()).select_from(Message).where(Message.conversation_id == conv.id)
        )
    assert left == 0


async def test_timestamps_come_back_timezone_aware(db: Database) -> None:
    from samtale.kernel.clock import ManualClock

    clock = ManualClock()
    tenant = await new_tenant(db, clock)
    async with db.session() as s:
        from samtale.model import Tenant

        row = await s.get(Tenant, tenant.id)
    assert row is not None and row.created_at == clock.now() and row.created_at.tzinfo is not None


async def test_a_migrated_database_has_nothing_pending(db: Database) -> None:
    from samtale.infra.migrate import pending_revisions

    assert await pending_revisions(db) == []


async def test_an_empty_database_has_every_revision_pending(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from samtale.infra.migrate import pending_revisions, upgrade

    empty = Database(f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    try:
        pending = await pending_revisions(empty)
        assert "0001" in pending and len(pending) >= 2
        await upgrade(empty)
        assert await pending_revisions(empty) == []
    finally:
        await empty.dispose()
