"""Entities the bot's flows and answers need from a customer's message: order numbers, tracking
numbers, e-mails, phone numbers, sizes, colours, amounts and dates.

Order and tracking numbers follow the shop's own formats (regular expressions from its settings);
phone numbers are parsed with `phonenumbers`, the region that fits the language first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import phonenumbers

from samtale.kernel.patterns import PatternError, compile_pattern

EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}(?![\w-])", re.UNICODE
)
_REGION = {"da": "DK", "sv": "SE", "nb": "NO", "fi": "FI", "en": "GB"}
_NORDIC = ("DK", "SE", "NO", "FI")

_SIZE = re.compile(
    r"\b(?:str\.?|størrelse|storlek|størrelsen|storleken|koko|kokoa|size|sz)\s*:?\s*"
    r"(?P<size>\d{2,3}(?:[/-]\d{2,3})?|xxs|xs|s|m|l|xl|xxl|xxxl|[2-4]xl)\b",
    re.IGNORECASE,
)
_SIZE_WORD = re.compile(
    r"\b(?P<size>xxs|xs|xxl|xxxl|[2-4]xl|small|medium|large|x-large)\b", re.IGNORECASE
)
_SIZE_NAMES = {"small": "S", "medium": "M", "large": "L", "x-large": "XL"}

COLOURS: dict[str, tuple[str, ...]] = {
    "black": ("sort", "sorte", "svart", "svarta", "svarte", "musta", "mustan", "black"),
    "white": ("hvid", "hvide", "vit", "vita", "hvit", "hvite", "valkoinen", "valkoisen", "white"),
    "grey": ("grå", "gra", "grå", "gråa", "harmaa", "harmaan", "grey", "gray"),
    "blue": ("blå", "bla", "blåa", "blåe", "sininen", "sinisen", "blue", "navy", "marineblå"),
    "red": ("rød", "rod", "røde", "röd", "röda", "punainen", "punaisen", "red"),
    "green": ("grøn", "grønne", "grön", "gröna", "grønn", "grønne", "vihreä", "vihreän", "green"),
    "beige": ("beige", "sand", "hiekka"),
    "brown": ("brun", "brune", "bruna", "ruskea", "ruskean", "brown"),
    "pink": ("lyserød", "rosa", "pink", "vaaleanpunainen"),
    "yellow": ("gul", "gule", "gula", "keltainen", "yellow"),
}
_COLOUR_OF = {word: colour for colour, words in COLOURS.items() for word in words}

_AMOUNT = re.compile(
    r"(?P<op>under|max|maks|højst|hojst|højest|högst|hogst|alle|below|less than|up to|over|mindst|minst|yli|above)?\s*"
    r"(?P<num>\d{1,6}(?:[.,]\d{1,2})?)\s*(?P<cur>kr\.?|kroner|kronor|dkk|sek|nok|€|eur|euro|e)(?!\w)",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})|(?P<d2>\d{1,2})[./](?P<m2>\d{1,2})(?:[./](?P<y2>\d{2,4}))?)\b"
)


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str | None  # DKK, SEK, NOK, EUR, or None for "kr" (the shop's krone)
    bound: str | None  # "max", "min" or None


def find_emails(text: str) -> list[str]:
    return [m.group(0).strip(".").lower() for m in EMAIL.finditer(text)]


def find_pattern(text: str, patterns: Iterable[str]) -> list[str]:
    """Matches of the shop's patterns, normalised: upper case, no spaces, no leading '#'."""
    found: list[str] = []
    for pattern in patterns:
        try:
            compiled = compile_pattern(pattern, ignore_case=True)
        except PatternError:
            continue  # stored before the checks at save time; never breaks a message
        for m in compiled.finditer(text):
            value = re.sub(r"\s+", "", m.group(0)).lstrip("#").upper()
            if value not in found:
                found.append(value)
    return found


def find_phones(text: str, language: str | None = None) -> list[str]:
    regions = [_REGION.get(language or "", "DK"), *_NORDIC]
    found: list[str] = []
    for region in dict.fromkeys(regions):
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in found:
                found.append(e164)
        if found:
            break
    return found


def find_sizes(text: str) -> list[str]:
    sizes = [m.group("size").upper() for m in _SIZE.finditer(text)]
    for m in _SIZE_WORD.finditer(text):
        word = m.group("size").lower()
        sizes.append(_SIZE_NAMES.get(word, word.upper()))
    return list(dict.fromkeys(sizes))


def find_colours(text: str) -> list[str]:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return list(dict.fromkeys(_COLOUR_OF[w] for w in words if w in _COLOUR_OF))


def find_amounts(text: str) -> list[Amount]:
    out = []
    for m in _AMOUNT.finditer(text):
        value = float(m.group("num").replace(",", "."))
        cur = m.group("cur").lower().rstrip(".")
        currency = {
            "dkk": "DKK",
            "sek": "SEK",
            "nok": "NOK",
            "€": "EUR",
            "eur": "EUR",
            "euro": "EUR",
            "e": "EUR",
        }.get(cur)
        op = (m.group("op") or "").lower()
        bound = (
            "max"
            if op
            in {
                "under",
                "max",
                "maks",
                "højst",
                "hojst",
                "højest",
                "högst",
                "hogst",
                "below",
                "less than",
                "up to",
                "alle",
            }
            else ("min" if op else None)
        )
        out.append(Amount(value, currency, bound))
    return out


def find_dates(text: str, today: date | None = None) -> list[date]:
    today = today or date.today()
    out = []
    for m in _DATE.finditer(text):
        try:
            if m.group("y"):
                out.append(date(int(m.group("y")), int(m.group("m")), int(m.group("d"))))
            else:
                year = m.group("y2")
                y = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
                out.append(date(y, int(m.group("m2")), int(m.group("d2"))))
        except ValueError:
            continue
    return out


def find_number(text: str) -> float | None:
    m = re.search(r"-?\d+(?:[.,]\d+)?", text)
    return float(m.group(0).replace(",", ".")) if m else None


def match_choice(text: str, choices: Sequence[str]) -> str | None:
    """The choice the text names (case- and accent-insensitive, whole words)."""
    norm = text.strip().lower()
    for choice in choices:
        if norm == choice.lower():
            return choice
    for choice in choices:
        if re.search(rf"\b{re.escape(choice.lower())}\b", norm):
            return choice
    return None
