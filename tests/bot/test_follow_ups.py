"""The dialogue engine and actions that remember: a follow-up ("what does it cost?") goes to the
action that answered a few turns ago, with what it remembered; an action recognises a message
the classifier does not place (a product's name); an intent with the shop's own text never
calls its action."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from samtale.bot.actions import ActionContext, ActionRegistry, ActionResult
from samtale.bot.content import Content
from samtale.bot.dialogue import FOLLOW_UP_TURNS, Bot
from samtale.bot.profile import ShopProfile
from samtale.conversations.responder import ConversationContext, IncomingMessage, Reply
from samtale.kernel.clock import ManualClock

PROFILE = ShopProfile(uuid.uuid4(), "Shop", ("en",), "en", "GB", "Europe/London", 90, None)
CONTENT = Content.model_validate(
    {
        "languages": ["en"],
        "default_language": "en",
        "intents": [
            {"name": "products", "action": "find", "answers": {"en": ["What are you after?"]}},
            {"name": "delivery", "answers": {"en": ["Delivery costs 5 €."]}},
            {"name": "payment", "action": "pay", "answer_from": "text",
             "answers": {"en": ["Invoice only."]}},
        ],
        "messages": {"fallback_rephrase": {"en": "Sorry?"}},
    }
)  # fmt: skip


@dataclass
class Prediction:
    label: str | None
    confidence: float
    score: float = 1.5
    ranking: list[tuple[str, float]] = field(default_factory=list)


class Classifier:
    threshold = 0.5

    def predict(self, text: str) -> Prediction:
        if "jumper" in text:
            return Prediction("products", 0.99)
        if "cost" in text or "price" in text:  # the classifier takes it for delivery
            return Prediction("delivery", 0.95)
        if text == "pay":
            return Prediction("payment", 0.99)
        return Prediction(None, 0.3, 0.1)


class Find:
    """Shows products and remembers them; answers "it" questions about the first."""

    def __init__(self) -> None:
        self.seen: list[ActionContext] = []

    async def __call__(self, ctx: ActionContext) -> ActionResult:
        self.seen.append(ctx)
        shown = ctx.remembered.get("skus") or []
        if self.follows_up(ctx.text, ctx.language, ctx.remembered):
            return ActionResult([Reply(f"{shown[0]} costs 40 €.")], context={"skus": shown})
        return ActionResult([Reply("A1, A2")], context={"skus": ["A1", "A2"]})

    def follows_up(self, text: str, language: str, remembered: dict[str, Any]) -> bool:
        return bool(remembered.get("skus")) and text in ("what does it cost?", "and in M?")

    async def claims(self, ctx: ActionContext) -> bool:
        return "Fjord" in ctx.text


async def pay(ctx: ActionContext) -> ActionResult:
    raise AssertionError("an intent with the shop's own text never calls its action")


def bot() -> tuple[Bot, Find]:
    actions = ActionRegistry()
    find = Find()
    actions.register("find", find)
    actions.register("pay", pay)
    return Bot(CONTENT, Classifier(), PROFILE, actions), find


def conversation() -> ConversationContext:
    return ConversationContext(
        uuid.uuid4(), PROFILE.tenant_id, "en", "bot", False, {}, ManualClock().now()
    )


async def say(b: Bot, conv: ConversationContext, text: str) -> tuple[str, str | None]:
    replies = await b.respond(conv, IncomingMessage(uuid.uuid4(), text, conv.created_at))
    return replies[0].text, conv.notes.intent


async def test_a_follow_up_goes_to_the_action_that_showed_the_products() -> None:
    b, find = bot()
    conv = conversation()
    assert await say(b, conv, "a wool jumper") == ("A1, A2", "products")
    # The classifier would say delivery; the action knows "it".
    assert await say(b, conv, "what does it cost?") == ("A1 costs 40 €.", "products")
    assert find.seen[-1].remembered == {"skus": ["A1", "A2"]}
    assert await say(b, conv, "and in M?") == ("A1 costs 40 €.", "products")


async def test_without_products_shown_or_long_after_the_question_is_the_classifiers() -> None:
    b, _ = bot()
    assert await say(b, conversation(), "what does it cost?") == ("Delivery costs 5 €.", "delivery")
    conv = conversation()
    await say(b, conv, "a wool jumper")
    for _ in range(FOLLOW_UP_TURNS + 1):
        await say(b, conv, "hmm")
    assert await say(b, conv, "what does it cost?") == ("Delivery costs 5 €.", "delivery")


async def test_an_action_claims_a_message_the_classifier_does_not_place() -> None:
    b, _ = bot()
    assert await say(b, conversation(), "do you have Plaid Fjord") == ("A1, A2", "products")
    assert (await say(b, conversation(), "something else"))[0] == "Sorry?"


async def test_an_intent_with_the_shops_own_text_answers_with_it() -> None:
    b, _ = bot()
    assert await say(b, conversation(), "pay") == ("Invoice only.", "payment")
