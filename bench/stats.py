"""The dashboard's figures on PostgreSQL: one year of statistics events for one shop, and the
time to compute every figure the dashboard shows (`insights.stats.Stats.figures`).

A fresh database gets one shop and 365 days of events at N conversations a day (about five
events per conversation: the first message, three bot turns, flows, and for one in twelve a
handoff with its wait, first answer, close and rating), generated in bulk in SQL one day at a
time (`generate_series` and `random()` with a fixed seed). Each day's events are then counted
into the rollups the dashboard reads (`insight_daily`, `insight_hourly`) by one
`INSERT … SELECT … GROUP BY` per day (and the largest kinds into their month) — the same
counting the server does per event, done in bulk (a check at the start compares it with the
server's own `rebuild_rollups` on a small shop).

The figures read only the rollups, through their primary keys: `insight_daily` (tenant_id, kind,
day, …; turns, intents and duration histograms of whole months from their monthly rows `m:<kind>`) and
`insight_hourly` (tenant_id, day, hour, language). Timed: the whole year, the year
for one language, and the last 30 days; the first run (cold) and the median and slowest of the
following runs.

    .venv/bin/python -m bench.stats [--per-day 50000] [--days 365] [--runs 7] [--postgres URL]

Nothing is written into the repository: the database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from bench.common import machine, postgres_database, table

ZONE = "Europe/Copenhagen"
FIRST_DAY = date(2025, 1, 1)

TENANT_SQL = """
INSERT INTO tenants (id, name, slug, widget_key, allowed_origins, languages, default_language,
                     default_country, time_zone, retention_bot_days, retention_agent_days, active,
                     settings, created_at)
VALUES ($1, $2, $2, $2, '[]', '["da","sv","nb","fi","en"]', 'da', 'DK', $3, 90, NULL, true, '{}',
        now())
"""

# Helpers: a local hour with a daytime peak, a language, an exponential duration.
HOUR = "(CASE WHEN random() < 0.8 THEN 8 + floor(random() * 14) ELSE floor(random() * 24) END)"
LANG = (
    "(CASE WHEN r < 0.42 THEN 'da' WHEN r < 0.64 THEN 'sv' WHEN r < 0.80 THEN 'nb' "
    "WHEN r < 0.92 THEN 'fi' ELSE 'en' END)"
)

# One day of events; $1 tenant, $2 the local midnight (UTC), $3 conversations that day.
COLUMNS = "tenant_id, hour, kind, language, intent, band, outcome, flow, seconds, rating"
EVENTS_SELECT = f"""
SELECT $1::uuid AS tenant_id, $2::timestamptz + h * interval '1 hour' AS hour, kind,
       {LANG} AS language, intent, band, outcome, flow, seconds, rating
FROM (
    -- the first message of each conversation
    SELECT {HOUR} AS h, random() AS r, 'conversation' AS kind, NULL AS intent, NULL AS band,
           NULL AS outcome, NULL AS flow, NULL::int AS seconds, NULL::int AS rating
    FROM generate_series(1, $3)
    UNION ALL
    -- three bot turns per conversation on average: 70 intents, the first ones most asked
    SELECT {HOUR}, random(), 'turn',
           CASE WHEN o < 0.10 THEN NULL ELSE 'intent_' || lpad(floor(70 * power(random(), 2.2))::text, 2, '0') END,
           CASE WHEN o < 0.10 THEN NULL WHEN b < 0.72 THEN 'high' WHEN b < 0.92 THEN 'medium' ELSE 'low' END,
           CASE WHEN o < 0.08 THEN 'fallback' WHEN o < 0.10 THEN 'handoff_offered'
                WHEN o < 0.16 THEN 'flow_step' WHEN o < 0.19 THEN 'flow_started'
                WHEN o < 0.22 THEN 'flow_completed' WHEN o < 0.24 THEN 'handoff_requested'
                WHEN o < 0.25 THEN 'not_found' ELSE 'answered' END,
           NULL, NULL, NULL
    FROM (SELECT random() AS o, random() AS b FROM generate_series(1, $3 * 3)) AS t
    UNION ALL
    -- flows: started, completed or abandoned
    SELECT {HOUR}, random(), 'flow', NULL, NULL,
           CASE WHEN s < 0.5 THEN 'started' WHEN s < 0.88 THEN 'completed' ELSE 'abandoned' END,
           (ARRAY['track_order','return_item','change_order','complaint','gift_card'])[1 + floor(random() * 5)::int],
           NULL, NULL
    FROM (SELECT random() AS s FROM generate_series(1, $3 / 4)) AS f
    UNION ALL
    -- one in twelve conversations asks for a person
    SELECT {HOUR}, random(), k, NULL, NULL,
           CASE WHEN k = 'closed' THEN (ARRAY['resolved','resolved','resolved','follow_up','not_resolved','no_response'])[1 + floor(random() * 6)::int] END,
           NULL,
           CASE WHEN k IN ('claimed', 'left') THEN floor(-ln(1 - random()) * 95)::int
                WHEN k = 'first_reply' THEN floor(-ln(1 - random()) * 95 + -ln(1 - random()) * 40)::int
                WHEN k = 'closed' THEN floor(-ln(1 - random()) * 420)::int END,
           CASE WHEN k = 'rating' THEN (ARRAY[1,2,3,4,4,5,5,5])[1 + floor(random() * 8)::int] END
    FROM (SELECT CASE WHEN x < 0.40 THEN 'queued' WHEN x < 0.76 THEN 'claimed'
                      WHEN x < 0.78 THEN 'left' WHEN x < 0.90 THEN 'first_reply'
                      WHEN x < 0.96 THEN 'closed' ELSE 'rating' END AS k
          FROM (SELECT random() AS x FROM generate_series(1, $3 / 12 * 5 / 2)) AS y) AS z
) AS e
"""
EVENTS_SQL = f"INSERT INTO insight_events ({COLUMNS}) {EVENTS_SELECT}"
# Without keeping the events: the day's events in a temporary table, counted, then dropped.
DAY_EVENTS_SQL = f"CREATE TEMPORARY TABLE day_events AS {EVENTS_SELECT}"

BUCKET = (
    "CASE WHEN seconds IS NULL THEN -1 WHEN seconds <= 60 THEN seconds "
    "WHEN seconds <= 300 THEN seconds - seconds % 5 WHEN seconds <= 900 THEN seconds - seconds % 15 "
    "WHEN seconds <= 3600 THEN seconds - seconds % 60 "
    "WHEN seconds <= 14400 THEN seconds - seconds % 300 "
    "ELSE least(seconds - seconds % 900, 2592000) END"
)
QUESTIONS = (
    "('answered','fallback','flow_started','flow_completed','handoff_requested',"
    "'handoff_offered','not_found','unavailable')"
)
# Count the events of tenant $1 in hours [$2, $4) into the rollups, like
# `insights.events.rollup_rows` does per event.
DAILY_TEMPLATE = """
INSERT INTO insight_daily (tenant_id, kind, day, language, intent, band, outcome, flow, seconds,
                           rating, count)
SELECT tenant_id, kind, day, language, intent, band, outcome, flow, seconds, rating, count(*)
FROM (
    SELECT tenant_id, kind, (hour AT TIME ZONE $3)::date AS day, coalesce(language, '') AS language,
           CASE WHEN kind = 'turn' THEN '' ELSE coalesce(intent, '') END AS intent,
           coalesce(band, '') AS band, coalesce(outcome, '') AS outcome, coalesce(flow, '') AS flow,
           CASE WHEN kind IN ('claimed', 'first_reply', 'left', 'closed') THEN -1 ELSE {BUCKET} END
               AS seconds,
           coalesce(rating, 0) AS rating
    FROM {source} WHERE tenant_id = $1 AND hour >= $2 AND hour < $4
    UNION ALL
    SELECT tenant_id, 'intent', (hour AT TIME ZONE $3)::date, coalesce(language, ''), intent, '',
           '', '', -1, 0
    FROM {source}
    WHERE tenant_id = $1 AND hour >= $2 AND hour < $4 AND kind = 'turn' AND intent IS NOT NULL
          AND outcome IN {QUESTIONS}
    UNION ALL
    SELECT tenant_id, 't_' || kind, (hour AT TIME ZONE $3)::date, coalesce(language, ''), '', '',
           '', '', {BUCKET}, 0
    FROM {source}
    WHERE tenant_id = $1 AND hour >= $2 AND hour < $4 AND seconds IS NOT NULL
          AND kind IN ('claimed', 'first_reply', 'left', 'closed')
) AS r
GROUP BY tenant_id, kind, day, language, intent, band, outcome, flow, seconds, rating
ON CONFLICT (tenant_id, kind, day, language, intent, band, outcome, flow, seconds, rating)
DO UPDATE SET count = insight_daily.count + excluded.count
"""
# The day's rows of the kinds also counted per month, added to their month.
MONTHLY_SQL = """
INSERT INTO insight_daily (tenant_id, kind, day, language, intent, band, outcome, flow, seconds,
                           rating, count)
SELECT tenant_id, 'm:' || kind, date_trunc('month', day)::date, language, intent, band, outcome,
       flow, seconds, rating, count
FROM insight_daily
WHERE tenant_id = $1 AND day = $2
      AND kind IN ('turn', 'intent', 't_claimed', 't_first_reply', 't_left', 't_closed')
ON CONFLICT (tenant_id, kind, day, language, intent, band, outcome, flow, seconds, rating)
DO UPDATE SET count = insight_daily.count + excluded.count
"""
HOURLY_TEMPLATE = """
INSERT INTO insight_hourly (tenant_id, day, hour, language, weekday, conversations, messages)
SELECT tenant_id, (hour AT TIME ZONE $3)::date, extract(hour FROM hour AT TIME ZONE $3)::int,
       coalesce(language, ''), extract(isodow FROM hour AT TIME ZONE $3)::int - 1,
       count(*) FILTER (WHERE kind = 'conversation'), count(*) FILTER (WHERE kind = 'turn')
FROM {source}
WHERE tenant_id = $1 AND hour >= $2 AND hour < $4 AND kind IN ('conversation', 'turn')
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (tenant_id, day, hour, language) DO UPDATE
SET conversations = insight_hourly.conversations + excluded.conversations,
    messages = insight_hourly.messages + excluded.messages
"""


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def rollup_sql(source: str) -> tuple[str, str]:
    values = {"source": source, "BUCKET": BUCKET, "QUESTIONS": QUESTIONS}
    return DAILY_TEMPLATE.format(**values), HOURLY_TEMPLATE.format(**values)


async def generate(
    dsn: str,
    tenant: uuid.UUID,
    slug: str,
    per_day: int,
    days: int,
    first: date,
    keep_events: bool = True,
) -> tuple[int, float, float]:
    """Events and rollups of `days` days; returns (events, seconds generating, seconds counting).
    Without `keep_events` each day's events live in a temporary table until they are counted."""
    conn = await asyncpg.connect(dsn)
    gen = roll = 0.0
    events = 0
    daily_sql, hourly_sql = rollup_sql("insight_events" if keep_events else "day_events")
    try:
        # Every statement is planned with its own values (a cached generic plan would scan every
        # event for "id > $2").
        await conn.execute("SET plan_cache_mode = force_custom_plan")
        await conn.execute(TENANT_SQL, tenant, slug, ZONE)
        await conn.execute("SELECT setseed(0.42)")
        for i in range(days):
            day = first + timedelta(days=i)
            since, until = local_midnight(day), local_midnight(day + timedelta(days=1))
            started = time.perf_counter()
            if keep_events:
                await conn.execute(EVENTS_SQL, tenant, since, per_day)
            else:
                await conn.execute(DAY_EVENTS_SQL, tenant, since, per_day)
                events += int(await conn.fetchval("SELECT count(*) FROM day_events"))
            mid = time.perf_counter()
            # Each day's hours, counted once (events of a short DST day's last hour are counted
            # with the next day's range, which is also where their local day puts them).
            await conn.execute(daily_sql, tenant, since, ZONE, until)
            await conn.execute(hourly_sql, tenant, since, ZONE, until)
            await conn.execute(MONTHLY_SQL, tenant, day)
            if not keep_events:
                await conn.execute("DROP TABLE day_events")
            gen += mid - started
            roll += time.perf_counter() - mid
            if (i + 1) % 30 == 0:
                await conn.execute(
                    "ANALYZE insight_events" if keep_events else "ANALYZE insight_daily"
                )
                if days > 10:
                    print(f"  {i + 1} days, {gen + roll:.0f} s", file=sys.stderr, flush=True)
        if keep_events:
            events = int(
                await conn.fetchval(
                    "SELECT count(*) FROM insight_events WHERE tenant_id = $1", tenant
                )
            )
    finally:
        await conn.close()
    return events, gen, roll


async def check_counting(url: str, dsn: str) -> None:
    """The bulk SQL counts like the server: rebuild a small shop's rollups with
    `rebuild_rollups` and compare the figures."""
    from samtale.infra.database import Database
    from samtale.insights.events import rebuild_rollups
    from samtale.insights.stats import Stats

    tenant = uuid.uuid4()
    await generate(dsn, tenant, "check", 120, 31, FIRST_DAY)
    db = Database(url)
    try:
        end = FIRST_DAY + timedelta(days=30)  # a whole month: read from its monthly rows
        async with db.session() as session:
            bulk = await Stats(session, tenant).figures(FIRST_DAY, end)
        async with db.transaction() as session:
            await rebuild_rollups(session, tenant, ZoneInfo(ZONE))
        async with db.session() as session:
            server = await Stats(session, tenant).figures(FIRST_DAY, end)
        if bulk != server:
            raise SystemExit("the bulk counting differs from the server's rollups")
        async with db.transaction() as session:
            from sqlalchemy import text

            await session.execute(text("DELETE FROM tenants WHERE slug = 'check'"))
    finally:
        await db.dispose()


async def measure(url: str, tenant: uuid.UUID, end: date, runs: int) -> list[list[object]]:
    from samtale.infra.database import Database
    from samtale.insights.stats import Stats

    db = Database(url)
    out: list[list[object]] = []
    try:
        cases = [
            ("a year, all languages", end - timedelta(days=364), end, None),
            ("a year, Swedish", end - timedelta(days=364), end, "sv"),
            ("the last 30 days", end - timedelta(days=29), end, None),
        ]
        for label, start, stop, language in cases:
            times = []
            figures = None
            for _ in range(runs):
                started = time.perf_counter()
                async with db.session() as session:
                    figures = await Stats(session, tenant).figures(start, stop, language)
                times.append((time.perf_counter() - started) * 1000)
            assert figures is not None
            warm = times[1:] or times
            out.append(
                [
                    label,
                    f"{figures.totals.conversations:,}",
                    f"{times[0]:.0f}",
                    f"{statistics.median(warm):.0f}",
                    f"{max(warm):.0f}",
                ]
            )
        # What each part of the year's figures costs (warm, the median of the runs).
        start, stop = end - timedelta(days=364), end
        parts = ["_days", "_intents", "_durations", "_hours", "_languages", "_ratings", "_flows"]
        parts += ["_bands", "_closed"]
        for name in parts:
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                async with db.session() as session:
                    await getattr(Stats(session, tenant), name)(start, stop, None)
                times.append((time.perf_counter() - started) * 1000)
            PARTS.append([name.strip("_"), f"{statistics.median(times):.0f}"])
    finally:
        await db.dispose()
    return out


PARTS: list[list[object]] = []


async def sizes(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        out = {}
        for name in ("insight_events", "insight_daily", "insight_hourly"):
            rows = await conn.fetchval(f"SELECT count(*) FROM {name}")
            size = await conn.fetchval(f"SELECT pg_size_pretty(pg_total_relation_size('{name}'))")
            out[name] = f"{rows:,} rows, {size}"
        return out
    finally:
        await conn.close()


async def prepare(url: str) -> None:
    from samtale.infra.database import Database
    from samtale.infra.migrate import upgrade

    db = Database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()


async def analyze(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM ANALYZE insight_daily")
        await conn.execute("VACUUM ANALYZE insight_hourly")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-day", type=int, default=50_000, help="conversations a day")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case (first: cold)")
    parser.add_argument(
        "--no-events",
        action="store_true",
        help="count each day's generated events into the rollups without keeping them "
        "(the full scale's 90 million events need much time and ~12 GB; the figures read "
        "only the rollups)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("SAMTALE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test"),
    )
    args = parser.parse_args()
    from samtale.kernel.config import async_database_url

    with postgres_database(args.postgres) as dsn:
        url = async_database_url(dsn)
        asyncio.run(prepare(url))
        asyncio.run(check_counting(url, dsn))
        tenant = uuid.uuid4()
        print(
            f"generating {args.days} days at {args.per_day:,} conversations a day…", file=sys.stderr
        )
        events, gen_s, roll_s = asyncio.run(
            generate(dsn, tenant, "bench", args.per_day, args.days, FIRST_DAY, not args.no_events)
        )
        asyncio.run(analyze(dsn))
        end = FIRST_DAY + timedelta(days=args.days - 1)
        rows = asyncio.run(measure(url, tenant, end, args.runs))
        stored = asyncio.run(sizes(dsn))
    print(f"machine: {machine()}")
    print(
        f"data: {args.days} days × {args.per_day:,} conversations a day on PostgreSQL "
        f"({events:,} events{' counted, not kept' if args.no_events else ''}, generated in "
        f"{gen_s:.0f} s, counted into the rollups in {roll_s:.0f} s)"
    )
    for name, size in stored.items():
        print(f"  {name}: {size}")
    print(
        "indexes read: insight_daily primary key (tenant_id, kind, day, language, intent, band, "
        "outcome, flow, seconds, rating) — turns, intents and duration histograms of whole "
        "months from their monthly rows — and insight_hourly primary key (tenant_id, day, hour, language)"
    )
    print()
    print(
        table(
            [
                "every figure of the dashboard",
                "conversations",
                "cold ms",
                "median ms",
                "slowest ms",
            ],
            rows,
        )
    )
    print()
    print(table(["a year's figures by part", "median ms"], PARTS))


if __name__ == "__main__":
    main()
