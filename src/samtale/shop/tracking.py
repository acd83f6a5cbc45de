"""The tracking actions: `track_order` (order number + e-mail) and `track_shipment` (tracking
number alone).

No account, but no guessing either:

- An order is shown only when the order number and the e-mail both match (the e-mail trimmed
  and compared case-insensitively, in constant time). A miss says the same whether the order
  does not exist or the e-mail is wrong.
- A tracking number alone shows the shipment's status and events only: no order number, no
  pickup point, no location at the door (`payloads.tracking_card` without an order).
- Failed look-ups are counted per order or tracking number (across conversations and
  clients), per client (`ActionContext.client_key`, a hash of the address) and per
  conversation. Each scope allows a few misses (`FREE_FAILURES`: a customer who mistypes the
  e-mail a couple of times still gets through), then waits grow exponentially
  (`BACKOFF_BASE_SECONDS`, doubling, at most `BACKOFF_MAX_SECONDS`), and a number gets at most
  `NUMBER_FAILURES` misses an hour whoever asks: an attacker trying many e-mails for one order,
  from fresh conversations and addresses, does not get far. A found order clears the number's
  and the conversation's count. A refused look-up says so politely and offers a person, and is
  logged as a security event (ids and counts only — never the numbers or e-mails tried).
- The shop's system gets `LOOKUP_DEADLINE` seconds; slower, failing or malformed answers give
  the polite "unavailable" reply and an offer of a person.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from samtale.bot import entities
from samtale.bot.actions import ActionContext, ActionResult
from samtale.conversations.responder import Reply
from samtale.infra.ratelimit import RateLimiter
from samtale.kernel.logs import get_logger
from samtale.kernel.security import keyed_hash
from samtale.shop import formatting, payloads
from samtale.shop.connector import ShopUnavailable
from samtale.shop.models import Order, Shipment
from samtale.shop.results import rate_limited, unavailable
from samtale.shop.service import ShopService, TenantShop
from samtale.shop.texts import say
from samtale.tenants.formats import DEMO_ORDER_NUMBER_PATTERN, DEMO_TRACKING_PATTERNS

log = get_logger(__name__)

LOOKUP_DEADLINE = 5.0  # seconds for the shop's system to answer one look-up (from the call)
FREE_FAILURES = {"number": 4, "client": 10, "conversation": 5}  # misses before backoff
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 15 * 60
NUMBER_FAILURES = 10  # misses per order or tracking number per window, from anyone
CLIENT_FAILURES = 20  # misses per client per window
WINDOW_SECONDS = 60 * 60
CONVERSATION_FAILURES = FREE_FAILURES["conversation"]


def backoff_seconds(scope: str, failures: int) -> int:
    over = failures - FREE_FAILURES[scope]
    if over < 0:
        return 0
    return int(min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** min(over, 20)))


_UNCAPPED = 1_000_000


class Tracking:
    def __init__(self, shops: ShopService, limiter: RateLimiter) -> None:
        self.shops = shops
        self.limiter = limiter

    # -- limits ----------------------------------------------------------------------------

    def _keys(self, ctx: ActionContext, number: str) -> list[tuple[str, str, int]]:
        """(scope, key, misses per window) of every count a miss adds to."""
        keys = [("conversation", f"shop-miss:conv:{ctx.conversation_id}", _UNCAPPED)]
        if number:
            normal = number.strip().lstrip("#").upper()
            key = keyed_hash(str(ctx.tenant_id), "lookup-number", normal)[:32]
            keys.append(("number", f"shop-miss:number:{ctx.tenant_id}:{key}", NUMBER_FAILURES))
        if ctx.client_key:
            keys.append(("client", f"shop-miss:client:{ctx.client_key}", CLIENT_FAILURES))
        return keys

    async def _refused(self, ctx: ActionContext, action: str, number: str) -> bool:
        for scope, key, limit in self._keys(ctx, number):
            wait = await self.limiter.blocked_for(key)
            if not wait and limit < _UNCAPPED:
                decision = await self.limiter.peek(key, limit, WINDOW_SECONDS)
                wait = decision.retry_after if not decision.allowed else 0
            if wait:
                log.warning(
                    "security_event",
                    kind="shop_lookup_rate_limited",
                    action=action,
                    scope=scope,
                    tenant_id=str(ctx.tenant_id),
                    conversation_id=str(ctx.conversation_id),
                    retry_after=wait,
                )
                return True
        return False

    async def _failed(self, ctx: ActionContext, number: str) -> None:
        for scope, key, _limit in self._keys(ctx, number):
            decision = await self.limiter.hit(key, _UNCAPPED, WINDOW_SECONDS)
            if wait := backoff_seconds(scope, _UNCAPPED - decision.remaining):
                await self.limiter.block(key, wait)

    async def _found(self, ctx: ActionContext, number: str) -> None:
        for scope, key, _limit in self._keys(ctx, number):
            if scope != "client":
                await self.limiter.reset(key)

    # -- actions ---------------------------------------------------------------------------

    async def track_order(self, ctx: ActionContext) -> ActionResult:
        lang = ctx.language
        shop = await self.shops.for_tenant(ctx.tenant_id)
        if shop.connector is None:
            return unavailable(lang)
        number = ctx.slots.get("order_number") or next(
            iter(entities.find_pattern(ctx.text, (DEMO_ORDER_NUMBER_PATTERN,))), ""
        )
        email = ctx.slots.get("email") or next(iter(entities.find_emails(ctx.text)), "")
        if await self._refused(ctx, "track_order", number):
            return rate_limited(lang)
        order: Order | None = None
        if number and email:
            try:
                async with asyncio.timeout(LOOKUP_DEADLINE):
                    order = await shop.connector.find_order(number, email)
            except (ShopUnavailable, TimeoutError) as exc:
                log.warning("shop_unavailable", action="track_order", reason=_reason(exc),
                            tenant_id=str(ctx.tenant_id))  # fmt: skip
                return unavailable(lang)
        if order is None:
            await self._failed(ctx, number)
            return ActionResult([Reply(say("order_not_found", lang))], "not_found")
        await self._found(ctx, number)
        return ActionResult(
            order_replies(order, lang, shop, now=self.shops.clock.now()),
            context={
                "order_number": order.order_number,
                # The e-mail that matched: the console shows the agent this order beside the chat.
                "email": email,
                "shipments": [s.tracking_number for s in order.shipments],
            },
        )

    async def track_shipment(self, ctx: ActionContext) -> ActionResult:
        lang = ctx.language
        shop = await self.shops.for_tenant(ctx.tenant_id)
        if shop.connector is None:
            return unavailable(lang)
        number = ctx.slots.get("tracking_number") or next(
            iter(entities.find_pattern(ctx.text, DEMO_TRACKING_PATTERNS.values())), ""
        )
        if await self._refused(ctx, "track_shipment", number):
            return rate_limited(lang)
        shipment: Shipment | None = None
        if number:
            try:
                async with asyncio.timeout(LOOKUP_DEADLINE):
                    shipment = await shop.connector.find_shipment(number)
            except (ShopUnavailable, TimeoutError) as exc:
                log.warning("shop_unavailable", action="track_shipment", reason=_reason(exc),
                            tenant_id=str(ctx.tenant_id))  # fmt: skip
                return unavailable(lang)
        if shipment is None:
            await self._failed(ctx, number)
            return ActionResult([Reply(say("shipment_not_found", lang))], "not_found")
        card = payloads.tracking_card(shipment, lang, shop.time_zone, now=self.shops.clock.now())
        return ActionResult([Reply(payloads.tracking_text(card, lang), card)])


def _reason(exc: Exception) -> str:
    return exc.reason if isinstance(exc, ShopUnavailable) else "timeout"


def order_replies(
    order: Order, language: str, shop: TenantShop, now: datetime | None = None
) -> list[Reply]:
    """What the bot says about a found order: one line about the order, then a card per
    shipment (newest status first), or that it is not sent yet, or that it was cancelled."""
    if order.placed_at is not None:
        placed = formatting.day(formatting.local(order.placed_at, shop.time_zone).date(), language)
        intro = say("order_found", language, order_number=order.order_number, placed=placed)
    else:
        intro = say("order_found_plain", language, order_number=order.order_number)
    if order.cancelled:
        intro = f"{intro} {say('order_cancelled', language)}"
        if not order.shipments:
            return [Reply(intro)]
    if not order.shipments:
        return [Reply(f"{intro} {say('order_unsent', language)}")]
    if len(order.shipments) > 1:
        intro = f"{intro} {say('order_parcels', language, count=len(order.shipments))}"
    replies = [Reply(intro)]
    for shipment in order.shipments:
        card = payloads.tracking_card(
            shipment, language, shop.time_zone, order_number=order.order_number, now=now
        )
        replies.append(Reply(payloads.tracking_text(card, language), card))
    return replies
