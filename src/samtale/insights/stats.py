"""The dashboard's figures for a date range (the shop's local days) and, optionally, a language:
every sum, percentile and grouping is computed in SQL over the rollups (`insight_daily`,
`insight_hourly`), the same on SQLite and PostgreSQL; Python only divides.

Definitions:

* **conversations**: conversations with at least one customer message (counted at the first);
  **messages**: customer messages.
* **automation rate**: the share of conversations no person took (`1 - taken / conversations`);
  **handoff rate**: queue entries per conversation; **fallback rate**: the share of the bot's
  answers in which it did not understand (a fallback, or the offer of a person after two);
  **complaints**: the bot's answers to a dissatisfied customer (understood, never a fallback).
* **queue wait**: from entering the queue to a person taking the chat (median and 90th
  percentile, nearest rank; durations above a minute in buckets of 5 s and coarser);
  **first response**: from entering the queue to the person's first message.
* **CSAT**: the share of ratings of 4 or 5 (of 5); the average rating beside it.
* **flows**: started, completed and abandoned per flow; completion = completed / started.
* **top intents**: questions per intent, with the count of the period of the same length before
  (the trend) and a series per day (per calendar month for ranges over 92 days).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.insights.events import MONTH, QUESTION_OUTCOMES
from samtale.model import InsightDaily, InsightHourly

MAX_DAYS = 800
SeriesStep = Literal["day", "month"]
TOP_INTENTS = 12
NOT_UNDERSTOOD = ("fallback", "handoff_offered")
COMPLAINT = "complaint"  # a dissatisfied customer: understood, and counted on its own
DURATIONS = ("t_claimed", "t_first_reply", "t_left", "t_closed")


class Totals(BaseModel):
    conversations: int = 0
    messages: int = 0
    bot_answers: int = Field(0, description="Customer messages the bot answered.")
    fallbacks: int = Field(0, description="Answers in which the bot did not understand.")
    complaints: int = Field(0, description="Dissatisfied customers the bot offered a person.")
    handoffs: int = Field(0, description="Customers who entered the queue for a person.")
    served_by_agent: int = Field(0, description="Conversations a person took.")
    left_queue: int = 0
    offline_messages: int = 0
    knowledge_answers: int = Field(0, description="Answers quoted from the shop's own pages.")
    helpful: int = Field(0, description='"Did this help?" under those answers: yes.')
    not_helpful: int = Field(0, description='"Did this help?" under those answers: no.')
    automated: int = Field(0, description="Conversations finished without a person.")
    automation_rate: float | None = None
    fallback_rate: float | None = None
    handoff_rate: float | None = None


class Day(Totals):
    day: date


class IntentFigure(BaseModel):
    intent: str
    count: int
    previous: int = Field(description="The count in the period of the same length before.")
    change: float | None = Field(description="count / previous - 1 (None without a previous).")
    series: list[int] = Field(description="Per day, or per calendar month for long ranges.")


class LanguageFigure(BaseModel):
    language: str
    conversations: int
    share: float


class Duration(BaseModel):
    count: int = 0
    median: int | None = None
    p90: int | None = None
    mean: float | None = None


class Ratings(BaseModel):
    count: int = 0
    distribution: dict[int, int] = Field(default_factory=lambda: {i: 0 for i in range(1, 6)})
    csat: float | None = Field(None, description="Share of ratings 4–5.")
    average: float | None = None


class FlowFigure(BaseModel):
    flow: str
    started: int
    completed: int
    abandoned: int
    completion_rate: float | None


class Figures(BaseModel):
    start: date
    end: date
    language: str | None
    totals: Totals
    days: list[Day]
    intents: list[IntentFigure]
    series_step: SeriesStep = Field(
        description="The intents' series: a point per day, or per month for ranges over 92 days."
    )
    languages: list[LanguageFigure]
    hours: list[list[int]] = Field(
        description="Conversations per weekday (0 = Monday) and local hour: 7 rows of 24."
    )
    queue_wait: Duration
    first_response: Duration
    left_after: Duration = Field(description="How long customers waited before leaving.")
    chat_length: Duration
    ratings: Ratings
    flows: list[FlowFigure]
    confidence: dict[str, int] = Field(
        description="Questions the bot classified, per confidence band."
    )
    closed: dict[str, int] = Field(description="Chats closed by a person, per outcome.")


def split_months(
    start: date, end: date
) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """[start, end] as ranges of days at the edges and a range of whole months (by their first
    days), e.g. 15 Jan – 10 Apr: days 15–31 Jan and 1–10 Apr, months Feb – Mar."""
    first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = end + timedelta(days=1)
    last = after if after.day == 1 else after.replace(day=1)  # the first day after whole months
    if first >= last:
        return [(start, end)], None
    days = []
    if start < first:
        days.append((start, first - timedelta(days=1)))
    if last <= end:
        days.append((last, end))
    last_month = (last - timedelta(days=1)).replace(day=1)
    return days, (first, last_month)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _finish(t: Totals) -> None:
    t.automated = max(t.conversations - t.served_by_agent, 0)
    t.automation_rate = _rate(t.automated, t.conversations)
    t.fallback_rate = _rate(t.fallbacks, t.bot_answers)
    t.handoff_rate = _rate(t.handoffs, t.conversations)


class Stats:
    """The figures of one tenant (every query is scoped to it)."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _where(self, start: date, end: date, language: str | None, *kinds: str) -> list[Any]:
        d = InsightDaily
        cond = [d.tenant_id == self.tenant_id, d.day >= start, d.day <= end]
        cond.append(d.kind == kinds[0] if len(kinds) == 1 else d.kind.in_(kinds))
        if language:
            cond.append(d.language == language)
        return cond

    def _spans(
        self, periods: list[tuple[date, date]], language: str | None, *kinds: str
    ) -> list[Any]:
        """Like `_where` for kinds that are also counted per month: whole months inside each
        period are read from the monthly rows, the days at the edges from the daily ones."""
        d = InsightDaily
        parts = []
        for start, end in periods:
            days, months = split_months(start, end)
            for a, b in days:
                parts.append(and_(d.kind.in_(kinds), d.day >= a, d.day <= b))
            if months is not None:
                monthly = [MONTH + k for k in kinds]
                parts.append(and_(d.kind.in_(monthly), d.day >= months[0], d.day <= months[1]))
        cond = [d.tenant_id == self.tenant_id, or_(*parts)]
        if language:
            cond.append(d.language == language)
        return cond

    async def figures(self, start: date, end: date, language: str | None = None) -> Figures:
        if end < start:
            start, end = end, start
        if (end - start).days >= MAX_DAYS:
            start = end - timedelta(days=MAX_DAYS - 1)
        days = await self._days(start, end, language)
        totals = Totals()
        for day in days:
            for name in (
                "conversations",
                "messages",
                "bot_answers",
                "fallbacks",
                "complaints",
                "handoffs",
                "served_by_agent",
                "left_queue",
                "offline_messages",
                "knowledge_answers",
                "helpful",
                "not_helpful",
            ):
                setattr(totals, name, getattr(totals, name) + getattr(day, name))
        _finish(totals)
        intents, step = await self._intents(start, end, language)
        durations = await self._durations(start, end, language)
        return Figures(
            start=start,
            end=end,
            language=language,
            totals=totals,
            days=days,
            intents=intents,
            series_step=step,
            languages=await self._languages(start, end, language),
            hours=await self._hours(start, end, language),
            queue_wait=durations.get("t_claimed", Duration()),
            first_response=durations.get("t_first_reply", Duration()),
            left_after=durations.get("t_left", Duration()),
            chat_length=durations.get("t_closed", Duration()),
            ratings=await self._ratings(start, end, language),
            flows=await self._flows(start, end, language),
            confidence=await self._bands(start, end, language),
            closed=await self._closed(start, end, language),
        )

    async def _days(self, start: date, end: date, language: str | None) -> list[Day]:
        d = InsightDaily
        not_understood = d.outcome.in_(NOT_UNDERSTOOD)
        rows = await self.session.execute(
            select(
                d.day,
                func.sum(case((d.kind == "conversation", d.count), else_=0)),
                func.sum(case((d.kind == "turn", d.count), else_=0)),
                func.sum(case((and_(d.kind == "turn", d.outcome != ""), d.count), else_=0)),
                func.sum(case((and_(d.kind == "turn", not_understood), d.count), else_=0)),
                func.sum(case((d.kind == "queued", d.count), else_=0)),
                func.sum(case((d.kind == "claimed", d.count), else_=0)),
                func.sum(case((d.kind == "left", d.count), else_=0)),
                func.sum(case((d.kind == "offline", d.count), else_=0)),
                func.sum(
                    case((and_(d.kind == "turn", d.outcome == "knowledge"), d.count), else_=0)
                ),
                func.sum(
                    case((and_(d.kind == "feedback", d.outcome == "helpful"), d.count), else_=0)
                ),
                func.sum(
                    case((and_(d.kind == "feedback", d.outcome == "not_helpful"), d.count), else_=0)
                ),
                func.sum(case((and_(d.kind == "turn", d.outcome == COMPLAINT), d.count), else_=0)),
            )
            .where(
                *self._where(
                    start,
                    end,
                    language,
                    "conversation",
                    "turn",
                    "queued",
                    "claimed",
                    "left",
                    "offline",
                    "feedback",
                )
            )
            .group_by(d.day)
        )
        found: dict[date, Day] = {}
        for row in rows:
            day = Day(
                day=row[0],
                conversations=int(row[1] or 0),
                messages=int(row[2] or 0),
                bot_answers=int(row[3] or 0),
                fallbacks=int(row[4] or 0),
                handoffs=int(row[5] or 0),
                served_by_agent=int(row[6] or 0),
                left_queue=int(row[7] or 0),
                offline_messages=int(row[8] or 0),
                knowledge_answers=int(row[9] or 0),
                helpful=int(row[10] or 0),
                not_helpful=int(row[11] or 0),
                complaints=int(row[12] or 0),
            )
            _finish(day)
            found[day.day] = day
        out = []
        current = start
        while current <= end:
            day = found.get(current) or Day(day=current)
            if current not in found:
                _finish(day)
            out.append(day)
            current += timedelta(days=1)
        return out

    async def _intents(
        self, start: date, end: date, language: str | None
    ) -> tuple[list[IntentFigure], SeriesStep]:
        d = InsightDaily
        length = (end - start).days + 1
        before = start - timedelta(days=length)
        current = func.sum(case((d.day >= start, d.count), else_=0))
        previous = func.sum(case((d.day < start, d.count), else_=0))
        rows = (
            await self.session.execute(
                select(d.intent, current.label("cur"), previous.label("prev"))
                .where(
                    *self._spans(
                        [(before, start - timedelta(days=1)), (start, end)], language, "intent"
                    )
                )
                .group_by(d.intent)
                .having(current > 0)
                .order_by(current.desc(), d.intent)
                .limit(TOP_INTENTS)
            )
        ).all()
        names = [row.intent for row in rows]
        by_month = length > 92
        if by_month:  # a point per calendar month, read from the monthly rows where whole
            buckets = (end.year - start.year) * 12 + end.month - start.month + 1
            where = self._spans([(start, end)], language, "intent")
        else:
            buckets = length
            where = self._where(start, end, language, "intent")
        series: dict[str, list[int]] = {name: [0] * buckets for name in names}
        if names:
            per_day = await self.session.execute(
                select(d.day, d.intent, func.sum(d.count))
                .where(*where, d.intent.in_(names))
                .group_by(d.day, d.intent)
            )
            for day, name, n in per_day:
                if by_month:
                    index = (day.year - start.year) * 12 + day.month - start.month
                else:
                    index = (day - start).days
                series[name][min(max(index, 0), buckets - 1)] += int(n)
        step: SeriesStep = "month" if by_month else "day"
        figures = [
            IntentFigure(
                intent=row.intent,
                count=int(row.cur),
                previous=int(row.prev),
                change=round(int(row.cur) / int(row.prev) - 1, 4) if row.prev else None,
                series=series[row.intent],
            )
            for row in rows
        ]
        return figures, step

    async def _languages(
        self, start: date, end: date, language: str | None
    ) -> list[LanguageFigure]:
        d = InsightDaily
        rows = (
            await self.session.execute(
                select(d.language, func.sum(d.count))
                .where(*self._where(start, end, language, "conversation"))
                .group_by(d.language)
            )
        ).all()
        total = sum(int(n) for _lang, n in rows)
        return sorted(
            (
                LanguageFigure(
                    language=lang or "?", conversations=int(n), share=_rate(int(n), total) or 0.0
                )
                for lang, n in rows
            ),
            key=lambda f: (-f.conversations, f.language),
        )

    async def _hours(self, start: date, end: date, language: str | None) -> list[list[int]]:
        h = InsightHourly
        cond = [h.tenant_id == self.tenant_id, h.day >= start, h.day <= end]
        if language:
            cond.append(h.language == language)
        grid = [[0] * 24 for _ in range(7)]
        rows = await self.session.execute(
            select(h.weekday, h.hour, func.sum(h.conversations))
            .where(*cond)
            .group_by(h.weekday, h.hour)
        )
        for weekday, hour, n in rows:
            grid[int(weekday)][int(hour)] = int(n or 0)
        return grid

    async def _durations(self, start: date, end: date, language: str | None) -> dict[str, Duration]:
        """Nearest-rank median and 90th percentile per kind, with window sums in SQL."""
        d = InsightDaily
        kind = func.replace(d.kind, MONTH, "")
        hist = (
            select(kind.label("kind"), d.seconds.label("seconds"), func.sum(d.count).label("n"))
            .where(*self._spans([(start, end)], language, *DURATIONS), d.seconds >= 0)
            .group_by(kind, d.seconds)
            .subquery()
        )
        cum = (
            select(
                hist.c.kind,
                hist.c.seconds,
                hist.c.n,
                func.sum(hist.c.n)
                .over(partition_by=hist.c.kind, order_by=hist.c.seconds)
                .label("cum"),
                func.sum(hist.c.n).over(partition_by=hist.c.kind).label("total"),
            )
        ).subquery()
        rows = await self.session.execute(
            select(
                cum.c.kind,
                func.max(cum.c.total),
                func.min(case((cum.c.cum * 2 >= cum.c.total, cum.c.seconds))),
                func.min(case((cum.c.cum * 10 >= cum.c.total * 9, cum.c.seconds))),
                func.sum(cum.c.n * cum.c.seconds),
            ).group_by(cum.c.kind)
        )
        out: dict[str, Duration] = {}
        for kind, total, p50, p90, weighted in rows:
            total = int(total or 0)
            out[kind] = Duration(
                count=total,
                median=None if p50 is None else int(p50),
                p90=None if p90 is None else int(p90),
                mean=round(float(weighted) / total, 1) if total else None,
            )
        return out

    async def _ratings(self, start: date, end: date, language: str | None) -> Ratings:
        d = InsightDaily
        rows = await self.session.execute(
            select(d.rating, func.sum(d.count))
            .where(*self._where(start, end, language, "rating"), d.rating > 0)
            .group_by(d.rating)
        )
        ratings = Ratings()
        for rating, n in rows:
            ratings.distribution[int(rating)] = int(n)
        ratings.count = sum(ratings.distribution.values())
        if ratings.count:
            good = ratings.distribution[4] + ratings.distribution[5]
            ratings.csat = _rate(good, ratings.count)
            weighted = sum(r * n for r, n in ratings.distribution.items())
            ratings.average = round(weighted / ratings.count, 2)
        return ratings

    async def _flows(self, start: date, end: date, language: str | None) -> list[FlowFigure]:
        d = InsightDaily
        rows = await self.session.execute(
            select(d.flow, d.outcome, func.sum(d.count))
            .where(*self._where(start, end, language, "flow"))
            .group_by(d.flow, d.outcome)
        )
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for flow, outcome, n in rows:
            counts[flow][outcome] += int(n)
        return [
            FlowFigure(
                flow=flow,
                started=c["started"],
                completed=c["completed"],
                abandoned=c["abandoned"],
                completion_rate=_rate(c["completed"], c["started"]),
            )
            for flow, c in sorted(counts.items(), key=lambda kv: (-kv[1]["started"], kv[0]))
        ]

    async def _grouped(
        self, column: Any, start: date, end: date, language: str | None, kind: str, *more: Any
    ) -> dict[str, int]:
        d = InsightDaily
        rows = await self.session.execute(
            select(column, func.sum(d.count))
            .where(*self._where(start, end, language, kind), column != "", *more)
            .group_by(column)
        )
        return {str(key): int(n) for key, n in rows}

    async def _bands(self, start: date, end: date, language: str | None) -> dict[str, int]:
        d = InsightDaily
        rows = await self.session.execute(
            select(d.band, func.sum(d.count))
            .where(
                *self._spans([(start, end)], language, "turn"),
                d.band != "",
                d.outcome.in_(QUESTION_OUTCOMES),
            )
            .group_by(d.band)
        )
        found = {str(band): int(n) for band, n in rows}
        return {band: found.get(band, 0) for band in ("high", "medium", "low")}

    async def _closed(self, start: date, end: date, language: str | None) -> dict[str, int]:
        return await self._grouped(InsightDaily.outcome, start, end, language, "closed")


CSV_COLUMNS = (
    "date",
    "conversations",
    "messages",
    "automated",
    "automation_rate",
    "served_by_agent",
    "handoffs",
    "handoff_rate",
    "bot_answers",
    "fallbacks",
    "fallback_rate",
    "left_queue",
    "offline_messages",
)


def csv_rows(figures: Figures) -> list[list[str]]:
    """One row per day, then a total row (rates as fractions with four decimals)."""

    def cells(label: str, t: Totals) -> list[str]:
        def fmt(v: Any) -> str:
            return "" if v is None else (f"{v:.4f}" if isinstance(v, float) else str(v))

        return [label, *(fmt(getattr(t, c)) for c in CSV_COLUMNS[1:])]

    rows = [list(CSV_COLUMNS)]
    rows += [cells(day.day.isoformat(), day) for day in figures.days]
    rows.append(cells("total", figures.totals))
    return rows
