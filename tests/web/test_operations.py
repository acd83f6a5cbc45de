"""/healthz answers 200 only when ready, /metrics speaks Prometheus."""

from __future__ import annotations

import httpx

from samtale.conversations.responder import StaticRegistry
from samtale.web.app import create_app
from tests.conftest import start_conversation


class NotYet(StaticRegistry):
    ready = False

    def is_ready(self) -> bool:
        return self.ready


async def test_healthz_waits_for_the_bot(make_runtime, database_url: str) -> None:
    registry = NotYet()
    rt = await make_runtime(database_url, registry=registry)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(rt, manage_runtime=False)), base_url="http://t"
    ) as c:
        r = await c.get("/healthz")
        assert r.status_code == 503 and r.json()["checks"] == {"database": True, "bot": False}
        registry.ready = True
        r = await c.get("/healthz")
        assert r.status_code == 200 and r.json()["status"] == "ok"


async def test_healthz_fails_without_database(make_runtime, tmp_path) -> None:
    rt = await make_runtime(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(rt, manage_runtime=False)), base_url="http://t"
    ) as c:
        r = await c.get("/healthz")
    assert r.status_code == 503 and r.json()["checks"]["database"] is False


async def test_metrics(client: httpx.AsyncClient, tenant_factory, runtime) -> None:
    tenant = await tenant_factory()
    # Without a token configured, /metrics does not exist on the public app.
    assert runtime.settings.metrics_token is None
    assert (await client.get("/metrics")).status_code == 404
    runtime.settings.metrics_token = "metrics-secret"
    assert (await client.get("/metrics")).status_code == 401
    r = await client.get("/metrics", headers={"authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"

    conv = await start_conversation(client, tenant.widget_key)
    await client.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": "hej"},
        headers=conv["headers"],
    )
    r = await client.get("/metrics", headers={"authorization": "Bearer metrics-secret"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    body = r.text
    assert (
        'samtale_http_requests_total{method="POST",route="/api/v1/conversations/{conversation_id}/messages",status="201"} 1.0'
        in body
    )
    assert 'samtale_messages_total{author="visitor"} 1.0' in body
    assert "samtale_open_websockets 0.0" in body
    assert conv["token"] not in body
