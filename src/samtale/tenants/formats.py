"""A tenant's order-number and tracking-number formats, as the identifier index, redaction and
the bot's flow validators read them; and those of the built-in demo shop.

A real shop sets its own formats in its settings (`order_number_patterns`,
`tracking_number_patterns`: lists of regular expressions); the demo tenant, until it sets any,
uses the demo formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from samtale.kernel.errors import Invalid
from samtale.kernel.patterns import pattern_problem, usable
from samtale.model import Tenant

# Nine digits starting with 10, e.g. 104827361 (customers sometimes write "#104827361").
DEMO_ORDER_NUMBER_PATTERN = r"#?\b10\d{7}\b"

# One pattern per carrier, matched case-insensitively against the customer's text.
DEMO_TRACKING_PATTERNS: dict[str, str] = {
    "postnord": r"\b[A-Z]{2}\d{9}(?:DK|SE)\b",  # UPU S10, e.g. RB123456785SE
    "posti": r"\bJJFI\d{17}\b",
    "bring": r"\b370\d{14}\b",
    "gls": r"\b5\d{13}\b",
    "dao": r"\b00057\d{9}\b",
    "budbee": r"\bBUD[A-Z0-9]{9}\b",
}


DEMO_SLUG = "demo"


@dataclass(frozen=True)
class TenantFormats:
    order_number_patterns: tuple[str, ...] = ()
    tracking_number_patterns: tuple[str, ...] = ()


DEMO_FORMATS = TenantFormats((DEMO_ORDER_NUMBER_PATTERN,), tuple(DEMO_TRACKING_PATTERNS.values()))


def _patterns(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if isinstance(value, dict):
        value = list(value.values())
    # A broken pattern stored before the checks at save time must not break every message.
    return usable(value)


FORMAT_KEYS = ("order_number_patterns", "tracking_number_patterns")


def format_problems(settings: dict[str, Any]) -> list[dict[str, str]]:
    """Field problems of the shop's number formats in `settings` (empty when all are usable);
    called before the settings are stored."""
    problems: list[dict[str, str]] = []
    for key in FORMAT_KEYS:
        value = settings.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            value = [value]
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            problems.append({"field": key, "code": "invalid", "message": "a list of patterns"})
            continue
        for i, pattern in enumerate(value):
            if problem := pattern_problem(pattern):
                problems.append(
                    {"field": f"{key}.{i}", "code": "invalid_pattern", "message": problem}
                )
    return problems


def check_formats(settings: dict[str, Any]) -> None:
    """Raise `Invalid` (422 with a message per field) when a number format is unusable."""
    if problems := format_problems(settings):
        raise Invalid("A number format is not a usable pattern.", fields=problems)


def tenant_formats(tenant: Tenant) -> TenantFormats:
    """The tenant's formats from its settings; the demo formats for the demo tenant."""
    settings = tenant.settings or {}
    default = DEMO_FORMATS if tenant.slug == DEMO_SLUG else TenantFormats()
    orders = _patterns(settings.get("order_number_patterns"))
    tracking = _patterns(settings.get("tracking_number_patterns"))
    return TenantFormats(
        orders if orders is not None else default.order_number_patterns,
        tracking if tracking is not None else default.tracking_number_patterns,
    )


# A platform's order numbers as customers type them (matched case-insensitively, with or
# without a leading "#"): Shopify's order names with the shop's prefix ("#1001", "1001",
# "DK1001"), WooCommerce's numbers (the id, or a sequential-numbers plugin's "SE-10023"),
# Magento's increment ids ("000000123", or "123").
_DIGITS = r"\d{3,12}"
# Patterns run in RE2 (`kernel.patterns`: linear time, no look-around), so the edges are word
# boundaries: a "#" or a word boundary before, a word boundary after.
_BEFORE = r"(?:#\s?|\b)"


def platform_order_patterns(platform: str, prefix: str = "#") -> list[str]:
    """The order-number patterns connecting `platform` sets (`order_number_patterns`)."""
    own = "".join(c for c in prefix if c.isascii() and c.isalnum())
    if platform == "shopify":
        optional = f"(?:{own}\\s?)?" if own else ""
        return [f"{_BEFORE}{optional}{_DIGITS}\\b"]
    if platform in ("woocommerce", "magento"):
        return [f"{_BEFORE}(?:[A-Za-z]{{1,6}}-?)?{_DIGITS}\\b"]
    return []
