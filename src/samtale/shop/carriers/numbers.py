"""Which carrier a tracking number is from, by its format, when a customer gives only the number.

The table `FORMATS` is the tested list. Where a format has a check digit it is verified, so a
mistyped number is not mistaken for a carrier's:

- **UPU S10** (`RB123456785DK`): two letters, eight digits, a check digit (weights 8 6 4 2 3 5 9
  7, mod 11), the issuing post's country. DK and SE are PostNord, NO is Posten/Bring, FI is
  Posti, DE is Deutsche Post DHL.
- **GS1 SSCC-18** (with or without the `00` application identifier in front, as printed under
  the barcode): the GS1 mod-10 check digit (python-stdnum's), and the country of the GS1 company
  prefix after the extension digit says whose it is: Norway (70x) Bring, Sweden (73x) and
  Denmark (57x) PostNord, Finland (64x) Posti, Germany (400–440) DHL.
- Posti's `JJFI` + 17 digits; DAO's 14 digits starting `00057`; GLS's 11 or 12 digit parcel
  numbers; DHL Express's 10-digit waybills (mod-7 check digit); DHL eCommerce's `JVGL…` and
  `GM…`.

Budbee and Instabox publish no number format, so they are not guessed: their parcels are known
from the shop's platform, which names the carrier. A number may fit more than one format (twelve
digits are GLS's or DHL Paket's); `recognise` gives every candidate, most specific first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import ean

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10_COUNTRIES = {"DK": "postnord", "SE": "postnord", "NO": "bring", "FI": "posti", "DE": "dhl"}


def s10_check_digit(serial: str) -> str:
    total = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "0" if check == 10 else "5" if check == 11 else str(check)


def _s10(number: str) -> str | None:
    match = re.fullmatch(r"[A-Z]{2}(\d{8})(\d)([A-Z]{2})", number)
    if match is None or s10_check_digit(match[1]) != match[2]:
        return None
    return _S10_COUNTRIES.get(match[3])


def _gs1_valid(digits: str) -> bool:
    return ean.calc_check_digit(digits[:-1]) == digits[-1]


def _sscc(number: str) -> str | None:
    match = re.fullmatch(r"(?:00)?(\d{18})", number)
    if match is None or not _gs1_valid(match[1]):
        return None
    prefix = int(match[1][1:4])
    if 700 <= prefix <= 709:
        return "bring"
    if 730 <= prefix <= 739 or 570 <= prefix <= 579:
        return "postnord"
    if 640 <= prefix <= 649:
        return "posti"
    if 400 <= prefix <= 440:
        return "dhl"
    return None


def _dhl_express(number: str) -> bool:
    return int(number[:9]) % 7 == int(number[9])


@dataclass(frozen=True)
class Format:
    name: str
    pattern: str
    carrier: str | None = None  # None: `decide` says which
    decide: Callable[[str], str | None] | None = None
    check: Callable[[str], bool] | None = None

    def carrier_of(self, number: str) -> str | None:
        if not re.fullmatch(self.pattern, number):
            return None
        if self.check is not None and not self.check(number):
            return None
        return self.decide(number) if self.decide is not None else self.carrier


FORMATS: tuple[Format, ...] = (
    Format("UPU S10", r"[A-Z]{2}\d{9}[A-Z]{2}", decide=_s10),
    Format("Posti JJFI", r"JJFI\d{17}", "posti"),
    Format("DHL eCommerce", r"(?:JVGL\d{16,24}|GM\d{16,22})", "dhl"),
    Format("DAO", r"00057\d{9}", "dao"),
    Format("GS1 SSCC", r"(?:00)?\d{18}", decide=_sscc),
    Format("DHL Express waybill", r"\d{10}", "dhl", check=_dhl_express),
    Format("GLS parcel number", r"\d{11,12}", "gls"),
    Format("DHL Paket", r"\d{12}", "dhl"),
)


def clean(number: str) -> str:
    return "".join(number.split()).upper()


def recognise(number: str) -> list[str]:
    """Every carrier `number` may be from, most specific format first."""
    number = clean(number)
    found = (f.carrier_of(number) for f in FORMATS)
    return list(dict.fromkeys(c for c in found if c is not None))


def carrier_for(number: str) -> str | None:
    """The carrier when the format says so unambiguously."""
    candidates = recognise(number)
    return candidates[0] if len(candidates) == 1 else None
