"""Redaction of each kind of personal data, per language, and the numbers that must survive."""

from __future__ import annotations

import pytest

from samtale.privacy.pii import Redaction, Span, redact
from samtale.tenants.formats import DEMO_ORDER_NUMBER_PATTERN, DEMO_TRACKING_PATTERNS

DEMO = {
    "order_number_patterns": [DEMO_ORDER_NUMBER_PATTERN],
    "tracking_number_patterns": list(DEMO_TRACKING_PATTERNS.values()),
}


def kinds(text: str, languages: list[str] | None = None, **kw: object) -> list[tuple[str, str]]:
    return [(s.type, s.value) for s in redact(text, languages, **kw).spans]  # type: ignore[arg-type]


def test_redaction_replaces_spans_that_point_into_the_original_text() -> None:
    text = "Skriv til anna.jensen@example.com eller ring 22 33 44 55."
    result = redact(text, ["da"])
    assert isinstance(result, Redaction)
    assert result.text == "Skriv til [EMAIL] eller ring [PHONE]."
    assert result.spans == (
        Span("EMAIL", 10, 33, "anna.jensen@example.com"),
        Span("PHONE", 45, 56, "22 33 44 55"),
    )
    for span in result.spans:
        assert text[span.start : span.end] == span.value


def test_text_without_personal_data_is_returned_unchanged() -> None:
    text = "Hvornår kommer min pakke? Jeg bestilte i går."
    assert redact(text).text == text
    assert redact("").spans == ()


@pytest.mark.parametrize(
    "text",
    [
        "min mail er Anna.Jensen+shop@Gmail.com tak",
        "mejla mig på sven_ekdahl@telia.com",
        "send it to ola.nordmann(at)online.no please",
        "sähköposti: matti.virtanen@kolumbus.fi",
    ],
)
def test_emails(text: str) -> None:
    assert [k for k, _ in kinds(text)] == ["EMAIL"]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("skriv til anne (at) gmail (dot) com tak", "anne (at) gmail (dot) com"),
        ("email john.smith at outlook dot com please", "john.smith at outlook dot com"),
        ("mette snabel-a firma punktum dk", "mette snabel-a firma punktum dk"),
        ("min mail: erik [at] telia [punkt] se", "erik [at] telia [punkt] se"),
    ],
)
def test_spelt_out_emails(text: str, address: str) -> None:
    assert kinds(text) == [("EMAIL", address)]


@pytest.mark.parametrize(
    "text", ["we met at the shop", "i was at amazon.com yesterday", "it arrived at 10 dot 30"]
)
def test_the_word_at_alone_is_no_email(text: str) -> None:
    assert "EMAIL" not in {k for k, _ in kinds(text)}


@pytest.mark.parametrize(
    ("lang", "text", "number"),
    [
        ("da", "Ring på 22 33 44 55 efter kl. 16", "22 33 44 55"),
        ("da", "mit nr er +45 22334455", "+45 22334455"),
        ("da", "tlf: 0045 40 12 34 56", "0045 40 12 34 56"),
        ("sv", "Ring mig på 070-123 45 67", "070-123 45 67"),
        ("sv", "fast telefon 08-123 456 78", "08-123 456 78"),
        ("sv", "mobil +46 70 123 45 67", "+46 70 123 45 67"),
        ("nb", "ring meg på 412 34 567", "412 34 567"),
        ("nb", "mobil +47 91234567", "+47 91234567"),
        ("fi", "soita numeroon 040 1234567", "040 1234567"),
        ("fi", "puh. +358 50 123 4567", "+358 50 123 4567"),
        ("en", "call me on 07911 123456", "07911 123456"),
    ],
)
def test_phone_numbers(lang: str, text: str, number: str) -> None:
    assert kinds(text, [lang]) == [("PHONE", number)]


@pytest.mark.parametrize(
    ("lang", "text", "number"),
    [
        ("da", "Mit CPR-nummer er 010190-1009", "010190-1009"),  # passes modulus 11
        ("da", "cpr 010190-1235 tak", "010190-1235"),  # newer number, no modulus 11
        ("da", "CPR: 0101901009", "0101901009"),
        ("sv", "personnummer 811218-9876", "811218-9876"),
        ("sv", "mitt personnummer är 19811218-9876", "19811218-9876"),
        ("sv", "samordningsnummer 811278-9873", "811278-9873"),
        ("nb", "fødselsnummer 15047812388", "15047812388"),
        ("nb", "D-nummer 55047812371", "55047812371"),
        ("fi", "henkilötunnus 131052-308T", "131052-308T"),
    ],
)
def test_national_ids(lang: str, text: str, number: str) -> None:
    assert kinds(text, [lang]) == [("NATIONAL_ID", number)]


@pytest.mark.parametrize(
    ("lang", "text", "number"),
    [
        # One digit mistyped: the check digits fail, but the words call it an identity number.
        ("sv", "mitt personnummer är 811218-9877", "811218-9877"),
        ("sv", "pnr 19811218 9877", "19811218 9877"),
        ("nb", "fødselsnummeret mitt er 15047812389", "15047812389"),
        ("nb", "fnr: 150478 12389", "150478 12389"),
        ("fi", "hetu 131052-308U", "131052-308U"),
    ],
)
def test_named_identity_numbers_with_wrong_check_digits(lang: str, text: str, number: str) -> None:
    assert kinds(text, [lang]) == [("NATIONAL_ID", number)]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("nb", "15047812389 er nummeret på pakken"),  # unnamed and not valid
        ("sv", "personnummer? jag har ordernummer 12345678901"),  # not a date
        ("da", "id-nummer 9999999999"),  # named, but no date
    ],
)
def test_id_shaped_numbers_without_date_or_name_are_no_identity_numbers(
    lang: str, text: str
) -> None:
    assert "NATIONAL_ID" not in {kind for kind, _ in kinds(text, [lang])}


def test_cards_in_groups_and_whole() -> None:
    assert kinds("kortnummer 4571 1234 5678 9016") == [("CARD", "4571 1234 5678 9016")]
    assert kinds("card 4111-1111-1111-1111 exp 12/27") == [("CARD", "4111-1111-1111-1111")]
    assert kinds("kort 4111111111111111") == [("CARD", "4111111111111111")]


def test_ibans_however_spaced() -> None:
    assert kinds("IBAN DK50 0040 0440 1162 43 tak") == [("IBAN", "DK50 0040 0440 1162 43")]
    assert kinds("till SE4550000000058398257466") == [("IBAN", "SE4550000000058398257466")]
    assert kinds("konto NO93 8601 1117 947.") == [("IBAN", "NO93 8601 1117 947")]
    assert kinds("tilille FI21 1234 5600 0007 85") == [("IBAN", "FI21 1234 5600 0007 85")]


@pytest.mark.parametrize(
    ("lang", "text", "number"),
    [
        ("da", "Refusion til reg.nr. 1234 kontonr. 0012345678", "1234 kontonr. 0012345678"),
        ("da", "min konto er 5301-0001234567", "5301-0001234567"),
        ("sv", "clearingnummer och konto: 8327-9, 123 456 789", "8327-9, 123 456 789"),
        ("nb", "kontonummer 8601.11.17947", "8601.11.17947"),
        ("fi", "tilinumero 123456-785", "123456-785"),
    ],
)
def test_bank_accounts(lang: str, text: str, number: str) -> None:
    assert kinds(text, [lang]) == [("BANK_ACCOUNT", number)]


@pytest.mark.parametrize(
    ("lang", "text", "address"),
    [
        ("da", "Send den til Vesterbrogade 12, 2. tv., 1620 København V tak",
         "Vesterbrogade 12, 2. tv., 1620 København V"),
        ("da", "adressen er Carl Jacobsens Vej 16, st. th.", "Carl Jacobsens Vej 16, st. th."),
        ("da", "jeg bor på Hasselvej 6, 3790 Hasle", "Hasselvej 6, 3790 Hasle"),
        ("sv", "skicka till Storgatan 5, 114 55 Stockholm", "Storgatan 5, 114 55 Stockholm"),
        ("sv", "adress: Drottning Kristinas väg 3 lgh 1102", "Drottning Kristinas väg 3 lgh 1102"),
        ("nb", "ny adresse: Karl Johans gate 22, 0150 Oslo", "Karl Johans gate 22, 0150 Oslo"),
        ("nb", "Bogstadveien 27B, 0355 Oslo", "Bogstadveien 27B, 0355 Oslo"),
        ("fi", "osoite Mannerheimintie 12 B 34, 00100 Helsinki",
         "Mannerheimintie 12 B 34, 00100 Helsinki"),
        ("en", "deliver to 221B Baker Street, London", "221B Baker Street, London"),
    ],
)  # fmt: skip
def test_addresses(lang: str, text: str, address: str) -> None:
    assert kinds(text, [lang]) == [("ADDRESS", address)]


def test_postcode_and_city_alone_is_an_address_but_a_postcode_alone_is_not() -> None:
    assert kinds("Jeg bor i 2100 København Ø") == [("ADDRESS", "2100 København Ø")]
    assert kinds("Leverer I til 2100?") == []
    assert kinds("Kan I levere til postnummer 8000 inden fredag?", ["da"]) == []


def test_the_shops_order_and_tracking_numbers() -> None:
    text = "Ordre #104827361 er sendt med RB123456785SE og GLS 51234567890123"
    assert kinds(text, ["da"], **DEMO) == [
        ("ORDER_NUMBER", "#104827361"),
        ("TRACKING_NUMBER", "RB123456785SE"),
        ("TRACKING_NUMBER", "51234567890123"),
    ]


def test_order_and_tracking_numbers_named_by_the_words_before_them() -> None:
    assert kinds("mit ordrenummer er 55123", ["da"]) == [("ORDER_NUMBER", "55123")]
    assert kinds("tilausnumero: A-88231", ["fi"]) == [("ORDER_NUMBER", "A-88231")]
    assert kinds("sporingsnummer 00370712345678901234", ["nb"]) == [
        ("TRACKING_NUMBER", "00370712345678901234")
    ]


def test_order_number_next_to_a_phone_number() -> None:
    text = "ordre 104827361, ring 22 33 44 55"
    assert kinds(text, ["da"], **DEMO) == [("ORDER_NUMBER", "104827361"), ("PHONE", "22 33 44 55")]


def test_urls_with_tokens_or_emails_go_and_product_links_stay() -> None:
    text = (
        "Se https://shop.example.dk/p/40123456-jakke og "
        "https://shop.example.dk/reset?token=Ab3dE6gH9jK2mN5pQ8rS "
        "og https://shop.example.dk/ordre?email=anna%40example.com"
    )
    result = redact(text, ["da"])
    assert result.text == "Se https://shop.example.dk/p/40123456-jakke og [URL] og [URL]"


def test_ip_addresses() -> None:
    assert kinds("min IP er 192.168.1.20") == [("IP", "192.168.1.20")]
    assert kinds("fra 2001:db8::8a2e:370:7334 i går") == [("IP", "2001:db8::8a2e:370:7334")]
    assert kinds("kl. 12:30:45") == []
    assert kinds("Version 1.2.3.4 of the app crashes") == []


@pytest.mark.parametrize(
    "text",
    [
        "Den koster 299 kr og 1.299,95 DKK med fragt, eller €49",
        "Jeg bestilte den 12.03.2024 og igen 2024-03-12",
        "Har I den i str 40, M eller 42/44?",
        "Jeg vil gerne have 3 stk af varenr. 40123456",
        "Artikel HX-20931 i 2 st, 25% rabatt",
        "Butikken har åbent 10.00-17.30 alle dage i 2024",
        "Tuote 183627-44 maksaa 79,90 €",
        "Kortet 4571 1234 5678 9012 blev afvist",  # fails Luhn
        "CPR 321390-1234?",  # not a date
        "IBAN DK00 0040 0440 1162 43",  # wrong check digits
        "Model SKU-88213, EAN 5701234567899",
    ],
)
def test_numbers_that_are_not_personal_data_survive(text: str) -> None:
    assert redact(text).text == text


def test_language_codes_are_read() -> None:
    text = "ring 070-123 45 67"
    assert redact(text, ["no"]).spans == redact(text, ["nb"]).spans
    assert redact(text, "sv").spans[0].type == "PHONE"  # type: ignore[arg-type]


def test_overlaps_keep_the_most_specific_finding() -> None:
    # an e-mail inside a link with a token: the whole link goes
    result = redact("https://x.example.dk/login?user=anna@example.com&token=1")
    assert [s.type for s in result.spans] == ["URL"]
    # a name inside an e-mail address is not found separately
    assert [s.type for s in redact("Anna Jensen <anna.jensen@example.com>").spans] == [
        "NAME",
        "EMAIL",
    ]
    # the shop's order format wins over a phone reading of the same digits
    assert kinds("#104827361", ["sv"], **DEMO) == [("ORDER_NUMBER", "#104827361")]


def test_a_typical_message_is_fast() -> None:
    import time

    text = "Hej, jeg hedder Anna Jensen, ordre 104827361, ring 22 33 44 55. Mvh Anna"
    redact(text)
    start = time.perf_counter()
    for _ in range(50):
        redact(text, ["da"], **DEMO)
    assert (time.perf_counter() - start) / 50 < 0.005
