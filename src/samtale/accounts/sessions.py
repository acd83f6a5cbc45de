"""Log-in sessions: a random cookie value (only its hash is stored), an absolute lifetime and an
idle timeout, a CSRF token per session, and revocation (log-out, deactivated users)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.infra.database import Database
from samtale.kernel.clock import Clock
from samtale.kernel.security import hash_token
from samtale.model import Tenant, User, UserSession

SESSION_LIFETIME = timedelta(hours=12)
IDLE_TIMEOUT = timedelta(hours=2)
# Sliding expiry is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Staff:
    """A logged-in person, as the pages and APIs see them."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID | None
    email: str
    display_name: str
    role: str
    session_id: uuid.UUID
    csrf_token: str
    tenant_slug: str | None = None
    tenant_name: str | None = None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


async def create_session(
    session: AsyncSession, user: User, clock: Clock
) -> tuple[str, UserSession]:
    """A new session for `user`; returns the cookie value (shown once) and the row."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = UserSession(
        id=uuid.uuid4(),
        token_hash=hash_token(token),
        user_id=user.id,
        tenant_id=user.tenant_id,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(row)
    await session.flush()
    return token, row


async def resolve_session(session: AsyncSession, token: str, clock: Clock) -> Staff | None:
    """The staff member a cookie value belongs to, if the session is live and the user active."""
    if not token:
        return None
    row = (
        await session.execute(
            select(UserSession, User, Tenant)
            .join(User, User.id == UserSession.user_id)
            .outerjoin(Tenant, Tenant.id == User.tenant_id)
            .where(UserSession.token_hash == hash_token(token))
        )
    ).first()
    if row is None:
        return None
    sess, user, tenant = row
    now = clock.now()
    if not user.active or sess.expires_at <= now or now - sess.last_seen_at > IDLE_TIMEOUT:
        return None
    if tenant is not None and not tenant.active:
        return None
    if now - sess.last_seen_at > TOUCH_EVERY:
        sess.last_seen_at = now
    return Staff(
        user_id=user.id,
        tenant_id=user.tenant_id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        session_id=sess.id,
        csrf_token=sess.csrf_token,
        tenant_slug=tenant.slug if tenant else None,
        tenant_name=tenant.name if tenant else None,
    )


async def end_session(session: AsyncSession, session_id: uuid.UUID) -> None:
    await session.execute(delete(UserSession).where(UserSession.id == session_id))


async def end_all_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Log a user out everywhere (deactivation, password change)."""
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))


class ExpiredSessions:
    """Deletes staff log-in sessions past their lifetime or idle timeout: a step of the
    scheduled purge (`(now, tenant_id)`), run in the round over every tenant."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def __call__(self, now: datetime, tenant_id: uuid.UUID | None = None) -> int:
        if tenant_id is not None:
            return 0
        async with self.db.transaction() as session:
            result = await session.execute(
                delete(UserSession).where(
                    (UserSession.expires_at <= now)
                    | (UserSession.last_seen_at < now - IDLE_TIMEOUT)
                )
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
