"""Field mapping: from a shop's own JSON to the connector's models.

A shop configures, per model, where each field is in its JSON, as dotted paths (`customer.email`,
`items`, `prices.0.amount`). Texts a shop keeps per language are either one path (the same text
for every language) or `{language: path}`; prices are a path to `{currency: amount}` or to a
list of objects (`price_list` with `currency_key` and `amount_key`), or `{currency: path}`.
Values a shop spells its own way — shipment statuses, event codes, carriers — are translated
through `*_values` tables. Unknown statuses become `in_transit` (and are logged), unknown event
codes `other` with the shop's own words as the description.

The mapped dict is validated by the models (`shop.models`): a malformed answer fails there, at
the edge, and the connector reports the shop's system as unavailable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from samtale.kernel.logs import get_logger
from samtale.shop.models import SHIPMENT_STATUSES

log = get_logger(__name__)

Path = str
LocalizedPath = Path | dict[str, Path]


class _Map(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventMap(_Map):
    at: Path = "at"
    code: Path = "code"
    location: Path | None = "location"
    description: Path | None = "description"


class PickupPointMap(_Map):
    name: Path = "name"
    address: Path | None = "address"
    postcode: Path | None = "postcode"
    city: Path | None = "city"
    kind: Path | None = None
    opening_hours: Path | None = "opening_hours"


class ShipmentMap(_Map):
    tracking_number: Path = "tracking_number"
    carrier: Path = "carrier"
    status: Path = "status"
    events: Path | None = "events"
    expected_delivery: Path | None = "expected_delivery"
    delivery_method: Path | None = None
    pickup_point: Path | None = "pickup_point"
    collect_by: Path | None = None
    tracking_url: Path | None = "tracking_url"
    event: EventMap = Field(default_factory=EventMap)
    pickup: PickupPointMap = Field(default_factory=PickupPointMap)


class OrderLineMap(_Map):
    sku: Path | None = "sku"
    name: LocalizedPath | None = "name"
    quantity: Path | None = "quantity"
    colour: Path | None = "colour"
    size: Path | None = "size"
    price: Path | None = "price"


class OrderMap(_Map):
    order_number: Path = "order_number"
    email: Path | None = "email"
    placed_at: Path | None = "placed_at"
    country: Path | None = "country"
    currency: Path | None = "currency"
    total: Path | None = "total"
    lines: Path | None = "lines"
    shipments: Path | None = "shipments"
    line: OrderLineMap = Field(default_factory=OrderLineMap)


class VariantMap(_Map):
    sku: Path = "sku"
    colour: Path | None = "colour"
    size: Path | None = "size"
    stock: Path | None = "stock"


class ProductMap(_Map):
    sku: Path = "sku"
    names: LocalizedPath = "name"
    descriptions: LocalizedPath | None = "description"
    category: Path | None = "category"
    materials: LocalizedPath | None = "material"
    care: LocalizedPath | None = "care"
    prices: Path | dict[str, Path] | None = "prices"
    price_list: Path | None = None  # a list of {currency, amount} objects
    currency_key: str = "currency"
    amount_key: str = "amount"
    variants: Path | None = "variants"
    images: Path | None = "images"  # a list of URLs or of objects with `image_url_key`
    image_url_key: str = "url"
    url: Path | None = "url"
    variant: VariantMap = Field(default_factory=VariantMap)


class FieldMap(_Map):
    order: OrderMap = Field(default_factory=OrderMap)
    shipment: ShipmentMap = Field(default_factory=ShipmentMap)
    product: ProductMap = Field(default_factory=ProductMap)
    status_values: dict[str, str] = Field(default_factory=dict)
    event_codes: dict[str, str] = Field(default_factory=dict)
    carrier_values: dict[str, str] = Field(default_factory=dict)
    # Times without a zone in the shop's JSON are in this zone.
    naive_time_zone: str = "UTC"


_MISSING = object()


def get(data: Any, path: Path | None) -> Any:
    """The value at a dotted path (`a.b.0.c`), or None."""
    if path is None or data is None:
        return None
    if path in ("", "."):
        return data
    value = data
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part, _MISSING)
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else _MISSING
        else:
            return None
        if value is _MISSING:
            return None
    return value


def _localized(data: Any, path: LocalizedPath | None) -> dict[str, str]:
    if path is None:
        return {}
    if isinstance(path, dict):
        return {lang: str(v) for lang, p in path.items() if (v := get(data, p)) not in (None, "")}
    value = get(data, path)
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v not in (None, "")}
    return {"en": str(value)} if value not in (None, "") else {}


def _list(data: Any, path: Path | None) -> list[Any]:
    value = get(data, path)
    return value if isinstance(value, list) else []


def _time(value: Any, fm: FieldMap) -> Any:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value  # let validation say it is malformed
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(fm.naive_time_zone))
        return parsed
    return value


def _date(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 10 and value[10] in "T ":
        return value[:10]
    return value


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def map_status(raw: Any, fm: FieldMap) -> str:
    text = str(raw or "")
    mapped = fm.status_values.get(text) or fm.status_values.get(text.lower())
    if mapped:
        return mapped
    if text.lower() in SHIPMENT_STATUSES:
        return text.lower()
    log.warning("shop_status_unmapped")
    return "in_transit"


def map_event(raw: Any, fm: FieldMap) -> dict[str, Any]:
    m = fm.shipment.event
    code_raw = get(raw, m.code)
    code = fm.event_codes.get(str(code_raw), str(code_raw or "other"))
    known = code in fm.event_codes.values() or code in _EVENT_CODES
    description = get(raw, m.description)
    return _compact(
        {
            "at": _time(get(raw, m.at), fm),
            "code": code if known else "other",
            "location": get(raw, m.location),
            "description": description if known else (description or code_raw),
        }
    )


_EVENT_CODES = frozenset(
    "created handed_to_carrier at_terminal departed_terminal customs delayed out_for_delivery "
    "delivery_attempted at_pickup_point delivered not_collected return_in_transit returned "
    "other".split()
)


def map_shipment(raw: Any, fm: FieldMap) -> dict[str, Any]:
    m = fm.shipment
    pickup_raw = get(raw, m.pickup_point)
    pickup = None
    if isinstance(pickup_raw, dict):
        p = m.pickup
        pickup = _compact(
            {
                "name": get(pickup_raw, p.name),
                "address": get(pickup_raw, p.address),
                "postcode": get(pickup_raw, p.postcode),
                "city": get(pickup_raw, p.city),
                "kind": get(pickup_raw, p.kind),
                "opening_hours": get(pickup_raw, p.opening_hours),
            }
        )
    elif isinstance(pickup_raw, str):
        pickup = {"name": pickup_raw}
    carrier = str(get(raw, m.carrier) or "")
    return _compact(
        {
            "tracking_number": get(raw, m.tracking_number),
            "carrier": fm.carrier_values.get(carrier, carrier.lower()),
            "status": map_status(get(raw, m.status), fm),
            "events": [map_event(e, fm) for e in _list(raw, m.events)],
            "expected_delivery": _date(get(raw, m.expected_delivery)),
            "delivery_method": get(raw, m.delivery_method),
            "pickup_point": pickup,
            "collect_by": _date(get(raw, m.collect_by)),
            "tracking_url": get(raw, m.tracking_url),
        }
    )


def map_order(raw: Any, fm: FieldMap) -> dict[str, Any]:
    m = fm.order
    lines = []
    for line in _list(raw, m.lines):
        names = _localized(line, m.line.name)
        lines.append(
            _compact(
                {
                    "sku": get(line, m.line.sku),
                    "name": next(iter(names.values()), ""),
                    "names": names,
                    "quantity": get(line, m.line.quantity),
                    "colour": get(line, m.line.colour),
                    "size": get(line, m.line.size),
                    "price": get(line, m.line.price),
                }
            )
        )
    return _compact(
        {
            "order_number": get(raw, m.order_number),
            "email": get(raw, m.email),
            "placed_at": _time(get(raw, m.placed_at), fm),
            "country": get(raw, m.country),
            "currency": get(raw, m.currency),
            "total": get(raw, m.total),
            "lines": lines,
            "shipments": [map_shipment(s, fm) for s in _list(raw, m.shipments)],
        }
    )


def _prices(raw: Any, m: ProductMap) -> dict[str, Any]:
    if m.price_list:
        return {
            str(get(item, m.currency_key)).upper(): get(item, m.amount_key)
            for item in _list(raw, m.price_list)
        }
    if isinstance(m.prices, dict):
        return {cur: v for cur, p in m.prices.items() if (v := get(raw, p)) is not None}
    value = get(raw, m.prices)
    return {str(k).upper(): v for k, v in value.items()} if isinstance(value, dict) else {}


def map_product(raw: Any, fm: FieldMap) -> dict[str, Any]:
    m = fm.product
    images = []
    for image in _list(raw, m.images):
        url = image if isinstance(image, str) else get(image, m.image_url_key)
        if url:
            images.append(
                {"url": url, "colour": get(image, "colour") if isinstance(image, dict) else None}
            )
    variants = [
        _compact(
            {
                "sku": get(v, m.variant.sku),
                "colour": get(v, m.variant.colour),
                "size": get(v, m.variant.size),
                "stock": get(v, m.variant.stock) or 0,
            }
        )
        for v in _list(raw, m.variants)
    ]
    return _compact(
        {
            "sku": get(raw, m.sku),
            "names": _localized(raw, m.names),
            "descriptions": _localized(raw, m.descriptions),
            "category": get(raw, m.category) or "",
            "materials": _localized(raw, m.materials),
            "care": _localized(raw, m.care),
            "prices": _prices(raw, m),
            "variants": variants,
            "images": images,
            "url": get(raw, m.url),
        }
    )
