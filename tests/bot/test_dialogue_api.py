"""The demo bot through the visitor API: flows (slot filling, validation, re-prompts, cancel,
topic switch, resume after a reload), the fallback policy, and typical questions in all five
languages. (Slow the first time: trains the demo bot; the model is kept in pytest's cache.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from samtale.app.container import Container
from samtale.bot.content import load_content
from samtale.bot.dialogue import sentence
from samtale.demo.content_dir import DEMO_CONTENT_DIR
from samtale.web.app import create_app

pytestmark = pytest.mark.slow
CONTENT = load_content(DEMO_CONTENT_DIR)


def answers(intent: str, lang: str) -> list[str]:
    found = CONTENT.intent(intent)
    assert found is not None
    return [a.strip() for a in found.answers[lang]]  # type: ignore[index]


def content_examples(intent: str, lang: str) -> list[str]:
    found = CONTENT.intent(intent)
    assert found is not None
    return list(found.examples[lang])  # type: ignore[index]


def message(key: str, lang: str) -> str:
    return CONTENT.messages[key][lang].strip()  # type: ignore[index]


def prompt(flow: str, slot: str, lang: str, kind: str = "prompt") -> str:
    f = CONTENT.flow(flow)
    assert f is not None
    s = next(s for s in f.slots if s.name == slot)
    return getattr(s, kind)[lang].strip()


@pytest.fixture
async def bot_api(
    make_bot_runtime, database_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    rt = await make_bot_runtime(database_url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(rt, manage_runtime=False)),
        base_url="http://t",
        timeout=60,
    ) as c:
        yield c, rt


class Chat:
    def __init__(self, client: httpx.AsyncClient, conv: dict[str, Any]) -> None:
        self.client = client
        self.id = conv["conversation_id"]
        self.headers = {"authorization": f"Bearer {conv['token']}"}

    @classmethod
    async def start(cls, client: httpx.AsyncClient, language: str = "da") -> Chat:
        r = await client.post("/api/v1/widget/demo/conversations", json={"language": language})
        assert r.status_code == 201
        return cls(client, r.json())

    async def say(self, text: str, intent: str | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"text": text}
        if intent:
            body["intent"] = intent
        r = await self.client.post(
            f"/api/v1/conversations/{self.id}/messages", json=body, headers=self.headers
        )
        assert r.status_code == 201, r.text
        return r.json()["replies"]  # type: ignore[no-any-return]

    async def text(self, text: str) -> str:
        replies = await self.say(text)
        return "\n".join(r["text"].strip() for r in replies)


async def test_track_order_flow_with_validation_reprompt_and_cancel(bot_api) -> None:
    client, _rt = bot_api
    chat = await Chat.start(client)
    assert await chat.text("hvor er min pakke") == prompt("track_order", "order_number", "da")
    # Not an order number: the slot's re-prompt.
    assert await chat.text("det kan jeg ikke huske") == prompt(
        "track_order", "order_number", "da", "reprompt"
    )
    assert await chat.text("104000001") == prompt("track_order", "email", "da")
    assert await chat.text("ikke en mail") == prompt("track_order", "email", "da", "reprompt")
    assert await chat.text("stop") == message("flow_cancelled", "da")
    # After the cancel, the bot is out of the flow: an e-mail now is not taken as the slot.
    assert await chat.text("hvor er min pakke") == prompt("track_order", "order_number", "da")


async def test_a_message_carrying_the_order_number_skips_its_question(bot_api) -> None:
    client, _rt = bot_api
    chat = await Chat.start(client)
    assert await chat.text("hvor er min pakke? ordre 104000001") == prompt(
        "track_order", "email", "da"
    )


async def test_too_many_reprompts_end_the_flow_and_offer_a_person(bot_api) -> None:
    client, _rt = bot_api
    chat = await Chat.start(client)
    await chat.say("hvor er min pakke")
    flow = CONTENT.flow("track_order")
    assert flow is not None
    for _ in range(flow.max_reprompts):
        assert await chat.text("aner det ikke") == prompt(
            "track_order", "order_number", "da", "reprompt"
        )
    replies = await chat.say("aner det ikke")
    assert replies[0]["text"].strip() == message("flow_too_many_attempts", "da")
    assert any(b.get("intent") == "talk_to_person" for b in replies[0]["payload"]["buttons"])


async def test_topic_switch_mid_flow(bot_api) -> None:
    client, _rt = bot_api
    chat = await Chat.start(client)
    await chat.say("hvor er min pakke")
    switched = await chat.text("hvordan returnerer jeg en vare?")
    assert switched in answers("return_how", "da")
    # The flow is over: an order number now starts tracking afresh rather than filling a slot.
    assert await chat.text("104000001") == prompt("track_order", "email", "da")


async def test_a_turn_predicts_once_and_off_the_event_loop(bot_api, monkeypatch) -> None:
    """Embedding a new message takes tens of milliseconds: it runs in a worker thread (the
    event loop serves other requests meanwhile), and a topic switch mid-flow reuses the
    prediction the flow made instead of embedding the message twice."""
    import threading

    from sqlalchemy import select

    from samtale.model import Tenant

    client, rt = bot_api
    async with rt.db.session() as session:
        tenant_id = (await session.execute(select(Tenant.id).where(Tenant.slug == "demo"))).scalar()
    bot = rt.responders.bot(tenant_id)
    classifier = bot.classifier
    threads: list[str] = []
    real_predict = classifier.predict

    def recording_predict(text: str):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real_predict(text)

    monkeypatch.setattr(classifier, "predict", recording_predict)
    chat = await Chat.start(client)
    await chat.say("hvor er min pakke")
    threads.clear()
    assert await chat.text("hvordan returnerer jeg en vare?") in answers("return_how", "da")
    assert len(threads) == 1
    assert threads[0] != threading.main_thread().name


async def test_the_flow_resumes_after_a_page_reload(bot_api) -> None:
    client, _rt = bot_api
    chat = await Chat.start(client)
    await chat.say("hvor er min pakke")
    # A reload: the widget reads the history with the stored token, then goes on.
    r = await client.get(f"/api/v1/conversations/{chat.id}/messages", headers=chat.headers)
    assert [m["author"] for m in r.json()["messages"]] == ["visitor", "bot"]
    again = Chat(
        client, {"conversation_id": chat.id, "token": chat.headers["authorization"].split()[1]}
    )
    assert await again.text("104000001") == prompt("track_order", "email", "da")


async def test_fallback_then_the_offer_of_a_person(bot_api) -> None:
    client, _rt = bot_api
    chat = await Chat.start(client)
    first = await chat.say("qwrt zxcv plmk")
    assert first[0]["text"].strip() == message("fallback_rephrase", "da")
    buttons = first[0]["payload"]["buttons"]
    assert (
        buttons[-1]["intent"] == "talk_to_person" and len(buttons) >= 2
    )  # suggestions, then a person
    for button in buttons[:-1]:  # a suggestion reads as the intent's first example, a sentence
        first_example = content_examples(button["intent"], "da")[0]
        assert button["label"] == sentence(first_example[:80], "da")
    second = await chat.say("vbnm hjkl uiop")
    assert second[0]["text"].strip() == message("fallback_offer_person", "da")
    assert [b["intent"] for b in second[0]["payload"]["buttons"]] == ["talk_to_person"]
    # An understood message in between resets the count.
    await chat.say("qwrt zxcv plmk")
    await chat.say("tak for hjælpen")
    third = await chat.say("vbnm hjkl uiop")
    assert third[0]["text"].strip() == message("fallback_rephrase", "da")


@pytest.mark.parametrize(
    ("language", "question", "intent"),
    [
        ("da", "hvordan returnerer jeg noget", "return_how"),
        ("da", "hvor lang tid har jeg til at sende tilbage", "return_deadline"),
        ("sv", "hur returnerar jag en vara", "return_how"),
        ("sv", "vad kostar det att returnera", "return_cost"),
        ("nb", "hvordan returnerer jeg en vare", "return_how"),
        ("nb", "når får jeg pengene tilbake", "refund"),
        ("fi", "miten palautan tuotteen", "return_how"),
        ("fi", "milloin saan rahani takaisin", "refund"),
        ("en", "how do I return something", "return_how"),
        ("en", "when will I get my refund", "refund"),
    ],
)
async def test_typical_questions_in_five_languages(
    bot_api, language: str, question: str, intent: str
) -> None:
    client, _rt = bot_api
    chat = await Chat.start(client, language)
    assert await chat.text(question) in answers(intent, language)


@pytest.mark.parametrize("language", ["da", "sv", "nb", "fi", "en"])
async def test_privacy_questions_name_the_gear_and_the_retention(bot_api, language: str) -> None:
    client, _rt = bot_api
    chat = await Chat.start(client, language)
    questions = {
        "da": "hvordan sletter jeg samtalen",
        "sv": "hur raderar jag konversationen",
        "nb": "hvordan sletter jeg samtalen",
        "fi": "miten poistan keskustelun",
        "en": "how do I delete this conversation",
    }
    assert await chat.text(questions[language]) in answers("privacy_delete", language)


async def test_payment_methods_answer_for_the_conversations_country_and_offer_the_others(
    bot_api,
) -> None:
    client, _rt = bot_api
    chat = await Chat.start(client, "sv")
    replies = await chat.say("vilka betalsätt har ni")
    text = replies[0]["text"]
    assert "Swish" in text and "MobilePay" not in text
    labels = [b["label"] for r in replies for b in (r.get("payload") or {}).get("buttons", [])]
    assert {"Danmark", "Norge", "Finland"} <= set(labels)


async def test_answer_variants_are_reproducible(bot_api) -> None:
    client, _rt = bot_api
    texts = []
    for _ in range(2):
        chat = await Chat.start(client)
        texts.append(await chat.text("hej"))
    assert all(t in answers("greeting", "da") for t in texts)


async def test_privacy_answers_name_the_shops_own_retention(bot_api) -> None:
    import dataclasses
    import uuid

    from samtale.bot.dialogue import Bot
    from samtale.conversations.responder import ConversationContext, IncomingMessage

    _client, rt = bot_api
    registry: Any = rt.responders
    demo = next(b for b in registry._bots.values() if b.profile.name.startswith("Nordhjem"))
    shorter = Bot(
        demo.content,
        demo.classifier,
        dataclasses.replace(demo.profile, retention_bot_days=30),
        demo.actions,
        demo.handoff,
    )
    conv = ConversationContext(
        uuid.uuid4(), demo.profile.tenant_id, "en", "bot", False, {}, rt.clock.now()
    )
    replies = await shorter.respond(
        conv, IncomingMessage(uuid.uuid4(), "what do you do with my data", rt.clock.now())
    )
    assert "30 days" in replies[0].text and "90 days" not in replies[0].text
