"""The demo bot asks for a photo of a damaged item, takes it as part of the flow, confirms in
the customer's language and hands it on to the person who takes over; the agent answers with a
PDF; the customer's transcript lists both files; deleting the conversation takes both.

The real demo bot (trained once per run into the shared model cache), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select

from samtale.app.container import Container
from samtale.kernel.clock import ManualClock
from samtale.live.service import Agent
from samtale.model import Attachment, User
from samtale.web.app import create_app
from tests.files import pdf, photo

# Monday 5 January 2026, 10:00 in Copenhagen: customer service is open.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def _say(
    api: httpx.AsyncClient, conv: dict[str, Any], text: str = "", files: list[str] | None = None
) -> list[dict[str, Any]]:
    r = await api.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": text, "attachments": files or []},
        headers=conv["headers"],
    )
    assert r.status_code == 201, r.text
    replies: list[dict[str, Any]] = r.json()["replies"]
    return replies


async def test_a_photo_of_a_damaged_item_in_danish_goes_to_the_agent(
    make_bot_runtime: Any, database_url: str
) -> None:
    rt: Container = await make_bot_runtime(database_url, clock=ManualClock(T0))
    app = create_app(rt, manage_runtime=False)
    async with rt.db.session() as session:
        user = await session.scalar(select(User).where(User.email == "agent@demo.local"))
    assert user is not None and user.tenant_id is not None
    sofie = Agent(user.id, user.tenant_id, "Sofie")
    await rt.live.set_presence(sofie, "online")

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=60
    ) as api:
        r = await api.post("/api/v1/widget/demo/conversations", json={"language": "da"})
        conv = r.json()
        conv["headers"] = {"authorization": f"Bearer {conv['token']}"}
        cid = conv["conversation_id"]

        [ask] = await _say(api, conv, "Hej, min vase kom i stykker da pakken kom")
        assert "ordrenummer" in ask["text"]
        [ask] = await _say(api, conv, "104827361")
        assert "billede" in ask["text"] and "papirclipsen" in ask["text"]
        # Words instead of a photo: asked again.
        [again] = await _say(api, conv, "den er helt smadret")
        assert "mangler stadig et billede" in again["text"]

        r = await api.post(
            f"/api/v1/conversations/{cid}/attachments",
            params={"name": "vase.jpg"},
            content=photo(),
            headers=conv["headers"],
        )
        assert r.status_code == 201, r.text
        photo_id = r.json()["attachment"]["id"]
        replies = await _say(api, conv, "", [photo_id])
        assert replies[0]["text"].startswith("Tak, jeg har modtaget dit billede")
        assert replies[-1]["payload"]["type"] == "handoff_form"

        r = await api.post(
            f"/api/v1/conversations/{cid}/handoff",
            json={
                "answers": {
                    "name": "Ingeborg Skjoldager",
                    "email": "ingeborg@kundepost.dk",
                    "topic": "other",
                }
            },
            headers=conv["headers"],
        )
        assert r.status_code == 201, r.text

        # The agent takes over: the photo is in the transcript and in the bot's findings.
        queue = await rt.live.queue_view(sofie, "da")
        [mine] = [q for q in queue if q["conversation_id"] == cid]
        await rt.live.claim(sofie, uuid.UUID(mine["handoff_id"]))
        view = await rt.live.conversation_view(sofie, uuid.UUID(cid), "da")
        assert view["context"]["damaged_item_photo"] == {
            "order_number": "104827361",
            "photo": [photo_id],
        }
        sent = [m for m in view["messages"] if (m.get("payload") or {}).get("attachments")]
        assert [a["id"] for a in sent[0]["payload"]["attachments"]] == [photo_id]
        info, data, media = await rt.attachments.read(
            sofie.tenant_id, uuid.UUID(cid), uuid.UUID(photo_id)
        )
        assert media == "image/jpeg" and info.name == "vase.jpg" and data[:2] == b"\xff\xd8"

        # The agent answers with a PDF.
        back = await rt.attachments.upload(
            sofie.tenant_id,
            uuid.UUID(cid),
            author="agent",
            name="returlabel.pdf",
            chunks=_chunks(pdf("Returlabel")),
        )
        await rt.live.send_once(sofie, uuid.UUID(cid), "Her er en returlabel", None, [back.id])

        r = await api.get(
            f"/api/v1/conversations/{cid}/transcript",
            params={"format": "json"},
            headers=conv["headers"],
        )
        doc = json.loads(r.content)
        [files] = [s for s in doc["sections"] if s["key"] == "attachments"]
        assert [i["label"] for i in files["items"]] == ["vase.jpg", "returlabel.pdf"]

        r = await api.delete(f"/api/v1/conversations/{cid}", headers=conv["headers"])
        assert r.status_code == 204
        folder = rt.settings.data_dir / "attachments" / str(sofie.tenant_id) / cid
        assert not folder.exists()
        async with rt.db.session() as session:
            left = await session.scalars(
                select(Attachment).where(Attachment.conversation_id == uuid.UUID(cid))
            )
            assert left.all() == []


async def _chunks(data: bytes) -> Any:
    yield data
