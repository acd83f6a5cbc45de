"""The customer's side of talking to a person (visitor API): the pre-chat form's answers into the
queue, leaving the queue, rating the chat, and a message for customer service when nobody is
available. The widget uses exactly these routes; queue positions and the live chat arrive over
the conversation's websocket (`queue`, `state`, `message`, `typing`, `read` frames)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from samtale.app.container import Container
from samtale.kernel.languages import normalize_language
from samtale.kernel.text import EMAIL_PATTERN, clean_text
from samtale.live import prechat
from samtale.live.service import HandoffStatus
from samtale.live.settings import languages_of, live_settings
from samtale.model import Tenant
from samtale.tenants.service import tenant_by_widget_key
from samtale.web.deps import ContainerDep, VisitorConversation, client_ip, rate_limit
from samtale.web.errors import COMMON_ERRORS, ApiError, ErrorResponse
from samtale.web.visitor.conversations import origin_allowed

router = APIRouter(tags=["visitor"], responses=COMMON_ERRORS)

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorResponse, "description": "not possible in this state"}
}
OFFLINE_PER_MINUTE = 5


class HandoffRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[
        Annotated[str, Field(max_length=32, pattern=r"^[a-z][a-z0-9_]{0,31}$")],
        Annotated[str, Field(max_length=2000)],
    ] = Field(
        default_factory=dict,
        max_length=12,
        description="The pre-chat form's answers, by field name (see the widget config).",
    )


class HandoffOut(BaseModel):
    handoff_id: str | None = None
    state: Literal["bot", "queued", "live", "closed"] = Field(
        description="The conversation's state."
    )
    status: Literal["queued", "live", "closed", "left"] | None = Field(
        default=None, description="The latest handoff's status (none: never asked for a person)."
    )
    position: int | None = Field(default=None, description="Place in the queue, 1 = next.")
    wait_seconds: int | None = Field(
        default=None, description="Estimated wait, from the shop's recent waiting times."
    )
    agent_name: str | None = None
    can_rate: bool = Field(default=False, description="A person closed the chat; not rated yet.")


class RatingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)

    @field_validator("comment")
    @classmethod
    def _comment(cls, v: str | None) -> str | None:
        return clean_text(v) or None if v is not None else None


class OfflineMessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    text: str = Field(min_length=1, max_length=4000)
    name: str | None = Field(default=None, max_length=100)
    language: str | None = Field(
        default=None, max_length=16, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8})*$"
    )

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        v = clean_text(v)
        if not v:
            raise ValueError("the text is empty")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return " ".join(clean_text(v).split()) or None if v is not None else None


class OfflineMessageOut(BaseModel):
    id: str
    status: Literal["open", "answered"]
    created_at: datetime


def _out(status: HandoffStatus) -> HandoffOut:
    return HandoffOut.model_validate(status.as_dict())


@router.get(
    "/conversations/{conversation_id}/handoff",
    response_model=HandoffOut,
    summary="The request for a person",
)
async def get_handoff(conv: VisitorConversation, runtime: ContainerDep) -> HandoffOut:
    """Where the customer stands: in the queue (position and estimated wait), chatting with a
    person (their name), or after a closed chat (whether it can still be rated)."""
    if conv.state == "queued":
        await runtime.live.visitor_present(conv.tenant_id, conv.id)
    return _out(await runtime.live.status(conv.tenant_id, conv.id))


@router.post(
    "/conversations/{conversation_id}/handoff",
    response_model=HandoffOut,
    status_code=201,
    responses={
        **CONFLICT,
        200: {"model": HandoffOut, "description": "Already queued or live: the current status."},
    },
    summary="Ask for a person",
)
async def request_handoff(
    conv: VisitorConversation, body: HandoffRequest, runtime: ContainerDep, response: Response
) -> HandoffOut:
    """Enter the queue with the pre-chat form's answers. Errors per field (`answers.<name>`:
    `required`, `invalid_email`, `invalid_phone`, `invalid_choice`, `too_long`,
    `unknown_field`) answer 422; outside opening hours or with nobody online, 409
    `unavailable` (leave an offline message instead)."""
    await rate_limit(runtime, f"handoff:{conv.id}", 20, "handoff_requests")
    was = conv.state
    status = await runtime.live.request(conv.tenant_id, conv.id, body.answers)
    response.status_code = 200 if was in ("queued", "live") else 201
    return _out(status)


@router.delete(
    "/conversations/{conversation_id}/handoff",
    response_model=HandoffOut,
    responses=CONFLICT,
    summary="Leave the queue",
)
async def leave_queue(conv: VisitorConversation, runtime: ContainerDep) -> HandoffOut:
    """Leave the queue and return to the bot."""
    return _out(await runtime.live.leave(conv.tenant_id, conv.id))


@router.post(
    "/conversations/{conversation_id}/end",
    status_code=204,
    response_class=Response,
    summary="End the conversation to start a new one",
)
async def end_conversation(conv: VisitorConversation, runtime: ContainerDep) -> Response:
    """The customer starts a new conversation: a request in the queue leaves it, a live chat is
    closed (the agent sees that the customer left). The conversation is kept, downloadable and
    deletable with its token, until the shop's retention deletes it."""
    await runtime.live.end_by_customer(conv.tenant_id, conv.id)
    return Response(status_code=204)


@router.post(
    "/conversations/{conversation_id}/rating",
    status_code=204,
    responses=CONFLICT,
    summary="Rate the chat with a person",
)
async def rate(conv: VisitorConversation, body: RatingRequest, runtime: ContainerDep) -> Response:
    """After a person closed the chat: 1 (poor) to 5 (great), with an optional comment (kept
    in the conversation). Once per chat."""
    await runtime.live.rate(conv.tenant_id, conv.id, body.rating, body.comment)
    return Response(status_code=204)


@router.post(
    "/widget/{widget_key}/offline-messages",
    response_model=OfflineMessageOut,
    status_code=201,
    responses={403: {"model": ErrorResponse, "description": "origin not allowed"}},
    summary="Leave a message for customer service",
)
async def leave_offline_message(
    widget_key: Annotated[str, Path(max_length=64)],
    body: OfflineMessageRequest,
    request: Request,
    runtime: ContainerDep,
    origin: Annotated[str | None, Header(max_length=300)] = None,
) -> OfflineMessageOut:
    """When nobody is available: an e-mail address and a message; customer service answers
    by e-mail. The message is kept like a chat with a person (deleted on request)."""
    async with runtime.db.session() as session:
        tenant = await tenant_by_widget_key(session, widget_key)
    if tenant is None or not tenant.active:
        raise ApiError(404, "widget_not_found", "No shop has this widget key.")
    if origin is not None and not origin_allowed(tenant, origin):
        raise ApiError(403, "origin_not_allowed", "This site may not write to this shop.")
    await rate_limit(
        runtime, f"offline-ip:{client_ip(request, runtime)}", OFFLINE_PER_MINUTE, "offline_messages"
    )
    requested = normalize_language(body.language)
    language = requested if requested in tenant.languages else tenant.default_language
    row = await runtime.live.leave_message(
        tenant, email=body.email.strip(), message=body.text, name=body.name, language=language
    )
    return OfflineMessageOut(id=str(row.id), status="open", created_at=row.created_at)


class ChoiceOut(BaseModel):
    value: str
    label: dict[str, str]


class PrechatFieldOut(BaseModel):
    name: str
    kind: Literal["name", "email", "phone", "order_number", "text", "textarea", "choice"]
    required: bool
    max_length: int
    label: dict[str, str] = Field(description="Per language.")
    options: list[ChoiceOut] = Field(default_factory=list)


class HandoffConfig(BaseModel):
    """Talking to a person: the pre-chat form, and whether someone is there now."""

    available: bool = Field(description="Within opening hours and an agent online.")
    reason: Literal["closed", "no_agents"] | None = None
    next_open: datetime | None = Field(
        default=None, description="When the team is back (when closed now)."
    )
    time_zone: str = Field(description="The shop's time zone (for showing `next_open`).")
    prechat_fields: list[PrechatFieldOut]


async def handoff_config(runtime: Container, tenant: Tenant) -> HandoffConfig:
    """The widget config's `handoff` part."""
    settings = live_settings(tenant)
    languages = languages_of(tenant)
    fields = []
    for f in settings.prechat_fields:
        fields.append(
            PrechatFieldOut(
                name=f.name,
                kind=f.kind,
                required=f.required,
                max_length=f.limit,
                label={lang: prechat.label(f, lang) for lang in languages},
                options=[
                    ChoiceOut(
                        value=o.value,
                        label={lang: prechat.option_label(f, o.value, lang) for lang in languages},
                    )
                    for o in f.options
                ],
            )
        )
    avail = await runtime.live.availability(tenant)
    return HandoffConfig(
        available=avail.available,
        reason=avail.reason,
        next_open=avail.next_open,
        time_zone=avail.time_zone,
        prechat_fields=fields,
    )
