"""Payment card numbers, IBANs and Nordic bank account numbers — the whole number, however it
is spaced.

- Card: 13–19 digits in groups, passing Luhn (`stdnum.luhn`), starting as card numbers do (2–6).
- IBAN: country code, check digits and account, validated by `stdnum.iban`; a greedy match
  that swallowed the next word is shortened group by group until it validates.
- Bank account: the Danish `reg.nr. + konto` (4 + up to 10 digits), the Swedish `clearing +
  konto`, the Norwegian 11-digit kontonummer (`stdnum.no.kontonr`, modulus 11) and the Finnish
  domestic `123456-785`. Apart from a Norwegian number written `1234.56.78903`, these formats are
  too plain to recognise alone, so the words around them must speak of a bank account.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban, luhn
from stdnum.no import kontonr

from .context import looks_like_amount, window_after, window_before
from .model import BANK_ACCOUNT, CARD, IBAN, Finding
from .national_ids import valid_fodselsnummer

_CARD_RE = re.compile(r"(?<![\w+/.,-])[2-6]\d{1,5}(?:(?:[ -]|\s-\s)?\d{1,6}){2,7}(?![\w]|[-/.,]\d)")
_IBAN_RE = re.compile(
    r"(?<![\w-])[A-Z]{2}\s?\d{2}(?:[ -]?[A-Z0-9]{1,4}){3,9}(?![\w])", re.IGNORECASE
)

_IBAN_LENGTHS = {
    "DK": 18, "SE": 24, "NO": 15, "FI": 18, "IS": 26, "DE": 22, "GB": 22, "NL": 18, "FR": 27,
    "ES": 24, "IT": 27, "PL": 28, "EE": 20, "LT": 20, "LV": 21, "BE": 16, "AT": 20, "CH": 21,
    "IE": 22,
}  # fmt: skip

BANK_WORDS = re.compile(
    r"konto|kontonr|kontonummer|reg\.?\s?nr|regnr|reg\.|registreringsn|clearing|bank|"
    r"tilinumero|tilille|tilille|tili\b|account|sort code|acc\.?\s?no|udbetal|utbetal|"
    r"overfør|overføre|överför|refund|tilbagebetal|tilbakebetal|återbetal|palautus",
    re.IGNORECASE,
)
_DK_RE = re.compile(
    r"(?<![\w+-])\d{4}(?:\s*[-/,]?\s*(?:(?:konto|kontonr|kontonummer|account)\.?:?\s*)?)"
    r"\d{6,10}(?![\w]|[-/.,]\d)",
    re.IGNORECASE,
)
_SE_RE = re.compile(
    r"(?<![\w+-])\d{4}(?:-\d)?[\s,-]+\d{1,4}(?:[ -]?\d{1,4}){1,3}(?:-\d)?(?![\w]|[-/.,]\d)"
)
_NO_RE = re.compile(r"(?<![\w+-])\d{4}(?P<s1>[. ]?)\d{2}(?P=s1)\d{5}(?![\w]|[-/.,]\d)")
_FI_RE = re.compile(r"(?<![\w+-])\d{6}-\d{2,8}(?![\w]|[-/.,]\d)")


def find_cards(text: str) -> Iterator[Finding]:
    for m in _CARD_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            yield Finding(CARD, m.start(), m.end())


def find_ibans(text: str) -> Iterator[Finding]:
    for m in _IBAN_RE.finditer(text):
        value = m.group()
        cuts = [g.end() for g in re.finditer(r"[A-Z0-9]+", value, re.IGNORECASE)]
        found = False
        for cut in reversed(cuts):
            candidate = value[:cut].upper()
            if len(re.sub(r"\W", "", candidate)) < 15:
                break
            if iban.is_valid(candidate):
                yield Finding(IBAN, m.start(), m.start() + cut)
                found = True
                break
        compact = re.sub(r"[ -]", "", value)
        if not found and _IBAN_LENGTHS.get(compact[:2]) == len(compact) and compact.isupper():
            # Shaped like an IBAN but failing its check: not an IBAN, and not a phone number
            # either — its digits are shielded from the other recognizers.
            yield Finding(IBAN, m.start(), m.end(), keep=True)


def _about_bank(text: str, start: int, end: int) -> bool:
    return bool(
        BANK_WORDS.search(window_before(text, start, 60) + " " + window_after(text, end, 20))
    )


def find_bank_accounts(text: str) -> Iterator[Finding]:
    for m in _NO_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if not kontonr.is_valid(digits):
            continue
        if m.group("s1") == "." or _about_bank(text, m.start(), m.end()):
            yield Finding(BANK_ACCOUNT, m.start(), m.end())
        elif not m.group("s1") and not valid_fodselsnummer(digits):
            yield Finding(BANK_ACCOUNT, m.start(), m.end(), priority=60)
    for pattern in (_DK_RE, _SE_RE, _FI_RE):
        for m in pattern.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if not 8 <= len(digits) <= 15:
                continue
            if looks_like_amount(text, m.start(), m.end()):
                continue
            if _about_bank(text, m.start(), m.end()):
                yield Finding(BANK_ACCOUNT, m.start(), m.end())
