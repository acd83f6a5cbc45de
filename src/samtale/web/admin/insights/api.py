"""The insights' JSON API for a shop's admins (`/api/v1/admin/…`): the dashboard's figures and
their CSV export, the review inbox and its actions, and the evaluation history. Every endpoint
reads and writes the logged-in admin's own shop only."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from samtale.accounts.sessions import Staff
from samtale.app.container import Container
from samtale.insights.evaluation import EvaluationHistory
from samtale.insights.review import InboxFilter, Review
from samtale.insights.settings import tenant_zone
from samtale.insights.stats import Figures, Stats, csv_rows
from samtale.model import SampleItem, Tenant
from samtale.web.deps import ContainerDep
from samtale.web.errors import COMMON_ERRORS, ApiError, ErrorResponse, not_found
from samtale.web.staff.session import api_roles

router = APIRouter(
    prefix="/admin",
    tags=["insights (admin)"],
    responses={
        **COMMON_ERRORS,
        401: {"model": ErrorResponse, "description": "not logged in"},
        403: {"model": ErrorResponse, "description": "not a shop's admin, or no CSRF token"},
    },
)

DEFAULT_DAYS = 30


async def _shop_admin(staff: Staff = api_roles("admin")) -> Staff:
    if staff.tenant_id is None:
        raise ApiError(403, "forbidden", "For a shop's admins.")
    return staff


ShopAdmin = Annotated[Staff, Depends(_shop_admin)]
LanguageParam = Literal["da", "sv", "nb", "fi", "en"]


async def shop_of(runtime: Container, staff: Staff) -> Tenant:
    async with runtime.db.session() as session:
        tenant = await session.get(Tenant, staff.tenant_id)
    if tenant is None:
        raise not_found("shop")
    return tenant


def default_range(tenant: Tenant, now: datetime, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The last `days` days up to today in the shop's time zone."""
    today = now.astimezone(tenant_zone(tenant)).date()
    return today - timedelta(days=days - 1), today


async def figures_for(
    runtime: Container,
    tenant: Tenant,
    start: date | None,
    end: date | None,
    language: str | None,
) -> Figures:
    first, last = default_range(tenant, runtime.clock.now())
    async with runtime.db.session() as session:
        return await Stats(session, tenant.id).figures(start or first, end or last, language)


@router.get("/stats", response_model=Figures)
async def stats(
    staff: ShopAdmin,
    runtime: ContainerDep,
    start: Annotated[
        date | None, Query(alias="from", description="First day (YYYY-MM-DD).")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day, included.")] = None,
    language: Annotated[LanguageParam | None, Query()] = None,
) -> Figures:
    """The dashboard's figures for a range of the shop's local days (default: the last 30),
    for every language or one."""
    tenant = await shop_of(runtime, staff)
    return await figures_for(runtime, tenant, start, end, language)


@router.get(
    "/stats.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "one row per day and a total"}},
)
async def stats_csv(
    staff: ShopAdmin,
    runtime: ContainerDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    language: Annotated[LanguageParam | None, Query()] = None,
) -> Response:
    """The figures per day as CSV (counts, and rates as fractions)."""
    tenant = await shop_of(runtime, staff)
    figures = await figures_for(runtime, tenant, start, end, language)
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(figures))
    name = f"samtale-stats-{figures.start}-{figures.end}{'-' + language if language else ''}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


# The review inbox ------------------------------------------------------------------------


class SampleOut(BaseModel):
    id: uuid.UUID
    language: str
    text: str = Field(description="The customer's question, redacted.")
    intent: str | None = Field(description="The bot's guess (None: not understood).")
    confidence: float
    band: str
    status: str
    label: str | None = Field(description="The intent it was confirmed as.")
    created_at: datetime
    expires_at: datetime


class InboxOut(BaseModel):
    items: list[SampleOut]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


class ConfirmIn(BaseModel):
    intent: str | None = Field(None, description="Another intent than the bot's guess.")


class CreateIntentIn(BaseModel):
    name: str = Field(min_length=2, max_length=64)
    description: str = Field("", max_length=500)
    answers: dict[LanguageParam, Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=dict
    )


def sample_out(item: SampleItem) -> SampleOut:
    return SampleOut.model_validate(item, from_attributes=True)


@router.get("/review", response_model=InboxOut)
async def inbox(
    staff: ShopAdmin,
    runtime: ContainerDep,
    status: Literal["new", "confirmed", "discarded"] = "new",
    language: LanguageParam | None = None,
    intent: Annotated[str | None, Query(max_length=64, description='"-": not understood')] = None,
    band: Literal["high", "medium", "low"] | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> InboxOut:
    tenant = await shop_of(runtime, staff)
    async with runtime.db.session() as session:
        found = await Review(session, tenant, runtime.clock).inbox(
            InboxFilter(status, language, intent, band, page)
        )
    return InboxOut(
        items=[sample_out(i) for i in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
        counts=found.counts,
    )


async def _act(
    runtime: Container, staff: Staff, action: str, item_id: uuid.UUID, **kw: Any
) -> SampleOut:
    tenant = await shop_of(runtime, staff)
    async with runtime.db.transaction() as session:
        review = Review(session, tenant, runtime.clock)
        item = await getattr(review, action)(item_id, **kw)
        return sample_out(item)


@router.post("/review/{item_id}/confirm", response_model=SampleOut)
async def confirm(
    item_id: uuid.UUID, body: ConfirmIn, staff: ShopAdmin, runtime: ContainerDep
) -> SampleOut:
    """Add the question to the draft as an example of the bot's guess (or of `intent`)."""
    return await _act(runtime, staff, "confirm", item_id, intent=body.intent)


@router.post("/review/{item_id}/intent", response_model=SampleOut, status_code=201)
async def create_intent(
    item_id: uuid.UUID, body: CreateIntentIn, staff: ShopAdmin, runtime: ContainerDep
) -> SampleOut:
    """Create a new intent in the draft with this question as its first example."""
    return await _act(
        runtime,
        staff,
        "create_intent",
        item_id,
        name=body.name,
        answers=dict(body.answers),
        description=body.description,
    )


@router.post("/review/{item_id}/discard", response_model=SampleOut)
async def discard(item_id: uuid.UUID, staff: ShopAdmin, runtime: ContainerDep) -> SampleOut:
    return await _act(runtime, staff, "discard", item_id)


@router.post("/review/{item_id}/reopen", response_model=SampleOut)
async def reopen(item_id: uuid.UUID, staff: ShopAdmin, runtime: ContainerDep) -> SampleOut:
    return await _act(runtime, staff, "reopen", item_id)


# Evaluation ------------------------------------------------------------------------------


@router.get("/evaluation", response_model=EvaluationHistory)
async def evaluation(staff: ShopAdmin, runtime: ContainerDep) -> EvaluationHistory:
    """Every published version's evaluation, oldest first, with intents whose F1 dropped."""
    tenant = await shop_of(runtime, staff)
    return await runtime.admin.evaluation_history(tenant)
