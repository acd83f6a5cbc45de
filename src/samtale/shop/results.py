"""Action results every shop action may give: the shop's system is unavailable, or the
customer has tried too often. Both are polite, in the customer's language, and offer a person."""

from __future__ import annotations

from samtale.bot.actions import ActionResult
from samtale.conversations.responder import Reply
from samtale.shop.texts import say


def unavailable(language: str) -> ActionResult:
    return ActionResult([Reply(say("unavailable", language))], "unavailable", offer_person=True)


def rate_limited(language: str) -> ActionResult:
    return ActionResult(
        [Reply(say("too_many_attempts", language))], "rate_limited", offer_person=True
    )
