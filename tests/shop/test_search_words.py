"""Product search by the words customers use: inflections (Snowball stems in the five
languages), compounds split into known parts, and the neighbouring languages' words from the
shared lexicon — for the demo catalogue and for a shop whose catalogue speaks one language only,
as a synced Shopify or WooCommerce shop's does."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from samtale.bot.actions import ActionContext
from samtale.demo.shop.assortment import PRODUCT_TYPES
from samtale.demo.shop.catalogue import generate_catalogue
from samtale.model import Tenant
from samtale.shop.models import Product, Variant
from samtale.shop.products import ProductSearch
from samtale.shop.search import ProductIndex, concepts_of
from samtale.shop.service import ShopService
from samtale.shop.wordforms import Splitter, stems

CATALOGUE = generate_catalogue()
KIND = {k.keywords: k.code for k in PRODUCT_TYPES}
DEMO = ProductIndex(CATALOGUE)


def kinds(index: ProductIndex, query: str, n: int = 3) -> list[str]:
    return [KIND.get(h.product.keywords, h.product.sku) for h in index.search(query, limit=n)]


@pytest.mark.parametrize(
    "query",
    ["uldsweater", "uldsweatre", "ullgenser", "ullgensere", "ylletröja", "ylletröjor",
     "villapaita", "villapaitoja", "wool sweater", "wool sweaters", "sweaters i uld"],
)  # fmt: skip
def test_the_wool_sweater_by_every_neighbours_word(query: str) -> None:
    # Most of the first three are sweaters (a wool knit dress sold as a "sweater dress" may be
    # among them).
    found = kinds(DEMO, query)
    assert found.count("sweater") >= 2, found


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("regnjakker", "rain_jacket"), ("regnjackor", "rain_jacket"), ("sadetakkeja", "rain_jacket"),
        ("plaider", "wool_throw"), ("plädar", "wool_throw"), ("pleddet", "wool_throw"),
        ("kjoler", None), ("mukeja", "mug"), ("hørskjorter", "linen_shirt"),
        ("linneskjortor", "linen_shirt"), ("dunjakker", "down_jacket"), ("uldplaid", "wool_throw"),
    ],
)  # fmt: skip
def test_inflections_and_compounds(query: str, kind: str | None) -> None:
    found = kinds(DEMO, query)
    if kind is None:  # "kjoler": dresses in Danish, not the Swedish "kjol" (a skirt)
        assert all(k.endswith("dress") for k in found), found
    else:
        assert found and all(k == kind for k in found), found


def test_compounds_split_into_known_parts_with_linking_letters() -> None:
    known = {"uld", "sweater", "sengetøj", "sæt", "lamme", "plaid", "ull", "genser"}.__contains__
    splitter = Splitter(known)
    assert splitter.split("uldsweater") == ("uld", "sweater")
    assert splitter.split("sengetøjssæt") == ("sengetøj", "sæt")  # linking "s"
    assert splitter.split("lammeuldplaid") == ("lamme", "uld", "plaid")
    assert splitter.split("ullgenser") == ("ull", "genser")
    assert splitter.split("sweater") is None  # one known word is not a compound
    assert splitter.split("qwxzplugh") is None


def test_stems_cover_the_five_languages() -> None:
    assert "tröj" in stems("tröjor")
    assert "genser" in stems("genseren")
    assert "sweater" in stems("sweaters")
    assert concepts_of("tröjor") == concepts_of("genser") == frozenset({"sweater"})


def product(sku: str, name: str, category: str, material: str = "") -> Product:
    return Product(
        sku=sku,
        names={"da": name},
        category=category,
        category_names={"da": category},
        materials={"da": material} if material else {},
        prices={"DKK": Decimal("499")},
        variants=[Variant(sku=f"{sku}-M", size="M", stock=3)],
    )


# A Danish shop on Shopify: Danish names, no keywords, none of the neighbours' words.
SHOP = ProductIndex(
    [
        product("A1", "Lammeuldssweater Havblå", "Strik", "100 % lammeuld"),
        product("A2", "Bomuldssweater Sand", "Strik", "100 % bomuld"),
        product("B1", "Regnfrakke Byge", "Overtøj", "Genanvendt polyester"),
        product("C1", "Uldtæppe Fjord", "Boligtekstiler", "Lammeuld"),
        product("D1", "Uldsokker Hav", "Strømper", "80 % uld"),
        product("E1", "Kaffekrus Skum", "Køkken", "Stentøj"),
    ]
)


@pytest.mark.parametrize(
    ("query", "sku"),
    [
        ("uldsweater", "A1"), ("ylletröja", "A1"), ("ullgenser", "A1"), ("villapaita", "A1"),
        ("wool sweater", "A1"), ("wool jumper", "A1"), ("sweatre", "A1"),
        ("regnjacka", "B1"), ("raincoat", "B1"), ("sadetakki", "B1"),
        ("pläd i ull", "C1"), ("wool blanket", "C1"), ("torkkupeitto", "C1"),
        ("ullstrumpor", "D1"), ("villasukat", "D1"), ("wool socks", "D1"),
        ("mugg", "E1"), ("coffee mug", "E1"), ("muki", "E1"),
    ],
)  # fmt: skip
def test_a_one_language_catalogue_is_found_in_the_neighbours_words(query: str, sku: str) -> None:
    hits = SHOP.search(query, limit=3)
    assert hits and hits[0].product.sku == sku, [h.product.sku for h in hits]


def test_names_products_knows_the_catalogue_from_other_questions() -> None:
    assert DEMO.names_products("plaid rauma")
    assert DEMO.names_products("ylletröjor")
    assert SHOP.names_products("ullgenser")
    for text in ("hvor er min pakke", "kan jeg betale med mobilepay", "gavekort", "retur"):
        assert not DEMO.names_products(text), text


async def test_the_action_claims_product_names_but_leaves_care_questions_to_the_pages(
    demo_tenant: Tenant, shops: ShopService, make_ctx: Callable[..., ActionContext]
) -> None:
    search = ProductSearch(shops)
    assert await search.claims(make_ctx(demo_tenant, text="har I Plaid Rauma?"))
    assert await search.claims(make_ctx(demo_tenant, text="ylletröjor", language="sv"))
    assert not await search.claims(make_ctx(demo_tenant, text="hvordan vasker jeg uld?"))
    assert not await search.claims(make_ctx(demo_tenant, text="hvor er min pakke"))
    assert not await search.claims(make_ctx(demo_tenant, text="tak"))
