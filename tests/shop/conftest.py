"""Fixtures of the shop tests: a tenant holding the demo shop, the shop service on a manual
clock, and action contexts the way the dialogue engine builds them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from samtale.bot.actions import ActionContext
from samtale.demo.shop.connector import DemoConnector
from samtale.demo.shop.store import ensure_demo_shop
from samtale.infra.database import Database
from samtale.infra.ratelimit import MemoryRateLimiter
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from samtale.shop.service import ShopService
from tests.conftest import new_tenant

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # the demo's own "now" (shift 0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
async def demo_tenant(db: Database, clock: ManualClock) -> Tenant:
    tenant = await new_tenant(db, clock)
    async with db.transaction() as session:
        await ensure_demo_shop(session, tenant.id, clock)
    return tenant


@pytest.fixture
async def shops(db: Database, clock: ManualClock) -> AsyncIterator[ShopService]:
    service = ShopService(db, clock, semantic=False, ttl_seconds=0, builtin=DemoConnector)
    yield service
    await service.close()


@pytest.fixture
def limiter(clock: ManualClock) -> MemoryRateLimiter:
    return MemoryRateLimiter(clock)


@pytest.fixture
def make_ctx() -> Callable[..., ActionContext]:
    def make(
        tenant: Tenant,
        text: str = "",
        language: str = "da",
        country: str = "DK",
        conversation_id: uuid.UUID | None = None,
        client_key: str | None = "client-1",
        **slots: Any,
    ) -> ActionContext:
        return ActionContext(
            tenant_id=tenant.id,
            conversation_id=conversation_id or uuid.uuid4(),
            language=language,
            country=country,
            text=text,
            slots={k: str(v) for k, v in slots.items()},
            client_key=client_key,
        )

    return make


@pytest.fixture(scope="session")
def embeddings_cache(bot_data_dir: Path) -> Path:
    """Product-passage vectors survive between runs in `.cache/` (keyed by model and text, no
    customer text), so only the first run on a machine embeds the catalogue."""
    path = bot_data_dir / "shop-embeddings"
    path.mkdir(parents=True, exist_ok=True)
    return path
