"""The print view: a one-time, short-lived ticket instead of the token in the new tab's address,
and a page that prints itself under a policy that runs only its own nonce'd script."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx

from samtale.app.container import Container
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from samtale.web.app import create_app
from tests.conftest import new_tenant, start_conversation


async def ticket(client: httpx.AsyncClient, conv: dict[str, Any]) -> httpx.Response:
    return await client.post(
        f"/api/v1/conversations/{conv['conversation_id']}/print-ticket", headers=conv["headers"]
    )


async def test_a_ticket_opens_the_print_view_once(
    client: httpx.AsyncClient, tenant_factory: Any
) -> None:
    tenant = await tenant_factory(languages=["da"], default_language="da")
    conv = await start_conversation(client, tenant.widget_key, language="da")
    said = await client.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": "Skriv mig ud", "client_id": "p1"},
        headers=conv["headers"],
    )
    assert said.status_code == 201
    r = await ticket(client, conv)
    assert r.status_code == 201
    url = r.json()["url"]
    assert url.startswith("/api/v1/print/") and conv["token"] not in url
    page = await client.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "attachment" not in page.headers.get("content-disposition", "")
    assert "Skriv mig ud" in page.text
    # One inline script, allowed by its nonce in the header and the page's own policy.
    csp = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([A-Za-z0-9_-]+)'", csp)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in page.text
    assert "print()" in page.text and "default-src 'none'" in csp
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    # Used: a reload or a copied link opens nothing.
    again = await client.get(url)
    assert again.status_code == 404 and again.json()["error"]["code"] == "print_ticket_invalid"


async def test_forged_expired_or_foreign_tickets_open_nothing(
    make_runtime: Any, database_url: str
) -> None:
    clock = ManualClock()
    runtime: Container = await make_runtime(database_url, clock=clock)
    tenant = await new_tenant(runtime.db, clock)
    transport = httpx.ASGITransport(app=create_app(runtime, manage_runtime=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await _forged_expired_or_foreign(client, tenant, clock)


async def _forged_expired_or_foreign(
    client: httpx.AsyncClient, tenant: Tenant, clock: ManualClock
) -> None:
    conv = await start_conversation(client, tenant.widget_key)
    url = (await ticket(client, conv)).json()["url"]
    body, _, signature = url.rpartition(".")
    assert (await client.get(f"{body}.{'0' * len(signature)}")).status_code == 404
    assert (await client.get("/api/v1/print/not-a-ticket")).status_code == 404
    # Another conversation's id with this ticket's signature does not pass.
    other = await start_conversation(client, tenant.widget_key)
    parts = url.removeprefix("/api/v1/print/").split(".")
    parts[1] = other["conversation_id"].replace("-", "")
    assert (await client.get("/api/v1/print/" + ".".join(parts))).status_code == 404
    # After a minute it has expired.
    clock.advance(timedelta(seconds=61))
    assert (await client.get(url)).status_code == 404
    # Without the conversation's token there is no ticket.
    r = await client.post(
        f"/api/v1/conversations/{conv['conversation_id']}/print-ticket",
        headers={"authorization": "Bearer nope"},
    )
    assert r.status_code == 404
