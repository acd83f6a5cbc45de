"""What a turn records beside its messages: `TurnNotes`, the typed contract between the
responder that writes them (the bot), the conversation service (which adds the client's key for
the shop's look-up limits) and the turn hooks that read them (statistics, the improvement
sample). Notes never hold message text; they go nowhere but to those hooks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class TurnNotes:
    intent: str | None = None  # the intent the bot chose, if any
    confidence: float = 0.0  # the classifier's probability for it
    confidence_band: str | None = None  # high | medium | low
    # answered | fallback | flow_started | flow_completed | flow_abandoned | handoff | error | …
    outcome: str | None = None
    language: str | None = None  # the language the bot answered in
    flow: str | None = None  # the flow this turn was part of
    flow_started: str | None = None  # a flow that started on this turn
    abandoned_flow: str | None = None  # a flow the customer left on this turn
    knowledge_url: str | None = None  # the shop's page an answer from knowledge quoted
    # A keyed hash of the client's address (for per-client limits on order look-ups); set by
    # the conversation service, never stored.
    client_key: str | None = None

    def shown(self) -> dict[str, Any]:
        """The notes that are set, for a person looking at the bot (the try-it chat)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "") and k != "client_key"}
