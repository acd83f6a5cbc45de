"""The admin pages' services, built once by the composition root: publishing, the try-it bots,
"Connect your shop" (`shops`), and the mailer for invitations and password resets
(`SAMTALE_SMTP_URL`; tests put their own)."""

from __future__ import annotations

from typing import Any

from samtale.admin.publishing import Publisher
from samtale.admin.shops import ShopConnections
from samtale.admin.tenants import ShopLifecycle
from samtale.admin.trial import TrialBots
from samtale.bot.store import ContentVersions
from samtale.infra.database import Database
from samtale.infra.mail import Mailer
from samtale.insights.evaluation import EvaluationHistory, history
from samtale.insights.review import Review
from samtale.kernel.clock import Clock
from samtale.model import Tenant


class AdminService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        publisher: Publisher,
        trials: TrialBots,
        lifecycle: ShopLifecycle,
        mailer: Mailer | None,
        shops: ShopConnections,
    ) -> None:
        self.db = db
        self.shops = shops
        self.clock = clock
        self.publisher = publisher
        self.trials = trials
        self.lifecycle = lifecycle
        self.mailer = mailer

    async def evaluation_history(self, tenant: Tenant) -> EvaluationHistory:
        """Every published version's evaluation, and how the bot scores on reviewed questions."""
        async with self.db.session() as session:
            jobs = await self.publisher.evaluations(session, tenant.id)
            versions = await ContentVersions(session, tenant.id).all()
            right, total = await Review(session, tenant, self.clock).accuracy()
        rows: list[tuple[Any, dict[str, Any]]] = []
        for row in sorted(versions, key=lambda r: r.version):
            job = jobs.get(row.id)
            if job is not None and job.evaluation:
                rows.append((row, job.evaluation))
        return EvaluationHistory(versions=history(rows), reviewed_right=right, reviewed_total=total)

    async def close(self) -> None:
        await self.publisher.close()
