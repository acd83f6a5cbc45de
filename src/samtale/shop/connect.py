"""A connected platform in a tenant's settings: what is stored, and the connector built from it.

`tenant.settings["connector"]` for a platform holds everything but the secrets in the clear,
and the secrets sealed (`credentials.Vault`) with their masked forms for display::

    {"type": "shopify", "url": "https://nordhjem.myshopify.com", "api_version": "2026-01",
     "order_prefix": "#", "credentials": "gAAAAA…", "masked": {"token": "shpat_…a1b2"}}

`tenant.settings["carriers"]` holds the shop's own carrier API credentials the same way
(`{"credentials": "gAAAAA…", "masked": {"postnord_api_key": "…"}}`); the operator's
(`SAMTALE_CARRIER_*`) answer for carriers the shop gives none for.

`connection(platform, values)` validates what an admin or `samtale shop connect` gives and
splits it into that stored form; `platform_connector(stored, vault, …)` opens it again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from samtale.kernel.clock import Clock
from samtale.shop.carriers.bring import BASE_URL as BRING_URL
from samtale.shop.carriers.bring import BringTracking
from samtale.shop.carriers.dhl import BASE_URL as DHL_URL
from samtale.shop.carriers.dhl import DhlTracking
from samtale.shop.carriers.live import LiveTracking
from samtale.shop.carriers.postnord import BASE_URL as POSTNORD_URL
from samtale.shop.carriers.postnord import PostNordTracking
from samtale.shop.carriers.tracker import CarrierTracker
from samtale.shop.credentials import CredentialsError, Vault, mask
from samtale.shop.platforms import (
    MagentoConfig,
    MagentoConnector,
    ShopifyConfig,
    ShopifyConnector,
    WooCommerceConfig,
    WooCommerceConnector,
)
from samtale.tenants.formats import platform_order_patterns

Platform = Literal["shopify", "woocommerce", "magento"]
PLATFORMS: tuple[Platform, ...] = ("shopify", "woocommerce", "magento")
PLATFORM_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce", "magento": "Magento"}

# Which of a platform's settings are secrets (sealed, never shown back in full).
SECRETS: dict[str, tuple[str, ...]] = {
    "shopify": ("token", "client_secret"),
    "woocommerce": ("key", "secret"),
    "magento": ("token",),
}
CONFIGS: dict[str, type[BaseModel]] = {
    "shopify": ShopifyConfig,
    "woocommerce": WooCommerceConfig,
    "magento": MagentoConfig,
}
CARRIER_SECRETS = ("postnord_api_key", "bring_api_uid", "bring_api_key", "dhl_api_key")

AnyPlatform = ShopifyConnector | WooCommerceConnector | MagentoConnector


class ConnectionInvalid(ValueError):
    """What was given cannot connect a shop; `fields` names the settings that are wrong."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields) or "invalid")
        self.fields = fields


def connection(
    platform: str, values: Mapping[str, Any], vault: Vault, *, language: str = "da"
) -> dict[str, Any]:
    """The stored form of a platform connection (secrets sealed), after validating it.
    `ConnectionInvalid` names the wrong fields (never their values)."""
    if platform not in CONFIGS:
        raise ConnectionInvalid(["type"])
    given = {k: v for k, v in values.items() if v not in (None, "")}
    if platform in ("woocommerce", "magento"):
        given.setdefault("language", language)
    given["type"] = platform
    try:
        config = CONFIGS[platform].model_validate(given)
    except ValidationError as exc:
        raise ConnectionInvalid(
            sorted({str(e["loc"][0]) if e["loc"] else "credentials" for e in exc.errors()})
        ) from None
    dumped = config.model_dump(mode="json", exclude_defaults=True)
    secrets = {
        name: _reveal(getattr(config, name))
        for name in SECRETS[platform]
        if getattr(config, name, None) is not None
    }
    if platform == "shopify" and getattr(config, "client_id", None):
        secrets["client_id"] = str(getattr(config, "client_id"))  # noqa: B009
    stored = {k: v for k, v in dumped.items() if k not in secrets}
    stored["type"] = platform
    stored["url"] = str(config.url).rstrip("/")  # type: ignore[attr-defined]
    stored["credentials"] = vault.seal(secrets)
    stored["masked"] = {k: mask(v) for k, v in secrets.items()}
    return stored


def _reveal(value: Any) -> str:
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)


def open_config(stored: Mapping[str, Any], vault: Vault) -> BaseModel:
    """The platform's config with its secrets opened (`CredentialsError`, `ValidationError`)."""
    platform = str(stored.get("type"))
    if platform not in CONFIGS:
        raise CredentialsError("not a platform")
    plain = {k: v for k, v in stored.items() if k not in ("credentials", "masked")}
    secrets = vault.unseal(str(stored.get("credentials") or ""))
    return CONFIGS[platform].model_validate({**plain, **secrets})


def order_patterns(stored: Mapping[str, Any]) -> list[str]:
    """How the bot recognises this shop's order numbers (`tenant.settings`)."""
    return platform_order_patterns(str(stored.get("type")), str(stored.get("order_prefix") or "#"))


@dataclass(frozen=True)
class OperatorCarriers:
    """The operator's carrier credentials (`SAMTALE_CARRIER_*`), for shops that give none."""

    postnord_api_key: str | None = None
    bring_api_uid: str | None = None
    bring_api_key: str | None = None
    dhl_api_key: str | None = None

    def values(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def carrier_credentials(values: Mapping[str, Any], vault: Vault) -> dict[str, Any]:
    """The stored form of a shop's carrier credentials (only the ones given)."""
    secrets = {k: str(values[k]).strip() for k in CARRIER_SECRETS if values.get(k)}
    if not secrets:
        return {}
    return {"credentials": vault.seal(secrets), "masked": {k: mask(v) for k, v in secrets.items()}}


def carrier_tracker(
    stored: Mapping[str, Any] | None,
    operator: OperatorCarriers,
    vault: Vault,
    *,
    clock: Clock,
    private_addresses: bool,
    client_url: str,
    base_urls: Mapping[str, str] | None = None,
) -> CarrierTracker:
    """A tracker with live clients for every carrier with credentials: the shop's own, else
    the operator's. Unopenable shop credentials count as none."""
    keys = operator.values()
    if stored and stored.get("credentials"):
        with contextlib.suppress(CredentialsError):
            keys = {**keys, **vault.unseal(str(stored["credentials"]))}
    urls = dict(base_urls or {})
    private = private_addresses
    clients: list[LiveTracking] = []
    if keys.get("postnord_api_key"):
        clients.append(
            PostNordTracking(
                keys["postnord_api_key"],
                base_url=urls.get("postnord", POSTNORD_URL),
                private_addresses=private,
            )
        )
    if keys.get("bring_api_uid") and keys.get("bring_api_key"):
        clients.append(
            BringTracking(
                keys["bring_api_uid"],
                keys["bring_api_key"],
                client_url,
                base_url=urls.get("bring", BRING_URL),
                private_addresses=private,
            )
        )
    if keys.get("dhl_api_key"):
        clients.append(
            DhlTracking(
                keys["dhl_api_key"], base_url=urls.get("dhl", DHL_URL), private_addresses=private
            )
        )
    return CarrierTracker(clients, clock=clock)


def platform_connector(
    stored: Mapping[str, Any],
    vault: Vault,
    *,
    clock: Clock,
    tracker: CarrierTracker | None,
    private_addresses: bool,
    time_zone: str,
    language: str,
) -> AnyPlatform:
    """The platform's connector (`CredentialsError` when the secrets cannot be opened,
    `ValidationError` when the stored settings are not valid)."""
    config = open_config(stored, vault)
    common: dict[str, Any] = {
        "clock": clock,
        "tracker": tracker,
        "private_addresses": private_addresses,
    }
    if isinstance(config, ShopifyConfig):
        return ShopifyConnector(config, time_zone=time_zone, language=language, **common)
    if isinstance(config, WooCommerceConfig):
        return WooCommerceConnector(config, **common)
    assert isinstance(config, MagentoConfig)
    return MagentoConnector(config, **common)
