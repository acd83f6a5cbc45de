"""Every admin page in real Chromium, in Danish and English, at desktop and tablet widths: it
renders without script errors or CSP violations, has no serious accessibility violations (axe),
works by keyboard (skip link, navigation, forms), and a screenshot of each goes to
`test-results/browser/admin-pages/` to be looked at."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn

from samtale.app.container import Container
from samtale.conversations.responder import StaticRegistry
from samtale.demo.tenant import demo_origins, ensure_demo
from samtale.web.app import create_app
from tests.browser.conftest import RESULTS, TIMEOUT_MS, axe_source
from tests.conftest import EchoResponder, free_port, make_settings

SHOTS = RESULTS / "admin-pages"
ADMIN_PAGES = [
    "/admin",
    "/admin/bot",
    "/admin/bot/intents/track_order",
    "/admin/bot/intents/payment_methods",  # an answer from the shop's data: where it comes from
    "/admin/bot/intents/new",
    "/admin/bot/intents/goodbye/delete",
    "/admin/bot/flows",
    "/admin/bot/flows/track_order",
    "/admin/bot/messages",
    "/admin/bot/try",
    "/admin/bot/versions",
    "/admin/bot/yaml",
    "/admin/settings/widget",
    "/admin/settings/site",
    "/admin/settings/hours",
    "/admin/settings/prechat",
    "/admin/settings/canned",
    "/admin/settings/agents",
    "/admin/settings/retention",
    "/admin/settings/connector",
    "/admin/team",
    "/admin/audit",
]
OPERATOR_PAGES = [
    "/admin/tenants",
    "/admin/tenants/demo",
    "/admin/tenants/demo/delete",
    "/admin/audit",
]
PUBLIC_PAGES = ["/account/reset", "/account/invite/not-a-real-link"]
WIDTHS = (1280, 820)


@dataclass
class Demo:
    runtime: Container
    url: str
    logins: dict[str, tuple[str, str]]


@pytest.fixture(scope="module")
async def demo(
    database_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Demo]:
    data_dir = tmp_path_factory.mktemp("admin-pages")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    rt = Container.build(
        make_settings(database_urls["sqlite"], data_dir, port=port),
        responders=StaticRegistry(EchoResponder()),
    )
    await rt.start()
    async with rt.db.transaction() as session:
        _tenant, logins = await ensure_demo(session, rt.clock, data_dir, demo_origins(url, port))
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(rt, manage_runtime=False),
            host="127.0.0.1",
            port=port,
            log_config=None,
            lifespan="off",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield Demo(rt, url, {login.role: (login.email, login.password) for login in logins})
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 10)
    await rt.close()


async def logged_in(
    browser: Any, demo: Demo, role: str | None, locale: str
) -> tuple[Any, list[str]]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}")
            # Answers with an error status (a 422 form, a 410 link) are checked by status.
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    if role is not None:
        email, password = demo.logins[role]
        await page.goto(f"{demo.url}/login")
        await page.fill("#email", email)
        await page.fill("#password", password)
        await page.click("form[action='/login'] button[type=submit]")
        await page.wait_for_load_state()
    return page, problems


async def serious_violations(page: Any) -> list[str]:
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(axe_source())  # evaluated, not injected: the page's CSP stays strict
    result: list[str] = await page.evaluate(
        """async () => {
          const r = await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
          });
          return r.violations
            .filter(x => x.impact === "serious" || x.impact === "critical")
            .map(x => x.id + ": " + x.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return result


async def visit_all(page: Any, demo: Demo, paths: list[str], prefix: str) -> list[str]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for path in paths:
        response = await page.goto(f"{demo.url}{path}")
        if response is None or (response.status >= 400 and "invite" not in path):
            problems.append(f"{path}: {response.status if response else 'no answer'}")
            continue
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": 900})
            name = path.strip("/").replace("/", "_") or "root"
            await page.screenshot(path=str(SHOTS / f"{prefix}-{name}-{width}.png"), full_page=True)
        await page.set_viewport_size({"width": 1280, "height": 900})
        problems += [f"{path}: {v}" for v in await serious_violations(page)]
    return problems


async def test_every_admin_page_in_danish_and_english(browser: Any, demo: Demo) -> None:
    page, errors = await logged_in(browser, demo, "admin", "da-DK")
    problems = await visit_all(page, demo, ADMIN_PAGES, "admin-da")
    await page.goto(f"{demo.url}/admin/settings/widget")
    assert "Chatvindue" in await page.inner_text("main")
    await page.context.close()
    page, errors_en = await logged_in(browser, demo, "admin", "en-GB")
    problems += await visit_all(
        page, demo, ["/admin", "/admin/bot", "/admin/settings/site"], "admin-en"
    )
    await page.goto(f"{demo.url}/admin")
    assert "Getting started" in await page.inner_text("main")
    await page.context.close()
    assert not problems, "\n".join(problems)
    assert errors == [] and errors_en == [], errors + errors_en


async def test_operator_pages(browser: Any, demo: Demo) -> None:
    page, errors = await logged_in(browser, demo, "operator", "en-GB")
    problems = await visit_all(page, demo, OPERATOR_PAGES, "operator")
    await page.context.close()
    page, errors_public = await logged_in(browser, demo, None, "da-DK")
    problems += await visit_all(page, demo, PUBLIC_PAGES, "public")
    await page.context.close()
    assert not problems, "\n".join(problems)
    assert errors == [] and errors_public == [], errors + errors_public


async def test_keyboard(browser: Any, demo: Demo) -> None:
    """The skip link comes first and moves to the content; the navigation and a form are
    reached and used with the keyboard alone; a save with an error puts it beside the field."""
    page, errors = await logged_in(browser, demo, "admin", "en-GB")
    await page.goto(f"{demo.url}/admin/settings/retention")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"
    # Tab until the first field of the form, type a wrong value, submit with Enter.
    for _ in range(40):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == "f-bot_days":
            break
    else:
        raise AssertionError("the form's first field cannot be reached by keyboard")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("0")
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    error = page.locator("#f-bot_days-error")
    await error.wait_for()
    assert await page.get_attribute("#f-bot_days", "aria-invalid") == "true"
    assert await page.input_value("#f-bot_days") == "0"
    await page.screenshot(path=str(SHOTS / "keyboard-error.png"), full_page=True)
    # The side navigation by keyboard: focus the "Team" link and follow it.
    await page.focus('a[data-nav="team"]')
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{demo.url}/admin/team")
    await page.context.close()
    assert errors == [], errors


async def test_the_widget_look_with_an_uploaded_picture(
    browser: Any, demo: Demo, tmp_path: Any
) -> None:
    """The widget page takes a picture, a side, a theme and a launcher text; a file over the
    limit is refused beside its field before anything is sent; the saved picture shows."""
    from PIL import Image

    page, errors = await logged_in(browser, demo, "admin", "en-GB")
    await page.goto(f"{demo.url}/admin/settings/widget")
    big = tmp_path / "big.png"
    noise = Image.effect_noise((400, 400), 80).convert("RGB")
    noise.save(big)
    assert big.stat().st_size > 48 * 1024
    await page.set_input_files("#f-avatar_file", str(big))
    await page.click("form button[type=submit].primary")
    error = page.locator("#f-avatar_file-error")
    await error.wait_for()
    assert "48 KB" in await error.inner_text()
    assert page.url.endswith("/admin/settings/widget")  # not sent
    assert await page.get_attribute("#f-avatar_file", "aria-invalid") == "true"

    small = tmp_path / "saga.png"
    Image.new("RGB", (200, 200), (122, 31, 92)).save(small)
    await page.set_input_files("#f-avatar_file", str(small))
    await page.fill("#f-avatar_url", "")
    await page.select_option("#f-theme", "dark")
    await page.fill("#f-launcher_text-en", "Ask Nora")
    await page.click("form button[type=submit].primary")
    await page.wait_for_url("**/admin/settings/widget?saved=1")
    preview = page.locator("img.avatar-preview")
    await preview.wait_for()
    assert await preview.evaluate("img => img.complete && img.naturalWidth") == 128
    assert await page.input_value("#f-theme") == "dark"
    assert await page.input_value("#f-launcher_text-en") == "Ask Nora"
    await page.screenshot(path=str(SHOTS / "widget-look-saved.png"), full_page=True)
    assert await serious_violations(page) == []
    await page.context.close()
    assert errors == [], errors
