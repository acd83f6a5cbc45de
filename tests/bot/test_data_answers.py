"""Answers from the shop's data, and a shop's own text in their place.

An intent that names an action (`payment_methods`, `delivery_options`) answers from the shop's
data; its own answers serve when the data cannot be fetched. With `answer_from: text` the shop
answers with its own text instead — published like any other change — and removing that returns
the answer to the data."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from samtale.app.container import Container
from samtale.bot.actions import ActionContext, ActionRegistry, ActionResult
from samtale.bot.content import Content
from samtale.bot.content_checks import content_problems
from samtale.bot.drafts import Drafts
from samtale.bot.registry import BotRegistry
from samtale.conversations.responder import ConversationContext, IncomingMessage, Reply
from samtale.infra.database import Database
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from tests.admin.small_bot import SMALL_BOT
from tests.conftest import new_tenant

DATA = "Fra butikkens data: MobilePay, Visa og faktura."
OWN = "Vi tager kun imod faktura."
PAYMENT: dict[str, Any] = {
    "name": "payment",
    "action": "payment_methods",
    "examples": {
        "da": [
            "hvordan kan jeg betale",
            "kan jeg betale med mobilepay",
            "betalingsmåder",
            "tager I imod faktura",
            "kan man betale med kort",
        ],
        "en": [
            "how can i pay",
            "can i pay with mobilepay",
            "payment methods",
            "do you take invoices",
            "can i pay by card",
        ],
    },
    "answers": {"da": ["Vi tager imod de fleste betalingskort."], "en": ["We take most cards."]},
}


async def payment_methods(ctx: ActionContext) -> ActionResult:
    return ActionResult([Reply(DATA)])


def content(answer_from: str | None) -> Content:
    """The small bot with the payment intent; with the shop's own text (`answer_from: text`)
    or without (the text stays, as the fallback it was before)."""
    own = {"da": [OWN], "en": ["We only take invoices."]}
    intent = dict(PAYMENT, answers=own)
    if answer_from:
        intent["answer_from"] = answer_from
    return Content.model_validate({**SMALL_BOT, "intents": [*SMALL_BOT["intents"], intent]})


@pytest.fixture
async def bot_env(make_runtime: Any, database_url: str, bot_data_dir: Path) -> Any:
    actions = ActionRegistry()
    actions.register("payment_methods", payment_methods)
    clock = ManualClock()
    db = Database(database_url)
    registry = BotRegistry(db, bot_data_dir / "models", actions=actions, fast_start=False)
    rt: Container = await make_runtime(
        database_url, clock=clock, registry=registry, db=db, folder=bot_data_dir
    )
    await registry.refresh()
    tenant = await new_tenant(rt.db, clock, languages=["da", "en"])
    return rt, tenant


async def publish(rt: Container, tenant: Tenant, version: Content) -> None:
    async with rt.db.transaction() as s:
        row = await Drafts(s, tenant, rt.clock).save_draft(version)
    job = await rt.admin.publisher.start(tenant.id, row.version)
    await rt.admin.publisher.wait()
    async with rt.db.session() as s:
        done = await rt.admin.publisher.get(s, tenant.id, job.id)
    assert done is not None and done.status == "succeeded", done and done.error


async def ask(rt: Container, tenant: Tenant, text: str) -> str:
    bot = rt.responders.for_tenant(tenant.id)
    conv = ConversationContext(uuid.uuid4(), tenant.id, "da", "bot", False, {}, rt.clock.now())
    replies = await bot.respond(conv, IncomingMessage(uuid.uuid4(), text, rt.clock.now()))
    assert conv.notes.intent == "payment"
    return replies[0].text


async def test_an_override_is_published_and_removing_it_returns_to_the_data(
    bot_env: Any,
) -> None:
    rt, tenant = bot_env
    await publish(rt, tenant, content(None))
    # The shop's text is there, but the answer is the data's.
    assert await ask(rt, tenant, "kan jeg betale med mobilepay") == DATA

    await publish(rt, tenant, content("text"))
    assert await ask(rt, tenant, "kan jeg betale med mobilepay") == OWN

    await publish(rt, tenant, content(None))
    assert await ask(rt, tenant, "kan jeg betale med mobilepay") == DATA


def test_an_own_text_needs_answers_in_every_language() -> None:
    without = content("text").model_dump(mode="json")
    without["intents"][-1]["answers"] = {"da": ["Kun faktura."]}
    errors, _ = content_problems(Content.model_validate(without))
    assert "intent payment: no answer in en" in errors
    data_backed = dict(without)
    data_backed["intents"] = [*without["intents"][:-1], {**without["intents"][-1]}]
    data_backed["intents"][-1].pop("answer_from")
    errors, _ = content_problems(Content.model_validate(data_backed))
    assert not [e for e in errors if e.startswith("intent payment")]
