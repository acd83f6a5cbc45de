"""The customer's gear menu: delete the conversation (204, then 404 everywhere, and the live
websocket hears of it), and download it as text, a printable page or JSON, in the customer's
language with times in the shop's time zone."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from samtale.app.container import Container
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from samtale.privacy import audit
from tests.conftest import new_tenant, start_conversation
from tests.privacy.conftest import audit_of, chat, exists, rows_of


async def test_the_customer_deletes_the_conversation(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant
) -> None:
    conv = await chat(api, tenant, "min mail er ida@example.com", "tak")
    url = f"/api/v1/conversations/{conv['conversation_id']}"
    other = await chat(api, tenant, "hej")
    # Another conversation's token cannot delete it.
    r = await api.delete(url, headers=other["headers"])
    assert r.status_code == 404 and await exists(rt.db, conv["id"])

    r = await api.delete(url, headers=conv["headers"])
    assert r.status_code == 204 and r.content == b""
    assert not await exists(rt.db, conv["id"])
    assert await rows_of(rt.db, conv["id"]) == {"messages": 0, "identifiers": 0}

    for method, path in (
        ("GET", url),
        ("DELETE", url),
        ("GET", f"{url}/messages"),
        ("POST", f"{url}/messages"),
        ("GET", f"{url}/transcript"),
    ):
        body = {"json": {"text": "hallo"}} if method == "POST" else {}
        r = await api.request(method, path, headers=conv["headers"], **body)
        assert r.status_code == 404, (method, path)
        assert r.json()["error"]["code"] == "conversation_not_found"
    assert await exists(rt.db, other["id"])

    entries = [
        e for e in await audit_of(rt.db, tenant.id) if e.action == audit.CONVERSATION_DELETED
    ]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor == "visitor"
    assert entry.subject_hash == rt.privacy.receipt(tenant.id, conv["id"])
    assert entry.details == {"reason": "customer", "kind": "bot_only", "messages": 4}
    assert str(conv["id"]) not in json.dumps(entry.details)


async def test_the_websocket_hears_deleted_and_closes(
    make_runtime, serve, database_url: str
) -> None:
    rt = await make_runtime(database_url)
    server = await serve(rt)
    tenant = await new_tenant(rt.db, rt.clock)
    async with server.client() as http:
        conv = await start_conversation(http, tenant.widget_key)
        cid = conv["conversation_id"]
        async with connect(f"{server.ws_url}/api/v1/conversations/{cid}/ws") as ws:
            await ws.send(json.dumps({"type": "auth", "token": conv["token"]}))
            frames: list[dict[str, Any]] = []

            async def read() -> None:
                while True:
                    frames.append(json.loads(await ws.recv()))

            reader = asyncio.create_task(read())
            await asyncio.sleep(0.1)
            r = await http.delete(f"/api/v1/conversations/{cid}", headers=conv["headers"])
            assert r.status_code == 204
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(reader, 5)
        assert frames[0]["type"] == "ready"
        assert {"type": "deleted", "reason": "customer"} in frames
        # A new websocket with the old token finds nothing.
        async with connect(f"{server.ws_url}/api/v1/conversations/{cid}/ws") as ws:
            await ws.send(json.dumps({"type": "auth", "token": conv["token"]}))
            frame = json.loads(await ws.recv())
            assert frame["error"]["code"] == "conversation_not_found"


LANGUAGES = {
    # language: (title words, the visitor's name, the bot's name, local time of 09:00 UTC)
    "da": ("Samtale med", "Dig", "Assistent", "10.00"),
    "sv": ("Konversation med", "Du", "Assistent", "10:00"),
    "nb": ("Samtale med", "Deg", "Assistent", "10:00"),
    "fi": ("Keskustelu", "Sinä", "Avustaja", "10.00"),
    "en": ("Conversation with", "You", "Assistant", "10:00"),
}


@pytest.mark.parametrize("language", list(LANGUAGES))
async def test_transcript_in_each_format_and_language(
    rt: Container, api: httpx.AsyncClient, clock: ManualClock, language: str
) -> None:
    # Winter time in Copenhagen: 09:00 UTC is 10:00 local.
    clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    tenant = await new_tenant(rt.db, clock, name="Nordhjem <Test> & Co")
    conv = await chat(
        api, tenant, 'Hej <script>alert(1)</script> & "goddag"\nanden linje', language=language
    )
    title, you, bot, local = LANGUAGES[language]
    url = f"/api/v1/conversations/{conv['conversation_id']}/transcript"

    r = await api.get(url, params={"format": "txt"}, headers=conv["headers"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-disposition"] == (
        f'attachment; filename="chat-{tenant.slug}-2026-01-05.txt"'
    )
    txt = r.text
    assert title in txt and "Nordhjem <Test> & Co" in txt
    assert f"[{local}] {you}: Hej <script>alert(1)</script>" in txt
    assert "anden linje" in txt
    assert f"] {bot}: echo: Hej" in txt
    assert "Europe/Copenhagen" in txt

    r = await api.get(url, params={"format": "html"}, headers=conv["headers"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-disposition"].endswith('.html"')
    assert "script-src" not in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    page = r.text
    assert f'<html lang="{language}">' in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;goddag&#34;" in page
    assert "Nordhjem &lt;Test&gt; &amp; Co" in page
    assert "<style>" in page and "@media print" in page
    # Self-contained: nothing is fetched from anywhere.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page.lower()
    assert f">{local}</time>" in page and 'datetime="2026-01-05T10:00:00+01:00"' in page

    r = await api.get(url, params={"format": "json"}, headers=conv["headers"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert data["format"] == "samtale-transcript" and data["version"] == 1
    assert data["conversation"]["id"] == conv["conversation_id"]
    assert data["conversation"]["language"] == language
    assert data["conversation"]["time_zone"] == "Europe/Copenhagen"
    assert data["sections"] == []
    assert [m["author"] for m in data["messages"]] == ["visitor", "bot"]
    first = data["messages"][0]
    assert first["text"] == 'Hej <script>alert(1)</script> & "goddag"\nanden linje'
    assert first["created_at"] == "2026-01-05T10:00:00+01:00"
    assert first["created_at_utc"] == "2026-01-05T09:00:00+00:00"

    downloads = [
        e for e in await audit_of(rt.db, tenant.id) if e.action == audit.TRANSCRIPT_DOWNLOADED
    ]
    assert sorted(e.details["format"] for e in downloads) == ["html", "json", "txt"]
    assert {e.subject_hash for e in downloads} == {rt.privacy.receipt(tenant.id, conv["id"])}
    assert {e.actor for e in downloads} == {"visitor"}


async def test_transcript_times_are_in_the_shops_time_zone(
    rt: Container, api: httpx.AsyncClient, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 7, 1, 21, 30, tzinfo=UTC))  # summer time
    helsinki = await new_tenant(rt.db, clock, time_zone="Europe/Helsinki")
    conv = await chat(api, helsinki, "moi", language="fi")
    r = await api.get(
        f"/api/v1/conversations/{conv['conversation_id']}/transcript?format=json",
        headers=conv["headers"],
    )
    data = r.json()
    assert data["messages"][0]["created_at"] == "2026-07-02T00:30:00+03:00"
    assert r.headers["content-disposition"].endswith('-2026-07-02.json"')
    txt = (
        await api.get(
            f"/api/v1/conversations/{conv['conversation_id']}/transcript?format=txt",
            headers=conv["headers"],
        )
    ).text
    assert "torstai 2. heinäkuuta 2026" in txt and "[0.30] Sinä: moi" in txt


async def test_transcript_includes_sections_of_other_features(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant
) -> None:
    from samtale.privacy.transcript import SectionItem, TranscriptSection

    async def prechat(session, conversation, language):  # type: ignore[no-untyped-def]
        title = {"da": "Dine svar før køen"}.get(language, "Your answers")
        return [TranscriptSection("prechat", title, (SectionItem("Ordrenummer", "<104827361>"),))]

    rt.privacy.sections.append(prechat)
    conv = await chat(api, tenant, "hej")
    url = f"/api/v1/conversations/{conv['conversation_id']}/transcript"
    data = (await api.get(url, params={"format": "json"}, headers=conv["headers"])).json()
    assert data["sections"] == [
        {
            "key": "prechat",
            "title": "Dine svar før køen",
            "items": [{"label": "Ordrenummer", "value": "<104827361>"}],
        }
    ]
    page = (await api.get(url, params={"format": "html"}, headers=conv["headers"])).text
    assert "Dine svar før køen" in page and "&lt;104827361&gt;" in page
    txt = (await api.get(url, params={"format": "txt"}, headers=conv["headers"])).text
    assert "Ordrenummer: <104827361>" in txt


async def test_transcript_errors(rt: Container, api: httpx.AsyncClient, tenant: Tenant) -> None:
    conv = await chat(api, tenant, "hej")
    url = f"/api/v1/conversations/{conv['conversation_id']}/transcript"
    r = await api.get(url, params={"format": "pdf"}, headers=conv["headers"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = await api.get(url)
    assert r.status_code == 404
    r = await api.get(url, headers={"authorization": "Bearer wrong"})
    assert r.status_code == 404
    default = await api.get(url, headers=conv["headers"])
    assert default.status_code == 200 and default.headers["content-type"].startswith("text/html")


async def test_both_routes_are_documented(api: httpx.AsyncClient) -> None:
    schema = (await api.get("/openapi.json")).json()
    path = schema["paths"]["/api/v1/conversations/{conversation_id}"]["delete"]
    assert {"204", "404", "429"} <= set(path["responses"])
    transcript = schema["paths"]["/api/v1/conversations/{conversation_id}/transcript"]["get"]
    assert {"200", "404", "422", "429"} <= set(transcript["responses"])
    assert set(transcript["responses"]["200"]["content"]) == {
        "text/plain",
        "text/html",
        "application/json",
    }
    fmt = next(p for p in transcript["parameters"] if p["name"] == "format")
    assert fmt["schema"]["enum"] == ["txt", "html", "json"]
