"""Actions: named callables that answer from live data (the shop's systems) instead of fixed text.

An intent or a flow names an action (`track_order`, `track_shipment`, `payment_methods`,
`delivery_options`, `product_search`, …). Feature packages register their actions in an
`ActionRegistry`; the dialogue engine calls them with an `ActionContext` and shows the replies
they return. An action never raises for an expected failure: it returns an outcome
(`not_found`, `unavailable`, `rate_limited`) and the replies that say so politely — the engine
offers a person when `offer_person` is set.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from samtale.conversations.responder import ConversationContext, Reply


@dataclass
class ActionContext:
    tenant_id: uuid.UUID
    conversation_id: uuid.UUID
    language: str
    country: str  # ISO code the conversation most likely means (from its language, else the shop's default)
    text: str  # the customer's message that triggered the action
    slots: dict[str, str] = field(default_factory=dict)  # values a flow collected
    # Who is asking, for rate limits on look-ups (a hash of the client address, never the address).
    client_key: str | None = None
    # What this action left in the conversation's state last time (`ActionResult.context`), so
    # a follow-up ("hvad koster den?") knows what "it" is.
    remembered: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActionResult:
    replies: list[Reply]
    outcome: str = "answered"  # answered | not_found | unavailable | rate_limited | invalid
    offer_person: bool = False
    # Context worth keeping beside the conversation for an agent (e.g. the order the bot found),
    # stored in the dialogue state; never copied into statistics.
    context: dict[str, Any] = field(default_factory=dict)


Action = Callable[[ActionContext], Awaitable[ActionResult]]


class FollowsUp(Protocol):
    """An action that can tell a follow-up to its last answer: "hvad koster den?", "do you have
    it in M?" after product cards. The dialogue engine asks it before the classifier, with what
    the action remembered, and gives it the message when it says yes."""

    def follows_up(self, text: str, language: str, remembered: dict[str, Any]) -> bool: ...


class ClaimsMessage(Protocol):
    """An action that recognises messages for its intent by the shop's own data: "har I Plaid
    Rauma?" names a product of the catalogue though no training example says so. The dialogue
    engine asks it about a message the classifier does not place."""

    async def claims(self, ctx: ActionContext) -> bool: ...


class HandoffOffer(Protocol):
    """What the bot answers when a customer asks for a person (the handoff's pre-chat form,
    or when nobody is there the offline-message form); given to the bot by the composition
    root. Without one, the bot acknowledges the request in words."""

    async def __call__(self, conv: ConversationContext, bot: Any = None) -> list[Reply]: ...


class ActionRegistry:
    def __init__(self) -> None:
        self._actions: dict[str, Action] = {}

    def register(self, name: str, action: Action) -> None:
        self._actions[name] = action

    def get(self, name: str) -> Action | None:
        return self._actions.get(name)

    def names(self) -> list[str]:
        return sorted(self._actions)
