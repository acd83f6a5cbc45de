"""The insights of one instance, built once by the composition root: the turn hooks (statistics
events and the improvement sample), the live chat's event sink and the expiry step of the
retention purge. The root plugs each into the service that calls it."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from samtale.infra.database import Database
from samtale.insights.hooks import LiveEvents, TurnEvents
from samtale.insights.purge import InsightsPurge
from samtale.insights.review import reviewed_texts
from samtale.insights.sample import Sampler
from samtale.insights.tenants import TenantCache
from samtale.kernel.clock import Clock, IdSource
from samtale.privacy.pii import ShopVocabulary


class InsightsService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        ids: IdSource,
        vocabulary: Callable[[uuid.UUID], ShopVocabulary | None] | None = None,
    ) -> None:
        self.db = db
        self.tenants = TenantCache()
        self.turn_events = TurnEvents(self.tenants)
        self.sampler = Sampler(self.tenants, ids, vocabulary)
        self.live_events = LiveEvents(self.tenants)
        self.purge = InsightsPurge(db, clock)

    async def reviewed_texts(self, tenant_id: uuid.UUID) -> set[str]:
        """The training texts that came from reviewed customer questions (an evaluation
        subset: the bot is scored on them on their own)."""
        return await reviewed_texts(self.db, tenant_id)

    def forget(self, tenant_id: uuid.UUID | None = None) -> None:
        """The tenant's settings changed: read them again."""
        self.tenants.forget(tenant_id)
