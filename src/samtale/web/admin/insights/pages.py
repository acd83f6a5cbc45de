"""The insight pages of `/admin` for a shop's admins: the dashboard (figures and charts for a
date range and a language), the review inbox (turning redacted customer questions into training
examples in the bot's draft, and publishing it), and the evaluation history across versions.

Pages work without script: filters are plain GET forms, actions plain POST forms with the CSRF
token, and charts are SVG drawn here (`admin_insights_charts`) with their numbers in tables;
`static/insights.js` only adds arrow-key reading of the charts and the publish progress.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samtale.accounts.sessions import Staff
from samtale.admin.publishing import PublishError, job_view
from samtale.app.container import Container
from samtale.bot.content_checks import content_problems
from samtale.bot.drafts import Drafts
from samtale.insights.review import BANDS, STATUSES, InboxFilter, Review, ReviewError
from samtale.insights.settings import insight_settings
from samtale.insights.stats import MAX_DAYS, Day, Figures
from samtale.kernel.languages import LANGUAGES
from samtale.model import Tenant
from samtale.web.admin.forms import AdminForm, t_for
from samtale.web.admin.home import AdminStaff, admin_render
from samtale.web.admin.insights.api import default_range, figures_for, shop_of
from samtale.web.admin.insights.charts import (
    Series,
    bar_chart,
    hbar_chart,
    heatmap,
    line_chart,
    sparkline,
)
from samtale.web.deps import ContainerDep
from samtale.web.errors import ApiError
from samtale.web.i18n import ui_language
from samtale.web.staff.labels import StaffLabels, labels_of

router = APIRouter(prefix="/admin", include_in_schema=False)

LANGUAGE_NAMES = {"da": "Dansk", "sv": "Svenska", "nb": "Norsk", "fi": "Suomi", "en": "English"}
PRESETS = (7, 30, 90, 365)
REVIEW_ERRORS = (
    "unknown_intent",
    "intent_required",
    "invalid_name",
    "intent_exists",
    "not_found",
    "invalid_share",
)


def pct(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f} %"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s" if s % 60 else f"{s // 60} min"
    return f"{s // 3600} t {s % 3600 // 60:02d} min"


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "invalid_date", "Dates are written YYYY-MM-DD.") from None


def _weeks(days: list[Day]) -> list[tuple[date, int, int, list[Day]]]:
    """Days grouped by 7 from the first: (first day, conversations, messages, days)."""
    out = []
    for i in range(0, len(days), 7):
        chunk = days[i : i + 7]
        out.append(
            (
                chunk[0].day,
                sum(d.conversations for d in chunk),
                sum(d.messages for d in chunk),
                chunk,
            )
        )
    return out


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def dashboard_charts(
    f: Figures, lang: str, t: Any, names: StaffLabels | None = None
) -> dict[str, Any]:
    """The dashboard's charts (SVG) and the rows of their tables (topics by their names)."""
    topic: Any = names.topic if names is not None else str

    def short(d: date) -> str:
        return format_date(d, "d MMM", locale=lang)

    weekly = len(f.days) > 92
    if weekly:
        groups = _weeks(f.days)
        labels = [short(first) for first, *_ in groups]
        conv = [float(c) for _first, c, _m, _d in groups]
        says = [
            t("ins.day_say", day=t("ins.week_of", day=short(first)), n=c, m=m)
            for first, c, m, _d in groups
        ]
        rates: list[tuple[float | None, float | None, float | None]] = []
        for _first, c, _m, chunk in groups:
            served = sum(d.served_by_agent for d in chunk)
            answers = sum(d.bot_answers for d in chunk)
            rates.append(
                (
                    _rate(max(c - served, 0), c),
                    _rate(sum(d.fallbacks for d in chunk), answers),
                    _rate(sum(d.handoffs for d in chunk), c),
                )
            )
        rate_labels, every = labels, max(1, len(labels) // 8)
    else:
        labels = [short(d.day) for d in f.days]
        conv = [float(d.conversations) for d in f.days]
        says = [t("ins.day_say", day=short(d.day), n=d.conversations, m=d.messages) for d in f.days]
        rates = [(d.automation_rate, d.fallback_rate, d.handoff_rate) for d in f.days]
        rate_labels, every = labels, max(1, len(labels) // 8)
    rate_says = [
        t("ins.rates_say", day=label, a=pct(a), f=pct(fb), h=pct(h))
        for label, (a, fb, h) in zip(rate_labels, rates, strict=True)
    ]
    per_day = bar_chart(
        conv,
        labels,
        says,
        title=t("ins.per_week" if weekly else "ins.per_day"),
        desc=t("ins.per_day_desc"),
        axis_every=every,
    )
    rate_chart = line_chart(
        [
            Series(t("ins.automation"), [r[0] for r in rates], "s1"),
            Series(t("ins.fallback"), [r[1] for r in rates], "s3"),
            Series(t("ins.handoff"), [r[2] for r in rates], "s2"),
        ],
        rate_labels,
        rate_says,
        title=t("ins.rates_per_week" if weekly else "ins.rates"),
        desc=t("ins.rates_desc"),
        top=1.0,
        axis_every=every,
    )
    intents = hbar_chart(
        [
            (
                topic(i.intent),
                float(i.count),
                t("ins.intent_say", name=topic(i.intent), n=i.count, before=i.previous),
            )
            for i in f.intents
        ],
        title=t("ins.intents"),
        desc=t("ins.intents_desc"),
    )
    languages = hbar_chart(
        [
            (
                LANGUAGE_NAMES.get(x.language, x.language),
                float(x.conversations),
                t(
                    "ins.language_say",
                    name=LANGUAGE_NAMES.get(x.language, x.language),
                    n=x.conversations,
                    share=pct(x.share),
                ),
            )
            for x in f.languages
        ],
        title=t("ins.languages"),
        desc=t("ins.languages_desc"),
        label_width=90,
    )
    weekdays = t("ins.weekdays").split(",")
    weekdays_long = t("ins.weekdays_long").split(",")
    hours = heatmap(
        f.hours,
        weekdays,
        lambda r, h, n: t("ins.hours_say", day=weekdays_long[r], hour=f"{h:02d}", n=n),
        title=t("ins.hours"),
        desc=t("ins.hours_desc"),
    )
    ratings = hbar_chart(
        [
            (f"{r} ★", float(n), t("ins.rating_say", r=r, n=n))
            for r, n in sorted(f.ratings.distribution.items(), reverse=True)
        ],
        title=t("ins.ratings"),
        desc=t("ins.ratings_desc"),
        label_width=50,
    )
    sparks = {i.intent: sparkline([float(v) for v in i.series], t("ins.trend")) for i in f.intents}
    return {
        "per_day": per_day,
        "rates": rate_chart,
        "intents": intents,
        "languages": languages,
        "hours": hours,
        "ratings": ratings,
        "sparks": sparks,
        "weekly": weekly,
        "table_days": [(label, c, r) for label, c, r in zip(labels, conv, rates, strict=True)],
        "weekdays": weekdays,
    }


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await shop_of(runtime, staff)
    t = t_for(request)
    lang = ui_language(request)
    q = request.query_params
    first, last = default_range(tenant, runtime.clock.now())
    error = None
    try:
        start, end = _date(q.get("from")) or first, _date(q.get("to")) or last
    except ApiError:
        start, end, error = first, last, t("ins.invalid_range")
    if end < start:
        start, end = end, start
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    language = q.get("language") if q.get("language") in LANGUAGES else None
    figures = await figures_for(runtime, tenant, start, end, language)
    labels = await labels_of(request, tenant.id, lang)
    query = {"from": start.isoformat(), "to": end.isoformat()}
    if language:
        query["language"] = language
    presets = []
    for n in PRESETS:
        params = {"from": (last - timedelta(days=n - 1)).isoformat(), "to": last.isoformat()}
        if language:
            params["language"] = language
        current = start == last - timedelta(days=n - 1) and end == last
        presets.append((t("ins.last_days", n=n), "?" + urlencode(params), current))
    return admin_render(
        request,
        "admin/insights/dashboard.html",
        staff,
        title=t("ins.dash.title"),
        f=figures,
        charts=dashboard_charts(figures, lang, t, labels),
        labels=labels,
        language=language,
        shop_languages=[
            (code, LANGUAGE_NAMES[code])
            for code in LANGUAGES
            if code in (tenant.languages or LANGUAGES)
        ],
        language_names=LANGUAGE_NAMES,
        presets=presets,
        csv_url="/api/v1/admin/stats.csv?" + urlencode(query),
        range_text=t(
            "ins.range",
            start=format_date(start, "long", locale=lang),
            end=format_date(end, "long", locale=lang),
        ),
        pct=pct,
        duration=duration,
        form_error=error,
    )


# The review inbox -------------------------------------------------------------------------


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _back(form: AdminForm, **extra: str) -> str:
    """The inbox with the filters it was posted from (`f_<name>` fields), and a notice."""
    params = {
        k: form.get(f"f_{k}")
        for k in ("status", "language", "intent", "band", "page")
        if form.get(f"f_{k}")
    }
    params.update(extra)
    return "/admin/review" + ("?" + urlencode(params) if params else "")


async def _publish_state(runtime: Container, tenant: Tenant) -> dict[str, Any]:
    async with runtime.db.session() as session:
        working = await Drafts(session, tenant, runtime.clock).working()
        job = await runtime.admin.publisher.latest(session, tenant.id)
    errors, _warnings = content_problems(working.content)
    return {
        "working": working,
        "job": job_view(job, runtime.clock.now()) if job is not None else None,
        "errors": errors,
        "intents": sorted(i.name for i in working.content.intents),
        "languages": list(working.content.languages),
    }


@router.get("/review", response_class=HTMLResponse)
async def review_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await shop_of(runtime, staff)
    t = t_for(request)
    q = request.query_params
    status = q.get("status") or "new"
    if status not in STATUSES:
        status = "new"
    page_no = int(q["page"]) if q.get("page", "").isdigit() else 1
    f = InboxFilter(
        status=status,
        language=q.get("language") if q.get("language") in LANGUAGES else None,
        intent=(q.get("intent") or None) if len(q.get("intent", "")) <= 64 else None,
        band=q.get("band") if q.get("band") in BANDS else None,
        page=page_no,
    )
    async with runtime.db.session() as session:
        review = Review(session, tenant, runtime.clock)
        found = await review.inbox(f)
        facet_languages, facet_intents = await review.facets()
        right, total = await review.accuracy()
    state = await _publish_state(runtime, tenant)
    filters = {
        k: v
        for k, v in (
            ("status", status),
            ("language", f.language),
            ("intent", f.intent),
            ("band", f.band),
        )
        if v
    }
    notice = None
    done = q.get("done")
    if done in ("confirmed", "created", "discarded", "reopened", "published", "settings"):
        notice = t(f"ins.done.{done}", name=q.get("name", "")[:64])
    error = t(f"ins.error.{q['error']}") if q.get("error") in REVIEW_ERRORS else None
    if q.get("error") == "publish" and state["errors"]:
        error = t("ins.publish_problems", problem=state["errors"][0])
    settings = insight_settings(tenant)
    return admin_render(
        request,
        "admin/insights/review.html",
        staff,
        title=t("ins.review.title"),
        labels=StaffLabels(state["working"].content, ui_language(request)),
        page=found,
        filter=f,
        filters=filters,
        query=urlencode(filters),
        facet_languages=facet_languages,
        facet_intents=facet_intents,
        language_names=LANGUAGE_NAMES,
        state=state,
        statuses=STATUSES,
        bands=BANDS,
        notice=notice,
        form_error=error,
        accuracy=(right, total, pct(right / total) if total else "–"),
        sample_share=round(settings.sample_share * 100, 1),
        sample_days=settings.sample_days,
    )


async def _review_action(
    request: Request, staff: Staff, runtime: Container, item_id: uuid.UUID, action: str
) -> Response:
    tenant = await shop_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    try:
        async with runtime.db.transaction() as session:
            review = Review(session, tenant, runtime.clock)
            if action == "confirm":
                item = await review.confirm(item_id, form.get("intent") or None)
                return _redirect(_back(form, done="confirmed", name=item.label or ""))
            if action == "create":
                answers: dict[str, str] = {lang: form.raw(f"answer.{lang}") for lang in LANGUAGES}
                item = await review.create_intent(
                    item_id, form.get("name"), answers, form.get("description")
                )
                return _redirect(_back(form, done="created", name=item.label or ""))
            if action == "discard":
                await review.discard(item_id)
                return _redirect(_back(form, done="discarded"))
            await review.reopen(item_id)
            return _redirect(_back(form, done="reopened"))
    except ReviewError as exc:
        return _redirect(_back(form, error=exc.code))


@router.post("/review/{item_id}/confirm")
async def review_confirm(
    request: Request, item_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    return await _review_action(request, staff, runtime, item_id, "confirm")


@router.post("/review/{item_id}/intent")
async def review_create(
    request: Request, item_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    return await _review_action(request, staff, runtime, item_id, "create")


@router.post("/review/{item_id}/discard")
async def review_discard(
    request: Request, item_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    return await _review_action(request, staff, runtime, item_id, "discard")


@router.post("/review/{item_id}/reopen")
async def review_reopen(
    request: Request, item_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    return await _review_action(request, staff, runtime, item_id, "reopen")


@router.post("/review/publish")
async def review_publish(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    """Publish the draft the reviews went into: the bot retrains in the background."""
    tenant = await shop_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    state = await _publish_state(runtime, tenant)
    version = state["working"].version
    if version is None:
        return _redirect(_back(form))
    try:
        await runtime.admin.publisher.start(tenant.id, version)
    except PublishError as exc:
        return _redirect(
            _back(form, error="publish" if exc.code == "content_invalid" else exc.code)
        )
    return _redirect(_back(form, done="published"))


@router.post("/review/settings")
async def review_settings(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    """The share of questions copied into the sample."""
    tenant = await shop_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    try:
        share = float(form.get("sample_share").replace(",", "."))
    except ValueError:
        share = -1.0
    if not 0 <= share <= 100:
        return _redirect(_back(form, error="invalid_share"))
    async with runtime.db.transaction() as session:
        row = await session.get(Tenant, tenant.id, with_for_update=True)
        if row is None:
            raise ApiError(404, "shop_not_found", "No such shop.")
        settings = dict(row.settings or {})
        section = dict(settings.get("insights") or {})
        section["sample_share"] = round(share / 100, 4)
        settings["insights"] = section
        row.settings = settings
    await runtime.changes.announce(tenant.id, "settings")
    return _redirect(_back(form, done="settings"))


# Evaluation -------------------------------------------------------------------------------


@router.get("/evaluation", response_class=HTMLResponse)
async def evaluation_page(
    request: Request, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await shop_of(runtime, staff)
    t = t_for(request)
    hist = await runtime.admin.evaluation_history(tenant)
    versions = hist.versions
    chart = None
    if versions:
        labels = [f"v{v.version}" for v in versions]
        chart = line_chart(
            [
                Series(t("ins.eval.accuracy"), [v.accuracy for v in versions], "s1"),
                Series(t("ins.eval.macro_f1"), [v.macro_f1 for v in versions], "s2"),
                Series(
                    t("ins.eval.reviewed"),
                    [v.reviewed["accuracy"] if v.reviewed else None for v in versions],
                    "s3",
                ),
            ],
            labels,
            [
                t(
                    "ins.eval.say",
                    version=v.version,
                    acc=pct(v.accuracy, 1),
                    f1=f"{v.macro_f1:.2f}",
                    rev=pct(v.reviewed["accuracy"], 1) if v.reviewed else "–",
                )
                for v in versions
            ],
            title=t("ins.eval.trend"),
            desc=t("ins.eval.trend_desc"),
            top=1.0,
        )
    recent = versions[-6:]
    names = sorted({name for v in recent for name in v.intents})
    latest = versions[-1] if versions else None
    dropped = {d.intent: d for d in latest.dropped} if latest else {}
    # Intents with a drop first, then the weakest.
    names.sort(key=lambda n: (n not in dropped, latest.intents.get(n, 1.0) if latest else 1.0, n))
    return admin_render(
        request,
        "admin/insights/evaluation.html",
        staff,
        title=t("ins.eval.title"),
        labels=await labels_of(request, tenant.id, ui_language(request)),
        hist=hist,
        versions=list(reversed(versions)),
        chart=chart,
        recent=recent,
        intent_names=names,
        dropped=dropped,
        latest=latest,
        pct=pct,
        live_share=pct(hist.reviewed_right / hist.reviewed_total) if hist.reviewed_total else None,
    )
