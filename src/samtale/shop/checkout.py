"""The `delivery_options` and `payment_methods` actions: what the checkout offers per country.

The answer is for the country the customer names ("levering til Norge", a quick reply
"Sverige"), else the conversation's country (its language's, else the shop's default), and
offers the other countries as quick replies. The facts come from the shop's connector, so a
shop changes them in one place; when its system cannot answer, the action returns no replies
and the intent's own fixed answer is shown instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from samtale.bot.actions import ActionContext, ActionResult
from samtale.conversations.responder import Reply
from samtale.kernel.logs import get_logger
from samtale.shop import formatting, payloads
from samtale.shop.connector import ShopConnector, ShopUnavailable
from samtale.shop.models import DeliveryOption, PaymentMethod
from samtale.shop.service import ShopService
from samtale.shop.texts import pick_text, say
from samtale.shop.vocabulary import COUNTRY_NAMES, carrier_name, find_country

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
        return ActionResult(
            [
                Reply(
                    render(country, items, lang),
                    {"buttons": country_buttons(country, lang, intent), "country": country},
                )
            ],
            context={"country": country},
        )

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
