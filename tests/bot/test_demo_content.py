"""The demo shop's bot content: it loads, it is complete in every language, and its held-out
questions stay apart from the training examples."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from samtale.bot.content import Content, load_content
from samtale.demo.content_dir import DEMO_CONTENT_DIR
from samtale.kernel.languages import LANGUAGES

HELDOUT = Path(__file__).parent / "data" / "demo_heldout.jsonl"
OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "da"]

MESSAGE_KEYS = [
    "fallback_rephrase",
    "fallback_offer_person",
    "flow_cancelled",
    "flow_too_many_attempts",
    "action_unavailable",
    "not_configured",
    "handoff_requested",
    "welcome",
    "order_not_found",
    "shipment_not_found",
    "too_many_attempts",
    "suggestions_intro",
    "other_countries",
    "person_button",
]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(DEMO_CONTENT_DIR)


@pytest.fixture(scope="module")
def heldout() -> list[dict[str, str]]:
    lines = HELDOUT.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _same(text: str) -> str:
    """Case- and whitespace-insensitive form, for duplicate examples."""
    return " ".join(text.casefold().split())


def _loose(text: str) -> str:
    """Also ignores accents and punctuation, for held-out lines against training examples."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", bare).split())


def test_demo_content_loads_with_every_language(content: Content) -> None:
    assert set(content.languages) == set(LANGUAGES)
    assert content.default_language == "da"


def test_at_least_thirty_intents(content: Content) -> None:
    assert len(content.intents) >= 30


def test_every_intent_has_enough_examples(content: Content) -> None:
    for intent in content.intents:
        assert len(intent.examples.get("da", [])) >= 15, intent.name
        for lang in OTHER_LANGUAGES:
            assert len(intent.examples.get(lang, [])) >= 8, (intent.name, lang)


def test_every_intent_answers_in_every_language(content: Content) -> None:
    for intent in content.intents:
        for lang in LANGUAGES:
            assert intent.answers.get(lang), (intent.name, lang)


def test_answers_are_plain_text_with_links_to_the_shop(content: Content) -> None:
    for intent in content.intents:
        for lang, answers in intent.answers.items():
            for answer in answers:
                assert not re.search(r"<[a-zA-Z/][^>]*>", answer), (intent.name, lang)
                for url in re.findall(r"https?://\S+", answer):
                    assert url.startswith("https://nordhjem.example/"), (intent.name, lang, url)


def test_buttons_point_at_known_intents_in_every_language(content: Content) -> None:
    names = {intent.name for intent in content.intents}
    for intent in content.intents:
        if intent.buttons:
            assert set(intent.buttons) == set(LANGUAGES), intent.name
        for lang, buttons in intent.buttons.items():
            for button in buttons:
                assert button.intent or button.text, (intent.name, lang, button.label)
                assert button.intent is None or button.intent in names, (intent.name, button.intent)


def test_built_in_intents_exist(content: Content) -> None:
    kinds = {intent.name: intent.kind for intent in content.intents}
    assert kinds["greeting"] == "greeting"
    assert kinds["goodbye"] == "goodbye"
    assert kinds["talk_to_person"] == "handoff"
    assert kinds["smalltalk"] == "smalltalk"
    for name in ("privacy_data", "privacy_delete", "privacy_download"):
        assert kinds[name] == "privacy"
    for name in ("thanks", "what_can_you_do"):
        assert name in kinds


def test_tracking_intents_start_their_flows(content: Content) -> None:
    track_order = content.intent("track_order")
    track_shipment = content.intent("track_shipment")
    assert track_order is not None and track_order.flow == "track_order"
    assert track_shipment is not None and track_shipment.flow == "track_shipment"

    order_flow = content.flow("track_order")
    assert order_flow is not None and order_flow.action == "track_order"
    assert [(s.name, s.validator.type) for s in order_flow.slots] == [
        ("order_number", "order_number"),
        ("email", "email"),
    ]
    shipment_flow = content.flow("track_shipment")
    assert shipment_flow is not None and shipment_flow.action == "track_shipment"
    assert [(s.name, s.validator.type) for s in shipment_flow.slots] == [
        ("tracking_number", "tracking_number"),
    ]


def test_live_data_intents_name_their_actions(content: Content) -> None:
    actions = {intent.name: intent.action for intent in content.intents}
    assert actions["payment_methods"] == "payment_methods"
    assert actions["product_question"] == "product_search"
    assert actions["delivery_methods"] == "delivery_options"
    assert actions["delivery_times_costs"] == "delivery_options"


def test_every_flow_slot_prompts_in_every_language(content: Content) -> None:
    assert content.flows
    for flow in content.flows:
        for slot in flow.slots:
            for lang in LANGUAGES:
                assert slot.prompt.get(lang), (flow.name, slot.name, lang)
                assert slot.reprompt.get(lang), (flow.name, slot.name, lang)


@pytest.mark.parametrize("key", MESSAGE_KEYS)
def test_system_message_exists_in_every_language(content: Content, key: str) -> None:
    for lang in LANGUAGES:
        assert content.messages.get(key, {}).get(lang), (key, lang)


def test_privacy_answers_keep_the_promises(content: Content) -> None:
    data = content.intent("privacy_data")
    assert data is not None
    for lang in LANGUAGES:
        answer = " ".join(data.answers[lang])
        # The shop's own retention period is filled in (90 days by default).
        assert "{retention_bot_days}" in answer, lang
        assert "https://nordhjem.example/privatliv" in answer, lang


def test_no_example_belongs_to_two_intents(content: Content) -> None:
    owner: dict[str, str] = {}
    clashes = []
    for text, name, _lang in content.training_rows():
        key = _same(text)
        if owner.setdefault(key, name) != name:
            clashes.append((text, owner[key], name))
    assert not clashes


def test_heldout_has_enough_questions_per_language(heldout: list[dict[str, str]]) -> None:
    per_language = Counter(row["language"] for row in heldout)
    for lang in LANGUAGES:
        assert per_language[lang] >= 30, lang
    assert set(per_language) <= set(LANGUAGES)


def test_heldout_rows_are_well_formed(heldout: list[dict[str, str]]) -> None:
    for row in heldout:
        assert set(row) == {"text", "label", "language"}, row
        assert row["text"].strip(), row


def test_heldout_labels_are_known_intents(content: Content, heldout: list[dict[str, str]]) -> None:
    names = {intent.name for intent in content.intents}
    assert {row["label"] for row in heldout} <= names


def test_heldout_is_not_in_the_training_examples(
    content: Content, heldout: list[dict[str, str]]
) -> None:
    # The training examples that coincide are named, never the test questions themselves (a
    # failure must not show whoever edits the content what the test asks).
    leaked = [
        text
        for text, _n, _l in content.training_rows()
        if _loose(text) in {_loose(row["text"]) for row in heldout}
    ]
    assert not leaked, f"{len(leaked)} training examples are held-out questions: {leaked!r}"
