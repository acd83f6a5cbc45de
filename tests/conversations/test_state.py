"""The conversation's state machine: every transition happens only from its source states, as
one conditional update; a turn asks for a change the machine has or gets none; and two
instances answering one conversation never lose each other's dialogue state."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, StatementError

from samtale.app.container import Container
from samtale.conversations.responder import ConversationContext, IncomingMessage, Reply
from samtale.conversations.state import (
    TRANSITIONS,
    State,
    Transitions,
    transition,
    transition_for,
)
from samtale.model import Conversation, Message
from tests.conftest import new_tenant


async def _conversation(rt: Container, state: State) -> tuple[uuid.UUID, uuid.UUID]:
    tenant = await new_tenant(rt.db, rt.clock)
    conv, _token = await rt.conversations.start(tenant.id, "da")
    async with rt.db.transaction() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == conv.id).values(state=state)
        )
    return tenant.id, conv.id


async def _state(rt: Container, conversation_id: uuid.UUID) -> State:
    async with rt.db.session() as session:
        value = await session.scalar(
            select(Conversation.state).where(Conversation.id == conversation_id)
        )
    assert value is not None
    return State(value)


@pytest.mark.parametrize("name", list(Transitions))
async def test_each_transition_moves_only_from_its_sources(
    make_runtime: Any, database_url: str, name: Transitions
) -> None:
    rt: Container = await make_runtime(database_url)
    step = TRANSITIONS[name]
    for source in State:
        tenant_id, cid = await _conversation(rt, source)
        async with rt.db.transaction() as session:
            moved = await transition(session, tenant_id, cid, name)
        assert moved == (source in step.sources), (name, source)
        assert await _state(rt, cid) == (step.target if moved else source)


async def test_a_transition_needs_the_conversation_of_that_tenant(
    make_runtime: Any, database_url: str
) -> None:
    rt: Container = await make_runtime(database_url)
    _tenant_id, cid = await _conversation(rt, State.QUEUED)
    other = await new_tenant(rt.db, rt.clock)
    async with rt.db.transaction() as session:
        assert not await transition(session, other.id, cid, Transitions.CLAIM)
    assert await _state(rt, cid) == State.QUEUED


def test_the_machine_knows_every_change_the_services_make() -> None:
    assert transition_for("bot", "queued") == TRANSITIONS[Transitions.HANDOFF]
    assert transition_for("closed", "bot") == TRANSITIONS[Transitions.BOT_AGAIN]
    assert transition_for("bot", "live") is None  # nobody skips the queue
    assert transition_for("closed", "live") is None


async def test_a_state_outside_the_enum_is_refused_by_the_database(
    make_runtime: Any, database_url: str
) -> None:
    rt: Container = await make_runtime(database_url)
    _tenant_id, cid = await _conversation(rt, State.BOT)
    with pytest.raises((IntegrityError, StatementError, LookupError)):
        async with rt.db.transaction() as session:
            await session.execute(
                update(Conversation).where(Conversation.id == cid).values(state="archived")
            )
    assert await _state(rt, cid) == State.BOT


async def test_a_turn_asking_for_a_change_the_machine_lacks_changes_nothing(
    make_runtime: Any, database_url: str
) -> None:
    rt: Container = await make_runtime(database_url)
    tenant_id, cid = await _conversation(rt, State.BOT)
    turn = await rt.conversations.post_visitor_message(tenant_id, cid, "state:live")
    assert turn.conversation.state == State.BOT
    assert await _state(rt, cid) == State.BOT
    turn = await rt.conversations.post_visitor_message(tenant_id, cid, "state:queued")
    assert await _state(rt, cid) == State.QUEUED


class CountingResponder:
    """Counts turns in the dialogue state. The first turn on each instance waits at `barrier`
    until the other instance's first turn has read the conversation too, so both start from
    the same dialogue state."""

    def __init__(self, barrier: asyncio.Barrier) -> None:
        self.barrier = barrier
        self.calls = 0

    async def respond(
        self, conversation: ConversationContext, message: IncomingMessage
    ) -> list[Reply]:
        self.calls += 1
        turns = int(conversation.bot_state.get("turns", 0)) + 1
        if self.calls == 1:
            await asyncio.wait_for(self.barrier.wait(), 10)
        conversation.bot_state["turns"] = turns
        return [Reply(f"turn {turns}")]


async def test_two_instances_answering_one_conversation_keep_both_turns(
    make_runtime: Any, database_url: str
) -> None:
    barrier = asyncio.Barrier(2)
    one, two = CountingResponder(barrier), CountingResponder(barrier)
    first: Container = await make_runtime(database_url, responder=one)
    second: Container = await make_runtime(database_url, responder=two)
    tenant = await new_tenant(first.db, first.clock)
    conv, _token = await first.conversations.start(tenant.id, "da")

    turns = await asyncio.gather(
        first.conversations.post_visitor_message(tenant.id, conv.id, "hello", client_id="a"),
        second.conversations.post_visitor_message(tenant.id, conv.id, "hi", client_id="b"),
    )

    async with first.db.session() as session:
        stored = await session.get(Conversation, conv.id)
        assert stored is not None
        replies = (
            await session.scalars(
                select(Message.text)
                .where(Message.conversation_id == conv.id, Message.author == "bot")
                .order_by(Message.seq)
            )
        ).all()
    # Both turns counted: the second writer ran its turn again on the first one's state.
    assert stored.bot_state["turns"] == 2
    assert stored.bot_state_version == 2
    assert sorted(replies) == ["turn 1", "turn 2"]
    assert one.calls + two.calls == 3  # one of the two turns ran twice
    assert {t.conversation.version for t in turns} == {1, 2}
