"""Tenant-scoped queries on conversations and messages.

Every method filters by the repository's tenant: code holding a `Conversations(session, A)` can
not read or write tenant B's rows, whatever ids it is given. The one unscoped read is
`authenticate()`, which is how a visitor's token reveals its conversation (and thereby its tenant).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, column, func, insert, select, true, update
from sqlalchemy import values as values_clause
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from samtale.kernel.security import hash_token, tokens_match
from samtale.model import Conversation, Message, table_of
from samtale.model.conversation import State


async def authenticate(
    session: AsyncSession, conversation_id: uuid.UUID, token: str
) -> Conversation | None:
    """The conversation if `token` is its visitor token, else None (same answer whether the
    conversation does not exist or the token is wrong)."""
    conv = await session.get(Conversation, conversation_id)
    if conv is None or not token or not tokens_match(token, conv.token_hash):
        return None
    return conv


class Conversations:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def create(
        self,
        *,
        id: uuid.UUID,
        token: str,
        language: str,
        now: datetime,
        page_path: str | None = None,
        state: State = State.BOT,
        person_involved: bool = False,
    ) -> Conversation:
        """A new conversation, in `state` (a message left for customer service starts closed,
        with a person involved)."""
        conv = Conversation(
            id=id,
            tenant_id=self.tenant_id,
            token_hash=hash_token(token),
            language=language,
            state=state,
            person_involved=person_involved,
            bot_state_version=0,
            page_path=page_path,
            last_seq=0,
            bot_state={},
            created_at=now,
            last_activity_at=now,
        )
        self.session.add(conv)
        await self.session.flush()
        return conv

    async def get(self, conversation_id: uuid.UUID) -> Conversation | None:
        return await self.session.scalar(
            select(Conversation).where(
                Conversation.id == conversation_id, Conversation.tenant_id == self.tenant_id
            )
        )

    async def lock(self, conversation_id: uuid.UUID) -> Conversation | None:
        """The conversation, row-locked for the rest of the transaction (PostgreSQL)."""
        return await self.session.scalar(
            select(Conversation)
            .where(Conversation.id == conversation_id, Conversation.tenant_id == self.tenant_id)
            .with_for_update()
        )

    async def next_seqs(
        self, conversation_id: uuid.UUID, count: int, now: datetime, **values: Any
    ) -> int:
        """Reserve `count` message cursors (and set any other `values` of the conversation in the
        same statement); returns the first cursor. The UPDATE takes the row lock, so concurrent
        writers of one conversation get consecutive, gap-free numbers in commit order."""
        last = await self.session.scalar(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.tenant_id == self.tenant_id)
            .values(last_seq=Conversation.last_seq + count, last_activity_at=now, **values)
            .returning(Conversation.last_seq)
            .execution_options(synchronize_session=False)
        )
        if last is None:
            raise LookupError("conversation not found")
        return int(last) - count + 1

    async def next_turn_seqs(
        self,
        conversation_id: uuid.UUID,
        count: int,
        now: datetime,
        version: int,
        expected_state: State | None = None,
        **values: Any,
    ) -> int | None:
        """`next_seqs` for a bot turn: only while `bot_state_version` is still `version` (and,
        when the turn changes the state, the state still `expected_state`). None when another
        writer came first."""
        query = update(Conversation).where(
            Conversation.id == conversation_id,
            Conversation.tenant_id == self.tenant_id,
            Conversation.bot_state_version == version,
        )
        if expected_state is not None:
            query = query.where(Conversation.state == expected_state)
        last = await self.session.scalar(
            query.values(last_seq=Conversation.last_seq + count, last_activity_at=now, **values)
            .returning(Conversation.last_seq)
            .execution_options(synchronize_session=False)
        )
        if last is None:
            exists = await self.session.scalar(
                select(Conversation.id).where(
                    Conversation.id == conversation_id, Conversation.tenant_id == self.tenant_id
                )
            )
            if exists is None:
                raise LookupError("conversation not found")
            return None
        return int(last) - count + 1

    async def store_turn(
        self,
        conversation_id: uuid.UUID,
        messages: list[Message],
        now: datetime,
        version: int,
        expected_state: State | None = None,
        writes: Sequence[Executable] = (),
        **values: Any,
    ) -> int | None:
        """Store a bot turn: the conversation's new values and cursors (only while
        `bot_state_version` is still `version`, see `next_turn_seqs`), its messages (their `seq`
        set here) and the turn hooks' `writes`. Returns the first cursor, or None when another
        writer came first (the caller rolls back: on PostgreSQL the writes ran already).

        On PostgreSQL all of it is **one statement**: the UPDATE … RETURNING is a common table
        expression the messages' INSERT … SELECT reads its cursor from, and every write is a
        data-modifying CTE beside them. With the transaction's BEGIN and COMMIT a turn is three
        round trips to the database. Elsewhere (SQLite, in-process) the statements run one
        after the other in the same transaction."""
        count = len(messages)
        for msg in messages:
            msg.tenant_id = self.tenant_id
        if self.session.get_bind().dialect.name != "postgresql":
            first = await self.next_turn_seqs(
                conversation_id, count, now, version, expected_state, **values
            )
            if first is None:
                return None
            for i, msg in enumerate(messages):
                msg.seq = first + i
            await self.insert_messages(messages)
            for write in writes:
                await self.session.execute(write)
            return first
        query = update(table_of(Conversation)).where(
            Conversation.id == conversation_id,
            Conversation.tenant_id == self.tenant_id,
            Conversation.bot_state_version == version,
        )
        if expected_state is not None:
            query = query.where(Conversation.state == expected_state)
        conv = (
            query.values(last_seq=Conversation.last_seq + count, last_activity_at=now, **values)
            .returning(Conversation.last_seq)
            .cte("turn_conversation")
        )
        table = table_of(Message)
        cols = [c for c in table.columns if c.key != "seq"]
        rows = values_clause(
            *(column(c.key, c.type) for c in cols), column("pos", Integer), name="turn_rows"
        ).data([(*(getattr(m, c.key) for c in cols), i) for i, m in enumerate(messages)])
        cursor = conv.c.last_seq - count + 1 + rows.c.pos
        stored = insert(table).from_select(
            [*(c.key for c in cols), "seq"],
            # Cast: a NULL in VALUES has no type of its own on PostgreSQL.
            select(*(cast(rows.c[c.key], c.type) for c in cols), cursor)
            .select_from(conv)
            .join(rows, true()),
        )
        statement = select(conv.c.last_seq).add_cte(
            stored.cte("turn_messages"),
            *(write.cte(f"turn_write_{i}") for i, write in enumerate(writes)),  # type: ignore[attr-defined]
        )
        last = await self.session.scalar(statement)
        if last is None:
            exists = await self.session.scalar(
                select(Conversation.id).where(
                    Conversation.id == conversation_id, Conversation.tenant_id == self.tenant_id
                )
            )
            if exists is None:
                raise LookupError("conversation not found")
            return None
        first = int(last) - count + 1
        for i, msg in enumerate(messages):
            msg.seq = first + i
        return first

    async def insert_messages(self, messages: list[Message]) -> list[Message]:
        """Insert new messages in one statement (they stay detached from the session)."""
        for msg in messages:
            msg.tenant_id = self.tenant_id
        # The table's insert, not the entity's: the ORM would split rows by which of their
        # values are None, into one statement per shape; this is one statement for all.
        await self.session.execute(
            insert(table_of(Message)),
            [{c.key: getattr(m, c.key) for c in table_of(Message).columns} for m in messages],
        )
        return messages

    async def add_message(
        self,
        conversation_id: uuid.UUID,
        *,
        id: uuid.UUID,
        seq: int,
        author: str,
        text: str,
        now: datetime,
        payload: dict[str, Any] | None = None,
        client_id: str | None = None,
        reply_to: uuid.UUID | None = None,
        agent_id: uuid.UUID | None = None,
    ) -> Message:
        msg = Message(
            id=id,
            tenant_id=self.tenant_id,
            conversation_id=conversation_id,
            seq=seq,
            author=author,
            text=text,
            payload=payload,
            client_id=client_id,
            reply_to=reply_to,
            agent_id=agent_id,
            created_at=now,
        )
        self.session.add(msg)
        return msg

    async def by_client_id(self, conversation_id: uuid.UUID, client_id: str) -> Message | None:
        return await self.session.scalar(
            select(Message).where(
                Message.tenant_id == self.tenant_id,
                Message.conversation_id == conversation_id,
                Message.client_id == client_id,
            )
        )

    async def replies_to(
        self, conversation_id: uuid.UUID, message_id: uuid.UUID
    ) -> Sequence[Message]:
        rows = await self.session.scalars(
            select(Message)
            .where(
                Message.tenant_id == self.tenant_id,
                Message.conversation_id == conversation_id,
                Message.reply_to == message_id,
            )
            .order_by(Message.seq)
        )
        return rows.all()

    async def messages(
        self, conversation_id: uuid.UUID, after: int = 0, limit: int = 200
    ) -> Sequence[Message]:
        rows = await self.session.scalars(
            select(Message)
            .where(
                Message.tenant_id == self.tenant_id,
                Message.conversation_id == conversation_id,
                Message.seq > after,
            )
            .order_by(Message.seq)
            .limit(limit)
        )
        return rows.all()

    async def count(self) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Conversation)
                .where(Conversation.tenant_id == self.tenant_id)
            )
            or 0
        )
