"""A new shop from nothing, in real Chromium, without touching a file or a command: the operator
creates the shop; its admin accepts the e-mailed invitation, builds a small bot in Danish and
English, tries it, publishes it, allows the shop's own site and copies the script tag onto a page
there (another origin); a customer on that page talks to the bot and asks for a person; the admin
takes the chat in the console; and the chat shows in the statistics.

The server runs every feature (`wiring.build_runtime`: the real bot, trained when published),
e-mail goes to an SMTP server on loopback (aiosmtpd), and the shop's page is served by a second
server on another port. Screenshots go to `test-results/browser/admin/`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from samtale.app.container import Container
from samtale.infra.mail import SmtpMailer
from samtale.tenants.service import UserCreate, create_user
from samtale.web.app import create_app
from tests.browser.conftest import RESULTS, TIMEOUT_MS
from tests.conftest import free_port, make_settings

SHOTS = RESULTS / "admin"
OPERATOR_PASSWORD = "operator password 1"
ADMIN_PASSWORD = "admin password 12"


@dataclass
class Inbox:
    messages: list[email.message.Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    async def link(self, to: str, seconds: float = 10) -> str:
        for _ in range(int(seconds * 20)):
            for m in self.messages:
                if m["To"] == to:
                    body = m.get_payload(decode=True).decode()  # type: ignore[union-attr]
                    found = re.search(r"https?://\S+/account/invite/\S+", body)
                    assert found, body
                    return found.group(0)
            await asyncio.sleep(0.05)
        raise AssertionError(f"no e-mail to {to}")


@dataclass
class Platform:
    runtime: Container
    url: str  # Samtale
    shop_url: str  # the shop's own site: another origin
    inbox: Inbox
    operator_email: str
    pages: dict[str, str] = field(default_factory=dict)


async def _serve(app: Any, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, lifespan="off", ws_ping_interval=None
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return server, task


@pytest.fixture(scope="module")
async def platform(database_urls: dict[str, str], bot_data_dir: Path) -> AsyncIterator[Platform]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()

    port, shop_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    rt = Container.build(
        make_settings(database_urls["sqlite"], bot_data_dir, port=port, public_url=url)
    )
    await rt.start()
    rt.admin.mailer = SmtpMailer(
        host="127.0.0.1", port=smtp_port, sender="no-reply@samtale.test", starttls=False
    )
    operator_email = f"operator-{uuid.uuid4().hex[:8]}@samtale.test"
    async with rt.db.transaction() as session:
        await create_user(
            session,
            None,
            UserCreate(email=operator_email, password=OPERATOR_PASSWORD, role="operator"),
            rt.clock,
        )
    platform = Platform(rt, url, f"http://localhost:{shop_port}", inbox, operator_email)

    shop = FastAPI()

    @shop.get("/{page}", response_class=HTMLResponse)
    async def shop_page(page: str) -> HTMLResponse:
        return HTMLResponse(platform.pages.get(page, "<!doctype html><title>404</title>"))

    samtale, samtale_task = await _serve(create_app(rt, manage_runtime=False), port)
    shop_server, shop_task = await _serve(shop, shop_port)
    yield platform
    for server in (samtale, shop_server):
        server.should_exit = True
    for task in (samtale_task, shop_task):
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
    await rt.close()
    controller.stop()


@dataclass
class Tab:
    page: Any
    errors: list[str]

    def c(self, selector: str, **options: Any) -> Any:
        return self.page.locator(selector, **options)

    def w(self, hook: str) -> Any:
        return self.page.locator(f'[data-samtale="{hook}"]')

    async def shot(self, name: str, width: int | None = None) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        if width is not None:
            await self.page.set_viewport_size({"width": width, "height": 900})
        await self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if width is not None:
            await self.page.set_viewport_size({"width": 1280, "height": 860})


async def new_tab(browser: Any, **options: Any) -> Tab:
    options.setdefault("viewport", {"width": 1280, "height": 860})
    options.setdefault("locale", "da-DK")
    context = await browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.type}: {m.text}")
            if m.type == "error" and "favicon" not in str(m.location.get("url", ""))
            else None
        ),
    )
    page.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
    return Tab(page, errors)


async def log_in(tab: Tab, url: str, email_: str, password: str) -> None:
    await tab.page.goto(f"{url}/login")
    await tab.c("#email").fill(email_)
    await tab.c("#password").fill(password)
    await tab.c("form[action='/login'] button[type=submit]").click()
    await tab.page.wait_for_load_state()


async def add_intent(tab: Tab, url: str, name: str, texts: dict[str, tuple[str, str]]) -> None:
    await tab.page.goto(f"{url}/admin/bot/intents/new")
    await tab.c("#f-name").fill(name)
    for lang, (examples, answer) in texts.items():
        await tab.c(f"#f-examples-{lang}").fill(examples)
        await tab.c(f"#f-answers-{lang}").fill(answer)
    await tab.c(".intent-form button.primary[type=submit]").click()
    await tab.c(".notice").wait_for()


async def test_a_new_shop_from_nothing_to_a_served_chat(browser: Any, platform: Platform) -> None:
    url = platform.url
    slug = f"hygge-{uuid.uuid4().hex[:6]}"
    admin_email = f"ejer@{slug}.example"

    # The operator creates the shop.
    operator = await new_tab(browser)
    await log_in(operator, url, platform.operator_email, OPERATOR_PASSWORD)
    assert operator.page.url.endswith("/admin/tenants")
    await operator.c("#f-name").fill("Hyggebutikken")
    await operator.c("#f-slug").fill(slug)
    await operator.c("#f-admin_email").fill(admin_email)
    await operator.shot("01-operator-new-shop")
    await operator.c("form[action='/admin/tenants'] button[type=submit]").click()
    await operator.page.wait_for_url(f"**/admin/tenants/{slug}?created=sent")
    await operator.shot("02-operator-shop-created")

    # The admin accepts the invitation: a password, and they are in.
    link = await platform.inbox.link(admin_email)
    admin = await new_tab(browser)
    await admin.page.goto(link)
    await admin.shot("03-invitation")
    await admin.c("#f-password").fill(ADMIN_PASSWORD)
    await admin.c("#f-confirm").fill(ADMIN_PASSWORD)
    await admin.c("form button[type=submit]").click()
    await admin.page.wait_for_url(f"{url}/admin")
    await admin.shot("04-admin-home")

    # The bot: two intents in Danish and English, beside the starter content.
    await add_intent(
        admin,
        url,
        "opening_hours",
        {
            "da": (
                "hvornår har I åbent\nåbningstider\ner butikken åben i dag\nhvornår lukker I\n"
                "har I åbent om lørdagen",
                "Vi har åbent hverdage 10–17 og lørdag 10–14.",
            ),
            "en": (
                "when are you open\nopening hours\nis the shop open today\nwhen do you close\n"
                "are you open on saturday",
                "We are open weekdays 10–17 and Saturday 10–14.",
            ),
        },
    )
    await add_intent(
        admin,
        url,
        "gift_cards",
        {
            "da": (
                "sælger I gavekort\nkan jeg købe et gavekort\ngavekort\nhvor længe gælder et "
                "gavekort\nkan jeg bruge mit gavekort online",
                "Ja, gavekort fås i butikken og gælder i tre år.",
            ),
            "en": (
                "do you sell gift cards\ncan i buy a gift card\ngift card\nhow long is a gift "
                "card valid\ncan i use my gift card online",
                "Yes, gift cards are sold in the shop and are valid for three years.",
            ),
        },
    )
    await admin.page.goto(f"{url}/admin/bot/intents/gift_cards")
    await admin.shot("05-intent-form")
    await admin.shot("05-intent-form-tablet", width=820)
    await admin.page.goto(f"{url}/admin/bot")
    await admin.shot("06-intents")

    # Try the draft.
    await admin.page.goto(f"{url}/admin/bot/try")
    await admin.c("#try-text").fill("sælger I gavekort?")
    await admin.c("#try-text").press("Enter")
    await admin.c(".try-log .msg.bot", has_text="gavekort fås i butikken").wait_for(timeout=120_000)
    await admin.shot("07-try-it")

    # Publish: trained in the background, then live.
    await admin.page.goto(f"{url}/admin/bot/versions")
    await admin.c("form[action='/admin/bot/publish'] button").click()
    await admin.page.wait_for_url(f"{url}/admin/bot/versions")
    with contextlib.suppress(Exception):
        await admin.c("[data-job] progress").wait_for(timeout=3000)
        await admin.shot("08-publishing")
    await admin.c(".bot-status .badge.ok").wait_for(timeout=180_000)
    await admin.c("table.versions td.num", has_text="%").first.wait_for(timeout=180_000)
    await admin.shot("09-published")

    # The shop's own site may open the chat; the script tag goes onto a page there.
    await admin.page.goto(f"{url}/admin/settings/site")
    await admin.c("#f-allowed_origins").fill(platform.shop_url)
    await admin.c("form[action='/admin/settings/site'] button[type=submit]").click()
    await admin.c(".notice").wait_for()
    script = (await admin.c("#script-tag").input_value()).strip()
    assert script.startswith(f'<script src="{url}/widget.js"')
    await admin.shot("10-installation")
    platform.pages["index.html"] = (
        '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Hyggebutikken</title>'
        '<link rel="icon" href="data:,"></head><body><h1>Hyggebutikken</h1>'
        f"<p>Lys, plaider og krus.</p>{script}</body></html>"
    )

    # The admin goes online in the console (admins can take chats too).
    await admin.page.goto(f"{url}/console")
    await admin.c("#presence").select_option("online")
    await admin.c("#presence-dot.online").wait_for()

    # A customer on the shop's site talks to the published bot, then asks for a person.
    customer = await new_tab(browser)
    await customer.page.goto(f"{platform.shop_url}/index.html")
    await customer.w("launcher").click()
    await customer.w("composer").wait_for()
    await customer.w("composer").fill("hvornår har I åbent?")
    await customer.w("composer").press("Enter")
    await customer.page.locator('[data-samtale="reply"]', has_text="hverdage 10–17").wait_for(
        timeout=30_000
    )
    await customer.shot("11-customer-bot")
    await customer.w("menu").click()
    await customer.w("human").click()
    form = customer.w("prechat")
    await form.wait_for()
    await form.locator("input[name=email]").fill("kunde@kundepost.dk")
    await customer.w("prechat-submit").click()
    await customer.w("queue-position").wait_for()

    # The admin takes the chat and answers.
    item = admin.c('[data-hook="queue-item"]').first
    await item.wait_for()
    await item.locator('[data-hook="claim-item"]').click()
    await admin.c("#composer").wait_for()
    await admin.c('[data-hook="reply"]').fill("Hej! Jeg hjælper dig gerne.")
    await admin.c('[data-hook="send"]').click()
    await customer.page.locator('[data-samtale="reply"]', has_text="hjælper dig gerne").wait_for()
    await admin.shot("12-console-chat")
    await customer.shot("13-customer-person")
    await admin.c("#outcome").select_option("resolved")
    await admin.c('[data-hook="close"]').click()
    await admin.c("#chat-note").wait_for()

    assert operator.errors == [] and admin.errors == [] and customer.errors == [], (
        operator.errors + admin.errors + customer.errors
    )

    # The statistics show the chat: on the dashboard when the insights pages are there, else
    # through the statistics API, else (until either exists) the figures themselves.
    await admin.page.goto(f"{url}/admin")
    if await admin.c('a[data-nav="dashboard"]').count():
        await admin.c('a[data-nav="dashboard"]').click()
        await admin.page.wait_for_load_state()
        await admin.shot("14-statistics")
        stats = await admin.page.request.get(f"{url}/api/v1/admin/stats")
        assert stats.ok, await stats.text()
        assert _conversations(await stats.json()) >= 1
    else:
        stats = await admin.page.request.get(f"{url}/api/v1/admin/stats")
        if stats.status != 404:
            assert stats.ok, await stats.text()
            assert _conversations(await stats.json()) >= 1
        else:
            from datetime import timedelta

            from sqlalchemy import select

            from samtale.insights.stats import Stats
            from samtale.model import Tenant

            today = platform.runtime.clock.now().date()
            async with platform.runtime.db.session() as session:
                tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
                assert tenant_id is not None
                figures = await Stats(session, tenant_id).figures(
                    today - timedelta(days=1), today + timedelta(days=1)
                )
            totals = figures.totals
            assert totals.conversations >= 1 and totals.served_by_agent >= 1, totals

    for tab in (operator, admin, customer):
        await tab.page.context.close()


def _figure(data: Any, name: str) -> int:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == name and isinstance(value, int | float):
                return int(value)
            found = _figure(value, name)
            if found >= 0:
                return found
    if isinstance(data, list):
        for value in data:
            found = _figure(value, name)
            if found >= 0:
                return found
    return -1


def _conversations(data: Any) -> int:
    """The first `conversations` figure anywhere in the statistics' answer."""
    return _figure(data, "conversations")
