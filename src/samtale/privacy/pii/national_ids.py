"""National identity numbers: Danish CPR, Swedish personnummer and samordningsnummer,
Norwegian fødselsnummer and D-nummer, Finnish henkilötunnus.

Each is checked with `python-stdnum` (date, and check digits where the number has them):

- CPR `DDMMYY-SSSS`: a valid date is enough when the number is written with its dash, since CPR
  numbers issued since 2007 need not pass the old modulus-11 check; ten bare digits must pass it,
  or be called a CPR number by the words before them.
- personnummer `YYMMDD-NNNC` / `YYYYMMDDNNNC` (Luhn), samordningsnummer with day + 60.
- fødselsnummer `DDMMYYIIICC` (two check digits), D-nummer with day + 40.
- henkilötunnus `DDMMYYCZZZQ` with the century sign `+ - A…F U…Y`.

A number of one of these shapes that the words before it call an identity number is masked
even when its check digits fail, as long as it starts with a plausible date: a customer who
mistypes one digit of their personnummer has still written it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

from stdnum import luhn
from stdnum.dk import cpr
from stdnum.fi import hetu
from stdnum.no import fodselsnummer

from .context import PHONE_WORDS, nearest, window_after, window_before
from .model import NATIONAL_ID, Finding

ID_WORDS = re.compile(
    r"cpr|person\s?n(?:r|ummer)|personnr|p-?nr|samordningsn|fødselsn|fødselsnr|fnr|"
    r"f\.nr|d-?nummer|henkilötun|hetu|sotu|social security|ssn|personal (?:id|number)|"
    r"id-?n(?:r|ummer)|national id|personbevis",
    re.IGNORECASE,
)

_END = r"(?![\w]|[-/.,]\d)"
_MOBILE = re.compile(r"^(?:07[02369]|04\d|050)")
_HETU_RE = re.compile(r"(?<![\w-])\d{6}[-+ABCDEFUVWXY]\d{3}[0-9ABCDEFHJKLMNPRSTUVWXY]" + _END, re.I)
_SE12_RE = re.compile(r"(?<![\w+-])(?:19|20)\d{6}\s?[-+]?\s?\d{4}" + _END)
_NO11_RE = re.compile(r"(?<![\w+-])\d{6}\s?\d{5}" + _END)
_TEN_RE = re.compile(r"(?<![\w+-])(?P<date>\d{6})(?P<sep>\s?[-+]\s?|\s)?(?P<serial>\d{4})" + _END)


def _has_id_words(text: str, start: int, end: int) -> bool:
    return bool(ID_WORDS.search(window_before(text, start, 40) + " " + window_after(text, end, 12)))


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def valid_personnummer(date6: str, serial4: str, century: str = "") -> bool:
    """Swedish personnummer or samordningsnummer (day + 60), Luhn over the last ten digits."""
    digits = date6 + serial4
    if not luhn.is_valid(digits):
        return False
    yy, month, day = int(date6[0:2]), int(date6[2:4]), int(date6[4:6])
    if day > 60:
        day -= 60
    year = int(century + date6[0:2]) if century else 2000 + yy
    return _valid_date(year, month, day) or (not century and _valid_date(1900 + yy, month, day))


def valid_cpr_date(digits10: str) -> bool:
    return cpr.is_valid(digits10)


def valid_cpr_checksum(digits10: str) -> bool:
    return cpr.is_valid(digits10) and cpr.checksum(digits10) == 0


def valid_fodselsnummer(digits11: str) -> bool:
    return fodselsnummer.is_valid(digits11)


def valid_hetu(value: str) -> bool:
    try:
        hetu.validate(value.upper(), allow_temporary=True)
    except Exception:
        return False
    return True


def plausible_id_date(date6: str) -> bool:
    """Whether six digits read as the date of some Nordic identity number: `DDMMYY` (day + 40
    for a D-nummer) or `YYMMDD` (day + 60 for a samordningsnummer), in any century."""
    a, b, c = int(date6[0:2]), int(date6[2:4]), int(date6[4:6])
    ddmmyy = any(_valid_date(2000 + c, b, d) for d in (a, a - 40) if d > 0)
    yymmdd = any(_valid_date(2000 + a, b, d) for d in (c, c - 60) if d > 0)
    return ddmmyy or yymmdd


def _named_shape(text: str, m: re.Match[str], date6: str) -> bool:
    """A number that the words before it call an identity number ("personnummer", "fnr",
    "hetu" ...) and that starts with a plausible date: masked even when its check digits are
    wrong, since a mistyped identity number is still the person's."""
    return _has_id_words(text, m.start(), m.end()) and plausible_id_date(date6)


def find_national_ids(text: str) -> Iterator[Finding]:
    for m in _HETU_RE.finditer(text):
        if valid_hetu(m.group()) or _named_shape(text, m, m.group()[:6]):
            yield Finding(NATIONAL_ID, m.start(), m.end())
    for m in _SE12_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if valid_personnummer(digits[2:8], digits[8:], century=digits[:2]) or _named_shape(
            text, m, digits[2:8]
        ):
            yield Finding(NATIONAL_ID, m.start(), m.end())
    for m in _NO11_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if valid_fodselsnummer(digits) or _named_shape(text, m, digits[:6]):
            yield Finding(NATIONAL_ID, m.start(), m.end())
    for m in _TEN_RE.finditer(text):
        date6, serial = m.group("date"), m.group("serial")
        sep = (m.group("sep") or "").strip()
        spaced = m.group("sep") is not None and not sep
        digits = date6 + serial
        named = _has_id_words(text, m.start(), m.end())
        is_se = valid_personnummer(date6, serial)
        if sep in ("-", "+") or named:
            ok = is_se or valid_cpr_date(digits) or (named and plausible_id_date(date6))
        elif spaced:
            ok = is_se or valid_cpr_checksum(digits)
        else:
            ok = is_se or valid_cpr_checksum(digits)
            if ok and digits.startswith("0") and not named:
                # Ten bare digits with a trunk zero may be a Swedish or Finnish phone number:
                # a mobile prefix or the words before it say so.
                before = window_before(text, m.start(), 28)
                if nearest(PHONE_WORDS, before) >= 0 or _MOBILE.match(digits):
                    ok = False
        if ok:
            yield Finding(NATIONAL_ID, m.start(), m.end())
