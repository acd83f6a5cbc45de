"""The audit log: deletions (with their reason), transcript downloads, searches for a customer's
conversations, agents opening conversations and changes to retention settings.

An entry says who (`actor`: `visitor`, `cli`, `system:retention`, `user:<id>`), did what
(`action`), to which subject (`subject_hash`: a keyed hash, e.g. a deletion's receipt) and how
much (`details`: counts and codes). It never holds personal data, and `record` enforces that:
actors and actions follow fixed shapes, details are numbers, booleans or codes from a fixed
vocabulary — never free text, never an e-mail, a name or a conversation id. Entries keep their
`tenant_id` after the tenant is deleted (it is deliberately not a foreign key), so the
operator's record of deleting a shop outlives the shop.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.kernel.clock import Clock, IdSource
from samtale.kernel.security import keyed_hash, tenant_secret
from samtale.model import AuditEntry

# Actions.
CONVERSATION_DELETED = "conversation.deleted"
CONVERSATION_OPENED = "conversation.opened"
RETENTION_PURGE = "retention.purge"
RETENTION_CHANGED = "retention.changed"
TENANT_DELETED = "tenant.deleted"
TRANSCRIPT_DOWNLOADED = "transcript.downloaded"
PRIVACY_SEARCH = "privacy.search"
PRIVACY_EXPORT = "privacy.export"
# Done on the admin pages (`samtale.admin`): the team, the bot, settings, the operator's shops.
ADMIN_ACTIONS = frozenset(
    {
        "user.invited",
        "user.updated",
        "user.deactivated",
        "user.reactivated",
        "user.password_set",
        "user.login_locked",
        "bot.published",
        "settings.changed",
        "tenant.created",
        "tenant.suspended",
        "tenant.resumed",
        "tenant.exported",
    }
)

ACTIONS = ADMIN_ACTIONS | frozenset(
    {
        CONVERSATION_DELETED,
        CONVERSATION_OPENED,
        RETENTION_PURGE,
        RETENTION_CHANGED,
        TENANT_DELETED,
        TRANSCRIPT_DOWNLOADED,
        PRIVACY_SEARCH,
        PRIVACY_EXPORT,
    }
)

# Why a conversation was deleted.
REASON_CUSTOMER = "customer"  # the customer's own delete button
REASON_REQUEST = "request"  # on the customer's request, by an agent, an admin or an operator
REASON_RETENTION = "retention"  # the retention schedule
REASON_TENANT_DELETED = "tenant_deleted"  # the operator deleted the whole shop
REASONS = frozenset({REASON_CUSTOMER, REASON_REQUEST, REASON_RETENTION, REASON_TENANT_DELETED})

# The only strings a detail may hold.
CODES = frozenset(
    {
        *REASONS,
        "txt", "html", "json", "print",  # transcript formats (print: the print view)
        "email", "phone", "order_number", "conversation",  # what a search was by
        "bot_only", "with_agent",  # kinds of conversation
        "visitor", "agent", "admin", "operator",  # roles
        "find", "delete", "export",  # what a search was for
        "invite", "reset",  # how a password was set
        "widget", "site", "hours", "prechat", "canned", "agents", "connector", "attachments",  # settings pages
    }
)  # fmt: skip

_ACTOR = re.compile(r"^(visitor|cli|system:[a-z_]{1,40}|user:[0-9a-f]{8}-[0-9a-f-]{27})$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")


class AuditError(ValueError):
    """An entry that could carry personal data (or is malformed) is refused."""


def user_actor(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


def receipt(secret_key: str, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    """The keyed hash of a conversation id: the receipt of its deletion, and the subject of
    audit entries about it. The operator (who holds the secret key) can compute it from a
    conversation id the customer quotes; from the hash, nobody can go back to the id."""
    return keyed_hash(
        tenant_secret(secret_key, str(tenant_id)), "conversation", str(conversation_id)
    )


def check_entry(actor: str, action: str, subject_hash: str | None, details: dict[str, Any]) -> None:
    if not _ACTOR.match(actor):
        raise AuditError(f"bad actor {actor!r}")
    if action not in ACTIONS:
        raise AuditError(f"unknown action {action!r}")
    if subject_hash is not None and not _HASH.match(subject_hash):
        raise AuditError("the subject must be a keyed hash")
    for key, value in details.items():
        if not _KEY.match(key):
            raise AuditError(f"bad detail key {key!r}")
        if value is None or isinstance(value, bool | int):
            continue
        if isinstance(value, str) and value in CODES:
            continue
        raise AuditError(f"detail {key!r} must be a number, a boolean or a known code")


def audit_entry(
    *,
    tenant_id: uuid.UUID | None,
    actor: str,
    action: str,
    clock: Clock,
    ids: IdSource,
    subject_hash: str | None = None,
    **details: Any,
) -> AuditEntry:
    """A checked entry, not yet added to any session."""
    check_entry(actor, action, subject_hash, details)
    return AuditEntry(
        id=ids.uuid(),
        tenant_id=tenant_id,
        actor=actor,
        action=action,
        subject_hash=subject_hash,
        details=details,
        created_at=clock.now(),
    )


async def record(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID | None,
    actor: str,
    action: str,
    clock: Clock,
    ids: IdSource,
    subject_hash: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Add one entry in the caller's transaction (so it commits or fails with what it records)."""
    entry = audit_entry(
        tenant_id=tenant_id,
        actor=actor,
        action=action,
        clock=clock,
        ids=ids,
        subject_hash=subject_hash,
        **details,
    )
    session.add(entry)
    await session.flush()
    return entry


def _query(
    action: str | None,
    subject_hash: str | None,
    since: datetime | None,
    before: datetime | None,
    limit: int,
) -> Any:
    query = select(AuditEntry)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if subject_hash is not None:
        query = query.where(AuditEntry.subject_hash == subject_hash)
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    if before is not None:
        query = query.where(AuditEntry.created_at < before)
    return query.order_by(AuditEntry.created_at.desc(), AuditEntry.id).limit(min(limit, 1000))


async def tenant_audit(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    action: str | None = None,
    subject_hash: str | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
    limit: int = 100,
) -> Sequence[AuditEntry]:
    """One tenant's entries, newest first (for the shop's admins)."""
    query = _query(action, subject_hash, since, before, limit)
    return (await session.scalars(query.where(AuditEntry.tenant_id == tenant_id))).all()


async def all_audit(
    session: AsyncSession,
    *,
    action: str | None = None,
    subject_hash: str | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
    limit: int = 100,
) -> Sequence[AuditEntry]:
    """Every tenant's entries and the platform's own, newest first (for the operator)."""
    return (await session.scalars(_query(action, subject_hash, since, before, limit))).all()


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "tenant_id": str(entry.tenant_id) if entry.tenant_id else None,
        "actor": entry.actor,
        "action": entry.action,
        "subject_hash": entry.subject_hash,
        "details": entry.details,
        "created_at": entry.created_at.isoformat(),
    }
