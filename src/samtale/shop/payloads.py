"""Reply payloads of the shop actions: the cards the widget draws, and their quick replies.

A reply is `Reply(text, payload)`; the text always says everything the card shows, for clients
that show only text (and screen readers). Dates and times in a payload come twice: as ISO values
for machines and as `*_text` already formatted for the conversation's language in the shop's
time zone, so clients never format them.

Tracking card — one reply per shipment::

    {
      "type": "tracking",
      "scope": "order" | "shipment",  # "shipment": found by tracking number alone
      "tracking_number": "RB123456785DK",
      "carrier": "postnord", "carrier_name": "PostNord",
      "status": "in_transit", "status_text": "På vej",  # with its day: "Leveret i går"
      "expected_delivery": "2026-01-07" | null, "expected_delivery_text": "ons. 7. januar" | null,
      "collect_by": "2026-01-12" | null, "collect_by_text": "man. 12. januar" | null,
      "delivery_method": "pickup" | "locker" | "home" | null,
      "pickup_point": {"name", "address", "postal_code", "city", "kind", "opening_hours"} | null,
      "events": [  # newest first
        {"at": "2026-01-05T13:32:00+00:00", "time_text": "5. jan. 14.32",
         "code": "at_terminal", "text": "Ankommet til terminal", "location": "Fredericia" | null}
      ],
      "tracking_url": "https://…" | null,
      "order_number": "104827361",  # scope "order" only
      "time_zone": "Europe/Copenhagen", "language": "da"
    }

With scope "shipment" (a tracking number and nothing else was given) the card holds the status
and the events only: no order number, no pickup point, and no location on the events that
happen at the recipient's door or pickup point (`models.PERSONAL_EVENT_CODES`).

Product card, and the list that carries up to three of them in one reply::

    {
      "type": "product", "sku": "NH-10001", "name": "Strikkjole Lumi",
      "url": "https://…", "image": "https://…" | null,
      "price": {"amount": "599", "currency": "DKK", "text": "599 kr."} | null,
      "colour": "black" | null, "colour_name": "sort" | null,  # the colour shown
      "colours": [{"code": "black", "name": "sort", "in_stock": true}],
      "sizes": ["S", "M"],  # sizes in stock in the colour shown
      "in_stock": true,
      "material": "100 % merinould", "category": "Kjoler"
    }
    {"type": "products", "items": [<product card>, …], "page": 1}

Quick replies ride on the last reply of a turn: `payload["buttons"] = [{"label": "Vis flere",
"text": "Vis flere: sort strikkjole", "intent": "product_question"}]` — `text` is what the
customer "says" by clicking (default: the label), `intent` the intent it goes straight to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from samtale.kernel.i18n import catalogue
from samtale.shop import formatting, texts
from samtale.shop.carriers import statuses
from samtale.shop.models import PERSONAL_EVENT_CODES, Product, Shipment, ShipmentEvent
from samtale.shop.vocabulary import carrier_name, colour_matches, colour_name

Button = dict[str, str]


def button(label: str, text: str | None = None, intent: str | None = None) -> Button:
    b = {"label": label}
    if text:
        b["text"] = text
    if intent:
        b["intent"] = intent
    return b


# -- tracking ----------------------------------------------------------------------------------


def event_text(event: ShipmentEvent, language: str) -> str:
    """The event in words: the carrier's own wording when it gave one (live tracking), else
    ours for its code."""
    shop_texts = catalogue("shop")
    code = event.code if f"event.{event.code}" in shop_texts else "other"
    base = shop_texts.text(f"event.{code}", language)
    if event.code == "delayed" and f"delay.{event.description}" in shop_texts:
        return f"{base} {shop_texts.text(f'delay.{event.description}', language)}"
    if event.description:
        return event.description
    return base


def status_text(status: str, language: str) -> str:
    shop_texts = catalogue("shop")
    key = f"status.{status}" if f"status.{status}" in shop_texts else "status.in_transit"
    return shop_texts.text(key, language)


# Statuses that happen on a day, and the event codes that mark them.
DATED: dict[str, frozenset[str]] = {
    "out_for_delivery": frozenset({"out_for_delivery"}),
    "delivered": frozenset({"delivered"}),
    "at_pickup_point": frozenset({"at_pickup_point"}),
}


def status_moment(shipment: Shipment) -> datetime | None:
    """When the shipment's status happened: its newest event that marks it, if any."""
    codes = DATED.get(shipment.status)
    if not codes:
        return None
    return next((e.at for e in shipment.timeline() if e.code in codes), None)


def shipment_status_text(
    shipment: Shipment, language: str, time_zone: str, now: datetime | None
) -> str:
    """The status in words, with the day it happened relative to `now` ("ude til levering
    i dag", "leveret i går"): a week-old "out for delivery" is not today's."""
    at = status_moment(shipment)
    if shipment.status == "out_for_delivery" and (at is None or now is None):
        return statuses.label("out_for_delivery", language)
    if at is not None and now is not None:
        return statuses.status_text(shipment.status, language, at=at, now=now, time_zone=time_zone)
    return status_text(shipment.status, language)


def tracking_card(
    shipment: Shipment,
    language: str,
    time_zone: str,
    *,
    order_number: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The card of one shipment; without `order_number` it is the tracking-number-only view.
    With `now`, the status says the day it happened."""
    personal = order_number is not None
    events = []
    for event in shipment.timeline():
        hide = not personal and event.code in PERSONAL_EVENT_CODES
        events.append(
            {
                "at": event.at.isoformat(),
                "time_text": formatting.moment(event.at, language, time_zone),
                "code": event.code,
                "text": event_text(event, language),
                "location": None if hide else event.location,
            }
        )
    pickup = shipment.pickup_point if personal else None
    card: dict[str, Any] = {
        "type": "tracking",
        "scope": "order" if personal else "shipment",
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "carrier_name": carrier_name(shipment.carrier),
        "status": shipment.status,
        "status_text": _capital(shipment_status_text(shipment, language, time_zone, now)),
        "expected_delivery": shipment.expected_delivery.isoformat()
        if shipment.expected_delivery
        else None,
        "expected_delivery_text": formatting.day(shipment.expected_delivery, language)
        if shipment.expected_delivery
        else None,
        "collect_by": shipment.collect_by.isoformat() if shipment.collect_by else None,
        "collect_by_text": formatting.day(shipment.collect_by, language)
        if shipment.collect_by
        else None,
        "delivery_method": shipment.delivery_method,
        "pickup_point": {
            "name": pickup.name,
            "address": pickup.address,
            "postal_code": pickup.postcode,
            "city": pickup.city,
            "kind": pickup.kind,
            "opening_hours": pickup.opening_hours,
        }
        if pickup
        else None,
        "events": events,
        "tracking_url": shipment.tracking_url,
        "time_zone": time_zone,
        "language": language,
    }
    if order_number is not None:
        card["order_number"] = order_number
    return card


def tracking_text(card: dict[str, Any], language: str) -> str:
    """The card in words."""
    parts = [
        texts.say(
            "shipment_line",
            language,
            carrier=card["carrier_name"],
            tracking_number=card["tracking_number"],
            status=_lower(card["status_text"]),
        )
    ]
    if card["expected_delivery_text"] and card["status"] not in {"delivered", "returned"}:
        parts.append(texts.say("expected", language, date=card["expected_delivery_text"]))
    pickup = card.get("pickup_point")
    if pickup and card["status"] in {"at_pickup_point", "in_transit", "delayed",
                                     "handed_to_carrier", "created"}:  # fmt: skip
        place = ", ".join(
            p for p in (pickup["name"], pickup.get("address"), pickup.get("city")) if p
        )
        parts.append(texts.say("pickup_at", language, place=place))
    if card["collect_by_text"] and card["status"] == "at_pickup_point":
        parts.append(texts.say("collect_by", language, date=card["collect_by_text"]))
    if card["events"]:
        latest = card["events"][0]
        event = latest["text"] + (f", {latest['location']}" if latest["location"] else "")
        parts.append(texts.say("latest", language, time=latest["time_text"], event=event))
    if card.get("tracking_url"):
        parts.append(texts.say("track_link", language, url=card["tracking_url"]))
    return " ".join(parts)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


# -- products ----------------------------------------------------------------------------------


def shown_colour(product: Product, wanted: list[str]) -> str | None:
    """The colour a card shows: the first the customer asked for that the product has (in
    stock if possible), else the first in stock, else the first."""
    colours = product.colours
    for want in wanted:
        matching = [c for c in colours if colour_matches(want, c)]
        in_stock = [c for c in matching if product.stock(colour=c) > 0]
        if in_stock or matching:
            return (in_stock or matching)[0]
    in_stock = [c for c in colours if product.stock(colour=c) > 0]
    return (in_stock or colours)[0] if colours else None


def product_card(
    product: Product,
    language: str,
    currency: str,
    colours: list[str] | None = None,
    fallback: str | None = None,
) -> dict[str, Any]:
    """A product as a card; the price in `currency`, else in `fallback` or any the shop gives."""
    colour = shown_colour(product, colours or [])
    priced = product.priced(currency, fallback)
    sizes = product.sizes_in_stock(colour)
    return {
        "type": "product",
        "sku": product.sku,
        "name": product.name(language),
        "url": product.url,
        "image": product.image(colour),
        "price": {
            "amount": str(priced[1]),
            "currency": priced[0],
            "text": formatting.money(priced[1], priced[0], language),
        }
        if priced is not None
        else None,
        "colour": colour,
        "colour_name": colour_name(colour, language) if colour else None,
        "colours": [
            {
                "code": c,
                "name": colour_name(c, language),
                "in_stock": product.stock(colour=c) > 0,
            }
            for c in product.colours
        ],
        "sizes": sizes,
        "in_stock": product.stock(colour=colour) > 0,
        "material": texts.pick_text(product.materials, language) if product.materials else None,
        "category": texts.pick_text(product.category_names, language)
        if product.category_names
        else None,
    }


def product_text(card: dict[str, Any]) -> str:
    """One line per card: "Strikkjole Lumi – 599 kr. – sort – S, M"."""
    bits = [card["name"]]
    if card["price"]:
        bits.append(card["price"]["text"])
    if card["colour_name"]:
        bits.append(card["colour_name"])
    sizes = [s for s in card["sizes"] if s != "One size"]
    if sizes:
        bits.append(", ".join(sizes))
    return " – ".join(bits)


def product_list(cards: list[dict[str, Any]], page: int = 1) -> dict[str, Any]:
    return {"type": "products", "items": cards, "page": page}
