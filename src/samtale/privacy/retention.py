"""Retention and deletion: one path for every way a conversation ends.

A conversation is deleted in four situations, and they all go through `Retention._delete`:

* the **retention schedule** (`purge`): bot-only conversations N days after their last message
  (90 by default), conversations in which a person took part N days after their last message
  when the tenant sets N (by default they are kept until deletion is requested);
* the **customer's own delete** from the chat window (`delete_on_request`, reason `customer`);
* **deletion on request** by an agent, an admin or an operator on the customer's behalf
  (`delete_on_request`, reason `request`);
* an operator **deleting a whole tenant** (`delete_tenant`).

Design choices:

* **The database deletes the rest.** `_delete` removes rows of `conversations` and nothing else;
  every table that refers to a conversation does so with `ON DELETE CASCADE` (messages, the
  identifier index, and whatever later features add). There is no application loop over child
  tables that a new feature could forget to extend; `tests/privacy/test_cascade.py` checks
  that every foreign key to a conversation cascades and is indexed.
* **Bounded batches in short transactions.** At most `batch_size` conversations (with all their
  rows) are deleted per transaction, chosen by the index on (tenant, person involved, last
  activity), so a purge of a million conversations never holds locks for long and the service
  keeps answering customers meanwhile. On PostgreSQL a batch skips rows another transaction
  holds (`FOR UPDATE SKIP LOCKED`): a conversation receiving a message right now is not waited
  for, and the outer statement checks the retention condition again, so a conversation that
  just became active is not deleted.
* **Deletion is visible, and says nothing personal.** A deletion on request writes one audit
  entry per conversation whose subject is a keyed hash of the conversation id: the receipt. The
  schedule writes one entry per batch with the tenant, the reason and the counts. A tenant's
  deletion writes one entry that outlives the tenant. The entries are written in the same
  transaction as the deletion they record.
* **Live clients learn at once.** After each committed batch, `{"type": "deleted"}` is published
  on each conversation's hub channel (the visitor's websocket forwards it and closes), and the
  ids on the tenant's channel (for the agent console).
* **One runner at a time.** The schedule runs inside the server (`privacy.scheduler`) and as
  `samtale purge` for cron; on PostgreSQL an advisory lock lets one instance purge while the
  others skip. Running it twice is harmless anyway: a deleted row cannot be deleted again.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.infra.database import Database
from samtale.infra.hub import Hub, conversation_channel, tenant_channel
from samtale.kernel.clock import Clock, IdSource
from samtale.kernel.logs import get_logger
from samtale.model import Conversation, Tenant
from samtale.privacy import audit

log = get_logger(__name__)

MAX_RETENTION_DAYS = 3650
BOT_ONLY = "bot_only"
WITH_AGENT = "with_agent"


@dataclass
class Deleted:
    conversation_id: uuid.UUID
    person_involved: bool
    messages: int


@dataclass
class TenantPurge:
    tenant_id: uuid.UUID
    bot_only: int = 0
    with_agent: int = 0
    messages: int = 0
    batches: int = 0

    @property
    def conversations(self) -> int:
        return self.bot_only + self.with_agent


@dataclass
class PurgeReport:
    now: datetime
    dry_run: bool
    tenants: list[TenantPurge] = field(default_factory=list)
    seconds: float = 0.0
    longest_batch_seconds: float = 0.0

    @property
    def conversations(self) -> int:
        return sum(t.conversations for t in self.tenants)

    @property
    def messages(self) -> int:
        return sum(t.messages for t in self.tenants)

    @property
    def batches(self) -> int:
        return sum(t.batches for t in self.tenants)


@dataclass
class TenantDeletion:
    tenant_id: uuid.UUID
    conversations: int
    messages: int
    batches: int


@dataclass(frozen=True)
class RetentionPolicy:
    """Days after the last message; None keeps the conversations until deletion is requested."""

    bot_days: int
    agent_days: int | None


def check_retention(bot_days: int, agent_days: int | None) -> RetentionPolicy:
    if not 1 <= bot_days <= MAX_RETENTION_DAYS:
        raise ValueError(f"bot-only retention must be 1 to {MAX_RETENTION_DAYS} days")
    if agent_days is not None and not 1 <= agent_days <= MAX_RETENTION_DAYS:
        raise ValueError(
            f"retention with an agent must be 1 to {MAX_RETENTION_DAYS} days, or none "
            "(kept until deletion is requested)"
        )
    return RetentionPolicy(bot_days, agent_days)


class Retention:
    def __init__(
        self,
        db: Database,
        hub: Hub,
        clock: Clock,
        ids: IdSource,
        secret_key: str,
        batch_size: int = 500,
    ) -> None:
        self.db = db
        self.hub = hub
        self.clock = clock
        self.ids = ids
        self.secret_key = secret_key
        self.batch_size = batch_size
        # What lives outside the database and goes with a conversation (the attachments' files
        # in the folder storage): called with (tenant, conversation ids) after each committed
        # batch, whatever the reason of the deletion.
        self.after_delete: list[Callable[[uuid.UUID, Sequence[uuid.UUID]], Awaitable[None]]] = []

    # The one deletion path ---------------------------------------------------------------

    async def _delete(
        self, session: AsyncSession, tenant_id: uuid.UUID, *conditions: ColumnElement[bool]
    ) -> list[Deleted]:
        """Delete up to `batch_size` of the tenant's conversations matching `conditions`; the
        database cascades to every row that refers to them."""
        where = and_(Conversation.tenant_id == tenant_id, *conditions)
        # Choose first, then delete: a LIMIT inside `DELETE … WHERE id IN (subquery)` is not a
        # bound on PostgreSQL (the planner may run the subquery more than once).
        chosen = (
            await session.scalars(
                select(Conversation.id)
                .where(where)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not chosen:
            return []
        rows = await session.execute(
            delete(Conversation)
            .where(Conversation.id.in_(chosen), where)
            .returning(Conversation.id, Conversation.person_involved, Conversation.last_seq)
            .execution_options(synchronize_session=False)
        )
        return [Deleted(r.id, bool(r.person_involved), int(r.last_seq)) for r in rows]

    async def _announce(
        self, tenant_id: uuid.UUID, deleted: Sequence[Deleted], reason: str
    ) -> None:
        if not deleted:
            return
        for step in self.after_delete:
            try:
                await step(tenant_id, [d.conversation_id for d in deleted])
            except Exception:
                # The scheduled purge's sweep removes what is left.
                log.exception("after_delete_failed", tenant_id=str(tenant_id))
        event = {"type": "deleted", "reason": reason}
        for start in range(0, len(deleted), 100):
            chunk = deleted[start : start + 100]
            await asyncio.gather(
                *(self.hub.publish(conversation_channel(d.conversation_id), event) for d in chunk),
                return_exceptions=True,
            )
        try:
            await self.hub.publish(
                tenant_channel(tenant_id),
                {
                    "type": "conversations_deleted",
                    "conversation_ids": [str(d.conversation_id) for d in deleted],
                },
            )
        except Exception:
            log.exception("deleted_publish_failed", tenant_id=str(tenant_id))

    # Deletion on request -------------------------------------------------------------------

    async def delete_on_request(
        self,
        tenant_id: uuid.UUID,
        conversation_ids: Sequence[uuid.UUID],
        *,
        actor: str,
        reason: str = audit.REASON_REQUEST,
    ) -> dict[uuid.UUID, str]:
        """Delete these conversations of the tenant now. Returns the receipt of each one deleted
        (ids that are not the tenant's, or already gone, are left out). One audit entry per
        conversation, with the receipt as its subject."""
        if reason not in (audit.REASON_CUSTOMER, audit.REASON_REQUEST):
            raise ValueError(f"not a reason for deletion on request: {reason!r}")
        audit.check_entry(actor, audit.CONVERSATION_DELETED, None, {"reason": reason})
        receipts: dict[uuid.UUID, str] = {}
        unique = list(dict.fromkeys(conversation_ids))
        for start in range(0, len(unique), self.batch_size):
            chunk = unique[start : start + self.batch_size]
            async with self.db.transaction() as session:
                deleted = await self._delete(session, tenant_id, Conversation.id.in_(chunk))
                for d in deleted:
                    receipt = audit.receipt(self.secret_key, tenant_id, d.conversation_id)
                    receipts[d.conversation_id] = receipt
                    session.add(
                        audit.audit_entry(
                            tenant_id=tenant_id,
                            actor=actor,
                            action=audit.CONVERSATION_DELETED,
                            clock=self.clock,
                            ids=self.ids,
                            subject_hash=receipt,
                            reason=reason,
                            kind=WITH_AGENT if d.person_involved else BOT_ONLY,
                            messages=d.messages,
                        )
                    )
            await self._announce(tenant_id, deleted, reason)
        log.info("deleted_on_request", tenant_id=str(tenant_id), conversations=len(receipts))
        return receipts

    # The schedule ----------------------------------------------------------------------------

    async def policies(
        self, tenant_id: uuid.UUID | None = None
    ) -> list[tuple[uuid.UUID, RetentionPolicy]]:
        query = select(Tenant.id, Tenant.retention_bot_days, Tenant.retention_agent_days)
        if tenant_id is not None:
            query = query.where(Tenant.id == tenant_id)
        async with self.db.session() as session:
            rows = (await session.execute(query.order_by(Tenant.created_at, Tenant.id))).all()
        return [(r.id, RetentionPolicy(r.retention_bot_days, r.retention_agent_days)) for r in rows]

    @staticmethod
    def _expired(policy: RetentionPolicy, now: datetime) -> list[tuple[str, ColumnElement[bool]]]:
        """(kind, condition) of the conversations the policy lets go at `now`."""
        out: list[tuple[str, ColumnElement[bool]]] = [
            (
                BOT_ONLY,
                and_(
                    Conversation.person_involved.is_(False),
                    Conversation.last_activity_at <= now - timedelta(days=policy.bot_days),
                ),
            )
        ]
        if policy.agent_days is not None:
            out.append(
                (
                    WITH_AGENT,
                    and_(
                        Conversation.person_involved.is_(True),
                        Conversation.last_activity_at <= now - timedelta(days=policy.agent_days),
                    ),
                )
            )
        return out

    async def purge(
        self,
        *,
        now: datetime | None = None,
        tenant_id: uuid.UUID | None = None,
        dry_run: bool = False,
    ) -> PurgeReport:
        """Delete every conversation whose retention has run out (of one tenant, or all), in
        batches. With `dry_run`, count them and delete nothing."""
        now = now or self.clock.now()
        report = PurgeReport(now=now, dry_run=dry_run)
        started = time.perf_counter()
        for tid, policy in await self.policies(tenant_id):
            result = TenantPurge(tid)
            for kind, condition in self._expired(policy, now):
                if dry_run:
                    await self._count(tid, kind, condition, result)
                    continue
                while True:
                    batch_started = time.perf_counter()
                    async with self.db.transaction() as session:
                        deleted = await self._delete(session, tid, condition)
                        messages = sum(d.messages for d in deleted)
                        if deleted:
                            session.add(
                                audit.audit_entry(
                                    tenant_id=tid,
                                    actor="system:retention",
                                    action=audit.RETENTION_PURGE,
                                    clock=self.clock,
                                    ids=self.ids,
                                    reason=audit.REASON_RETENTION,
                                    kind=kind,
                                    conversations=len(deleted),
                                    messages=messages,
                                    days=policy.bot_days if kind == BOT_ONLY else policy.agent_days,
                                )
                            )
                    elapsed = time.perf_counter() - batch_started
                    if not deleted:
                        break
                    report.longest_batch_seconds = max(report.longest_batch_seconds, elapsed)
                    result.batches += 1
                    result.messages += messages
                    if kind == BOT_ONLY:
                        result.bot_only += len(deleted)
                    else:
                        result.with_agent += len(deleted)
                    await self._announce(tid, deleted, audit.REASON_RETENTION)
                    if len(deleted) < self.batch_size:
                        break
                    await asyncio.sleep(0)  # let the server's requests in between batches
            if result.conversations or dry_run:
                report.tenants.append(result)
        report.seconds = time.perf_counter() - started
        if report.conversations and not dry_run:
            log.info(
                "retention_purge",
                conversations=report.conversations,
                messages=report.messages,
                batches=report.batches,
                seconds=round(report.seconds, 3),
            )
        return report

    async def _count(
        self, tenant_id: uuid.UUID, kind: str, condition: ColumnElement[bool], result: TenantPurge
    ) -> None:
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(func.count(), func.coalesce(func.sum(Conversation.last_seq), 0)).where(
                        Conversation.tenant_id == tenant_id, condition
                    )
                )
            ).one()
        count, messages = int(row[0]), int(row[1])
        if kind == BOT_ONLY:
            result.bot_only += count
        else:
            result.with_agent += count
        result.messages += messages

    # Deleting a tenant ---------------------------------------------------------------------

    async def delete_tenant(self, tenant_id: uuid.UUID, *, actor: str) -> TenantDeletion:
        """Delete a shop and everything it owns. Its conversations go first, in batches; then
        the tenant row, whose cascade takes users and settings. The audit entry written in the
        last transaction keeps the tenant's id and the counts after the tenant is gone."""
        audit.check_entry(actor, audit.TENANT_DELETED, None, {})
        async with self.db.transaction() as session:
            found = await session.execute(
                update(Tenant)
                .where(Tenant.id == tenant_id)
                .values(active=False)
                .returning(Tenant.id)
                .execution_options(synchronize_session=False)
            )
            if found.first() is None:
                raise LookupError("no such tenant")
        conversations = messages = batches = 0
        while True:
            async with self.db.transaction() as session:
                deleted = await self._delete(session, tenant_id)
            if not deleted:
                break
            batches += 1
            conversations += len(deleted)
            messages += sum(d.messages for d in deleted)
            await self._announce(tenant_id, deleted, audit.REASON_TENANT_DELETED)
            await asyncio.sleep(0)
        async with self.db.transaction() as session:
            await session.execute(
                delete(Tenant)
                .where(Tenant.id == tenant_id)
                .execution_options(synchronize_session=False)
            )
            session.add(
                audit.audit_entry(
                    tenant_id=tenant_id,
                    actor=actor,
                    action=audit.TENANT_DELETED,
                    clock=self.clock,
                    ids=self.ids,
                    reason=audit.REASON_TENANT_DELETED,
                    conversations=conversations,
                    messages=messages,
                )
            )
        log.info(
            "tenant_deleted", tenant_id=str(tenant_id), conversations=conversations, batches=batches
        )
        return TenantDeletion(tenant_id, conversations, messages, batches)

    # Settings ------------------------------------------------------------------------------

    async def set_retention(
        self, tenant_id: uuid.UUID, bot_days: int, agent_days: int | None, *, actor: str
    ) -> RetentionPolicy:
        """Change a tenant's retention (an admin's or operator's change, audited)."""
        policy = check_retention(bot_days, agent_days)
        async with self.db.transaction() as session:
            tenant = await session.get(Tenant, tenant_id, with_for_update=True)
            if tenant is None:
                raise LookupError("no such tenant")
            before = RetentionPolicy(tenant.retention_bot_days, tenant.retention_agent_days)
            if before == policy:
                return policy
            tenant.retention_bot_days = policy.bot_days
            tenant.retention_agent_days = policy.agent_days
            details: dict[str, Any] = {
                "bot_days_before": before.bot_days,
                "bot_days": policy.bot_days,
                "agent_days_before": before.agent_days,
                "agent_days": policy.agent_days,
            }
            await audit.record(
                session,
                tenant_id=tenant_id,
                actor=actor,
                action=audit.RETENTION_CHANGED,
                clock=self.clock,
                ids=self.ids,
                **details,
            )
        return policy
