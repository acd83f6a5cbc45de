"""`samtale shop …`: the shop integration's commands.

    samtale shop connect TENANT shopify --url URL (--token T | --client-id ID --client-secret S)
                                        [--api-version V] [--order-prefix P]
    samtale shop connect TENANT woocommerce --url URL --key CK --secret CS
    samtale shop connect TENANT magento --url URL --token T [--store CODE]
    samtale shop check TENANT     # the shop's name and product count; exit 1 on failure
    samtale shop sync TENANT      # import the product catalogue now (also on a schedule)
    samtale shop demo-orders [--json]

`connect` tests the credentials first (unless `--no-check`) and stores nothing when the shop
does not answer; secrets are sealed with a key derived from `SAMTALE_SECRET_KEY`, shown back
only masked, and may come from the environment (`SAMTALE_SHOP_TOKEN`, …) rather than the
command line. `demo-orders` lists demo orders to try the bot with: the demo data is a pure
function of its seed, so the list is the same for every demo database and needs none.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy import select

from samtale.app.container import Container
from samtale.cli.common import fail, load_settings, running, validation_message
from samtale.demo.shop.orders import DemoOrder, generate_orders
from samtale.kernel.errors import DomainError
from samtale.kernel.logs import configure_logging
from samtale.model import Tenant
from samtale.shop.connect import PLATFORM_NAMES
from samtale.shop.vocabulary import carrier_name

T = TypeVar("T")

app = typer.Typer(
    help="The shop integration: connect a Shopify, WooCommerce or Magento shop, check it, "
    "sync its catalogue; demo orders to try the bot with.",
    no_args_is_help=True,
)


@app.callback()
def shop() -> None:
    """The shop integration: connect a platform, check it, sync its catalogue; demo orders."""


class PlatformName(StrEnum):
    shopify = "shopify"
    woocommerce = "woocommerce"
    magento = "magento"


def _run(fn: Callable[[Container, uuid.UUID], Awaitable[T]], tenant: str) -> T:
    settings = load_settings()
    configure_logging(settings.log_level, _Stderr())  # JSON on stderr; stdout is the command's

    async def main() -> T:
        async with running(settings) as container:
            async with container.db.session() as session:
                row = await session.scalar(select(Tenant).where(Tenant.slug == tenant))
            if row is None:
                fail(f"no tenant {tenant!r}")
            return await fn(container, row.id)

    try:
        return asyncio.run(main())
    except DomainError as exc:
        fields = ", ".join(f["field"] for f in exc.fields or [])
        fail(f"{exc.message}{f' ({fields})' if fields else ''}")
    except ValidationError as exc:
        fail(validation_message(exc))


class _Stderr:
    """Whatever `sys.stderr` is when a line is written (a test runner swaps it per command)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


@app.command("connect")
def connect_command(
    tenant: Annotated[str, typer.Argument(help="The tenant's slug.")],
    platform: Annotated[PlatformName, typer.Argument(help="shopify, woocommerce or magento.")],
    url: Annotated[str, typer.Option(help="The shop's address (https://…).")],
    token: Annotated[
        str | None,
        typer.Option(
            help="Shopify: an Admin API access token; Magento: an integration access token.",
            envvar="SAMTALE_SHOP_TOKEN",
            show_envvar=True,
        ),
    ] = None,
    client_id: Annotated[
        str | None, typer.Option(help="Shopify: a Dev Dashboard app's client id.")
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            help="Shopify: the app's client secret.",
            envvar="SAMTALE_SHOP_CLIENT_SECRET",
            show_envvar=True,
        ),
    ] = None,
    api_version: Annotated[
        str | None, typer.Option(help="Shopify: the Admin API version (e.g. 2026-01).")
    ] = None,
    order_prefix: Annotated[
        str | None, typer.Option(help="Shopify: the order names' prefix (default #).")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            help="WooCommerce: the consumer key (ck_…).",
            envvar="SAMTALE_SHOP_KEY",
            show_envvar=True,
        ),
    ] = None,
    secret: Annotated[
        str | None,
        typer.Option(
            help="WooCommerce: the consumer secret (cs_…).",
            envvar="SAMTALE_SHOP_SECRET",
            show_envvar=True,
        ),
    ] = None,
    store: Annotated[str | None, typer.Option(help="Magento: the store view code.")] = None,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="Test the credentials before storing.")
    ] = True,
) -> None:
    """Connect the tenant's shop to its platform (replaces the demo shop for the demo)."""
    values: dict[str, Any] = {"url": url}
    if platform == PlatformName.shopify:
        if not token and not (client_id and client_secret):
            fail("give --token, or --client-id and --client-secret")
        values.update(token=token, client_id=client_id, client_secret=client_secret,
                      api_version=api_version, order_prefix=order_prefix)  # fmt: skip
    elif platform == PlatformName.woocommerce:
        if not (key and secret):
            fail("give --key and --secret")
        values.update(key=key, secret=secret)
    else:
        if not token:
            fail("give --token")
        values.update(token=token, store=store)

    async def go(container: Container, tenant_id: uuid.UUID) -> None:
        found = await container.shop.connect(tenant_id, platform.value, values, verify=check)
        name = PLATFORM_NAMES[platform.value]
        typer.echo(f"Connected {tenant} to {name} at {url}.")
        if found is not None:
            typer.echo(f"Shop: {found.name}\nProducts: {found.products}")
        shown = await container.shop.masked(tenant_id)
        for field, masked in shown.items():
            typer.echo(f"{field}: {masked}")
        typer.echo(f"Import the catalogue now with: samtale shop sync {tenant}")

    _run(go, tenant)


@app.command("check")
def check_command(tenant: Annotated[str, typer.Argument(help="The tenant's slug.")]) -> None:
    """Check the connected shop's credentials and access: its name and product count."""

    async def go(container: Container, tenant_id: uuid.UUID) -> None:
        found = await container.shop.check(tenant_id)
        typer.echo(f"Shop: {found.name}\nProducts: {found.products}")
        if found.currency:
            typer.echo(f"Currency: {found.currency}")

    _run(go, tenant)


@app.command("sync")
def sync_command(
    tenant: Annotated[str, typer.Argument(help="The tenant's slug.")],
    full: Annotated[
        bool | None,
        typer.Option(
            "--full/--changes",
            help="All products (removing the shop's removed "
            "ones), or only those changed since the last sync. Default: as due.",
        ),
    ] = None,
) -> None:
    """Import the connected shop's product catalogue now (it also runs on a schedule)."""

    async def go(container: Container, tenant_id: uuid.UUID) -> None:
        r = await container.shop.sync(tenant_id, full=full)
        typer.echo(
            f"{'Full' if r.full else 'Incremental'} sync from {PLATFORM_NAMES[r.platform]}: "
            f"{r.received} received, {r.added} added, {r.updated} updated, {r.removed} removed"
            f"{f', {r.skipped} skipped' if r.skipped else ''}; {r.total} products in "
            f"{r.seconds:.1f} s ({r.rate:.0f}/s)."
        )

    _run(go, tenant)


# One order in each of these states, the first in transit.
SHOWN_STATUSES = (
    "in_transit",
    "at_pickup_point",
    "out_for_delivery",
    "delivered",
    "delayed",
    "handed_to_carrier",
    "returned",
    "created",
)


def demo_orders() -> list[dict[str, Any]]:
    """A few demo orders: one per status, spread over carriers and countries."""
    orders = [o for o in generate_orders() if o.shipments]
    chosen: list[DemoOrder] = []
    carriers: set[str] = set()
    countries: set[str] = set()
    for status in SHOWN_STATUSES:
        candidates = [o for o in orders if o.status == status and o not in chosen]
        if not candidates:
            continue

        def novelty(o: DemoOrder) -> int:
            first_in_danish = not chosen and o.order.country == "DK"  # the demo speaks Danish
            return (
                first_in_danish * 4
                + (o.shipments[0].carrier not in carriers) * 2
                + (o.order.country not in countries)
            )

        pick = max(candidates, key=novelty)  # the first of the most varied
        chosen.append(pick)
        carriers.add(pick.shipments[0].carrier)
        countries.add(pick.order.country or "")
    return [
        {
            "order_number": o.order.order_number,
            "email": o.email,
            "tracking_number": o.shipments[0].tracking_number,
            "carrier": carrier_name(o.shipments[0].carrier),
            "status": o.status,
            "country": o.order.country,
        }
        for o in chosen
    ]


@app.command("demo-orders")
def demo_orders_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Demo orders to try the bot with ("hvor er min pakke?" → order number → e-mail)."""
    rows = demo_orders()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"{'order':<10} {'e-mail':<30} {'tracking number':<22} {'carrier':<9} {'status':<18} country"
    )
    for r in rows:
        typer.echo(
            f"{r['order_number']:<10} {r['email']:<30} {r['tracking_number']:<22} "
            f"{r['carrier']:<9} {r['status']:<18} {r['country']}"
        )
    typer.echo(
        '\nAsk the demo bot "hvor er min pakke?" and give an order number and its e-mail, '
        "or give a tracking number alone (status only)."
    )
