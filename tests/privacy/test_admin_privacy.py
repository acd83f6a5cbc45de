"""Privacy for staff through the API: agents and admins find, delete and export a customer's
conversations in their own shop; admins read the audit log and set retention; the operator acts
on any shop it names and reads every shop's audit log."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from samtale.accounts.sessions import create_session
from samtale.app.container import Container
from samtale.model import Tenant
from samtale.tenants.service import UserCreate, create_user
from samtale.web.staff.session import SESSION_COOKIE
from tests.conftest import new_tenant
from tests.privacy.conftest import audit_of, chat, exists

EMAIL = "sofia.aaltonen@example.fi"


async def staff_headers(rt: Container, tenant: Tenant | None, role: str) -> dict[str, str]:
    """Cookie and CSRF header of a logged-in staff member."""
    async with rt.db.transaction() as session:
        user = await create_user(
            session,
            tenant,
            UserCreate(
                email=f"{role}-{uuid.uuid4().hex[:8]}@staff.example",
                password="a long enough password",
                role=role,  # type: ignore[arg-type]
            ),
            rt.clock,
        )
        token, row = await create_session(session, user, rt.clock)
    return {"cookie": f"{SESSION_COOKIE}={token}", "x-csrf-token": row.csrf_token}


@pytest.fixture
async def shop(rt: Container, api: httpx.AsyncClient) -> dict[str, Any]:
    tenant = await new_tenant(rt.db, rt.clock)
    conv = await chat(api, tenant, f"hei, {EMAIL}", language="fi")
    other = await chat(api, tenant, "hej")
    return {"tenant": tenant, "conv": conv, "other": other}


async def test_an_agent_finds_exports_and_deletes_on_request(
    rt: Container, api: httpx.AsyncClient, shop: dict[str, Any]
) -> None:
    tenant, conv = shop["tenant"], shop["conv"]
    agent = await staff_headers(rt, tenant, "agent")

    r = await api.post("/api/v1/admin/privacy/find", json={"email": EMAIL}, headers=agent)
    assert r.status_code == 200, r.text
    assert [c["conversation_id"] for c in r.json()["conversations"]] == [str(conv["id"])]

    r = await api.post("/api/v1/admin/privacy/export", json={"email": EMAIL}, headers=agent)
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    assert r.json()["conversations"][0]["messages"][0]["text"] == f"hei, {EMAIL}"

    r = await api.post("/api/v1/admin/privacy/delete", json={"email": EMAIL}, headers=agent)
    assert r.status_code == 200
    body = r.json()
    assert body["deleted"] == 1
    assert body["receipts"] == {str(conv["id"]): rt.privacy.receipt(tenant.id, conv["id"])}
    assert not await exists(rt.db, conv["id"]) and await exists(rt.db, shop["other"]["id"])

    r = await api.post(
        "/api/v1/admin/privacy/delete",
        json={"conversation_id": str(shop["other"]["id"])},
        headers=agent,
    )
    assert r.json()["deleted"] == 1

    entries = await audit_of(rt.db, tenant.id)
    assert {e.actor for e in entries if e.actor != "visitor"} == {
        e.actor for e in entries if e.actor.startswith("user:")
    }
    assert sorted(e.action for e in entries) == [
        "conversation.deleted",
        "conversation.deleted",
        "privacy.export",
        "privacy.search",
        "privacy.search",
        "privacy.search",
    ]


async def test_the_api_checks_who_and_what(
    rt: Container, api: httpx.AsyncClient, shop: dict[str, Any]
) -> None:
    tenant = shop["tenant"]
    agent = await staff_headers(rt, tenant, "agent")
    url = "/api/v1/admin/privacy/find"
    assert (await api.post(url, json={"email": EMAIL})).status_code == 401
    no_csrf = {"cookie": agent["cookie"]}
    r = await api.post(url, json={"email": EMAIL}, headers=no_csrf)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = await api.post(url, json={"email": EMAIL, "phone": "1234"}, headers=agent)
    assert r.status_code == 422
    r = await api.post(url, json={}, headers=agent)
    assert r.status_code == 422
    # Agents neither read the audit log nor change retention.
    assert (await api.get("/api/v1/admin/audit", headers=agent)).status_code == 403
    r = await api.put(
        "/api/v1/admin/retention", json={"bot_days": 30, "agent_days": None}, headers=agent
    )
    assert r.status_code == 403
    # Another shop's staff find nothing of this shop, and cannot name it.
    other_shop = await new_tenant(rt.db, rt.clock)
    stranger = await staff_headers(rt, other_shop, "admin")
    r = await api.post(url, json={"email": EMAIL}, headers=stranger)
    assert r.status_code == 200 and r.json()["conversations"] == []
    r = await api.post(url, params={"tenant": tenant.slug}, json={"email": EMAIL}, headers=stranger)
    assert r.status_code == 403
    r = await api.post(
        "/api/v1/admin/privacy/delete",
        json={"conversation_id": str(shop["conv"]["id"])},
        headers=stranger,
    )
    assert r.json()["deleted"] == 0 and await exists(rt.db, shop["conv"]["id"])


async def test_admins_set_retention_and_read_their_audit_log(
    rt: Container, api: httpx.AsyncClient, shop: dict[str, Any]
) -> None:
    tenant = shop["tenant"]
    admin = await staff_headers(rt, tenant, "admin")
    r = await api.get("/api/v1/admin/retention", headers=admin)
    assert r.json() == {"bot_days": 90, "agent_days": None}
    r = await api.put(
        "/api/v1/admin/retention", json={"bot_days": 30, "agent_days": 365}, headers=admin
    )
    assert r.status_code == 200 and r.json() == {"bot_days": 30, "agent_days": 365}
    r = await api.put(
        "/api/v1/admin/retention", json={"bot_days": 0, "agent_days": None}, headers=admin
    )
    assert r.status_code == 422
    r = await api.get("/api/v1/admin/audit", headers=admin)
    entries = r.json()["entries"]
    assert [e["action"] for e in entries] == ["retention.changed"]
    assert entries[0]["details"]["bot_days_before"] == 90
    assert entries[0]["tenant_id"] == str(tenant.id)


async def test_the_operator_names_the_shop_and_reads_every_audit_log(
    rt: Container, api: httpx.AsyncClient, shop: dict[str, Any]
) -> None:
    tenant = shop["tenant"]
    operator = await staff_headers(rt, None, "operator")
    url = "/api/v1/admin/privacy/find"
    r = await api.post(url, json={"email": EMAIL}, headers=operator)
    assert r.status_code == 400 and r.json()["error"]["code"] == "tenant_required"
    r = await api.post(url, params={"tenant": "no-such"}, json={"email": EMAIL}, headers=operator)
    assert r.status_code == 404
    r = await api.post(url, params={"tenant": tenant.slug}, json={"email": EMAIL}, headers=operator)
    assert len(r.json()["conversations"]) == 1
    r = await api.get("/api/v1/admin/audit", params={"limit": 1000}, headers=operator)
    assert any(e["tenant_id"] == str(tenant.id) for e in r.json()["entries"])
    r = await api.get("/api/v1/admin/audit", params={"tenant": tenant.slug}, headers=operator)
    assert {e["tenant_id"] for e in r.json()["entries"]} == {str(tenant.id)}


async def test_routes_are_documented(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    for path, method in (
        ("/api/v1/admin/privacy/find", "post"),
        ("/api/v1/admin/privacy/delete", "post"),
        ("/api/v1/admin/privacy/export", "post"),
        ("/api/v1/admin/audit", "get"),
        ("/api/v1/admin/retention", "put"),
    ):
        assert {"401", "403", "422"} <= set(paths[path][method]["responses"]), path
