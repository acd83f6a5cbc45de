"""`samtale shop …`: the shop integration's commands.

`samtale shop demo-orders [--json]` lists demo orders to try the bot with. The demo data is a
pure function of its seed, so the list is the same for every demo database and needs none.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from samtale.demo.shop.orders import DemoOrder, generate_orders
from samtale.shop.vocabulary import carrier_name

app = typer.Typer(
    help="The shop integration: demo orders to try the bot with.", no_args_is_help=True
)


@app.callback()
def shop() -> None:
    """The shop integration: demo orders to try the bot with."""


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
