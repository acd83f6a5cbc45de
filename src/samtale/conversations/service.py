"""Starting conversations and handling each visitor message.

A visitor message is answered in three steps. (1) Read the conversation and, for a retried
`client_id`, return the first result (a retry racing the first attempt on this instance is
caught here, before a second bot turn; any other by the unique constraint when storing; the API
also answers a retry that hits the rate limit from the store). (2) Ask the tenant's responder
for replies — outside any transaction, since a bot may call a shop's systems. (3) Store the visitor message, the replies,
the changed dialogue state and whatever the turn hooks add (identifier index, statistics, …) in
one short transaction, then publish the new messages to the hub. A failure before the commit
stores nothing; a crashing responder still keeps the customer's message and answers with an
apology, so nothing the customer wrote is lost.

Messages of one conversation are handled one at a time per instance (a lock per conversation),
and cursors come from a row-locked counter, so they are gap-free and in commit order everywhere.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import uuid
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from samtale.conversations.attachments import claim, pending
from samtale.conversations.events import message_event, state_event
from samtale.conversations.findings import TextInspector
from samtale.conversations.repository import Conversations
from samtale.conversations.responder import (
    ConversationContext,
    IncomingMessage,
    Reply,
    ResponderRegistry,
)
from samtale.conversations.state import BotStateConflict, State, transition_for
from samtale.infra.database import Database
from samtale.infra.hub import Hub, conversation_channel
from samtale.kernel.clock import Clock, IdSource
from samtale.kernel.errors import Unavailable
from samtale.kernel.i18n import catalogue
from samtale.kernel.logs import get_logger
from samtale.model import Conversation, Message, User

log = get_logger(__name__)

# How often a turn is run again when another instance wrote the conversation meanwhile.
TURN_ATTEMPTS = 3


@dataclass
class Turn:
    """What one visitor message produced, as stored."""

    conversation: ConversationContext
    message: Message
    replies: list[Message] = field(default_factory=list)
    duplicate: bool = False
    # What the turn hooks add to the turn's write (INSERT, UPDATE or upsert statements): run
    # with the messages, in one statement on PostgreSQL (`Conversations.store_turn`).
    writes: list[Executable] = field(default_factory=list)


class TurnHook(Protocol):
    """Called inside the turn's transaction, before its write: later features add their rows
    to `turn.writes` (the identifier index, statistics events, the improvement sample), so that
    they commit or fail together with the messages, in the same round trip. The messages'
    cursors (`seq`) are not known yet when a hook runs."""

    async def on_turn(
        self, session: AsyncSession, turn: Turn, incoming: IncomingMessage
    ) -> None: ...


def context_of(conv: Conversation, page_language: str | None = None) -> ConversationContext:
    return ConversationContext(
        id=conv.id,
        tenant_id=conv.tenant_id,
        language=conv.language,
        state=conv.state,
        person_involved=conv.person_involved,
        bot_state=copy.deepcopy(conv.bot_state or {}),
        created_at=conv.created_at,
        version=conv.bot_state_version or 0,
        page_language=page_language,
    )


class ConversationService:
    def __init__(
        self,
        db: Database,
        hub: Hub,
        responders: ResponderRegistry,
        clock: Clock,
        ids: IdSource,
        hooks: Sequence[TurnHook] = (),
        max_pending: int = 64,
        inspector: TextInspector | None = None,
    ) -> None:
        self.db = db
        # Reads the visitor's text for personal data once per turn, before the transaction.
        self.inspector = inspector
        self.hub = hub
        self.responders = responders
        self.clock = clock
        self.ids = ids
        self.hooks = list(hooks)
        # Turns in flight on this instance (waiting for their conversation, answering,
        # storing): beyond `max_pending` a new one is refused at once with 503 and
        # Retry-After instead of queueing for seconds behind the others.
        self.max_pending = max_pending
        self.pending = 0
        self.shed = 0
        self._locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def _lock(self, conversation_id: uuid.UUID) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        return lock

    async def start(
        self, tenant_id: uuid.UUID, language: str, page_path: str | None = None
    ) -> tuple[Conversation, str]:
        """A new conversation and its visitor token (returned once, stored only as a hash)."""
        token = self.ids.token(32)
        async with self.db.transaction() as session:
            conv = await Conversations(session, tenant_id).create(
                id=self.ids.uuid(),
                token=token,
                language=language,
                now=self.clock.now(),
                page_path=page_path,
            )
        return conv, token

    async def post_visitor_message(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        text: str,
        client_id: str | None = None,
        intent: str | None = None,
        page_language: str | None = None,
        loaded: Conversation | None = None,
        client_key: str | None = None,
        attachments: Sequence[uuid.UUID] = (),
    ) -> Turn:
        """Handle one visitor message (with the ids of files uploaded for it, if any). `loaded` is the conversation as the caller just read it
        (authentication reads it anyway); it is used when no other message of this conversation
        is being handled on this instance, and read again otherwise.

        A repeated `client_id` is caught by the database's unique constraint when the turn is
        stored: the transaction is rolled back (nothing of the second attempt remains) and the
        first result is returned. That keeps the common case to one read and one write.

        With `max_pending` turns already in flight on this instance, raises `Unavailable`
        (503 with Retry-After) at once."""
        if self.pending >= self.max_pending:
            self.shed += 1
            raise Unavailable("Too busy for a moment; try again shortly.", retry_after=2)
        self.pending += 1
        try:
            return await self._visitor_turn(
                tenant_id,
                conversation_id,
                text,
                client_id,
                intent,
                page_language,
                loaded,
                client_key,
                attachments,
            )
        finally:
            self.pending -= 1

    async def _visitor_turn(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        text: str,
        client_id: str | None,
        intent: str | None,
        page_language: str | None,
        loaded: Conversation | None,
        client_key: str | None,
        attachments: Sequence[uuid.UUID] = (),
    ) -> Turn:
        lock = self._lock(conversation_id)
        fresh = (
            loaded
            if loaded is not None and not lock.locked() and loaded.tenant_id == tenant_id
            else None
        )
        async with lock:
            if fresh is None:
                # Another message of this conversation was being handled: it may have been the
                # first attempt of this one.
                async with self.db.session() as session:
                    repo = Conversations(session, tenant_id)
                    fresh = await repo.get(conversation_id)
                    if fresh is not None and client_id:
                        earlier = await self._earlier(repo, conversation_id, client_id)
                        if earlier is not None:
                            return earlier
            if fresh is None:
                raise LookupError("conversation not found")
            conv = fresh
            now = self.clock.now()
            files: tuple[dict[str, Any], ...] = ()
            if attachments:
                async with self.db.session() as session:
                    infos = await pending(
                        session, tenant_id, conversation_id, attachments, "visitor"
                    )
                files = tuple(i.as_dict() for i in infos)
            incoming = IncomingMessage(
                self.ids.uuid(), text, now, client_id, intent, attachments=files
            )
            try:
                for attempt in range(1, TURN_ATTEMPTS + 1):
                    ctx = context_of(conv, page_language)
                    if client_key:
                        # A keyed hash of the client's address, for per-client limits on look-ups.
                        ctx.notes.client_key = client_key
                    replies = await self._replies(ctx, incoming)
                    incoming = await self._inspected(ctx, incoming)
                    try:
                        turn = await self._store(
                            tenant_id, ctx, incoming, replies, previous_state=conv.state
                        )
                        break
                    except BotStateConflict:
                        # Another instance answered a message of this conversation meanwhile:
                        # run the turn again on what it left.
                        if attempt == TURN_ATTEMPTS:
                            raise
                        log.info("turn_retried", conversation_id=str(conversation_id))
                        async with self.db.session() as session:
                            again = await Conversations(session, tenant_id).get(conversation_id)
                        if again is None:
                            raise LookupError("conversation not found") from None
                        conv = again
            except IntegrityError:
                # The same client_id raced in from another instance: answer with the first.
                async with self.db.session() as session:
                    earlier = await self._earlier(
                        Conversations(session, tenant_id), conversation_id, client_id or ""
                    )
                if earlier is None:
                    raise
                return earlier
        await self._publish(turn, state_changed=turn.conversation.state != conv.state)
        return turn

    async def earlier_turn(
        self, tenant_id: uuid.UUID, conversation_id: uuid.UUID, client_id: str
    ) -> Turn | None:
        """The stored result of an earlier message with this `client_id`, if there is one."""
        async with self.db.session() as session:
            return await self._earlier(
                Conversations(session, tenant_id), conversation_id, client_id
            )

    async def _earlier(
        self, repo: Conversations, conversation_id: uuid.UUID, client_id: str
    ) -> Turn | None:
        msg = await repo.by_client_id(conversation_id, client_id)
        if msg is None:
            return None
        conv = await repo.get(conversation_id)
        assert conv is not None
        replies = list(await repo.replies_to(conversation_id, msg.id))
        return Turn(context_of(conv), msg, replies, duplicate=True)

    async def _replies(self, ctx: ConversationContext, incoming: IncomingMessage) -> list[Reply]:
        if ctx.state not in ("bot", "closed"):
            return []  # a person is (about to be) answering
        if ctx.state == "closed":
            ctx.requested_state = "bot"  # after a person closed, the bot answers again
        try:
            return await self.responders.for_tenant(ctx.tenant_id).respond(ctx, incoming)
        except Exception:
            log.exception("responder_failed", conversation_id=str(ctx.id))
            ctx.notes.outcome = "error"
            return [Reply(catalogue("system").text("apology", ctx.language), author="system")]

    async def _inspected(
        self, ctx: ConversationContext, incoming: IncomingMessage
    ) -> IncomingMessage:
        """The message with its findings, read once (a retried turn reuses them)."""
        if self.inspector is None or incoming.findings is not None:
            return incoming
        try:
            findings = await self.inspector.inspect(ctx, incoming.text)
        except Exception:
            # The hooks read the text themselves then; the customer's message is stored anyway.
            log.exception("inspection_failed", conversation_id=str(ctx.id))
            return incoming
        return dataclasses.replace(incoming, findings=findings)

    async def _store(
        self,
        tenant_id: uuid.UUID,
        ctx: ConversationContext,
        incoming: IncomingMessage,
        replies: list[Reply],
        previous_state: str,
    ) -> Turn:
        now = incoming.created_at
        changes: dict[str, Any] = {
            "language": ctx.language,
            "bot_state": ctx.bot_state,
            "bot_state_version": ctx.version + 1,
        }
        expected_state: State | None = None
        if ctx.requested_state and ctx.requested_state != previous_state:
            step = transition_for(previous_state, ctx.requested_state)
            if step is None:
                log.warning(
                    "state_change_refused",
                    conversation_id=str(ctx.id),
                    source=str(previous_state),
                    target=ctx.requested_state,
                )
            else:
                changes["state"] = step.target
                expected_state = State(previous_state)
        visitor = Message(
            id=incoming.id,
            conversation_id=ctx.id,
            seq=0,  # set by the write
            author="visitor",
            text=incoming.text,
            payload={"attachments": list(incoming.attachments)} if incoming.attachments else None,
            client_id=incoming.client_id,
            reply_to=None,
            agent_id=None,
            created_at=now,
        )
        stored = [
            Message(
                id=self.ids.uuid(),
                conversation_id=ctx.id,
                seq=0,
                author=r.author,
                text=r.text,
                payload=r.payload,
                client_id=None,
                reply_to=incoming.id,
                agent_id=None,
                created_at=now,
            )
            for r in replies
        ]
        if expected_state is not None:
            ctx.state = changes["state"]
        ctx.version += 1
        turn = Turn(ctx, visitor, stored)
        try:
            async with self.db.transaction() as session:
                for hook in self.hooks:
                    await hook.on_turn(session, turn, incoming)
                first = await Conversations(session, tenant_id).store_turn(
                    ctx.id,
                    [visitor, *stored],
                    now,
                    ctx.version - 1,
                    expected_state,
                    writes=turn.writes,
                    **changes,
                )
                if first is None:
                    raise BotStateConflict()
                if incoming.attachments:
                    ids = [uuid.UUID(a["id"]) for a in incoming.attachments]
                    await claim(session, tenant_id, ctx.id, ids, visitor.id)
        except BaseException:
            # Nothing was stored: the context is as it was read (a retried turn starts again).
            ctx.version -= 1
            ctx.state = previous_state
            raise
        return turn

    async def _publish(self, turn: Turn, state_changed: bool) -> None:
        channel = conversation_channel(turn.conversation.id)
        for msg in [turn.message, *turn.replies]:
            await self.hub.publish(channel, message_event(msg))
        if state_changed:
            await self.hub.publish(channel, state_event(turn.conversation.state))

    async def add_message(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        author: str,
        text: str,
        payload: dict[str, Any] | None = None,
        agent_id: uuid.UUID | None = None,
        agent_name: str | None = None,
        attachments: Sequence[uuid.UUID] = (),
    ) -> Message:
        """Store one message from an agent or the system (with files uploaded for it by the
        same author) and publish it."""
        msg = await self._store_one(
            tenant_id,
            conversation_id,
            author,
            text,
            payload=payload,
            agent_id=agent_id,
            attachments=attachments,
        )
        await self.hub.publish(
            conversation_channel(conversation_id), message_event(msg, agent_name)
        )
        return msg

    async def _store_one(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        author: str,
        text: str,
        *,
        payload: dict[str, Any] | None = None,
        client_id: str | None = None,
        agent_id: uuid.UUID | None = None,
        attachments: Sequence[uuid.UUID] = (),
    ) -> Message:
        now = self.clock.now()
        async with self.db.transaction() as session:
            if attachments:
                infos = await pending(session, tenant_id, conversation_id, attachments, author)
                payload = {**(payload or {}), "attachments": [i.as_dict() for i in infos]}
            repo = Conversations(session, tenant_id)
            seq = await repo.next_seqs(conversation_id, 1, now)
            msg = await repo.add_message(
                conversation_id,
                id=self.ids.uuid(),
                seq=seq,
                author=author,
                text=text,
                payload=payload,
                client_id=client_id,
                agent_id=agent_id,
                now=now,
            )
            if attachments:
                await session.flush()
                await claim(session, tenant_id, conversation_id, attachments, msg.id)
            return msg

    async def add_message_once(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        author: str,
        text: str,
        *,
        client_id: str | None,
        agent_id: uuid.UUID | None = None,
        agent_name: str | None = None,
        attachments: Sequence[uuid.UUID] = (),
    ) -> tuple[Message, bool]:
        """`add_message` with an idempotency key: the unique (conversation, client id) keeps
        one copy; a retry, even one racing the first, gets the stored message and True."""
        if client_id is None:
            msg = await self.add_message(
                tenant_id,
                conversation_id,
                author,
                text,
                agent_id=agent_id,
                agent_name=agent_name,
                attachments=attachments,
            )
            return msg, False
        async with self.db.session() as session:
            earlier = await Conversations(session, tenant_id).by_client_id(
                conversation_id, client_id
            )
        if earlier is not None:
            return earlier, True
        try:
            msg = await self._store_one(
                tenant_id,
                conversation_id,
                author,
                text,
                client_id=client_id,
                agent_id=agent_id,
                attachments=attachments,
            )
        except IntegrityError:
            async with self.db.session() as session:
                earlier = await Conversations(session, tenant_id).by_client_id(
                    conversation_id, client_id
                )
            if earlier is None:
                raise
            return earlier, True
        await self.hub.publish(
            conversation_channel(conversation_id), message_event(msg, agent_name)
        )
        return msg, False

    async def agent_names(
        self, tenant_id: uuid.UUID, messages: Sequence[Message]
    ) -> dict[uuid.UUID, str]:
        ids = {m.agent_id for m in messages if m.agent_id}
        if not ids:
            return {}
        async with self.db.session() as session:
            rows = await session.execute(
                select(User.id, User.display_name).where(
                    User.tenant_id == tenant_id, User.id.in_(ids)
                )
            )
            return {row.id: row.display_name for row in rows}

    async def messages(
        self, tenant_id: uuid.UUID, conversation_id: uuid.UUID, after: int = 0, limit: int = 200
    ) -> Sequence[Message]:
        async with self.db.session() as session:
            return await Conversations(session, tenant_id).messages(conversation_id, after, limit)
