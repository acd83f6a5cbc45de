"""The dialogue and the shop's pages, with a stand-in classifier and knowledge base: a sure
intent wins, an unsure one lets the pages answer, `answer_from: knowledge` asks the pages
first, and a weak match says so and offers a person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from samtale.bot.content import Content
from samtale.bot.dialogue import Bot
from samtale.bot.knowledge import KnowledgeReply, QueryVector
from samtale.bot.profile import ShopProfile
from samtale.conversations.responder import ConversationContext, IncomingMessage
from samtale.kernel.clock import ManualClock

CONTENT = Content.model_validate(
    {
        "languages": ["en"],
        "default_language": "en",
        "intents": [
            {"name": "greeting", "kind": "greeting", "examples": {"en": ["hi"]},
             "answers": {"en": ["Hello!"]}},
            {"name": "talk_to_person", "kind": "handoff", "examples": {"en": ["a person"]},
             "answers": {"en": ["Passing you on."]}},
            {"name": "returns", "examples": {"en": ["returns"]},
             "answers": {"en": ["Our own returns answer."]}},
            {"name": "return_policy", "answer_from": "knowledge",
             "examples": {"en": ["return policy"]}},
        ],
        "messages": {"knowledge_unknown": {"en": "I don't know that."},
                     "fallback_rephrase": {"en": "Please rephrase."},
                     "person_button": {"en": "Talk to a person"}},
    }
)  # fmt: skip


@dataclass
class Prediction:
    label: str | None
    confidence: float
    score: float
    ranking: list[tuple[str, float]] = field(default_factory=list)
    vector: Any = None
    embedding_identity: str | None = None


class Classifier:
    threshold = 0.5

    def __init__(self, answers: dict[str, Prediction]) -> None:
        self.answers = answers

    def predict(self, text: str) -> Prediction:
        return self.answers[text]


class Pages:
    def __init__(self, reply: KnowledgeReply) -> None:
        self.reply = reply
        self.asked: list[tuple[str, QueryVector | None]] = []

    async def __call__(
        self, tenant_id: uuid.UUID, question: str, language: str, vector: QueryVector | None = None
    ) -> KnowledgeReply:
        self.asked.append((question, vector))
        return self.reply


ANSWER = KnowledgeReply(
    "answered", "You have 30 days.\n\nSource: Returns – https://shop.example/returns",
    "You have 30 days.", "https://shop.example/returns", "Returns", "en", False,
)  # fmt: skip
PROFILE = ShopProfile(uuid.uuid4(), "Shop", ("en",), "en", "GB", "Europe/London", 90, None)


async def _say(bot: Bot, text: str) -> tuple[Any, Any]:
    conv = ConversationContext(
        uuid.uuid4(), PROFILE.tenant_id, "en", "bot", False, {}, ManualClock().now()
    )
    replies = await bot.respond(conv, IncomingMessage(uuid.uuid4(), text, conv.created_at))
    return replies[0], conv.notes


async def test_a_sure_intent_wins_and_an_unsure_one_lets_the_pages_answer() -> None:
    vector = np.ones(4, dtype=np.float32)
    classifier = Classifier(
        {
            "returns": Prediction("returns", 0.99, 1.5),
            "can i send it back": Prediction("returns", 0.9, 0.7, vector=vector,
                                             embedding_identity="e5"),
            "what is this": Prediction(None, 0.4, 0.1),
            "hi": Prediction("greeting", 0.85, 0.6),
        }
    )  # fmt: skip
    pages = Pages(ANSWER)
    bot = Bot(CONTENT, classifier, PROFILE, knowledge=pages)

    reply, notes = await _say(bot, "returns")
    assert reply.text == "Our own returns answer." and pages.asked == []

    reply, notes = await _say(bot, "can i send it back")
    assert notes.outcome == "knowledge" and notes.knowledge_url == "https://shop.example/returns"
    assert reply.payload["cards"] == [
        {"type": "page", "title": "Returns", "url": "https://shop.example/returns"}
    ]
    assert reply.payload["feedback"] is True
    # The classifier's embedding of the message goes along: the pages do not embed it again.
    [(_question, query)] = pages.asked
    assert query is not None and query.identity == "e5" and query.vector is vector

    reply, notes = await _say(bot, "what is this")
    assert notes.outcome == "knowledge"

    reply, notes = await _say(bot, "hi")  # a greeting always wins
    assert reply.text == "Hello!" and len(pages.asked) == 2


async def test_a_weak_match_says_it_does_not_know_and_offers_a_person() -> None:
    classifier = Classifier(
        {
            "what is this": Prediction(None, 0.4, 0.1),
            "unsure returns": Prediction("returns", 0.6, 0.6),
            "return policy": Prediction("return_policy", 0.99, 1.5),
        }
    )
    bot = Bot(CONTENT, classifier, PROFILE, knowledge=Pages(KnowledgeReply("weak_match")))
    reply, notes = await _say(bot, "what is this")
    assert reply.text == "I don't know that." and notes.outcome == "fallback"
    assert {"label": "Talk to a person", "intent": "talk_to_person"} in reply.payload["buttons"]
    reply, notes = await _say(bot, "unsure returns")  # the pages had nothing: the intent answers
    assert reply.text == "Our own returns answer." and notes.intent == "returns"
    # An intent answered from the pages, which have nothing: it says so and offers a person.
    reply, notes = await _say(bot, "return policy")
    assert reply.text == "I don't know that." and notes.intent == "return_policy"
    assert reply.payload["buttons"][0]["intent"] == "talk_to_person"


async def test_answer_from_knowledge_asks_the_pages_even_for_a_sure_intent() -> None:
    pages = Pages(ANSWER)
    classifier = Classifier({"return policy": Prediction("return_policy", 0.99, 1.5)})
    bot = Bot(CONTENT, classifier, PROFILE, knowledge=pages)
    reply, notes = await _say(bot, "return policy")
    assert notes.outcome == "knowledge" and notes.intent == "return_policy"
    assert "30 days" in reply.text


async def test_without_a_knowledge_base_the_fallback_is_unchanged() -> None:
    bot = Bot(CONTENT, Classifier({"what is this": Prediction(None, 0.4, 0.1)}), PROFILE)
    reply, notes = await _say(bot, "what is this")
    assert reply.text == "Please rephrase." and notes.outcome == "fallback"
