"""The demo shop's shop window: the products its front page shows, taken from its catalogue.

The page once listed products of its own ("Strik Hav", "Regnjakke Byge") that the catalogue, and
so the bot, had never heard of: a visitor who asked about what they had just seen was told the
shop does not sell it. Now the page shows the first model in stock of a few kinds, read from the
catalogue the bot searches, with the catalogue's names, prices and sizes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from samtale.demo.shop.assortment import PRODUCT_TYPES
from samtale.shop.formatting import money
from samtale.shop.models import Product, pick

# (kind of product, the picture `templates/_pictures.html` draws for it)
WINDOW = (
    ("wool_throw", "plaid"),
    ("sweater", "sweater"),
    ("mug", "mugs"),
    ("bed_linen", "bedding"),
    ("scented_candle", "candle"),
    ("rain_jacket", "jacket"),
)
_SIZE_WORD = {"da": "Str.", "sv": "Strl.", "nb": "Str.", "fi": "Koko", "en": "Size"}


@dataclass(frozen=True)
class WindowItem:
    sku: str
    name: str
    description: str
    price: str
    picture: str


def _of_kind(products: Sequence[Product], code: str) -> list[Product]:
    kind = next(k for k in PRODUCT_TYPES if k.code == code)
    return [p for p in products if p.keywords == kind.keywords]


def _describe(product: Product, language: str) -> str:
    bits = [pick(product.materials, language)]
    sizes = [s for s in product.sizes if s != "One size"]
    if len(sizes) > 1 and all(s.isalpha() for s in sizes):  # XS–XL
        bits.append(f"{_SIZE_WORD[language]} {sizes[0]}–{sizes[-1]}")
    elif sizes:  # 140x200, 200x220
        bits.append(", ".join(sizes))
    return ". ".join(b for b in bits if b) + "."


def shop_window(products: Sequence[Product], language: str = "da") -> list[WindowItem]:
    """The front page's products, one per kind in `WINDOW` (a kind the catalogue lacks is left
    out): the first model in stock, else the first."""
    items = []
    for code, picture in WINDOW:
        models = _of_kind(products, code)
        if not models:
            continue
        product = next((p for p in models if p.stock() > 0), models[0])
        price = product.price("DKK")
        items.append(
            WindowItem(
                sku=product.sku,
                name=product.name(language),
                description=_describe(product, language),
                price=money(price, "DKK", language) if price is not None else "",
                picture=picture,
            )
        )
    return items
