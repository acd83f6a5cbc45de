"""The tested table of tracking-number formats: which carrier each number is from, and that a
mistyped check digit is not mistaken for one."""

from __future__ import annotations

import pytest

from samtale.shop.carriers.numbers import carrier_for, recognise, s10_check_digit

TABLE = [
    # UPU S10: the issuing post's country after a valid check digit.
    ("RB123456785DK", ["postnord"]),
    ("rb 123 456 785 se", ["postnord"]),
    ("CP123456785NO", ["bring"]),
    ("LX123456785FI", ["posti"]),
    ("RR123456785DE", ["dhl"]),
    ("RR123456785US", []),  # another country's post: not a carrier of ours
    ("RB123456784DK", []),  # wrong check digit
    # GS1 SSCC (18 digits, or 20 with the 00 application identifier).
    ("370701234567890125", ["bring"]),
    ("00370701234567890125", ["bring"]),
    ("373123456789012348", ["postnord"]),
    ("357012345678901236", ["postnord"]),
    ("364012345678901234", ["posti"]),
    ("340401234567890121", ["dhl"]),
    ("370701234567890126", []),  # wrong check digit
    ("399012345678901236", []),  # a GS1 prefix of no carrier of ours
    # Carrier-specific formats.
    ("JJFI12345678901234567", ["posti"]),
    ("00057123456789", ["dao"]),
    ("JVGL0123456789012345", ["dhl"]),
    ("GM1234567890123456", ["dhl"]),
    ("1234567891", ["dhl"]),  # DHL Express waybill, mod-7 check
    ("1234567892", []),
    ("12345678901", ["gls"]),
    ("123456789012", ["gls", "dhl"]),  # GLS or DHL Paket: both, GLS first
    ("hello", []),
]


@pytest.mark.parametrize(("number", "carriers"), TABLE)
def test_recognise(number: str, carriers: list[str]) -> None:
    assert recognise(number) == carriers


def test_carrier_for_only_when_unambiguous() -> None:
    assert carrier_for("RB123456785DK") == "postnord"
    assert carrier_for("123456789012") is None
    assert carrier_for("nonsense") is None


def test_s10_check_digit_special_cases() -> None:
    assert s10_check_digit("47312482") == "9"  # the UPU's worked example
    assert s10_check_digit("00000008") == "0"  # 11 - 1 = 10 → 0
    assert s10_check_digit("00000015") == "5"  # 11 - 0 = 11 → 5
