"""Fixtures of the live-chat tests: a runtime on a manual clock (Monday 5 January 2026, 10:00 in
Copenhagen), its app in-process, a shop with opening hours and a pre-chat form, and agents who
are logged in the way the console is (a session cookie and its CSRF token)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from samtale.accounts.sessions import create_session
from samtale.app.container import Container
from samtale.kernel.clock import ManualClock
from samtale.live.service import Agent, LiveService
from samtale.model import Tenant, User
from samtale.tenants.service import UserCreate, create_user
from samtale.web.app import create_app
from samtale.web.staff.session import SESSION_COOKIE
from tests.conftest import new_tenant, start_conversation

# Monday 5 January 2026, 09:00 UTC = 10:00 in Copenhagen.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

LIVE_SETTINGS: dict[str, Any] = {
    "prechat_fields": [
        {"name": "name", "kind": "name", "required": True},
        {"name": "email", "kind": "email", "required": True},
        {"name": "phone", "kind": "phone"},
        {"name": "order", "kind": "order_number"},
        {
            "name": "topic",
            "kind": "choice",
            "required": True,
            "options": [
                {"value": "delivery", "label": {"da": "Levering", "en": "Delivery"}},
                {"value": "returns", "label": {"da": "Returnering", "en": "Returns"}},
            ],
        },
        {"name": "description", "kind": "textarea"},
    ],
    "opening_hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": [{"date": "2026-12-24"}, {"date": "2026-12-31", "hours": ["09:00-12:00"]}],
    "canned_replies": [{"title": "Hej", "text": "Hej, hvordan kan jeg hjælpe?", "language": "da"}],
    "grace_seconds": 120,
    "idle_timeout_minutes": 30,
}

ANSWERS = {
    "name": "Ingeborg Skjoldager",
    "email": "ingeborg@kundepost.dk",
    "phone": "22 33 44 55",
    "order": "1004711",
    "topic": "delivery",
    "description": "Min pakke er ikke kommet",
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
async def rt(make_runtime: Callable[..., Any], database_url: str, clock: ManualClock) -> Container:
    runtime: Container = await make_runtime(database_url, clock=clock)
    return runtime


@pytest.fixture
def live(rt: Container) -> LiveService:
    return rt.live


@pytest.fixture
async def app(rt: Container) -> Any:
    return create_app(rt, manage_runtime=False)


@pytest.fixture
async def api(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def make_shop(rt: Container, **settings: Any) -> Tenant:
    tenant = await new_tenant(rt.db, rt.clock)
    async with rt.db.transaction() as s:
        row = await s.get(Tenant, tenant.id)
        assert row is not None
        row.settings = {"live": {**LIVE_SETTINGS, **settings}}
        tenant = row
    return tenant


@pytest.fixture
async def shop(rt: Container) -> Tenant:
    return await make_shop(rt)


@dataclass
class AgentLogin:
    """An agent as the console is: their user, a service-level `Agent`, and an API client."""

    user: User
    agent: Agent
    client: httpx.AsyncClient
    csrf: str

    async def post(self, path: str, json: Any = None) -> httpx.Response:
        return await self.client.post(
            "/api/v1/agent" + path, json=json, headers={"x-csrf-token": self.csrf}
        )

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get("/api/v1/agent" + path, params=params)

    async def renew(self, rt: Container) -> None:
        """Log in again (a new session, as after the old one expired)."""
        async with rt.db.transaction() as s:
            user = await s.get(User, self.user.id)
            assert user is not None
            token, row = await create_session(s, user, rt.clock)
        self.client.cookies.set(SESSION_COOKIE, token)
        self.csrf = row.csrf_token

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete("/api/v1/agent" + path, headers={"x-csrf-token": self.csrf})


@pytest.fixture
async def login(rt: Container, app: Any) -> AsyncIterator[Callable[..., Any]]:
    """`await login(tenant, name="Sofie", languages=["da"], capacity=3, role="agent")`."""
    clients: list[httpx.AsyncClient] = []

    async def make(
        tenant: Tenant,
        name: str = "Sofie",
        languages: list[str] | None = None,
        capacity: int = 3,
        role: str = "agent",
    ) -> AgentLogin:
        email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@shop.example"
        async with rt.db.transaction() as s:
            user = await create_user(
                s,
                tenant,
                UserCreate(
                    email=email,
                    password="correct horse battery",
                    role=role,
                    display_name=name,
                    languages=languages if languages is not None else ["da", "en"],
                    capacity=capacity,
                ),
                rt.clock,
            )
            token, row = await create_session(s, user, rt.clock)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=20
        )
        client.cookies.set(SESSION_COOKIE, token)
        clients.append(client)
        return AgentLogin(user, Agent(user.id, tenant.id, name, role), client, row.csrf_token)

    yield make
    for c in clients:
        await c.aclose()


async def queued_customer(
    api: httpx.AsyncClient, tenant: Tenant, answers: dict[str, str] | None = None, **body: Any
) -> dict[str, Any]:
    """A customer who asked for a person and filled in the form."""
    conv = await start_conversation(api, tenant.widget_key, **{"language": "da", **body})
    r = await api.post(
        f"/api/v1/conversations/{conv['conversation_id']}/handoff",
        json={"answers": answers if answers is not None else ANSWERS},
        headers=conv["headers"],
    )
    assert r.status_code == 201, r.text
    conv["handoff"] = r.json()
    conv["id"] = uuid.UUID(conv["conversation_id"])
    return conv
