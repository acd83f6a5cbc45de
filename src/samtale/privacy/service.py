"""Privacy as the rest of Samtale calls it: the visitor's download and delete, requests about a
customer (find, delete, export: by e-mail, phone, order number or conversation id), the
retention purge and the audit log. Every call that reveals or removes a customer's data is
audited, with no personal data in the entry.

The web routes, the `samtale privacy` and `samtale purge` commands and the agent and admin APIs
all call this one service (`runtime.privacy`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.infra.database import Database
from samtale.infra.hub import Hub
from samtale.kernel.clock import Clock, IdSource
from samtale.model import AuditEntry, Conversation, Tenant
from samtale.privacy import audit
from samtale.privacy.identifiers import KINDS, IdentifierIndex, find_conversations, index_text
from samtale.privacy.retention import Retention
from samtale.privacy.scheduler import PurgeRunner
from samtale.privacy.transcript import (
    MEDIA_TYPES,
    SectionProvider,
    Transcript,
    build_transcript,
    filename,
    render,
    render_html,
    transcript_dict,
)

LookupKind = Literal["email", "phone", "order_number", "conversation"]
LOOKUP_KINDS: tuple[LookupKind, ...] = ("email", "phone", "order_number", "conversation")
EXPORT_FORMAT = "samtale-access-request"
EXPORT_VERSION = 1


@dataclass(frozen=True)
class ConversationSummary:
    id: uuid.UUID
    language: str
    state: str
    person_involved: bool
    started_at: datetime
    last_activity_at: datetime
    messages: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": str(self.id),
            "language": self.language,
            "state": self.state,
            "person_involved": self.person_involved,
            "started_at": self.started_at.isoformat(),
            "last_activity_at": self.last_activity_at.isoformat(),
            "messages": self.messages,
        }


@dataclass(frozen=True)
class RenderedTranscript:
    content: str
    media_type: str
    filename: str


class PrivacyService:
    def __init__(
        self,
        db: Database,
        hub: Hub,
        clock: Clock,
        ids: IdSource,
        secret_key: str,
        *,
        batch_size: int = 500,
        sections: Sequence[SectionProvider] = (),
    ) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.secret_key = secret_key
        self.index = IdentifierIndex(secret_key, clock)
        self.retention = Retention(db, hub, clock, ids, secret_key, batch_size)
        self.runner = PurgeRunner(self.retention)
        # Features that keep data beside the messages (the handoff's pre-chat answers) add a
        # provider here, so transcripts and access-request exports include it.
        self.sections: list[SectionProvider] = list(sections)

    def receipt(self, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
        return audit.receipt(self.secret_key, tenant_id, conversation_id)

    # For other features ----------------------------------------------------------------------

    async def index_text(
        self,
        session: AsyncSession,
        tenant: Tenant,
        conversation_id: uuid.UUID,
        text: str,
        language: str | None = None,
    ) -> int:
        """Index the e-mails, phone numbers and order numbers in `text` (a pre-chat answer, an
        offline message) for the conversation, in the caller's transaction."""
        return await index_text(
            session, self.secret_key, tenant, conversation_id, text, self.clock, language
        )

    async def conversation_opened(
        self, session: AsyncSession, tenant_id: uuid.UUID, conversation_id: uuid.UUID, *, actor: str
    ) -> None:
        """Audit an agent opening a conversation (in the caller's transaction)."""
        await audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action=audit.CONVERSATION_OPENED,
            clock=self.clock,
            ids=self.ids,
            subject_hash=self.receipt(tenant_id, conversation_id),
        )

    # The visitor -----------------------------------------------------------------------------

    async def transcript(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        fmt: str,
        *,
        actor: str = "visitor",
        print_nonce: str | None = None,
    ) -> RenderedTranscript:
        """The conversation as a file, audited as a download. With `print_nonce` (HTML only),
        the print view: the page that opens the print dialogue when it has loaded."""
        if fmt not in MEDIA_TYPES:
            raise ValueError(f"unknown format {fmt!r}")
        async with self.db.transaction() as session:
            tenant, conv = await self._conversation(session, tenant_id, conversation_id)
            t = await build_transcript(session, tenant, conv, self.clock.now(), self.sections)
            await audit.record(
                session,
                tenant_id=tenant_id,
                actor=actor,
                action=audit.TRANSCRIPT_DOWNLOADED,
                clock=self.clock,
                ids=self.ids,
                subject_hash=self.receipt(tenant_id, conversation_id),
                format="print" if print_nonce else fmt,
            )
        content = render_html(t, print_nonce) if print_nonce and fmt == "html" else render(t, fmt)
        return RenderedTranscript(content, MEDIA_TYPES[fmt], filename(t, fmt))

    async def delete_conversation(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        *,
        actor: str = "visitor",
        reason: str = audit.REASON_CUSTOMER,
    ) -> str | None:
        """Delete one conversation now; its receipt, or None if it was not there."""
        receipts = await self.retention.delete_on_request(
            tenant_id, [conversation_id], actor=actor, reason=reason
        )
        return receipts.get(conversation_id)

    # Requests about a customer ---------------------------------------------------------------

    async def _conversation(
        self, session: AsyncSession, tenant_id: uuid.UUID, conversation_id: uuid.UUID
    ) -> tuple[Tenant, Conversation]:
        tenant = await session.get(Tenant, tenant_id)
        conv = await session.scalar(
            select(Conversation).where(
                Conversation.id == conversation_id, Conversation.tenant_id == tenant_id
            )
        )
        if tenant is None or conv is None:
            raise LookupError("conversation not found")
        return tenant, conv

    async def _matches(
        self, session: AsyncSession, tenant: Tenant, by: str, value: str
    ) -> list[Conversation]:
        if by == "conversation":
            try:
                ids: Sequence[uuid.UUID] = [uuid.UUID(value.strip())]
            except ValueError:
                return []
        elif by in KINDS:
            ids = await find_conversations(session, self.secret_key, tenant, by, value)
        else:
            raise ValueError(f"search by one of {', '.join(LOOKUP_KINDS)}")
        if not ids:
            return []
        rows = await session.scalars(
            select(Conversation)
            .where(Conversation.tenant_id == tenant.id, Conversation.id.in_(ids))
            .order_by(Conversation.created_at, Conversation.id)
        )
        return list(rows.all())

    async def _search(
        self, tenant_id: uuid.UUID, by: str, value: str, actor: str, purpose: str
    ) -> tuple[Tenant, list[Conversation]]:
        audit.check_entry(actor, audit.PRIVACY_SEARCH, None, {"by": by, "purpose": purpose})
        async with self.db.transaction() as session:
            tenant = await session.get(Tenant, tenant_id)
            if tenant is None:
                raise LookupError("no such tenant")
            found = await self._matches(session, tenant, by, value)
            await audit.record(
                session,
                tenant_id=tenant_id,
                actor=actor,
                action=audit.PRIVACY_SEARCH,
                clock=self.clock,
                ids=self.ids,
                by=by,
                purpose=purpose,
                matches=len(found),
            )
        return tenant, found

    async def find(
        self, tenant_id: uuid.UUID, by: str, value: str, *, actor: str
    ) -> list[ConversationSummary]:
        """The tenant's conversations in which this e-mail, phone number or order number was
        written (or the one conversation with this id). Audited as a search."""
        _tenant, found = await self._search(tenant_id, by, value, actor, "find")
        return [
            ConversationSummary(
                c.id,
                c.language,
                c.state,
                c.person_involved,
                c.created_at,
                c.last_activity_at,
                c.last_seq,
            )
            for c in found
        ]

    async def delete(
        self, tenant_id: uuid.UUID, by: str, value: str, *, actor: str
    ) -> dict[uuid.UUID, str]:
        """Delete, on the customer's request, every conversation `find` would list. Returns the
        receipts; each deletion is audited with its receipt, the search with its count."""
        _tenant, found = await self._search(tenant_id, by, value, actor, "delete")
        return await self.retention.delete_on_request(
            tenant_id, [c.id for c in found], actor=actor, reason=audit.REASON_REQUEST
        )

    async def export(
        self, tenant_id: uuid.UUID, by: str, value: str, *, actor: str
    ) -> dict[str, Any]:
        """The customer's data as one JSON document (an access request): every conversation
        `find` would list, whole, with the sections other features keep beside it."""
        audit.check_entry(actor, audit.PRIVACY_EXPORT, None, {"by": by})
        async with self.db.transaction() as session:
            tenant = await session.get(Tenant, tenant_id)
            if tenant is None:
                raise LookupError("no such tenant")
            found = await self._matches(session, tenant, by, value)
            now = self.clock.now()
            transcripts: list[Transcript] = [
                await build_transcript(session, tenant, conv, now, self.sections) for conv in found
            ]
            await audit.record(
                session,
                tenant_id=tenant_id,
                actor=actor,
                action=audit.PRIVACY_EXPORT,
                clock=self.clock,
                ids=self.ids,
                by=by,
                conversations=len(found),
            )
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "shop": {"name": tenant.name},
            "generated_at": now.isoformat(),
            "found_by": by,
            "conversations": [transcript_dict(t) for t in transcripts],
        }

    # The audit log ---------------------------------------------------------------------------

    async def tenant_audit(self, tenant_id: uuid.UUID, **filters: Any) -> Sequence[AuditEntry]:
        async with self.db.session() as session:
            return await audit.tenant_audit(session, tenant_id, **filters)

    async def all_audit(self, **filters: Any) -> Sequence[AuditEntry]:
        async with self.db.session() as session:
            return await audit.all_audit(session, **filters)
