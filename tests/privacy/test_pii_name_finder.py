"""The one name detector: rules and the sequence model together, in chat and in news text."""

from __future__ import annotations

import pytest

from samtale.privacy.pii import find_identifiers, redact
from samtale.privacy.pii.name_model import model_available


def names(text: str, lang: str) -> list[str]:
    return [s.value for s in redact(text, [lang]).spans if s.type == "NAME"]


def test_the_model_ships_with_the_package() -> None:
    assert model_available()


@pytest.mark.parametrize(
    ("lang", "text", "found"),
    [
        ("da", "Karen Holm", ["Karen Holm"]),
        ("da", "hej er min pakke sendt? mvh lars", ["lars"]),
        ("da", "hej det er trine bækgaard, jeg har ikke fået min ordre", ["trine bækgaard"]),
        ("sv", "jag heter oskar lindahl och väntar på ett paket", ["oskar lindahl"]),
        ("nb", "Solveig Brekke", ["Solveig Brekke"]),
        ("fi", "moi, olen mikko rantanen ja odotan pakettia", ["mikko rantanen"]),
        ("en", "cheers, dave", ["dave"]),
        # news-style: a surname alone after a title
        ("da", "Det siger formand Gudmundsson til Ritzau .", ["Gudmundsson"]),
    ],
)
def test_names_in_chat_and_in_running_text(lang: str, text: str, found: list[str]) -> None:
    assert names(text, lang) == found


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("da", "Ring på 22 33 44 55 efter kl. 16"),
        ("sv", "Varan var trasig när den kom"),
        ("da", "Jeg skrev forkert e-mail, kan I rette den?"),
        ("en", "The item was broken when it arrived"),
    ],
)
def test_ordinary_words_are_not_names(lang: str, text: str) -> None:
    assert names(text, lang) == []


def test_a_name_inside_an_email_address_is_masked_with_it() -> None:
    result = redact("min mail er karen.holm@gmail.com", ["da"])
    assert result.text == "min mail er [EMAIL]"


def test_the_identifier_index_reads_the_same_findings() -> None:
    text = "jeg hedder Karen Holm, karen.holm@gmail.com"
    assert find_identifiers(text, ["da"]) == [("email", "karen.holm@gmail.com")]
    assert [s.type for s in redact(text, ["da"]).spans] == ["NAME", "EMAIL"]


@pytest.mark.parametrize(
    ("lang", "text", "found"),
    [
        # people of the news whom no Nordic list knows, found by where they stand
        ("da", '" Det er for tidligt , " siger Theo Waigel til Reuters .', ["Theo Waigel"]),
        ("sv", "– Vi väntar , säger Jean-Claude Juncker .", ["Jean-Claude Juncker"]),
        ("nb", "Det bekrefter statsminister Jonas Gahr Støre .", ["Jonas Gahr Støre"]),
        ("fi", "Asiasta kertoi pääministeri Sanna Marin .", ["Sanna Marin"]),
        ("en", "The decision was welcomed by Chancellor Olaf Scholz .", ["Olaf Scholz"]),
        # chat: a signature, lowercase names after an introduction
        ("sv", "Tack för hjälpen!\nHälsningar\nIngrid Åberg", ["Ingrid Åberg"]),
        ("nb", "hei, jeg heter kari nordmann", ["kari nordmann"]),
        ("en", "thanks\nSarah O'Connor", ["Sarah O'Connor"]),
    ],
)
def test_names_in_each_language(lang: str, text: str, found: list[str]) -> None:
    assert names(text, lang) == found


def test_the_word_before_a_name_is_not_part_of_it() -> None:
    # "Mieheni" (my husband) opens the sentence with a capital, but is not the name.
    assert names("Mieheni Impi tilasi eilen, tilausnumero 109046894", "fi") == ["Impi"]
    assert names("Direktør Hansen var ikke til stede", "da") == ["Hansen"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("da", "PAKKEN ER IKKE KOMMET ENDNU"),  # a shouted message is not a name
        ("da", "Sender I også til Næstved og Aalborg?"),
        ("fi", "Toimitatteko Ruotsiin ja Viroon?"),
        ("nb", "Leverer dere til Tromsø?"),
        ("en", "What's the capital of France?"),
    ],
)
def test_headlines_and_places_are_not_names(lang: str, text: str) -> None:
    assert names(text, lang) == []


def test_the_shops_words_are_never_names_but_its_customers_are() -> None:
    keep = ["Dunjakke Nordlys", "Hav lampe", "PostNord"]
    result = redact("Hej, har I Dunjakke Nordlys på lager? mvh Mette Hav", ["da"], keep=keep)
    assert result.text == "Hej, har I Dunjakke Nordlys på lager? mvh [NAME]"
    assert redact("Kommer Hav lampen med PostNord?", ["da"], keep=keep).spans == ()


def test_a_name_in_an_email_local_part_goes_with_the_address_and_stays_a_name_outside() -> None:
    result = redact("skriv til lars.pedersen@outlook.dk, Lars Pedersen", ["da"])
    assert result.text == "skriv til [EMAIL], [NAME]"


@pytest.mark.parametrize(
    ("lang", "text", "found"),
    [
        (
            "da",
            "Jeg har talt med Karen Holm i går. Holm lovede at ringe tilbage.",
            ["Karen Holm", "Holm"],
        ),
        (
            "en",
            "I spoke to Mark Wahlberg yesterday. Wahlberg said it would ship Monday.",
            ["Mark Wahlberg", "Wahlberg"],
        ),
    ],
)
def test_a_name_found_once_is_masked_where_it_stands_again(
    lang: str, text: str, found: list[str]
) -> None:
    assert names(text, lang) == found


def test_a_word_of_a_name_that_is_also_the_shops_word_stays_elsewhere() -> None:
    from samtale.privacy.pii import ShopVocabulary

    text = "Hej, jeg hedder Mette Hav. Har I Hav sandaler i str 38?"
    spans = redact(text, ["da"], keep=ShopVocabulary.from_words(["Hav"])).spans
    assert [s.value for s in spans if s.type == "NAME"] == ["Mette Hav"]


def test_a_lowercase_particle_joined_to_a_name_is_part_of_it() -> None:
    text = "Syriens præsident Hafez al-Assad indledte i går en rundrejse ."
    assert names(text, "da") == ["Hafez al-Assad"]
