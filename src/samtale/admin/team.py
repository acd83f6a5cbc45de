"""A shop's team: inviting agents and admins by e-mail, changing their role, languages and
capacity, deactivating them; and setting a password from a one-time link (an invitation or a
password reset).

A link carries a random token; only its SHA-256 is stored (`account_tokens`). It expires
(`INVITE_LIFETIME`, `RESET_LIFETIME`), works once, and setting a password ends every session of
that person. Asking for a reset answers the same whether the address is known or not.

The checks (`check_*`) validate; the `do_*` functions write and record the audit entry in the
same transaction.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.accounts.sessions import end_all_sessions
from samtale.kernel.clock import Clock, IdSource
from samtale.kernel.errors import Invalid
from samtale.kernel.languages import Language
from samtale.kernel.security import hash_password, hash_token, keyed_hash, tenant_secret
from samtale.kernel.text import EMAIL_PATTERN
from samtale.model import AccountToken, Tenant, User
from samtale.privacy import audit
from samtale.tenants.service import UserCreate, create_user

INVITE_LIFETIME = timedelta(hours=72)
RESET_LIFETIME = timedelta(hours=1)
Purpose = Literal["invite", "reset"]
TeamRole = Literal["agent", "admin"]


class InviteIn(BaseModel):
    """Inviting someone to the shop's team (the form and the API)."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=254, pattern=EMAIL_PATTERN)
    ]
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    role: TeamRole = "agent"
    languages: list[Language] = Field(default_factory=list)
    capacity: int = Field(default=3, ge=1, le=50)


class MemberIn(BaseModel):
    """Changing a member of the team."""

    model_config = ConfigDict(extra="forbid")

    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    role: TeamRole
    languages: list[Language] = Field(default_factory=list)
    capacity: int = Field(ge=1, le=50)


class PasswordIn(BaseModel):
    """A new password, typed twice (the same rule as `UserCreate`)."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=10, max_length=200)
    confirm: str = Field(max_length=200)

    @model_validator(mode="after")
    def _same(self) -> PasswordIn:
        if self.password != self.confirm:
            raise ValueError("the two passwords differ")
        return self


class TeamError(Invalid):
    """`code`: email_taken, not_found, self, last_admin."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


@dataclass
class Link:
    user: User
    token: str  # shown once, in the e-mail


def subject(secret_key: str, user: User) -> str:
    """The audit subject for a person: a keyed hash of their id, never the e-mail."""
    scope = str(user.tenant_id) if user.tenant_id else "platform"
    return keyed_hash(tenant_secret(secret_key, scope), "user", str(user.id))


async def issue_token(session: AsyncSession, user: User, purpose: Purpose, clock: Clock) -> str:
    """A new one-time link for `user`; earlier unused links of the same purpose stop working."""
    now = clock.now()
    await session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            id=uuid.uuid4(),
            token_hash=hash_token(token),
            user_id=user.id,
            tenant_id=user.tenant_id,
            purpose=purpose,
            created_at=now,
            expires_at=now + (INVITE_LIFETIME if purpose == "invite" else RESET_LIFETIME),
            used_at=None,
        )
    )
    await session.flush()
    return token


async def find_token(
    session: AsyncSession, token: str, purpose: Purpose, clock: Clock
) -> tuple[AccountToken, User] | None:
    """The link's row and person, if the link is live (unused, unexpired, person active)."""
    if not token or len(token) > 100:
        return None
    row = (
        await session.execute(
            select(AccountToken, User)
            .join(User, User.id == AccountToken.user_id)
            .where(AccountToken.token_hash == hash_token(token), AccountToken.purpose == purpose)
        )
    ).first()
    if row is None:
        return None
    link, user = row
    if link.used_at is not None or link.expires_at <= clock.now() or not user.active:
        return None
    if user.tenant_id is not None:
        tenant = await session.get(Tenant, user.tenant_id)
        if tenant is None or not tenant.active:
            return None
    return link, user


async def do_set_password(
    session: AsyncSession,
    token: str,
    purpose: Purpose,
    password: PasswordIn,
    clock: Clock,
    ids: IdSource,
    secret_key: str,
) -> User | None:
    """Set the password from a live link; None when the link is not (any more)."""
    found = await find_token(session, token, purpose, clock)
    if found is None:
        return None
    link, user = found
    link.used_at = clock.now()
    user.password_hash = hash_password(password.password)
    await end_all_sessions(session, user.id)
    await audit.record(
        session,
        tenant_id=user.tenant_id,
        actor=audit.user_actor(user.id),
        action="user.password_set",
        clock=clock,
        ids=ids,
        subject_hash=subject(secret_key, user),
        via=purpose,
    )
    return user


async def do_invite(
    session: AsyncSession,
    tenant: Tenant,
    data: InviteIn,
    actor: str,
    clock: Clock,
    ids: IdSource,
    secret_key: str,
) -> Link:
    email = data.email.lower()
    if await session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise TeamError("email_taken", "Someone with that e-mail has an account already.")
    user = await create_user(
        session,
        tenant,
        UserCreate(
            email=email,
            # Nobody knows this password: the person sets their own from the link.
            password=secrets.token_urlsafe(32),
            role=data.role,
            display_name=data.display_name,
            languages=list(data.languages),
            capacity=data.capacity,
        ),
        clock,
    )
    token = await issue_token(session, user, "invite", clock)
    await audit.record(
        session,
        tenant_id=tenant.id,
        actor=actor,
        action="user.invited",
        clock=clock,
        ids=ids,
        subject_hash=subject(secret_key, user),
        role=data.role,
    )
    return Link(user, token)


async def do_reinvite(
    session: AsyncSession, tenant: Tenant, user_id: uuid.UUID, clock: Clock
) -> Link:
    user = await member(session, tenant, user_id)
    return Link(user, await issue_token(session, user, "invite", clock))


async def request_reset(session: AsyncSession, email: str, clock: Clock) -> Link | None:
    """A reset link for an active person with that e-mail (None otherwise: the caller answers
    the same either way)."""
    email = email.strip().lower()
    if not email or len(email) > 254:
        return None
    user = await session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None or not user.active:
        return None
    if user.tenant_id is not None:
        tenant = await session.get(Tenant, user.tenant_id)
        if tenant is None or not tenant.active:
            return None
    return Link(user, await issue_token(session, user, "reset", clock))


async def member(session: AsyncSession, tenant: Tenant, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None or user.tenant_id != tenant.id:
        raise TeamError("not_found", "No such person in this shop.")
    return user


async def members(session: AsyncSession, tenant: Tenant) -> list[tuple[User, bool]]:
    """The team, with whether each person's invitation is still open (never set a password)."""
    users = (
        await session.scalars(
            select(User).where(User.tenant_id == tenant.id).order_by(User.active.desc(), User.email)
        )
    ).all()
    pending = set(
        (
            await session.scalars(
                select(AccountToken.user_id).where(
                    AccountToken.tenant_id == tenant.id,
                    AccountToken.purpose == "invite",
                    AccountToken.used_at.is_(None),
                )
            )
        ).all()
    )
    return [(u, u.id in pending) for u in users]


async def _active_admins(session: AsyncSession, tenant: Tenant) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.tenant_id == tenant.id, User.role == "admin", User.active.is_(True))
        )
        or 0
    )


async def do_update(
    session: AsyncSession,
    tenant: Tenant,
    user_id: uuid.UUID,
    data: MemberIn,
    acting_user: uuid.UUID,
    clock: Clock,
    ids: IdSource,
    secret_key: str,
) -> User:
    user = await member(session, tenant, user_id)
    if user.role == "admin" and data.role != "admin":
        if user.id == acting_user:
            raise TeamError("self", "You cannot take away your own admin role.")
        if await _active_admins(session, tenant) <= 1:
            raise TeamError("last_admin", "The shop needs at least one admin.")
    user.display_name = data.display_name
    user.role = data.role
    user.languages = list(data.languages)
    user.capacity = data.capacity
    await audit.record(
        session,
        tenant_id=tenant.id,
        actor=audit.user_actor(acting_user),
        action="user.updated",
        clock=clock,
        ids=ids,
        subject_hash=subject(secret_key, user),
        role=data.role,
        capacity=data.capacity,
    )
    return user


async def do_set_active(
    session: AsyncSession,
    tenant: Tenant,
    user_id: uuid.UUID,
    active: bool,
    acting_user: uuid.UUID,
    clock: Clock,
    ids: IdSource,
    secret_key: str,
) -> User:
    """Deactivate (logged out everywhere, cannot log in; their chats return to the queue when
    their console's grace period runs out) or reactivate a person."""
    user = await member(session, tenant, user_id)
    if not active:
        if user.id == acting_user:
            raise TeamError("self", "You cannot deactivate yourself.")
        if user.role == "admin" and user.active and await _active_admins(session, tenant) <= 1:
            raise TeamError("last_admin", "The shop needs at least one admin.")
    if user.active == active:
        return user
    user.active = active
    if not active:
        await end_all_sessions(session, user.id)
        await session.execute(
            update(AccountToken)
            .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
            .values(used_at=clock.now())
        )
    await audit.record(
        session,
        tenant_id=tenant.id,
        actor=audit.user_actor(acting_user),
        action="user.reactivated" if active else "user.deactivated",
        clock=clock,
        ids=ids,
        subject_hash=subject(secret_key, user),
        role=user.role,
    )
    return user
