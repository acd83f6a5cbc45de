"""Talking to a person in real Chromium: a customer on the demo shop asks for a person, fills in
the pre-chat form, waits in the queue; an agent logs into the console in another browser context,
claims the chat; they write both ways and see each other typing; the agent closes; the customer
rates. Screenshots of each state go to `test-results/browser/handoff/`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from samtale.app.container import Container
from samtale.conversations.responder import (
    ConversationContext,
    IncomingMessage,
    Reply,
    StaticRegistry,
)
from samtale.demo.tenant import demo_origins, ensure_demo
from samtale.kernel.clock import ManualClock
from samtale.model import Handoff
from samtale.web.app import create_app
from tests.browser.conftest import RESULTS, TIMEOUT_MS
from tests.conftest import free_port, make_settings

SHOTS = RESULTS / "handoff"
BOT_NAME = "Nora"  # the demo shop's bot


class HandoffBot:
    """A small bot that hands over the way the real one does: "talk to a person" is answered by
    the live service's offer (the pre-chat form, or the offline form when nobody is there)."""

    def __init__(self) -> None:
        self.runtime: Container | None = None

    async def respond(self, conv: ConversationContext, message: IncomingMessage) -> list[Reply]:
        if message.intent == "talk_to_person" and self.runtime is not None:
            return await self.runtime.live.offer(conv)
        return [Reply(f"Svar: {message.text}")]


@dataclass
class DemoServer:
    runtime: Container
    url: str
    agent_email: str
    agent_password: str


@pytest.fixture(scope="module")
async def demo_server(
    database_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DemoServer]:
    data_dir = tmp_path_factory.mktemp("handoff-data")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    bot = HandoffBot()
    # A Wednesday morning in Copenhagen: within the demo shop's opening hours, whenever this runs.
    rt = Container.build(
        make_settings(database_urls["sqlite"], data_dir, port=port),
        responders=StaticRegistry(bot),
        clock=ManualClock(datetime(2026, 1, 7, 10, 0, tzinfo=UTC)),
    )
    bot.runtime = rt
    await rt.start()
    async with rt.db.transaction() as session:
        _tenant, logins = await ensure_demo(session, rt.clock, data_dir, demo_origins(url, port))
    agent = next(login for login in logins if login.role == "agent")
    app = create_app(rt, manage_runtime=False)
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
    yield DemoServer(rt, url, agent.email, agent.password)
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 10)
    await rt.close()


@dataclass
class Page:
    page: Any
    errors: list[str]

    def w(self, hook: str) -> Any:
        """A part of the chat widget (inside its shadow root; Playwright pierces it)."""
        return self.page.locator(f'[data-samtale="{hook}"]')

    def c(self, selector: str, **options: Any) -> Any:
        return self.page.locator(selector, **options)

    async def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path))
        return path


async def new_page(browser: Any, **options: Any) -> Page:
    options.setdefault("viewport", {"width": 1280, "height": 800})
    options.setdefault("locale", "da-DK")
    context = await browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.type}: {m.text} {m.location.get('url')}")
            if m.type == "error" and not str(m.location.get("url", "")).endswith("/favicon.ico")
            else None
        ),
    )
    page.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
    return Page(page, errors)


async def agent_logs_in(browser: Any, server: DemoServer) -> Page:
    agent = await new_page(browser, viewport={"width": 1400, "height": 860})
    await agent.page.goto(f"{server.url}/console")
    await agent.c("#email").fill(server.agent_email)
    await agent.c("#password").fill(server.agent_password)
    await agent.c("form[action='/login'] button[type=submit]").click()
    await agent.page.wait_for_url(f"{server.url}/console")
    await agent.c("#presence").select_option("online")
    await agent.c("#presence-dot.online").wait_for()
    return agent


async def test_a_customer_talks_to_a_person_and_rates_the_help(
    browser: Any, demo_server: DemoServer
) -> None:
    agent = await agent_logs_in(browser, demo_server)
    await agent.c("#queue-empty").wait_for()
    await agent.shot("1-console-empty")

    customer = await new_page(browser)
    await customer.page.goto(f"{demo_server.url}/")
    await customer.w("launcher").click()
    await customer.w("composer").wait_for()
    await customer.w("menu").click()
    await customer.w("human").click()
    form = customer.w("prechat")
    await form.wait_for()
    await customer.page.locator(
        '[data-samtale="reply"]', has_text="Jeg finder en person"
    ).wait_for()
    # The form says, in one line with a link, that the answers serve only this case.
    note = form.locator(".pnote")
    assert "bruges kun til din henvendelse" in await note.inner_text()
    assert await note.locator("a").get_attribute("href") == f"{demo_server.url}/privatliv"
    await customer.shot("2-widget-form")

    # Sent empty: each required field says so, and the first one gets the focus.
    await customer.w("prechat-submit").click()
    name = form.locator("input[name=name]")
    assert await name.get_attribute("aria-invalid") == "true"
    assert await form.locator("#sw-f0e").inner_text() == "Skal udfyldes"
    assert await form.locator("input[name=email]").get_attribute("aria-invalid") == "true"
    await customer.shot("3-widget-form-errors")
    await name.fill("Ingeborg Skjoldager")
    await form.locator("input[name=email]").fill("ingeborg@kundepost.dk")
    await form.locator("input[name=order]").fill("1004711")
    await form.locator("select[name=topic]").select_option("delivery")
    await form.locator("textarea[name=description]").fill("Min pakke er ikke kommet.")
    await customer.w("prechat-submit").click()
    position = customer.w("queue-position")
    await position.wait_for()
    await customer.page.wait_for_function(
        """() => document.querySelector('samtale-widget').shadowRoot
             .querySelector('[data-samtale=queue-position]').textContent.includes('nr. 1')"""
    )
    assert "Du er nr. 1 i køen" in await position.inner_text()
    await customer.page.locator('[data-samtale="window"].st-queued').wait_for()
    await customer.shot("4-widget-queue")

    # The agent's queue shows the customer with their answers; claiming opens the chat.
    item = agent.c('[data-hook="queue-item"]').first
    await item.wait_for()
    assert "Ingeborg Skjoldager" in await item.inner_text()
    assert agent.page.url.endswith("/console")
    await agent.page.wait_for_function("document.title.startsWith('(')")  # the title badge
    await agent.shot("5-console-queue")
    await item.locator('[data-hook="claim-item"]').click()
    await agent.c("#composer").wait_for()
    answers = agent.c('[data-hook="answers"]')
    assert "ingeborg@kundepost.dk" in await answers.inner_text()
    assert "Levering" in await answers.inner_text()
    transcript = agent.c('[data-hook="transcript"]')
    assert "Jeg vil gerne tale med en person" in await transcript.inner_text()  # the bot part too

    await customer.page.locator(".msg.system", has_text="Sofie fra kundeservice er med").wait_for()
    await customer.page.locator('[data-samtale="window"].st-live').wait_for()
    # The person is in the header: their name and initials, instead of the bot's.
    title = customer.page.locator("samtale-widget #sw-title")
    initials = customer.w("person-avatar")
    await initials.wait_for()
    person = await title.inner_text()
    assert person.startswith("Sofie") and person != BOT_NAME
    assert await initials.inner_text() == "".join(w[0] for w in person.split()[:2]).upper()
    assert await customer.page.locator("samtale-widget .sub").inner_text() == "Kundeservice"

    # The agent types: the customer sees it.
    await agent.c('[data-hook="reply"]').type("Hej Ingeborg")
    typing = customer.page.locator(".typing .tl", has_text="Sofie skriver")
    await typing.wait_for()
    await customer.shot("6-widget-agent-typing")
    await agent.c('[data-hook="reply"]').type(", lad mig se på din ordre.")
    await agent.c('[data-hook="send"]').click()
    await customer.page.locator(
        '[data-samtale="reply"]', has_text="lad mig se på din ordre"
    ).wait_for()

    # The customer types: the agent sees it, then the message; read marks both ways.
    await customer.w("composer").type("Tak! Den skulle være kommet i går")
    await agent.c("#typing:not([hidden])").wait_for()
    await agent.shot("7-console-customer-typing")
    await customer.w("composer").press("Enter")
    await agent.c('[data-hook="message"].visitor', has_text="skulle være kommet i går").wait_for()
    await customer.w("seen").wait_for()  # the agent has the chat open: read
    await agent.c(".msg.agent .seen:not([hidden])").wait_for()  # the customer's window is open
    await agent.shot("8-console-chat")
    await customer.shot("9-widget-live")

    # The agent closes with an outcome; the customer rates.
    await agent.c("#outcome").select_option("resolved")
    await agent.c('[data-hook="close"]').click()
    await agent.c("#chat-note", has_text="afsluttet").wait_for()
    stars = customer.w("star")
    await stars.first.wait_for()
    await customer.page.locator(".msg.system", has_text="Sofie har afsluttet samtalen").wait_for()
    # Back to the bot's name and picture once the person has closed the chat.
    assert await title.inner_text() == BOT_NAME
    assert await initials.is_hidden()
    await customer.shot("10-widget-rate")
    await stars.nth(3).click()
    assert await stars.nth(3).get_attribute("aria-pressed") == "true"
    assert await stars.nth(4).get_attribute("aria-pressed") == "false"
    await customer.page.locator('[data-samtale="person"] textarea').fill("Hurtig og venlig hjælp")
    await customer.w("rate-send").click()
    await customer.w("rated").wait_for()
    await customer.shot("11-widget-rated")
    # The comment goes with the rating (not into the chat), and the agent sees it there.
    details = agent.c("#details")
    await agent.c("#details dd", has_text="Hurtig og venlig hjælp").wait_for()
    assert "★★★★" in await details.inner_text()
    await agent.shot("11-console-rating-comment")
    assert await customer.w("visitor-message").filter(has_text="Hurtig og venlig").count() == 0
    await customer.w("back-to-bot").click()
    assert await customer.w("person").is_hidden()
    await customer.w("composer").fill("Hvad koster fragten?")
    await customer.w("composer").press("Enter")
    await customer.page.locator(
        '[data-samtale="reply"]', has_text="Svar: Hvad koster fragten?"
    ).wait_for()
    await customer.shot("12-widget-back-to-bot")

    async with demo_server.runtime.db.session() as s:
        # This customer's handoff (the run's other tests share the demo shop).
        [h] = [
            h
            for h in (await s.scalars(select(Handoff))).all()
            if (h.answers or {}).get("email") == "ingeborg@kundepost.dk"
        ]
    assert (h.status, h.outcome, h.rating) == ("closed", "resolved", 4)
    assert h.rating_comment == "Hurtig og venlig hjælp"
    assert agent.errors == [] and customer.errors == []
    await agent.page.context.close()
    await customer.page.context.close()


async def test_nobody_there_the_customer_leaves_a_message(
    browser: Any, demo_server: DemoServer
) -> None:
    live = demo_server.runtime.live
    # Every agent offline.
    async with demo_server.runtime.db.transaction() as s:
        from sqlalchemy import update

        from samtale.model import AgentPresence

        await s.execute(update(AgentPresence).values(status="offline"))
    customer = await new_page(browser)
    await customer.page.goto(f"{demo_server.url}/")
    await customer.w("launcher").click()
    await customer.w("menu").click()
    await customer.w("human").click()
    form = customer.w("offline")
    await form.wait_for()
    # The demo page is Danish, so the widget speaks Danish.
    await customer.page.locator(
        '[data-samtale="reply"]', has_text="Der er ingen fra kundeservice ledige"
    ).wait_for()
    await customer.w("offline-submit").click()
    assert await form.locator("#sw-oe").get_attribute("aria-invalid") == "true"
    await form.locator("#sw-oe").fill("ingeborg@kundepost.dk")
    await form.locator("#sw-om").fill("Can you call me about order 1004711?")
    await customer.shot("13-widget-offline-form")
    await customer.w("offline-submit").click()
    await customer.w("offline-sent").wait_for()
    await customer.shot("14-widget-offline-sent")

    agent = await agent_logs_in(browser, demo_server)
    await agent.c('[data-tab="requests"]').click()
    request = agent.c('[data-hook="request-item"]').first
    await request.wait_for()
    assert "Can you call me about order 1004711?" in await request.inner_text()
    await agent.shot("15-console-requests")
    assert live.mailer is None  # no SMTP in this test: the console says so
    assert "SAMTALE_SMTP_URL" in await request.inner_text()
    await agent.c('[data-tab="history"]').click()
    await agent.c('[data-hook="history-item"]').first.wait_for()
    await agent.shot("16-console-history")
    assert agent.errors == [] and customer.errors == []
    await agent.page.context.close()
    await customer.page.context.close()
