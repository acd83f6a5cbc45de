"""Delivery and payment answers per country, from the shop's data, with the other countries as
quick replies — and consistent with the demo content's fixed answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from samtale.bot.actions import ActionContext
from samtale.bot.content import load_content
from samtale.demo.content_dir import DEMO_CONTENT_DIR
from samtale.demo.shop.policies import DELIVERY, PAYMENT
from samtale.infra.database import Database
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from samtale.shop.checkout import Checkout
from samtale.shop.formatting import money
from samtale.shop.service import ShopService
from tests.conftest import new_tenant

CtxFactory = Callable[..., ActionContext]
COUNTRY_OF = {"da": "DK", "sv": "SE", "nb": "NO", "fi": "FI", "en": "DK"}


@pytest.fixture
def checkout(shops: ShopService) -> Checkout:
    return Checkout(shops)


@pytest.mark.parametrize("lang", ["da", "sv", "nb", "fi", "en"])
async def test_delivery_answers_for_the_conversations_country(
    checkout: Checkout, demo_tenant: Tenant, make_ctx: CtxFactory, lang: str
) -> None:
    country = COUNTRY_OF[lang]
    ctx = make_ctx(demo_tenant, text="hvordan leverer I", language=lang, country=country)
    result = await checkout.delivery_options(ctx)
    (reply,) = result.replies
    assert result.outcome == "answered"
    for option in DELIVERY[country]:
        assert money(option.price, option.currency, lang) in reply.text
        if option.free_over:
            assert money(option.free_over, option.currency, lang) in reply.text
    assert reply.payload is not None and reply.payload["country"] == country
    buttons = reply.payload["buttons"]
    assert len(buttons) == 3 and all(b["intent"] == "delivery_methods" for b in buttons)
    assert all(b["text"] == b["label"] for b in buttons)


@pytest.mark.parametrize(
    ("lang", "text", "country"),
    [
        ("da", "hvad koster levering til Norge?", "NO"),
        ("sv", "Finland", "FI"),
        ("fi", "toimitus Ruotsiin", "SE"),
        ("en", "delivery to Sweden", "SE"),
        ("nb", "Danmark", "DK"),
    ],
)
async def test_a_named_country_wins(
    checkout: Checkout, demo_tenant: Tenant, make_ctx: CtxFactory, lang: str, text: str,
    country: str,
) -> None:  # fmt: skip
    ctx = make_ctx(demo_tenant, text=text, language=lang, country=COUNTRY_OF[lang])
    (reply,) = (await checkout.delivery_options(ctx)).replies
    assert reply.payload is not None and reply.payload["country"] == country
    assert country not in {b["label"] for b in reply.payload["buttons"]}


async def test_a_country_the_shop_does_not_serve(
    checkout: Checkout, demo_tenant: Tenant, make_ctx: CtxFactory
) -> None:
    result = await checkout.delivery_options(make_ctx(demo_tenant, text="levering til Tyskland"))
    assert result.outcome == "not_found"
    (reply,) = result.replies
    assert "kun til Danmark, Sverige, Norge og Finland" in reply.text
    assert reply.payload is not None and len(reply.payload["buttons"]) == 4


@pytest.mark.parametrize(
    ("lang", "country", "local_method"),
    [("da", "DK", "MobilePay"), ("sv", "SE", "Swish"), ("nb", "NO", "Vipps"),
     ("fi", "FI", "Verkkopankki")],
)  # fmt: skip
async def test_payment_methods_per_country(
    checkout: Checkout, demo_tenant: Tenant, make_ctx: CtxFactory, lang: str, country: str,
    local_method: str,
) -> None:  # fmt: skip
    ctx = make_ctx(demo_tenant, text="", language=lang, country=country)
    (reply,) = (await checkout.payment_methods(ctx)).replies
    assert local_method in reply.text
    assert len(reply.text.splitlines()) == len(PAYMENT[country]) + 2
    buttons = reply.payload["buttons"]  # type: ignore[index]
    assert {b["intent"] for b in buttons} == {"payment_methods"} and len(buttons) == 3
    others = {"Swish", "Vipps", "MobilePay"} - {local_method}
    if country in {"SE", "NO"}:
        assert not any(o in reply.text for o in others)


async def test_without_a_connector_the_content_answers(
    db: Database, clock: ManualClock, checkout: Checkout, make_ctx: CtxFactory
) -> None:
    tenant = await new_tenant(db, clock)
    result = await checkout.payment_methods(make_ctx(tenant))
    assert result.replies == []  # the intent's fixed answer is shown


def test_the_demo_facts_agree_with_the_demo_content() -> None:
    """The content's fallback answers state the same prices and methods as the demo shop."""
    content = load_content(DEMO_CONTENT_DIR)
    delivery = " ".join(
        a
        for name in ("delivery_methods", "delivery_times_costs")
        for a in content.intent(name).answers["en"]  # type: ignore[union-attr]
    )
    for country, options in DELIVERY.items():
        for option in options:
            amount = f"{option.currency} {option.price}"  # "DKK 39", "EUR 4.90"
            assert amount in delivery, (country, option.code, amount)
            if option.free_over:
                assert f"free over {option.currency} {option.free_over}" in delivery
    payment = " ".join(content.intent("payment_methods").answers["en"])  # type: ignore[union-attr]
    for word in ("MobilePay in Denmark and Finland", "Swish in Sweden", "Vipps in Norway",
                 "online banking in Finland", "invoice", "part payment", "gift cards"):  # fmt: skip
        assert word in payment
