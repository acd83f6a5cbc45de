""" "Connect your shop" on the admin's connector page: a Shopify, WooCommerce or Magento shop,
its credentials, "Test connection", and the shop's own carrier API credentials.

`ShopConnections.values(tenant)` is what the page shows: the platform's settings, and its
secrets only masked (`shpat_…a1b2`) — the fields themselves stay empty, and an empty secret on
save keeps the stored one. `submit` tests (nothing stored) or saves (tested first; nothing
stored when the shop does not answer), sets the carriers' credentials, and records the change
in the audit log (the section, never the values). Problems come back as the page's field
errors and a reason code, which the page words in the staff's language.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from samtale.infra.database import Database
from samtale.kernel.clock import Clock, IdSource
from samtale.kernel.errors import Invalid
from samtale.model import Tenant
from samtale.shop.connect import CARRIER_SECRETS, PLATFORMS
from samtale.shop.platforms.common import ShopCheck
from samtale.shop.service import ShopCheckFailed, ShopService

# The form's fields per platform → the connector's settings.
FIELDS: dict[str, dict[str, str]] = {
    "shopify": {
        "shop_url": "url",
        "shopify_token": "token",
        "shopify_client_id": "client_id",
        "shopify_client_secret": "client_secret",
        "shopify_api_version": "api_version",
        "shopify_order_prefix": "order_prefix",
    },
    "woocommerce": {"shop_url": "url", "wc_key": "key", "wc_secret": "secret"},
    "magento": {"shop_url": "url", "magento_token": "token", "magento_store": "store"},
}
SECRET_FIELDS = frozenset(
    {"shopify_token", "shopify_client_secret", "wc_key", "wc_secret", "magento_token",
     *CARRIER_SECRETS}
)  # fmt: skip
FORM_FIELDS = tuple(dict.fromkeys(f for fields in FIELDS.values() for f in fields))


@dataclass
class ShopOutcome:
    saved: bool = False
    tested: bool = False
    check: ShopCheck | None = None
    failure: str | None = None  # the platform's reason code: auth, timeout, connect, …
    errors: dict[str, str] = field(default_factory=dict)  # form field → "invalid"


class ShopConnections:
    def __init__(self, shops: ShopService, db: Database, clock: Clock, ids: IdSource) -> None:
        self.shops = shops
        self.db = db
        self.clock = clock
        self.ids = ids

    def values(self, tenant: Tenant) -> dict[str, Any]:
        """The form's values: the connected platform's settings, secrets empty; and `masked`,
        what the page shows of every stored secret."""
        settings = tenant.settings or {}
        stored = settings.get("connector")
        out: dict[str, Any] = {name: "" for name in (*FORM_FIELDS, *CARRIER_SECRETS)}
        masked: dict[str, str] = {}
        if isinstance(stored, dict) and stored.get("type") in PLATFORMS:
            platform = str(stored["type"])
            out["type"] = platform
            by_setting = {setting: name for name, setting in FIELDS[platform].items()}
            for setting, value in stored.items():
                name = by_setting.get(setting)
                if name is not None and name not in SECRET_FIELDS:
                    out[name] = str(value)
            for setting, shown in (stored.get("masked") or {}).items():
                name = by_setting.get(setting)
                if name is not None:
                    masked[name] = str(shown)
                    if name not in SECRET_FIELDS:
                        out[name] = str(shown)  # the client id: shown as stored, masked
        carriers = settings.get("carriers")
        if isinstance(carriers, dict):
            masked.update({str(k): str(v) for k, v in (carriers.get("masked") or {}).items()})
        out["masked"] = masked
        return out

    async def submit(
        self, tenant_id: uuid.UUID, actor: str, form: dict[str, str], *, test: bool
    ) -> ShopOutcome:
        """Test or save a platform connection (`form["type"]` names the platform)."""
        platform = form.get("type", "")
        if platform not in PLATFORMS:
            return ShopOutcome(errors={"type": "invalid"})
        fields = FIELDS[platform]
        masked = self.values(await self._tenant(tenant_id))["masked"]
        values = {
            setting: form.get(name, "").strip()
            for name, setting in fields.items()
            if form.get(name, "").strip() and form.get(name, "").strip() != masked.get(name)
        }
        outcome = ShopOutcome(tested=test)
        try:
            if test:
                outcome.check = await self.shops.test(tenant_id, platform, values)
                return outcome
            outcome.check = await self.shops.connect(tenant_id, platform, values)
        except Invalid as exc:
            by_setting = {setting: name for name, setting in fields.items()}
            for problem in exc.fields or []:
                name = by_setting.get(problem["field"], "shop_url")
                outcome.errors[name] = "invalid"
            return outcome
        except ShopCheckFailed as exc:
            outcome.failure = exc.reason
            return outcome
        carriers = {k: form.get(k, "").strip() for k in CARRIER_SECRETS if form.get(k, "").strip()}
        await self.shops.set_carriers(tenant_id, carriers)
        async with self.db.transaction() as session:
            from samtale.admin.settings import record_change

            await record_change(session, tenant_id, actor, "connector", self.clock, self.ids)
        outcome.saved = True
        return outcome

    async def _tenant(self, tenant_id: uuid.UUID) -> Tenant:
        async with self.db.session() as session:
            tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            raise LookupError("no such tenant")
        return tenant
