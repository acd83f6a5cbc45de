"""The bot builder's JSON API (`/api/v1/admin/bot/…`, a shop's admins): the draft content in the
same model as the YAML files and the forms, publishing with its progress, and the try-it chat
that `static/admin.js` drives."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from samtale.accounts.sessions import Staff
from samtale.admin.publishing import job_view
from samtale.bot.content import Content
from samtale.bot.content_checks import content_problems
from samtale.bot.drafts import Drafts
from samtale.kernel.languages import Language
from samtale.kernel.logs import get_logger
from samtale.privacy import audit
from samtale.web.admin.bot.pages import save, tenant_of, working_of
from samtale.web.deps import ContainerDep
from samtale.web.errors import COMMON_ERRORS, ApiError, ErrorResponse, not_found
from samtale.web.staff.session import api_roles

log = get_logger(__name__)

router = APIRouter(
    prefix="/admin/bot",
    tags=["bot builder (admin)"],
    responses={
        **COMMON_ERRORS,
        401: {"model": ErrorResponse, "description": "not logged in"},
        403: {"model": ErrorResponse, "description": "not a shop's admin, or no CSRF token"},
    },
)


async def _shop_admin(staff: Staff = api_roles("admin")) -> Staff:
    if staff.tenant_id is None:
        raise ApiError(403, "forbidden", "For a shop's admins.")
    return staff


ShopAdmin = Annotated[Staff, Depends(_shop_admin)]


class DraftOut(BaseModel):
    version: int | None = Field(description="The version being edited (None: nothing saved).")
    is_draft: bool = Field(description="False when the content is the published version.")
    published_version: int | None
    content: Content
    errors: list[str] = Field(description="Problems that block publishing.")
    warnings: list[str]


class JobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    stage: str
    done: int
    total: int
    error: str | None
    evaluation: dict[str, Any] | None
    finished: bool


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, description="Default: the draft.")


class TryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    intent: str | None = Field(default=None, max_length=64, description="A clicked button's.")
    language: Language | None = None
    state: dict[str, Any] = Field(default_factory=dict)
    trial_id: uuid.UUID | None = None


class TryReply(BaseModel):
    text: str
    buttons: list[dict[str, Any]] = Field(default_factory=list)


class TryOut(BaseModel):
    replies: list[TryReply]
    state: dict[str, Any]
    language: str
    intent: str | None = None
    confidence: float | None = None
    outcome: str | None = None


@router.get("/draft", response_model=DraftOut, summary="The content being edited")
async def get_draft(staff: ShopAdmin, runtime: ContainerDep) -> DraftOut:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    errors, warnings = content_problems(working.content)
    return DraftOut(
        version=working.version,
        is_draft=working.is_draft,
        published_version=working.published.version if working.published else None,
        content=working.content,
        errors=errors,
        warnings=warnings,
    )


@router.put("/draft", response_model=DraftOut, summary="Save the content as the draft")
async def put_draft(body: Content, staff: ShopAdmin, runtime: ContainerDep) -> DraftOut:
    """The whole content (the YAML files' model). The live bot changes only on publishing."""
    tenant = await tenant_of(runtime, staff)
    await save(runtime, tenant, body)
    return await get_draft(staff, runtime)


@router.post("/publish", response_model=JobOut, status_code=202, summary="Publish a version")
async def post_publish(body: PublishIn, staff: ShopAdmin, runtime: ContainerDep) -> JobOut:
    """Train in the background; the live bot switches only when training succeeded. Follow the
    job at `GET /api/v1/admin/bot/publish/{id}`."""
    tenant = await tenant_of(runtime, staff)
    version = body.version
    if version is None:
        version = (await working_of(runtime, tenant)).version
    if version is None:
        raise ApiError(409, "nothing_to_publish", "There is no content to publish.")
    job = await runtime.admin.publisher.start(
        tenant.id, version, actor=audit.user_actor(staff.user_id)
    )
    return JobOut.model_validate(job_view(job, runtime.clock.now()))


@router.get("/publish/latest", response_model=JobOut, summary="The newest publish job")
async def latest_job(staff: ShopAdmin, runtime: ContainerDep) -> JobOut:
    assert staff.tenant_id is not None
    async with runtime.db.session() as session:
        job = await runtime.admin.publisher.latest(session, staff.tenant_id)
    if job is None:
        raise not_found("publish job")
    return JobOut.model_validate(job_view(job, runtime.clock.now()))


@router.get("/publish/{job_id}", response_model=JobOut, summary="A publish job's progress")
async def get_job(job_id: uuid.UUID, staff: ShopAdmin, runtime: ContainerDep) -> JobOut:
    assert staff.tenant_id is not None
    async with runtime.db.session() as session:
        job = await runtime.admin.publisher.get(session, staff.tenant_id, job_id)
    if job is None:
        raise not_found("publish job")
    return JobOut.model_validate(job_view(job, runtime.clock.now()))


@router.post("/try", response_model=TryOut, summary="Talk to the draft")
async def try_draft(body: TryIn, staff: ShopAdmin, runtime: ContainerDep) -> TryOut:
    """One turn of a test chat with the draft content. Nothing is stored: send back the
    `state` of the previous answer with the next message."""
    tenant = await tenant_of(runtime, staff)
    async with runtime.db.session() as session:
        working = await Drafts(session, tenant, runtime.clock).working()
    if not working.content.training_rows():
        raise ApiError(409, "no_examples", "The draft has no examples to learn from yet.")
    try:
        turn = await runtime.admin.trials.turn(
            tenant,
            working.content,
            body.text,
            state=body.state,
            language=body.language,
            intent=body.intent,
            trial_id=body.trial_id,
        )
    except ValueError as exc:
        raise ApiError(409, "cannot_try", str(exc)[:200]) from None
    except Exception:
        # The dialogue state comes from the page; one that no longer fits the draft (say, a
        # flow just deleted) ends the test chat rather than the request.
        log.warning("try_failed", tenant_id=str(tenant.id))
        raise ApiError(409, "try_failed", "Start the test chat over.") from None
    notes = turn.notes
    return TryOut(
        replies=[TryReply.model_validate(r) for r in turn.replies],
        state=turn.state,
        language=turn.language,
        intent=notes.intent,
        confidence=notes.confidence,
        outcome=notes.outcome,
    )
