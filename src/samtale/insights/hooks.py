"""Where statistics events come from: the conversation service's turn hook (bot turns) and the
live service's event sink (handoffs). Both write in the transaction of what they count (a turn's
statements join the turn's one write)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from samtale.conversations.responder import IncomingMessage
from samtale.conversations.service import Turn
from samtale.insights.events import Event, record, record_statements
from samtale.insights.tenants import TenantCache


def turn_events(turn: Turn) -> list[Event]:
    """The events of one customer message, from what the bot annotated (never its text)."""
    ctx = turn.conversation
    notes = ctx.notes
    language = str(notes.language or ctx.language or "")
    events: list[Event] = []
    if ctx.version == 1:  # the conversation's first customer message (its first turn)
        events.append(Event("conversation", language))
    outcome = str(notes.outcome or "")
    if not outcome and turn.replies:
        outcome = "answered"  # a responder that records nothing answered all the same
    events.append(
        Event(
            "turn",
            language,
            intent=str(notes.intent or ""),
            band=str(notes.confidence_band or ""),
            outcome=outcome,
        )
    )
    started = notes.flow_started
    if started:
        events.append(Event("flow", language, flow=str(started), outcome="started"))
    if outcome == "flow_completed" and notes.flow:
        events.append(Event("flow", language, flow=str(notes.flow), outcome="completed"))
    abandoned = notes.abandoned_flow or (notes.flow if outcome == "flow_abandoned" else None)
    if abandoned:
        events.append(Event("flow", language, flow=str(abandoned), outcome="abandoned"))
    return events


class TurnEvents:
    """The `TurnHook` that counts bot turns, conversations and flows."""

    def __init__(self, tenants: TenantCache) -> None:
        self.tenants = tenants

    async def on_turn(self, session: AsyncSession, turn: Turn, incoming: IncomingMessage) -> None:
        if turn.duplicate:
            return
        info = await self.tenants.get(session, turn.conversation.tenant_id)
        if info is None:
            return
        turn.writes.extend(
            record_statements(
                session.get_bind().dialect.name,
                turn.conversation.tenant_id,
                info.zone,
                incoming.created_at,
                turn_events(turn),
            )
        )


class LiveEvents:
    """The live service's `LiveEventSink`: queue, claims, first answers, closes, ratings."""

    def __init__(self, tenants: TenantCache) -> None:
        self.tenants = tenants

    async def on_live_event(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        kind: str,
        *,
        language: str,
        at: datetime,
        seconds: int | None = None,
        outcome: str | None = None,
        rating: int | None = None,
    ) -> None:
        info = await self.tenants.get(session, tenant_id)
        if info is None:
            return
        event = Event(kind, language, outcome=outcome or "", seconds=seconds, rating=rating)
        await record(session, tenant_id, info.zone, at, [event])
