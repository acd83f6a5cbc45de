"""The `delivery_options` and `payment_methods` actions: what the checkout offers per country.

The answer is for the country the customer names ("levering til Norge", a quick reply
"Sverige"), else the conversation's country (its language's, else the shop's default), and
offers the other countries as quick replies. The facts come from the shop's connector, so a
shop changes them in one place; when its system cannot answer, the action returns no replies
and the intent's own fixed answer is shown instead.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from samtale.bot.actions import ActionContext, ActionResult
from samtale.conversations.responder import Reply
from samtale.kernel.logs import get_logger
from samtale.shop import formatting, payloads
from samtale.shop.connector import ShopConnector, ShopUnavailable
from samtale.shop.models import DeliveryOption, PaymentMethod
from samtale.shop.service import ShopService
from samtale.shop.texts import join_words, pick_text, say
from samtale.shop.vocabulary import CARRIERS, COUNTRY_NAMES, carrier_name, find_country, fold

log = get_logger(__name__)

SERVED = ("DK", "SE", "NO", "FI")
DEADLINE = 4.0
DELIVERY_INTENT = "delivery_methods"
PAYMENT_INTENT = "payment_methods"


def country_buttons(current: str | None, language: str, intent: str) -> list[payloads.Button]:
    return [
        payloads.button(COUNTRY_NAMES[c][language], COUNTRY_NAMES[c][language], intent)
        for c in SERVED
        if c != current
    ]


def delivery_text(country: str, options: list[DeliveryOption], language: str) -> str:
    lines = [say("delivery_intro", language, country_to=say(f"country_to.{country}", language))]
    notes: list[str] = []
    for option in options:
        free = (
            say("free_over", language,
                amount=formatting.money(option.free_over, option.currency, language))
            if option.free_over
            else ""
        )  # fmt: skip
        days = (
            f"{option.days_min}–{option.days_max}"
            if option.days_min is not None and option.days_max not in (None, option.days_min)
            else str(option.days_min or option.days_max or "")
        )
        line = say(
            "delivery_line",
            language,
            name=pick_text(option.names, language) or option.code,
            carriers=", ".join(carrier_name(c) for c in option.carriers),
            price=formatting.money(option.price, option.currency, language),
            free=free,
            days=days,
        )
        lines.append(f"– {line}")
        note = pick_text(option.notes, language) if option.notes else ""
        if note and note not in notes:
            notes.append(note)
    lines.extend(notes)
    lines.append(say("dispatch", language))
    return "\n".join(lines)


def payment_text(country: str, methods: list[PaymentMethod], language: str) -> str:
    lines = [say("payment_intro", language, country_in=say(f"country_in.{country}", language))]
    for method in methods:
        name = pick_text(method.names, language) or method.code
        detail = pick_text(method.details, language) if method.details else ""
        lines.append(f"– {name} ({detail})" if detail else f"– {name}")
    lines.append(say("payment_after", language))
    return "\n".join(lines)


# The words customers use for one payment method or one delivery service, by what they name:
# a method's code, `card:<brand>` (a brand among the card method's details), a carrier's code
# or `method:<kind>` (a delivery option's kind). A word matches a message word that starts with
# it, so inflections count ("MobilePaylla", "fakturaen", "expressleverans").
PAYMENT_WORDS: dict[str, str] = {
    "mobilepay": "mobilepay", "mobile pay": "mobilepay", "swish": "swish", "vipps": "vipps",
    "paypal": "paypal", "klarna": "klarna", "apple pay": "apple_pay", "applepay": "apple_pay",
    "google pay": "google_pay", "dankort": "card:Dankort", "visa": "card:Visa",
    "mastercard": "card:Mastercard", "master card": "card:Mastercard",
    "american express": "card:American Express", "amex": "card:American Express",
    "faktura": "invoice", "invoice": "invoice", "lasku": "invoice",
    "delbetal": "part_payment", "afbetal": "part_payment", "avbetal": "part_payment",
    "osamaksu": "part_payment", "part payment": "part_payment", "instalment": "part_payment",
    "gavekort": "gift_card", "presentkort": "gift_card", "lahjakort": "gift_card",
    "gift card": "gift_card", "giftcard": "gift_card", "netbank": "online_bank",
    "nettbank": "online_bank", "verkkopank": "online_bank", "online bank": "online_bank",
    "bitcoin": "crypto", "krypto": "crypto", "crypto": "crypto", "kontant": "cash",
    "cash": "cash", "käteinen": "cash", "efterkrav": "cash_on_delivery",
    "postiennak": "cash_on_delivery", "postoppkrav": "cash_on_delivery",
}  # fmt: skip
PAYMENT_NAMES = {
    "paypal": "PayPal", "klarna": "Klarna", "apple_pay": "Apple Pay", "google_pay": "Google Pay",
    "crypto": "Bitcoin", "cash": "cash", "cash_on_delivery": "cash on delivery",
}  # fmt: skip
DELIVERY_WORDS: dict[str, str] = {
    **{code: code for code in CARRIERS}, "dhl": "dhl", "ups": "ups", "instabox": "instabox",
    "helthjem": "helthjem", "matkahuolto": "matkahuolto", "airmee": "airmee", "posten": "bring",
    "express": "method:express", "ekspres": "method:express", "pikatoimitus": "method:express",
    "pakkeshop": "method:pickup", "pickup point": "method:pickup", "parcel shop": "method:pickup",
    "utlämningsställe": "method:pickup", "ombud": "method:pickup", "hentested": "method:pickup",
    "noutopiste": "method:pickup", "pakkeautomat": "method:locker", "paketautomat": "method:locker",
    "pakkeboks": "method:locker", "locker": "method:locker", "pakettiautomaat": "method:locker",
    "hjemmelevering": "method:home", "levering til døren": "method:home",
    "home delivery": "method:home", "hemleverans": "method:home", "kotiinkuljetus": "method:home",
    "hjemlevering": "method:home",
}  # fmt: skip


def named(text: str, words: dict[str, str]) -> list[str]:
    """What `text` names among `words`' keys, each once, in the order of `words`."""
    folded = " " + " ".join(re.findall(r"[\w-]+", fold(text))) + " "
    found: list[str] = []
    for word, code in words.items():
        if f" {fold(word)}" in folded and code not in found:
            found.append(code)
    return found


def _has_payment(code: str, methods: list[PaymentMethod]) -> bool:
    if code.startswith("card:"):
        brand = code.split(":", 1)[1].lower()
        return any(
            m.code == "card" and brand in pick_text(m.details, "en").lower() for m in methods
        )
    return any(m.code == code for m in methods)


def _payment_name(code: str, methods: list[PaymentMethod], language: str) -> str:
    if code.startswith("card:"):
        return code.split(":", 1)[1]
    for m in methods:
        if m.code == code:
            return pick_text(m.names, language) or code
    return PAYMENT_NAMES.get(code, code)


def _in(country: str, language: str) -> str:
    text = say(f"country_in.{country}", language)
    return text if language == "fi" else text[:1].lower() + text[1:]


def payment_verdict(
    text: str, country: str, by_country: dict[str, list[PaymentMethod]], language: str
) -> str | None:
    """ "Yes"/"no" to a question about one payment method, from the shop's data; None when the
    message names no single method."""
    codes = named(text, PAYMENT_WORDS)
    if len(codes) != 1:
        return None
    code, here = codes[0], by_country.get(country, [])
    everything = [m for methods in by_country.values() for m in methods]
    name = _payment_name(code, here + everything, language)
    if _has_payment(code, here):
        return say(
            "payment_yes", language, name=name, country_in=say(f"country_in.{country}", language)
        )
    elsewhere = [c for c in SERVED if c != country and _has_payment(code, by_country.get(c, []))]
    if elsewhere:
        return say(
            "payment_no_here", language, name=name,
            country_in=say(f"country_in.{country}", language),
            elsewhere=join_words([_in(c, language) for c in elsewhere], language),
        )  # fmt: skip
    return say("payment_no", language, name=name)


def delivery_verdict(
    text: str, country: str, options: list[DeliveryOption], language: str
) -> str | None:
    """ "Yes"/"no" to a question about one carrier or delivery service, or to the country named."""
    codes = named(text, DELIVERY_WORDS)
    country_to = say(f"country_to.{country}", language)
    if len(codes) != 1:
        return (
            say("delivery_yes_country", language, country_to=country_to)
            if find_country(text) == country
            else None
        )
    code = codes[0]
    if code.startswith("method:"):
        kind = code.split(":", 1)[1]
        match = [o for o in options if o.method == kind]
        name = pick_text(match[0].names, language) if match else say(f"service.{kind}", language)
        ok = bool(match)
    else:
        ok = any(code in (c.lower() for c in o.carriers) for o in options)
        name = (
            carrier_name(code)
            if code in CARRIERS
            else code.upper()
            if len(code) <= 3
            else code.title()
        )
    key = "delivery_yes" if ok else "delivery_no"
    return say(key, language, name=name, country_to=country_to)


class Checkout:
    def __init__(self, shops: ShopService) -> None:
        self.shops = shops

    async def _answer(
        self,
        ctx: ActionContext,
        action: str,
        intent: str,
        fetch: Callable[
            [ShopConnector, str], Awaitable[list[DeliveryOption] | list[PaymentMethod]]
        ],
        render: Callable[[str, Any, str], str],
    ) -> ActionResult:
        lang = ctx.language
        shop = await self.shops.for_tenant(ctx.tenant_id)
        if shop.connector is None:
            return ActionResult([])  # the intent's fixed answer
        named = find_country(ctx.text)
        country = named or ctx.country or shop.default_country
        if country not in SERVED:
            text = say("delivery_elsewhere", lang)
            if named == "other":  # a question about a country we do not serve: "no" first
                text = say("delivery_no_elsewhere", lang)
            return ActionResult(
                [Reply(text, {"buttons": country_buttons(None, lang, intent)})], "not_found"
            )
        try:
            async with asyncio.timeout(DEADLINE):
                items = await fetch(shop.connector, country)
        except (ShopUnavailable, TimeoutError):
            log.warning("shop_unavailable", action=action, tenant_id=str(ctx.tenant_id))
            return ActionResult([], "unavailable")
        if not items:
            text = say("delivery_elsewhere", lang)
            return ActionResult(
                [Reply(text, {"buttons": country_buttons(None, lang, intent)})], "not_found"
            )
        body = render(country, items, lang)
        verdict = await self._verdict(shop.connector, action, ctx.text, country, items, lang)
        return ActionResult(
            [
                Reply(
                    f"{verdict}\n{body}" if verdict else body,
                    {"buttons": country_buttons(country, lang, intent), "country": country},
                )
            ],
            context={"country": country},
        )

    async def _verdict(
        self,
        connector: ShopConnector,
        action: str,
        text: str,
        country: str,
        items: Any,
        lang: str,
    ) -> str | None:
        """The yes or no that comes first when the question names one method or service."""
        if not text:
            return None
        if action == "delivery_options":
            return delivery_verdict(text, country, items, lang)
        if not named(text, PAYMENT_WORDS):
            return None
        by_country: dict[str, list[PaymentMethod]] = {country: items}
        for other in SERVED:
            if other != country:
                try:
                    async with asyncio.timeout(DEADLINE):
                        by_country[other] = await connector.payment_methods(other)
                except (ShopUnavailable, TimeoutError):
                    by_country[other] = []
        return payment_verdict(text, country, by_country, lang)

    async def delivery_options(self, ctx: ActionContext) -> ActionResult:
        return await self._answer(
            ctx, "delivery_options", DELIVERY_INTENT,
            lambda c, country: c.delivery_options(country), delivery_text,
        )  # fmt: skip

    async def payment_methods(self, ctx: ActionContext) -> ActionResult:
        return await self._answer(
            ctx, "payment_methods", PAYMENT_INTENT,
            lambda c, country: c.payment_methods(country), payment_text,
        )  # fmt: skip
