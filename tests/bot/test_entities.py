from __future__ import annotations

from datetime import date

from samtale.bot import entities as e
from samtale.tenants.formats import DEMO_ORDER_NUMBER_PATTERN, DEMO_TRACKING_PATTERNS


def test_order_and_tracking_numbers_follow_the_shops_formats() -> None:
    assert e.find_pattern("ordre #104827361, tak", [DEMO_ORDER_NUMBER_PATTERN]) == ["104827361"]
    assert e.find_pattern("ordre 1048273610", [DEMO_ORDER_NUMBER_PATTERN]) == []
    assert e.find_pattern(
        "rb123456785se og JJFI12345678901234567", DEMO_TRACKING_PATTERNS.values()
    ) == ["RB123456785SE", "JJFI12345678901234567"]


def test_emails_and_phones() -> None:
    assert e.find_emails("skriv til Anna.Hansen@Example.COM.") == ["anna.hansen@example.com"]
    assert e.find_emails("ingen mail her @ eller der") == []
    assert e.find_phones("ring på 20 30 40 50", "da") == ["+4520304050"]
    assert e.find_phones("070-123 45 67", "sv") == ["+46701234567"]
    assert e.find_phones("+47 912 34 567", "en") == ["+4791234567"]
    assert e.find_phones("ordre 104827361", "da") == []


def test_sizes_colours_amounts_dates() -> None:
    assert e.find_sizes("har I den i str 40 eller medium?") == ["40", "M"]
    assert e.find_sizes("koko L") == ["L"]
    assert e.find_colours("den sorte kjole eller en blå") == ["black", "blue"]
    assert e.find_colours("svart eller vit") == ["black", "white"]
    assert e.find_amounts("noget under 300 kr") == [e.Amount(300.0, None, "max")]
    assert e.find_amounts("max 49,95 €")[0] == e.Amount(49.95, "EUR", "max")
    assert e.find_dates("12.03.2025 og 2024-01-02") == [date(2025, 3, 12), date(2024, 1, 2)]
    assert e.find_dates("31.02.2025") == []
    assert e.match_choice("Jeg vil have en Ombytning tak", ["Retur", "Ombytning"]) == "Ombytning"
