"""The insights of one runtime, made once and plugged in: the turn hooks (statistics events and
the improvement sample), the live service's event sink, the expiry step of the retention purge,
and the reviewed questions the bot's evaluation scores on their own."""

from __future__ import annotations

from typing import Any

from samtale.insights.hooks import LiveEvents, TurnEvents
from samtale.insights.purge import InsightsPurge
from samtale.insights.review import reviewed_texts
from samtale.insights.sample import Sampler
from samtale.insights.tenants import TenantCache


class InsightsService:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.tenants = TenantCache()
        self.turn_events = TurnEvents(self.tenants)
        self.sampler = Sampler(self.tenants, runtime.ids)
        self.live_events = LiveEvents(self.tenants)
        self.purge = InsightsPurge(runtime.db, runtime.clock)

    @classmethod
    def of(cls, runtime: Any) -> InsightsService:
        """The runtime's insights, installed on first use."""
        service: InsightsService | None = runtime.__dict__.get("_insights_service")
        if service is None:
            service = cls(runtime)
            runtime.__dict__["_insights_service"] = service
            service._install()
        return service

    def _install(self) -> None:
        from samtale.admin.service import AdminService
        from samtale.live.service import LiveService

        rt = self.runtime
        rt.conversations.hooks.extend([self.turn_events, self.sampler])
        LiveService.of(rt).events.append(self.live_events)
        rt.privacy.runner.steps.append(self.purge)
        publisher = AdminService.of(rt).publisher
        publisher.subsets["reviewed"] = lambda tenant_id: reviewed_texts(rt.db, tenant_id)

    def forget(self, tenant_id: Any = None) -> None:
        """The tenant's settings changed: read them again."""
        self.tenants.forget(tenant_id)
