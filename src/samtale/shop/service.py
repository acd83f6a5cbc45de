"""Each tenant's shop: which connector answers for it, and its product index, kept warm.

`ShopService.for_tenant(tenant_id)` returns the tenant's `TenantShop`: the connector (the HTTP
connector when `tenant.settings["connector"]` configures one, the built-in demo shop when the
tenant holds demo data, else none), the tenant's time zone and default country. Looked-up
tenants are cached for `ttl_seconds`, and a connector is rebuilt only when its settings change
(an HTTP connector keeps its connection pool and circuit breaker across turns).

The demo shop's product index is built per tenant on first use: the word index at once, the
vectors in a worker thread (from the on-disk embedding cache after the first time), attached
when ready — searches in the meantime use words alone, so nothing waits for the model and
readiness is never held back. `warm_up()` starts that work early.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samtale.infra.database import Database
from samtale.kernel.clock import Clock
from samtale.kernel.logs import get_logger
from samtale.model import ShopDemoSeed, Tenant
from samtale.privacy.pii import ShopVocabulary
from samtale.shop.builtin import BuiltinConnectorFactory, load_products
from samtale.shop.connector import ShopConnector
from samtale.shop.search import ProductIndex, SemanticIndex
from samtale.shop.vocabulary import CARRIERS

log = get_logger(__name__)

# Until a shop's catalogue is loaded, its own words are the carriers' names.
CARRIER_WORDS = ShopVocabulary.from_words(CARRIERS.values())


@dataclass
class TenantShop:
    tenant_id: uuid.UUID
    connector: ShopConnector | None
    time_zone: str
    default_country: str
    kind: str  # "demo", "http" or "none"


@dataclass
class _Catalogue:
    marker: str
    index: ProductIndex
    task: asyncio.Task[None] | None = None


class ShopService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        embeddings_dir: Path | None = None,
        semantic: bool = True,
        ttl_seconds: float = 30.0,
        private_addresses: bool = False,
        builtin: BuiltinConnectorFactory | None = None,
    ) -> None:
        self.db = db
        self.builtin = builtin
        self.private_addresses = private_addresses
        self.clock = clock
        self.embeddings_dir = embeddings_dir
        self.semantic = semantic
        self.ttl_seconds = ttl_seconds
        self._tenants: dict[uuid.UUID, tuple[float, TenantShop, str]] = {}
        self._http: dict[uuid.UUID, tuple[str, Any]] = {}
        self._catalogues: dict[uuid.UUID, _Catalogue] = {}
        self._locks: dict[uuid.UUID, asyncio.Lock] = {}
        self._embedders: tuple[Any, Any] | None = None
        self._closed = False
        self._timers: list[asyncio.TimerHandle] = []
        self._vocabularies: dict[uuid.UUID, tuple[str, ShopVocabulary]] = {}
        self._building: set[uuid.UUID] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- tenants ---------------------------------------------------------------------------

    async def for_tenant(self, tenant_id: uuid.UUID) -> TenantShop:
        now = self.clock.now().timestamp()
        cached = self._tenants.get(tenant_id)
        if cached is not None and now - cached[0] < self.ttl_seconds:
            return cached[1]
        async with self.db.session() as session:
            tenant = await session.get(Tenant, tenant_id)
            has_demo = await session.get(ShopDemoSeed, tenant_id) is not None
        if tenant is None:
            shop = TenantShop(tenant_id, None, "Europe/Copenhagen", "DK", "none")
            self._tenants[tenant_id] = (now, shop, "")
            return shop
        config = (tenant.settings or {}).get("connector")
        key = json.dumps(config, sort_keys=True, default=str) if config else ""
        connector: ShopConnector | None = None
        kind = "none"
        if isinstance(config, dict) and config.get("type", "http") == "http":
            connector = self._http_connector(tenant_id, config, key)
            kind = "http" if connector is not None else "none"
        elif has_demo and self.builtin is not None:
            connector = self.builtin(
                self.db, tenant_id, self.clock, lambda: self.catalogue(tenant_id)
            )
            kind = "demo"
        shop = TenantShop(tenant_id, connector, tenant.time_zone, tenant.default_country, kind)
        self._tenants[tenant_id] = (now, shop, key)
        return shop

    def _http_connector(
        self, tenant_id: uuid.UUID, config: dict[str, Any], key: str
    ) -> ShopConnector | None:
        from samtale.shop.http import HttpConnector, HttpConnectorConfig

        current = self._http.get(tenant_id)
        if current is not None and current[0] == key:
            connector: ShopConnector = current[1]
            return connector
        try:
            parsed = HttpConnectorConfig.model_validate(config)
        except ValueError:
            log.warning("shop_connector_invalid", tenant_id=str(tenant_id))
            return None
        made = HttpConnector(parsed, clock=self.clock, private_addresses=self.private_addresses)
        if current is not None:
            asyncio.get_running_loop().create_task(current[1].aclose())
        self._http[tenant_id] = (key, made)
        return made

    def forget(self, tenant_id: uuid.UUID) -> None:
        """Read the tenant again on its next turn (settings or demo data changed)."""
        self._tenants.pop(tenant_id, None)
        self._catalogues.pop(tenant_id, None)

    # -- the demo catalogue ----------------------------------------------------------------

    def embedders(self) -> tuple[Any, Any]:
        """(passage embedder with the disk cache, query embedder without)."""
        if self._embedders is None:
            from samtale.bot.embeddings import Embedder

            self._embedders = (
                Embedder(cache_dir=self.embeddings_dir, prefix="passage", batch_size=2),
                Embedder(prefix="query"),
            )
        return self._embedders

    async def catalogue(self, tenant_id: uuid.UUID) -> ProductIndex:
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            async with self.db.session() as session:
                seed = await session.get(ShopDemoSeed, tenant_id)
                marker = f"{seed.version}:{seed.created_at.isoformat()}" if seed else ""
                current = self._catalogues.get(tenant_id)
                if current is not None and current.marker == marker:
                    return current.index
                products = await load_products(session, tenant_id)
            index = ProductIndex(products)
            entry = _Catalogue(marker, index)
            if self.semantic and products:
                entry.task = asyncio.get_running_loop().create_task(self._attach(index))
            self._catalogues[tenant_id] = entry
            log.info("shop_catalogue_loaded", tenant_id=str(tenant_id), products=len(products))
            return index

    async def _attach(self, index: ProductIndex) -> None:
        passages, queries = self.embedders()
        try:
            semantic = await asyncio.to_thread(SemanticIndex.build, index.products, passages)
        except Exception:
            log.exception("shop_semantic_index_failed")
            return
        index.attach(semantic, queries)
        log.info("shop_semantic_index_ready", passages=int(semantic.vectors.shape[0]))

    # -- the shop's own words ----------------------------------------------------------------

    def vocabulary(self, tenant_id: uuid.UUID) -> ShopVocabulary:
        """The shop's own words, which redaction never takes for a person's name: its
        products' names and categories in every language, and the carriers. Built in a worker
        thread once the tenant's catalogue is loaded (the carriers alone until then), so a turn
        never waits for it."""
        entry = self._catalogues.get(tenant_id)
        cached = self._vocabularies.get(tenant_id)
        stale = cached is None or (entry is not None and cached[0] != entry.marker)
        if entry is not None and stale and tenant_id not in self._building:
            self._building.add(tenant_id)
            task = asyncio.get_running_loop().create_task(self._build_vocabulary(tenant_id, entry))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return cached[1] if cached is not None else CARRIER_WORDS

    async def _build_vocabulary(self, tenant_id: uuid.UUID, entry: _Catalogue) -> None:
        try:
            words = [*CARRIERS.values()]
            for product in entry.index.products:
                words += product.names.values()
                words += product.category_names.values()
            built = await asyncio.to_thread(ShopVocabulary.from_words, words)
            self._vocabularies[tenant_id] = (entry.marker, built)
        except Exception:
            log.exception("shop_vocabulary_failed", tenant_id=str(tenant_id))
        finally:
            self._building.discard(tenant_id)

    async def vocabulary_ready(self, tenant_id: uuid.UUID) -> ShopVocabulary:
        """The shop's words once built (tests, the review inbox's first look)."""
        await self.catalogue(tenant_id)
        self.vocabulary(tenant_id)
        while tenant_id in self._building:  # noqa: ASYNC110 (a task of this service builds it)
            await asyncio.sleep(0.01)
        return self.vocabulary(tenant_id)

    async def warm_up(self) -> None:
        """Load every demo tenant's catalogue (and start its vectors)."""
        from sqlalchemy import select

        if self._closed:
            return
        try:
            async with self.db.session() as session:
                tenants = (await session.scalars(select(ShopDemoSeed.tenant_id))).all()
            for tenant_id in tenants:
                if self._closed:
                    return
                await self.catalogue(tenant_id)
        except Exception:
            log.exception("shop_warm_up_failed")

    def warm_up_later(self, delay: float) -> None:
        """Start `warm_up` after `delay` seconds on the running loop (none: on first use)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timers.append(loop.call_later(delay, lambda: loop.create_task(self.warm_up())))

    async def close(self) -> None:
        self._closed = True
        for timer in self._timers:
            timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        for entry in self._catalogues.values():
            if entry.task is not None and not entry.task.done():
                entry.task.cancel()
        for _key, connector in self._http.values():
            with contextlib.suppress(Exception):
                await connector.aclose()
        self._http.clear()
