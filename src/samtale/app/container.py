"""The composition root: every service of one Samtale instance, built once, in one place.

The server, every `samtale` command, the demo and the tests build a `Container` through
`Container.build(settings, …)`, so they all run the same services with the same hooks: the
identifier index, the statistics events, the improvement sample and the live chat's activity on
every turn; the insights' expiry and the staff sessions' clean-up in every purge round; the
handoff's pre-chat answers in every transcript. Which of these run never depends on who built
the container.

Services take their collaborators as typed constructor arguments; nothing looks anything up at
run time. The order below is the order of the packages (`docs/architecture.md`): the
infrastructure first, then the conversation service and privacy, the bot and the live chat,
the shop, the insights and the admin services. Where a lower package must call a higher one
(the bot offers the handoff; publishing scores the reviewed questions), the lower one declares
what it needs as a protocol or a callable, and the root passes the higher one's method in.

Tests replace what they must through `build`'s keywords: a clock and an id source, a static
responder instead of the trained bot, a mailer that records.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis

from samtale.accounts.sessions import ExpiredSessions
from samtale.admin.publishing import Publisher
from samtale.admin.service import AdminService
from samtale.admin.shops import ShopConnections
from samtale.admin.tenants import ShopLifecycle
from samtale.admin.trial import TrialBots
from samtale.bot.actions import ActionRegistry
from samtale.bot.embeddings import Embedder
from samtale.bot.model import embedder_for
from samtale.bot.registry import BotRegistry
from samtale.conversations.attachments import AttachmentService
from samtale.conversations.responder import ResponderRegistry
from samtale.conversations.service import ConversationService, TurnHook
from samtale.demo.mailbox import MailCatcher
from samtale.demo.shop.connector import DemoConnector
from samtale.infra.database import Database
from samtale.infra.files import file_storage
from samtale.infra.hub import Hub, InProcessHub, RedisHub
from samtale.infra.mail import Mailer, mailer_from_env
from samtale.infra.migrate import upgrade
from samtale.infra.outgoing import OutgoingClient
from samtale.infra.ratelimit import (
    FallbackRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
)
from samtale.infra.redis import redis_client
from samtale.insights.service import InsightsService
from samtale.kernel.clock import Clock, IdSource, RandomIds, SystemClock
from samtale.kernel.config import Settings
from samtale.kernel.metrics import Metrics
from samtale.knowledge.fetching import Fetcher
from samtale.knowledge.service import KnowledgeService
from samtale.live.service import LiveService
from samtale.privacy.attachments import attachment_sections
from samtale.privacy.inspection import TurnInspector
from samtale.privacy.pii.redactor import warm_up as warm_up_pii
from samtale.privacy.scheduler import PurgeScheduler
from samtale.privacy.service import PrivacyService
from samtale.shop.checkout import Checkout
from samtale.shop.connect import OperatorCarriers
from samtale.shop.credentials import Vault
from samtale.shop.products import ProductSearch
from samtale.shop.service import ShopService
from samtale.shop.sync import SyncScheduler
from samtale.shop.tracking import Tracking
from samtale.tenants.changes import Listener, TenantChanges

# Seconds after start before the shops' catalogues load: let the bots load first.
SHOP_WARM_UP_DELAY = 5.0
# How often the knowledge base looks for sources due a re-crawl (each source says how often it
# is crawled: daily by default).
KNOWLEDGE_SCHEDULE_SECONDS = 3600.0


@dataclass
class Container:
    settings: Settings
    clock: Clock
    ids: IdSource
    metrics: Metrics
    db: Database
    redis: aioredis.Redis | None
    hub: Hub
    limiter: RateLimiter
    conversations: ConversationService
    attachments: AttachmentService
    privacy: PrivacyService
    actions: ActionRegistry
    responders: ResponderRegistry
    live: LiveService
    shop: ShopService
    knowledge: KnowledgeService
    insights: InsightsService
    admin: AdminService
    # The guarded client for calls out (shops' pages, a bot picture given by URL).
    outgoing: OutgoingClient
    # How every instance learns that a shop changed (its caches listen).
    changes: TenantChanges
    # The demo's local SMTP catcher (`samtale demo` without `SAMTALE_SMTP_URL`); None otherwise.
    mail_catcher: MailCatcher | None = None
    # Background tasks and resources that `close()` ends, in reverse order.
    _closers: list[Callable[[], Any]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        ids: IdSource | None = None,
        responders: ResponderRegistry | None = None,
        hooks: list[TurnHook] | None = None,
        db: Database | None = None,
        mailer: Mailer | None = None,
    ) -> Container:
        """Every service of an instance. Without `responders`, each tenant's trained bot
        answers (`BotRegistry`, with the shop's actions and the handoff); tests pass a
        `StaticRegistry`. `hooks` run on every turn after the built-in ones."""
        clock = clock or SystemClock()
        ids = ids or RandomIds()
        db = db or Database(settings.effective_database_url)
        models_dir = settings.data_dir / "models"
        mailer = mailer if mailer is not None else mailer_from_env()

        redis: aioredis.Redis | None = None
        hub: Hub
        limiter: RateLimiter
        if settings.redis_url:
            redis = redis_client(settings.redis_url)
            hub = RedisHub(settings.redis_url, prefix=settings.redis_prefix)
            limiter = FallbackRateLimiter(
                RedisRateLimiter(redis, clock, prefix=f"{settings.redis_prefix}rl:"),
                MemoryRateLimiter(clock),
            )
        else:
            hub = InProcessHub()
            limiter = MemoryRateLimiter(clock)

        metrics = Metrics()
        secret = settings.effective_secret_key
        privacy = PrivacyService(db, hub, clock, ids, secret, batch_size=settings.purge_batch_size)
        conversations = ConversationService(
            db,
            hub,
            _Deferred(),
            clock,
            ids,
            [privacy.index],
            max_pending=settings.max_pending_turns,
        )
        # Files sent in a chat: kept in the folder or the database; deleted with their
        # conversation by every deletion path, swept by every purge round, listed in
        # transcripts.
        attachments = AttachmentService(
            db, file_storage(settings.attachment_storage, settings.data_dir), clock, ids
        )
        privacy.retention.after_delete.append(attachments.on_deleted)
        privacy.runner.steps.append(attachments.sweep)
        privacy.sections.append(attachment_sections)
        live = LiveService(
            db, hub, clock, ids, conversations, secret, privacy=privacy, mailer=mailer
        )
        live.queue_gauge = metrics.queue_length

        shop = ShopService(
            db,
            clock,
            embeddings_dir=models_dir / "embeddings",
            private_addresses=settings.shop_private_addresses,
            builtin=DemoConnector,
            vault=Vault(secret),
            carriers=OperatorCarriers(
                postnord_api_key=settings.carrier_postnord_api_key,
                bring_api_uid=settings.carrier_bring_api_uid,
                bring_api_key=settings.carrier_bring_api_key,
                dhl_api_key=settings.carrier_dhl_api_key,
            ),
            client_url=settings.public_url or f"http://{settings.host}:{settings.port}",
            full_sync_seconds=settings.shop_full_sync_seconds,
        )
        actions = shop_actions(shop, limiter)
        # The shop's pages, fetched through the guarded client (private addresses only when the
        # operator allows them), embedded with the bot's model, indexed in the data folder.
        outgoing = OutgoingClient(
            timeout=10.0, deadline=30.0, private_addresses=settings.shop_private_addresses
        )
        knowledge = KnowledgeService(
            db,
            Fetcher(outgoing.http),
            passage_embedder=Embedder(models_dir / "embeddings", prefix="passage"),
            query_embedder=embedder_for(models_dir),
            data_dir=settings.data_dir,
            clock=clock,
        )
        registry = responders or BotRegistry(
            db,
            models_dir,
            actions=actions,
            handoff=live.offer,
            knowledge=knowledge.answer,
            fast_start=settings.bot_fast_start,
        )
        conversations.responders = registry

        insights = InsightsService(db, clock, ids, shop.vocabulary)
        publisher = Publisher(db, clock, ids, registry, models_dir)
        publisher.subsets["reviewed"] = insights.reviewed_texts
        admin = AdminService(
            db,
            clock,
            publisher,
            TrialBots(clock, models_dir, actions),
            ShopLifecycle(db, clock, ids, privacy, shop, knowledge),
            mailer,
            ShopConnections(shop, db, clock, ids),
        )

        # Every turn's text is read for personal data once, off the event loop, before its
        # transaction: the identifier index and the improvement sample both use the findings.
        inspector = TurnInspector(db, shop.vocabulary)
        conversations.inspector = inspector
        # One path for a shop's changes to reach every cache of it, on every instance.
        changes = TenantChanges(hub)
        shop.changes = changes
        publisher.changes = changes
        changes.listen(_forget_settings(insights, inspector))
        changes.listen(shop.changed)
        changes.listen(knowledge.changed)
        changes.listen(_reload_content(registry))
        # Every turn: the identifier index (above), the live chat's visitor activity, the
        # statistics events and the improvement sample, then the caller's own hooks.
        conversations.hooks.extend(
            [live.hook, insights.turn_events, insights.sampler, *(hooks or [])]
        )
        live.events.append(insights.live_events)
        privacy.sections.append(live.sections)
        privacy.runner.steps.extend([insights.purge, ExpiredSessions(db)])

        container = cls(
            settings=settings,
            clock=clock,
            ids=ids,
            metrics=metrics,
            db=db,
            redis=redis,
            hub=hub,
            limiter=limiter,
            conversations=conversations,
            attachments=attachments,
            privacy=privacy,
            actions=actions,
            responders=registry,
            live=live,
            shop=shop,
            knowledge=knowledge,
            insights=insights,
            admin=admin,
            outgoing=outgoing,
            changes=changes,
        )
        container.on_close(outgoing.aclose)
        return container

    async def start(
        self, migrate: bool = False, background: bool = False, bots: bool = True
    ) -> None:
        """Start the hub and (with `bots`) the responders; with `background` (a server, not a
        test), also the background jobs: the retention purge every `purge_interval_seconds`,
        the live chat's sweep, the shops' catalogues loading, the connected shops' catalogue
        sync every `shop_sync_interval_seconds`, and the knowledge base's scheduled re-crawls."""
        if migrate:
            await upgrade(self.db)
        await self.hub.start()
        await self.changes.start()
        self.on_close(self.changes.close)
        if bots:
            await asyncio.to_thread(warm_up_pii)
            await self.responders.start()
        if background:
            self.start_background()

    def start_background(self) -> None:
        if self.settings.purge_interval_seconds > 0:
            scheduler = PurgeScheduler(
                self.privacy.runner, self.clock, self.settings.purge_interval_seconds
            )
            scheduler.start()
            self.on_close(scheduler.stop)
        self.live.start_background()
        self.shop.warm_up_later(SHOP_WARM_UP_DELAY)
        # Every process runs the schedules below; one at a time runs a round (`infra/locks.py`),
        # and a round does only what is due, so nothing is done once per worker.
        every = self.settings.shop_sync_interval_seconds
        sync = SyncScheduler(lambda: self.shop.sync_all(skip_synced_within=every / 2), every)
        sync.start()
        self.on_close(sync.stop)
        recrawl = asyncio.create_task(
            self.knowledge.run_schedule(KNOWLEDGE_SCHEDULE_SECONDS), name="knowledge-recrawl"
        )
        self.on_close(recrawl.cancel)
        # Bot evaluations a stop interrupted (or another instance left) are queued in the
        # database: resume them now and look again now and then.
        evaluations = asyncio.create_task(
            self.admin.publisher.run_resumer(), name="evaluation-resume"
        )
        self.on_close(evaluations.cancel)

    async def ready(self) -> dict[str, bool]:
        return {"database": await self.db.ping(), "bot": self.responders.is_ready()}

    def on_close(self, fn: Callable[[], Any]) -> None:
        self._closers.append(fn)

    async def close(self) -> None:
        for fn in reversed(self._closers):
            with contextlib.suppress(Exception):
                result = fn()
                if hasattr(result, "__await__"):
                    await result
        for close in (self.live.stop, self.admin.close, self.shop.close, self.responders.close):
            with contextlib.suppress(Exception):
                await close()
        await self.hub.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.db.dispose()


def shop_actions(shop: ShopService, limiter: RateLimiter) -> ActionRegistry:
    """The actions a bot may name, answered from the tenant's shop."""
    registry = ActionRegistry()
    tracking = Tracking(shop, limiter)
    checkout = Checkout(shop)
    registry.register("track_order", tracking.track_order)
    registry.register("track_shipment", tracking.track_shipment)
    registry.register("product_search", ProductSearch(shop))
    registry.register("delivery_options", checkout.delivery_options)
    registry.register("payment_methods", checkout.payment_methods)
    return registry


class _Deferred:
    """The conversation service's responders until the registry is made (a moment later in
    `build`, since the bot's handoff needs the live service, which needs the conversation
    service)."""

    def for_tenant(self, tenant_id: Any) -> Any:
        raise RuntimeError("the container is still being built")

    def is_ready(self) -> bool:
        return False

    async def start(self) -> None:
        return None

    async def refresh(self, tenant_id: Any = None) -> None:
        return None

    async def close(self) -> None:
        return None


def _forget_settings(insights: InsightsService, inspector: TurnInspector) -> Listener:
    """Settings, languages and formats kept for turns are read again after any change."""

    def forget(tenant_id: uuid.UUID | None, kind: str | None) -> None:
        insights.forget(tenant_id)
        inspector.forget(tenant_id)

    return forget


def _reload_content(registry: ResponderRegistry) -> Listener:
    """A published bot version (or a lost announcement) reloads the shop's bot."""

    async def reload(tenant_id: uuid.UUID | None, kind: str | None) -> None:
        if kind in (None, "content"):
            await registry.refresh(tenant_id)

    return reload
