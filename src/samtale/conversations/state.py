"""The conversation's state machine: its states, every transition between them, and the one
way to make a transition happen.

```
          ask for a person                 an agent takes it
   bot ───────────────────────► queued ───────────────────────► live
    ▲ ◄─────────────────────────  │  ◄───────────────────────── │
    │      leave the queue        │   the agent's connection    │ the agent closes
    │                             │   is gone (requeue)         ▼
    └──────────────────────── closed ◄───────────────────────────┘
       the customer writes again   │
                                   └──► queued (ask for a person again)
```

Why one module: several services change a conversation's state (the turn, the customer's side
of the handoff, the agents' side, the sweep), on several instances at once. Each change is one
conditional `UPDATE … SET state = target WHERE state IN (sources)`, so of two racing changes
exactly one happens and the other learns it lost (`transition` returns False); nothing reads a
state and writes another one later. A change that is not in `TRANSITIONS` cannot be asked for.

The bot's dialogue state (`bot_state`) is guarded the same way, by a version number: a turn
writes it only if nobody wrote it since the turn read it (`BotStateConflict` otherwise, and the
conversation service runs the turn again on what is now there), so two instances handling one
conversation never lose each other's update.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.kernel.errors import Conflict
from samtale.model.conversation import Conversation, State

__all__ = [
    "TRANSITIONS",
    "BotStateConflict",
    "State",
    "Transition",
    "Transitions",
    "transition",
    "transition_for",
]


class Transitions(StrEnum):
    HANDOFF = "handoff"  # the customer asks for a person
    LEAVE_QUEUE = "leave_queue"  # the customer stops waiting
    CLAIM = "claim"  # an agent takes the chat
    CLOSE = "close"  # the agent closes the chat
    REQUEUE = "requeue"  # the agent's connection is gone: back to the front of the queue
    BOT_AGAIN = "bot_again"  # after a closed chat, the customer writes and the bot answers


@dataclass(frozen=True)
class Transition:
    name: Transitions
    sources: frozenset[State]
    target: State


TRANSITIONS: dict[Transitions, Transition] = {
    t.name: t
    for t in (
        Transition(Transitions.HANDOFF, frozenset({State.BOT, State.CLOSED}), State.QUEUED),
        Transition(Transitions.LEAVE_QUEUE, frozenset({State.QUEUED}), State.BOT),
        Transition(Transitions.CLAIM, frozenset({State.QUEUED}), State.LIVE),
        Transition(Transitions.CLOSE, frozenset({State.LIVE}), State.CLOSED),
        Transition(Transitions.REQUEUE, frozenset({State.LIVE}), State.QUEUED),
        Transition(Transitions.BOT_AGAIN, frozenset({State.CLOSED}), State.BOT),
    )
}


class BotStateConflict(Conflict):
    """Another writer changed the conversation since this turn read it."""

    code = "conversation_changed"


def transition_for(source: State | str, target: State | str) -> Transition | None:
    """The transition from `source` to `target`, if the machine has one."""
    for t in TRANSITIONS.values():
        if State(source) in t.sources and t.target == State(target):
            return t
    return None


async def transition(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    name: Transitions,
    **values: Any,
) -> bool:
    """Make the transition in the caller's transaction, with any other `values` of the
    conversation set in the same statement. False when the conversation is not in one of the
    transition's source states (another change came first) or does not exist."""
    t = TRANSITIONS[name]
    result = await session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.tenant_id == tenant_id,
            Conversation.state.in_(list(t.sources)),
        )
        .values(state=t.target, **values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]
