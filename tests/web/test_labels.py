"""The staff read names, not ids: topics, descriptions, slots, flows, outcomes, carriers and the
bot's findings in the staff page's language, from the content and the catalogue, with a readable
fallback for a shop's own topic nobody named."""

from __future__ import annotations

import re
import uuid

import pytest

from samtale.bot.content import Content, load_content
from samtale.bot.drafts import starter_content
from samtale.demo.content_dir import DEMO_CONTENT_DIR
from samtale.kernel.languages import LANGUAGES
from samtale.live.settings import OUTCOMES
from samtale.web.staff.labels import StaffLabels, humanise

RAW_ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


@pytest.fixture(scope="module")
def demo() -> Content:
    return load_content(DEMO_CONTENT_DIR)


def test_every_topic_of_the_demo_and_the_starter_has_a_name_in_every_language(
    demo: Content,
) -> None:
    for content in (demo, starter_content(list(LANGUAGES), "da")):
        for intent in content.intents:
            assert set(intent.title) == set(LANGUAGES), intent.name
            assert intent.descriptions.get("da"), intent.name
            for lang in LANGUAGES:
                name = StaffLabels(content, lang).topic(intent.name)
                assert name and not RAW_ID.search(name), (intent.name, lang, name)


def test_names_in_the_staff_s_language(demo: Content) -> None:
    da, en = StaffLabels(demo, "da"), StaffLabels(demo, "en")
    assert da.topic("track_order") == "Hvor er min ordre?"
    assert en.topic("track_order") == "Where is my order?"
    assert StaffLabels(demo, "fi").topic("greeting") == "Tervehdys"
    assert da.topic_description("greeting") == "Kunden siger hej."
    assert en.topic_description("greeting") == "The customer says hello."
    assert da.topic(None) == "Ikke forstået"
    assert da.flow("track_order") == "Hvor er min ordre?"
    assert da.slot("order_number") == "Ordrenummer"
    assert StaffLabels(demo, "sv").slot("email") == "E-post"
    assert da.outcome("resolved") == "Løst" and en.outcome("follow_up") == "Follow-up needed"
    assert da.message("welcome") == "Velkomst"
    for code, name in (
        ("gls", "GLS"),
        ("postnord", "PostNord"),
        ("bring", "Bring"),
        ("dhl", "DHL"),
    ):
        assert da.carrier(code) == name


def test_every_outcome_and_common_slot_has_a_name(demo: Content) -> None:
    for lang in LANGUAGES:
        labels = StaffLabels(demo, lang)
        for code in (*OUTCOMES, "idle", "answered", "fallback", "handoff", "flow_completed"):
            assert not RAW_ID.search(labels.outcome(code)), (lang, code)
        for slot in ("order_number", "email", "tracking_number", "shipments", "country"):
            assert not RAW_ID.search(labels.slot(slot)), (lang, slot)


def test_a_shop_s_own_topic_without_a_name_is_made_readable(demo: Content) -> None:
    assert humanise("gift_wrapping") == "Gift wrapping"
    labels = StaffLabels(demo, "da")
    assert labels.topic("gift_wrapping") == "Gift wrapping"
    assert StaffLabels(None, "da").topic("track_order") == "Track order"
    assert labels.outcome("brand_new") == "Brand new"


def test_what_the_bot_found_reads_as_names(demo: Content) -> None:
    rows = StaffLabels(demo, "da").context_rows(
        {
            "track_order": {"order_number": "104827361", "shipments": ["RB1", "RB2"]},
            "track_shipment": {"carrier": "gls", "nested": {"x": 1}, "empty": ""},
            "odd": "not a mapping",
        }
    )
    assert rows == [
        {"topic": "Hvor er min ordre?", "label": "Ordrenummer", "value": "104827361"},
        {"topic": "Hvor er min ordre?", "label": "Forsendelser", "value": "RB1, RB2"},
        {"topic": "Spor en pakke", "label": "Fragtfirma", "value": "GLS"},
    ]


def test_a_photo_the_bot_received_is_counted_not_shown_by_its_ids(demo: Content) -> None:
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    rows = StaffLabels(demo, "da").context_rows(
        {"damaged_item_photo": {"order_number": "104827361", "photo": ids}}
    )
    assert [r["label"] for r in rows] == ["Ordrenummer", "Billede"]
    assert rows[1]["value"] == "2 fil(er) – se samtalen"
    assert not any(i in str(rows) for i in ids)
    assert StaffLabels(demo, "da").validator("attachment") == "Billede eller fil"
    assert StaffLabels(demo, "da").action("handoff") == "Videre til en person"
