"""Internal notes on a conversation: written by the shop's staff in the console, read by the
staff only — never sent to the customer, never in their transcript or export, never in the
statistics or the improvement sample — and deleted with the conversation."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from samtale.app.container import Container
from samtale.kernel.clock import ManualClock
from samtale.model import ConversationNote, InsightEvent, SampleItem, Tenant
from tests.live.conftest import make_shop, queued_customer

NOTE = "Lovet refusion senest fredag — spørg lageret om pakke 2"


async def test_staff_write_and_read_notes_the_customer_never_sees(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, clock: ManualClock
) -> None:
    sofie = await login(shop, name="Sofie")
    mads = await login(shop, name="Mads")
    boss = await login(shop, name="Bente", role="admin")
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    cid = conv["conversation_id"]

    r = await sofie.post(f"/conversations/{cid}/notes", {"text": f"  {NOTE}  "})
    assert r.status_code == 201, r.text
    note = r.json()
    assert note["text"] == NOTE and note["author_name"] == "Sofie"
    clock.advance(seconds=30)
    await mads.post(f"/conversations/{cid}/notes", {"text": "Ringede også i går"})

    # Every agent of the shop sees them with the conversation, oldest first.
    view = (await mads.get(f"/conversations/{cid}")).json()
    assert [(n["author_name"], n["text"]) for n in view["notes"]] == [
        ("Sofie", NOTE),
        ("Mads", "Ringede også i går"),
    ]
    assert all(NOTE not in (m["text"] or "") for m in view["messages"])

    # The customer: not in the messages, the transcript or the export.
    headers = conv["headers"]
    r = await api.get(f"/api/v1/conversations/{cid}/messages", headers=headers)
    assert r.status_code == 200 and NOTE not in r.text
    for fmt in ("json", "txt", "html"):
        r = await api.get(
            f"/api/v1/conversations/{cid}/transcript", params={"format": fmt}, headers=headers
        )
        assert r.status_code == 200, r.text
        assert "refusion" not in r.text and "Ringede" not in r.text

    # Nor statistics nor the sample.
    async with rt.db.session() as s:
        for model in (InsightEvent, SampleItem):
            for row in (await s.scalars(select(model))).all():
                assert "refusion" not in repr(vars(row))

    # Only the author or an admin deletes a note.
    assert (await mads.delete(f"/notes/{note['id']}")).status_code == 403
    assert (await sofie.delete(f"/notes/{note['id']}")).status_code == 204
    assert (await sofie.delete(f"/notes/{note['id']}")).status_code == 404
    other = (await mads.get(f"/conversations/{cid}/notes")).json()["notes"][0]
    assert (await boss.delete(f"/notes/{other['id']}")).status_code == 204
    assert (await sofie.get(f"/conversations/{cid}/notes")).json()["notes"] == []


async def test_bad_notes_are_refused_and_other_shops_see_nothing(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    sofie = await login(shop, name="Sofie")
    bo = await login(await make_shop(rt), name="Bo")
    await sofie.post("/presence", {"status": "online"})
    cid = (await queued_customer(api, shop))["conversation_id"]
    for text in ("", "   ", "x" * 2001):
        r = await sofie.post(f"/conversations/{cid}/notes", {"text": text})
        assert r.status_code == 422, text
    assert (
        await sofie.post(f"/conversations/{cid}/notes", {"text": "ok", "x": 1})
    ).status_code == 422
    note = (await sofie.post(f"/conversations/{cid}/notes", {"text": "hemmelig"})).json()
    assert (await bo.get(f"/conversations/{cid}/notes")).status_code == 404
    assert (await bo.post(f"/conversations/{cid}/notes", {"text": "x"})).status_code == 404
    assert (await bo.delete(f"/notes/{note['id']}")).status_code == 404
    async with rt.db.session() as s:
        # Only Sofie's one note on this conversation: nothing from the refused attempts or Bo.
        count = select(func.count()).select_from(ConversationNote)
        where = ConversationNote.conversation_id == uuid.UUID(cid)
        assert await s.scalar(count.where(where)) == 1
