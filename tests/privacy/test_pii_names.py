"""Person names: from introductions, closings, signatures and the name lists — and the Nordic
words that look like names but are not."""

from __future__ import annotations

import pytest

from samtale.privacy.pii import redact


def names(text: str, languages: list[str] | None = None) -> list[str]:
    return [s.value for s in redact(text, languages).spans if s.type == "NAME"]


@pytest.mark.parametrize(
    ("lang", "text", "name"),
    [
        ("da", "Hej, jeg hedder Villads Kjærgaard og har et spørgsmål", "Villads Kjærgaard"),
        ("da", "mit navn er Ingolf Thyregod", "Ingolf Thyregod"),
        ("da", "jeg hedder anna jensen", "anna jensen"),
        ("sv", "Hej! Jag heter Ylva Sundström", "Ylva Sundström"),
        ("sv", "mitt namn är Torgny Ekdahl.", "Torgny Ekdahl"),
        ("nb", "Hei, jeg heter Eyvind Haugland", "Eyvind Haugland"),
        ("nb", "navnet mitt er Solfrid Brattli", "Solfrid Brattli"),
        ("fi", "Hei, nimeni on Tuure Kivelä", "Tuure Kivelä"),
        ("fi", "olen Matti Virtanen ja soitan tilauksesta", "Matti Virtanen"),
        ("en", "Hi, my name is Rupert Ashworth", "Rupert Ashworth"),
        ("en", "Hi, I'm Imogen and I need help", "Imogen"),
        ("da", "Navn: Bolette Skovbo", "Bolette Skovbo"),
        ("en", "Name: Declan Hollis", "Declan Hollis"),
    ],
)
def test_names_after_introductions_and_labels(lang: str, text: str, name: str) -> None:
    assert names(text, [lang]) == [name]


@pytest.mark.parametrize(
    ("lang", "text", "name"),
    [
        ("da", "Tak for hjælpen.\n\nMed venlig hilsen\nMalte Fabricius", "Malte Fabricius"),
        ("da", "Jeg venter bare. Mvh Bo", "Bo"),
        ("da", "Det er fint. Hilsen Per", "Per"),
        ("sv", "Tack!\nVänliga hälsningar\nSiw Hedin", "Siw Hedin"),
        ("nb", "Takk for svaret. Med vennlig hilsen Aslak Tveiten", "Aslak Tveiten"),
        ("fi", "Kiitos!\nTerveisin Aune Rautio", "Aune Rautio"),
        ("en", "Thanks for the quick reply.\nKind regards,\nTamsin Whitaker", "Tamsin Whitaker"),
        ("da", "Jeg har sendt varen retur i dag\n\nKarin", "Karin"),
        ("nb", "Takk Torleif! Jeg sender kvitteringen", "Torleif"),
    ],
)
def test_names_in_closings_and_signatures(lang: str, text: str, name: str) -> None:
    assert names(text, [lang]) == [name]


@pytest.mark.parametrize(
    ("lang", "text", "found"),
    [
        ("da", "Jeg talte med Mette i går om ordren", ["Mette"]),
        ("da", "Pakken blev modtaget af Jens Nielsen", ["Jens Nielsen"]),
        ("sv", "Kan Anders Lindqvist hämta paketet?", ["Anders Lindqvist"]),
        ("da", "Min mand Kresten bestilte en jakke", ["Kresten"]),
        ("fi", "Mieheni Ilmari tilasi takin", ["Ilmari"]),
        ("da", "Det var H. C. Andersen der skrev det", ["H. C. Andersen"]),
        ("sv", "Per Andersson beställde två par", ["Per Andersson"]),
    ],
)
def test_names_from_the_lists_and_their_neighbours(lang: str, text: str, found: list[str]) -> None:
    assert names(text, [lang]) == found


@pytest.mark.parametrize(
    "text",
    [
        "Per stk koster de 50 kr",  # "per" (each)
        "Jeg bor i Aarhus og har bestilt to par",  # "bo" inside a word, a city
        "Mark og sol er ikke med i prisen",  # "mark" (field), "sol" (sun)
        "Rose er en flot farve på den kjole",  # "rose" (the colour)
        "Vild med jeres nye kollektion!",  # "vild" (wild)
        "Hans ordre er ikke kommet",  # "hans" (his)
        "Ask efter en større størrelse",  # "ask"
        "Ole hyvä ja lähetä se uudelleen",  # Finnish "ole hyvä" (please)
        "Will this fit a size 42?",
        "Kan jeg betale med MobilePay eller Klarna?",
        "Har I Tommy Hilfiger skjorter i str L?",
        "Jeg har et iPhone 15 cover fra Samsung",
        "Hej! Tak for en god oplevelse",
        "Leveringen til København tog tre dage",
        "Jeg vil gerne have en Rose parfume",  # after an article: a product
        "Rabatkoden SOMMER25 virker ikke",  # part of a code
    ],
)
def test_words_that_look_like_names_survive(text: str) -> None:
    assert names(text) == []


def test_a_name_is_masked_whole_even_next_to_an_address() -> None:
    text = "Faktura til Ditlev Lykkegaard, Vestergade 12, 9000 Aalborg"
    result = redact(text, ["da"])
    assert result.text == "Faktura til [NAME], [ADDRESS]"
