"""Identifiers for the index of keyed hashes: found in messages and typed into a search, both
normalized the same way."""

from __future__ import annotations

import pytest

from samtale.privacy.pii import find_identifiers, normalize_identifier
from samtale.tenants.formats import DEMO_ORDER_NUMBER_PATTERN


def test_identifiers_found_in_a_message_are_normalized() -> None:
    text = (
        "Hej, min ordre #104827361 er ikke kommet. Skriv til Anna.Jensen@Example.com "
        "eller ring +45 22 33 44 55. Anna Jensen, Vesterbrogade 12"
    )
    found = find_identifiers(text, ["da"], order_number_patterns=[DEMO_ORDER_NUMBER_PATTERN])
    assert found == [
        ("order_number", "104827361"),
        ("email", "anna.jensen@example.com"),
        ("phone", "+4522334455"),
    ]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("skriv til anna (at) example (dot) com", "anna@example.com"),
        ("mail: Anna.Jensen at example dot com", "anna.jensen@example.com"),
        ("anna snabel-a example punktum com", "anna@example.com"),
    ],
)
def test_spelt_out_emails_are_indexed_as_the_address(text: str, address: str) -> None:
    """So that a request about the address finds the conversation."""
    assert find_identifiers(text, ["da"]) == [("email", address)]


def test_each_identifier_is_listed_once() -> None:
    text = "ring 22334455 eller 22 33 44 55, eller +45 22 33 44 55"
    assert find_identifiers(text, ["da"]) == [("phone", "+4522334455")]


def test_phone_numbers_are_read_for_the_language_region() -> None:
    assert find_identifiers("ring 070-123 45 67", ["sv"]) == [("phone", "+46701234567")]
    assert find_identifiers("soita 040 1234567", ["fi"]) == [("phone", "+358401234567")]
    assert find_identifiers("ring meg på 91 23 45 67", ["nb"]) == [("phone", "+4791234567")]


def test_names_and_other_kinds_are_not_identifiers() -> None:
    assert find_identifiers("Jeg hedder Anna Jensen, CPR 010190-1009") == []


@pytest.mark.parametrize(
    ("kind", "value", "languages", "expected"),
    [
        ("email", "  Anna.Jensen@Example.COM ", None, "anna.jensen@example.com"),
        ("email", "mailto:ola@online.no", None, "ola@online.no"),
        ("email", "not an address", None, None),
        ("phone", "22 33 44 55", ["da"], "+4522334455"),
        ("phone", "+45 22334455", None, "+4522334455"),
        ("phone", "0045 2233 4455", None, "+4522334455"),
        ("phone", "070-123 45 67", ["sv"], "+46701234567"),
        ("phone", "070-123 45 67", None, "+46701234567"),
        ("phone", "12", None, None),
        ("order_number", " #1048 27361 ", None, "104827361"),
        ("order_number", "ab-123", None, "AB-123"),
        ("ORDER_NUMBER", "#A1", None, "A1"),
    ],
)
def test_normalize_identifier(
    kind: str, value: str, languages: list[str] | None, expected: str | None
) -> None:
    assert normalize_identifier(kind, value, languages) == expected


def test_a_search_finds_what_the_index_holds() -> None:
    found = dict(find_identifiers("Min mail er ANNA@example.com, tlf 22 33 44 55", ["da"]))
    assert normalize_identifier("email", "anna@EXAMPLE.com") == found["email"]
    assert normalize_identifier("phone", "+45 22 33 44 55") == found["phone"]


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError):
        normalize_identifier("cpr", "010190-1009")
