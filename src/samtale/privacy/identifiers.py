"""The identifier index: which conversations mention an e-mail, a phone number or an order
number, without storing any of them.

Every visitor message is read for identifiers once per turn, before its transaction
(`privacy.inspection`); each one found is stored as an HMAC of its normalized form under the tenant's
secret (derived from the server's secret key), tied to the conversation, and deleted with it by
the database's cascade. A search normalizes what the agent or operator typed the same way and
looks the hash up, so "22 33 44 55" finds a conversation in which the customer wrote
"+45 22334455".

`IdentifierIndex` is the `TurnHook`; `index_text` and `index_values` are for other paths that
receive identifiers (the pre-chat form).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from samtale.conversations.responder import IncomingMessage
from samtale.conversations.service import Turn
from samtale.kernel.clock import Clock
from samtale.kernel.security import keyed_hash, tenant_secret
from samtale.model import ConversationIdentifier, Tenant, table_of
from samtale.privacy.pii import find_identifiers, normalize_identifier
from samtale.tenants.formats import tenant_formats

KINDS = ("email", "phone", "order_number")


def identifier_hash(secret_key: str, tenant_id: uuid.UUID, kind: str, normalized: str) -> str:
    return keyed_hash(tenant_secret(secret_key, str(tenant_id)), "identifier", kind, normalized)


def search_languages(tenant: Tenant, first: str | None = None) -> list[str]:
    """The languages to read identifiers with: the conversation's (or the shop's main) language
    first, since it decides the country a phone number without a country code is read in."""
    ordered = [first, tenant.default_language, *(tenant.languages or [])]
    return list(dict.fromkeys(code for code in ordered if code))


def index_statement(
    dialect: str,
    secret_key: str,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    values: Iterable[tuple[str, str]],
    clock: Clock,
) -> Executable | None:
    """The INSERT of the keyed hashes of normalized (kind, value) pairs (None when there are
    none); a pair already indexed for the conversation is kept once."""
    rows = [
        {
            "conversation_id": conversation_id,
            "kind": kind,
            "value_hash": identifier_hash(secret_key, tenant_id, kind, value),
            "tenant_id": tenant_id,
            "created_at": clock.now(),
        }
        for kind, value in dict.fromkeys(values)
        if kind in KINDS
    ]
    if not rows:
        return None
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(table_of(ConversationIdentifier)).values(rows).on_conflict_do_nothing()


async def index_values(
    session: AsyncSession,
    secret_key: str,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    values: Iterable[tuple[str, str]],
    clock: Clock,
) -> int:
    """Store the keyed hashes of normalized (kind, value) pairs; returns how many were given.
    A pair already indexed for the conversation is kept once."""
    pairs = list(dict.fromkeys(v for v in values if v[0] in KINDS))
    dialect = session.get_bind().dialect.name
    statement = index_statement(dialect, secret_key, tenant_id, conversation_id, pairs, clock)
    if statement is None:
        return 0
    await session.execute(statement)
    return len(pairs)


async def index_text(
    session: AsyncSession,
    secret_key: str,
    tenant: Tenant,
    conversation_id: uuid.UUID,
    text: str,
    clock: Clock,
    language: str | None = None,
) -> int:
    """Index the identifiers found in `text` (a message, a pre-chat answer)."""
    formats = tenant_formats(tenant)
    found = find_identifiers(
        text,
        search_languages(tenant, language),
        order_number_patterns=formats.order_number_patterns,
        tracking_number_patterns=formats.tracking_number_patterns,
    )
    return await index_values(session, secret_key, tenant.id, conversation_id, found, clock)


class IdentifierIndex:
    """The turn hook that indexes what visitors write: the identifiers the turn's inspection
    found (`privacy.inspection`), or, without one, the text read here."""

    def __init__(self, secret_key: str, clock: Clock) -> None:
        self.secret_key = secret_key
        self.clock = clock

    async def on_turn(self, session: AsyncSession, turn: Turn, incoming: IncomingMessage) -> None:
        if turn.duplicate:
            return
        ctx = turn.conversation
        if incoming.findings is not None:
            found: Sequence[tuple[str, str]] = incoming.findings.identifiers
        else:
            tenant = await session.get(Tenant, ctx.tenant_id)
            if tenant is None:
                return
            formats = tenant_formats(tenant)
            found = find_identifiers(
                incoming.text,
                search_languages(tenant, ctx.language),
                order_number_patterns=formats.order_number_patterns,
                tracking_number_patterns=formats.tracking_number_patterns,
            )
        dialect = session.get_bind().dialect.name
        statement = index_statement(
            dialect, self.secret_key, ctx.tenant_id, ctx.id, found, self.clock
        )
        if statement is not None:
            turn.writes.append(statement)


def normalize_query(tenant: Tenant, kind: str, value: str) -> str | None:
    """What an agent or operator typed, in the index's normalized form (None: not valid)."""
    if kind not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}; use one of {', '.join(KINDS)}")
    return normalize_identifier(kind, value, search_languages(tenant))


async def find_conversations(
    session: AsyncSession, secret_key: str, tenant: Tenant, kind: str, value: str
) -> Sequence[uuid.UUID]:
    """The ids of the tenant's conversations in which `value` (of `kind`) was written."""
    normalized = normalize_query(tenant, kind, value)
    if normalized is None:
        return []
    digest = identifier_hash(secret_key, tenant.id, kind, normalized)
    rows = await session.scalars(
        select(ConversationIdentifier.conversation_id)
        .where(
            ConversationIdentifier.tenant_id == tenant.id,
            ConversationIdentifier.kind == kind,
            ConversationIdentifier.value_hash == digest,
        )
        .distinct()
    )
    return rows.all()
