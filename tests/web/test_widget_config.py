"""The widget's config endpoint, the widget script's serving and the demo pages (no browser)."""

from __future__ import annotations

import gzip
import re
from typing import Any

import httpx
import pytest

from samtale.model import Tenant
from samtale.tenants.widget import (
    DARK_BACKGROUND,
    DEFAULT_GREETING,
    DEFAULT_PRIMARY,
    WidgetSettings,
    accent_on_dark,
    accent_on_white,
    color_warnings,
    contrast,
    text_color_on,
)
from samtale.web.assets import strip_js

ORIGIN = {"origin": "https://shop.example"}


async def set_widget(runtime: Any, tenant: Tenant, widget: Any) -> None:
    async with runtime.db.transaction() as session:
        stored = await session.get(Tenant, tenant.id)
        assert stored is not None
        stored.settings = {**(stored.settings or {}), "widget": widget}


async def test_defaults_for_a_shop_without_settings(
    client: httpx.AsyncClient, tenant_factory: Any
) -> None:
    tenant = await tenant_factory(name="Fjeldhytten", languages=["sv", "en"], default_language="sv")
    r = await client.get(f"/api/v1/widget/{tenant.widget_key}/config", headers=ORIGIN)
    assert r.status_code == 200
    cfg = r.json()
    assert cfg["bot_name"] == "Fjeldhytten"
    assert cfg["avatar_url"] is None
    assert cfg["colors"] == {
        "primary": DEFAULT_PRIMARY,
        "on_primary": "#ffffff",
        "accent": DEFAULT_PRIMARY,
        "accent_dark": "#e6e9ed",  # the dark blue does not read on the dark window
    }
    assert (cfg["position"], cfg["storage"], cfg["privacy_policy_url"]) == ("right", "local", None)
    assert cfg["theme"] == "auto"
    assert cfg["texts"]["sv"]["launcher"] is None
    assert (cfg["languages"], cfg["default_language"]) == (["sv", "en"], "sv")
    assert cfg["max_message_chars"] == 4000
    assert set(cfg["texts"]) == {"sv", "en"}
    assert cfg["texts"]["sv"]["greeting"] == DEFAULT_GREETING["sv"]
    assert cfg["texts"]["en"]["starters"] == []
    # Readable by the shop's pages only (CORS by the tenant's allowed origins), cached briefly.
    assert r.headers["access-control-allow-origin"] == "https://shop.example"
    assert r.headers["cache-control"] == "public, max-age=60"
    other = await client.get(
        f"/api/v1/widget/{tenant.widget_key}/config", headers={"origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


async def test_the_shops_own_settings(
    client: httpx.AsyncClient, tenant_factory: Any, runtime: Any
) -> None:
    tenant = await tenant_factory()
    await set_widget(
        runtime,
        tenant,
        {
            "bot_name": "Saga",
            "avatar_url": "https://cdn.shop.example/saga.png",
            "primary_color": "#FFCC00",
            "position": "left",
            "theme": "dark",
            "launcher_text": {"da": "Spørg Saga"},
            "storage": "session",
            "privacy_policy_url": "/privacy",
            "greeting": {"da": "Hej, jeg er Saga."},
            "subtitle": {"en": "Answers in seconds"},
            "starters": {"da": [{"label": "Levering", "intent": "delivery_methods"}]},
            "prechat": {"fields": []},  # a later feature's key: ignored here
        },
    )
    cfg = (await client.get(f"/api/v1/widget/{tenant.widget_key}/config")).json()
    assert (cfg["bot_name"], cfg["position"], cfg["storage"]) == ("Saga", "left", "session")
    assert cfg["avatar_url"] == "https://cdn.shop.example/saga.png"
    assert cfg["privacy_policy_url"] == "/privacy"
    # A light colour gets dark text, and is not used as text on white.
    # ... and reads as itself on the dark window.
    assert cfg["colors"] == {
        "primary": "#ffcc00",
        "on_primary": "#111418",
        "accent": "#111418",
        "accent_dark": "#ffcc00",
    }
    assert cfg["theme"] == "dark"
    assert cfg["texts"]["da"]["launcher"] == "Spørg Saga"
    assert cfg["texts"]["en"]["launcher"] is None
    assert cfg["texts"]["da"]["greeting"] == "Hej, jeg er Saga."
    assert cfg["texts"]["sv"]["greeting"] == DEFAULT_GREETING["sv"]
    assert cfg["texts"]["en"]["subtitle"] == "Answers in seconds"
    assert cfg["texts"]["da"]["starters"] == [
        {"label": "Levering", "text": None, "intent": "delivery_methods"}
    ]


async def test_invalid_stored_settings_fall_back_to_the_defaults(
    client: httpx.AsyncClient, tenant_factory: Any, runtime: Any
) -> None:
    tenant = await tenant_factory()
    await set_widget(runtime, tenant, {"primary_color": "red; background:url(x)", "bot_name": "X"})
    r = await client.get(f"/api/v1/widget/{tenant.widget_key}/config")
    assert r.status_code == 200
    assert r.json()["colors"]["primary"] == DEFAULT_PRIMARY
    assert r.json()["bot_name"] == tenant.name


async def test_unknown_or_inactive_widget_key(
    client: httpx.AsyncClient, tenant_factory: Any, runtime: Any
) -> None:
    r = await client.get("/api/v1/widget/no-such-key/config")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "widget_not_found"
    tenant = await tenant_factory()
    async with runtime.db.transaction() as session:
        stored = await session.get(Tenant, tenant.id)
        assert stored is not None
        stored.active = False
    assert (await client.get(f"/api/v1/widget/{tenant.widget_key}/config")).status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("primary_color", "#12345"),
        ("primary_color", "blue"),
        ("avatar_url", "javascript:alert(1)"),
        ("avatar_url", "//evil.example/a.png"),
        ("privacy_policy_url", "data:text/html,hi"),
        ("privacy_policy_url", 'https://shop.example/"onmouseover'),
        ("position", "top"),
        ("storage", "cookie"),
        ("theme", "purple"),
        ("launcher_text", {"da": "x" * 31}),
        ("launcher_text", {"da": "   "}),
        ("launcher_text", {"xx": "Chat"}),
        ("greeting", {"de": "Hallo"}),
        ("starters", {"da": [{"label": "x", "intent": "Not An Intent"}]}),
        ("starters", {"da": [{"label": f"b{i}"} for i in range(7)]}),
    ],
)
def test_settings_are_validated(field: str, value: Any) -> None:
    with pytest.raises(ValueError):
        WidgetSettings.model_validate({field: value})


def test_text_colours_meet_wcag_aa() -> None:
    for colour in ("#000000", "#ffffff", "#777777", "#808080", "#ff0000", "#2f5d50", "#ffcc00"):
        assert contrast(colour, text_color_on(colour)) >= 4.5
        assert contrast(accent_on_white(colour), "#ffffff") >= 4.5
        assert contrast(accent_on_dark(colour), DARK_BACKGROUND) >= 4.5
    assert contrast("#000000", "#ffffff") == pytest.approx(21)


def test_colour_warnings_for_a_button_that_hardly_stands_out() -> None:
    assert color_warnings("#1f4f82") == []
    assert color_warnings("#f5f5dc") == ["warn_light"]  # beige on a white page
    assert color_warnings("#1f4f82", "dark") == ["warn_dark"]  # dark blue on a dark page
    assert color_warnings("#ffcc00", "dark") == ["warn_light"]


async def test_config_is_in_the_openapi_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    op = schema["paths"]["/api/v1/widget/{widget_key}/config"]["get"]
    assert {"200", "404", "422", "429"} <= set(op["responses"])
    assert not any(path.startswith(("/widget.js", "/static")) for path in schema["paths"])


async def test_widget_js_loads_the_hashed_bundle(client: httpx.AsyncClient) -> None:
    loader = await client.get("/widget.js")
    assert loader.status_code == 200
    assert loader.headers["content-type"].startswith("text/javascript")
    assert "max-age=300" in loader.headers["cache-control"]
    bundle_url = re.search(r'"(/static/widget\.[0-9a-f]{12}\.js)"', loader.text)
    assert bundle_url, loader.text
    assert len(loader.content) < 1500

    bundle = await client.get(bundle_url.group(1), headers={"accept-encoding": "gzip"})
    assert bundle.status_code == 200
    assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert bundle.headers["content-encoding"] == "gzip"
    assert bundle.headers["x-content-type-options"] == "nosniff"
    assert "data-samtale-key" in bundle.text  # httpx decoded it
    size = int(bundle.headers["content-length"])
    assert size <= 25_000, f"widget.js is {size} bytes gzipped, over the 25 KB budget"

    etag = bundle.headers["etag"]
    again = await client.get(bundle_url.group(1), headers={"if-none-match": etag})
    assert again.status_code == 304
    plain = await client.get("/static/widget.js", headers={"accept-encoding": "identity"})
    assert plain.headers["cache-control"].startswith("public, max-age=300")
    assert gzip.compress(plain.content) and plain.text == bundle.text


async def test_an_old_hash_gets_the_current_file_briefly_cached(client: httpx.AsyncClient) -> None:
    r = await client.get("/static/widget.000000000000.js")
    assert r.status_code == 200
    assert r.headers["cache-control"].startswith("public, max-age=300")
    assert (await client.get("/static/nothing.js")).status_code == 404
    assert (await client.get("/static/..%2Fapp.py")).status_code == 404


async def test_front_page_without_the_demo_tenant(make_runtime: Any, tmp_path: Any) -> None:
    from samtale.infra.database import Database
    from samtale.infra.migrate import upgrade
    from samtale.web.app import create_app

    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    db = Database(url)
    await upgrade(db)
    await db.dispose()
    rt = await make_runtime(url)
    app = create_app(rt, manage_runtime=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        r = await c.get("/")
        assert r.status_code == 200 and "Samtale is running" in r.text
        assert (await c.get("/privatliv")).status_code == 404


async def test_demo_shop_page(runtime: Any, client: httpx.AsyncClient, data_dir: Any) -> None:
    from samtale.demo.tenant import ensure_demo

    async with runtime.db.transaction() as session:
        await ensure_demo(session, runtime.clock, data_dir, ["http://testserver"])
    r = await client.get("/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp
    assert "script-src http://testserver;" in csp and "ws://testserver" in csp
    assert '<script src="/widget.js" data-samtale-key="demo" async></script>' in r.text
    assert "Nordhjem" in r.text and 'href="/privatliv"' in r.text
    assert "<style" not in r.text and " style=" not in r.text  # nothing inline: the CSP holds
    for href in re.findall(r'(?:href|src)="(/static/[^"]+)"', r.text):
        assert (await client.get(href)).status_code == 200
    privacy = await client.get("/privatliv")
    assert privacy.status_code == 200 and "90 dage" in privacy.text
    cfg = (await client.get("/api/v1/widget/demo/config")).json()
    assert cfg["bot_name"] == "Nora" and cfg["privacy_policy_url"] == "/privatliv"
    assert cfg["texts"]["da"]["starters"][0]["label"] == "Hvor er min pakke?"


def test_served_scripts_lose_indentation_and_comment_lines_only() -> None:
    source = """/*! licence */
(() => {
  /*
   * A block comment.
   */
  const css = `
:host{all:initial}
*,*::before{box-sizing:border-box}
`;
  // a comment line
  const url = "https://example.com"; // a trailing comment stays
  /* one-line block */
  return css + url;
})();
"""
    assert (
        strip_js(source)
        == """/*! licence */
(() => {
const css = `
:host{all:initial}
*,*::before{box-sizing:border-box}
`;
const url = "https://example.com"; // a trailing comment stays
return css + url;
})();
"""
    )
