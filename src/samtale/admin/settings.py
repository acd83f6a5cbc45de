"""A shop's settings as the admin pages change them: the same models the features read
(`web.widget.WidgetSettings`, `live.settings.LiveSettings`, `shop.http.HttpConnectorConfig`,
`tenants.service.TenantCreate` for languages, origins and time zone), stored where those
features read them (`tenant.settings[<section>]` and the tenant's columns).

`save_section` merges: keys a section's model does not know (added by another feature later)
are kept. `probe_connector` is the "test connection" button: it calls each configured endpoint
of an HTTP connector once with a made-up number and reports how it answered; a "not found" is a
working connection.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.kernel.clock import Clock, IdSource
from samtale.model import Tenant
from samtale.privacy import audit
from samtale.tenants.formats import check_formats

# Probe values: made up, so a real shop answers "not found".
PROBE_ORDER = "000000000"
PROBE_EMAIL = "connection-test@samtale.invalid"
PROBE_TRACKING = "SAMTALETEST000"


class InsightRetention(BaseModel):
    """How long the improvement sample and the statistics are kept
    (`tenant.settings["retention"]`): the statistics hold no personal data, the sample only
    redacted text."""

    model_config = ConfigDict(extra="ignore")

    sample_days: int = Field(default=90, ge=1, le=3650)
    statistics_months: int = Field(default=25, ge=1, le=120)


def insight_retention(tenant: Tenant) -> InsightRetention:
    raw = (tenant.settings or {}).get("retention") or {}
    try:
        return InsightRetention.model_validate(raw)
    except ValueError:
        return InsightRetention()


async def save_section(
    session: AsyncSession, tenant_id: uuid.UUID, key: str, value: dict[str, Any] | None
) -> Tenant:
    """Store one section of `tenant.settings` (None removes it), keeping unknown keys."""
    tenant = await session.get(Tenant, tenant_id, with_for_update=True)
    if tenant is None:
        raise LookupError("no such tenant")
    settings = dict(tenant.settings or {})
    if value is None:
        settings.pop(key, None)
    else:
        before = settings.get(key)
        merged = {**before, **value} if isinstance(before, dict) else dict(value)
        settings[key] = merged
    tenant.settings = settings
    await session.flush()
    return tenant


async def save_formats(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    order_number_patterns: list[str] | None = None,
    tracking_number_patterns: list[str] | None = None,
) -> Tenant:
    """Store the shop's order and tracking number formats (None leaves one as it is). Every
    pattern is checked first: an unusable one is refused with `Invalid` naming the field."""
    changes = {
        key: value
        for key, value in (
            ("order_number_patterns", order_number_patterns),
            ("tracking_number_patterns", tracking_number_patterns),
        )
        if value is not None
    }
    check_formats(changes)
    tenant = await session.get(Tenant, tenant_id, with_for_update=True)
    if tenant is None:
        raise LookupError("no such tenant")
    tenant.settings = {**(tenant.settings or {}), **changes}
    await session.flush()
    return tenant


@dataclass
class Probe:
    endpoint: str
    ok: bool
    outcome: str  # answered, not_found, or a failure reason (timeout, connect, status, ...)
    ms: int


async def probe_connector(
    config: Any, clock: Clock, *, private_addresses: bool = False
) -> list[Probe]:
    """Call each configured endpoint of an HTTP connector once."""
    from samtale.shop.connector import ShopUnavailable
    from samtale.shop.http import HttpConnector

    connector = HttpConnector(config, clock=clock, private_addresses=private_addresses)
    calls: list[tuple[str, Any]] = []
    endpoints = config.endpoints
    if endpoints.order is not None:
        calls.append(("order", lambda: connector.find_order(PROBE_ORDER, PROBE_EMAIL)))
    if endpoints.shipment is not None:
        calls.append(("shipment", lambda: connector.find_shipment(PROBE_TRACKING)))
    if endpoints.search is not None:
        calls.append(("search", lambda: connector.search_products("test", "en", limit=1)))
    if endpoints.product is not None:
        calls.append(("product", lambda: connector.get_product("SAMTALE-TEST")))
    if endpoints.delivery is not None:
        calls.append(("delivery", lambda: connector.delivery_options("DK")))
    if endpoints.payment is not None:
        calls.append(("payment", lambda: connector.payment_methods("DK")))
    results = []
    try:
        for name, call in calls:
            started = time.perf_counter()
            try:
                found = await call()
            except ShopUnavailable as exc:
                outcome, ok = exc.reason, False
            else:
                outcome, ok = ("answered" if found else "not_found"), True
            results.append(Probe(name, ok, outcome, round((time.perf_counter() - started) * 1000)))
    finally:
        await connector.aclose()
    return results


async def record_change(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: str,
    section: str,
    clock: Clock,
    ids: IdSource,
) -> None:
    """The audit entry of a settings page's save (which page, never the values)."""
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="settings.changed",
        clock=clock,
        ids=ids,
        section=section,
    )
