"""Every tenant's bot, loaded and kept current: the `ResponderRegistry` the server uses.

At start the registry reads each active tenant's published content and loads its trained model
from the data folder (named by the content's SHA-256), training it when missing — in a worker
thread, so the event loop keeps serving. A missing model is trained in two steps: the fast path
first (seconds), which the bot answers with at once, then the whole cascade in the background
(`completing`), which is saved and swapped into the bot when done. The instance reports ready (`/healthz`) once every
tenant with content has its bot. A tenant whose content changes (the admin pages publish, an
import, another instance) gets a new bot trained in the background; the old one keeps answering
until the new one is swapped in, atomically. A tenant without any published content (one made
before starter content was published at creation) answers with the starter content in its
languages, so "not set up" is never what a shop's customers read. A tenant made after the
registry loaded (by `samtale tenant create`, in another process) is loaded at its first
message. While the instance is still loading its bots, a message waits a little for its
tenant's bot and, if that is not there in time, is told that the assistant is starting — never
that it is not configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from samtale.bot.actions import ActionRegistry, HandoffOffer
from samtale.bot.content import Content
from samtale.bot.dialogue import Bot
from samtale.bot.drafts import starter_content
from samtale.bot.knowledge import KnowledgeAnswerer
from samtale.bot.model import load_or_train
from samtale.bot.profile import profile_of
from samtale.bot.store import ContentVersions, content_sha
from samtale.conversations.responder import NotConfiguredResponder, Reply, Responder
from samtale.infra.database import Database
from samtale.kernel.i18n import catalogue
from samtale.kernel.logs import get_logger
from samtale.model import Tenant

log = get_logger(__name__)

# How long a message waits for its tenant's bot while the instance starts.
STARTING_WAIT_SECONDS = 15.0


class _Starting:
    """The responder of a tenant whose bot may still be loading: waits for it a little."""

    def __init__(self, registry: BotRegistry, tenant_id: uuid.UUID) -> None:
        self.registry = registry
        self.tenant_id = tenant_id

    async def respond(self, conversation: Any, message: Any) -> list[Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.registry.starting_wait
        while loop.time() < deadline:
            bot = self.registry.bot(self.tenant_id)
            if bot is not None:
                return list(await bot.respond(conversation, message))
            if self.registry.is_ready():  # loaded, and this tenant has no bot
                return list(await self.registry._fallback.respond(conversation, message))
            await asyncio.sleep(0.1)
        conversation.notes.outcome = "error"  # counted like a failed turn
        return [Reply(catalogue("system").text("starting", conversation.language), author="system")]


class _Newcomer:
    """The responder of a tenant the registry has not loaded yet: loads it, then answers."""

    def __init__(self, registry: BotRegistry, tenant_id: uuid.UUID) -> None:
        self.registry = registry
        self.tenant_id = tenant_id

    async def respond(self, conversation: Any, message: Any) -> list[Any]:
        try:
            async with asyncio.timeout(self.registry.starting_wait):
                await self.registry.refresh(self.tenant_id)
        except TimeoutError:
            conversation.notes.outcome = "error"
            return [
                Reply(catalogue("system").text("starting", conversation.language), author="system")
            ]
        bot = self.registry.bot(self.tenant_id)
        responder: Any = bot if bot is not None else self.registry._fallback
        return list(await responder.respond(conversation, message))


class BotRegistry:
    def __init__(
        self,
        db: Database,
        data_dir: Path,
        actions: ActionRegistry | None = None,
        handoff: HandoffOffer | None = None,
        refresh_seconds: float = 30.0,
        on_loaded: Callable[[uuid.UUID, Bot], Any] | None = None,
        knowledge: KnowledgeAnswerer | None = None,
        fast_start: bool = True,
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.actions = actions or ActionRegistry()
        self.handoff = handoff
        self.refresh_seconds = refresh_seconds
        self.on_loaded = on_loaded
        self.knowledge = knowledge
        self._bots: dict[uuid.UUID, Bot] = {}
        self._shas: dict[uuid.UUID, str] = {}
        self._ready = False
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._fallback = NotConfiguredResponder()
        self.starting_wait = STARTING_WAIT_SECONDS
        # Background training of the whole cascade, by tenant, for bots that answer with their
        # fast path meanwhile.
        self.completing: dict[uuid.UUID, asyncio.Task[None]] = {}
        # With nothing saved, answer with the fast path at once and train the cascade behind it
        # (a server's start); without, train the cascade before answering (reproducible runs).
        self.fast_start = fast_start

    def for_tenant(self, tenant_id: uuid.UUID) -> Responder:
        bot = self._bots.get(tenant_id)
        if bot is not None:
            return bot
        if self._task is not None and not self._ready:  # started, still loading
            return _Starting(self, tenant_id)
        if self._task is not None:
            # Loaded, but not this tenant: one made since (by the command line, another
            # instance). Load it now rather than at the next look.
            return _Newcomer(self, tenant_id)
        return self._fallback

    def bot(self, tenant_id: uuid.UUID) -> Bot | None:
        return self._bots.get(tenant_id)

    def is_ready(self) -> bool:
        return self._ready

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="bot-registry")

    async def wait_ready(self, seconds: float = 600) -> None:
        async with asyncio.timeout(seconds):
            while not self._ready:
                if self._task is not None and self._task.done():
                    self._task.result()
                await asyncio.sleep(0.05)

    async def _run(self) -> None:
        await self.refresh()
        self._ready = True
        log.info("bots_ready", tenants=len(self._bots))
        while True:
            await asyncio.sleep(self.refresh_seconds)
            try:
                await self.refresh()
            except Exception:
                log.exception("bot_refresh_failed")

    async def refresh(self, tenant_id: uuid.UUID | None = None) -> None:
        """Load or retrain the bots whose published content changed."""
        async with self._lock:
            async with self.db.session() as session:
                query = select(Tenant).where(Tenant.active.is_(True))
                if tenant_id is not None:
                    query = query.where(Tenant.id == tenant_id)
                tenants = (await session.scalars(query)).all()
                wanted = []
                for tenant in tenants:
                    version = await ContentVersions(session, tenant.id).published()
                    if version is None:
                        starter = starter_content(tenant.languages, tenant.default_language)
                        sha, number, raw = content_sha(starter), 0, starter.model_dump(mode="json")
                    else:
                        sha, number, raw = version.sha256, version.version, version.content
                    profile = profile_of(tenant)
                    key = f"{sha}:{profile!r}"
                    if self._shas.get(tenant.id) != key:
                        wanted.append((tenant.id, key, sha, number, raw, profile))
            for tid, key, sha, number, raw, profile in wanted:
                try:
                    content = Content.model_validate(raw)
                    classifier = await asyncio.to_thread(
                        load_or_train, content, sha, self.data_dir, fast_first=self.fast_start
                    )
                except Exception:
                    log.exception("bot_load_failed", tenant_id=str(tid))
                    continue
                bot = Bot(
                    content,
                    classifier,
                    profile,
                    self.actions,
                    self.handoff,
                    version=str(number),
                    knowledge=self.knowledge,
                )
                self._bots[tid] = bot
                self._shas[tid] = key
                log.info("bot_loaded", tenant_id=str(tid), version=number, e5=classifier.has_e5)
                if not classifier.has_e5 and classifier.has_fast_path:
                    self._complete_later(tid, key, sha, content, bot)
                if self.on_loaded is not None:
                    self.on_loaded(tid, bot)

    def _complete_later(
        self, tenant_id: uuid.UUID, key: str, sha: str, content: Content, bot: Bot
    ) -> None:
        """Train the whole cascade in a worker thread and swap it into `bot`, if the tenant's
        content is still the same by then."""

        async def complete() -> None:
            try:
                full = await asyncio.to_thread(load_or_train, content, sha, self.data_dir)
            except Exception:
                log.exception("bot_cascade_failed", tenant_id=str(tenant_id))
                return
            if self._shas.get(tenant_id) == key and self._bots.get(tenant_id) is bot:
                bot.classifier = full
                log.info("bot_cascade_loaded", tenant_id=str(tenant_id))

        previous = self.completing.pop(tenant_id, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.create_task(complete(), name=f"bot-cascade-{tenant_id}")
        self.completing[tenant_id] = task
        task.add_done_callback(
            lambda t: (
                self.completing.pop(tenant_id, None)
                if self.completing.get(tenant_id) is t
                else None
            )
        )

    async def settled(self, seconds: float = 600) -> None:
        """Wait until every bot has its whole cascade (background training done)."""
        async with asyncio.timeout(seconds):
            while self.completing:
                await asyncio.gather(*list(self.completing.values()), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self.completing.values()):
            task.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
