"""Publishing a content version: train in the background, switch the live bot only when training
succeeded, then evaluate the version.

A publish is a row in `bot_publish_jobs`, so the progress can be read from any instance:

1. **embedding**: the training examples are embedded in small batches (kept in the embedding
   cache, so training after a small change embeds only the new examples); `done` / `total`
   count them;
2. **training**: the classifier is trained and saved under the content's SHA-256 (the same file
   the bot registry loads);
3. **switching**: one transaction marks the version published (the one before it archived); the
   registry then swaps the tenant's bot atomically (other instances follow within their refresh
   interval). A failure before this step leaves the live bot as it was;
4. **evaluating**: cross-validation of the version's examples (accuracy and macro-F1 per
   language, F1 per intent, the most confused pairs, and the accuracy on named subsets such as
   the examples that came from reviewed customer questions), kept on the job and shown beside
   the version. A version restored later reuses the evaluation of the same content.

One publish at a time per shop. A job left `queued` or `running` by an instance that stopped is
reported as failed (`interrupted`) once it has not moved for `STALE_AFTER`.

The evaluation is a queue in the database, not a task in memory: once the version is live, its
job is marked `evaluation_state = queued`. An instance takes it by setting `running` with a lease
(`EVALUATION_LEASE`) in one conditional update, renews the lease while cross-validation runs,
and marks it `done`. An instance that stops hands its evaluation back (`queued`); one that dies
lets the lease run out. Every server resumes due evaluations when it starts and looks again
every `RESUME_EVERY`, so a restart in the middle of an evaluation delays it, never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.bot.content import Content
from samtale.bot.content_checks import content_problems
from samtale.bot.store import ContentVersions
from samtale.conversations.responder import ResponderRegistry
from samtale.infra.database import Database
from samtale.kernel.clock import Clock, IdSource
from samtale.kernel.errors import Conflict, DomainError, Invalid, NotFound
from samtale.kernel.logs import get_logger
from samtale.model import BotContentVersion, BotPublishJob
from samtale.privacy import audit
from samtale.tenants.changes import TenantChanges

log = get_logger(__name__)

STALE_AFTER = timedelta(minutes=15)
EVALUATION_LEASE = timedelta(seconds=90)
RESUME_EVERY = 30.0
BATCH = 16
ACTIVE = ("queued", "running")


class PublishError(DomainError):
    """A publish refused: `code` says why, `problems` lists the content's errors."""

    def __init__(self, code: str, message: str, problems: list[str] | None = None) -> None:
        fields = [{"field": "content", "message": p} for p in (problems or [])[:50]]
        super().__init__(message, code=code, fields=fields or None)
        self.problems = problems or []


class VersionMissing(PublishError, NotFound):
    pass


class PublishRunning(PublishError, Conflict):
    pass


class ContentInvalid(PublishError, Invalid):
    pass


def evaluation_summary(report: Any) -> dict[str, Any]:
    """The parts of a cross-validation report kept with a version (numbers and intent names)."""
    data = report.to_dict()
    return {
        "accuracy": round(float(data["overall"]["accuracy"]), 4),
        "macro_f1": round(float(data["overall"]["macro_f1"]), 4),
        "rows": int(data["overall"]["rows"]),
        "folds": int(data["folds"]),
        "languages": {
            lang: {"accuracy": round(s["accuracy"], 4), "macro_f1": round(s["macro_f1"], 4)}
            for lang, s in data["languages"].items()
        },
        "intents": {name: round(s["f1"], 4) for name, s in data["intents"].items()},
        "confused": [
            {"expected": c["expected"], "predicted": c["predicted"], "count": c["count"]}
            for c in data["confused"][:10]
        ],
        # e.g. "reviewed": the examples that came from customers' questions in the review inbox
        "subsets": {
            name: {"accuracy": round(s["accuracy"], 4), "rows": int(s["rows"])}
            for name, s in (data.get("subsets") or {}).items()
            if s["rows"]
        },
    }


def job_view(job: BotPublishJob, now: Any) -> dict[str, Any]:
    status, error = job.status, job.error
    waiting = job.evaluation_state in ("queued", "running")  # resumed by any server
    if status in ACTIVE and not waiting and now - job.updated_at > STALE_AFTER:
        status, error = "failed", "interrupted"
    return {
        "id": str(job.id),
        "status": status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "error": error,
        "evaluation": job.evaluation,
        "finished": status in ("succeeded", "failed"),
    }


class Publisher:
    """Runs publish jobs in this process's event loop."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        ids: IdSource,
        responders: ResponderRegistry,
        models_dir: Path,
    ) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.responders = responders
        # Where a published version is announced to the other instances (set by the root).
        self.changes: TenantChanges | None = None
        self.data_dir = models_dir
        self._tasks: set[asyncio.Task[None]] = set()
        # The evaluations this process runs (so a look for due ones does not start them twice).
        self._evaluating: set[uuid.UUID] = set()
        # Named groups of training texts scored on their own in the evaluation (the review
        # inbox adds "reviewed": examples that came from customers' questions).
        self.subsets: dict[str, Callable[[uuid.UUID], Awaitable[set[str]]]] = {}

    async def active(self, session: AsyncSession, tenant_id: uuid.UUID) -> BotPublishJob | None:
        job = await session.scalar(
            select(BotPublishJob)
            .where(BotPublishJob.tenant_id == tenant_id, BotPublishJob.status.in_(ACTIVE))
            .order_by(BotPublishJob.created_at.desc())
            .limit(1)
        )
        if job is not None and self.clock.now() - job.updated_at > STALE_AFTER:
            return None
        return job

    async def latest(self, session: AsyncSession, tenant_id: uuid.UUID) -> BotPublishJob | None:
        return await session.scalar(
            select(BotPublishJob)
            .where(BotPublishJob.tenant_id == tenant_id)
            .order_by(BotPublishJob.created_at.desc())
            .limit(1)
        )

    async def get(
        self, session: AsyncSession, tenant_id: uuid.UUID, job_id: uuid.UUID
    ) -> BotPublishJob | None:
        return await session.scalar(
            select(BotPublishJob).where(
                BotPublishJob.id == job_id, BotPublishJob.tenant_id == tenant_id
            )
        )

    async def evaluations(
        self, session: AsyncSession, tenant_id: uuid.UUID
    ) -> dict[uuid.UUID, BotPublishJob]:
        """The newest job of each version."""
        rows = await session.scalars(
            select(BotPublishJob)
            .where(BotPublishJob.tenant_id == tenant_id)
            .order_by(BotPublishJob.created_at)
        )
        return {job.version_id: job for job in rows}

    async def start(
        self, tenant_id: uuid.UUID, version: int, *, actor: str = "system:publish"
    ) -> BotPublishJob:
        """Check the version and queue its publish; the work runs in the background. The
        switch is audited (`bot.published`) as done by `actor`."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await session.scalar(
                select(BotContentVersion).where(
                    BotContentVersion.tenant_id == tenant_id,
                    BotContentVersion.version == version,
                )
            )
            if row is None:
                raise VersionMissing("not_found", "No such version.")
            if await self.active(session, tenant_id) is not None:
                raise PublishRunning("publish_running", "A version is being published already.")
            content = Content.model_validate(row.content)
            errors, _warnings = content_problems(content)
            if not content.training_rows():
                errors.insert(0, "no training examples")
            if len({intent for _t, intent, _l in content.training_rows()}) < 2:
                errors.append("the bot needs at least two intents with examples")
            if errors:
                raise ContentInvalid("content_invalid", "The content has errors.", errors)
            job = BotPublishJob(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                version_id=row.id,
                status="queued",
                stage="queued",
                done=0,
                total=len({t for t, _i, _l in content.training_rows()}),
                error=None,
                evaluation=None,
                created_at=now,
                updated_at=now,
                finished_at=None,
            )
            session.add(job)
        task = asyncio.create_task(self._run(job.id, tenant_id, row.id, content, row.sha256, actor))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def wait(self) -> None:
        """Wait for the running jobs (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    async def _update(self, job_id: uuid.UUID, **values: Any) -> None:
        async with self.db.transaction() as session:
            job = await session.get(BotPublishJob, job_id)
            if job is None:
                return
            for key, value in values.items():
                setattr(job, key, value)
            job.updated_at = self.clock.now()
            if values.get("status") in ("succeeded", "failed"):
                job.finished_at = self.clock.now()

    async def _run(
        self,
        job_id: uuid.UUID,
        tenant_id: uuid.UUID,
        version_id: uuid.UUID,
        content: Content,
        sha: str,
        actor: str = "system:publish",
    ) -> None:
        from samtale.bot.model import embedder_for, load_or_train

        data_dir = self.data_dir
        rows = content.training_rows()
        try:
            texts = list(dict.fromkeys(text for text, _i, _l in rows))
            await self._update(job_id, status="running", stage="embedding", total=len(texts))
            embedder = embedder_for(data_dir)
            last = 0.0
            for start in range(0, len(texts), BATCH):
                chunk = texts[start : start + BATCH]
                await asyncio.to_thread(embedder.embed, chunk, remember=True)
                if time.monotonic() - last > 0.4 or start + BATCH >= len(texts):
                    last = time.monotonic()
                    await self._update(job_id, done=min(start + BATCH, len(texts)))
            await self._update(job_id, stage="training")
            await asyncio.to_thread(load_or_train, content, sha, data_dir)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self._update(job_id, status="failed", error="interrupted")
            raise
        except Exception:
            log.exception("publish_training_failed", tenant_id=str(tenant_id))
            await self._update(job_id, status="failed", error="training_failed")
            return
        try:
            await self._update(job_id, stage="switching")
            async with self.db.transaction() as session:
                row = await session.get(BotContentVersion, version_id)
                if row is None:
                    raise LookupError("version gone")
                await ContentVersions(session, tenant_id).publish(row, self.clock)
                await audit.record(
                    session,
                    tenant_id=tenant_id,
                    actor=actor,
                    action="bot.published",
                    clock=self.clock,
                    ids=self.ids,
                    version=row.version,
                )
            await self.responders.refresh(tenant_id)
            if self.changes is not None:
                await self.changes.announce(tenant_id, "content")  # the other instances
            log.info("bot_published", tenant_id=str(tenant_id))
        except Exception:
            log.exception("publish_switch_failed", tenant_id=str(tenant_id))
            await self._update(job_id, status="failed", error="switch_failed")
            return
        await self._update(job_id, stage="evaluating", evaluation_state="queued")
        await self._evaluate_job(job_id, tenant_id, sha, rows)

    # ------------------------------------------------------------ the evaluation queue

    async def _claim(self, job_id: uuid.UUID) -> bool:
        """Take a due evaluation (queued, or running with a lapsed lease); one instance wins."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            result = await session.execute(
                update(BotPublishJob)
                .where(
                    BotPublishJob.id == job_id,
                    or_(
                        BotPublishJob.evaluation_state == "queued",
                        and_(
                            BotPublishJob.evaluation_state == "running",
                            or_(
                                BotPublishJob.evaluation_lease.is_(None),
                                BotPublishJob.evaluation_lease < now,
                            ),
                        ),
                    ),
                )
                .values(
                    evaluation_state="running",
                    evaluation_lease=now + EVALUATION_LEASE,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            return bool(getattr(result, "rowcount", 0))

    async def _renew(self, job_id: uuid.UUID) -> None:
        while True:
            await asyncio.sleep(EVALUATION_LEASE.total_seconds() / 3)
            with contextlib.suppress(Exception):  # a missed renewal only shortens the lease
                now = self.clock.now()
                async with self.db.transaction() as session:
                    await session.execute(
                        update(BotPublishJob)
                        .where(
                            BotPublishJob.id == job_id,
                            BotPublishJob.evaluation_state == "running",
                        )
                        .values(evaluation_lease=now + EVALUATION_LEASE, updated_at=now)
                        .execution_options(synchronize_session=False)
                    )

    async def _evaluate_job(
        self, job_id: uuid.UUID, tenant_id: uuid.UUID, sha: str, rows: list[tuple[str, str, str]]
    ) -> None:
        if not await self._claim(job_id):
            return  # another instance has it
        self._evaluating.add(job_id)
        renew = asyncio.create_task(self._renew(job_id))
        try:
            evaluation = await self._evaluate(tenant_id, sha, rows, self.data_dir)
        except asyncio.CancelledError:
            # Stopping: hand it back at once, so the next start takes it without waiting for
            # the lease to run out.
            with contextlib.suppress(Exception):
                await asyncio.shield(
                    self._update(job_id, evaluation_state="queued", evaluation_lease=None)
                )
            raise
        finally:
            renew.cancel()
            self._evaluating.discard(job_id)
        await self._update(
            job_id,
            status="succeeded",
            stage="done",
            evaluation=evaluation,
            evaluation_state="done" if evaluation is not None else "failed",
            evaluation_lease=None,
        )

    async def due_evaluations(self) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
        """(job, tenant, version) of the evaluations waiting for an instance."""
        now = self.clock.now()
        async with self.db.session() as session:
            rows = await session.execute(
                select(BotPublishJob.id, BotPublishJob.tenant_id, BotPublishJob.version_id)
                .where(
                    or_(
                        BotPublishJob.evaluation_state == "queued",
                        and_(
                            BotPublishJob.evaluation_state == "running",
                            BotPublishJob.evaluation_lease < now,
                        ),
                    )
                )
                .order_by(BotPublishJob.created_at)
            )
            return [(r[0], r[1], r[2]) for r in rows.all()]

    async def resume_evaluations(self) -> int:
        """Start the due evaluations in the background (at start, and every `RESUME_EVERY`);
        how many were started."""
        started = 0
        for job_id, tenant_id, version_id in await self.due_evaluations():
            if job_id in self._evaluating:
                continue
            async with self.db.session() as session:
                version = await session.get(BotContentVersion, version_id)
            if version is None:
                continue
            content = Content.model_validate(version.content)
            task = asyncio.create_task(
                self._evaluate_job(job_id, tenant_id, version.sha256, content.training_rows())
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        if started:
            log.info("publish_evaluations_resumed", count=started)
        return started

    async def run_resumer(self, every: float = RESUME_EVERY) -> None:
        """The background loop of a server: resume due evaluations now and then."""
        while True:
            try:
                await self.resume_evaluations()
            except Exception:
                log.warning("publish_resume_failed")
            await asyncio.sleep(every)

    async def _evaluate(
        self,
        tenant_id: uuid.UUID,
        sha: str,
        rows: list[tuple[str, str, str]],
        data_dir: Path,
    ) -> dict[str, Any] | None:
        async with self.db.session() as session:
            earlier = await session.scalar(
                select(BotPublishJob.evaluation)
                .join(BotContentVersion, BotContentVersion.id == BotPublishJob.version_id)
                .where(
                    BotPublishJob.tenant_id == tenant_id,
                    BotContentVersion.sha256 == sha,
                    BotPublishJob.evaluation.is_not(None),
                )
                .limit(1)
            )
        marked: dict[str, set[str]] = {}
        for name, provider in self.subsets.items():
            try:
                marked[name] = await provider(tenant_id)
            except Exception:
                log.warning("publish_subset_failed", tenant_id=str(tenant_id), subset=name)
        wanted = {name for name, texts in marked.items() if texts}
        if earlier and wanted <= set(dict(earlier).get("subsets") or {}):
            return dict(earlier)
        from samtale.bot.classifier import IntentClassifier
        from samtale.bot.evaluation import cross_validate
        from samtale.bot.model import embedder_for

        embedder = embedder_for(data_dir)
        try:
            report = await asyncio.to_thread(
                cross_validate,
                rows,
                5,
                True,
                classifier=lambda: IntentClassifier(embedder=embedder),
                subsets={
                    name: [i for i, (text, _i, _l) in enumerate(rows) if text in texts]
                    for name, texts in marked.items()
                },
            )
        except Exception:
            log.warning("publish_evaluation_failed", tenant_id=str(tenant_id))
            return None
        return evaluation_summary(report)
