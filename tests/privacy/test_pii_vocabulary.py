"""The shop's own words: products, brands, categories, carriers and places are not names."""

from __future__ import annotations

import pytest

from samtale.privacy.pii import ShopVocabulary, redact
from samtale.privacy.pii.vocabulary import places

SHOP = ShopVocabulary.from_words(
    ["Dunjakke Nordlys", "Hav lampe", "Ingrid strikkjole", "Hummel", "PostNord", "Overtøj"]
)


def names(text: str, lang: str, keep: ShopVocabulary | None = SHOP) -> list[str]:
    return [s.value for s in redact(text, [lang], keep=keep).spans if s.type == "NAME"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("da", "hvad koster Dunjakke Nordlys?"),
        ("da", "Har I Hav lampen på lager?"),
        ("da", "hvornår kommer Ingrid strikkjolen igen?"),
        ("da", "Kan PostNord levere på lørdag?"),
        ("da", "Er der udsalg på Overtøj?"),
    ],
)
def test_the_shops_words_are_kept(lang: str, text: str) -> None:
    assert names(text, lang) == []
    assert redact(text, [lang], keep=SHOP).text == text


def test_places_are_kept_without_any_vocabulary() -> None:
    assert redact("What's the capital of France?", ["en"]).text == "What's the capital of France?"
    assert names("Sender I til Grønland og Færøerne?", "da", keep=None) == []


def test_an_introduction_outweighs_the_vocabulary() -> None:
    assert names("jeg hedder Mette Hav", "da") == ["Mette Hav"]
    assert names("Navn: Mette Hav", "da") == ["Mette Hav"]


def test_a_name_in_a_product_phrase_is_kept_only_inside_the_phrase() -> None:
    assert names("Ingrid strikkjole i str M, tak", "da") == []
    assert names("Jeg talte med Ingrid Holm i går", "da") == ["Ingrid Holm"]


def test_a_given_name_is_not_read_as_an_inflected_place() -> None:
    assert "malin" not in places().words
    assert names("Kan Malin hämta paketet åt mig?", "sv") == ["Malin"]


def test_keep_accepts_plain_words_and_phrases() -> None:
    text = "hvad koster Dunjakke Nordlys?"
    assert redact(text, ["da"], keep=["Dunjakke Nordlys"]).text == text
    assert redact(text, ["da"], keep=frozenset({"Dunjakke Nordlys"})).text == text


def test_vocabularies_combine() -> None:
    both = ShopVocabulary.from_words(["Hav lampe"]) | ShopVocabulary.from_words(["Fjeld støvle"])
    assert both.spans("Hav lampe og Fjeld støvle") == [(0, 9), (13, 25)]
