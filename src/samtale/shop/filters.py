"""Filters a customer states in words: colours, sizes and prices, in the five languages.

"sort strikkjole i medium under 600 kr" → colours `family:black`, size `M`, at most 600 in the
conversation's currency, and the words left over ("strikkjole") for the search itself.
`kr` means the krone of the conversation's country (DKK, SEK or NOK); an explicit currency
(`€`, `euroa`, `sek`) wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from samtale.shop.models import Product, SearchFilters
from samtale.shop.vocabulary import colour_matches, find_colours, fold

_SIZE_VALUE = r"(?P<size>\d{2,3}(?:\s?[-/]\s?\d{2,3})?|xxs|xs|xxl|xxxl|[2-4]xl|xl|s|m|l)"
_SIZE_PREFIXED = re.compile(
    r"(?<!\w)(?:str\.?|strl\.?|størrelse|størrelsen|storlek|storleken|storl\.?|koko|koon|kokoa|"
    r"koossa|size|sz|nr\.?)\s*:?\s*" + _SIZE_VALUE + r"(?!\w)"
)
_SIZE_AFTER_IN = re.compile(r"(?<!\w)(?:i|in|på)\s+(?P<size>xxs|xs|s|m|l|xl|xxl)(?!\w)")
_SIZE_WORDS = re.compile(
    r"(?<!\w)(?P<size>x-?small|small|medium|x-?large|large|xxs|xs|xxl|xxxl)(?!\w)"
)
_SIZE_NAMES = {"small": "S", "medium": "M", "large": "L", "x-large": "XL", "xlarge": "XL",
               "x-small": "XS", "xsmall": "XS"}  # fmt: skip

_MAX_WORDS = (
    r"under|max\.?|maks\.?|maksimum|højst|hojst|højest|högst|hogst|høyst|hoyst|alle|"
    r"enintään|korkeintaan|below|less than|up to|at most|cheaper than|billigere end|"
    r"billigere enn|billigare än|mindre end|mindre enn|mindre än|op til|upp till|opp til|inntil|"
    r"halvempi kuin|<"
)
_MIN_WORDS = r"over|mindst|minst|vähintään|yli|above|more than|at least|>"
_CURRENCY_WORDS = r"kr\.?|kroner|kronor|krone|krona|dkk|sek|nok|€|eur|euro|euros|euroa|e"
_PRICE = re.compile(
    rf"(?<!\w)(?:(?P<max>{_MAX_WORDS})|(?P<min>{_MIN_WORDS}))\s*(?P<num>\d{{1,6}}(?:[.,]\d{{1,2}})?)"
    rf"\s*(?P<cur>{_CURRENCY_WORDS})?(?!\w)"
    rf"|(?<!\w)(?P<num2>\d{{1,6}}(?:[.,]\d{{1,2}})?)\s*(?P<cur2>{_CURRENCY_WORDS})(?!\w)"
)
_CURRENCY = {"dkk": "DKK", "sek": "SEK", "nok": "NOK", "€": "EUR", "eur": "EUR", "euro": "EUR",
             "euros": "EUR", "euroa": "EUR", "e": "EUR"}  # fmt: skip


@dataclass(frozen=True)
class Parsed:
    filters: SearchFilters
    rest: str  # the folded text without the filter words
    mentioned_price: bool = False


def _normalize_size(raw: str) -> str:
    size = re.sub(r"\s+", "", raw.lower())
    size = _SIZE_NAMES.get(size, size)
    return size.upper() if not size[0].isdigit() else size.replace("/", "-")


def parse_filters(text: str, currency: str) -> Parsed:
    """Colours, sizes and a price range from `text`; `currency` is the conversation's."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    colours = []
    for code, span in find_colours(folded):
        colours.append(code)
        spans.append(span)
    sizes: list[str] = []
    for pattern in (_SIZE_PREFIXED, _SIZE_AFTER_IN, _SIZE_WORDS):
        for m in pattern.finditer(folded):
            if any(s <= m.start() < e for s, e in spans):
                continue
            sizes.append(_normalize_size(m.group("size")))
            spans.append(m.span())
    max_price = min_price = None
    price_currency = None
    for m in _PRICE.finditer(folded):
        if any(s <= m.start() < e for s, e in spans):
            continue
        raw = m.group("num") or m.group("num2")
        unit = (m.group("cur") or m.group("cur2") or "").rstrip(".")
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            continue
        if m.group("num2") and not unit:
            continue
        price_currency = _CURRENCY.get(unit, currency if currency != "EUR" or not unit else "DKK")
        if unit in {"kr", "kroner", "kronor", "krone", "krona"}:
            price_currency = currency if currency in {"DKK", "SEK", "NOK"} else "DKK"
        if m.group("min"):
            min_price = value
        else:
            max_price = value
        spans.append(m.span())
    rest = folded
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    filters = SearchFilters(
        colours=list(dict.fromkeys(colours)),
        sizes=list(dict.fromkeys(sizes)),
        max_price=max_price,
        min_price=min_price,
        currency=price_currency or currency,
    )
    return Parsed(filters, " ".join(rest.split()), max_price is not None or min_price is not None)


def product_fits(product: Product, filters: SearchFilters) -> bool:
    """Does the product come in a wanted colour and size, within the price range?"""
    if filters.colours and not any(
        colour_matches(want, c) for want in filters.colours for c in product.colours
    ):
        return False
    if filters.sizes and not any(
        s.lower() == size.lower() for s in product.sizes for size in filters.sizes
    ):
        return False
    price = product.price(filters.currency or "DKK")
    if filters.max_price is not None and (price is None or price > filters.max_price):
        return False
    return not (filters.min_price is not None and (price is None or price < filters.min_price))
