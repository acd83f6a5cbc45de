"""What the bot knows about the shop it answers for, beyond its content."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from samtale.kernel.languages import DEFAULT_COUNTRY
from samtale.kernel.patterns import usable


@dataclass(frozen=True)
class ShopProfile:
    tenant_id: uuid.UUID
    name: str
    languages: tuple[str, ...]
    default_language: str
    default_country: str
    time_zone: str
    retention_bot_days: int
    retention_agent_days: int | None
    order_number_patterns: tuple[str, ...] = ()
    tracking_number_patterns: tuple[str, ...] = ()
    privacy_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def country_for(self, language: str) -> str:
        if language == self.default_language:
            return self.default_country
        return DEFAULT_COUNTRY.get(language, self.default_country)

    def facts(self) -> dict[str, str]:
        """Values an answer may name with `{placeholders}`."""
        return {
            "shop_name": self.name,
            "retention_bot_days": str(self.retention_bot_days),
            "retention_agent_days": str(self.retention_agent_days)
            if self.retention_agent_days
            else "",
            "privacy_url": self.privacy_url or "",
        }


def profile_of(tenant: Any) -> ShopProfile:
    """The profile of a `model.Tenant` row."""
    from samtale.tenants.formats import DEMO_ORDER_NUMBER_PATTERN, DEMO_TRACKING_PATTERNS

    settings = tenant.settings or {}
    is_demo = tenant.slug == "demo"
    orders = settings.get("order_number_patterns") or (
        [DEMO_ORDER_NUMBER_PATTERN] if is_demo else []
    )
    tracking = settings.get("tracking_number_patterns") or (
        list(DEMO_TRACKING_PATTERNS.values()) if is_demo else []
    )
    widget = settings.get("widget") or {}
    return ShopProfile(
        tenant_id=tenant.id,
        name=tenant.name,
        languages=tuple(tenant.languages),
        default_language=tenant.default_language,
        default_country=tenant.default_country,
        time_zone=tenant.time_zone,
        retention_bot_days=tenant.retention_bot_days,
        retention_agent_days=tenant.retention_agent_days,
        order_number_patterns=usable(orders),
        tracking_number_patterns=usable(tracking),
        privacy_url=widget.get("privacy_url") or settings.get("privacy_url"),
    )
