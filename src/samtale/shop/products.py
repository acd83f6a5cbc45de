"""The `product_search` action: product cards for what the customer describes, and answers
about a product they name.

- "har I sorte strikkjoler?" → up to three product cards (`payloads.product_list`), the colour
  the customer asked for shown first, prices in the conversation country's currency, with quick
  replies "Vis flere" (the next three) and "Andre farver" (the first product's colours).
- "har I den sorte strikkjole i medium?", "hvad er Uldfrakke Astrid lavet af?", "hvordan vasker
  man den?", "hvad koster den?" — a question about availability, material, care, price or
  colours is answered from the first product's own data (stock per size and colour, materials,
  care, price), with its card.
- "hvad koster den?", "har I den i str. M?", "finns den i M?", "do you have it in M?" after
  product cards are about the first product shown: the SKUs shown are the action's context,
  kept in the conversation's bot state by the dialogue engine and handed back as
  `ActionContext.remembered`; `follows_up` tells the engine such a message is ours, whatever
  the classifier thinks of it ("hvad koster den?" reads like a question about delivery).
- A message naming the catalogue's products that the classifier does not place ("har I Plaid
  Rauma?") is claimed by `claims` from the catalogue's own words.
- A message without product words ("jeg har et spørgsmål om en vare") returns no replies, so
  the intent's own answer asks what they are looking for.

Quick replies carry their context in their text ("Vis flere: sort strikkjole", "Andre farver:
Strikkjole Storm (NH-10009)"), so a click works without any state and reads naturally in the
transcript.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from samtale.bot.actions import ActionContext, ActionResult
from samtale.conversations.responder import Reply
from samtale.kernel.logs import get_logger
from samtale.shop import payloads, texts
from samtale.shop.connector import ShopUnavailable
from samtale.shop.filters import parse_filters, product_fits
from samtale.shop.formatting import money
from samtale.shop.models import Product, SearchFilters
from samtale.shop.results import unavailable
from samtale.shop.search import content_words
from samtale.shop.service import ShopService
from samtale.shop.texts import join_words, say
from samtale.shop.vocabulary import colour_matches, colour_name, currency_for, fold

log = get_logger(__name__)

PAGE = 3
DEADLINE = 4.0
T = TypeVar("T")
INTENT = "product_question"

# What a question asks about, by the words customers use for it (folded, whole words or
# phrases).
ASPECTS: dict[str, tuple[str, ...]] = {
    "stock": (
        "har i", "har ni", "har dere", "har du", "på lager", "paa lager", "i lager", "lager",
        "fås", "findes", "finns", "finnes", "onko", "löytyykö", "loytyyko", "varastossa",
        "saatavilla", "do you have", "have you got", "in stock", "available", "availability",
        "udsolgt", "slutsåld", "utsolgt", "loppu",
    ),
    "material": (
        "materiale", "material", "materialet", "materiaali", "lavet af", "lavet i", "laget av",
        "gjort av", "tillverkad av", "gjord av", "gjord i", "mistä", "made of", "made from",
        "fabric", "stof", "tyg", "stoff", "kangas", "uld i", "hvad er den lavet",
    ),
    "care": (
        "vask*", "pleje*", "plejes", "tvätt*", "skötsel*", "sköt*", "pese*", "pest*", "pesu*",
        "hoito*", "hoida*", "wash*", "care", "clean*", "rengør*", "rengör*", "tørretumble*",
        "torktumla*", "tørketromme*",
    ),
    "price": (
        "pris", "prisen", "koster", "kostar", "hinta", "hintaa", "maksaa", "maksavat", "price",
        "cost", "costs", "how much", "paljonko", "mitä maksaa", "hvad giver man for",
    ),
    "colours": (
        "farver", "farve", "farverne", "färger", "färg", "farger", "farge", "värit", "väri",
        "väreissä", "colours", "colors", "colour", "color",
    ),
}  # fmt: skip


def _aspect_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """Whole words or phrases; a trailing `*` also takes the word's endings ("tvätt*")."""
    forms = [
        re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w)
        for w in sorted(words, key=len, reverse=True)
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)")


_ASPECT_RE = {aspect: _aspect_regex(words) for aspect, words in ASPECTS.items()}  # fmt: skip
_SKU_IN_TEXT = re.compile(r"\(([A-Za-z0-9][A-Za-z0-9._-]{1,63})\)\s*$")
# Words that only say "it" (and the little words around it): a question that names no product
# is about the last one shown.
_IT = frozenset(
    """den det dem dens it them one ones its sen niitä sitä se ne siitä niistä does did is
    come comes kommer kommer fåes fås også too also vad hva hvad what mikä""".split()
)


@dataclass(frozen=True)
class FollowUp:
    kind: str  # "more", "colours" or ""
    query: str
    page: int = 1


def _prefixes(key: str) -> list[str]:
    return [fold(t) for t in texts.texts_of(key).values()]


def parse_follow_up(text: str) -> FollowUp:
    """ "Vis flere: sort strikkjole" → more, page 2; "Vis flere (3): …" → page 3; "Andre
    farver: Strikkjole Storm (NH-10009)" → colours."""
    folded = fold(text)
    for kind, key in (("more", "show_more"), ("colours", "other_colours")):
        for prefix in _prefixes(key):
            if folded.startswith(prefix):
                rest = text.strip()[len(prefix) :]
                page = 2
                m = re.match(r"\s*\((\d{1,2})\)", rest)
                if m:
                    page = max(2, int(m.group(1)))
                    rest = rest[m.end() :]
                return FollowUp(kind, rest.lstrip(" :").strip(), page)
    return FollowUp("", text)


def asked_aspects(text: str) -> list[str]:
    folded = fold(text)
    return [aspect for aspect, regex in _ASPECT_RE.items() if regex.search(folded)]


def _strip_aspect_words(text: str) -> str:
    folded = fold(text)
    for regex in _ASPECT_RE.values():
        folded = regex.sub(" ", folded)
    return " ".join(folded.split())


def _variant_words(language: str, colour: str | None, size: str | None) -> str:
    bits = []
    if colour:
        bits.append(colour_name(colour, language))
    if size:
        bits.append(say("size_word", language, size=size))
    return " ".join(bits) if language != "fi" else ", ".join(bits)


def answer_about(product: Product, aspects: list[str], filters: SearchFilters,
                 language: str, currency: str, fallback: str | None = None) -> list[str]:  # fmt: skip
    """Sentences answering `aspects` from the product's own data."""
    name = product.name(language)
    out: list[str] = []
    colour = payloads.shown_colour(product, filters.colours)
    wanted_colour = next(
        (c for want in filters.colours for c in product.colours if colour_matches(want, c)), None
    )
    for aspect in aspects:
        if aspect == "price":
            priced = product.priced(currency, fallback)
            if priced is not None:
                cur, price = priced
                out.append(say("price_of", language, name=name, price=money(price, cur, language)))
        elif aspect == "material" and product.materials:
            out.append(say("material_of", language, name=name,
                           material=texts.pick_text(product.materials, language)))  # fmt: skip
        elif aspect == "care" and product.care:
            out.append(
                say("care_of", language, name=name, care=texts.pick_text(product.care, language))
            )
        elif aspect == "colours":
            names = [colour_name(c, language) for c in product.colours]
            out.append(say("colours_of", language, name=name, colours=join_words(names, language)))
        elif aspect == "stock":
            out.append(_stock_answer(product, filters, language, colour, wanted_colour))
    return out


def _stock_answer(
    product: Product,
    filters: SearchFilters,
    language: str,
    colour: str | None,
    wanted_colour: str | None,
) -> str:
    name = product.name(language)
    if filters.colours and wanted_colour is None:
        names = [colour_name(c, language) for c in product.colours]
        wanted = filters.colours[0]
        label = colour_name(wanted.split(":", 1)[-1], language)
        return say("no_such_colour", language, name=name, colour=label,
                   colours=join_words(names, language))  # fmt: skip
    size = next(
        (s for want in filters.sizes for s in product.sizes if s.lower() == want.lower()), None
    )
    if filters.sizes and size is None:
        return say("no_such_size", language, name=name, size=filters.sizes[0],
                   sizes=", ".join(product.sizes))  # fmt: skip
    if size is not None:
        count = product.stock(colour=wanted_colour, size=size)
        variant = _variant_words(language, wanted_colour, size)
        if count <= 0:
            return say("stock_no", language, name=name, variant=variant)
        if count <= 3:
            return say("stock_few", language, name=name, variant=variant, count=count)
        return say("stock_yes", language, name=name, variant=variant, count=count)
    sizes = [s for s in product.sizes_in_stock(colour) if s != "One size"]
    label = colour_name(colour, language) if colour else ""
    if not product.stock(colour=colour):
        return say("stock_none_in_colour", language, name=name, colour=label)
    if not sizes:  # one size
        count = product.stock(colour=colour)
        return say("stock_yes", language, name=name, variant=label, count=count)
    return say("stock_sizes", language, name=name, colour=label, sizes=", ".join(sizes))


def about_it(text: str, currency: str = "DKK") -> tuple[list[str], SearchFilters] | None:
    """A question about the product last shown — "hvad koster den?", "har I den i str. M?",
    "finns den i M?", "do you have it in M?", "paljonko se maksaa?" — as (what it asks, the size
    or colour it names); None when the message names a product or asks nothing about one."""
    if parse_follow_up(text).kind:
        return None
    parsed = parse_filters(text, currency)
    aspects = asked_aspects(parsed.rest)
    rest = _strip_aspect_words(parsed.rest)
    if [w for w in content_words(rest) if w not in _IT]:
        return None
    filters = parsed.filters
    if not aspects and (filters.colours or filters.sizes):
        aspects = ["stock"]  # "og i L?", "i sort?"
    return (aspects, filters) if aspects else None


async def _deadline(call: Awaitable[T]) -> T:
    """One call to the shop, with its deadline counted from when the call starts (never from
    when the turn was queued, nor over other work of the action)."""
    async with asyncio.timeout(DEADLINE):
        return await call


class ProductSearch:
    def __init__(self, shops: ShopService) -> None:
        self.shops = shops

    async def claims(self, ctx: ActionContext) -> bool:
        """Does the message name products of the shop's catalogue ("har I Plaid Rauma?")? A
        question of care or material ("hvordan vasker jeg uld?") is left to the shop's pages."""
        parsed = parse_filters(ctx.text, "DKK")
        if {"care", "material"} & set(asked_aspects(parsed.rest)):
            return False
        query = _strip_aspect_words(parsed.rest)
        if not content_words(query):
            return False
        index = await self.shops.catalogue(ctx.tenant_id)
        return bool(index.products) and index.names_products(query)

    def follows_up(self, text: str, language: str, remembered: dict[str, Any]) -> bool:
        """Is `text` a question about the products this action showed last (`remembered`)?"""
        return bool(remembered.get("skus")) and about_it(text) is not None

    async def __call__(self, ctx: ActionContext) -> ActionResult:
        lang = ctx.language
        shop = await self.shops.for_tenant(ctx.tenant_id)
        if shop.connector is None:
            return ActionResult([])
        currency = currency_for(ctx.country or shop.default_country)
        # Prices the shop does not give in the customer's currency are shown in its own.
        fallback = currency_for(shop.default_country)
        follow = parse_follow_up(ctx.text)
        try:
            shown = [str(s) for s in ctx.remembered.get("skus") or []]
            question = about_it(ctx.text, currency) if shown and not follow.kind else None
            if question is not None:
                return await self._about_shown(ctx, shop.connector, shown, question, currency,
                                               fallback)  # fmt: skip
            if follow.kind == "colours":
                return await self._colours(ctx, shop.connector, follow, currency, fallback)
            return await self._search(ctx, shop.connector, follow, currency, fallback)
        except (ShopUnavailable, TimeoutError):
            log.warning("shop_unavailable", action="product_search", tenant_id=str(ctx.tenant_id))
            return unavailable(lang)

    async def _search(
        self, ctx: ActionContext, connector: Any, follow: FollowUp, currency: str, fallback: str
    ) -> ActionResult:
        lang = ctx.language
        parsed = parse_filters(follow.query, currency)
        aspects = [] if follow.kind else asked_aspects(follow.query)
        query = _strip_aspect_words(parsed.rest) if aspects else parsed.rest
        if not content_words(query) and parsed.filters.is_empty():
            return ActionResult([])  # nothing to search for: the intent's answer asks
        page = follow.page if follow.kind == "more" else 1
        found: list[Product] = await _deadline(
            connector.search_products(query, lang, parsed.filters, limit=PAGE * page + 1)
        )
        shown = found[PAGE * (page - 1) : PAGE * page]
        if not shown:
            key = "products_no_more" if page > 1 else "products_none"
            return ActionResult([Reply(say(key, lang))], "not_found")
        cards = [
            payloads.product_card(p, lang, currency, parsed.filters.colours, fallback)
            for p in shown
        ]
        lines: list[str] = []
        if aspects:
            lines.extend(answer_about(shown[0], aspects, parsed.filters, lang, currency, fallback))
        relaxed = not parsed.filters.is_empty() and not any(
            product_fits(p, parsed.filters) for p in shown
        )
        intro = say("filters_relaxed" if relaxed else
                    "products_more" if page > 1 else "products_intro", lang)  # fmt: skip
        if not lines or relaxed:
            lines.append(intro)
        lines.extend(payloads.product_text(c) for c in cards)
        buttons = []
        if len(found) > PAGE * page:
            label = say("show_more", lang)
            prefix = label if page == 1 else f"{label} ({page + 1})"
            buttons.append(payloads.button(label, f"{prefix}: {follow.query}", INTENT))
        if len(shown[0].colours) > 1:
            label = say("other_colours", lang)
            text = f"{label}: {shown[0].name(lang)} ({shown[0].sku})"
            buttons.append(payloads.button(label, text, INTENT))
        payload = payloads.product_list(cards, page)
        if buttons:
            payload["buttons"] = buttons
        return ActionResult(
            [Reply("\n".join(lines), payload)],
            context={"skus": [p.sku for p in shown]},
        )

    async def _about_shown(
        self,
        ctx: ActionContext,
        connector: Any,
        shown: list[str],
        question: tuple[list[str], SearchFilters],
        currency: str,
        fallback: str,
    ) -> ActionResult:
        """The answer to a question about the product shown last, from its own data."""
        lang = ctx.language
        aspects, filters = question
        product = await _deadline(connector.get_product(shown[0]))
        if product is None:
            return ActionResult([])  # gone from the catalogue: the intent's answer asks
        lines = answer_about(product, aspects, filters, lang, currency, fallback)
        card = payloads.product_card(product, lang, currency, filters.colours, fallback)
        lines.append(payloads.product_text(card))
        return ActionResult(
            [Reply("\n".join(lines), payloads.product_list([card]))],
            context={"skus": shown},
        )

    async def _colours(
        self, ctx: ActionContext, connector: Any, follow: FollowUp, currency: str, fallback: str
    ) -> ActionResult:
        lang = ctx.language
        m = _SKU_IN_TEXT.search(follow.query)
        product = await _deadline(connector.get_product(m.group(1))) if m else None
        if product is None:
            found = await _deadline(connector.search_products(follow.query, lang, None, limit=1))
            product = found[0] if found else None
        if product is None:
            return ActionResult([Reply(say("products_none", lang))], "not_found")
        names = [colour_name(c, lang) for c in product.colours]
        cards = [
            payloads.product_card(product, lang, currency, [colour], fallback)
            for colour in product.colours[:6]
        ]
        text = "\n".join(
            [say("colours_of", lang, name=product.name(lang), colours=join_words(names, lang))]
            + [payloads.product_text(c) for c in cards]
        )
        return ActionResult(
            [Reply(text, payloads.product_list(cards))], context={"skus": [product.sku]}
        )
