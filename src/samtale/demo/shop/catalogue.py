"""The demo catalogue: a pure function of a seed.

`generate_catalogue(seed)` gives the same products, in the same order, with the same SKUs,
prices and stock on every machine and in every run: a `random.Random(seed)` is the only source
of choice, and the kinds, materials and names it chooses from are fixed tables
(`assortment.py`, `materials.py`). The demo shop's ~560 products come from `DEMO_SEED`;
benchmarks ask for larger catalogues (`size=20_000`) of the same shape.

Prices are set in DKK from the shop's price points and derived for the other countries the way
a Nordic shop rounds them (SEK and NOK end in 9, EUR in .95).
"""

from __future__ import annotations

import math
import random
from decimal import Decimal

from samtale.demo.shop.assortment import (
    CATEGORIES,
    FASHION_NAMES,
    HOME_NAMES,
    PRICE_POINTS_DKK,
    PRODUCT_TYPES,
    SIZES,
    STYLE_WORDS,
    ProductType,
)
from samtale.demo.shop.materials import CARE, MATERIALS
from samtale.shop.models import Image, Localized, Product, Variant
from samtale.shop.vocabulary import LANGUAGES

DEMO_SEED = 20260105
SHOP_URL = "https://nordhjem.example"

_MATERIAL_LABEL = {"da": "Materiale", "sv": "Material", "nb": "Materiale", "fi": "Materiaali",
                   "en": "Material"}  # fmt: skip


def prices_for(dkk: int) -> dict[str, Decimal]:
    """The shop's price in every currency it sells in."""

    def ends_in_9(value: float) -> Decimal:
        return Decimal(max(9, round(value / 10) * 10 - 1))

    eur = max(1, round(dkk / 7.46)) - Decimal("0.05")
    return {
        "DKK": Decimal(dkk),
        "SEK": ends_in_9(dkk * 1.5),
        "NOK": ends_in_9(dkk * 1.55),
        "EUR": Decimal(eur).quantize(Decimal("0.01")),
    }


def _stock(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.15:
        return 0
    if roll < 0.35:
        return rng.randint(1, 3)
    return rng.randint(4, 40)


def product_name(kind_name: str, model: str) -> str:
    """ "Strikkjole" + "Ingrid" → "Strikkjole Ingrid"; "Drikkeglas, 4 stk." → "Drikkeglas Visby,
    4 stk." """
    head, sep, tail = kind_name.partition(", ")
    return f"{head} {model}{sep}{tail}"


def search_text_for(kind: ProductType) -> Localized:
    """What semantic search reads for a kind of product (shared by all its models)."""
    return {lang: f"{kind.names[lang]}. {kind.blurb[lang]}" for lang in LANGUAGES}


def make_product(rng: random.Random, kind: ProductType, model: str, number: int) -> Product:
    sku = f"NH-{number}"
    material = MATERIALS[rng.choice(kind.materials)]
    colour_count = min(len(kind.palette), rng.choice((1, 2, 2, 3, 3, 4)))
    colours = rng.sample(kind.palette, colour_count)
    sizes = SIZES[kind.sizes]
    variants = [
        Variant(
            sku=f"{sku}-{colour.upper()[:4]}-{size.replace(' ', '')}",
            colour=colour,
            size=size,
            stock=_stock(rng),
        )
        for colour in colours
        for size in sizes
    ]
    low = PRICE_POINTS_DKK.index(kind.price[0])
    high = PRICE_POINTS_DKK.index(kind.price[1])
    price = PRICE_POINTS_DKK[rng.randint(low, high)]
    care = CARE[kind.care or material.care]
    return Product(
        sku=sku,
        names={lang: product_name(kind.names[lang], model) for lang in LANGUAGES},
        descriptions={
            lang: f"{kind.blurb[lang]} {_MATERIAL_LABEL[lang]}: {material.names[lang]}."
            for lang in LANGUAGES
        },
        category=kind.category,
        category_names=CATEGORIES[kind.category],
        materials=material.names,
        care=care,
        prices=prices_for(price),
        variants=variants,
        images=[
            Image(url=f"{SHOP_URL}/images/{sku.lower()}-{colour}.jpg", colour=colour)
            for colour in colours
        ],
        url=f"{SHOP_URL}/p/{sku.lower()}",
        keywords=kind.keywords,
        search_text=search_text_for(kind),
    )


def _models(rng: random.Random, kind: ProductType, count: int) -> list[str]:
    pool = FASHION_NAMES if kind.fashion else HOME_NAMES
    names = rng.sample(pool, min(count, len(pool)))
    styles = list(STYLE_WORDS)
    while len(names) < count:  # large catalogues: "Ingrid Rib", "Skagen Grand", ...
        rng.shuffle(styles)
        for base in pool:
            for style in styles:
                candidate = f"{base} {style}"
                if candidate not in names:
                    names.append(candidate)
                    break
            if len(names) >= count:
                break
    return names[:count]


def generate_catalogue(seed: int = DEMO_SEED, size: int | None = None) -> list[Product]:
    """The demo catalogue (`size=None`: 9–13 models of every kind), or one of about `size`
    products for benchmarks."""
    rng = random.Random(seed)
    kinds = list(PRODUCT_TYPES)
    if size is None:
        counts = [rng.randint(9, 13) for _ in kinds]
    else:
        per_kind = math.ceil(size / len(kinds))
        counts = [per_kind] * len(kinds)
    products: list[Product] = []
    number = 10001
    for kind, count in zip(kinds, counts, strict=True):
        for model in _models(rng, kind, count):
            products.append(make_product(rng, kind, model, number))
            number += 1
    if size is not None:
        products = products[:size]
    return products
