"""The Danish console and admin show names, never ids: every ordinary page, walked in Chromium as
the demo shop's agent, admin and operator, after a customer's conversation has given the pages
something to show (a topic the bot recognised, a parcel with its carrier, a chat with a person
closed with an outcome). A page fails when its visible text holds a topic, outcome or slot id
(`track_order`, `follow_up`, `order_number`), a carrier's lower-case id (`gls`) or an intent's
English description. Expert pages (the YAML, the try-it chat's debugging notes, the API
documentation) keep their ids and are not walked. Screenshots go to
`test-results/browser/staff-names/`."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from samtale.app.container import Container
from samtale.bot.content import load_content
from samtale.conversations.responder import (
    ConversationContext,
    IncomingMessage,
    Reply,
    StaticRegistry,
)
from samtale.demo.content_dir import DEMO_CONTENT_DIR
from samtale.demo.tenant import demo_origins, ensure_demo
from samtale.kernel.clock import ManualClock
from samtale.live.service import Agent
from samtale.live.settings import OUTCOMES
from samtale.model import User
from samtale.shop.carriers.names import NAMES as CARRIERS
from samtale.web.app import create_app
from tests.browser.conftest import RESULTS, TIMEOUT_MS
from tests.conftest import free_port, make_settings

SHOTS = RESULTS / "staff-names"
# A Tuesday morning in Copenhagen: the demo shop's customer service is open.
NOW = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
ADMIN_PAGES = [
    "/admin",
    "/admin/dashboard",
    "/admin/review",
    "/admin/evaluation",
    "/admin/bot",
    "/admin/bot/intents/track_order",
    "/admin/bot/intents/new",
    "/admin/bot/intents/goodbye/delete",
    "/admin/bot/flows/track_order/delete",
    "/admin/bot/flows",
    "/admin/bot/flows/track_order",
    "/admin/bot/messages",
    "/admin/bot/versions",
    "/admin/knowledge",
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
OPERATOR_PAGES = ["/admin", "/admin/tenants", "/admin/tenants/demo", "/admin/audit"]


def forbidden() -> tuple[re.Pattern[str], list[str]]:
    """The ids nobody but an expert should read, and the content's English descriptions."""
    content = load_content(DEMO_CONTENT_DIR)
    ids = {i.name for i in content.intents} | {f.name for f in content.flows}
    ids |= {s.name for f in content.flows for s in f.slots}
    ids |= set(OUTCOMES) | {"idle", "answered", "fallback", "handoff_offered", "flow_completed"}
    ids |= set(CARRIERS)
    ids |= {"order_number", "tracking_number", "shipments", "carrier"}
    pattern = re.compile(
        r"(?<![\w@./{-])(" + "|".join(sorted(ids, key=len, reverse=True)) + r")(?![\w@-])"
    )
    english = [i.description for i in content.intents if len(i.description) > 12]
    return pattern, english


class TopicResponder:
    """The bot, as far as these pages need it: "pakke" is the order-tracking topic, answered
    with a parcel card (carrier GLS) and what it found kept on the conversation."""

    async def respond(self, conv: ConversationContext, message: IncomingMessage) -> list[Reply]:
        conv.notes.language = "da"
        if "pakke" in message.text:
            conv.notes.intent, conv.notes.outcome, conv.notes.confidence = (
                "track_order",
                "answered",
                0.93,
            )
            conv.notes.confidence_band = "high"
            conv.bot_state["context"] = {
                "track_order": {"order_number": "104827361", "shipments": ["00057123456789"]},
                "track_shipment": {"carrier": "gls"},
            }
            card = {
                "type": "tracking",
                "carrier": "gls",
                "carrier_name": "GLS",
                "status": "in_transit",
                "status_text": "Pakken er på vej",
                "tracking_number": "00057123456789",
            }
            return [Reply("Din pakke er på vej med GLS.", card)]
        conv.notes.outcome = "fallback"
        return [Reply("Det forstod jeg ikke.")]


@dataclass
class Demo:
    runtime: Container
    url: str
    logins: dict[str, tuple[str, str]]


@pytest.fixture(scope="module")
async def demo(
    database_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Demo]:
    data_dir = tmp_path_factory.mktemp("staff-names")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    rt = Container.build(
        make_settings(database_urls["sqlite"], data_dir, port=port),
        responders=StaticRegistry(TopicResponder()),
        clock=ManualClock(NOW),
    )
    await rt.start()
    async with rt.db.transaction() as session:
        tenant, logins = await ensure_demo(session, rt.clock, data_dir, demo_origins(url, port))
        agent_email = next(login.email for login in logins if login.role == "agent")
        user = await session.scalar(select(User).where(User.email == agent_email))
        assert user is not None
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
    # A customer: the bot finds the parcel, then they ask for a person, who takes the chat,
    # writes an internal note and closes it as needing a follow-up.
    agent = Agent(user.id, tenant.id, user.display_name or "Agent", "agent")
    await rt.live.set_presence(agent, "online")
    async with httpx.AsyncClient(base_url=url, timeout=20) as api:
        r = await api.post(
            "/api/v1/widget/demo/conversations", json={"language": "da"}, headers={"origin": url}
        )
        conv = r.json()
        headers = {"authorization": f"Bearer {conv['token']}"}
        cid = conv["conversation_id"]
        for text in ("hvor er min pakke", "øh"):
            r = await api.post(
                f"/api/v1/conversations/{cid}/messages", json={"text": text}, headers=headers
            )
            assert r.status_code == 201, r.text
        r = await api.post(
            f"/api/v1/conversations/{cid}/handoff",
            json={
                "answers": {
                    "name": "Karen",
                    "email": "karen.staff-names@kundepost.dk",
                    "order": "104827361",
                    "topic": "delivery",
                }
            },
            headers=headers,
        )
        assert r.status_code == 201, r.text
        handoff = r.json()["handoff_id"]
    import uuid

    await rt.live.claim(agent, uuid.UUID(handoff))
    await rt.live.send_once(agent, uuid.UUID(cid), "Jeg kigger på det.", None)
    await rt.live.add_note(agent, uuid.UUID(cid), "Ring til GLS i morgen")
    await rt.live.close(agent, uuid.UUID(cid), "follow_up")
    yield Demo(rt, url, {login.role: (login.email, login.password) for login in logins})
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 10)
    await rt.close()


async def logged_in(browser: Any, demo: Demo, role: str) -> Any:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    email, password = demo.logins[role]
    await page.goto(f"{demo.url}/login")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state()
    return page


CUSTOMER_WORDS_HIDDEN = """() => {
  const hidden = [...document.querySelectorAll("q.question, .msg.visitor")];
  const before = hidden.map((e) => e.style.display);
  hidden.forEach((e) => { e.style.display = "none"; });
  const text = document.body.innerText;
  hidden.forEach((e, i) => { e.style.display = before[i]; });
  return text;
}"""


async def raw_ids(page: Any, where: str) -> list[str]:
    pattern, english = forbidden()
    # The page's own words only: what customers wrote (a question in the review inbox, a chat
    # message of theirs) may be any word, "thanks" included, and is not a label.
    text = await page.evaluate(CUSTOMER_WORDS_HIDDEN)
    found = [
        f"{where}: {m.group(0)!r} in …{text[max(0, m.start() - 30) : m.end() + 30]!r}…"
        for m in pattern.finditer(text)
    ]
    found += [f"{where}: English description {d!r}" for d in english if d in text]
    return found


async def walk(page: Any, demo: Demo, paths: list[str], prefix: str) -> list[str]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for path in paths:
        response = await page.goto(f"{demo.url}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        name = path.strip("/").replace("/", "_") or "root"
        await page.screenshot(path=str(SHOTS / f"{prefix}-{name}.png"), full_page=True)
        problems += await raw_ids(page, f"{prefix} {path}")
    return problems


async def test_the_danish_console_and_admin_show_no_raw_ids(browser: Any, demo: Demo) -> None:
    problems: list[str] = []
    # The agent: the console, the closed conversation opened from the history.
    page = await logged_in(browser, demo, "agent")
    await page.goto(f"{demo.url}/console")
    await page.wait_for_selector("#console")
    problems += await raw_ids(page, "agent /console")
    await page.click("#tab-history")
    await page.locator("#view-history .item button.open").first.click()
    await page.wait_for_selector("[data-hook=message]")
    await page.wait_for_selector("[data-hook=note]")
    await page.screenshot(path=str(SHOTS / "agent-console-conversation.png"), full_page=True)
    shown = await page.evaluate("document.body.innerText")
    # What the bot found and the parcel card, named: the topic, the order number, the carrier.
    assert "Hvor er min ordre?" in shown and "Ordrenummer" in shown and "GLS" in shown, shown
    assert "Ring til GLS i morgen" in shown  # the internal note
    problems += await raw_ids(page, "agent /console (conversation)")
    await page.context.close()

    # The admin: every ordinary page, the dashboard with the topic and the outcome.
    page = await logged_in(browser, demo, "admin")
    problems += await walk(page, demo, ADMIN_PAGES, "admin")
    await page.goto(f"{demo.url}/admin/dashboard")
    dashboard = await page.evaluate("document.body.innerText")
    assert "Hvor er min ordre?" in dashboard and "Skal følges op" in dashboard, dashboard
    await page.context.close()

    page = await logged_in(browser, demo, "operator")
    problems += await walk(page, demo, OPERATOR_PAGES, "operator")
    await page.context.close()
    assert not problems, "\n".join(problems)
