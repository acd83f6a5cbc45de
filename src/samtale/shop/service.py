"""Each tenant's shop: which connector answers for it, and its product index, kept warm.

`ShopService.for_tenant(tenant_id)` returns the tenant's `TenantShop`: the connector, the
tenant's time zone and default country. The connector is, by `tenant.settings["connector"]`:

- `{"type": "shopify" | "woocommerce" | "magento", …}`: the platform's connector
  (`shop.connect`; secrets opened from the `Vault`), with a carrier tracker of its own (the
  shop's carrier credentials, else the operator's), and the synced catalogue for products
  (`shop.connected`). This replaces the demo shop for the demo tenant.
- `{"type": "http", …}` (or no type): the HTTP connector;
- none: the built-in demo shop when the tenant holds demo data, else none.

Looked-up tenants are cached for `ttl_seconds`, and a connector is rebuilt only when its
settings change (it keeps its connection pool, circuit breaker and carrier cache across turns).
`connect`, `test`, `check` and `sync` are what `samtale shop …` and the admin's "Connect your
shop" call.

A shop's product index (the demo's, or a synced catalogue) is built per tenant on first use: the word index at once, the
vectors in a worker thread (from the on-disk embedding cache after the first time), attached
when ready — searches in the meantime use words alone, so nothing waits for the model and
readiness is never held back. `warm_up()` starts that work early.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samtale.infra.database import Database
from samtale.infra.locks import exclusive, lock_key
from samtale.kernel.clock import Clock
from samtale.kernel.errors import Invalid, NotFound, UpstreamFailed
from samtale.kernel.logs import get_logger
from samtale.model import ShopCatalogue, ShopDemoSeed, Tenant
from samtale.privacy.pii import ShopVocabulary
from samtale.shop.builtin import BuiltinConnectorFactory, load_products
from samtale.shop.connect import (
    CARRIER_SECRETS,
    PLATFORMS,
    SECRETS,
    AnyPlatform,
    ConnectionInvalid,
    OperatorCarriers,
    carrier_credentials,
    carrier_tracker,
    connection,
    order_patterns,
    platform_connector,
)
from samtale.shop.connected import ConnectedShop
from samtale.shop.connector import ShopConnector, ShopUnavailable
from samtale.shop.credentials import CredentialsError, Vault
from samtale.shop.platforms.common import ShopCheck
from samtale.shop.search import ProductIndex, SemanticIndex
from samtale.shop.sync import SyncResult, sync_catalogue
from samtale.shop.vocabulary import CARRIERS
from samtale.tenants.changes import TenantChanges
from samtale.tenants.formats import DEMO_TRACKING_PATTERNS

log = get_logger(__name__)

# The scheduled catalogue sync's lock: one process at a time syncs.
SYNC_LOCK_KEY = lock_key("shop sync")

# Until a shop's catalogue is loaded, its own words are the carriers' names.
CARRIER_WORDS = ShopVocabulary.from_words(CARRIERS.values())


@dataclass
class TenantShop:
    tenant_id: uuid.UUID
    connector: ShopConnector | None
    time_zone: str
    default_country: str
    kind: str  # "demo", "http", "shopify", "woocommerce", "magento" or "none"


class ShopNotConnected(Invalid):
    code = "shop_not_connected"
    default_message = "This shop is not connected to a platform."


class ShopCheckFailed(UpstreamFailed):
    """The platform did not answer usably; `reason` is the connector's short code (`auth`,
    `timeout`, `connect`, `blocked`, `status`, `malformed`, `graphql`, `throttled`)."""

    code = "shop_check_failed"

    def __init__(self, reason: str) -> None:
        super().__init__(f"The shop's platform did not answer usably ({reason}).", reason=reason)
        self.reason = reason


# How long a loaded catalogue is used before it is compared with the database again, when no
# synchronisation was announced meanwhile.
CATALOGUE_RECHECK_SECONDS = 60.0


@dataclass
class _Catalogue:
    marker: str
    index: ProductIndex
    task: asyncio.Task[None] | None = None
    # When the marker was last compared with the database (monotonic seconds).
    checked: float = 0.0


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
        vault: Vault | None = None,
        carriers: OperatorCarriers | None = None,
        client_url: str = "https://samtale.example",
        full_sync_seconds: float = 24 * 3600.0,
    ) -> None:
        self.db = db
        self.vault = vault
        self.carriers = carriers or OperatorCarriers()
        self.client_url = client_url
        self.full_sync_seconds = full_sync_seconds
        # Carriers' API base URLs other than their public ones (tests, the operator's proxy).
        self.carrier_urls: dict[str, str] = {}
        self._platforms: dict[uuid.UUID, tuple[str, ConnectedShop]] = {}
        self.builtin = builtin
        self.private_addresses = private_addresses
        self.clock = clock
        self.embeddings_dir = embeddings_dir
        self.semantic = semantic
        self.ttl_seconds = ttl_seconds
        self._tenants: dict[uuid.UUID, tuple[float, TenantShop, str]] = {}
        self._http: dict[uuid.UUID, tuple[str, Any]] = {}
        self._catalogues: dict[uuid.UUID, _Catalogue] = {}
        # Where a synchronised catalogue is announced to the other instances (set by the root).
        self.changes: TenantChanges | None = None
        self._locks: dict[uuid.UUID, asyncio.Lock] = {}
        self._embedders: tuple[Any, Any] | None = None
        self._closed = False
        self._timers: list[asyncio.TimerHandle] = []
        self._vocabularies: dict[uuid.UUID, tuple[str, ShopVocabulary]] = {}
        # The vocabularies being built, by tenant (one task each).
        self._building: dict[uuid.UUID, asyncio.Task[None]] = {}

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
        carriers = (tenant.settings or {}).get("carriers")
        key = json.dumps([config, carriers], sort_keys=True, default=str) if config else ""
        connector: ShopConnector | None = None
        kind = "none"
        if isinstance(config, dict) and config.get("type") in PLATFORMS:
            connector = self._platform(tenant, config, carriers, key)
            kind = str(config["type"]) if connector is not None else "none"
        elif isinstance(config, dict) and config.get("type", "http") == "http":
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

    def _platform(
        self, tenant: Tenant, config: dict[str, Any], carriers: Any, key: str
    ) -> ConnectedShop | None:
        current = self._platforms.get(tenant.id)
        if current is not None and current[0] == key:
            return current[1]
        try:
            platform = self._build_platform(tenant, config, carriers)
        except (CredentialsError, ValueError):
            log.warning("shop_connector_invalid", tenant_id=str(tenant.id), type=config["type"])
            return None
        tenant_id = tenant.id
        made = ConnectedShop(platform, lambda: self.catalogue(tenant_id))
        if current is not None:
            asyncio.get_running_loop().create_task(current[1].aclose())
        self._platforms[tenant.id] = (key, made)
        return made

    def _build_platform(self, tenant: Tenant, config: dict[str, Any], carriers: Any) -> AnyPlatform:
        vault = self._vault()
        tracker = carrier_tracker(
            carriers if isinstance(carriers, dict) else None,
            self.carriers,
            vault,
            clock=self.clock,
            private_addresses=self.private_addresses,
            client_url=self.client_url,
            base_urls=self.carrier_urls,
        )
        return platform_connector(
            config,
            vault,
            clock=self.clock,
            tracker=tracker,
            private_addresses=self.private_addresses,
            time_zone=tenant.time_zone,
            language=tenant.default_language,
        )

    def _vault(self) -> Vault:
        if self.vault is None:
            raise CredentialsError("no vault")
        return self.vault

    def forget(self, tenant_id: uuid.UUID) -> None:
        """Read the tenant again on its next turn (settings or demo data changed)."""
        self._tenants.pop(tenant_id, None)
        self._catalogues.pop(tenant_id, None)

    def changed(self, tenant_id: uuid.UUID | None, kind: str | None) -> None:
        """A shop changed (`tenants.changes`): a synchronised catalogue is compared with the
        database on its next use; other changes read the shop again; None means every shop."""
        tenants = [tenant_id] if tenant_id is not None else list(self._tenants)
        for tid in tenants:
            entry = self._catalogues.get(tid)
            if entry is not None:
                entry.checked = 0.0
            if kind != "catalogue":
                self._tenants.pop(tid, None)
        if tenant_id is None:
            for entry in self._catalogues.values():
                entry.checked = 0.0

    # -- the catalogue (the demo's, or a synced one) ----------------------------------------

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
        current = self._catalogues.get(tenant_id)
        if current is not None and time.monotonic() - current.checked < CATALOGUE_RECHECK_SECONDS:
            # A synchronisation announces itself (`changed`); the recheck is the safety net.
            return current.index
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            async with self.db.reader() as session:
                seed = await session.get(ShopDemoSeed, tenant_id)
                synced = await session.get(ShopCatalogue, tenant_id)
                marker = "|".join(
                    (
                        f"{seed.version}:{seed.created_at.isoformat()}" if seed else "",
                        synced.synced_at.isoformat() if synced else "",
                    )
                )
                current = self._catalogues.get(tenant_id)
                if current is not None and current.marker == marker:
                    current.checked = time.monotonic()
                    return current.index
                products = await load_products(session, tenant_id)
            index = ProductIndex(products)
            entry = _Catalogue(marker, index, checked=time.monotonic())
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
            self._building[tenant_id] = asyncio.get_running_loop().create_task(
                self._build_vocabulary(tenant_id, entry)
            )
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
            self._building.pop(tenant_id, None)

    async def vocabulary_ready(self, tenant_id: uuid.UUID) -> ShopVocabulary:
        """The shop's words once built (tests, the review inbox's first look)."""
        await self.catalogue(tenant_id)
        self.vocabulary(tenant_id)
        building = self._building.get(tenant_id)
        if building is not None:
            await building
        return self.vocabulary(tenant_id)

    async def warm_up(self) -> None:
        """Load every demo or synced tenant's catalogue (and start its vectors)."""
        from sqlalchemy import select

        if self._closed:
            return
        try:
            async with self.db.session() as session:
                demo = (await session.scalars(select(ShopDemoSeed.tenant_id))).all()
                synced = (await session.scalars(select(ShopCatalogue.tenant_id))).all()
            for tenant_id in dict.fromkeys([*demo, *synced]):
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
        for task in list(self._building.values()):
            task.cancel()
        for entry in self._catalogues.values():
            if entry.task is not None and not entry.task.done():
                entry.task.cancel()
        for _key, connector in [*self._http.values(), *self._platforms.values()]:
            with contextlib.suppress(Exception):
                await connector.aclose()
        self._http.clear()
        self._platforms.clear()

    # -- connecting a platform -------------------------------------------------------------

    async def _tenant(self, tenant_id: uuid.UUID) -> Tenant:
        async with self.db.session() as session:
            tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("No such shop.")
        return tenant

    def _stored(self, tenant: Tenant, platform: str, values: dict[str, Any]) -> dict[str, Any]:
        """The stored form of `values`; secrets left blank keep the stored ones of the same
        platform (an admin page shows them masked, never in full)."""
        vault = self._vault()
        current = (tenant.settings or {}).get("connector")
        given = {k: v for k, v in values.items() if v not in (None, "")}
        if isinstance(current, dict) and current.get("type") == platform:
            try:
                kept = vault.unseal(str(current.get("credentials") or ""))
            except CredentialsError:
                kept = {}
            secret_names = {*SECRETS[platform], "client_id"}
            if not any(name in given for name in secret_names):
                given = {**kept, **given}
        try:
            return connection(platform, given, vault, language=tenant.default_language)
        except ConnectionInvalid as exc:
            raise Invalid(
                "Some settings are missing or not valid.",
                fields=[{"field": f, "message": "invalid"} for f in exc.fields],
            ) from None

    async def _check(self, tenant: Tenant, stored: dict[str, Any]) -> ShopCheck:
        try:
            platform = self._build_platform(tenant, stored, None)
        except (CredentialsError, ValueError):
            raise ShopCheckFailed("credentials") from None
        try:
            return await platform.check()
        except ShopUnavailable as exc:
            raise ShopCheckFailed(exc.reason) from None
        finally:
            await platform.aclose()
            if platform.tracker is not None:
                await platform.tracker.aclose()

    async def test(self, tenant_id: uuid.UUID, platform: str, values: dict[str, Any]) -> ShopCheck:
        """ "Test connection": the shop's name and product count with these (unsaved)
        settings; `ShopCheckFailed` with a reason code when it does not answer usably."""
        tenant = await self._tenant(tenant_id)
        return await self._check(tenant, self._stored(tenant, platform, values))

    async def connect(
        self,
        tenant_id: uuid.UUID,
        platform: str,
        values: dict[str, Any],
        *,
        verify: bool = True,
    ) -> ShopCheck | None:
        """Connect the tenant's shop to `platform`: the settings validated (and, with
        `verify`, tested first: nothing is stored when the shop does not answer), the secrets
        sealed, and the bot's order-number patterns set for the platform's numbers."""
        tenant = await self._tenant(tenant_id)
        stored = self._stored(tenant, platform, values)
        found = await self._check(tenant, stored) if verify else None
        async with self.db.transaction() as session:
            row = await session.get(Tenant, tenant_id)
            assert row is not None
            settings = dict(row.settings or {})
            settings["connector"] = stored
            settings["order_number_patterns"] = order_patterns(stored)
            settings.setdefault("tracking_number_patterns", list(DEMO_TRACKING_PATTERNS.values()))
            row.settings = settings
        self.forget(tenant_id)
        log.info("shop_connected", tenant_id=str(tenant_id), platform=platform)
        return found

    async def set_carriers(self, tenant_id: uuid.UUID, values: dict[str, Any]) -> None:
        """The shop's own carrier API credentials; blank ones keep what is stored, and
        `clear` removes them all."""
        vault = self._vault()
        async with self.db.transaction() as session:
            row = await session.get(Tenant, tenant_id)
            if row is None:
                raise NotFound("No such shop.")
            settings = dict(row.settings or {})
            kept: dict[str, str] = {}
            current = settings.get("carriers")
            if isinstance(current, dict) and current.get("credentials") and not values.get("clear"):
                try:
                    kept = vault.unseal(str(current["credentials"]))
                except CredentialsError:
                    kept = {}
            merged = {**kept, **{k: v for k, v in values.items() if k in CARRIER_SECRETS and v}}
            stored = carrier_credentials(merged, vault)
            if stored:
                settings["carriers"] = stored
            else:
                settings.pop("carriers", None)
            row.settings = settings
        self.forget(tenant_id)

    async def disconnect(self, tenant_id: uuid.UUID) -> None:
        async with self.db.transaction() as session:
            row = await session.get(Tenant, tenant_id)
            if row is None:
                raise NotFound("No such shop.")
            settings = dict(row.settings or {})
            connector = settings.get("connector")
            if isinstance(connector, dict) and connector.get("type") in PLATFORMS:
                settings.pop("connector", None)
                settings.pop("order_number_patterns", None)
            row.settings = settings
        self.forget(tenant_id)

    async def masked(self, tenant_id: uuid.UUID) -> dict[str, str]:
        """The connected platform's secrets as they may be shown: masked."""
        tenant = await self._tenant(tenant_id)
        stored = (tenant.settings or {}).get("connector")
        if not isinstance(stored, dict) or stored.get("type") not in PLATFORMS:
            return {}
        return {str(k): str(v) for k, v in (stored.get("masked") or {}).items()}

    async def check(self, tenant_id: uuid.UUID) -> ShopCheck:
        """The connected platform's answer with the stored credentials."""
        tenant = await self._tenant(tenant_id)
        stored = (tenant.settings or {}).get("connector")
        if not isinstance(stored, dict) or stored.get("type") not in PLATFORMS:
            raise ShopNotConnected()
        return await self._check(tenant, stored)

    async def sync(self, tenant_id: uuid.UUID, *, full: bool | None = None) -> SyncResult:
        """Sync the connected platform's catalogue now (`ShopCheckFailed` when it fails)."""
        shop = await self.for_tenant(tenant_id)
        if not isinstance(shop.connector, ConnectedShop):
            raise ShopNotConnected()
        try:
            result = await sync_catalogue(
                self.db,
                self.clock,
                tenant_id,
                shop.connector.platform,
                full=full,
                full_every=self.full_sync_seconds,
            )
        except ShopUnavailable as exc:
            raise ShopCheckFailed(exc.reason) from None
        self._catalogues.pop(tenant_id, None)
        if self.changes is not None:
            # Every other instance compares its copy of the catalogue at its next use.
            await self.changes.announce(tenant_id, "catalogue")
        return result

    async def sync_all(self, skip_synced_within: float = 0.0) -> int:
        """Sync every connected shop's catalogue (the schedule); one failing shop does not
        stop the others. One process at a time runs a round (`infra/locks.py`): with several
        instances or workers, the others skip it; shops synced less than `skip_synced_within`
        seconds ago are left out, so a round that starts just after another one's syncs
        nothing twice. Returns how many shops were synced."""
        from datetime import timedelta

        from sqlalchemy import select

        async with exclusive(self.db, SYNC_LOCK_KEY) as got:
            if not got:
                log.info("shop_sync_skipped", reason="another process is syncing")
                return 0
            fresh = self.clock.now() - timedelta(seconds=skip_synced_within)
            async with self.db.session() as session:
                tenants = (
                    await session.scalars(select(Tenant).where(Tenant.active.is_(True)))
                ).all()
                recent = set(
                    (
                        await session.scalars(
                            select(ShopCatalogue.tenant_id).where(ShopCatalogue.synced_at > fresh)
                        )
                    ).all()
                    if skip_synced_within > 0
                    else ()
                )
            synced = 0
            for tenant in tenants:
                config = (tenant.settings or {}).get("connector")
                if (
                    self._closed
                    or not isinstance(config, dict)
                    or config.get("type") not in PLATFORMS
                    or tenant.id in recent
                ):
                    continue
                try:
                    await self.sync(tenant.id)
                    await self.catalogue(tenant.id)
                    synced += 1
                except Exception as exc:
                    log.warning(
                        "shop_sync_failed",
                        tenant_id=str(tenant.id),
                        reason=getattr(exc, "reason", type(exc).__name__),
                    )
            return synced
