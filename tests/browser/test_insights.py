"""The insight pages in real Chromium: the demo shop's admin logs in and reads the dashboard (its
charts by keyboard, the filters), works through the review inbox by keyboard, and opens the
evaluation history. The data: ten weeks of statistics events, a handful of redacted questions in
the sample, and three evaluated versions. Screenshots go to `test-results/browser/insights/`."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from sqlalchemy import select

from samtale.app.container import Container
from samtale.bot.content import Content
from samtale.bot.store import ContentVersions, ensure_builtin_content
from samtale.conversations.repository import Conversations
from samtale.conversations.responder import StaticRegistry
from samtale.demo.content_dir import DEMO_CONTENT_DIR
from samtale.insights.events import Event, record
from samtale.kernel.clock import ManualClock
from samtale.model import BotPublishJob, SampleItem
from samtale.tenants.service import UserCreate, create_user
from samtale.web.app import create_app
from tests.browser.conftest import RESULTS, TIMEOUT_MS, axe_source
from tests.conftest import EchoResponder, free_port, make_settings, new_tenant

SHOTS = RESULTS / "insights"
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday
CPH = ZoneInfo("Europe/Copenhagen")
INTENTS = ["track_order", "return_how", "delivery_time", "payment_methods", "opening_hours"]
INTENTS += ["gift_cards", "size_guide", "change_order", "complaint", "club_membership"]
SAMPLE = [
    ("da", "hvornår kommer min pakke, jeg bestilte i mandags", "track_order", 0.91, "high"),
    ("da", "kan jeg bytte til en større størrelse", "return_how", 0.55, "medium"),
    ("sv", "tar ni emot presentkort i butiken", "gift_cards", 0.34, "low"),
    ("en", "my name is [NAME] and the zip broke after a week", None, 0.0, "low"),
    ("fi", "voinko maksaa laskulla", "payment_methods", 0.62, "medium"),
    ("nb", "hvor lang tid tar levering til Tromsø", "delivery_time", 0.88, "high"),
]


@dataclass
class InsightsServer:
    runtime: Container
    url: str
    email: str
    password: str


async def seed(rt: Container, tenant_id: uuid.UUID) -> None:
    rng = random.Random(3)
    day0 = NOW.astimezone(CPH).date() - timedelta(days=69)
    for d in range(70):
        day = day0 + timedelta(days=d)
        weekend = day.weekday() >= 5
        volume = int((60 if weekend else 110) * (1 + d / 140))
        for hour in (8, 10, 12, 14, 16, 19, 21):
            when = datetime(day.year, day.month, day.day, hour, 15, tzinfo=CPH).astimezone(UTC)
            if when > NOW:
                continue
            n = max(
                1,
                int(
                    volume
                    * {8: 0.08, 10: 0.18, 12: 0.2, 14: 0.18, 16: 0.14, 19: 0.14, 21: 0.08}[hour]
                ),
            )
            events: list[Event] = []
            for _ in range(n):
                lang = rng.choices(["da", "sv", "nb", "fi", "en"], [45, 22, 15, 10, 8])[0]
                events.append(Event("conversation", lang))
                for _turn in range(rng.choice((1, 2, 2, 3))):
                    if rng.random() < 0.09:
                        events.append(Event("turn", lang, outcome="fallback"))
                        continue
                    intent = INTENTS[min(int(rng.paretovariate(1.1)) - 1, len(INTENTS) - 1)]
                    band = rng.choices(["high", "medium", "low"], [75, 18, 7])[0]
                    events.append(Event("turn", lang, intent, band, "answered"))
                if rng.random() < 0.12:
                    events.append(Event("flow", lang, flow="track_order", outcome="started"))
                    events.append(
                        Event(
                            "flow",
                            lang,
                            flow="track_order",
                            outcome=rng.choice(["completed"] * 4 + ["abandoned"]),
                        )
                    )
                if rng.random() < 0.09:
                    wait = int(rng.expovariate(1 / 70))
                    events += [
                        Event("queued", lang),
                        Event("claimed", lang, seconds=wait),
                        Event("first_reply", lang, seconds=wait + int(rng.expovariate(1 / 25))),
                        Event(
                            "closed",
                            lang,
                            outcome="resolved",
                            seconds=int(rng.expovariate(1 / 300)),
                        ),
                    ]
                    if rng.random() < 0.6:
                        events.append(
                            Event(
                                "rating",
                                lang,
                                rating=rng.choices([5, 4, 3, 2, 1], [55, 25, 9, 6, 5])[0],
                            )
                        )
            async with rt.db.transaction() as session:
                await record(session, tenant_id, CPH, when, events)
    async with rt.db.transaction() as session:
        conv = await Conversations(session, tenant_id).create(
            id=uuid.uuid4(), token=uuid.uuid4().hex * 2, language="da", now=NOW
        )
        for i, (language, text, guess, conf, band) in enumerate(SAMPLE):
            session.add(
                SampleItem(
                    id=uuid.uuid4(),
                    tenant_id=tenant_id,
                    conversation_id=conv.id,
                    language=language,
                    text=text,
                    intent=guess,
                    confidence=conf,
                    band=band,
                    outcome="fallback" if guess is None else "answered",
                    status="new",
                    label=None,
                    created_at=NOW - timedelta(hours=i),
                    expires_at=NOW + timedelta(days=90),
                    reviewed_at=None,
                )
            )
        # Three evaluated versions: the live one and two earlier ones (return_how dropped).
        versions = ContentVersions(session, tenant_id)
        live = await versions.published()
        assert live is not None
        content = Content.model_validate(live.content)
        rows = [live]
        for _n in range(2):
            rows.append(await versions.save(content, "review", rt.clock, publish=True))
        for i, row in enumerate(rows):
            accuracy = [0.86, 0.89, 0.9][i]
            intents = {name: round(0.8 + 0.015 * j + 0.02 * i, 3) for j, name in enumerate(INTENTS)}
            if i == 2:
                intents["return_how"] = 0.74
            session.add(
                BotPublishJob(
                    id=uuid.uuid4(),
                    tenant_id=tenant_id,
                    version_id=row.id,
                    status="succeeded",
                    stage="done",
                    done=1,
                    total=1,
                    error=None,
                    evaluation={
                        "accuracy": accuracy,
                        "macro_f1": accuracy - 0.03,
                        "rows": 2400 + 40 * i,
                        "folds": 5,
                        "languages": {
                            lang: {"accuracy": accuracy - k * 0.01, "macro_f1": accuracy - 0.04}
                            for k, lang in enumerate(["da", "sv", "nb", "fi", "en"])
                        },
                        "intents": intents,
                        "confused": [
                            {"expected": "return_how", "predicted": "change_order", "count": 7},
                            {"expected": "delivery_time", "predicted": "track_order", "count": 4},
                        ],
                        "subsets": {"reviewed": {"accuracy": [0, 0.7, 0.8][i], "rows": 10 * i}}
                        if i
                        else {},
                    },
                    created_at=NOW - timedelta(days=10 - i),
                    updated_at=NOW - timedelta(days=10 - i),
                    finished_at=NOW - timedelta(days=10 - i),
                )
            )
            row.published_at = NOW - timedelta(days=10 - i)


@pytest.fixture(scope="module")
async def insights_server(
    database_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[InsightsServer]:
    data_dir = tmp_path_factory.mktemp("insights-data")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    rt = Container.build(
        make_settings(database_urls["sqlite"], data_dir, port=port),
        responders=StaticRegistry(EchoResponder()),
        clock=ManualClock(NOW),
    )
    await rt.start()
    # A shop of its own (other tests of the run may have talked to the demo shop), with the
    # demo content and an admin.
    tenant = await new_tenant(rt.db, rt.clock, name="Nordhjem", allowed_origins=[url])
    async with rt.db.transaction() as session:
        await ensure_builtin_content(session, tenant.id, rt.clock, DEMO_CONTENT_DIR)
        admin = await create_user(
            session,
            tenant,
            UserCreate(
                email=f"admin-{tenant.slug}@example.org",
                password=PASSWORD,
                role="admin",
                display_name="Mads",
            ),
            rt.clock,
        )
    await seed(rt, tenant.id)
    app = create_app(rt, manage_runtime=False)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield InsightsServer(rt, url, admin.email, PASSWORD)
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 10)
    await rt.close()


async def admin_page(browser: Any, server: InsightsServer, **options: Any) -> tuple[Any, list[str]]:
    options.setdefault("viewport", {"width": 1360, "height": 900})
    options.setdefault("locale", "en-GB")
    context = await browser.new_context(bypass_csp=True, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not str(m.location.get("url", "")).endswith("/favicon.ico")
            else None
        ),
    )
    await page.goto(f"{server.url}/admin/dashboard")
    await page.locator("#email").fill(server.email)
    await page.locator("#password").fill(server.password)
    await page.locator("form[action='/login'] button[type=submit]").click()
    await page.wait_for_url(f"{server.url}/admin/dashboard")
    return page, errors


async def shot(page: Any, name: str, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


async def serious_violations(page: Any) -> list[str]:
    await page.add_script_tag(content=axe_source())
    result = await page.evaluate(
        """async () => {
          const r = await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
          });
          return r.violations
            .filter(x => x.impact === "serious" || x.impact === "critical")
            .map(x => x.id + ": " + x.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return list(result)


async def test_the_dashboard_reads_by_keyboard(
    browser: Any, insights_server: InsightsServer
) -> None:
    page, errors = await admin_page(browser, insights_server)
    await page.locator("nav.presets a", has_text="Last 30 days").click()
    await page.wait_for_load_state()
    kpi = page.locator('[data-kpi="conversations"]')
    assert int((await kpi.inner_text()).replace(",", "")) > 2000
    charts = page.locator("svg[data-chart]")
    assert await charts.count() >= 6
    await shot(page, "dashboard")
    await shot(page, "dashboard-top", full=False)

    # The per-day chart: focus it, step along the days with the arrow keys.
    chart = charts.first
    await chart.focus()
    readout = page.locator(".chart-readout").first
    await page.keyboard.press("End")
    last = await readout.inner_text()
    assert "4 Mar" in last and "conversations" in last
    await page.keyboard.press("ArrowLeft")
    assert "3 Mar" in await readout.inner_text()
    await chart.screenshot(path=str(SHOTS / "chart-focused.png"))
    # The busiest hours: a weekday and hour read out.
    heat = page.locator("svg.heat")
    await heat.focus()
    await page.keyboard.press("ArrowRight")
    assert "Monday 01:00" in await page.locator("#h-hours ~ .chart-readout").inner_text()

    # The filters by keyboard: one language.
    await page.locator("#f-language").focus()
    await page.keyboard.press("ArrowDown")  # Dansk
    await page.locator("#f-language").select_option("sv")
    await page.locator("#f-to").press("Enter")
    await page.wait_for_url("**language=sv**")
    assert "Svenska" in await page.locator(".ins-range").inner_text()
    await shot(page, "dashboard-swedish", full=False)

    # A year: weekly bars.
    await page.locator("nav.presets a", has_text="Last 365 days").click()
    await page.wait_for_load_state()
    assert await page.locator("#h-per-day").inner_text() == "Conversations per week"
    await shot(page, "dashboard-year", full=False)
    assert await serious_violations(page) == []
    assert errors == []
    await page.context.close()


async def test_the_review_inbox_by_keyboard(browser: Any, insights_server: InsightsServer) -> None:
    page, errors = await admin_page(browser, insights_server)
    await page.goto(f"{insights_server.url}/admin/review")
    items = page.locator(".inbox-item")
    before = await items.count()
    assert before == len(SAMPLE)
    await shot(page, "review")
    # Lowest confidence first: the not-understood question leads.
    first = items.first
    assert "not understood" in await first.locator(".guess").inner_text()
    # Pick an intent for it and confirm, all by keyboard.
    select_ = first.locator("select")
    await select_.focus()
    await select_.select_option("complaint")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**done=confirmed**")
    assert "complaint" in await page.locator(".notice").inner_text()
    assert await page.locator(".inbox-item").count() == before - 1
    # The draft now offers publishing.
    assert await page.locator("[data-publish-review]").is_visible()
    # A new intent from the next question: open the form from the keyboard.
    summary = page.locator(".inbox-item").first.locator("summary")
    await summary.focus()
    await page.keyboard.press("Enter")
    form = page.locator(".inbox-item").first.locator("details form")
    await form.locator("input[name=name]").fill("gift_card_in_store")
    await form.locator("textarea[name='answer.da']").fill("Ja, gavekort kan bruges i butikken.")
    await shot(page, "review-new-intent")
    await form.locator("button[type=submit]").press("Enter")
    await page.wait_for_url("**done=created**")
    # Filter by language.
    await page.locator("#r-language").focus()
    await page.locator("#r-language").select_option("fi")
    await page.keyboard.press("Tab")  # the intent filter
    await page.keyboard.press("Tab")  # the confidence filter
    await page.keyboard.press("Tab")  # the button
    await page.keyboard.press("Enter")
    await page.wait_for_url("**language=fi**")
    assert await page.locator(".inbox-item").count() == 1
    await page.goto(f"{insights_server.url}/admin/review?status=confirmed")
    assert await page.locator(".inbox-item").count() == 2
    await shot(page, "review-confirmed")
    assert await serious_violations(page) == []
    async with insights_server.runtime.db.session() as session:
        labels = set((await session.scalars(select(SampleItem.label))).all())
    assert {"complaint", "gift_card_in_store"} <= labels
    assert errors == []
    await page.context.close()


async def test_the_evaluation_history(browser: Any, insights_server: InsightsServer) -> None:
    page, errors = await admin_page(browser, insights_server)
    await page.goto(f"{insights_server.url}/admin/evaluation")
    # The topic that dropped, by its name in the staff's language (never its id).
    dropped = await page.locator("#h-dropped + ul").inner_text()
    assert "How to return" in dropped and "return_how" not in dropped
    assert await page.locator("tr.dropped").count() == 1
    chart = page.locator("svg[data-chart]")
    await chart.focus()
    await page.keyboard.press("End")
    assert "reviewed 80.0 %" in await page.locator(".chart-readout").inner_text()
    await shot(page, "evaluation")
    assert await serious_violations(page) == []
    assert errors == []
    await page.context.close()
