"""Key-less tracking links for every carrier, and carrier codes from platforms' names."""

from __future__ import annotations

import pytest

from samtale.shop.carriers.links import LINKS, tracking_link
from samtale.shop.carriers.names import NAMES, carrier_code


def test_every_carrier_has_a_link_with_the_number() -> None:
    assert set(LINKS) == set(NAMES) == {
        "postnord", "gls", "dao", "bring", "posti", "budbee", "instabox", "dhl",
    }  # fmt: skip
    for carrier in LINKS:
        for language in ("da", "sv", "nb", "fi", "en"):
            link = tracking_link(carrier, " rb 123 ", language)
            assert link is not None and link.startswith("https://")
            assert "RB123" in link and " " not in link


def test_links_in_the_customers_language() -> None:
    assert tracking_link("postnord", "RB123456785DK", "da") == (
        "https://tracking.postnord.com/dk/?id=RB123456785DK"
    )
    assert tracking_link("bring", "370701234567890125", "nb") == (
        "https://sporing.posten.no/sporing/370701234567890125"
    )
    assert "/fi/" in (tracking_link("posti", "JJFI1", "fi") or "")


def test_no_link_for_an_unknown_carrier_or_an_empty_number() -> None:
    assert tracking_link("pigeon", "123") is None
    assert tracking_link("gls", "  ") is None
    assert tracking_link("gls", "a/b?c") == (
        "https://gls-group.com/GROUP/en/parcel-tracking?match=A%2FB%3FC"
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("PostNord DK", "postnord"),
        ("PostNord Sverige AB", "postnord"),
        ("Post Nord", "postnord"),
        ("Posten Norge", "bring"),
        ("Bring", "bring"),
        ("GLS Denmark", "gls"),
        ("DAO365", "dao"),
        ("dao", "dao"),
        ("Posti", "posti"),
        ("Budbee", "budbee"),
        ("Instabox", "instabox"),
        ("DHL Express", "dhl"),
        ("dhl", "dhl"),
        ("UPS", None),
        ("", None),
        (None, None),
    ],
)
def test_carrier_code(name: str | None, code: str | None) -> None:
    assert carrier_code(name) == code
