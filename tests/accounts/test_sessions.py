"""Expired staff sessions are deleted by the scheduled purge round, live ones are kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from samtale.accounts.sessions import IDLE_TIMEOUT, create_session, resolve_session
from samtale.kernel.clock import ManualClock
from samtale.model import UserSession
from samtale.tenants.service import UserCreate, create_user
from tests.conftest import new_tenant


async def test_the_purge_round_deletes_expired_staff_sessions(
    make_runtime: Any, database_url: str
) -> None:
    clock = ManualClock()
    rt = await make_runtime(database_url, clock=clock)
    tenant = await new_tenant(rt.db, clock)
    async with rt.db.transaction() as s:
        user = await create_user(
            s,
            tenant,
            UserCreate(email=f"a-{tenant.slug}@shop.example", password="x" * 12, role="agent"),
            clock,
        )
        _token, idle = await create_session(s, user, clock)
    clock.advance(IDLE_TIMEOUT - timedelta(minutes=30))
    async with rt.db.transaction() as s:
        token, active = await create_session(s, user, clock)
    clock.advance(timedelta(minutes=31))  # the first is idle too long now, the second is not

    report = await rt.privacy.runner.run_once(clock.now())
    assert report is not None
    async with rt.db.session() as s:
        left = set(
            (await s.scalars(select(UserSession.id).where(UserSession.user_id == user.id))).all()
        )
        assert left == {active.id}
        assert await resolve_session(s, token, clock) is not None
    assert idle.id not in left
