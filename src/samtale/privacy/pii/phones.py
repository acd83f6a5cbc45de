"""Phone numbers, read by `phonenumbers` for the Nordic regions and the text's language.

A candidate is a run of digits with the separators people type (spaces, dashes, dots, a slash,
`(0)`), optionally led by `+45` or `0045`. It is a phone number when `phonenumbers` calls it
valid for one of the regions tried, in order: the regions of the text's languages, then DK, SE,
NO and FI. National numbers must look national: Swedish, Finnish and British numbers start with
their trunk `0` (`070-123 45 67`, `040 1234567`), Danish and Norwegian ones are eight digits.
Dates, times, prices and numbers that the words before them call something else (`varenr.`,
`ordre`, `faktura`) are not phone numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import phonenumbers

from .context import LANGUAGE_REGION, looks_like_amount, looks_like_date, says_not_phone
from .model import PHONE, Finding

NORDIC_REGIONS = ("DK", "SE", "NO", "FI")
_TRUNK_ZERO = {"SE", "FI", "GB", "IE"}
_EIGHT_DIGITS = {"DK", "NO"}

_CANDIDATE = re.compile(
    r"(?<![\w+#@/=&%-])(?<!\d[.,:])"
    r"(?:\(?(?:\+|00)\s?\d{1,3}\)?[\s.-]?(?:\(0\)\s?)?)?"
    r"(?:\(\d{1,5}\)\s?)?"
    r"\d(?:(?:[ .\-/]|\s-\s)?\d){5,13}"
    r"(?![\w]|[.,]\d|[-/]\d)"
)
_GROUP_SPLIT = re.compile(r"\s+")


def regions_for(languages: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for lang in languages:
        region = LANGUAGE_REGION.get(lang)
        if region and region not in out:
            out.append(region)
    for region in NORDIC_REGIONS:
        if region not in out:
            out.append(region)
    return tuple(out)


def parse_phone(value: str, regions: Sequence[str]) -> phonenumbers.PhoneNumber | None:
    """The valid phone number that `value` is, read for the first region that fits."""
    raw = value.strip()
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 7 or len(digits) > 15:
        return None
    international = raw.startswith(("+", "(+", "00", "(00"))
    if international:
        cleaned = "+" + digits[2:] if raw.lstrip("(").startswith("00") else "+" + digits
        try:
            number = phonenumbers.parse(cleaned, None)
        except phonenumbers.NumberParseException:
            return None
        return number if phonenumbers.is_valid_number(number) else None
    for region in regions:
        if region in _TRUNK_ZERO and not digits.startswith("0"):
            continue
        if region in _EIGHT_DIGITS and (len(digits) != 8 or digits.startswith("0")):
            continue
        try:
            number = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _plausible_national(value: str) -> bool:
    """Danish and Norwegian numbers are written 8, 4+4, 2+2+2+2 or 3+2+3 digits."""
    groups = [len(g) for g in re.split(r"[\s.\-/]+", value.strip()) if g]
    return groups in ([8], [4, 4], [2, 2, 2, 2], [3, 2, 3], [2, 3, 3], [2, 2, 4], [4, 2, 2])


def _accept(text: str, start: int, end: int, regions: Sequence[str]) -> bool:
    value = text[start:end]
    if looks_like_date(value) or looks_like_amount(text, start, end):
        return False
    digits = re.sub(r"\D", "", value)
    if (
        len(digits) == 8
        and not value.lstrip().startswith(("0", "+", "("))
        and not _plausible_national(value)
    ):
        return False
    if says_not_phone(text, start):
        return False
    return parse_phone(value, regions) is not None


def find_phones(text: str, languages: Sequence[str]) -> Iterator[Finding]:
    regions = regions_for(languages)
    for m in _CANDIDATE.finditer(text):
        start, end = m.start(), m.end()
        if _accept(text, start, end, regions):
            yield Finding(PHONE, start, end)
            continue
        # Several numbers side by side ("22 33 44 55 70 10 20 30"): try the groups. A long run
        # in groups of four is a card or an account number that failed its check, not phones.
        groups = [(g.start() + start, g.end() + start) for g in re.finditer(r"\S+", m.group())]
        sizes = {len(re.sub(r"\D", "", text[s:e])) for s, e in groups}
        if len(groups) < 2 or len(re.sub(r"\D", "", m.group())) < 14 or sizes == {4}:
            continue
        i = 0
        while i < len(groups):
            for j in range(len(groups), i, -1):
                s, e = groups[i][0], groups[j - 1][1]
                if (s, e) != (start, end) and _accept(text, s, e, regions):
                    yield Finding(PHONE, s, e)
                    i = j - 1
                    break
            i += 1
