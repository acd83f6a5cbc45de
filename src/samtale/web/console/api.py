"""The agent console's JSON API (`/api/v1/agent/...`): presence, the queue, claims, the live
chat, transfer and close, offline messages answered by e-mail, the history, and deletion on the
customer's request. Agents and admins of a shop only, their own shop only; unsafe methods need
the session's `X-CSRF-Token`. Opening a conversation and every deletion are audited
(by the live service and the privacy service)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from samtale.accounts.sessions import Staff
from samtale.kernel.text import clean_text
from samtale.live import queries
from samtale.live.notes import NOTE_MAX_CHARS
from samtale.live.service import Agent
from samtale.live.settings import OUTCOMES, live_settings
from samtale.model import Tenant
from samtale.privacy import audit
from samtale.shop.staff_order import order_for_staff
from samtale.web.deps import ContainerDep
from samtale.web.errors import ApiError
from samtale.web.i18n import ui_language
from samtale.web.staff.labels import labels_of
from samtale.web.staff.session import ApiStaff

router = APIRouter(prefix="/api/v1/agent", include_in_schema=False)


async def agent_staff(staff: ApiStaff) -> Staff:
    """A logged-in agent or admin of a shop (operators have no console)."""
    if not staff.has_role("agent", "admin") or staff.tenant_id is None:
        raise ApiError(403, "forbidden", "The console is for a shop's agents.")
    return staff


AgentStaff = Annotated[Staff, Depends(agent_staff)]


def agent_of(staff: Staff) -> Agent:
    if staff.tenant_id is None:
        raise ApiError(403, "forbidden", "The console is for a shop's agents.")
    return Agent(staff.user_id, staff.tenant_id, staff.display_name or staff.email, staff.role)


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["online", "away", "offline"]


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)
    # The idempotency key: a retry with the same id answers the first result, stored once.
    client_id: str | None = Field(
        default=None, min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:-]+$"
    )

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        v = clean_text(v)
        if not v:
            raise ValueError("the text is empty")
        return v


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=NOTE_MAX_CHARS)

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        v = clean_text(v)
        if not v:
            raise ValueError("the text is empty")
        return v


class SendIn(BaseModel):
    """A chat message: text, files uploaded to the conversation (`…/attachments`), or both."""

    model_config = ConfigDict(extra="forbid")
    # Required, and may be "" when the message sends files.
    text: str = Field(max_length=4000)
    attachments: list[uuid.UUID] = Field(default_factory=list, max_length=10)
    # The idempotency key: a retry with the same id answers the first result, stored once.
    client_id: str | None = Field(
        default=None, min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:-]+$"
    )

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return clean_text(v)

    @model_validator(mode="after")
    def _something(self) -> SendIn:
        if not self.text and not self.attachments:
            raise ValueError("the text is empty")
        return self


class TypingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    typing: bool


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cursor: int = Field(ge=0, le=2**31 - 1)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: uuid.UUID


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["resolved", "follow_up", "not_resolved", "no_response", "spam"]


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: Literal["email", "phone", "order_number", "conversation"]
    value: str = Field(min_length=1, max_length=254)


@router.get("/me")
async def me(staff: AgentStaff, runtime: ContainerDep) -> dict[str, Any]:
    """Who is working, their presence, and the shop's settings the console needs."""
    agent = agent_of(staff)
    live = runtime.live
    async with runtime.db.session() as session:
        tenant = await session.get(Tenant, agent.tenant_id)
        assert tenant is not None
        loads = await queries.agents(session, agent.tenant_id, runtime.clock.now())
    settings = live_settings(tenant)
    mine = next((a for a in loads if a.user_id == agent.user_id), None)
    return {
        "agent": {
            "id": str(agent.user_id),
            "name": agent.name,
            "role": agent.role,
            "languages": list(mine.languages) if mine else [],
            "capacity": mine.capacity if mine else 1,
            "status": mine.chosen if mine else "offline",
            "conversations": [str(c) for c in mine.conversations] if mine else [],
        },
        "tenant": {
            "name": tenant.name,
            "languages": tenant.languages,
            "time_zone": tenant.time_zone,
        },
        "canned_replies": [r.model_dump(mode="json") for r in settings.canned_replies],
        "outcomes": list(OUTCOMES),
        "auto_assign": settings.auto_assign,
        "grace_seconds": settings.grace_seconds,
        "mail_enabled": live.mailer is not None,
        "csrf_token": staff.csrf_token,
    }


@router.post("/presence", status_code=204)
async def presence(body: PresenceIn, staff: AgentStaff, runtime: ContainerDep) -> Response:
    await runtime.live.set_presence(agent_of(staff), body.status)
    return Response(status_code=204)


@router.post("/heartbeat", status_code=204)
async def heartbeat(staff: AgentStaff, runtime: ContainerDep) -> Response:
    """For consoles without a websocket: the same sign of life the socket's pings give."""
    await runtime.live.heartbeat(agent_of(staff))
    return Response(status_code=204)


@router.get("/agents")
async def agents(staff: AgentStaff, runtime: ContainerDep) -> dict[str, Any]:
    loads = await runtime.live.agents(agent_of(staff).tenant_id)
    return {"agents": [a.as_dict() for a in loads]}


@router.get("/queue")
async def queue(request: Request, staff: AgentStaff, runtime: ContainerDep) -> dict[str, Any]:
    items = await runtime.live.queue_view(agent_of(staff), ui_language(request))
    return {"queue": items}


@router.post("/handoffs/{handoff_id}/claim")
async def claim(handoff_id: uuid.UUID, staff: AgentStaff, runtime: ContainerDep) -> dict[str, Any]:
    """Take a conversation from the queue. Of agents claiming at once, one wins; the others get
    409 `already_claimed` with the winner's name."""
    cid = await runtime.live.claim(agent_of(staff), handoff_id)
    return {"conversation_id": str(cid)}


@router.get("/conversations/{conversation_id}")
async def conversation(
    conversation_id: uuid.UUID, request: Request, staff: AgentStaff, runtime: ContainerDep
) -> dict[str, Any]:
    """The whole conversation with its pre-chat answers and the bot's findings (audited)."""
    agent = agent_of(staff)
    language = ui_language(request)
    view: dict[str, Any] = await runtime.live.conversation_view(agent, conversation_id, language)
    # What the bot found, named in the agent's language (topics, slots, carriers; no ids).
    labels = await labels_of(request, agent.tenant_id, language)
    view["found"] = labels.context_rows(view["context"])
    return view


@router.post("/conversations/{conversation_id}/messages", status_code=201)
async def send(
    conversation_id: uuid.UUID, body: SendIn, staff: AgentStaff, runtime: ContainerDep
) -> dict[str, Any]:
    msg, duplicate = await runtime.live.send_once(
        agent_of(staff), conversation_id, body.text, body.client_id, body.attachments
    )
    return {
        "id": str(msg.id),
        "cursor": msg.seq,
        "created_at": msg.created_at.isoformat(),
        "duplicate": duplicate,
    }


@router.post("/conversations/{conversation_id}/typing", status_code=204)
async def typing(
    conversation_id: uuid.UUID, body: TypingIn, staff: AgentStaff, runtime: ContainerDep
) -> Response:
    agent = agent_of(staff)
    live = runtime.live
    await live.check_live(agent, conversation_id)
    await live.typing(agent, conversation_id, body.typing)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/read", status_code=204)
async def read(
    conversation_id: uuid.UUID, body: ReadIn, staff: AgentStaff, runtime: ContainerDep
) -> Response:
    agent = agent_of(staff)
    live = runtime.live
    await live.check_live(agent, conversation_id)
    await live.read(agent, conversation_id, body.cursor)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/transfer", status_code=204)
async def transfer(
    conversation_id: uuid.UUID, body: TransferIn, staff: AgentStaff, runtime: ContainerDep
) -> Response:
    await runtime.live.transfer(agent_of(staff), conversation_id, body.agent_id)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/close", status_code=204)
async def close(
    conversation_id: uuid.UUID, body: CloseIn, staff: AgentStaff, runtime: ContainerDep
) -> Response:
    await runtime.live.close(agent_of(staff), conversation_id, body.outcome)
    return Response(status_code=204)


# ------------------------------------------------------ the customer's order beside the chat


@router.get("/conversations/{conversation_id}/order")
async def order(
    conversation_id: uuid.UUID, request: Request, staff: AgentStaff, runtime: ContainerDep
) -> dict[str, Any]:
    """The customer's order as the shop's system has it now, when the pre-chat form or the bot
    got an order number and e-mail that match (`{"order": null}` otherwise)."""
    agent = agent_of(staff)
    hints = await runtime.live.order_hints(agent, conversation_id)
    return await order_for_staff(runtime.shop, agent.tenant_id, hints, ui_language(request))


# ---------------------------------------------------------------- internal notes (staff only)


@router.get("/conversations/{conversation_id}/notes")
async def notes(
    conversation_id: uuid.UUID, staff: AgentStaff, runtime: ContainerDep
) -> dict[str, Any]:
    return {"notes": await runtime.live.notes(agent_of(staff), conversation_id)}


@router.post("/conversations/{conversation_id}/notes", status_code=201)
async def add_note(
    conversation_id: uuid.UUID, body: NoteIn, staff: AgentStaff, runtime: ContainerDep
) -> dict[str, Any]:
    """An internal note for the shop's staff; the customer never sees it."""
    return await runtime.live.add_note(agent_of(staff), conversation_id, body.text)


@router.delete("/notes/{note_id}", status_code=204)
async def delete_note(note_id: uuid.UUID, staff: AgentStaff, runtime: ContainerDep) -> Response:
    """Its author or an admin deletes a note."""
    await runtime.live.delete_note(agent_of(staff), note_id)
    return Response(status_code=204)


@router.delete("/conversations/{conversation_id}")
async def delete_conversation(
    conversation_id: uuid.UUID, staff: AgentStaff, runtime: ContainerDep
) -> dict[str, Any]:
    """Delete one conversation on the customer's request (the privacy deletion path; audited
    with its receipt)."""
    agent = agent_of(staff)
    receipt = await runtime.privacy.delete_conversation(
        agent.tenant_id, conversation_id, actor=agent.actor, reason=audit.REASON_REQUEST
    )
    if receipt is None:
        raise ApiError(404, "conversation_not_found", "No such conversation.")
    return {"deleted": 1, "receipts": [receipt]}


def _day(value: str | None, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ApiError(422, "validation_error", "Dates are YYYY-MM-DD.") from None
    moment = datetime.combine(day, time.min, tzinfo=UTC)
    if end:
        moment += timedelta(days=1)
    return moment


@router.get("/history")
async def history(
    staff: AgentStaff,
    runtime: ContainerDep,
    agent: Annotated[uuid.UUID | None, Query()] = None,
    state: Annotated[Literal["bot", "queued", "live", "closed", "offline"] | None, Query()] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The shop's conversations with a person (or offline messages), by agent, date and
    state; no texts (opening one is the audited view)."""
    me = agent_of(staff)
    async with runtime.db.session() as session:
        items, total = await queries.history(
            session,
            me.tenant_id,
            agent_id=agent,
            state=state,
            since=_day(since),
            until=_day(until, end=True),
            limit=limit,
            offset=offset,
        )
    return {"conversations": items, "total": total, "offset": offset}


@router.post("/privacy/find")
async def privacy_find(body: LookupIn, staff: AgentStaff, runtime: ContainerDep) -> dict[str, Any]:
    """A customer's conversations by e-mail, phone, order number (the identifier index) or
    id — before deleting them on their request. Audited as a search."""
    me = agent_of(staff)
    found = await runtime.privacy.find(me.tenant_id, body.by, body.value, actor=me.actor)
    return {"conversations": [c.as_dict() for c in found]}


@router.post("/privacy/delete")
async def privacy_delete(
    body: LookupIn, staff: AgentStaff, runtime: ContainerDep
) -> dict[str, Any]:
    """Delete, on the customer's request, every conversation `find` lists (one audit entry each,
    with its receipt)."""
    me = agent_of(staff)
    receipts = await runtime.privacy.delete(me.tenant_id, body.by, body.value, actor=me.actor)
    return {"deleted": len(receipts), "receipts": sorted(receipts.values())}


@router.get("/offline-messages")
async def offline_messages(
    staff: AgentStaff,
    runtime: ContainerDep,
    status: Annotated[Literal["open", "answered"] | None, Query()] = None,
) -> dict[str, Any]:
    items = await runtime.live.offline_messages(agent_of(staff), status)
    return {"offline_messages": items}


@router.post("/offline-messages/{offline_id}/reply", status_code=204)
async def reply_offline(
    offline_id: Annotated[uuid.UUID, Path()], body: TextIn, staff: AgentStaff, runtime: ContainerDep
) -> Response:
    """Answer by e-mail (SMTP); the answer is kept in the message's conversation."""
    await runtime.live.answer_offline(agent_of(staff), offline_id, body.text)
    return Response(status_code=204)
