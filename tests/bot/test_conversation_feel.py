"""Conversations that feel right in five languages (the fast parts, no trained bot): the
conversation's language from the first clear message, quick replies as sentences, yes or no
first for one payment method or delivery service, Norwegian dates, amounts per language, and
complaints counted apart from "not understood"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from samtale.bot.dialogue import ACK_WORDS, NO_WORDS, YES_WORDS, sentence
from samtale.bot.feelings import sounds_dissatisfied
from samtale.bot.language import decide_language
from samtale.demo.shop.policies import PAYMENT
from samtale.insights.events import QUESTION_OUTCOMES
from samtale.insights.stats import NOT_UNDERSTOOD
from samtale.shop import formatting
from samtale.shop.checkout import delivery_verdict, payment_verdict
from samtale.shop.models import DeliveryOption

ALL = ["da", "sv", "nb", "fi", "en"]


@pytest.mark.parametrize(
    ("page", "text", "expected"),
    [
        ("da", "hello", "en"),
        ("sv", "thanks", "en"),
        ("da", "I want to talk to a human", "en"),
        ("da", "moi", "fi"),
        ("nb", "kiitos", "fi"),
        ("da", "ok", "da"),
        ("sv", "ok", "sv"),
        ("da", "hej", "da"),
        ("sv", "hej", "sv"),
        ("nb", "hei", "nb"),
        ("da", "ja", "da"),
        ("da", "104827361", "da"),
        ("da", "en person", "da"),
        ("nb", "kan jeg betale med paypal", "nb"),
        ("nb", "tar dere klarna?", "nb"),
    ],
)
def test_the_first_clear_message_sets_the_language(page: str, text: str, expected: str) -> None:
    assert decide_language(text, page, ALL, page, settled=False) == expected


@pytest.mark.parametrize(("current", "text"), [("da", "hello"), ("fi", "thanks"), ("sv", "moi")])
def test_once_settled_a_single_word_never_flips_it(current: str, text: str) -> None:
    assert decide_language(text, current, ALL, current, settled=True) == current


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("hvor lang returret har i", "da", "Hvor lang returret har I?"),
        ("har i den sorte strikkjole i medium", "da", "Har I den sorte strikkjole i medium?"),
        ("varen er i stykker", "da", "Varen er i stykker"),
        ("kan i sende i dag", "da", "Kan I sende i dag?"),
        ("Returnering", "da", "Returnering"),
        ("var är mitt paket", "sv", "Var är mitt paket?"),
        ("voinko maksaa laskulla", "fi", "Voinko maksaa laskulla?"),
        ("where is my parcel", "en", "Where is my parcel?"),
        ("Hvor er pakken min?", "nb", "Hvor er pakken min?"),
    ],
)
def test_quick_replies_read_as_sentences(text: str, language: str, expected: str) -> None:
    assert sentence(text, language) == expected


def test_short_answers_in_every_language() -> None:
    for word in ("ja", "ja_tak", "ja_tack", "ja_takk", "kyllä", "joo", "yes", "yes_please"):
        assert word in YES_WORDS
    for word in ("nej", "nei", "ei", "no", "nej_tak", "nei_takk", "ei_kiitos", "no_thanks"):
        assert word in NO_WORDS
    assert {"ok", "okay", "okej", "selvä"} <= ACK_WORDS
    assert not {"tak", "takk", "tack", "kiitos", "thanks"} & ACK_WORDS  # thanks stay thanks


@pytest.mark.parametrize(
    ("text", "country", "language", "start", "contains"),
    [
        ("kan jeg betale med paypal?", "DK", "da", "Nej", "PayPal"),
        ("kan jeg betale med MobilePay?", "DK", "da", "Ja", "MobilePay"),
        ("kan jeg betale med Vipps?", "NO", "nb", "Ja", "Vipps"),
        ("kan jeg betale med Vipps?", "DK", "da", "Nej", "i Norge"),
        ("can I pay with Klarna?", "DK", "en", "No", "Klarna"),
        ("do you take Visa", "SE", "en", "Yes", "Visa"),
        ("voinko maksaa MobilePaylla", "FI", "fi", "Kyllä", "MobilePay"),
        ("går det att betala med swish", "SE", "sv", "Ja", "Swish"),
    ],
)
def test_payment_questions_get_yes_or_no_first(
    text: str, country: str, language: str, start: str, contains: str
) -> None:
    verdict = payment_verdict(text, country, PAYMENT, language)
    assert verdict is not None and verdict.startswith(start) and contains in verdict


def test_a_list_question_gets_no_verdict() -> None:
    assert payment_verdict("hvilke betalingsmetoder har I?", "DK", PAYMENT, "da") is None
    assert payment_verdict("mobilepay eller faktura?", "DK", PAYMENT, "da") is None


def test_delivery_questions_get_yes_or_no_first() -> None:
    options = [
        DeliveryOption(code="pickup", method="pickup", carriers=["gls", "postnord"],
                       price=Decimal(39), currency="DKK", names={"da": "Pakkeshop"}),
        DeliveryOption(code="home", method="home", carriers=["dao"], price=Decimal(59),
                       currency="DKK", names={"da": "Levering til døren"}),
    ]  # fmt: skip
    assert (delivery_verdict("leverer I med GLS?", "DK", options, "da") or "").startswith("Ja")
    assert (delivery_verdict("sender I med DHL?", "DK", options, "da") or "").startswith("Nej")
    express = delivery_verdict("har I ekspres levering?", "DK", options, "da") or ""
    assert express.startswith("Nej") and "ekspres" in express
    assert (delivery_verdict("kan I levere til Danmark", "DK", options, "da") or "").startswith(
        "Ja"
    )
    assert delivery_verdict("hvad koster levering?", "DK", options, "da") is None


def test_amounts_and_dates_per_language() -> None:
    english = next(m for m in PAYMENT["DK"] if m.code == "part_payment").details["en"]
    assert "1.000 kr." not in english and "DKK\xa01,000" in english
    assert formatting.day(date(2026, 1, 7), "nb") == "ons. 7. januar"
    assert formatting.day(date(2026, 1, 7), "da") == "ons. 7. januar"
    assert formatting.day(date(2026, 1, 7), "en") == "Wednesday 7 January"


def test_complaints_are_understood_and_counted_apart() -> None:
    assert "complaint" in QUESTION_OUTCOMES
    assert "complaint" not in NOT_UNDERSTOOD


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("uselt, helt uselt", "sv", True),
        ("hvor er det skuffende", "da", True),
        ("olipa pettymys", "fi", True),
        ("dere er helt håpløse", "nb", True),
        ("that's it, you've messed this up again", "en", True),
        ("hvor er min pakke", "da", False),
        ("kan jeg returnere en kjole", "da", False),
        ("where is my parcel", "en", False),
        ("missä pakettini on", "fi", False),
    ],
)
def test_words_of_dissatisfaction(text: str, language: str, expected: bool) -> None:
    assert sounds_dissatisfied(text, language) is expected
