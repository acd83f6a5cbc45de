"""The `Responder` interface: what produces the replies to a visitor's message.

The bot implements it. A responder receives a `ConversationContext` — a plain snapshot of the
conversation that it may change (language, dialogue state, state) — and the incoming message, and
returns replies. It writes nothing itself: the conversation service stores the visitor message,
the replies and the changed context in one short transaction, so a failure anywhere leaves
nothing half-written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from samtale.conversations.notes import TurnNotes
from samtale.kernel.i18n import catalogue

if TYPE_CHECKING:
    from samtale.conversations.findings import TextFindings

ReplyAuthor = Literal["bot", "system"]


@dataclass
class ConversationContext:
    id: uuid.UUID
    tenant_id: uuid.UUID
    language: str
    state: str
    person_involved: bool
    bot_state: dict[str, Any]
    created_at: datetime
    # The version of `bot_state` this context was read at (the turn's write checks it).
    version: int = 0
    # What the widget says the page's language is (a hint for language detection).
    page_language: str | None = None
    # Set by a responder to ask the service for a state change (e.g. "queued" on handoff).
    requested_state: str | None = None
    # What the turn records beside its messages (intent, confidence, outcome, …), read by the
    # turn hooks (statistics, the improvement sample); never written into the messages.
    notes: TurnNotes = field(default_factory=TurnNotes)


@dataclass(frozen=True)
class IncomingMessage:
    id: uuid.UUID
    text: str
    created_at: datetime
    client_id: str | None = None
    # Set when the customer clicked a quick reply that names an intent.
    intent: str | None = None
    # The files sent with the message (their descriptions: id, name, type, size, thumbnail).
    attachments: tuple[dict[str, Any], ...] = ()
    # The personal data in `text`, read once before the turn is stored (None until then, or
    # without an inspector); the turn hooks use it instead of reading the text again.
    findings: TextFindings | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    payload: dict[str, Any] | None = None
    author: ReplyAuthor = "bot"


class Responder(Protocol):
    async def respond(
        self, conversation: ConversationContext, message: IncomingMessage
    ) -> list[Reply]: ...


class ResponderRegistry(Protocol):
    """Gives each tenant its responder; ready once every tenant's responder can answer."""

    def for_tenant(self, tenant_id: uuid.UUID) -> Responder: ...

    def is_ready(self) -> bool: ...

    async def start(self) -> None: ...

    async def refresh(self, tenant_id: uuid.UUID | None = None) -> None:
        """Read the tenant's published content again (after a publish or an import)."""

    async def close(self) -> None: ...


class NotConfiguredResponder:
    """Says, in the conversation's language, that the assistant is not configured."""

    async def respond(
        self, conversation: ConversationContext, message: IncomingMessage
    ) -> list[Reply]:
        return [Reply(catalogue("system").text("not_configured", conversation.language))]


class StaticRegistry:
    """One responder for every tenant (the default until a bot is configured, and tests)."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.responder = responder or NotConfiguredResponder()

    def for_tenant(self, tenant_id: uuid.UUID) -> Responder:
        return self.responder

    def is_ready(self) -> bool:
        return True

    async def start(self) -> None:
        return None

    async def refresh(self, tenant_id: uuid.UUID | None = None) -> None:
        return None

    async def close(self) -> None:
        return None
