"""The dashboard's figures, computed in SQL on SQLite and PostgreSQL, against events whose answer
is known; the events a real conversation and a real handoff leave; deleting a conversation
leaves them; rebuilding the rollups from the events gives the same figures."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from samtale.infra.database import Database
from samtale.insights.events import Event, bucket_seconds, rebuild_rollups, record
from samtale.insights.stats import Stats, csv_rows, split_months
from samtale.model import InsightEvent, Tenant
from tests.admin.conftest import AdminEnv
from tests.conftest import new_tenant, start_conversation
from tests.live.conftest import ANSWERS, LIVE_SETTINGS

CPH = ZoneInfo("Europe/Copenhagen")
MONDAY = date(2026, 3, 2)


def at(day: date, hour: int, minute: int = 30) -> datetime:
    """A local time in Copenhagen (UTC+1 in March before the switch), as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CPH).astimezone(UTC)


async def seed(db: Database, tenant_id: uuid.UUID) -> None:
    """Two days of a small shop, with every figure's answer known."""
    tuesday = MONDAY + timedelta(days=1)
    batches: list[tuple[datetime, list[Event]]] = []
    # Monday 10:30: 6 Danish and 4 English conversations.
    batches.append(
        (at(MONDAY, 10), [Event("conversation", "da")] * 6 + [Event("conversation", "en")] * 4)
    )
    # Their turns: 12 answered track_order (da, high), 4 fallbacks (da), 6 returns (en, medium),
    # 2 flow steps of track_order (not questions: not counted as an intent).
    batches.append(
        (
            at(MONDAY, 10),
            [Event("turn", "da", "track_order", "high", "answered")] * 12
            + [Event("turn", "da", "", "", "fallback")] * 3
            + [Event("turn", "da", "", "", "handoff_offered")]
            + [Event("turn", "en", "returns", "medium", "answered")] * 6
            + [Event("turn", "da", "track_order", "high", "flow_step")] * 2,
        )
    )
    # Flows: track_order started 4, completed 3, abandoned 1.
    batches.append(
        (
            at(MONDAY, 11),
            [Event("flow", "da", flow="track_order", outcome="started")] * 4
            + [Event("flow", "da", flow="track_order", outcome="completed")] * 3
            + [Event("flow", "da", flow="track_order", outcome="abandoned")],
        )
    )
    # Handoffs: 3 queued; 2 taken after 30 s and 90 s; 1 left after 200 s; first replies after
    # 60 and 150 s; closed after 300 s (resolved) and 600 s (follow_up); rated 5 and 2.
    batches.append(
        (
            at(MONDAY, 14),
            [Event("queued", "da")] * 2
            + [Event("queued", "en")]
            + [Event("claimed", "da", seconds=30), Event("claimed", "en", seconds=90)]
            + [Event("left", "da", seconds=200)]
            + [Event("first_reply", "da", seconds=60), Event("first_reply", "en", seconds=150)]
            + [Event("closed", "da", outcome="resolved", seconds=300)]
            + [Event("closed", "en", outcome="follow_up", seconds=600)]
            + [Event("rating", "da", rating=5), Event("rating", "en", rating=2)]
            + [Event("offline", "da")],
        )
    )
    # Tuesday 00:30 local is Monday 23:30 UTC: it counts on Tuesday, the shop's day.
    batches.append(
        (
            at(tuesday, 0),
            [Event("conversation", "da"), Event("turn", "da", "track_order", "high", "answered")],
        )
    )
    # Tuesday 09:30: 2 more Swedish conversations with one answered question each.
    batches.append(
        (
            at(tuesday, 9),
            [Event("conversation", "sv")] * 2
            + [Event("turn", "sv", "payment", "high", "answered")] * 2,
        )
    )
    # The week before: track_order asked 5 times, returns 12 times (for the trend).
    batches.append(
        (
            at(MONDAY - timedelta(days=2), 12),
            [Event("turn", "da", "track_order", "high", "answered")] * 5
            + [Event("turn", "en", "returns", "high", "answered")] * 12,
        )
    )
    for when, events in batches:
        async with db.transaction() as session:
            await record(session, tenant_id, CPH, when, events)


async def test_figures_with_a_known_answer(db: Database) -> None:
    tenant = await new_tenant(db)
    other = await new_tenant(db)
    await seed(db, tenant.id)
    await seed(db, other.id)  # another shop's events never count
    async with db.session() as session:
        f = await Stats(session, tenant.id).figures(MONDAY, MONDAY + timedelta(days=1))
    t = f.totals
    assert (t.conversations, t.messages, t.bot_answers) == (13, 27, 27)
    assert (t.fallbacks, t.handoffs, t.served_by_agent, t.left_queue, t.offline_messages) == (
        4,
        3,
        2,
        1,
        1,
    )
    assert t.automated == 11 and t.automation_rate == round(11 / 13, 4)
    assert t.fallback_rate == round(4 / 27, 4) and t.handoff_rate == round(3 / 13, 4)
    monday, tuesday = f.days
    assert (monday.day, monday.conversations, monday.messages) == (MONDAY, 10, 24)
    assert (tuesday.conversations, tuesday.messages, tuesday.automation_rate) == (3, 3, 1.0)
    # Intents: questions only (flow steps are not), with the period before for the trend.
    intents = {i.intent: i for i in f.intents}
    assert [i.intent for i in f.intents] == ["track_order", "returns", "payment"]
    assert (intents["track_order"].count, intents["track_order"].previous) == (13, 5)
    assert intents["track_order"].series == [12, 1] and f.series_step == "day"
    assert intents["returns"].change == round(6 / 12 - 1, 4)
    assert intents["payment"].previous == 0 and intents["payment"].change is None
    assert [(lang.language, lang.conversations) for lang in f.languages] == [
        ("da", 7),
        ("en", 4),
        ("sv", 2),
    ]
    # Busiest hours: Monday 10:00 local (10), Tuesday 00:00 (1) and 09:00 (2).
    assert f.hours[0][10] == 10 and f.hours[1][0] == 1 and f.hours[1][9] == 2
    assert sum(map(sum, f.hours)) == 13
    assert (f.queue_wait.count, f.queue_wait.median, f.queue_wait.p90) == (2, 30, 90)
    assert f.queue_wait.mean == 60.0
    assert (f.first_response.median, f.first_response.p90) == (60, 150)
    assert (f.left_after.count, f.left_after.median) == (1, 200)
    assert (f.chat_length.median, f.chat_length.p90) == (300, 600)
    assert f.ratings.count == 2 and f.ratings.csat == 0.5 and f.ratings.average == 3.5
    assert f.ratings.distribution == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    [flow] = f.flows
    assert (flow.flow, flow.started, flow.completed, flow.abandoned) == ("track_order", 4, 3, 1)
    assert flow.completion_rate == 0.75
    assert f.confidence == {"high": 15, "medium": 6, "low": 0}
    assert f.closed == {"resolved": 1, "follow_up": 1}

    # One language.
    async with db.session() as session:
        en = await Stats(session, tenant.id).figures(MONDAY, MONDAY + timedelta(days=1), "en")
    assert (en.totals.conversations, en.totals.messages, en.totals.handoffs) == (4, 6, 1)
    assert [i.intent for i in en.intents] == ["returns"] and en.queue_wait.median == 90
    assert en.ratings.distribution[2] == 1 and en.ratings.count == 1

    # The CSV: a row per day and a total.
    rows = csv_rows(f)
    assert rows[0][:3] == ["date", "conversations", "messages"]
    assert rows[1][:3] == ["2026-03-02", "10", "24"] and rows[-1][:2] == ["total", "13"]


async def test_a_range_without_events_has_empty_figures(db: Database) -> None:
    tenant = await new_tenant(db)
    async with db.session() as session:
        f = await Stats(session, tenant.id).figures(MONDAY, MONDAY + timedelta(days=6))
    assert len(f.days) == 7 and f.totals.conversations == 0
    assert f.totals.automation_rate is None and f.queue_wait.median is None
    assert f.intents == [] and f.flows == [] and f.ratings.csat is None


async def test_long_ranges_have_weekly_series(db: Database) -> None:
    tenant = await new_tenant(db)
    await seed(db, tenant.id)
    async with db.session() as session:
        f = await Stats(session, tenant.id).figures(
            MONDAY - timedelta(days=99), MONDAY + timedelta(days=1)
        )
    # 23 Nov – 3 Mar: a point per month (Nov, Dec, Jan, Feb, Mar).
    assert f.series_step == "month"
    assert {i.intent: i.series for i in f.intents} == {
        "returns": [0, 0, 0, 12, 6],
        "track_order": [0, 0, 0, 5, 13],
        "payment": [0, 0, 0, 0, 2],
    }
    assert sum(f.intents[0].series) == f.intents[0].count == 18
    # Whole months come from the monthly rows: the same answer as from the days.
    assert (f.queue_wait.median, f.queue_wait.p90, f.first_response.median) == (30, 90, 60)
    async with db.session() as session:
        year = await Stats(session, tenant.id).figures(date(2025, 3, 1), date(2026, 2, 28))
        march = await Stats(session, tenant.id).figures(date(2026, 3, 1), date(2026, 3, 31))
    assert {i.intent: i.count for i in year.intents} == {"track_order": 5, "returns": 12}
    assert {i.intent: i.previous for i in march.intents} == {
        "track_order": 5,
        "returns": 12,
        "payment": 0,
    }
    assert (march.queue_wait.count, march.chat_length.p90) == (2, 600)


async def test_rebuilding_the_rollups_gives_the_same_figures(db: Database) -> None:
    tenant = await new_tenant(db)
    await seed(db, tenant.id)
    async with db.session() as session:
        before = await Stats(session, tenant.id).figures(
            MONDAY - timedelta(days=7), MONDAY + timedelta(days=1)
        )
    async with db.transaction() as session:
        counted = await rebuild_rollups(session, tenant.id, CPH, chunk=7)
    assert counted == 78
    async with db.session() as session:
        after = await Stats(session, tenant.id).figures(
            MONDAY - timedelta(days=7), MONDAY + timedelta(days=1)
        )
    assert after == before


def test_a_range_is_read_as_whole_months_and_the_days_at_its_edges() -> None:
    d = date
    assert split_months(d(2026, 1, 15), d(2026, 4, 10)) == (
        [(d(2026, 1, 15), d(2026, 1, 31)), (d(2026, 4, 1), d(2026, 4, 10))],
        (d(2026, 2, 1), d(2026, 3, 1)),
    )
    assert split_months(d(2026, 1, 1), d(2026, 12, 31)) == ([], (d(2026, 1, 1), d(2026, 12, 1)))
    assert split_months(d(2026, 2, 3), d(2026, 2, 27)) == ([(d(2026, 2, 3), d(2026, 2, 27))], None)
    assert split_months(d(2026, 2, 1), d(2026, 2, 28)) == ([], (d(2026, 2, 1), d(2026, 2, 1)))
    assert split_months(d(2026, 1, 31), d(2026, 3, 1)) == (
        [(d(2026, 1, 31), d(2026, 1, 31)), (d(2026, 3, 1), d(2026, 3, 1))],
        (d(2026, 2, 1), d(2026, 2, 1)),
    )


def test_durations_are_bucketed_coarser_as_they_grow() -> None:
    seconds = (None, 0, 7, 60, 63, 299, 301, 899, 905, 3599, 3725, 14500, 10**9)
    assert [bucket_seconds(s) for s in seconds] == [
        -1,
        0,
        7,
        60,
        60,
        295,
        300,
        885,
        900,
        3540,
        3600,
        14400,
        30 * 86400,
    ]


async def test_a_conversation_and_a_handoff_leave_events_that_outlive_them(env: AdminEnv) -> None:
    from samtale.live.service import Agent

    rt, shop = env.runtime, env.shop
    async with rt.db.transaction() as session:
        row = await session.get(Tenant, shop.id)
        assert row is not None
        row.settings = {"live": LIVE_SETTINGS}
    api = env.anonymous()
    conv = await start_conversation(api, shop.widget_key, language="da")
    url = f"/api/v1/conversations/{conv['conversation_id']}"
    for text in ("hvor er min pakke intent:track_order", "blabla", "low:returns retur?"):
        r = await api.post(url + "/messages", json={"text": text}, headers=conv["headers"])
        assert r.status_code == 201
        env.clock.advance(seconds=20)
    # A person: the agent goes online, the customer asks, waits 45 s, is answered, rates.
    live = rt.live
    agent = Agent(env.users["agent"].id, shop.id, "Sofie")
    await live.set_presence(agent, "online")
    await live.request(
        shop.id,
        uuid.UUID(conv["conversation_id"]),
        ANSWERS,
    )
    env.clock.advance(seconds=45)
    [queued] = await live.queue_view(agent, "da")
    await live.claim(agent, uuid.UUID(queued["handoff_id"]))
    env.clock.advance(seconds=15)
    await live.send(agent, uuid.UUID(conv["conversation_id"]), "Hej!")
    await live.send(agent, uuid.UUID(conv["conversation_id"]), "Er der mere?")
    env.clock.advance(minutes=4)
    await live.close(agent, uuid.UUID(conv["conversation_id"]), "resolved")
    r = await api.post(url + "/rating", json={"rating": 4}, headers=conv["headers"])
    assert r.status_code == 204

    today = env.clock.now().astimezone(CPH).date()
    async with rt.db.session() as session:
        f = await Stats(session, shop.id).figures(today, today)
    assert (f.totals.conversations, f.totals.messages, f.totals.fallbacks) == (1, 3, 1)
    assert (f.totals.handoffs, f.totals.served_by_agent, f.totals.automation_rate) == (1, 1, 0.0)
    assert {i.intent: i.count for i in f.intents} == {"track_order": 1, "returns": 1}
    assert (f.queue_wait.median, f.first_response.median) == (45, 60)
    assert f.chat_length.median == 255 and f.ratings.distribution[4] == 1
    assert f.confidence == {"high": 1, "medium": 0, "low": 1}

    # Deleting the conversation leaves the statistics as they were.
    async with rt.db.session() as session:
        events = await session.scalar(
            select(func.count()).select_from(InsightEvent).where(InsightEvent.tenant_id == shop.id)
        )
    r = await api.delete(url, headers=conv["headers"])
    assert r.status_code == 204
    async with rt.db.session() as session:
        again = await session.scalar(
            select(func.count()).select_from(InsightEvent).where(InsightEvent.tenant_id == shop.id)
        )
        after = await Stats(session, shop.id).figures(today, today)
    assert again == events and after == f


async def test_answers_from_knowledge_and_their_feedback_are_counted(db: Database) -> None:
    tenant = await new_tenant(db)
    events = (
        [Event("conversation", "da")]
        + [Event("turn", "da", "", "", "knowledge")] * 3
        + [Event("turn", "da", "returns", "high", "answered")]
        + [Event("feedback", "da", outcome="helpful")] * 2
        + [Event("feedback", "da", outcome="not_helpful")]
    )
    async with db.transaction() as session:
        await record(session, tenant.id, CPH, at(MONDAY, 10), events)
    async with db.session() as session:
        f = await Stats(session, tenant.id).figures(MONDAY, MONDAY)
    t = f.totals
    assert (t.bot_answers, t.knowledge_answers, t.fallbacks) == (4, 3, 0)
    assert (t.helpful, t.not_helpful) == (2, 1)
