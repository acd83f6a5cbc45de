"""The improvement loop end to end, with the real classifier: customers ask about something the
bot was never taught; the questions land in the review inbox (redacted); the admin creates the
intent and confirms the others; publishing retrains the bot, evaluates the new version (with the
reviewed examples scored on their own), and afterwards a *paraphrase* — none of the reviewed
texts — is understood. Nothing looks texts up: the classifier learnt."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from samtale.app.container import Container
from samtale.bot.drafts import Drafts
from samtale.bot.registry import BotRegistry
from samtale.conversations.responder import ConversationContext, IncomingMessage
from samtale.infra.database import Database
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from samtale.web.app import create_app
from tests.admin.conftest import AdminEnv
from tests.admin.small_bot import small_bot
from tests.conftest import new_tenant, start_conversation
from tests.insights.conftest import START

QUESTIONS = [
    "how do I return a jacket that doesn't fit",
    "can I send my order back and get a refund",
    "I want to return the shoes I bought last week",
    "what do I do to send an item back to you",
]
PARAPHRASE = "is it possible to hand back a product I purchased"


@pytest.fixture
async def bot_env(make_runtime: Any, database_url: str, bot_data_dir: Path) -> Any:
    clock = ManualClock(START)
    db = Database(database_url)
    registry = BotRegistry(db, bot_data_dir / "models", fast_start=False)
    rt: Container = await make_runtime(
        database_url, clock=clock, registry=registry, db=db, folder=bot_data_dir
    )
    await registry.refresh()
    shop = await new_tenant(rt.db, clock, languages=["da", "en"])
    other = await new_tenant(rt.db, clock, languages=["da", "en"])
    async with rt.db.transaction() as session:
        row = await session.get(Tenant, shop.id)
        assert row is not None
        row.settings = {"insights": {"sample_share": 1.0}}
        await Drafts(session, shop, clock).save_draft(small_bot())
    env = AdminEnv(rt, clock, create_app(rt, manage_runtime=False), shop, other)
    await env.add_user("admin", shop, "admin")
    admin = rt.admin
    async with rt.db.session() as session:
        version = (await Drafts(session, shop, clock).working()).version
    assert version is not None
    await admin.publisher.start(shop.id, version)
    await admin.publisher.wait()
    yield env
    for client in env.clients:
        await client.aclose()


async def classify(rt: Container, tenant: Tenant, text: str) -> str | None:
    bot = rt.responders.for_tenant(tenant.id)
    conv = ConversationContext(uuid.uuid4(), tenant.id, "en", "bot", False, {}, rt.clock.now())
    await bot.respond(conv, IncomingMessage(uuid.uuid4(), text, rt.clock.now()))
    intent = conv.notes.intent
    return str(intent) if intent else None


async def test_review_then_retrain_understands_a_paraphrase(bot_env: AdminEnv) -> None:
    env = bot_env
    rt, shop = env.runtime, env.shop
    assert await classify(rt, shop, PARAPHRASE) != "returns"  # not taught yet

    api = env.anonymous()
    conv = await start_conversation(api, shop.widget_key, language="en")
    for text in [*QUESTIONS, "when are you open on saturday"]:
        r = await api.post(
            f"/api/v1/conversations/{conv['conversation_id']}/messages",
            json={"text": text},
            headers=conv["headers"],
        )
        assert r.status_code == 201
    admin = await env.login("admin")
    items = (await admin.get("/api/v1/admin/review", params={"language": "en"})).json()["items"]
    by_text = {i["text"]: i for i in items}
    assert set(QUESTIONS) <= set(by_text), sorted(by_text)

    # The first becomes the new intent, the others are confirmed as it.
    first = by_text[QUESTIONS[0]]
    r = await admin.post(
        f"/api/v1/admin/review/{first['id']}/intent",
        json={
            "name": "returns",
            "answers": {
                "da": "Du kan returnere inden for 30 dage.",
                "en": "You can return items within 30 days.",
            },
        },
    )
    assert r.status_code == 201, r.text
    for text in QUESTIONS[1:]:
        r = await admin.post(
            f"/api/v1/admin/review/{by_text[text]['id']}/confirm", json={"intent": "returns"}
        )
        assert r.status_code == 200, r.text
    # The opening-hours question was understood: confirming the guess adds an example.
    hours = by_text["when are you open on saturday"]
    assert hours["intent"] == "opening_hours"
    r = await admin.post(f"/api/v1/admin/review/{hours['id']}/confirm", json={})
    assert r.status_code == 200

    # The live bot has not changed: the reviews went into the draft.
    assert await classify(rt, shop, PARAPHRASE) != "returns"

    # Publish from the inbox: training runs in the background.
    env.clock.advance(minutes=5)
    r = await admin.post("/admin/review/publish", data={"csrf": admin.headers["x-csrf-token"]})
    assert r.status_code == 303 and "done=published" in r.headers["location"]
    publisher = rt.admin.publisher
    await publisher.wait()
    async with rt.db.session() as session:
        job = await publisher.latest(session, shop.id)
    assert job is not None and job.status == "succeeded", job.error if job else None
    assert job.evaluation and job.evaluation["rows"] == 25
    assert job.evaluation["subsets"]["reviewed"]["rows"] == 5
    assert "returns" in job.evaluation["intents"]

    # A paraphrase that is none of the reviewed texts is now understood.
    assert PARAPHRASE not in QUESTIONS
    assert await classify(rt, shop, PARAPHRASE) == "returns"
    assert await classify(rt, shop, "do you sell gift cards") == "gift_cards"

    # The evaluation history shows both versions and the reviewed accuracy.
    history = (await admin.get("/api/v1/admin/evaluation")).json()
    assert [v["version"] for v in history["versions"]] == [1, 2]
    latest = history["versions"][-1]
    assert latest["reviewed"]["rows"] == 5 and 0.0 <= latest["reviewed"]["accuracy"] <= 1.0
    assert history["reviewed_total"] == 5 and history["reviewed_right"] == 1
    page = await admin.get("/admin/evaluation", headers={"accept-language": "en"})
    assert page.status_code == 200 and "v2" in page.text and "Trend across versions" in page.text
