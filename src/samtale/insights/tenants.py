"""What the insight hooks need to know of a tenant on every turn, read once and reused briefly:
its time zone (days and hours are the shop's), its insight settings, its languages and number
formats (for redaction)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from samtale.insights.settings import InsightSettings, insight_settings, tenant_zone
from samtale.model import Tenant
from samtale.tenants.formats import TenantFormats, tenant_formats

# How long a tenant's settings are reused before they are read again.
TENANT_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class TenantInfo:
    zone: ZoneInfo
    settings: InsightSettings
    languages: tuple[str, ...]
    default_language: str
    formats: TenantFormats


def tenant_info(tenant: Tenant) -> TenantInfo:
    return TenantInfo(
        tenant_zone(tenant),
        insight_settings(tenant),
        tuple(tenant.languages or ()),
        tenant.default_language,
        tenant_formats(tenant),
    )


class TenantCache:
    def __init__(self, seconds: float = TENANT_CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._items: dict[uuid.UUID, tuple[float, TenantInfo]] = {}

    async def get(self, session: AsyncSession, tenant_id: uuid.UUID) -> TenantInfo | None:
        cached = self._items.get(tenant_id)
        if cached is not None and time.monotonic() - cached[0] < self.seconds:
            return cached[1]
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            return None
        info = tenant_info(tenant)
        self._items[tenant_id] = (time.monotonic(), info)
        return info

    def forget(self, tenant_id: uuid.UUID | None = None) -> None:
        """Read the tenant (or every tenant) again next time: its settings changed."""
        if tenant_id is None:
            self._items.clear()
        else:
            self._items.pop(tenant_id, None)
