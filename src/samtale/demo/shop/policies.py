"""Nordhjem's delivery options and payment methods per country.

These are the facts the demo content's answers state (`content/demo/30_delivery.yaml`,
`40_payment.yaml`): the bot answers delivery and payment questions from here, so a shop
changes them in one place. Keep them in step with the content's fallback answers.
"""

from __future__ import annotations

from decimal import Decimal

from samtale.shop import formatting
from samtale.shop.models import DeliveryOption, L, PaymentMethod

COUNTRIES = ("DK", "SE", "NO", "FI")

_PICKUP = L("Afhentning i pakkeshop", "Hämta hos ombud", "Henting på hentested",
            "Nouto noutopisteestä", "Pickup point")  # fmt: skip
_LOCKER = L("Pakkeboks", "Paketbox", "Pakkeautomat", "Pakettiautomaatti", "Parcel locker")
_HOME = L("Levering til døren", "Hemleverans", "Hjemlevering", "Kotiinkuljetus",
          "Home delivery")  # fmt: skip
_NORWAY_DUTIES = L(
    "Prisen er inkl. moms og told – du betaler ikke mere ved levering.",
    "Priset inkluderar moms och tull – du betalar inget mer vid leverans.",
    "Prisene inkluderer mva. og toll, så du betaler ikke noe ekstra ved levering.",
    "Hinta sisältää arvonlisäveron ja tullin – et maksa mitään lisää toimituksen yhteydessä.",
    "Prices include VAT and duties, so there is nothing more to pay on delivery.",
)


def _option(
    code: str,
    method: str,
    carriers: list[str],
    price: str,
    currency: str,
    free_over: str | None,
    days: tuple[int, int],
    names: dict[str, str],
    notes: dict[str, str] | None = None,
) -> DeliveryOption:
    return DeliveryOption(
        code=code,
        method=method,
        carriers=carriers,
        price=Decimal(price),
        currency=currency,
        free_over=Decimal(free_over) if free_over else None,
        days_min=days[0],
        days_max=days[1],
        names=names,
        notes=notes or {},
    )


DELIVERY: dict[str, list[DeliveryOption]] = {
    "DK": [
        _option("dk_pickup", "pickup", ["postnord", "gls", "dao"], "39", "DKK", "499", (1, 3),
                _PICKUP),
        _option("dk_home", "home", ["dao", "budbee"], "59", "DKK", None, (1, 3), _HOME),
    ],
    "SE": [
        _option("se_pickup", "pickup", ["postnord"], "49", "SEK", "599", (2, 4), _PICKUP),
        _option("se_locker", "locker", ["budbee"], "49", "SEK", "599", (2, 4), _LOCKER),
        _option("se_home", "home", ["budbee", "postnord"], "69", "SEK", None, (2, 4), _HOME),
    ],
    "NO": [
        _option("no_pickup", "pickup", ["bring"], "59", "NOK", "699", (2, 4), _PICKUP,
                _NORWAY_DUTIES),
        _option("no_locker", "locker", ["bring"], "59", "NOK", "699", (2, 4), _LOCKER,
                _NORWAY_DUTIES),
        _option("no_home", "home", ["bring"], "99", "NOK", None, (2, 4), _HOME, _NORWAY_DUTIES),
    ],
    "FI": [
        _option("fi_pickup", "pickup", ["posti", "budbee"], "4.90", "EUR", "59", (2, 4),
                _PICKUP),
        _option("fi_locker", "locker", ["posti", "budbee"], "4.90", "EUR", "59", (2, 4),
                _LOCKER),
        _option("fi_home", "home", ["posti", "budbee"], "7.90", "EUR", None, (2, 4), _HOME),
    ],
}  # fmt: skip


def _method(
    code: str, names: dict[str, str], details: dict[str, str] | None = None
) -> PaymentMethod:
    return PaymentMethod(code=code, names=names, details=details or {})


_INVOICE = _method(
    "invoice",
    L("Faktura", "Faktura", "Faktura", "Lasku", "Invoice"),
    L("betal inden for 30 dage", "betala inom 30 dagar", "betal innen 30 dager",
      "maksuaika 30 päivää", "pay within 30 days"),
)  # fmt: skip


def _part_payment(minimum: Decimal, currency: str) -> PaymentMethod:
    m = {lang: formatting.money(minimum, currency, lang) for lang in ("da", "sv", "nb", "fi", "en")}
    return _method(
        "part_payment",
        L("Delbetaling", "Delbetalning", "Delbetaling", "Osamaksu", "Part payment"),
        L(f"3, 6, 12 eller 24 måneder ved køb over {m['da']}",
          f"3, 6, 12 eller 24 månader vid köp över {m['sv']}",
          f"3, 6, 12 eller 24 måneder ved kjøp over {m['nb']}",
          f"3, 6, 12 tai 24 kuukautta yli {m['fi']} ostoksiin",
          f"3, 6, 12 or 24 months on purchases over {m['en']}"),
    )  # fmt: skip


def _card(brands: str) -> PaymentMethod:
    return _method("card", L("Kort", "Kort", "Kort", "Kortti", "Card"),
                   L(brands, brands, brands, brands, brands))  # fmt: skip


_GIFT_CARD = _method(
    "gift_card", L("Nordhjem-gavekort", "Nordhjem-presentkort", "Nordhjem-gavekort",
                   "Nordhjemin lahjakortti", "Nordhjem gift card"))  # fmt: skip
_ONE = L("MobilePay", "MobilePay", "MobilePay", "MobilePay", "MobilePay")

PAYMENT: dict[str, list[PaymentMethod]] = {
    "DK": [_card("Dankort, Visa, Mastercard"), _method("mobilepay", _ONE), _INVOICE,
           _part_payment(Decimal(1000), "DKK"), _GIFT_CARD],
    "SE": [_card("Visa, Mastercard"),
           _method("swish", L("Swish", "Swish", "Swish", "Swish", "Swish")), _INVOICE,
           _part_payment(Decimal(1000), "SEK"), _GIFT_CARD],
    "NO": [_card("Visa, Mastercard"),
           _method("vipps", L("Vipps", "Vipps", "Vipps", "Vipps", "Vipps")), _INVOICE,
           _part_payment(Decimal(1000), "NOK"), _GIFT_CARD],
    "FI": [_card("Visa, Mastercard"), _method("mobilepay", _ONE),
           _method("online_bank", L("Netbank", "Internetbank", "Nettbank", "Verkkopankki",
                                    "Online banking")),
           _INVOICE, _part_payment(Decimal(100), "EUR"), _GIFT_CARD],
}  # fmt: skip
