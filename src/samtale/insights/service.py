"""The insights of one instance, built once by the composition root: the turn hooks (statistics
events and the improvement sample), the live chat's event sink and the expiry step of the
retention purge. The root plugs each into the service that calls it."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from samtale.infra.database import Database
from samtale.insights.events import Event, record
from samtale.insights.hooks import LiveEvents, TurnEvents
from samtale.insights.purge import InsightsPurge
from samtale.insights.review import reviewed_texts
from samtale.insights.sample import Sampler
from samtale.insights.tenants import TenantCache
from samtale.kernel.clock import Clock, IdSource
from samtale.kernel.errors import Conflict, NotFound
from samtale.model import Message
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
        self.clock = clock
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

    async def knowledge_feedback(
        self, tenant_id: uuid.UUID, conversation_id: uuid.UUID, message_id: uuid.UUID, helpful: bool
    ) -> None:
        """ "Did this help?" under an answer from the shop's pages: one `feedback` event (no
        text), once per answer; the answer's payload remembers that it was given."""
        async with self.db.transaction() as session:
            message = await session.get(Message, message_id, with_for_update=True)
            if (
                message is None
                or message.tenant_id != tenant_id
                or message.conversation_id != conversation_id
                or message.author != "bot"
                or not (message.payload or {}).get("feedback")
            ):
                raise NotFound("No such answer from the shop's pages.")
            payload = dict(message.payload or {})
            if payload["feedback"] is not True:
                raise Conflict("This answer has feedback already.")
            outcome = "helpful" if helpful else "not_helpful"
            payload["feedback"] = outcome
            message.payload = payload
            info = await self.tenants.get(session, tenant_id)
            if info is None:
                return
            language = str((payload.get("knowledge") or {}).get("language") or "")
            await record(
                session,
                tenant_id,
                info.zone,
                self.clock.now(),
                [Event("feedback", language, outcome=outcome)],
            )
