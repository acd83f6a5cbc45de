"""What a shop's systems answer: orders, shipments, products, delivery and payment options.

Plain pydantic models, the same for every connector: the built-in demo shop builds them from
its tables, the HTTP connector from the shop's JSON through a field mapping (so a malformed answer
fails validation here, at the edge, and never reaches a customer). Texts a shop keeps in several
languages are `Localized` dicts keyed by language code; `pick()` chooses one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Localized = dict[str, str]


def L(da: str, sv: str, nb: str, fi: str, en: str) -> Localized:
    """Texts in the five languages, in their usual order."""
    return {"da": da, "sv": sv, "nb": nb, "fi": fi, "en": en}


def pick(texts: Localized, language: str, fallback: str = "") -> str:
    """The text in `language`, else English, else any."""
    if not texts:
        return fallback
    return texts.get(language) or texts.get("en") or next(iter(texts.values()))


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# -- shipments ---------------------------------------------------------------------------------

# Where a parcel is. `created`: the label exists, the carrier has not seen the parcel yet.
ShipmentStatus = Literal[
    "created",
    "handed_to_carrier",
    "in_transit",
    "out_for_delivery",
    "at_pickup_point",
    "delivered",
    "delayed",
    "returned",
]
SHIPMENT_STATUSES: tuple[str, ...] = ShipmentStatus.__args__  # type: ignore[attr-defined]

# What happened to it. Events at these codes happen at the recipient's address or chosen pickup
# point, so their location says where the person lives: a look-up by tracking number alone shows
# them without a location.
PERSONAL_EVENT_CODES = frozenset(
    {"out_for_delivery", "delivery_attempted", "at_pickup_point", "delivered", "not_collected"}
)


class ShipmentEvent(_Model):
    at: datetime
    # created, handed_to_carrier, at_terminal, departed_terminal, customs, delayed,
    # out_for_delivery, delivery_attempted, at_pickup_point, delivered, not_collected,
    # return_in_transit, returned — or "other" with the carrier's own `description`.
    code: str = "other"
    location: str | None = None
    description: str | None = None

    @field_validator("at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("event time without a time zone")
        return v


class PickupPoint(_Model):
    name: str
    address: str | None = None
    postcode: str | None = None
    city: str | None = None
    kind: Literal["shop", "locker"] = "shop"
    opening_hours: str | None = None


class Shipment(_Model):
    tracking_number: str
    carrier: str  # carrier code: postnord, gls, dao, bring, budbee, posti (or the shop's own)
    status: ShipmentStatus
    events: list[ShipmentEvent] = Field(default_factory=list)
    expected_delivery: date | None = None
    delivery_method: Literal["pickup", "locker", "home"] | None = None
    pickup_point: PickupPoint | None = None
    collect_by: date | None = None  # the last day a parcel waits at its pickup point
    tracking_url: str | None = None

    def timeline(self) -> list[ShipmentEvent]:
        """Events, newest first."""
        return sorted(self.events, key=lambda e: e.at, reverse=True)


# -- orders ------------------------------------------------------------------------------------


class OrderLine(_Model):
    sku: str | None = None
    name: str = ""
    names: Localized = Field(default_factory=dict)
    quantity: int = Field(default=1, ge=0)
    colour: str | None = None
    size: str | None = None
    price: Decimal | None = None

    def display_name(self, language: str) -> str:
        return pick(self.names, language, self.name)


class Order(_Model):
    order_number: str
    email: str | None = None  # None when the shop's system checks the e-mail itself
    placed_at: datetime | None = None
    country: str | None = None
    currency: str | None = None
    total: Decimal | None = None
    lines: list[OrderLine] = Field(default_factory=list)
    shipments: list[Shipment] = Field(default_factory=list)
    cancelled: bool = False
    status_url: str | None = None  # the platform's order status page, where it has one


# -- products ----------------------------------------------------------------------------------


class Variant(_Model):
    sku: str
    colour: str | None = None  # a colour code of `vocabulary.COLOURS`, or the shop's own word
    size: str | None = None
    stock: int = 0


class Image(_Model):
    url: str
    colour: str | None = None


class Product(_Model):
    sku: str
    names: Localized
    descriptions: Localized = Field(default_factory=dict)
    category: str = ""
    category_names: Localized = Field(default_factory=dict)
    materials: Localized = Field(default_factory=dict)
    care: Localized = Field(default_factory=dict)
    prices: dict[str, Decimal] = Field(default_factory=dict)  # currency → price
    variants: list[Variant] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    url: str | None = None
    # Words customers use for it beyond its name (synonyms, other languages' words), for search.
    keywords: str = ""
    # What semantic search reads, per language (default: name and description). Products that
    # share a text share its vector.
    search_text: Localized = Field(default_factory=dict)

    @field_validator("names")
    @classmethod
    def _has_name(cls, v: Localized) -> Localized:
        if not any(s.strip() for s in v.values()):
            raise ValueError("a product needs a name")
        return v

    def name(self, language: str) -> str:
        return pick(self.names, language, self.sku)

    @property
    def colours(self) -> list[str]:
        return list(dict.fromkeys(v.colour for v in self.variants if v.colour))

    @property
    def sizes(self) -> list[str]:
        return list(dict.fromkeys(v.size for v in self.variants if v.size))

    def stock(self, colour: str | None = None, size: str | None = None) -> int:
        return sum(
            v.stock
            for v in self.variants
            if (colour is None or v.colour == colour) and (size is None or v.size == size)
        )

    def sizes_in_stock(self, colour: str | None = None) -> list[str]:
        return [s for s in self.sizes if self.stock(colour, s) > 0]

    def image(self, colour: str | None = None) -> str | None:
        for img in self.images:
            if colour is not None and img.colour == colour:
                return img.url
        return self.images[0].url if self.images else None

    def price(self, currency: str) -> Decimal | None:
        return self.prices.get(currency)

    def priced(self, currency: str, fallback: str | None = None) -> tuple[str, Decimal] | None:
        """The price in `currency`, else in `fallback` (the shop's own currency), else in any
        currency the shop gives: a shop that prices only in DKK still shows a Swedish customer
        a price, in DKK."""
        for cur in (currency, fallback, *sorted(self.prices)):
            if cur is not None and cur in self.prices:
                return cur, self.prices[cur]
        return None


class SearchFilters(_Model):
    """What a customer asked for in words: colours (`navy` or `family:blue`), sizes, a price range
    in `currency`."""

    colours: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list)
    max_price: Decimal | None = None
    min_price: Decimal | None = None
    currency: str | None = None

    def is_empty(self) -> bool:
        return not (self.colours or self.sizes or self.max_price or self.min_price)


# -- delivery and payment ----------------------------------------------------------------------


class DeliveryOption(_Model):
    code: str
    method: Literal["pickup", "locker", "home", "express"]
    carriers: list[str] = Field(default_factory=list)  # carrier codes
    price: Decimal
    currency: str
    free_over: Decimal | None = None
    days_min: int | None = None
    days_max: int | None = None
    names: Localized = Field(default_factory=dict)
    notes: Localized = Field(default_factory=dict)


class PaymentMethod(_Model):
    code: str  # card, mobilepay, swish, vipps, online_bank, invoice, part_payment, gift_card
    names: Localized = Field(default_factory=dict)
    details: Localized = Field(default_factory=dict)
