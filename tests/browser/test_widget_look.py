"""The widget as a shop dresses it, and its conversation tools, in real Chromium: dark mode (the
visitor's system, or forced by the shop), the shop's colour, launcher side and text, an uploaded
bot picture under the strict page policy, "New conversation" in the gear menu, and the print
view in a new tab. Screenshots go to `test-results/browser/<test>/`."""

from __future__ import annotations

import io
import uuid
from typing import Any

from samtale.model import Tenant
from samtale.tenants import avatar
from tests.browser.conftest import Visit, WidgetServer, axe_source, shop_page
from tests.conftest import new_tenant

AXE_SERIOUS = """async () => {
  // Scan what the visitor sees once the window's opening animation is over (mid-fade, the
  // header's text would be measured against a half-transparent background).
  const root = document.querySelector("samtale-widget").shadowRoot;
  await Promise.all(root.getAnimations()
    .filter(a => a.effect.getTiming().iterations !== Infinity).map(a => a.finished));
  const r = await axe.run(document.querySelector("samtale-widget"), {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
  });
  return r.violations
    .filter(x => x.impact === "serious" || x.impact === "critical")
    .map(x => x.id + ": " + x.nodes.map(n => n.target.join(" ")).join(", "));
}"""
WINDOW_BACKGROUND = """() => getComputedStyle(document.querySelector('samtale-widget').shadowRoot
  .querySelector('[data-samtale=messages]')).backgroundColor"""
DARK_BG = "rgb(27, 31, 36)"
LIGHT_BG = "rgb(255, 255, 255)"


def red_picture() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (240, 160), (200, 85, 61)).save(out, format="JPEG")
    return avatar.normalise(out.getvalue())


async def shop_with(server: WidgetServer, widget: dict[str, Any], **extra: Any) -> str:
    """A shop of its own with these widget settings; its page's HTML."""
    key = f"wk-look-{uuid.uuid4().hex[:8]}"
    tenant = await new_tenant(
        server.runtime.db, server.runtime.clock, widget_key=key, allowed_origins=[server.shop]
    )
    async with server.runtime.db.transaction() as session:
        row = await session.get(Tenant, tenant.id)
        assert row is not None
        row.settings = {"widget": widget, **extra}
    tag = f'<script src="{server.url}/widget.js" data-samtale-key="{key}" async></script>'
    return shop_page(server).replace(server.script_tag, tag)


async def serious(v: Visit) -> list[str]:
    if not await v.page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated by the browser's devtools: allowed on pages with a strict policy too.
        await v.page.evaluate(axe_source())
    return list(await v.page.evaluate(AXE_SERIOUS))


async def busy_window(v: Visit) -> None:
    """Open the window with a bit of everything in it: quick replies, cards, the menu."""
    await v.open()
    await v.say("Vis mig knapper")
    await v.reply("Hvad vil du vide mere om?")
    await v.say("Hvor er min pakke?")
    await v.page.locator('[data-kind="tracking"]').wait_for()
    await v.say("Har I en regnjakke?")
    await v.page.locator('[data-kind="product"]').first.wait_for()


async def test_dark_mode_follows_the_system_and_stays_accessible(visit: Any) -> None:
    v = await visit(csp=True, color_scheme="dark")  # under the strict page policy
    await busy_window(v)
    assert await v.page.evaluate(WINDOW_BACKGROUND) == DARK_BG
    # The "connection lost" banner, shown as when the connection drops, in its dark colours.
    banner = v.part("status")
    await banner.evaluate("el => { el.hidden = false; }")
    assert await banner.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(61, 48, 0)"
    await v.shot("dark")
    assert await serious(v) == []
    await banner.evaluate("el => { el.hidden = true; }")
    await v.part("menu").click()
    await v.shot("dark-menu")
    assert await serious(v) == []
    # The same visitor with a light system gets the light window.
    await v.page.emulate_media(color_scheme="light")
    assert await v.page.evaluate(WINDOW_BACKGROUND) == LIGHT_BG
    assert await serious(v) == []
    await v.shot("light")
    assert v.csp_violations() == []


async def test_a_shop_can_force_light_or_dark(visit: Any, widget_server: WidgetServer) -> None:
    dark = await visit(await shop_with(widget_server, {"theme": "dark"}), csp=True)
    await dark.open()
    assert await dark.page.evaluate(WINDOW_BACKGROUND) == DARK_BG
    light = await visit(
        await shop_with(widget_server, {"theme": "light"}), csp=True, color_scheme="dark"
    )
    await light.open()
    assert await light.page.evaluate(WINDOW_BACKGROUND) == LIGHT_BG
    assert dark.csp_violations() == [] and light.csp_violations() == []


async def test_the_shops_look_left_launcher_with_text_and_an_uploaded_picture(
    visit: Any, widget_server: WidgetServer
) -> None:
    widget = {
        "bot_name": "Saga",
        "primary_color": "#7a1f5c",
        "position": "left",
        "launcher_text": {"da": "Spørg Saga"},
    }
    html = await shop_with(widget_server, widget, widget_avatar=avatar.stored(red_picture()))
    v = await visit(html, csp=True)  # the strict policy: pictures only from Samtale
    launcher = v.part("launcher")
    box = await launcher.bounding_box()
    assert box is not None and box["x"] < 100  # bottom left
    assert await v.part("launcher-text").inner_text() == "Spørg Saga"
    assert await launcher.get_attribute("aria-label") == "Spørg Saga"  # the visible label
    background = await launcher.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(122, 31, 92)"
    assert await serious(v) == []
    await v.shot("left-launcher-text")
    await v.open()
    picture = v.page.locator("samtale-widget img.avatar")
    await picture.wait_for()
    assert "/avatar?v=" in (await picture.get_attribute("src") or "")
    await v.page.wait_for_function(
        """() => document.querySelector('samtale-widget').shadowRoot
             .querySelector('img.avatar').naturalWidth === 128"""
    )
    assert await v.page.locator("samtale-widget #sw-title").inner_text() == "Saga"
    window = await v.part("window").bounding_box()
    assert window is not None and window["x"] < 100
    assert await serious(v) == []
    await v.shot("left-window-avatar")
    assert v.csp_violations() == []


async def test_new_conversation_keeps_the_old_one_until_it_is_deleted(visit: Any, api: Any) -> None:
    v = await visit()
    await v.open()
    await v.say("Den første samtale")
    await v.reply("Svar: Den første samtale")
    first = await v.stored()
    await v.part("menu").click()
    await v.part("new").click()
    # A fresh window: the greeting, no messages, the focus in the composer.
    await v.part("visitor-message").first.wait_for(state="detached")
    assert await v.part("reply").count() == 0
    assert await v.part("greeting").is_visible()
    await v.shot("new-conversation")
    await v.say("Den anden samtale")
    await v.reply("Svar: Den anden samtale")
    second = await v.stored()
    assert second["id"] != first["id"]
    assert [c["id"] for c in second["past"]] == [first["id"]]
    # The first one is kept on the server (its token still opens it) ...
    headers = {"authorization": f"Bearer {first['token']}"}
    async with api() as http:
        r = await http.get(f"/api/v1/conversations/{first['id']}/messages", headers=headers)
        assert r.status_code == 200
        assert r.json()["messages"][0]["text"] == "Den første samtale"
    # ... until the customer deletes: both go.
    await v.part("menu").click()
    await v.part("delete").click()
    await v.part("confirm-delete").click()
    await v.part("notice").filter(has_text="Samtalen er slettet").wait_for()
    assert await v.stored() == {}
    async with api() as http:
        for conv in (first, second):
            r = await http.get(
                f"/api/v1/conversations/{conv['id']}/messages",
                headers={"authorization": f"Bearer {conv['token']}"},
            )
            assert r.status_code == 404


async def test_the_print_view_opens_in_a_new_tab_and_prints(visit: Any) -> None:
    v = await visit(csp=True)
    # Record the print dialogue instead of opening it (headless Chromium has none to show).
    await v.context.add_init_script("window.print = () => { window.__printed = true; };")
    await v.open()
    await v.say("Denne samtale skal på papir")
    await v.reply("Svar: Denne samtale skal på papir")
    await v.part("menu").click()
    async with v.context.expect_page() as info:
        await v.part("print").click()
    tab = await info.value
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    await tab.wait_for_load_state()
    await tab.wait_for_function("() => window.__printed === true")
    assert "/api/v1/print/" in tab.url
    stored = await v.stored()
    assert stored["token"] not in tab.url
    assert "Denne samtale skal på papir" in await tab.locator("main").inner_text()
    assert await tab.evaluate("window.opener") is None
    await tab.screenshot(path=str(v.shots / "print-view.png"))
    assert problems == []
    # The ticket was for one visit: reloading the tab shows nothing of the conversation.
    await tab.reload()
    assert "Denne samtale" not in await tab.content()
    assert v.csp_violations() == []


async def test_another_tab_follows_a_new_conversation(visit: Any) -> None:
    a = await visit()
    b = await visit(context=a.context)  # another tab of the same shop, same storage
    await a.open()
    await b.open()
    await a.say("Fra den første fane")
    await b.reply("Svar: Fra den første fane")
    await a.part("menu").click()
    await a.part("new").click()
    # The other tab leaves the ended conversation too, and both continue in the new one.
    await b.part("reply").first.wait_for(state="detached")
    await b.say("En ny begyndelse")
    await a.reply("Svar: En ny begyndelse")
    assert (await a.stored())["id"] == (await b.stored())["id"]
    assert len((await b.stored())["past"]) == 1
