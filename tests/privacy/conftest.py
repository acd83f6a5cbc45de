"""Fixtures of the privacy tests: a runtime on a manual clock, its API in-process, and helpers
that hold conversations the way customers do (through the visitor API)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from samtale.app.container import Container
from samtale.infra.database import Database
from samtale.kernel.clock import ManualClock
from samtale.model import AuditEntry, Conversation, ConversationIdentifier, Message, Tenant
from samtale.web.app import create_app
from tests.conftest import new_tenant, start_conversation

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
async def rt(make_runtime: Callable[..., Any], database_url: str, clock: ManualClock) -> Container:
    runtime: Container = await make_runtime(database_url, clock=clock)
    return runtime


@pytest.fixture
async def api(rt: Container) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(rt, manage_runtime=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def tenant(rt: Container) -> Tenant:
    return await new_tenant(rt.db, rt.clock)


async def chat(
    api: httpx.AsyncClient, tenant: Tenant, *texts: str, language: str = "da"
) -> dict[str, Any]:
    """Start a conversation and send `texts`; returns the start answer (id, token, headers)."""
    conv = await start_conversation(api, tenant.widget_key, language=language)
    for text in texts:
        r = await api.post(
            f"/api/v1/conversations/{conv['conversation_id']}/messages",
            json={"text": text},
            headers=conv["headers"],
        )
        assert r.status_code == 201, r.text
    conv["id"] = uuid.UUID(conv["conversation_id"])
    return conv


async def involve_person(db: Database, conversation_id: uuid.UUID) -> None:
    """Mark a conversation as one in which an agent took part (the handoff's job, done by hand)."""
    async with db.transaction() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(person_involved=True, state="closed")
        )


async def exists(db: Database, conversation_id: uuid.UUID) -> bool:
    async with db.session() as session:
        return await session.get(Conversation, conversation_id) is not None


async def rows_of(db: Database, conversation_id: uuid.UUID) -> dict[str, int]:
    """How many rows of each conversation-owned table refer to the conversation."""
    async with db.session() as session:
        out = {}
        for name, model in (("messages", Message), ("identifiers", ConversationIdentifier)):
            out[name] = int(
                await session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(model.conversation_id == conversation_id)
                )
                or 0
            )
        return out


async def audit_of(db: Database, tenant_id: uuid.UUID) -> list[AuditEntry]:
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.tenant_id == tenant_id)
            .order_by(AuditEntry.created_at, AuditEntry.action)
        )
        return list(rows.all())
