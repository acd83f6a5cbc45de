"""The settings pages write through the features' own models, show errors beside the fields and
keep what was typed."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from samtale.live.settings import live_settings
from samtale.model import Tenant, User
from samtale.tenants.widget import widget_settings
from tests.admin.conftest import AdminEnv, csrf_of
from tests.conftest import free_port


async def tenant(env: AdminEnv) -> Tenant:
    async with env.runtime.db.session() as s:
        row = await s.get(Tenant, env.shop.id)
        assert row is not None
        return row


async def test_widget_look_is_saved_through_the_widget_model(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    form = {
        "csrf": csrf_of(client),
        "bot_name": "Frida",
        "primary_color": "#AA3300",
        "position": "left",
        "storage": "local",
        "privacy_policy_url": "/privatliv",
        "greeting.da": "Hej fra Frida!",
        "starters.da.count": "1",
        "starters.da.0.label": "Levering",
        "starters.da.0.text": "Hvornår kommer min pakke?",
    }
    r = await client.post("/admin/settings/widget", data=form)
    assert r.status_code == 303
    s = widget_settings(await tenant(admin_env))
    assert s.bot_name == "Frida" and s.primary_color == "#aa3300" and s.position == "left"
    assert s.greeting == {"da": "Hej fra Frida!"} and s.starters["da"][0].label == "Levering"
    # the public widget configuration says the same
    config = await client.get(f"/api/v1/widget/{admin_env.shop.widget_key}/config")
    assert config.status_code == 200 and "Frida" in config.text
    entry = (await client.get("/api/v1/admin/audit")).json()["entries"][0]
    assert entry["action"] == "settings.changed" and entry["details"] == {"section": "widget"}

    bad = {**form, "primary_color": "red", "privacy_policy_url": "javascript:alert(1)"}
    r = await client.post("/admin/settings/widget", data=bad, headers={"accept-language": "en"})
    assert r.status_code == 422
    assert 'id="f-primary_color-error"' in r.text and 'id="f-privacy_policy_url-error"' in r.text
    assert 'value="Frida"' in r.text and "Hej fra Frida!" in r.text


def picture(fmt: str = "PNG", size: tuple[int, int] = (300, 200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 85, 61)).save(out, format=fmt)
    return out.getvalue()


async def test_widget_theme_launcher_text_and_an_uploaded_picture(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    form = {
        "csrf": csrf_of(client),
        "bot_name": "Frida",
        "primary_color": "#f5f5dc",  # beige: hard to see on a white page
        "position": "left",
        "theme": "dark",
        "storage": "local",
        "launcher_text.da": "Spørg Frida",
    }
    files = {"avatar_file": ("frida.jpg", picture("JPEG"), "image/jpeg")}
    r = await client.post("/admin/settings/widget", data=form, files=files)
    assert r.status_code == 303, r.text
    row = await tenant(admin_env)
    s = widget_settings(row)
    assert (s.theme, s.launcher_text) == ("dark", {"da": "Spørg Frida"})
    config = (await client.get(f"/api/v1/widget/{admin_env.shop.widget_key}/config")).json()
    assert config["theme"] == "dark" and config["texts"]["da"]["launcher"] == "Spørg Frida"
    url = config["avatar_url"]
    assert url.startswith(f"/api/v1/widget/{admin_env.shop.widget_key}/avatar?v=")
    # Served as a small square PNG Samtale wrote itself, under a policy that runs nothing.
    served = await client.get(url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    from PIL import Image

    with Image.open(io.BytesIO(served.content)) as img:
        assert (img.format, img.size) == ("PNG", (128, 128))
    # The page shows the picture, the contrast and a warning about the light colour.
    page = await client.get("/admin/settings/widget", headers={"accept-language": "en"})
    assert url.replace("&", "&amp;") in page.text or url in page.text
    assert 'data-color-warning="warn_light"' in page.text
    assert "data-color-contrast" in page.text

    # Not a picture, or too long a label: errors beside the fields, nothing saved.
    bad = {**form, "launcher_text.da": "x" * 31}
    files = {"avatar_file": ("evil.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")}
    r = await client.post(
        "/admin/settings/widget", data=bad, files=files, headers={"accept-language": "en"}
    )
    assert r.status_code == 422
    assert 'id="f-avatar_file-error"' in r.text and 'id="f-launcher_text-da-error"' in r.text
    assert widget_settings(await tenant(admin_env)).launcher_text == {"da": "Spørg Frida"}

    # Removing the picture: the widget falls back to the initial.
    r = await client.post("/admin/settings/widget", data={**form, "avatar_remove": "on"})
    assert r.status_code == 303
    config = (await client.get(f"/api/v1/widget/{admin_env.shop.widget_key}/config")).json()
    assert config["avatar_url"] is None
    assert (await client.get(url)).status_code == 404


async def test_a_picture_by_url_is_fetched_once_and_served_by_samtale(
    admin_env: AdminEnv,
) -> None:
    from samtale.infra.outgoing import OutgoingClient

    asked: list[str] = []

    def shop_cdn(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.path == "/saga.jpg":
            return httpx.Response(
                200, content=picture("JPEG"), headers={"content-type": "image/jpeg"}
            )
        if request.url.path == "/huge.png":
            return httpx.Response(200, content=b"\x89PNG" + b"0" * 200_000)
        return httpx.Response(404)

    admin_env.runtime.outgoing = OutgoingClient(transport=httpx.MockTransport(shop_cdn))
    client = await admin_env.login("admin")
    form = {
        "csrf": csrf_of(client),
        "primary_color": "#1f4f82",
        "avatar_url": "https://cdn.shop.example/saga.jpg",
    }
    assert (await client.post("/admin/settings/widget", data=form)).status_code == 303
    key = admin_env.shop.widget_key
    config = (await client.get(f"/api/v1/widget/{key}/config")).json()
    assert config["avatar_url"].startswith(f"/api/v1/widget/{key}/avatar?v=")
    served = await client.get(config["avatar_url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    # Saved again with the same address: not fetched again.
    assert (await client.post("/admin/settings/widget", data=form)).status_code == 303
    assert asked == ["https://cdn.shop.example/saga.jpg"]
    # An address without a picture (or with too big a one): an error beside the field, and the
    # picture kept so far stays.
    for bad in ("https://cdn.shop.example/gone.png", "https://cdn.shop.example/huge.png"):
        r = await client.post(
            "/admin/settings/widget",
            data={**form, "avatar_url": bad},
            headers={"accept-language": "en"},
        )
        assert r.status_code == 422
        assert 'id="f-avatar_url-error"' in r.text and "could not be fetched" in r.text
    assert widget_settings(await tenant(admin_env)).avatar_url == form["avatar_url"]
    assert (await client.get(f"/api/v1/widget/{key}/config")).json() == config


async def test_languages_origins_and_the_script_tag(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    page = await client.get("/admin/settings/site", headers={"accept-language": "en"})
    assert f'data-samtale-key="{admin_env.shop.widget_key}"' in page.text.replace("&#34;", '"')
    from samtale.bot.drafts import starter_content

    starter = starter_content(["da", "en"], "da").model_dump(mode="json")
    assert (await client.put("/api/v1/admin/bot/draft", json=starter)).status_code == 200
    form = {
        "csrf": csrf_of(client),
        "languages": ["da", "sv"],
        "default_language": "sv",
        "time_zone": "Europe/Stockholm",
        "allowed_origins": "https://shop.example\nhttps://www.shop.example/",
    }
    r = await client.post("/admin/settings/site", data=form)
    assert r.status_code == 303 and r.headers["location"].endswith("saved=bot")
    row = await tenant(admin_env)
    assert row.languages == ["da", "sv"] and row.default_language == "sv"
    assert row.allowed_origins == ["https://shop.example", "https://www.shop.example"]
    draft = (await client.get("/api/v1/admin/bot/draft")).json()
    assert draft["content"]["languages"] == ["da", "sv"] and draft["is_draft"]

    r = await client.post(
        "/admin/settings/site",
        data={**form, "allowed_origins": "not an origin", "time_zone": "Mars/Base"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and 'id="f-allowed_origins-error"' in r.text
    assert 'id="f-time_zone-error"' in r.text and "not an origin" in r.text


async def test_opening_hours_and_holidays(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    form = {
        "csrf": csrf_of(client),
        "hours.mon": "09:00-16:00",
        "hours.tue": "09:00-12:00, 13:00-16:00",
        "holidays.count": "2",
        "holidays.0.date": "2026-12-24",
        "holidays.0.name": "Juleaften",
        "holidays.1.date": "2026-12-31",
        "holidays.1.hours": "10:00-13:00",
    }
    r = await client.post("/admin/settings/hours", data=form)
    assert r.status_code == 303
    s = live_settings(await tenant(admin_env))
    assert s.opening_hours == {"mon": ["09:00-16:00"], "tue": ["09:00-12:00", "13:00-16:00"]}
    assert [h.date.isoformat() for h in s.holidays] == ["2026-12-24", "2026-12-31"]
    bad = {**form, "hours.wed": "16:00-09:00", "holidays.1.date": "31/12"}
    r = await client.post("/admin/settings/hours", data=bad, headers={"accept-language": "en"})
    assert r.status_code == 422 and 'id="f-holidays-1-date-error"' in r.text
    assert 'value="16:00-09:00"' in r.text


async def test_prechat_canned_and_agents(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    r = await client.post(
        "/admin/settings/prechat",
        data={
            "csrf": csrf_of(client),
            "fields.count": "2",
            "fields.0.name": "email",
            "fields.0.kind": "email",
            "fields.0.required": "on",
            "fields.1.name": "topic",
            "fields.1.kind": "choice",
            "fields.1.label.da": "Emne",
            "fields.1.options": "order | Ordre | Order\nother | Andet | Other",
        },
    )
    assert r.status_code == 303
    fields = live_settings(await tenant(admin_env)).prechat_fields
    assert [f.name for f in fields] == ["email", "topic"] and fields[1].options[1].value == "other"
    r = await client.post(
        "/admin/settings/prechat",
        data={
            "csrf": csrf_of(client),
            "fields.count": "1",
            "fields.0.name": "topic",
            "fields.0.kind": "choice",
            "fields.0.options": "only | Kun én",
        },
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and 'id="f-fields-0-options-error"' in r.text

    r = await client.post(
        "/admin/settings/canned",
        data={
            "csrf": csrf_of(client),
            "replies.count": "1",
            "replies.0.title": "Tak",
            "replies.0.text": "Tak for din henvendelse.",
            "replies.0.language": "da",
        },
    )
    assert r.status_code == 303
    assert live_settings(await tenant(admin_env)).canned_replies[0].title == "Tak"

    agent = admin_env.users["agent"]
    r = await client.post(
        "/admin/settings/agents",
        data={
            "csrf": csrf_of(client),
            "auto_assign": "on",
            "grace_seconds": "90",
            "idle_timeout_minutes": "20",
            f"user.{agent.id}.languages": ["da", "en"],
            f"user.{agent.id}.capacity": "5",
        },
    )
    assert r.status_code == 303
    async with admin_env.runtime.db.session() as s:
        row = await s.get(User, agent.id)
        assert row is not None and row.languages == ["da", "en"] and row.capacity == 5
    assert live_settings(await tenant(admin_env)).auto_assign
    r = await client.post(
        "/admin/settings/agents",
        data={"csrf": csrf_of(client), f"user.{agent.id}.capacity": "500", "grace_seconds": "1"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and f'id="f-user-{agent.id}-capacity-error"' in r.text


async def test_retention_is_audited(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    r = await client.post(
        "/admin/settings/retention",
        data={
            "csrf": csrf_of(client),
            "bot_days": "30",
            "agent_days": "365",
            "sample_days": "60",
            "statistics_months": "13",
        },
    )
    assert r.status_code == 303
    row = await tenant(admin_env)
    assert (row.retention_bot_days, row.retention_agent_days) == (30, 365)
    assert row.settings["retention"] == {"sample_days": 60, "statistics_months": 13}
    audit = await client.get("/api/v1/admin/audit")
    assert audit.json()["entries"][0]["action"] == "retention.changed"
    r = await client.post(
        "/admin/settings/retention",
        data={"csrf": csrf_of(client), "bot_days": "0", "agent_keep": "on", "sample_days": "60"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and 'id="f-bot_days-error"' in r.text


async def test_attachment_limits_are_the_shops_and_reach_the_upload(
    admin_env: AdminEnv,
) -> None:
    client = await admin_env.login("admin")
    page = await client.get("/admin/settings/attachments")
    assert page.status_code == 200 and 'value="10"' in page.text
    r = await client.post(
        "/admin/settings/attachments",
        data={"csrf": csrf_of(client), "enabled": "on", "max_file_mb": "2", "max_files": "3"},
    )
    assert r.status_code == 303
    row = await tenant(admin_env)
    assert row.settings["attachments"] == {"enabled": True, "max_file_mb": 2, "max_files": 3}
    assert (await admin_env.runtime.attachments.limits(row.id)).max_bytes == 2 * 1024 * 1024
    audit = await client.get("/api/v1/admin/audit")
    assert audit.json()["entries"][0]["action"] == "settings.changed"
    r = await client.post(
        "/admin/settings/attachments",
        data={"csrf": csrf_of(client), "enabled": "on", "max_file_mb": "500", "max_files": "0"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422
    assert 'id="f-max_file_mb-error"' in r.text and 'id="f-max_files-error"' in r.text
    assert 'value="500"' in r.text  # what was typed is kept
    row = await tenant(admin_env)
    assert row.settings["attachments"]["max_file_mb"] == 2
    # Turned off: uploads are refused.
    r = await client.post(
        "/admin/settings/attachments",
        data={"csrf": csrf_of(client), "max_file_mb": "2", "max_files": "3"},
    )
    assert r.status_code == 303
    assert (await admin_env.runtime.attachments.limits(row.id)).enabled is False


@pytest.fixture
async def shop_api() -> AsyncIterator[str]:
    app = FastAPI()

    @app.get("/api/shipments/{number}")
    async def shipment(number: str) -> JSONResponse:
        return JSONResponse({"error": "not found"}, status_code=404)

    @app.get("/api/orders/{number}")
    async def order(number: str) -> JSONResponse:
        return JSONResponse({"error": "boom"}, status_code=500)

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}/api"
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 5)


async def test_connector_test_button_and_save(admin_env: AdminEnv, shop_api: str) -> None:
    client = await admin_env.login("admin")
    form = {
        "csrf": csrf_of(client),
        "type": "http",
        "base_url": shop_api,
        "headers": "Authorization: Bearer secret",
        "timeout": "1",
        "deadline": "2",
        "retries": "0",
        "endpoints": "shipment: {path: '/shipments/{tracking_number}'}\n"
        "order: {path: '/orders/{order_number}'}\n",
    }
    # A shop system on a private address is refused unless the operator allows it: a shop
    # admin must not probe the operator's own network.
    for data in (form, {**form, "test": "1"}):
        r = await client.post(
            "/admin/settings/connector", data=data, headers={"accept-language": "en"}
        )
        assert r.status_code == 422 and "points into a private network (127.0.0.1)" in r.text
    assert "connector" not in (await tenant(admin_env)).settings
    settings = admin_env.runtime.settings
    admin_env.runtime.settings = settings.model_copy(update={"shop_private_addresses": True})
    try:
        await _test_and_save(admin_env, client, form, shop_api)
    finally:
        admin_env.runtime.settings = settings


async def _test_and_save(
    admin_env: AdminEnv, client: httpx.AsyncClient, form: dict[str, str], shop_api: str
) -> None:
    r = await client.post("/admin/settings/connector", data={**form, "test": "1"})
    assert r.status_code == 200 and "Test" in r.text
    assert "not_found" in r.text and "status" in r.text
    assert "connector" not in (await tenant(admin_env)).settings
    r = await client.post("/admin/settings/connector", data=form)
    assert r.status_code == 303
    saved = (await tenant(admin_env)).settings["connector"]
    assert saved["base_url"].startswith(shop_api) and saved["headers"]["Authorization"]
    r = await client.post(
        "/admin/settings/connector",
        data={**form, "base_url": "not a url", "endpoints": "- a list"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and 'id="f-endpoints-error"' in r.text
    r = await client.post(
        "/admin/settings/connector", data={"csrf": csrf_of(client), "type": "none"}
    )
    assert r.status_code == 303 and "connector" not in (await tenant(admin_env)).settings
