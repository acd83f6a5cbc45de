"""Internal notes: what an agent writes on a conversation for colleagues ("promised a refund by
Friday", "second parcel lost — ask the warehouse").

A note is deliberately not a message. Messages are the conversation the customer sees: they go
to the widget, the customer's transcript and export, and the turn hooks (statistics, the
improvement sample). A note lives in its own table, which nothing on the customer's side and no
hook reads, so no code path can leak one by forgetting a filter. It belongs to its conversation
(ON DELETE CASCADE): deleting the conversation — on request or by the retention purge — deletes
its notes in the same statement.

Any agent or admin of the shop may write a note on any of the shop's conversations (also a
closed one, to record the follow-up); a note can be deleted by its author or an admin. Consoles
watching the shop hear that a conversation's notes changed (the id only, never the text) and
read them again."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.infra.hub import tenant_channel
from samtale.live import queries
from samtale.live.base import Agent, LiveBase
from samtale.live.errors import NotFound, NotYours
from samtale.model import ConversationNote

NOTE_MAX_CHARS = 2000


async def notes_of(
    session: AsyncSession, tenant_id: uuid.UUID, conversation_id: uuid.UUID
) -> list[dict[str, Any]]:
    """A conversation's notes, oldest first, with their authors' names."""
    rows = (
        await session.scalars(
            select(ConversationNote)
            .where(
                ConversationNote.tenant_id == tenant_id,
                ConversationNote.conversation_id == conversation_id,
            )
            .order_by(ConversationNote.created_at, ConversationNote.id)
        )
    ).all()
    names = await queries.agent_names(
        session, tenant_id, {r.author_id for r in rows if r.author_id}
    )
    return [_note_dict(r, names) for r in rows]


class StaffNotes(LiveBase):
    async def notes(self, agent: Agent, conversation_id: uuid.UUID) -> list[dict[str, Any]]:
        async with self.db.session() as session:
            await self._conversation(session, agent.tenant_id, conversation_id)
            return await notes_of(session, agent.tenant_id, conversation_id)

    async def add_note(self, agent: Agent, conversation_id: uuid.UUID, text: str) -> dict[str, Any]:
        """Write a note (the text is already validated and cleaned at the edge)."""
        async with self.db.transaction() as session:
            await self._conversation(session, agent.tenant_id, conversation_id)
            note = ConversationNote(
                id=self.ids.uuid(),
                tenant_id=agent.tenant_id,
                conversation_id=conversation_id,
                author_id=agent.user_id,
                text=text[:NOTE_MAX_CHARS],
                created_at=self.clock.now(),
            )
            session.add(note)
        await self._notes_changed(agent.tenant_id, conversation_id)
        return _note_dict(note, {agent.user_id: agent.name})

    async def delete_note(self, agent: Agent, note_id: uuid.UUID) -> None:
        async with self.db.transaction() as session:
            note = await session.scalar(
                select(ConversationNote).where(
                    ConversationNote.tenant_id == agent.tenant_id, ConversationNote.id == note_id
                )
            )
            if note is None:
                raise NotFound("No such note.")
            if note.author_id != agent.user_id and agent.role != "admin":
                raise NotYours("Only the note's author or an admin can delete it.")
            conversation_id = note.conversation_id
            await session.delete(note)
        await self._notes_changed(agent.tenant_id, conversation_id)

    async def _notes_changed(self, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
        await self.hub.publish(
            tenant_channel(tenant_id), {"type": "notes", "conversation_id": str(conversation_id)}
        )


def _note_dict(row: ConversationNote, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "author_id": str(row.author_id) if row.author_id else None,
        "author_name": names.get(row.author_id) if row.author_id else None,
        "text": row.text,
        "created_at": row.created_at.isoformat(),
    }
