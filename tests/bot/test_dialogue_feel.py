"""The demo bot through the visitor API, conversations that must feel right in five languages: the language follows
the customer from the first clear message (and the handoff and the country's answers with it),
dissatisfied customers get an apology and the offer of a person, short answers are read against
the bot's last question, "how are you" is small talk, a phone number given is not a question
about phone support, and one payment method gets yes or no first. (Slow the first time: trains
the demo bot.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from samtale.app.container import Container
from samtale.kernel.i18n import catalogue
from samtale.web.app import create_app

pytestmark = pytest.mark.slow

HANDOFF_TYPES = {"handoff_form", "offline_form", "queue", "handoff"}
PERSON = {"da": "Tal med en person", "sv": "Prata med en person", "nb": "Snakk med en person",
          "fi": "Juttele ihmisen kanssa", "en": "Talk to a person"}  # fmt: skip


@pytest.fixture
async def client(make_bot_runtime: Any, database_url: str) -> Any:
    rt: Container = await make_bot_runtime(database_url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(rt, manage_runtime=False)),
        base_url="http://t",
        timeout=60,
    ) as c:
        yield c


class Chat:
    def __init__(self, client: httpx.AsyncClient, body: dict[str, Any]) -> None:
        self.client, self.id = client, body["conversation_id"]
        self.headers = {"authorization": f"Bearer {body['token']}"}
        self.language = body["language"]

    @classmethod
    async def start(cls, client: httpx.AsyncClient, page: str) -> Chat:
        r = await client.post("/api/v1/widget/demo/conversations", json={"language": page})
        assert r.status_code == 201
        return cls(client, r.json())

    async def say(self, text: str) -> list[dict[str, Any]]:
        r = await self.client.post(
            f"/api/v1/conversations/{self.id}/messages", json={"text": text}, headers=self.headers
        )
        assert r.status_code == 201, r.text
        body = r.json()
        self.language = body["language"]
        replies: list[dict[str, Any]] = body["replies"]
        return replies


def _text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] for r in replies)


def _labels(replies: list[dict[str, Any]]) -> list[str]:
    return [b["label"] for r in replies for b in (r.get("payload") or {}).get("buttons", [])]


def _handoff(replies: list[dict[str, Any]]) -> bool:
    return any((r.get("payload") or {}).get("type") in HANDOFF_TYPES for r in replies)


async def test_an_english_customer_on_the_danish_page(client: httpx.AsyncClient) -> None:
    chat = await Chat.start(client, "da")
    replies = await chat.say("hello")
    assert chat.language == "en" and not {"Hej", "Hvad"} & set(_text(replies).split())
    replies = await chat.say("I want to talk to a human")
    assert chat.language == "en" and _handoff(replies)
    # The handoff (pre-chat or offline form) speaks English too.
    assert all("ingen fra kundeservice" not in r["text"] for r in replies)


async def test_short_messages_keep_the_conversations_language(client: httpx.AsyncClient) -> None:
    chat = await Chat.start(client, "da")
    await chat.say("hvor lang returret har I")
    for word in ("ok", "thanks", "hello"):
        await chat.say(word)
        assert chat.language == "da", word


@pytest.mark.parametrize(
    ("page", "text", "answer"),
    [
        ("nb", "Kan jeg betale med Vipps?", "Ja. I Norge kan du betale med Vipps."),
        ("da", "kan jeg betale med paypal?", "Nej, vi tager desværre ikke imod PayPal."),
        ("en", "can I pay with Klarna?", "No, sorry, we don't accept Klarna."),
        ("sv", "kan jag betala med swish?", "Ja. I Sverige kan du betala med Swish."),
    ],
)
async def test_one_payment_method_gets_yes_or_no_first(
    client: httpx.AsyncClient, page: str, text: str, answer: str
) -> None:
    chat = await Chat.start(client, page)
    replies = await chat.say(text)
    assert replies[0]["text"].startswith(answer)
    assert "Dankort" not in replies[0]["text"] or page in ("da", "en")  # en: the shop's country


@pytest.mark.parametrize(
    ("page", "text", "yes"),
    [
        ("da", "jeg er virkelig skuffet over jeres service", "ja"),
        ("sv", "jag är så besviken på er, usel service", "ja tack"),
        ("nb", "jeg er skikkelig sint på dere", "ja takk"),
        ("fi", "olen todella pettynyt teihin", "kyllä"),
        ("en", "this is unacceptable, you are useless", "yes please"),
    ],
)
async def test_a_complaint_gets_an_apology_and_a_person(
    client: httpx.AsyncClient, page: str, text: str, yes: str
) -> None:
    chat = await Chat.start(client, page)
    replies = await chat.say(text)
    assert PERSON[page] in _labels(replies)
    assert "reklamation" not in _text(replies)
    assert _handoff(await chat.say(yes))


async def test_no_to_the_offer_and_ok_are_not_thanks(client: httpx.AsyncClient) -> None:
    anything_else = catalogue("system").text("anything_else", "da")
    chat = await Chat.start(client, "da")
    await chat.say("det er simpelthen for dårligt, jeg er så utilfreds")
    replies = await chat.say("nej tak")
    assert not _handoff(replies) and _text(replies) == anything_else
    assert _text(await chat.say("ok")) == anything_else
    # Without a question, "ja" is no yes to anything.
    assert not _handoff(await chat.say("ja"))


async def test_how_are_you_is_small_talk(client: httpx.AsyncClient) -> None:
    for page, text, start in [
        ("da", "hvordan går det?", "Tak, jeg har det godt"),
        ("en", "how are you?", "I'm fine"),
        ("fi", "mitä kuuluu?", "Kiitos, hyvin menee"),
    ]:
        chat = await Chat.start(client, page)
        assert _text(await chat.say(text)).startswith(start)


async def test_a_phone_number_given_is_not_a_question_about_phone_support(
    client: httpx.AsyncClient,
) -> None:
    chat = await Chat.start(client, "en")
    replies = await chat.say("My phone number is 20 30 40 50")
    assert "phone support" not in _text(replies)
    assert PERSON["en"] in _labels(replies)
    assert _handoff(await chat.say("yes"))


async def test_tracking_still_works_after_a_complaint(client: httpx.AsyncClient) -> None:
    from samtale.cli.shop import demo_orders

    order = demo_orders()[0]
    chat = await Chat.start(client, "da")
    await chat.say("I er nogle amatører")
    await chat.say("hvor er min pakke")
    await chat.say(order["order_number"])
    replies = await chat.say(order["email"])
    assert any((r.get("payload") or {}).get("type") == "tracking" for r in replies)
