"""Statistics events: what happened, in codes and numbers, with no link to a conversation.

Design choices:

* **No text, no ids.** An event is a kind and coded dimensions (language, intent, confidence
  band, outcome, flow), a duration or a rating, and the hour it happened in (UTC). It carries no
  conversation, visitor or staff id, so it is not personal data: it is kept for the shop's
  statistics period (25 months by default) and deleting a conversation leaves it.
* **Written with what it counts.** A bot turn's events are added by a `TurnHook` in the turn's
  own transaction; the live chat's (queued, taken, first answer, closed, rated, left, message
  left) by the live service's event sink in the transaction that changes the handoff. Either
  both commit or neither.
* **Rollups kept current.** The same transaction adds the event to `insight_daily` (per local
  day and its dimensions, in the narrow shapes of `rollup_rows`; the largest kinds also per
  month) and `insight_hourly` (per local hour), by upsert. The dashboard reads
  those. Rows are upserted in one fixed order, so concurrent transactions on PostgreSQL queue
  behind each other instead of deadlocking. `rebuild_rollups` recomputes them from the events
  (after a change of time zone, say).

Kinds and what they carry:

| kind | dimensions | number |
| --- | --- | --- |
| `conversation` | language (a conversation's first customer message) | |
| `turn` | language, intent, band, outcome (empty when a person, not the bot, was answering) | |
| `flow` | flow, outcome `started` / `completed` / `abandoned` | |
| `queued` | language (a customer entered the queue for a person) | |
| `left` | language (left the queue before anyone took the chat) | seconds waited |
| `claimed` | language (a person took the chat: the first time per handoff) | seconds waited |
| `first_reply` | language (the person's first message) | seconds since entering the queue |
| `closed` | language, outcome (resolved, follow_up, …) | seconds since the person took it |
| `rating` | language | rating 1–5 |
| `offline` | language (a message left while nobody was available) | |
| `feedback` | language, outcome `helpful` / `not_helpful` ("Did this help?" under an answer from the shop's pages) | |
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from samtale.kernel.clock import as_utc
from samtale.model import InsightDaily, InsightEvent, InsightHourly, table_of

KINDS = (
    "conversation",
    "turn",
    "flow",
    "queued",
    "left",
    "claimed",
    "first_reply",
    "closed",
    "rating",
    "offline",
    "feedback",
)
# Longest codes stored (longer ones are cut: a code is never free text).
_WIDTH = {"language": 8, "intent": 64, "band": 8, "outcome": 24, "flow": 64}


@dataclass(frozen=True)
class Event:
    kind: str
    language: str = ""
    intent: str = ""
    band: str = ""
    outcome: str = ""
    flow: str = ""
    seconds: int | None = None
    rating: int | None = None

    def clean(self) -> Event:
        def code(name: str) -> str:
            value = getattr(self, name) or ""
            return str(value)[: _WIDTH[name]]

        seconds = None if self.seconds is None else max(0, int(self.seconds))
        rating = self.rating if self.rating in (1, 2, 3, 4, 5) else None
        return Event(
            self.kind,
            code("language"),
            code("intent"),
            code("band"),
            code("outcome"),
            code("flow"),
            seconds,
            rating,
        )


def bucket_seconds(seconds: int | None) -> int:
    """A duration as the daily rollup keeps it: exact to a minute, then in steps of 5 s (to
    5 min), 15 s (to 15 min), 1 min (to 1 h), 5 min (to 4 h) and 15 min, so a day holds at most
    a couple of hundred distinct values per kind and language (the percentiles are read at that
    resolution). -1 is "no duration"."""
    if seconds is None:
        return -1
    s = max(0, int(seconds))
    for limit, step in ((60, 1), (300, 5), (900, 15), (3600, 60), (14400, 300)):
        if s <= limit:
            return s - s % step
    return min(s - s % 900, 30 * 86400)


def hour_of(at: datetime) -> datetime:
    return as_utc(at).replace(minute=0, second=0, microsecond=0)


def local(at: datetime, zone: ZoneInfo) -> tuple[date, int]:
    moment = as_utc(at).astimezone(zone)
    return moment.date(), moment.hour


# Turns that were questions for the classifier (not a slot's value in a flow, not a failure).
QUESTION_OUTCOMES = frozenset(
    {
        "answered",
        "knowledge",
        "fallback",
        "flow_started",
        "flow_completed",
        "handoff_requested",
        "handoff_offered",
        "not_found",
        "unavailable",
        "complaint",
    }
)


# The rollup kind of a duration's histogram (its event kind is counted without the duration).
TIMED = {
    "claimed": "t_claimed",
    "first_reply": "t_first_reply",
    "left": "t_left",
    "closed": "t_closed",
}


# The largest rollup kinds are also counted per month (kind "m:<kind>", day = the month's first
# day), so a year's figures read twelve months and the days at its edges, not 365 days of rows.
MONTH = "m:"
MONTHLY = frozenset({"turn", "intent", *TIMED.values()})


def month_of(day: date) -> date:
    return day.replace(day=1)


def rollup_rows(event: Event) -> list[Event]:
    """How an event is counted per day, in narrow shapes so that no figure reads the product of
    dimensions it does not need:

    * a turn by outcome and confidence band (`turn`) and, for a question the bot classified, by
      intent (`intent`);
    * an event with a duration once without it (its own kind, for counting) and once by
      duration bucket (`t_<kind>`, the histogram the percentiles are read from);
    * anything else as it is."""
    if event.kind == "turn":
        rows = [Event("turn", event.language, band=event.band, outcome=event.outcome)]
        if event.intent and event.outcome in QUESTION_OUTCOMES:
            rows.append(Event("intent", event.language, intent=event.intent))
        return rows
    if event.kind in TIMED:
        rows = [Event(event.kind, event.language, outcome=event.outcome)]
        if event.seconds is not None:
            rows.append(Event(TIMED[event.kind], event.language, seconds=event.seconds))
        return rows
    return [event]


DAILY_KEY = ("tenant_id", "kind", "day", "language", "intent", "band", "outcome", "flow")
DAILY_PK = (*DAILY_KEY, "seconds", "rating")


async def add_to_rollups(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    counted: Iterable[tuple[date, int, Event, int]],
) -> None:
    """Add (local day, local hour, event, times) to the daily and hourly rollups."""
    for statement in rollup_statements(session.get_bind().dialect.name, tenant_id, counted):
        await session.execute(statement)


def rollup_statements(
    dialect: str,
    tenant_id: uuid.UUID,
    counted: Iterable[tuple[date, int, Event, int]],
) -> list[Executable]:
    """The upserts that add (local day, local hour, event, times) to the daily and hourly
    rollups, in their fixed order."""
    daily: Counter[tuple[Any, ...]] = Counter()
    hourly: dict[tuple[date, int, str], list[int]] = {}
    for day, hour, event, n in counted:
        for row in rollup_rows(event):
            rest = (
                row.language,
                row.intent,
                row.band,
                row.outcome,
                row.flow,
                bucket_seconds(row.seconds),
                row.rating or 0,
            )
            daily[(row.kind, day, *rest)] += n
            if row.kind in MONTHLY:
                daily[(MONTH + row.kind, month_of(day), *rest)] += n
        if event.kind in ("conversation", "turn"):
            cell = hourly.setdefault((day, hour, event.language), [0, 0])
            cell[0 if event.kind == "conversation" else 1] += n
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    statements: list[Executable] = []
    if hourly:
        rows = [
            {
                "tenant_id": tenant_id,
                "day": day,
                "hour": hour,
                "language": lang,
                "weekday": day.weekday(),
                "conversations": c,
                "messages": m,
            }
            for (day, hour, lang), (c, m) in sorted(hourly.items())
        ]
        hourly_stmt = ins(table_of(InsightHourly)).values(rows)
        statements.append(
            hourly_stmt.on_conflict_do_update(
                index_elements=["tenant_id", "day", "hour", "language"],
                set_={
                    "conversations": InsightHourly.conversations
                    + hourly_stmt.excluded.conversations,
                    "messages": InsightHourly.messages + hourly_stmt.excluded.messages,
                },
            )
        )
    if daily:
        rows = [
            dict(zip(("tenant_id", *DAILY_PK[1:], "count"), (tenant_id, *key, n), strict=True))
            for key, n in sorted(daily.items())
        ]
        daily_stmt = ins(table_of(InsightDaily)).values(rows)
        statements.append(
            daily_stmt.on_conflict_do_update(
                index_elements=list(DAILY_PK),
                set_={"count": InsightDaily.count + daily_stmt.excluded.count},
            )
        )
    return statements


async def record(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    zone: ZoneInfo,
    at: datetime,
    events: Sequence[Event],
) -> None:
    """Store events that happened at `at` and count them in the rollups (in the caller's
    transaction)."""
    dialect = session.get_bind().dialect.name
    for statement in record_statements(dialect, tenant_id, zone, at, events):
        await session.execute(statement)


def record_statements(
    dialect: str,
    tenant_id: uuid.UUID,
    zone: ZoneInfo,
    at: datetime,
    events: Sequence[Event],
) -> list[Executable]:
    """The statements that store events that happened at `at` and count them in the rollups
    (for a write that runs them with others, such as a turn's)."""
    if not events:
        return []
    clean = [e.clean() for e in events]
    hour = hour_of(at)
    stored = insert(table_of(InsightEvent)).values(
        [
            {
                "tenant_id": tenant_id,
                "hour": hour,
                "kind": e.kind,
                "language": e.language or None,
                "intent": e.intent or None,
                "band": e.band or None,
                "outcome": e.outcome or None,
                "flow": e.flow or None,
                "seconds": e.seconds,
                "rating": e.rating,
            }
            for e in clean
        ]
    )
    day, local_hour = local(at, zone)
    return [
        stored,
        *rollup_statements(dialect, tenant_id, [(day, local_hour, e, 1) for e in clean]),
    ]


def _events_by_hour(tenant_id: uuid.UUID) -> Any:
    e = InsightEvent
    return (
        select(
            e.hour,
            e.kind,
            e.language,
            e.intent,
            e.band,
            e.outcome,
            e.flow,
            e.seconds,
            e.rating,
            func.count().label("n"),
        )
        .where(e.tenant_id == tenant_id)
        .group_by(
            e.hour, e.kind, e.language, e.intent, e.band, e.outcome, e.flow, e.seconds, e.rating
        )
    )


async def rebuild_rollups(
    session: AsyncSession, tenant_id: uuid.UUID, zone: ZoneInfo, chunk: int = 1000
) -> int:
    """Recount a tenant's rollups from its events (in the caller's transaction); returns how
    many events were counted."""
    await session.execute(delete(InsightDaily).where(InsightDaily.tenant_id == tenant_id))
    await session.execute(delete(InsightHourly).where(InsightHourly.tenant_id == tenant_id))
    result = await session.stream(_events_by_hour(tenant_id))
    total = 0
    batch: list[tuple[date, int, Event, int]] = []
    async for row in result:
        day, hour = local(row.hour, zone)
        event = Event(
            row.kind,
            row.language or "",
            row.intent or "",
            row.band or "",
            row.outcome or "",
            row.flow or "",
            row.seconds,
            row.rating,
        )
        batch.append((day, hour, event, int(row.n)))
        total += int(row.n)
        if len(batch) >= chunk:
            await add_to_rollups(session, tenant_id, batch)
            batch = []
    if batch:
        await add_to_rollups(session, tenant_id, batch)
    return total


def months_before(now: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the day clamped to the month)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    day = min(
        now.day, [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    )
    return now.replace(year=year, month=month, day=day)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def statistics_cutoff(now: datetime, months: int, zone: ZoneInfo) -> tuple[datetime, date]:
    """Events before the returned hour, and rollup days before the returned day, have expired."""
    cutoff = months_before(as_utc(now), months)
    return hour_of(cutoff), as_utc(cutoff).astimezone(zone).date()
