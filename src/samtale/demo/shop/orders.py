"""The demo orders: a pure function of a seed, with shipments in realistic states.

How the timelines relate to dates: every order is generated against one fixed moment,
`DEMO_NOW` (Monday 5 January 2026, 05:00 UTC); each event happens before it, and expected
deliveries and pickup deadlines are dates around it. The rows stored in a demo database are
exactly these, so every demo database holds the same orders, e-mails, tracking numbers and
timelines. When the demo shop answers, it moves a whole timeline forward by the number of whole
days between `DEMO_NOW` and the clock's now (`demo_shift`), so a parcel "in transit" was
handed to the carrier a day or two ago whatever the date, its expected delivery is still ahead,
and every event keeps its time of day. Nothing is ever shown in the future.

Statuses: an order may not be sent yet (no shipment); a shipment is `created` (label printed),
`handed_to_carrier`, `in_transit`, `out_for_delivery`, `at_pickup_point`, `delivered`,
`delayed` or `returned` (not collected or not deliverable, back at the warehouse). Carriers by
country and delivery method follow the shop's delivery options (`demo.policies`).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from samtale.demo.shop.catalogue import DEMO_SEED, generate_catalogue
from samtale.shop.models import (
    Order,
    OrderLine,
    PickupPoint,
    Product,
    Shipment,
    ShipmentEvent,
)

DEMO_NOW = datetime(2026, 1, 5, 5, 0, tzinfo=UTC)
ORDER_COUNT = 240
WAREHOUSE = "Kolding"

ZONES = {
    "DK": ZoneInfo("Europe/Copenhagen"),
    "SE": ZoneInfo("Europe/Stockholm"),
    "NO": ZoneInfo("Europe/Oslo"),
    "FI": ZoneInfo("Europe/Helsinki"),
}
_COUNTRY_WEIGHTS = (("DK", 45), ("SE", 25), ("NO", 15), ("FI", 15))
_CURRENCY = {"DK": "DKK", "SE": "SEK", "NO": "NOK", "FI": "EUR"}

# (method, carriers, weight) per country — the options of `demo.policies`.
_METHODS: dict[str, tuple[tuple[str, tuple[str, ...], int], ...]] = {
    "DK": (("pickup", ("postnord", "gls", "dao"), 60), ("home", ("dao", "budbee"), 40)),
    "SE": (
        ("pickup", ("postnord",), 50),
        ("locker", ("budbee",), 25),
        ("home", ("budbee", "postnord"), 25),
    ),
    "NO": (("pickup", ("bring",), 50), ("locker", ("bring",), 20), ("home", ("bring",), 30)),
    "FI": (
        ("pickup", ("posti", "posti", "budbee"), 50),
        ("locker", ("posti",), 20),
        ("home", ("posti", "budbee"), 30),
    ),
}

# Shipment statuses and how often they occur (orders not sent yet have no shipment).
_STATUS_WEIGHTS = (
    ("unsent", 4),
    ("created", 7),
    ("handed_to_carrier", 9),
    ("in_transit", 24),
    ("out_for_delivery", 7),
    ("at_pickup_point", 12),
    ("delivered", 25),
    ("delayed", 7),
    ("returned", 5),
)

_TERMINALS: dict[tuple[str, str], tuple[str, ...]] = {
    ("postnord", "DK"): ("Fredericia", "Taastrup", "Brøndby", "Aarhus"),
    ("postnord", "SE"): ("Jönköping", "Hallsberg", "Malmö", "Rosersberg"),
    ("gls", "DK"): ("Brøndby", "Aarhus", "Odense"),
    ("dao", "DK"): ("Vejle", "Hedehusene", "Aarhus"),
    ("bring", "NO"): ("Oslo (Alnabru)", "Bergen", "Trondheim", "Stavanger"),
    ("budbee", "DK"): ("København",),
    ("budbee", "SE"): ("Stockholm", "Göteborg", "Malmö"),
    ("budbee", "FI"): ("Vantaa",),
    ("posti", "FI"): ("Vantaa", "Tampere", "Oulu", "Turku"),
}
_BORDER = {"SE": "Helsingborg", "NO": "Oslo", "FI": "Vantaa"}

_CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "DK": (("2200", "København N"), ("8000", "Aarhus C"), ("5000", "Odense C"),
           ("9000", "Aalborg"), ("6000", "Kolding"), ("2800", "Kongens Lyngby"),
           ("7100", "Vejle"), ("4000", "Roskilde")),
    "SE": (("114 34", "Stockholm"), ("411 05", "Göteborg"), ("211 22", "Malmö"),
           ("753 20", "Uppsala"), ("582 22", "Linköping"), ("903 26", "Umeå")),
    "NO": (("0562", "Oslo"), ("5003", "Bergen"), ("7011", "Trondheim"), ("4006", "Stavanger"),
           ("9008", "Tromsø")),
    "FI": (("00100", "Helsinki"), ("33100", "Tampere"), ("20100", "Turku"), ("90100", "Oulu"),
           ("02100", "Espoo"), ("40100", "Jyväskylä")),
}  # fmt: skip
_STREETS: dict[str, tuple[str, ...]] = {
    "DK": ("Nørrebrogade 12", "Vesterbrogade 88", "Søndergade 21", "Jernbanegade 5",
           "Vestergade 40"),
    "SE": ("Drottninggatan 45", "Kungsgatan 12", "Storgatan 8", "Södra Vägen 20"),
    "NO": ("Storgata 14", "Bogstadveien 30", "Kongens gate 9", "Markens gate 2"),
    "FI": ("Mannerheimintie 20", "Hämeenkatu 15", "Aleksanterinkatu 9", "Kauppakatu 4"),
}  # fmt: skip
_PICKUP_CHAINS: dict[tuple[str, str], tuple[str, ...]] = {
    ("postnord", "DK"): ("Netto", "Føtex", "Coop 365", "SuperBrugsen"),
    ("postnord", "SE"): ("ICA Nära", "Coop", "Pressbyrån", "Hemköp"),
    ("gls", "DK"): ("Shell", "Circle K", "Spar"),
    ("dao", "DK"): ("Meny", "Kvickly", "Lokalbrugsen"),
    ("bring", "NO"): ("Coop Extra", "Kiwi", "Rema 1000", "Meny"),
    ("posti", "FI"): ("K-Market", "S-Market", "R-kioski", "Alepa"),
    ("budbee", "FI"): ("Budbee Box",),
}
_LOCKERS = {
    "budbee": "Budbee Box",
    "bring": "Bring Pakkeautomat",
    "posti": "Posti Pakettiautomaatti",
    "postnord": "PostNord Pakkeboks",
}
_OPENING_HOURS = {
    "DK": "Man–søn 8–22",
    "SE": "Mån–sön 8–22",
    "NO": "Man–lør 7–23",
    "FI": "Ma–su 7–23",
}
_FIRST = {
    "DK": "Maja Emma Ida Sofie Freja Anna Laura Mathias Frederik Lucas Oliver Mads Jonas Karen",
    "SE": "Elsa Alice Maja Ebba Wilma Astrid Lucas Liam Hugo Elias Oscar Nils Karin Linnea",
    "NO": "Nora Emma Ingrid Sara Olivia Jakob Emil Filip Henrik Sander Kari Ola Tuva Marius",
    "FI": "Aino Helmi Aada Sofia Venla Eino Leo Onni Väinö Elias Veeti Siiri Matti Liisa",
}
_LAST = {
    "DK": "Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Holm Møller",
    "SE": "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Lindqvist Berg",
    "NO": "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Berg Haugen",
    "FI": "Korhonen Virtanen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen",
}
_DOMAINS = ("example.com", "example.net", "example.org")
_DELAY_REASONS = ("weather", "volume", "sorting")


@dataclass(frozen=True)
class DemoOrder:
    """An order as the demo stores it: the order, its (normalised) e-mail, its shipments."""

    order: Order
    email: str
    shipments: list[Shipment]
    status: str  # the newest shipment's status, or "unsent"


def demo_shift(now: datetime) -> timedelta:
    """How far to move the demo's timelines so that `DEMO_NOW` becomes the most recent moment
    with the same time of day that is not after `now` (whole days)."""
    return timedelta(days=(now - DEMO_NOW) // timedelta(days=1))


# -- identifiers -------------------------------------------------------------------------------


def _s10(rng: random.Random, country: str) -> str:
    """A UPU S10 number with its check digit, e.g. RB123456785SE."""
    digits = [rng.randint(0, 9) for _ in range(8)]
    total = sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    check = 5 if check == 11 else 0 if check == 10 else check
    return f"{rng.choice(('RB', 'RR', 'UA', 'CE'))}{''.join(map(str, digits))}{check}{country}"


def tracking_number(rng: random.Random, carrier: str, country: str) -> str:
    """A number in the carrier's format (see `shop.formats.DEMO_TRACKING_PATTERNS`)."""
    if carrier == "postnord":
        return _s10(rng, country if country in {"DK", "SE"} else "DK")
    if carrier == "posti":
        return "JJFI" + "".join(str(rng.randint(0, 9)) for _ in range(17))
    if carrier == "bring":
        return "370" + "".join(str(rng.randint(0, 9)) for _ in range(14))
    if carrier == "gls":
        return "5" + "".join(str(rng.randint(0, 9)) for _ in range(13))
    if carrier == "dao":
        return "00057" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "BUD" + "".join(rng.choice(alphabet) for _ in range(9))


def _ascii(name: str) -> str:
    name = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def _weighted(rng: random.Random, items: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


# -- timelines ---------------------------------------------------------------------------------


class _Timeline:
    def __init__(self, rng: random.Random, country: str, start: datetime) -> None:
        self.rng = rng
        self.zone = ZONES[country]
        self.at = start
        self.events: list[ShipmentEvent] = []

    def local(self, day: date, hour: float) -> datetime:
        naive = datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    def add(self, code: str, at: datetime, location: str | None = None) -> None:
        at = at.replace(second=0, microsecond=0)
        self.at = max(at, self.at + timedelta(minutes=self.rng.randint(7, 50)))
        self.events.append(ShipmentEvent(at=self.at, code=code, location=location))

    def after(self, hours_min: float, hours_max: float) -> datetime:
        return self.at + timedelta(
            minutes=self.rng.randint(int(hours_min * 60), int(hours_max * 60))
        )


def _days_before(now: datetime, days: float) -> datetime:
    return now - timedelta(hours=days * 24)


def _shipment(
    rng: random.Random,
    status: str,
    carrier: str,
    country: str,
    method: str,
    placed: datetime,
    city: tuple[str, str],
) -> Shipment:
    tl = _Timeline(rng, country, placed)
    zone = ZONES[country]
    today = DEMO_NOW.astimezone(zone).date()
    terminals = _TERMINALS[(carrier, country)]
    postcode, city_name = city
    pickup: PickupPoint | None = None
    if method == "pickup":
        chains = _PICKUP_CHAINS.get((carrier, country), ("Coop",))
        street = rng.choice(_STREETS[country])
        pickup = PickupPoint(
            name=f"{rng.choice(chains)} {street.rsplit(' ', 1)[0]}",
            address=street,
            postcode=postcode,
            city=city_name,
            kind="shop",
            opening_hours=_OPENING_HOURS[country],
        )
    elif method == "locker":
        street = rng.choice(_STREETS[country])
        pickup = PickupPoint(
            name=f"{_LOCKERS.get(carrier, 'Pakkeboks')} {street.rsplit(' ', 1)[0]}",
            address=street,
            postcode=postcode,
            city=city_name,
            kind="locker",
            opening_hours="24/7",
        )
    place = f"{pickup.name}, {city_name}" if pickup else city_name

    tl.add("created", tl.after(0.5, 3), WAREHOUSE)
    expected: date | None = None
    collect_by: date | None = None
    transit_days = 1 if country == "DK" else 2
    if status == "created":
        expected = today + timedelta(days=transit_days + rng.randint(0, 1))
    else:
        handed_day = (tl.at.astimezone(zone) + timedelta(hours=2)).date()
        tl.add("handed_to_carrier", tl.local(handed_day, rng.uniform(15, 17.5)), WAREHOUSE)
        if status == "handed_to_carrier":
            expected = today + timedelta(days=transit_days)
    if status not in {"created", "handed_to_carrier"}:
        tl.add("departed_terminal", tl.after(3, 7), rng.choice((*terminals[:1], WAREHOUSE)))
        if country != "DK":
            tl.add("at_terminal", tl.after(5, 10), _BORDER[country])
            if country == "NO":
                tl.add("customs", tl.after(1, 4), "Oslo")
        tl.add("at_terminal", tl.after(3, 8), rng.choice(terminals))
        if status == "in_transit":
            expected = today + timedelta(days=rng.randint(0, 1))
        elif status == "delayed":
            tl.add("delayed", tl.after(2, 10), rng.choice(terminals))
            tl.events[-1] = tl.events[-1].model_copy(
                update={"description": rng.choice(_DELAY_REASONS)}
            )
            expected = today + timedelta(days=rng.randint(1, 2))
    if status in {"out_for_delivery", "delivered", "at_pickup_point", "returned"}:
        if method == "home":
            day = (tl.at.astimezone(zone) + timedelta(hours=6)).date()
            tl.add("out_for_delivery", tl.local(day, rng.uniform(6, 7.5)), terminals[0])
            if status == "out_for_delivery":
                expected = today
            elif status == "delivered":
                tl.add("delivered", tl.local(day, rng.uniform(9, 17)), city_name)
            else:  # returned: two attempts, then back to the warehouse
                tl.add("delivery_attempted", tl.local(day, rng.uniform(9, 17)), city_name)
                day2 = day + timedelta(days=1)
                tl.add("out_for_delivery", tl.local(day2, rng.uniform(6, 7.5)), terminals[0])
                tl.add("delivery_attempted", tl.local(day2, rng.uniform(9, 17)), city_name)
                tl.add("return_in_transit", tl.after(20, 30), terminals[0])
                tl.add("returned", tl.after(24, 60), WAREHOUSE)
        else:
            tl.add("at_pickup_point", tl.after(3, 9), place)
            arrived = tl.at.astimezone(zone).date()
            if status == "at_pickup_point":
                collect_by = arrived + timedelta(days=7)
            elif status == "delivered":
                tl.add("delivered", tl.after(4, 60), place)
            else:
                deadline = arrived + timedelta(days=7)
                tl.add("not_collected", tl.local(deadline + timedelta(days=1), 8.5), place)
                tl.add("return_in_transit", tl.after(6, 30), rng.choice(terminals))
                tl.add("returned", tl.after(24, 60), WAREHOUSE)
    return Shipment(
        tracking_number=tracking_number(rng, carrier, country),
        carrier=carrier,
        status=status,
        events=tl.events,
        expected_delivery=expected,
        delivery_method=method,
        pickup_point=pickup,
        collect_by=collect_by,
    )


# How long before DEMO_NOW an order in each status was placed (days, from–to), so that its
# timeline ends before DEMO_NOW.
_AGE = {
    "unsent": (0.05, 0.5),
    "created": (0.3, 0.7),
    "handed_to_carrier": (0.8, 1.4),
    "in_transit": (1.6, 3.0),
    "out_for_delivery": (1.8, 3.0),
    "at_pickup_point": (2.5, 8.0),
    "delivered": (3.5, 25.0),
    "delayed": (3.0, 5.5),
    "returned": (15.0, 28.0),
}


def _fits(shipment: Shipment) -> bool:
    return all(e.at <= DEMO_NOW for e in shipment.events)


def _order(rng: random.Random, products: list[Product], order_number: str) -> DemoOrder:
    country = _weighted(rng, _COUNTRY_WEIGHTS)
    first = rng.choice(_FIRST[country].split())
    last = rng.choice(_LAST[country].split())
    email = f"{_ascii(first)}.{_ascii(last)}{rng.choice(('', '', str(rng.randint(2, 99))))}@{rng.choice(_DOMAINS)}"
    status = _weighted(rng, _STATUS_WEIGHTS)
    low, high = _AGE[status]
    currency = _CURRENCY[country]
    lines = []
    for product in rng.sample(products, rng.choice((1, 1, 2, 2, 3))):
        variant = rng.choice(product.variants)
        lines.append(
            OrderLine(
                sku=variant.sku,
                name=product.names["en"],
                names=product.names,
                quantity=rng.choice((1, 1, 1, 2)),
                colour=variant.colour,
                size=variant.size,
                price=product.prices[currency],
            )
        )
    total = sum((line.price or Decimal(0)) * line.quantity for line in lines)
    city = rng.choice(_CITIES[country])
    shipments: list[Shipment] = []
    placed = _days_before(DEMO_NOW, rng.uniform(low, high)).replace(second=0, microsecond=0)
    if status != "unsent":
        methods = _METHODS[country]
        method = rng.choices([m for m, _, _ in methods], weights=[w for _, _, w in methods])[0]
        carriers = next(c for m, c, _ in methods if m == method)
        if status == "out_for_delivery" and method != "home":
            status = "at_pickup_point"
        if status == "at_pickup_point" and method == "home":
            status = "out_for_delivery"
        carrier = rng.choice(carriers)
        for _ in range(10):  # keep every event before DEMO_NOW
            shipment = _shipment(rng, status, carrier, country, method, placed, city)
            if _fits(shipment):
                break
            placed -= timedelta(hours=6)
        shipments.append(shipment)
        # Now and then a second parcel (a split delivery) that is already delivered.
        if status in {"in_transit", "delivered"} and rng.random() < 0.08:
            extra = _shipment(rng, "delivered", carrier, country, method, placed, city)
            if _fits(extra):
                shipments.append(extra)
    order = Order(
        order_number=order_number,
        email=email,
        placed_at=placed,
        country=country,
        currency=currency,
        total=total,
        lines=lines,
        shipments=shipments,
    )
    return DemoOrder(order, email, shipments, shipments[0].status if shipments else "unsent")


def generate_orders(
    seed: int = DEMO_SEED, count: int = ORDER_COUNT, products: list[Product] | None = None
) -> list[DemoOrder]:
    """The demo orders, oldest order numbers first (a pure function of `seed`)."""
    rng = random.Random(seed + 1)
    catalogue = products if products is not None else generate_catalogue(seed)
    numbers = sorted(rng.sample(range(100_000_000, 110_000_000), count))
    return [_order(rng, catalogue, str(n)) for n in numbers]
