"""The insight pages and API for a shop's admins: the figures, the CSV, the review inbox and its
actions, the evaluation; each admin sees and changes only their own shop's, other roles none."""

from __future__ import annotations

import csv
import io
import re
import uuid
from typing import Any

import httpx
import pytest

from samtale.bot.drafts import Drafts
from samtale.model import Tenant
from tests.admin.conftest import AdminEnv
from tests.conftest import start_conversation

PERSONAL = (
    "Jeg hedder Ingeborg Skjoldager, skriv til ingeborg.skjoldager@kundepost.dk eller 22 33 44 55"
)


async def chat(env: AdminEnv, tenant: Tenant, *texts: str, language: str = "da") -> None:
    api = env.anonymous()
    conv = await start_conversation(api, tenant.widget_key, language=language)
    for text in texts:
        r = await api.post(
            f"/api/v1/conversations/{conv['conversation_id']}/messages",
            json={"text": text},
            headers=conv["headers"],
        )
        assert r.status_code == 201, r.text
        env.clock.advance(seconds=30)


async def inbox(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    r = await client.get("/api/v1/admin/review", params=params)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_figures_and_csv_for_the_own_shop_only(env: AdminEnv) -> None:
    await chat(env, env.shop, "intent:track_order pakke?", "hvad med det andet", "intent:returns")
    await chat(env, env.other, "intent:payment")
    admin = await env.login("admin")
    r = await admin.get("/api/v1/admin/stats")
    assert r.status_code == 200, r.text
    f = r.json()
    assert f["totals"]["conversations"] == 1 and f["totals"]["messages"] == 3
    assert f["totals"]["fallbacks"] == 1 and len(f["days"]) == 30
    assert [i["intent"] for i in f["intents"]] == ["returns", "track_order"]
    r = await admin.get("/api/v1/admin/stats", params={"language": "en"})
    assert r.json()["totals"]["conversations"] == 0
    day = env.clock.now().date().isoformat()
    r = await admin.get("/api/v1/admin/stats.csv", params={"from": day, "to": day})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:2] == ["date", "conversations"] and rows[1][:3] == [day, "1", "3"]
    assert rows[-1][0] == "total"
    r = await admin.get("/api/v1/admin/stats", params={"from": "yesterday"})
    assert r.status_code == 422 and r.json()["error"]["code"]

    other = await env.login("other-admin")
    mine = (await other.get("/api/v1/admin/stats")).json()
    assert mine["totals"]["conversations"] == 1 and [i["intent"] for i in mine["intents"]] == [
        "payment"
    ]


async def test_the_dashboard_page(env: AdminEnv) -> None:
    await chat(env, env.shop, "intent:track_order pakke?", "øh?")
    admin = await env.login("admin")
    r = await admin.get("/admin/dashboard", headers={"accept-language": "en"})
    assert r.status_code == 200
    html = r.text
    assert "Dashboard" in html and 'data-kpi="conversations">1<' in html
    # Topics by their names (this shop's content names none: its id made readable).
    assert html.count('<svg class="chart') >= 5 and "Track order" in html
    assert "<script>" not in html and " style=" not in html
    assert 'aria-current="page" data-nav="dashboard"' in html
    r = await admin.get("/admin/dashboard?from=2025-09-01&to=2026-03-31&language=da")
    assert r.status_code == 200 and "Uge fra" in r.text  # a long range shows weeks
    r = await admin.get("/admin/dashboard?from=nonsense")
    assert r.status_code == 200 and 'role="alert"' in r.text


async def test_the_sample_is_redacted_and_reviewed_into_the_draft(env: AdminEnv) -> None:
    await chat(env, env.shop, PERSONAL, "intent:greeting hej med jer", "low:goodbye farvel så")
    await chat(env, env.other, "noget andet helt")
    admin = await env.login("admin")
    found = await inbox(admin)
    texts = {i["text"]: i for i in found["items"]}
    # The fallback and the low-confidence answer are always sampled; redacted before storing.
    assert len(found["items"]) >= 2 and found["counts"]["new"] == found["total"]
    personal = next(i for t, i in texts.items() if "hedder" in t)
    assert "Skjoldager" not in personal["text"] and "kundepost" not in personal["text"]
    assert "22 33 44 55" not in personal["text"] and "[EMAIL]" in personal["text"]
    assert personal["intent"] is None and personal["band"] == "low"
    low = next(i for i in found["items"] if i["intent"] == "goodbye")
    assert low["band"] == "low" and low["confidence"] == 0.31
    assert (await inbox(admin, intent="-"))["total"] == 1
    assert (await inbox(admin, language="en"))["total"] == 0

    # Confirm the guess: an example of goodbye, in the draft.
    r = await admin.post(f"/api/v1/admin/review/{low['id']}/confirm", json={})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    # The personal one becomes a new intent.
    r = await admin.post(
        f"/api/v1/admin/review/{personal['id']}/intent",
        json={"name": "contact_details", "answers": {"da": "Tak!", "en": "Thanks!"}},
    )
    assert r.status_code == 201, r.text
    r = await admin.post(
        f"/api/v1/admin/review/{personal['id']}/intent", json={"name": "Not Valid"}
    )
    assert r.status_code in (404, 422)
    async with env.runtime.db.session() as session:
        working = await Drafts(session, env.shop, env.clock).working()
    assert working.draft is not None
    goodbye = working.content.intent("goodbye")
    assert goodbye is not None and low["text"] in goodbye.examples["da"]
    created = working.content.intent("contact_details")
    assert created is not None and created.examples["da"] == [personal["text"]]
    assert created.answers["en"] == ["Thanks!"]
    assert (await inbox(admin))["counts"]["confirmed"] == 2

    # Another shop's admin can neither see nor act on these items.
    other = await env.login("other-admin")
    assert all("hedder" not in i["text"] for i in (await inbox(other))["items"])
    for action, body in (("confirm", {}), ("discard", None), ("intent", {"name": "x_y"})):
        r = await other.post(f"/api/v1/admin/review/{low['id']}/{action}", json=body)
        assert r.status_code == 404, (action, r.text)
    r = await admin.post(f"/api/v1/admin/review/{uuid.uuid4()}/discard")
    assert r.status_code == 404


async def test_the_review_page_confirms_discards_and_publishes_by_form(env: AdminEnv) -> None:
    await chat(env, env.shop, "hvad koster gaveindpakning", "kan I pakke det ind som gave")
    admin = await env.login("admin")
    r = await admin.get("/admin/review", headers={"accept-language": "en"})
    assert r.status_code == 200 and "Review inbox" in r.text
    ids = re.findall(r'data-item="([0-9a-f-]{36})"', r.text)
    assert len(ids) == 2
    csrf = admin.headers["x-csrf-token"]
    r = await admin.post(
        f"/admin/review/{ids[0]}/intent",
        data={
            "csrf": csrf,
            "name": "gift_wrapping",
            "answer.da": "Ja, for 25 kr.",
            "answer.en": "Yes, for 25 kr.",
        },
    )
    assert r.status_code == 303 and "done=created" in r.headers["location"]
    r = await admin.post(
        f"/admin/review/{ids[1]}/confirm", data={"csrf": csrf, "intent": "gift_wrapping"}
    )
    assert r.status_code == 303 and "done=confirmed" in r.headers["location"]
    r = await admin.post(f"/admin/review/{ids[1]}/confirm", data={"csrf": "wrong"})
    assert r.status_code == 403
    r = await admin.get(r.headers.get("location") or "/admin/review?status=confirmed")
    page = await admin.get("/admin/review?status=confirmed")
    assert "gift_wrapping" in page.text and "Udgiv og træn" in page.text
    # The share of the sample is a setting of the inbox.
    r = await admin.post("/admin/review/settings", data={"csrf": csrf, "sample_share": "250"})
    assert r.status_code == 303 and "error=invalid_share" in r.headers["location"]
    r = await admin.post("/admin/review/settings", data={"csrf": csrf, "sample_share": "25"})
    assert r.status_code == 303
    async with env.runtime.db.session() as session:
        row = await session.get(Tenant, env.shop.id)
        assert row is not None and row.settings["insights"]["sample_share"] == 0.25
    r = await admin.post(
        f"/admin/review/{ids[0]}/reopen", data={"csrf": csrf, "f_status": "confirmed"}
    )
    assert r.status_code == 303 and "status=confirmed" in r.headers["location"]


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/admin/stats"),
        ("get", "/api/v1/admin/stats.csv"),
        ("get", "/api/v1/admin/review"),
        ("get", "/api/v1/admin/evaluation"),
        ("post", "/api/v1/admin/review/{id}/confirm"),
        ("post", "/api/v1/admin/review/{id}/discard"),
        ("post", "/api/v1/admin/review/{id}/reopen"),
        ("post", "/api/v1/admin/review/{id}/intent"),
        ("get", "/admin/dashboard"),
        ("get", "/admin/review"),
        ("get", "/admin/evaluation"),
        ("post", "/admin/review/{id}/confirm"),
        ("post", "/admin/review/publish"),
        ("post", "/admin/review/settings"),
    ],
)
async def test_only_a_shops_admin_gets_in(env: AdminEnv, method: str, path: str) -> None:
    path = path.replace("{id}", str(uuid.uuid4()))
    body: dict[str, Any] = (
        {"json": {"name": "x_y"}} if method == "post" and path.startswith("/api") else {}
    )
    anonymous = env.anonymous()
    r = await getattr(anonymous, method)(path, **body)
    assert r.status_code in (401, 303), r.text
    for who in ("agent", "operator"):
        client = await env.login(who)
        r = await getattr(client, method)(path, **body)
        assert r.status_code == 403, (who, r.status_code)


async def test_the_evaluation_lists_published_versions(env: AdminEnv) -> None:
    admin = await env.login("admin")
    r = await admin.get("/api/v1/admin/evaluation")
    assert r.status_code == 200 and r.json()["versions"] == []
    r = await admin.get("/admin/evaluation", headers={"accept-language": "en"})
    assert r.status_code == 200 and "No evaluations yet" in r.text
