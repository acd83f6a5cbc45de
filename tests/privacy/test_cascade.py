"""Deleting a conversation deletes everything that refers to it, by the database's cascades, for
every table — including tables added after this test was written; deleting a tenant deletes
all its rows, and the record of it outlives the tenant."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import ForeignKey, Table, Uuid, bindparam, func, inspect, select, text

from samtale.app.container import Container
from samtale.infra.database import Database
from samtale.kernel.clock import ManualClock
from samtale.live.service import Agent
from samtale.model import Attachment, AttachmentBlob, AuditEntry, Base, Conversation, Tenant
from samtale.privacy import audit
from samtale.tenants.service import UserCreate, create_user
from samtale.web.app import create_app
from tests.conftest import new_tenant
from tests.files import photo
from tests.privacy.conftest import chat, exists, involve_person, rows_of


def foreign_keys_to(table_name: str) -> list[tuple[Table, ForeignKey]]:
    return [
        (table, fk)
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == table_name
    ]


def test_every_reference_to_a_conversation_cascades_and_is_indexed() -> None:
    refs = foreign_keys_to("conversations")
    assert {t.name for t, _ in refs} >= {
        "messages",
        "conversation_identifiers",
        "conversation_notes",
        "attachments",
    }
    # What refers to a conversation's rows goes with them too (a file's bytes with the file).
    refs += foreign_keys_to("attachments")
    for table, fk in refs:
        assert fk.ondelete == "CASCADE", f"{table.name}.{fk.parent.name} must be ON DELETE CASCADE"
        # An index leading with the column keeps the cascade from scanning the whole table.
        leading = {idx.columns[0].name for idx in table.indexes if len(idx.columns)}
        leading |= {
            c.columns[0].name
            for c in table.constraints
            if hasattr(c, "columns")
            and len(c.columns)
            and c.__class__.__name__ != "ForeignKeyConstraint"
        }
        assert fk.parent.name in leading, f"index {table.name}.{fk.parent.name} for the cascade"


def test_every_reference_to_a_tenant_cascades() -> None:
    for table, fk in foreign_keys_to("tenants"):
        assert fk.ondelete == "CASCADE", f"{table.name}.{fk.parent.name} must be ON DELETE CASCADE"
    # The audit log keeps the tenant's id without a foreign key: its record outlives the tenant.
    assert not AuditEntry.__table__.c.tenant_id.foreign_keys


async def _count_refs(db: Database, table: str, column: str, value: uuid.UUID) -> int:
    async with db.engine.connect() as conn:
        # Bind the UUID the way each driver stores it (SQLAlchemy's Uuid type does the same).
        stmt = text(f'SELECT count(*) FROM "{table}" WHERE "{column}" = :v').bindparams(
            bindparam("v", type_=Uuid())
        )
        return int((await conn.execute(stmt, {"v": value})).scalar() or 0)


async def test_deleting_a_conversation_leaves_no_row_that_refers_to_it(
    rt: Container, api: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(rt.db, rt.clock)
    conv = await chat(api, tenant, "min mail er lise@example.com og ordre 104827361", "tak")
    kept = await chat(api, tenant, "lise@example.com her igen")
    before = await rows_of(rt.db, conv["id"])
    assert before == {"messages": 4, "identifiers": 2}
    # A colleague's internal note on it (staff only) goes with it too.
    async with rt.db.transaction() as s:
        staff = await create_user(
            s,
            tenant,
            UserCreate(email="sofie@shop.example", password="correct horse battery", role="agent"),
            rt.clock,
        )
    agent = Agent(staff.id, tenant.id, "Sofie")
    await rt.live.add_note(agent, conv["id"], "ringer tilbage i morgen")
    await rt.live.add_note(agent, kept["id"], "kunden er glad")
    await _send_photo(api, conv)
    assert await _count_refs(rt.db, "attachments", "conversation_id", conv["id"]) == 1
    await rt.privacy.delete_conversation(tenant.id, conv["id"], actor="cli", reason="request")
    # Every table with a foreign key to conversations, whatever feature added it.
    for table, fk in foreign_keys_to("conversations"):
        left = await _count_refs(rt.db, table.name, fk.parent.name, conv["id"])
        assert left == 0, f"{table.name} kept {left} rows of a deleted conversation"
    assert await rows_of(rt.db, kept["id"]) == {"messages": 2, "identifiers": 1}
    assert await _count_refs(rt.db, "conversation_notes", "conversation_id", kept["id"]) == 1
    async with rt.db.session() as session:
        orphans = await session.scalar(
            select(func.count())
            .select_from(AttachmentBlob)
            .outerjoin(Attachment, Attachment.id == AttachmentBlob.attachment_id)
            .where(Attachment.id.is_(None))
        )
    assert orphans == 0


async def test_deleting_a_tenant_deletes_its_rows_and_keeps_the_record(
    make_runtime, database_url: str, clock: ManualClock
) -> None:
    rt = await make_runtime(database_url, clock=clock, purge_batch_size=2)
    tenant = await new_tenant(rt.db, clock)
    other = await new_tenant(rt.db, clock)
    transport = httpx.ASGITransport(app=create_app(rt, manage_runtime=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        convs = [await chat(api, tenant, f"mail {i}@example.com") for i in range(5)]
        await involve_person(rt.db, convs[0]["id"])
        survivor = await chat(api, other, "hej")
    result = await rt.privacy.retention.delete_tenant(tenant.id, actor="cli")
    assert (result.conversations, result.messages, result.batches) == (5, 10, 3)

    # No table holds a row of the tenant (the audit log's record aside).
    async with rt.db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        columns = {
            name: await conn.run_sync(
                lambda c, n=name: [col["name"] for col in inspect(c).get_columns(n)]
            )
            for name in names
        }
    for name, cols in columns.items():
        if name == "audit_entries":
            continue
        key = "id" if name == "tenants" else "tenant_id"
        if key in cols:
            assert await _count_refs(rt.db, name, key, tenant.id) == 0, name
    async with rt.db.session() as session:
        assert await session.get(Tenant, other.id) is not None
        assert await session.get(Conversation, survivor["id"]) is not None
        entries = (
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.tenant_id == tenant.id, AuditEntry.action == audit.TENANT_DELETED
                )
            )
        ).all()
        assert len(entries) == 1
        assert entries[0].details == {
            "reason": "tenant_deleted",
            "conversations": 5,
            "messages": 10,
        }
        n = await session.scalar(select(func.count()).select_from(AuditEntry))
        assert n and n >= 1


async def _send_photo(api: httpx.AsyncClient, conv: dict[str, Any]) -> str:
    base = f"/api/v1/conversations/{conv['conversation_id']}"
    r = await api.post(
        base + "/attachments",
        params={"name": "skade.jpg"},
        content=photo(),
        headers=conv["headers"],
    )
    assert r.status_code == 201, r.text
    aid: str = r.json()["attachment"]["id"]
    r = await api.post(
        base + "/messages", json={"text": "her", "attachments": [aid]}, headers=conv["headers"]
    )
    assert r.status_code == 201, r.text
    return aid


async def _kept(rt: Container, root: Path, tenant_id: uuid.UUID) -> tuple[int, int]:
    """(files in the folder, rows of bytes in the database) of the tenant."""
    folder = root / "attachments" / str(tenant_id)
    files = sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
    async with rt.db.session() as session:
        blobs = await session.scalar(
            select(func.count())
            .select_from(AttachmentBlob)
            .join(Attachment, Attachment.id == AttachmentBlob.attachment_id)
            .where(Attachment.tenant_id == tenant_id)
        )
    return files, int(blobs or 0)


@pytest.mark.parametrize("storage", ["folder", "database"])
async def test_files_go_with_their_conversation_by_every_path(
    make_runtime: Any, database_url: str, clock: ManualClock, tmp_path: Path, storage: str
) -> None:
    """The customer's delete, the 90-day purge of bot-only conversations and a tenant's deletion
    each take the conversation's files from either storage; a file left by a crash between a
    deletion and the files' removal is swept by the next purge."""
    rt = await make_runtime(database_url, clock=clock, folder=tmp_path, attachment_storage=storage)
    tenant = await new_tenant(rt.db, clock)
    doomed = await new_tenant(rt.db, clock)
    transport = httpx.ASGITransport(app=create_app(rt, manage_runtime=False))
    per_photo = (2, 0) if storage == "folder" else (0, 2)  # the photo and its thumbnail

    def times(n: int) -> tuple[int, int]:
        return per_photo[0] * n, per_photo[1] * n

    async with httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        deleted = await chat(api, tenant, "hej")
        purged = await chat(api, tenant, "hej")
        kept = await chat(api, tenant, "hej")
        gone_with_shop = await chat(api, doomed, "hej")
        for conv in (deleted, purged, kept, gone_with_shop):
            await _send_photo(api, conv)
        assert await _kept(rt, tmp_path, tenant.id) == times(3)

        # The customer's own delete.
        r = await api.delete(
            f"/api/v1/conversations/{deleted['conversation_id']}", headers=deleted["headers"]
        )
        assert r.status_code == 204
        assert await _kept(rt, tmp_path, tenant.id) == times(2)

        # The operator deletes a whole shop.
        assert await _kept(rt, tmp_path, doomed.id) == times(1)
        await rt.privacy.retention.delete_tenant(doomed.id, actor="cli")
        assert await _kept(rt, tmp_path, doomed.id) == (0, 0)
        assert not (tmp_path / "attachments" / str(doomed.id)).exists()
        assert gone_with_shop["id"]

        # The retention purge, 90 days after the last message (the kept one talks on).
        clock.advance(days=89)
        r = await api.post(
            f"/api/v1/conversations/{kept['conversation_id']}/messages",
            json={"text": "stadig her"},
            headers=kept["headers"],
        )
        assert r.status_code == 201
        clock.advance(days=2)
        report = await rt.privacy.runner.run_once(clock.now())
        assert report is not None and report.conversations >= 1
        assert not await exists(rt.db, purged["id"])
        assert await _kept(rt, tmp_path, tenant.id) == times(1)

    # A crash after a deletion's commit left a folder behind: the next purge sweeps it.
    if storage == "folder":
        stray = tmp_path / "attachments" / str(tenant.id) / str(uuid.uuid4())
        stray.mkdir(parents=True)
        (stray / "left.file").write_bytes(b"x")
        await rt.privacy.runner.run_once(clock.now())
        assert not stray.exists()
    assert await _kept(rt, tmp_path, tenant.id) == times(1)
