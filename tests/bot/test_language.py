"""Language detection on short and mixed messages in all five languages: short messages never
flip the conversation's language; real sentences do."""

from __future__ import annotations

import pytest

from samtale.bot.language import decide_language

ALL = ["da", "sv", "nb", "fi", "en"]


@pytest.mark.parametrize(
    ("current", "text", "expected"),
    [
        # short messages keep the conversation's language
        ("da", "ok", "da"),
        ("sv", "ok", "sv"),
        ("fi", "ok", "fi"),
        ("en", "ok", "en"),
        ("nb", "ok", "nb"),
        ("da", "tak", "da"),
        ("nb", "ja", "nb"),
        ("en", "hej", "en"),
        ("fi", "thanks", "fi"),
        ("da", "104827361", "da"),
        ("sv", "RB123456785SE", "sv"),
        ("da", "?", "da"),
        ("en", "👍", "en"),
        # real sentences switch
        ("da", "where is my parcel", "en"),
        ("da", "I would like to return my jacket please", "en"),
        ("da", "var är mitt paket", "sv"),
        ("da", "jag vill returnera min jacka", "sv"),
        ("da", "missä on pakettini", "fi"),
        ("en", "voinko palauttaa takin", "fi"),
        ("da", "kiitos paljon", "fi"),
        ("da", "jeg vil gjerne returnere varen min", "nb"),
        ("da", "hva koster frakt til norge", "nb"),
        ("nb", "jeg vil gerne returnere min jakke, hvad koster det", "da"),
        ("en", "hvornår kommer min pakke", "da"),
        ("da", "hur lång tid tar leveransen", "sv"),
        ("sv", "tack så mycket", "sv"),
        ("da", "takk for hjelpen", "nb"),
        ("nb", "tak for hjælpen", "da"),
        # mixed messages stay where they are
        ("da", "kan jeg return min order", "da"),
        ("en", "kan jeg return min order", "en"),
        ("sv", "hvor er min pakke", "sv"),
    ],
)
def test_decide_language(current: str, text: str, expected: str) -> None:
    assert decide_language(text, current, ALL) == expected


def test_only_the_shops_languages() -> None:
    assert decide_language("where is my parcel", "da", ["da", "sv"]) in ("da", "sv")
    assert decide_language("anything at all", "da", ["da"]) == "da"
    # an unknown current language falls back to the page's, then the first of the shop's
    assert decide_language("ok", None, ["da", "en"], page_language="en") == "en"
    assert decide_language("ok", None, ["sv", "en"]) == "sv"


@pytest.mark.parametrize(
    ("current", "text", "expected"),
    [
        ("da", "anna.hansen@example.com", "da"),
        ("da", "anna@example.com", "da"),
        ("fi", "https://nordhjem.example/retur?order=104827361", "fi"),
        ("sv", "RB123456785SE 104827361 str 40", "sv"),
        ("sv", "hvordan returnerer jeg en vare", "da"),
    ],
)
def test_addresses_and_numbers_say_nothing_about_language(
    current: str, text: str, expected: str
) -> None:
    assert decide_language(text, current, ALL, page_language="da") == expected


def test_leaving_swedish_for_danish_or_norwegian_follows_the_page() -> None:
    assert decide_language("hvordan returnerer jeg en vare", "sv", ALL, page_language="nb") == "nb"
    assert decide_language("hvordan returnerer jeg en vare", "sv", ALL, page_language="da") == "da"
