"""Reading a platform's product data into Samtale's `Product`: which option is a colour and
which a size (in the five languages and English), the colour's code when the shop's word is one
the bot knows, prices per currency, and plain text from a description's HTML."""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from samtale.shop.vocabulary import find_colours, fold

COLOUR_OPTIONS = frozenset(
    {"color", "colour", "farve", "farge", "färg", "farg", "väri", "vari", "colours", "colors"}
)
SIZE_OPTIONS = frozenset({"size", "størrelse", "storrelse", "storlek", "koko", "str", "sizes"})
LANGUAGES = ("da", "sv", "nb", "fi", "en")

_TAG = re.compile(r"<[^>]+>")


def plain(text: str | None) -> str:
    """Text from HTML: tags dropped, entities read, whitespace collapsed."""
    if not text:
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def option_kind(name: str) -> str | None:
    """`colour`, `size` or None for an option's name ("Farve", "Storlek", "Size")."""
    folded = fold(name).strip().lower()
    if folded in COLOUR_OPTIONS or name.strip().lower() in COLOUR_OPTIONS:
        return "colour"
    if folded in SIZE_OPTIONS or name.strip().lower() in SIZE_OPTIONS:
        return "size"
    return None


def colour_code(value: str | None) -> str | None:
    """The bot's colour code for a shop's colour word ("Sort" → `black`), else the word."""
    if not value:
        return None
    found = [code for code, _ in find_colours(fold(value))]
    exact = [code for code in found if not code.startswith("family:")]
    if exact:
        return exact[0]
    return found[0].removeprefix("family:") if found else value.strip()


def language_of(locale: str) -> str | None:
    """Our language code for a platform's locale (`da`, `sv-SE`, `nb_NO`, `no`, `fi`, `en-GB`)."""
    code = re.split(r"[-_]", locale.strip().lower())[0]
    code = {"no": "nb", "nn": "nb"}.get(code, code)
    return code if code in LANGUAGES else None


def money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None
