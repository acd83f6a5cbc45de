"""Attachments through the API, both ways, on both storages (and SQLite and PostgreSQL): the
customer sends a photo of a damaged item, the agent sees it and sends a PDF back, the
transcript lists both, and deleting the conversation leaves nothing in storage. Bad files are
refused with clear errors, and nobody but the conversation's visitor and the shop's staff can
read a file."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select

from samtale.app.container import Container
from samtale.kernel.clock import ManualClock
from samtale.model import Attachment, AttachmentBlob, Tenant
from tests.conftest import start_conversation
from tests.files import SVG_WITH_SCRIPT, heic_photo, pdf, photo, windows_program
from tests.live.conftest import ANSWERS, make_shop, queued_customer


@pytest.fixture(params=["folder", "database"])
def storage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def rt(
    make_runtime: Callable[..., Any],
    database_url: str,
    clock: ManualClock,
    storage: str,
    tmp_path: Path,
) -> Container:
    runtime: Container = await make_runtime(
        database_url, clock=clock, folder=tmp_path, attachment_storage=storage
    )
    return runtime


async def upload(
    api: httpx.AsyncClient, conv: dict[str, Any], data: bytes, name: str
) -> httpx.Response:
    return await api.post(
        f"/api/v1/conversations/{conv['conversation_id']}/attachments",
        params={"name": name},
        content=data,
        headers={**conv["headers"], "content-type": "application/octet-stream"},
    )


async def customer(api: httpx.AsyncClient, shop: Tenant) -> dict[str, Any]:
    """A customer talking to the bot (no person needed to send a file)."""
    return await start_conversation(api, shop.widget_key, language="da")


async def stored_bytes(rt: Container, tmp_path: Path, shop: Tenant) -> int:
    """What the storage holds for the shop: files under the folder, or rows of bytes in the
    database."""
    if rt.settings.attachment_storage == "folder":
        root = tmp_path / "attachments" / str(shop.id)
        return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    async with rt.db.session() as s:
        return int(
            await s.scalar(
                select(func.count())
                .select_from(AttachmentBlob)
                .join(Attachment, Attachment.id == AttachmentBlob.attachment_id)
                .where(Attachment.tenant_id == shop.id)
            )
            or 0
        )


async def test_photo_in_pdf_back_transcript_and_delete(
    rt: Container, api: httpx.AsyncClient, login: Any, tmp_path: Path
) -> None:
    shop = await make_shop(rt)
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    cid = conv["conversation_id"]
    [item] = (await sofie.get("/queue")).json()["queue"]
    assert (await sofie.post(f"/handoffs/{item['handoff_id']}/claim")).status_code == 200

    # The customer sends a photo of the broken vase, taken with GPS on.
    r = await upload(api, conv, photo(), "IMG_2041.JPG")
    assert r.status_code == 201, r.text
    sent = r.json()["attachment"]
    assert sent["type"] == "image/jpeg" and sent["thumbnail"] is True
    assert sent["name"] == "IMG_2041.jpg"
    r = await api.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "Vasen var knust, da pakken kom", "attachments": [sent["id"]]},
        headers=conv["headers"],
    )
    assert r.status_code == 201, r.text
    assert r.json()["message"]["payload"]["attachments"] == [sent]
    # A file is sent once.
    r = await api.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "igen", "attachments": [sent["id"]]},
        headers=conv["headers"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "attachment_not_found"

    # The agent sees it in the console, and the photo carries no EXIF or GPS any more.
    view = (await sofie.get(f"/conversations/{cid}")).json()
    [with_photo] = [m for m in view["messages"] if (m.get("payload") or {}).get("attachments")]
    assert with_photo["payload"]["attachments"][0]["id"] == sent["id"]
    r = await sofie.get(f"/conversations/{cid}/attachments/{sent['id']}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert "IMG_2041.jpg" in r.headers["content-disposition"]
    image = Image.open(io.BytesIO(r.content))
    assert image.size == (640, 480)
    assert not image.getexif() and b"PhoneMaker" not in r.content
    r = await sofie.get(f"/conversations/{cid}/attachments/{sent['id']}/thumbnail")
    assert r.status_code == 200 and max(Image.open(io.BytesIO(r.content)).size) <= 320

    # The agent sends a PDF back (a credit note).
    r = await sofie.client.post(
        f"/api/v1/agent/conversations/{cid}/attachments",
        params={"name": "kreditnota.pdf"},
        content=pdf(),
        headers={"x-csrf-token": sofie.csrf},
    )
    assert r.status_code == 201, r.text
    back = r.json()["attachment"]
    assert back["type"] == "application/pdf" and back["thumbnail"] is False
    r = await sofie.post(
        f"/conversations/{cid}/messages",
        {"text": "Her er din kreditnota", "attachments": [back["id"]]},
    )
    assert r.status_code == 201, r.text

    # The customer sees it after a reload (the history) and downloads it.
    history = (
        await api.get(f"/api/v1/conversations/{cid}/messages", headers=conv["headers"])
    ).json()["messages"]
    assert [
        m["payload"]["attachments"][0]["name"]
        for m in history
        if (m["payload"] or {}).get("attachments")
    ] == [
        "IMG_2041.jpg",
        "kreditnota.pdf",
    ]
    r = await api.get(
        f"/api/v1/conversations/{cid}/attachments/{back['id']}", headers=conv["headers"]
    )
    assert r.status_code == 200 and r.content == pdf()
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["content-type"] == "application/pdf"

    # The transcript lists both files, with their types and sizes.
    r = await api.get(
        f"/api/v1/conversations/{cid}/transcript",
        params={"format": "json"},
        headers=conv["headers"],
    )
    doc = json.loads(r.content)
    [files] = [s for s in doc["sections"] if s["key"] == "attachments"]
    assert files["title"] == "Vedhæftede filer"
    assert [i["label"] for i in files["items"]] == ["IMG_2041.jpg", "kreditnota.pdf"]
    assert files["items"][0]["value"].startswith("image/jpeg, ")
    assert files["items"][1]["value"].startswith("application/pdf, ")
    html = (await api.get(f"/api/v1/conversations/{cid}/transcript", headers=conv["headers"])).text
    assert "kreditnota.pdf" in html and "IMG_2041.jpg" in html

    # The customer deletes the conversation: both files are gone from storage.
    assert await stored_bytes(rt, tmp_path, shop) == 3  # the photo, its thumbnail, the PDF
    r = await api.delete(f"/api/v1/conversations/{cid}", headers=conv["headers"])
    assert r.status_code == 204
    assert await stored_bytes(rt, tmp_path, shop) == 0
    async with rt.db.session() as s:
        assert (
            await s.scalar(
                select(func.count()).select_from(Attachment).where(Attachment.tenant_id == shop.id)
            )
            == 0
        )
    r = await api.get(
        f"/api/v1/conversations/{cid}/attachments/{back['id']}", headers=conv["headers"]
    )
    assert r.status_code == 404


async def test_heic_is_kept_as_jpeg_and_png_and_webp_as_themselves(
    rt: Container, api: httpx.AsyncClient
) -> None:
    shop = await make_shop(rt)
    conv = await customer(api, shop)
    r = await upload(api, conv, heic_photo(), "IMG_0001.HEIC")
    assert r.status_code == 201, r.text
    assert r.json()["attachment"]["type"] == "image/jpeg"
    assert r.json()["attachment"]["name"] == "IMG_0001.jpg"
    for fmt, mime in (("PNG", "image/png"), ("WEBP", "image/webp")):
        r = await upload(api, conv, photo(fmt=fmt), f"skade.{fmt.lower()}")
        assert r.status_code == 201, r.text
        info = r.json()["attachment"]
        assert info["type"] == mime
        got = await api.get(
            f"/api/v1/conversations/{conv['conversation_id']}/attachments/{info['id']}",
            headers=conv["headers"],
        )
        assert got.headers["content-type"] == mime
        assert not Image.open(io.BytesIO(got.content)).getexif()


async def test_bad_files_are_refused_with_clear_errors(
    rt: Container, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    shop = await make_shop(rt)
    conv = await customer(api, shop)
    r = await upload(api, conv, windows_program(), "ferie-billede.jpg")
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "executable_refused"
    assert "Programs cannot be sent" in r.json()["error"]["message"]
    r = await upload(api, conv, SVG_WITH_SCRIPT, "logo.svg")
    assert r.status_code == 415 and r.json()["error"]["code"] == "markup_refused"
    r = await upload(api, conv, b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 50, "broken.jpg")
    assert r.status_code == 415 and r.json()["error"]["code"] == "image_unreadable"

    # 50 MB, announced as such: refused before the body is read.
    r = await upload(api, conv, b"\0" * (50 * 1024 * 1024), "film.mov")
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert "10 MB" in r.json()["error"]["message"]

    # 50 MB without a length (chunked): refused as soon as the limit is passed, not at the end.
    chunks_read = 0

    async def body() -> Any:
        nonlocal chunks_read
        for _ in range(50):
            chunks_read += 1
            yield b"\xff" * (1024 * 1024)

    r = await api.post(
        f"/api/v1/conversations/{conv['conversation_id']}/attachments",
        content=body(),
        headers=conv["headers"],
    )
    assert r.status_code == 413
    assert chunks_read <= 12
    assert await stored_bytes(rt, tmp_path, shop) == 0


async def test_limits_per_file_and_per_conversation_are_the_shops(
    rt: Container, api: httpx.AsyncClient
) -> None:
    shop = await make_shop(rt)
    async with rt.db.transaction() as s:
        row = await s.get(Tenant, shop.id)
        assert row is not None
        row.settings = {**row.settings, "attachments": {"max_file_mb": 1, "max_files": 2}}
    conv = await customer(api, shop)
    assert (await upload(api, conv, photo(), "a.jpg")).status_code == 201
    assert (await upload(api, conv, pdf(), "b.pdf")).status_code == 201
    r = await upload(api, conv, pdf(), "c.pdf")
    assert r.status_code == 409 and r.json()["error"]["code"] == "too_many_attachments"
    other = await customer(api, shop)
    r = await upload(api, other, pdf() + b"\0" * (1024 * 1024), "big.pdf")
    assert r.status_code == 413 and "1 MB" in r.json()["error"]["message"]


async def test_only_the_conversation_and_its_shop_can_read_a_file(
    rt: Container, api: httpx.AsyncClient, login: Any
) -> None:
    shop = await make_shop(rt)
    conv = await customer(api, shop)
    r = await upload(api, conv, photo(), "skade.jpg")
    aid = r.json()["attachment"]["id"]
    cid = conv["conversation_id"]
    path = f"/api/v1/conversations/{cid}/attachments/{aid}"
    assert (await api.get(path, headers=conv["headers"])).status_code == 200

    # Another conversation's token: 404, on its own path and on the file's.
    other = await customer(api, shop)
    assert (await api.get(path, headers=other["headers"])).status_code == 404
    r = await api.get(
        f"/api/v1/conversations/{other['conversation_id']}/attachments/{aid}",
        headers=other["headers"],
    )
    assert r.status_code == 404
    assert (await api.get(path)).status_code == 404
    assert (await api.get(path + "/thumbnail", headers=other["headers"])).status_code == 404

    # The shop's staff see it; another shop's staff get 404.
    own = await login(shop)
    assert (await own.get(f"/conversations/{cid}/attachments/{aid}")).status_code == 200
    stranger = await login(await make_shop(rt), name="Mallory")
    r = await stranger.get(f"/conversations/{cid}/attachments/{aid}")
    assert r.status_code == 404
    assert (
        await stranger.get(f"/conversations/{cid}/attachments/{aid}/thumbnail")
    ).status_code == 404
    # Nor can they upload into it.
    r = await stranger.client.post(
        f"/api/v1/agent/conversations/{cid}/attachments",
        content=pdf(),
        headers={"x-csrf-token": stranger.csrf},
    )
    assert r.status_code == 404


async def test_the_answers_are_not_lost(rt: Container, api: httpx.AsyncClient, login: Any) -> None:
    """The pre-chat answers and the photo sit side by side in the customer's transcript."""
    shop = await make_shop(rt)
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    await upload(api, conv, photo(), "skade.jpg")
    r = await api.get(
        f"/api/v1/conversations/{conv['conversation_id']}/transcript",
        params={"format": "txt"},
        headers=conv["headers"],
    )
    assert ANSWERS["email"] in r.text and "skade.jpg" in r.text
    assert uuid.UUID(conv["conversation_id"])


async def test_an_upload_cut_off_midway_stores_nothing(
    rt: Container, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    from samtale.web.app import create_app

    shop = await make_shop(rt)
    conv = await customer(api, shop)
    app = create_app(rt, manage_runtime=False)
    sent: list[dict[str, Any]] = []
    parts = [
        {"type": "http.request", "body": photo()[:4096], "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return parts.pop(0) if parts else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/api/v1/conversations/{conv['conversation_id']}/attachments",
        "raw_path": b"",
        "query_string": b"name=vase.jpg",
        "headers": [(b"authorization", f"Bearer {conv['token']}".encode()), (b"host", b"t")],
        "client": ("127.0.0.1", 5000),
        "server": ("t", 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 400
    assert await stored_bytes(rt, tmp_path, shop) == 0
