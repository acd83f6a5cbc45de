"""The chat widget in real Chromium: what a customer sees and does, on a shop's page."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from samtale.model import Tenant
from samtale.tenants.service import UserCreate, create_user
from tests.browser.conftest import (
    RESULTS,
    WIDGET_KEY,
    Visit,
    WidgetServer,
    axe_source,
    shop_page,
)
from tests.conftest import new_tenant

DEEP_ACTIVE = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a) return null;
  return a.dataset.samtale || a.getAttribute("role") || a.tagName.toLowerCase() + (a.id ? "#" + a.id : "");
}"""
IN_WINDOW = """() => {
  const root = document.querySelector("samtale-widget").shadowRoot;
  const win = root.querySelector('[data-samtale="window"]');
  return !!root.activeElement && win.contains(root.activeElement);
}"""


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def focused(v: Visit) -> str | None:
    result: str | None = await v.page.evaluate(DEEP_ACTIVE)
    return result


async def api_messages(api: Any, stored: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    async with api() as http:
        r = await http.get(
            f"/api/v1/conversations/{stored['id']}/messages",
            headers={"authorization": f"Bearer {stored['token']}"},
        )
    return r.status_code, (r.json()["messages"] if r.status_code == 200 else [])


async def test_open_ask_and_see_the_answer(visit: Any, api: Any) -> None:
    v = await visit()
    # Only the launcher is drawn at load; no conversation exists yet.
    assert await v.part("window").count() == 0
    assert await v.stored() == {}
    await v.page.evaluate(
        "window.__seen = []; Samtale.on('message', m => __seen.push(m.author + ': ' + m.text))"
    )
    await v.shot("1-launcher")
    await v.open()
    assert await focused(v) == "composer"
    await v.part("greeting").wait_for()
    await v.shot("2-open")

    await v.say("Hvad koster fragten?")
    await v.reply("Svar: Hvad koster fragten?")
    await v.shot("3-answered")
    assert await v.part("visitor-message").inner_text() != ""
    seen = await v.page.evaluate("__seen")
    assert seen == ["visitor: Hvad koster fragten?", "bot: Svar: Hvad koster fragten?"]
    status, messages = await api_messages(api, await v.stored())
    assert status == 200
    assert [(m["author"], m["text"]) for m in messages] == [
        ("visitor", "Hvad koster fragten?"),
        ("bot", "Svar: Hvad koster fragten?"),
    ]
    assert [c for c in v.console if c.startswith(("error", "pageerror"))] == []


async def test_the_conversation_resumes_after_a_reload_and_on_another_page(visit: Any) -> None:
    v = await visit()
    await v.open()
    await v.say("Første besked")
    await v.reply("Svar: Første besked")
    token = (await v.stored())["token"]

    await v.page.reload()
    await v.open()
    await v.reply("Svar: Første besked")
    assert await v.part("visitor-message").count() == 1
    await v.shot("after-reload")

    await v.page.goto(
        v.page.url + "andet-produkt"
    )  # same site, same storage  # another page of the shop
    await v.open()
    await v.reply("Svar: Første besked")
    await v.say("Anden besked")
    await v.reply("Svar: Anden besked")
    assert (await v.stored())["token"] == token
    assert await v.part("visitor-message").count() == 2


async def test_quick_replies_and_cards(visit: Any) -> None:
    v = await visit()
    await v.open()
    # The shop's starter buttons under the greeting.
    await v.part("quick-reply").filter(has_text="Levering").click()
    await v.reply("Vi leverer med PostNord")
    assert await v.part("quick-reply").count() == 0

    await v.say("Vis mig knapper")
    await v.reply("Hvad vil du vide mere om?")
    assert await v.part("quick-reply").all_inner_texts() == ["Levering", "Retur"]
    await v.shot("quick-replies")
    await v.part("quick-reply").filter(has_text="Retur").click()
    await v.reply("Svar: Hvordan returnerer jeg?")  # sends the button's text, not its label
    assert await v.part("quick-reply").count() == 0

    await v.say("Hvor er min pakke?")
    card = v.page.locator('[data-samtale="card"][data-kind="tracking"]')
    await card.wait_for()
    text = await card.inner_text()
    for expected in (
        "På vej",
        "PostNord",
        "RB123456785DK",
        "104827361",
        "lør. 28. november",
        "Netto Nørrebrogade, Nørrebrogade 12, 2200 København N",
    ):
        assert expected in text
    await card.locator("summary").click()
    await card.get_by_text("Ankommet til terminal · Taastrup").wait_for()
    assert "26. nov. 09.10" in await card.inner_text()  # the shop's time zone, as the shop wrote it
    await v.shot("tracking-card")

    await v.say("Har I en regnjakke?")
    await v.reply("Her er tre regnjakker")
    products = v.page.locator('[data-samtale="card"][data-kind="product"]')
    await products.nth(2).wait_for()
    assert await products.count() == 3
    first, second, third = products.nth(0), products.nth(1), products.nth(2)
    assert "1.199\xa0kr." in await first.inner_text()  # as the shop formatted it
    assert "rød · Størrelser: S, M, L" in await first.inner_text()
    assert "Udsolgt" in await second.inner_text()
    assert (await first.locator("img").get_attribute("src") or "").startswith("data:image/svg")
    link = first.locator("a")
    assert await link.get_attribute("href") == "https://nordhjem.example/p/NH-1001"
    assert await link.get_attribute("rel") == "noopener noreferrer"
    # A card with javascript: URLs gets neither a picture nor a link.
    assert await second.locator("img").count() == 0
    assert await second.locator("a").count() == 0
    # A picture that fails to load gives way to a plain tile.
    await third.locator(".noimg").wait_for()
    assert await third.locator("img").count() == 0
    await v.shot("product-cards")


async def test_download_the_conversation(visit: Any) -> None:
    v = await visit()
    await v.open()
    await v.say("Jeg vil gemme denne samtale")
    await v.reply("Svar: Jeg vil gemme denne samtale")
    await v.part("menu").click()
    await v.shot("menu")
    async with v.page.expect_download() as info:
        await v.part("download").click()
    download = await info.value
    assert download.suggested_filename.endswith(".txt")
    text = read_text(await download.path())
    assert "Jeg vil gemme denne samtale" in text
    assert "Svar: Jeg vil gemme denne samtale" in text

    # The printable version opens in a new tab, ready to print (see test_widget_look.py).


async def test_delete_the_conversation_and_start_clean(visit: Any, api: Any) -> None:
    v = await visit()
    await v.open()
    await v.say("Slet mig bagefter")
    await v.reply("Svar: Slet mig bagefter")
    stored = await v.stored()
    await v.part("menu").click()
    await v.part("delete").click()
    dialog = v.page.get_by_role("alertdialog")
    await dialog.wait_for()
    assert await focused(v) == "cancel"  # the safe choice has the focus
    await v.shot("confirm-delete")
    await v.part("confirm-delete").click()
    await v.part("notice").filter(has_text="Samtalen er slettet").wait_for()
    await v.shot("deleted")
    assert await v.part("visitor-message").count() == 0
    assert await v.part("reply").count() == 0
    assert await v.stored() == {}
    status, _ = await api_messages(api, stored)
    assert status == 404
    # The next message opens a new conversation.
    await v.say("Ny start")
    await v.reply("Svar: Ny start")
    assert (await v.stored())["id"] != stored["id"]


async def test_talk_to_a_person_from_the_gear_menu(visit: Any) -> None:
    v = await visit()
    await v.open()
    await v.part("menu").click()
    await v.part("human").click()
    # The responder answers this only when the request carries the intent `talk_to_person`.
    await v.reply("Jeg sender dig videre til en kollega")
    said = v.part("visitor-message").locator(".text")
    assert await said.inner_text() == "Jeg vil gerne tale med en person"
    await v.page.locator(".msg.system", has_text="Du er nu i kø").wait_for()
    await v.page.locator('[data-samtale="window"].st-queued').wait_for()
    assert await focused(v) == "composer"
    await v.shot("talk-to-person")


async def test_keyboard_only(visit: Any) -> None:
    v = await visit()
    for _ in range(10):
        await v.page.keyboard.press("Tab")
        if await focused(v) == "launcher":
            break
    assert await focused(v) == "launcher"
    outline = await v.page.evaluate(
        """() => getComputedStyle(document.querySelector('samtale-widget').shadowRoot
             .querySelector('[data-samtale=launcher]')).outlineStyle"""
    )
    assert outline == "solid"  # visible focus
    await v.page.keyboard.press("Enter")
    await v.part("composer").wait_for()
    assert await focused(v) == "composer"

    await v.page.keyboard.type("Første linje")
    await v.page.keyboard.press("Shift+Enter")
    await v.page.keyboard.type("anden linje")
    assert await v.part("composer").input_value() == "Første linje\nanden linje"
    await v.page.keyboard.press("Enter")
    await v.reply("anden linje")
    assert await v.part("composer").input_value() == ""

    # Tab and Shift+Tab stay inside the window.
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        await v.page.keyboard.press(key)
        assert await v.page.evaluate(IN_WINDOW), f"focus left the window after {key}"

    # The gear menu by keyboard.
    for _ in range(12):
        if await focused(v) == "menu":
            break
        await v.page.keyboard.press("Tab")
    await v.page.keyboard.press("Enter")
    assert await focused(v) == "download"
    await v.page.keyboard.press("ArrowDown")
    assert await focused(v) == "print"
    await v.page.keyboard.press("ArrowDown")
    assert await focused(v) == "new"
    await v.page.keyboard.press("End")
    assert await focused(v) == "privacy"
    await v.shot("menu-keyboard")
    await v.page.keyboard.press("Escape")
    assert await v.part("menu-list").is_hidden()
    assert await focused(v) == "menu"

    # Escape closes the window and gives the focus back to where it was.
    await v.page.keyboard.press("Escape")
    await v.part("window").wait_for(state="hidden")
    assert await focused(v) == "launcher"


async def test_counter_near_the_limit(visit: Any) -> None:
    v = await visit()
    await v.open()
    await v.part("composer").fill("a" * 3990)
    assert await v.part("counter").inner_text() == "10 tegn tilbage"
    assert await v.part("send").is_enabled()
    await v.part("composer").fill("a" * 4010)
    assert await v.part("counter").inner_text() == "10 tegn for meget"
    assert await v.part("send").is_disabled()
    await v.shot("over-the-limit")
    await v.part("composer").press("Enter")  # refused: nothing is sent, nothing is lost
    assert await v.part("composer").input_value() == "a" * 4010
    assert await v.part("pending").count() == 0


async def test_mobile_viewport_is_full_screen(visit: Any) -> None:
    v = await visit(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    await v.shot("mobile-launcher")
    await v.part("launcher").tap()
    await v.part("composer").wait_for()
    await v.part("window").evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")
    box = await v.part("window").bounding_box()
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}
    assert await v.part("launcher").is_hidden()
    font_size = await v.part("composer").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert font_size >= 16  # no zoom on focus on iOS
    await v.say("Hej fra mobilen")
    await v.reply("Svar: Hej fra mobilen")
    await v.shot("mobile-open")
    await v.part("close").tap()
    await v.part("launcher").wait_for()


async def test_accessibility_scan(visit: Any) -> None:
    v = await visit()
    await v.page.add_script_tag(content=axe_source())

    async def serious() -> list[str]:
        result = await v.page.evaluate(
            """async () => {
              const r = await axe.run(document.querySelector("samtale-widget"), {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
              });
              return r.violations
                .filter(x => x.impact === "serious" || x.impact === "critical")
                .map(x => x.id + ": " + x.nodes.map(n => n.target.join(" ")).join(", "));
            }"""
        )
        return list(result)

    assert await serious() == []
    await v.open()
    await v.say("Vis mig knapper")
    await v.reply("Hvad vil du vide mere om?")
    await v.say("Hvor er min pakke?")
    await v.page.locator('[data-kind="tracking"]').wait_for()
    await v.say("Har I en regnjakke?")
    await v.page.locator('[data-kind="product"]').first.wait_for()
    assert await serious() == []
    await v.part("menu").click()
    assert await serious() == []
    await v.part("delete").click()
    await v.page.get_by_role("alertdialog").wait_for()
    assert await serious() == []


async def test_strict_csp_host_page(visit: Any, widget_server: WidgetServer) -> None:
    v = await visit(csp=True)
    await v.page.evaluate("1")  # the page is up
    await v.open()
    await v.say("Virker det under en streng CSP?")
    await v.reply("Svar: Virker det under en streng CSP?")
    # The styles really apply (a constructable stylesheet, not an inline <style>).
    radius = await v.part("launcher").evaluate("el => getComputedStyle(el).borderRadius")
    assert radius == "50%"
    await v.shot("strict-csp")
    assert v.csp_violations() == []


async def test_websockets_blocked_the_conversation_works_by_polling(
    visit: Any, widget_server: WidgetServer, browser: Any
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="da-DK")
    attempts: list[str] = []

    async def block(ws: Any) -> None:
        attempts.append(ws.url)
        await ws.close(code=1011, reason="blocked")

    await context.route_web_socket(re.compile(".*"), block)
    try:
        v = await visit(context=context)
        await v.open()
        await v.say("Hej uden websocket")
        await v.reply("Svar: Hej uden websocket")
        stored = await v.stored()
        # A message the widget did not ask for (an agent's) arrives by polling.
        rt = widget_server.runtime
        async with rt.db.transaction() as session:
            agent = await create_user(
                session,
                widget_server.tenant,
                UserCreate(
                    email=f"sofie-{uuid.uuid4().hex[:6]}@shop.example",
                    password="a-long-password-1",
                    role="agent",
                    display_name="Sofie",
                ),
                rt.clock,
            )
        await rt.conversations.add_message(
            widget_server.tenant.id,
            uuid.UUID(stored["id"]),
            "agent",
            "Hej, det er Sofie fra kundeservice.",
            agent_id=agent.id,
        )
        reply = await v.reply("det er Sofie")
        assert "Sofie" in await reply.inner_text()  # the agent's name
        assert len(attempts) >= 2
        assert await v.part("status").is_hidden()  # polling works: no "connection lost"
        await v.shot("polling")
    finally:
        await context.close()


async def test_a_full_server_the_conversation_follows_by_polling(
    visit: Any, widget_server: WidgetServer
) -> None:
    # The server holds all the visitor sockets it may: a new one is refused with 4429.
    state = widget_server.app.state
    full = widget_server.runtime.settings.ws_max_visitor_sockets
    state.visitor_sockets = getattr(state, "visitor_sockets", 0) + full
    try:
        v = await visit()
        closes: list[int] = []
        await v.page.evaluate(
            """() => {
              const Real = window.WebSocket;
              window.__closes = [];
              window.WebSocket = class extends Real {
                constructor(...a) {
                  super(...a);
                  this.addEventListener("close", (e) => window.__closes.push(e.code));
                }
              };
            }"""
        )
        await v.open()
        await v.say("Hej fra en fuld server")
        await v.reply("Svar: Hej fra en fuld server")
        stored = await v.stored()
        # A message the widget did not ask for arrives by polling.
        await widget_server.runtime.conversations.add_message(
            widget_server.tenant.id, uuid.UUID(stored["id"]), "bot", "Kommer frem alligevel."
        )
        await v.reply("Kommer frem alligevel.")
        closes = await v.page.evaluate("window.__closes")
        assert closes and set(closes) == {4429}
        assert len(closes) == 1  # refused once, then polling: no retry storm against it
        assert await v.part("status").is_hidden()  # no "connection lost"
    finally:
        state.visitor_sockets -= full


async def test_html_in_a_message_is_shown_as_text(visit: Any) -> None:
    v = await visit()
    await v.open()
    payload = "<img src=x onerror=alert(1)>"
    await v.say(payload)
    await v.reply("Svar: <img")
    assert await v.part("visitor-message").locator(".text").inner_text() == payload
    count_images = """() => document.querySelector("samtale-widget").shadowRoot
        .querySelectorAll('[data-samtale="messages"] img').length"""
    assert await v.page.evaluate(count_images) == 0

    await v.say("links")
    reply = await v.reply("Se https://")
    links = reply.locator("a")
    assert await links.count() == 2
    assert [await links.nth(i).get_attribute("href") for i in range(2)] == [
        "https://nordhjem.example/konto",
        "https://nordhjem.example/retur",
    ]
    for i in range(2):
        assert await links.nth(i).get_attribute("rel") == "noopener noreferrer"
        assert await links.nth(i).get_attribute("target") == "_blank"
    assert "[denne](javascript:alert(3))" in await reply.inner_text()
    assert "<b>fed</b>" in await reply.inner_text()
    assert v.dialogs == []
    await v.shot("html-as-text")


async def test_a_message_typed_offline_is_sent_once_when_back(visit: Any, api: Any) -> None:
    v = await visit()
    await v.open()
    await v.say("Første")
    await v.reply("Svar: Første")

    await v.context.set_offline(True)
    await v.say("Skrevet uden net")
    pending = v.part("pending")
    await pending.filter(has_text="Sendes, når forbindelsen er tilbage").wait_for()
    await v.part("status").wait_for()  # honest: "connection lost, retrying"
    await v.shot("offline")
    await v.context.set_offline(False)
    await v.reply("Svar: Skrevet uden net")
    await v.part("status").wait_for(state="hidden")

    # An answer lost on the way back: the widget retries with the same client_id.
    lost = []

    async def lose_answer(route: Any) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(await route.fetch())  # the server stores it ...
            await route.abort()  # ... but the browser never hears back
        else:
            await route.fallback()

    await v.page.route(re.compile(r".*/api/v1/conversations/[^/]+/messages$"), lose_answer)
    await v.say("Svaret forsvandt")
    await v.reply("Svar: Svaret forsvandt")
    assert lost and lost[0].status == 201

    _, messages = await api_messages(api, await v.stored())
    texts = [m["text"] for m in messages if m["author"] == "visitor"]
    assert texts == ["Første", "Skrevet uden net", "Svaret forsvandt"]
    assert await v.part("visitor-message").count() == 3


async def test_language_from_the_browser_the_page_or_the_tag(
    visit: Any, widget_server: WidgetServer
) -> None:
    # The browser's preferred language wins over the page's when the shop has it.
    v = await visit(shop_page(widget_server, lang="sv"), locale="nb-NO")
    await v.open()
    assert await v.part("composer").get_attribute("placeholder") == "Skriv en melding …"
    await v.say("Hei")
    await v.reply("Svar: Hei")

    # The first of the preferred languages that the shop has (it has no German).
    v = await visit(shop_page(widget_server, lang="da"), locale="de-DE")
    await v.page.add_init_script(
        "Object.defineProperty(navigator, 'languages', {get: () => ['de-DE', 'fi', 'sv']})"
    )
    await v.page.reload()
    await v.open()
    assert await v.part("composer").get_attribute("placeholder") == "Kirjoita viesti …"

    # A browser language the shop lacks: the page's.
    v = await visit(shop_page(widget_server, lang="sv"), locale="de-DE")
    await v.open()
    assert await v.part("composer").get_attribute("placeholder") == "Skriv ett meddelande …"
    await v.say("Hej")
    await v.reply("Svar: Hej")

    tagged = shop_page(widget_server, lang="da").replace(
        f'data-samtale-key="{WIDGET_KEY}"',
        f'data-samtale-key="{WIDGET_KEY}" data-samtale-lang="fi"',
    )
    v = await visit(tagged)
    await v.open()
    assert await v.part("composer").get_attribute("placeholder") == "Kirjoita viesti …"
    assert await v.part("menu").get_attribute("aria-label") == "Chatin valikko"


async def test_agent_message_while_closed_shows_the_unread_badge(
    visit: Any, widget_server: WidgetServer
) -> None:
    v = await visit()
    await v.open()
    await v.say("Er der nogen?")
    await v.reply("Svar: Er der nogen?")
    await v.part("close").click()
    assert await focused(v) == "launcher"
    stored = await v.stored()
    await widget_server.runtime.conversations.add_message(
        widget_server.tenant.id,
        uuid.UUID(stored["id"]),
        "agent",
        "Ja, jeg er her.",
        agent_name="Sofie",
    )
    await v.part("badge").filter(has_text="1").wait_for()
    assert "1 ulæste beskeder" in (await v.part("launcher").get_attribute("aria-label") or "")
    await v.shot("unread-badge")
    await v.open()
    await v.reply("Ja, jeg er her.")
    assert await v.part("badge").is_hidden()


async def test_the_demo_shop_page(browser: Any, widget_server: WidgetServer) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = await context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        response = await page.goto(widget_server.url + "/")
        assert response is not None
        assert "default-src 'none'" in (await response.all_headers())["content-security-policy"]
        await page.locator('[data-samtale="launcher"]').click()
        await page.locator('[data-samtale="greeting"]').wait_for()
        assert "Nora" in await page.locator("#sw-title").inner_text()
        # The portrait loads after the greeting is drawn; it must arrive and decode (a broken
        # address or a CSP refusal never does, and the wait times out).
        # (The widget lives in a shadow root: the locator finds the image, the page waits on it.)
        portrait = await page.locator("img.avatar").element_handle()
        await page.wait_for_function(
            "img => img.isConnected && img.complete && img.naturalWidth > 0",
            arg=portrait,
            timeout=15_000,
        )
        await page.locator('[data-samtale="composer"]').fill("Hej Nora")
        await page.locator('[data-samtale="composer"]').press("Enter")
        await page.locator('[data-samtale="reply"]', has_text="Svar: Hej Nora").wait_for()
        shots = RESULTS / "test_the_demo_shop_page"
        shots.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(shots / "demo-shop.png"))
        assert [c for c in console if "Content Security Policy" in c] == []
    finally:
        await context.close()


async def test_two_tabs_share_the_conversation(visit: Any) -> None:
    a = await visit()
    b = await visit(context=a.context)  # another tab of the same shop, same storage
    await b.open()
    await a.open()
    await a.say("Skrevet i den første fane")
    await a.reply("Svar: Skrevet i den første fane")
    # The second tab follows the conversation the first one started, and stays live.
    await b.reply("Svar: Skrevet i den første fane")
    await b.say("Og svaret i den anden")
    await a.reply("Svar: Og svaret i den anden")
    assert (await a.stored())["id"] == (await b.stored())["id"]
    await b.shot("second-tab")


async def test_a_shop_can_keep_the_conversation_for_the_tab_only(
    visit: Any, widget_server: WidgetServer
) -> None:
    rt = widget_server.runtime
    key = f"wk-tab-{uuid.uuid4().hex[:8]}"
    tenant = await new_tenant(rt.db, rt.clock, widget_key=key, allowed_origins=[widget_server.shop])
    async with rt.db.transaction() as session:
        stored = await session.get(Tenant, tenant.id)
        assert stored is not None
        stored.settings = {"widget": {"storage": "session", "position": "left"}}
    html = shop_page(widget_server).replace(WIDGET_KEY, key)
    v = await visit(html)
    await v.open()
    await v.say("Kun i denne fane")
    await v.reply("Svar: Kun i denne fane")
    assert await v.page.evaluate(f"localStorage.getItem('samtale:{key}')") is None
    assert await v.page.evaluate(f"sessionStorage.getItem('samtale:{key}')")
    await v.page.reload()  # the same tab: it resumes
    await v.open()
    await v.reply("Svar: Kun i denne fane")
    box = await v.part("launcher").bounding_box()
    assert box is not None and box["x"] < 100  # the shop chose the left corner
    await v.shot("left-session")


async def test_a_dropped_websocket_reconnects_and_catches_up(
    visit: Any, widget_server: WidgetServer
) -> None:
    v = await visit()
    sockets: list[Any] = []

    async def through(ws: Any) -> None:
        sockets.append(ws)
        ws.connect_to_server()

    await v.page.route_web_socket(re.compile(r".*/ws$"), through)
    await v.open()
    await v.say("Før afbrydelsen")
    await v.reply("Svar: Før afbrydelsen")
    stored = await v.stored()
    await sockets[0].close(code=1012, reason="server restart")
    # Written while the widget has no socket: it must arrive by the catch-up, once.
    await widget_server.runtime.conversations.add_message(
        widget_server.tenant.id,
        uuid.UUID(stored["id"]),
        "system",
        "Skrevet mens forbindelsen var væk.",
    )
    await v.page.locator(".msg.system", has_text="mens forbindelsen var væk").wait_for()
    assert len(sockets) >= 2
    assert await v.page.locator(".msg.system", has_text="mens forbindelsen var væk").count() == 1
    await v.part("status").wait_for(state="hidden")
