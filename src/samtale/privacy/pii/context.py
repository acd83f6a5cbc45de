"""Small helpers that read the words around a number: what it is called, and what it is not.

A digit run alone rarely says what it is. The words just before it ("tlf.", "varenr.", "reg.nr.")
and just after it ("kr", "%", "stk") decide between a phone number, a product number and a
price; these helpers keep that reading in one place for every recognizer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# How each language's text is read: the phone regions to try first.
LANGUAGE_REGION: dict[str, str] = {"da": "DK", "sv": "SE", "nb": "NO", "fi": "FI", "en": "GB"}
ALL_LANGUAGES: tuple[str, ...] = ("da", "sv", "nb", "fi", "en")
_ALIASES = {"no": "nb", "nn": "nb", "nob": "nb", "dan": "da", "swe": "sv", "fin": "fi", "eng": "en"}


def read_languages(languages: Iterable[str] | None) -> tuple[str, ...]:
    """Read language codes (`da`, `no`, `sv-SE` ...) as supported codes; None means all five."""
    if languages is None:
        return ALL_LANGUAGES
    if isinstance(languages, str):
        languages = [languages]
    out: list[str] = []
    for code in languages:
        base = code.strip().replace("_", "-").split("-")[0].lower()
        base = _ALIASES.get(base, base)
        if base in LANGUAGE_REGION and base not in out:
            out.append(base)
    return tuple(out) or ALL_LANGUAGES


def window_before(text: str, start: int, size: int = 32) -> str:
    """The lowercased text just before `start` (at most `size` characters)."""
    return text[max(0, start - size) : start].lower()


def window_after(text: str, end: int, size: int = 16) -> str:
    """The lowercased text just after `end` (at most `size` characters)."""
    return text[end : end + size].lower()


def _words(*words: str) -> re.Pattern[str]:
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(words) + r")(?![^\W\d_])")


# Words that say the next number is a phone number.
PHONE_WORDS = _words(
    r"tlf",
    r"tel",
    r"telefon\w*",
    r"mobil\w*",
    r"mob",
    r"ring\w*",
    r"phone",
    r"cell",
    r"call",
    r"sms",
    r"whatsapp",
    r"puh",
    r"puhelin\w*",
    r"kontakt\w*",
    r"soita\w*",
    r"tekstaa",
)

# Words that say the next number is something else: a product, an invoice, an order, a parcel.
NOT_PHONE_WORDS = _words(
    r"vare\s?n(?:r|ummer)\w*",
    r"varenr",
    r"art(?:ikel)?\.?\s?(?:nr|nummer)\w*",
    r"artikkel\w*",
    r"artikel\w*",
    r"sku",
    r"ean",
    r"gtin",
    r"isbn",
    r"produkt\w*",
    r"product\w*",
    r"item",
    r"model\w*",
    r"tuote\w*",
    r"faktura\w*",
    r"invoice\w*",
    r"lasku\w*",
    r"ordre\w*",
    r"order\w*",
    r"bestilling\w*",
    r"beställning\w*",
    r"tilaus\w*",
    r"kunde\w*",
    r"kund\w*",
    r"asiakas\w*",
    r"customer",
    r"reference\w*",
    r"referens\w*",
    r"ref",
    r"pakke\w*",
    r"kolli\w*",
    r"forsendelse\w*",
    r"försändelse\w*",
    r"sendung\w*",
    r"tracking\w*",
    r"spor\w*",
    r"spårning\w*",
    r"seuranta\w*",
    r"lähetys\w*",
    r"konto\w*",
    r"account",
    r"tili\w*",
    r"reg",
    r"clearing\w*",
    r"cpr",
    r"personn\w*",
    r"fødselsn\w*",
    r"henkilötunnus",
    r"hetu",
    r"ssn",
    r"pin",
    r"kode",
    r"kod",
    r"code",
    r"koodi",
    r"serie\w*",
    r"serial",
    r"imei",
    r"stk",
    r"styk\w*",
    r"kpl",
    r"pcs",
    r"st",
    r"x",
)

# After a number: it is an amount, a size, a share, a unit.
_UNIT_AFTER = re.compile(
    r"^\s?(?:kr\b|kr\.|,-|:-|dkk|sek|nok|eur|euro|€|\$|£|usd|gbp|%|pct|procent|prosent|"
    r"stk|st\b|kpl|pcs|pieces|g\b|kg|gram|ml|cl|l\b|mm|cm|m\b|km|mah|gb|tb|mb|w\b|kw|"
    r"v\b|hz|mhz|ghz|år|years|vuotta|dage|days|dagar|dager|päivää|timer|timar|hours)"
)
_UNIT_BEFORE = re.compile(r"(?:kr\.?|dkk|sek|nok|eur|€|\$|£|usd|gbp)\s?$")

# Dates and times written with dots, dashes or slashes; decimals with a comma.
_DATE_LIKE = re.compile(
    r"^(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2}"
    r"|\d{1,2}[.:]\d{2}(?:\s?-\s?\d{1,2}[.:]\d{2})?)$"
)


def looks_like_date(value: str) -> bool:
    return bool(_DATE_LIKE.match(value.strip()))


def looks_like_amount(text: str, start: int, end: int) -> bool:
    """True when the number at text[start:end] is an amount, a quantity or a size."""
    if _UNIT_AFTER.match(text[end : end + 12].lower()):
        return True
    if _UNIT_BEFORE.search(text[max(0, start - 6) : start].lower()):
        return True
    # "1.299,95" — a decimal comma right after the number
    return bool(re.match(r",\d", text[end : end + 2]))


def nearest(pattern: re.Pattern[str], text: str) -> int:
    """Distance from the end of `text` to the last match of `pattern` in it (-1 when none)."""
    last = -1
    for m in pattern.finditer(text):
        last = m.end()
    return -1 if last < 0 else len(text) - last


def says_not_phone(text: str, start: int) -> bool:
    """True when the words just before `start` name the number as something else."""
    before = window_before(text, start, 28)
    other = nearest(NOT_PHONE_WORDS, before)
    if other < 0:
        return False
    phone = nearest(PHONE_WORDS, before)
    return phone < 0 or other < phone
