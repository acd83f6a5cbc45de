"""Insights fixtures: a runtime on a manual clock with two shops, their admins, and clients
logged in as each; a responder that annotates turns the way the bot does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from samtale.conversations.responder import ConversationContext, IncomingMessage, Reply
from samtale.kernel.clock import ManualClock
from tests.admin.conftest import AdminEnv
from tests.conftest import new_tenant

# A Monday morning in Copenhagen (08:00 UTC = 09:00 local in winter).
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class AnnotatingResponder:
    """Answers like the bot and annotates like it: `intent:NAME` is understood with high
    confidence, `low:NAME` with low confidence, anything else is a fallback."""

    async def respond(
        self, conversation: ConversationContext, message: IncomingMessage
    ) -> list[Reply]:
        text = message.text
        intent, band, conf, outcome = None, None, 0.0, "fallback"
        for word in text.split():
            if word.startswith("intent:"):
                intent, band, conf, outcome = word[7:], "high", 0.93, "answered"
            elif word.startswith("low:"):
                intent, band, conf, outcome = word[4:], "low", 0.31, "answered"
        notes = conversation.notes
        notes.intent, notes.confidence, notes.confidence_band = intent, conf, band
        notes.outcome, notes.language = outcome, conversation.language
        return [Reply(f"answer about {intent or 'nothing'}")]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def env(make_runtime: Any, database_url: str, clock: ManualClock) -> AsyncIterator[AdminEnv]:
    from samtale.web.app import create_app

    rt = await make_runtime(database_url, clock=clock, responder=AnnotatingResponder())
    shop = await new_tenant(rt.db, clock, languages=["da", "en"])
    other = await new_tenant(rt.db, clock, languages=["da", "en"])
    e = AdminEnv(rt, clock, create_app(rt, manage_runtime=False), shop, other)
    await e.add_user("admin", shop, "admin")
    await e.add_user("agent", shop, "agent")
    await e.add_user("other-admin", other, "admin")
    await e.add_user("operator", None, "operator")
    yield e
    for client in e.clients:
        await client.aclose()
