"""A new shop's bot works from its first minute: the starter content is published when the shop
is created (the command and the operator's page), and answers greetings, thanks, what it can do,
order tracking, complaints and requests for a person in all five languages. A shop that has no
content at all still answers with the starter content, never "not set up"."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from samtale.bot.drafts import STARTER_INTENTS, publish_starter, starter_content
from samtale.bot.registry import BotRegistry
from samtale.bot.store import ContentVersions
from samtale.conversations.responder import ConversationContext, IncomingMessage, Reply
from samtale.kernel.clock import ManualClock
from samtale.kernel.i18n import catalogue
from samtale.kernel.languages import LANGUAGES
from samtale.tenants.service import TenantCreate, create_tenant

GREETINGS = {"da": "hej med dig", "sv": "hejsan", "nb": "heisann", "fi": "moikka", "en": "hello"}
PERSON = {
    "da": "jeg vil gerne tale med et menneske",
    "sv": "jag vill prata med en människa",
    "nb": "jeg vil snakke med et menneske",
    "fi": "haluan puhua ihmisen kanssa",
    "en": "i want to talk to a real person",
}
THANKS = {"da": "mange tak", "sv": "tack så mycket", "nb": "tusen takk", "fi": "kiitos paljon",
          "en": "thank you so much"}  # fmt: skip
TRACK = {"da": "hvor er min pakke", "sv": "var är mitt paket", "nb": "hvor er pakken min",
         "fi": "missä pakettini on", "en": "where is my parcel"}  # fmt: skip


async def _say(bot: Any, tenant_id: uuid.UUID, text: str, language: str) -> tuple[Reply, Any]:
    conv = ConversationContext(
        uuid.uuid4(), tenant_id, language, "bot", False, {}, ManualClock().now()
    )
    replies = await bot.respond(conv, IncomingMessage(uuid.uuid4(), text, conv.created_at))
    return replies[0], conv.notes


def test_the_starter_content_has_every_intent_in_every_language() -> None:
    content = starter_content(list(LANGUAGES), "da")
    assert {i.name for i in content.intents} == set(STARTER_INTENTS)
    for intent in content.intents:
        assert set(intent.examples) == set(LANGUAGES), intent.name
        assert set(intent.answers) == set(LANGUAGES), intent.name
    assert content.intent("track_order").flow == "track_order"  # type: ignore[union-attr]
    assert content.flow("track_order").action == "track_order"  # type: ignore[union-attr]
    for key in ("fallback_rephrase", "fallback_offer_person", "knowledge_unknown", "person_button"):
        assert set(content.messages[key]) == set(LANGUAGES), key


@pytest.mark.slow
async def test_a_new_tenant_answers_greetings_and_requests_for_a_person(
    make_runtime, database_url: str, bot_data_dir: Path
) -> None:
    rt = await make_runtime(database_url)
    clock = ManualClock()
    async with rt.db.transaction() as session:
        tenant = await create_tenant(
            session, TenantCreate(name="Ny butik", slug=f"ny-{uuid.uuid4().hex[:8]}"), clock
        )
        published = await publish_starter(session, tenant, clock)
        assert published is not None and published.source == "starter"
        assert await publish_starter(session, tenant, clock) is None  # only once
    async with rt.db.session() as session:
        live = await ContentVersions(session, tenant.id).published()
        assert live is not None and live.id == published.id

    registry = BotRegistry(rt.db, bot_data_dir / "models", actions=rt.actions, fast_start=False)
    await registry.refresh(tenant.id)
    bot = registry.for_tenant(tenant.id)
    not_set_up = {catalogue("system").text("not_configured", lang) for lang in LANGUAGES}
    for lang in LANGUAGES:
        reply, notes = await _say(bot, tenant.id, GREETINGS[lang], lang)
        assert notes.intent == "greeting", (lang, notes)
        assert reply.text not in not_set_up
        reply, notes = await _say(bot, tenant.id, PERSON[lang], lang)
        assert notes.intent == "talk_to_person" and notes.outcome == "handoff_requested", lang
        reply, notes = await _say(bot, tenant.id, THANKS[lang], lang)
        assert notes.intent == "thanks", (lang, notes)
        reply, notes = await _say(bot, tenant.id, TRACK[lang], lang)
        assert notes.intent == "track_order" and notes.flow_started == "track_order", lang
        reply, notes = await _say(bot, tenant.id, "asdf qwerty zxcv", lang)
        assert notes.outcome in ("fallback", "handoff_offered")
        buttons = (reply.payload or {}).get("buttons", [])
        assert any(b.get("intent") == "talk_to_person" for b in buttons), lang


@pytest.mark.slow
async def test_a_tenant_without_content_answers_with_the_starter_content(
    make_runtime, database_url: str, bot_data_dir: Path
) -> None:
    rt = await make_runtime(database_url)
    async with rt.db.transaction() as session:
        tenant = await create_tenant(
            session,
            TenantCreate(name="Gammel", slug=f"gl-{uuid.uuid4().hex[:8]}", languages=["sv", "en"]),
            ManualClock(),
        )
    registry = BotRegistry(rt.db, bot_data_dir / "models", fast_start=False)
    await registry.refresh(tenant.id)
    reply, notes = await _say(registry.for_tenant(tenant.id), tenant.id, PERSON["sv"], "sv")
    assert notes.outcome == "handoff_requested"
    assert reply.text not in {catalogue("system").text("not_configured", "sv")}


@pytest.mark.slow
async def test_a_tenant_made_while_the_server_runs_answers_at_once(
    make_runtime, database_url: str, bot_data_dir: Path
) -> None:
    rt = await make_runtime(database_url)
    registry = BotRegistry(rt.db, bot_data_dir / "models", refresh_seconds=3600, fast_start=False)
    await registry.start()
    try:
        await registry.wait_ready()
        clock = ManualClock()
        async with rt.db.transaction() as session:  # as `samtale tenant create` does
            tenant = await create_tenant(
                session, TenantCreate(name="Senere", slug=f"s-{uuid.uuid4().hex[:8]}"), clock
            )
            await publish_starter(session, tenant, clock)
        _reply, notes = await _say(registry.for_tenant(tenant.id), tenant.id, PERSON["da"], "da")
        assert notes.outcome == "handoff_requested"
        assert registry.bot(tenant.id) is not None
    finally:
        await registry.close()
