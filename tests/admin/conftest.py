"""Admin-page fixtures: two shops, staff of every role, and clients logged in as each of them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from samtale.accounts.sessions import create_session
from samtale.app.container import Container
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant, User
from samtale.tenants.service import UserCreate, create_user
from samtale.web.app import create_app
from samtale.web.staff.session import SESSION_COOKIE
from tests.conftest import new_tenant

PASSWORD = "correct horse battery"


@dataclass
class AdminEnv:
    runtime: Container
    clock: ManualClock
    app: Any
    shop: Tenant
    other: Tenant
    users: dict[str, User] = field(default_factory=dict)
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def anonymous(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="https://localhost",
            timeout=20,
        )
        self.clients.append(client)
        return client

    async def login(self, key: str) -> httpx.AsyncClient:
        """A client logged in as `key` ("admin", "agent", "operator", "other-admin" …)."""
        user = self.users[key]
        async with self.runtime.db.transaction() as session:
            token, _row = await create_session(session, user, self.clock)
        client = self.anonymous()
        client.cookies.set(SESSION_COOKIE, token)
        me = await client.get("/api/v1/me")
        client.headers["x-csrf-token"] = me.json()["csrf_token"]
        return client

    async def add_user(self, key: str, tenant: Tenant | None, role: str) -> User:
        async with self.runtime.db.transaction() as session:
            user = await create_user(
                session,
                tenant,
                UserCreate(
                    email=f"{key}-{self.shop.slug}@example.org",
                    password=PASSWORD,
                    role=role,
                ),
                self.clock,
            )
        self.users[key] = user
        return user


def csrf_of(client: httpx.AsyncClient) -> str:
    return str(client.headers["x-csrf-token"])


def form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


@pytest.fixture
async def admin_env(make_runtime: Any, database_url: str) -> AsyncIterator[AdminEnv]:
    clock = ManualClock()
    rt = await make_runtime(database_url, clock=clock)
    shop = await new_tenant(rt.db, clock, languages=["da", "en"])
    other = await new_tenant(rt.db, clock, languages=["da", "en"])
    env = AdminEnv(rt, clock, create_app(rt, manage_runtime=False), shop, other)
    await env.add_user("admin", shop, "admin")
    await env.add_user("agent", shop, "agent")
    await env.add_user("other-admin", other, "admin")
    await env.add_user("other-agent", other, "agent")
    await env.add_user("operator", None, "operator")
    yield env
    for client in env.clients:
        await client.aclose()
