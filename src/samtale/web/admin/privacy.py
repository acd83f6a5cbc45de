"""Privacy for staff: requests about a customer (find, delete, export), the audit log, and a
shop's retention. Agents and admins act on their own shop; the operator names the shop
(`?tenant=<slug>`) and reads every shop's audit log.

The value searched for (an e-mail, a phone number …) travels in the JSON body, never in the URL,
so it does not end up in proxy logs; the audit log records the kind of value and the number of
matches, never the value.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from samtale.accounts.sessions import Staff
from samtale.model import Tenant
from samtale.privacy import audit
from samtale.privacy.retention import MAX_RETENTION_DAYS
from samtale.web.deps import ContainerDep
from samtale.web.errors import COMMON_ERRORS, ApiError, ErrorResponse
from samtale.web.staff.session import ApiStaff

router = APIRouter(
    prefix="/admin",
    tags=["privacy (staff)"],
    responses={
        **COMMON_ERRORS,
        401: {"model": ErrorResponse, "description": "not logged in"},
        403: {"model": ErrorResponse, "description": "role not allowed, or missing CSRF token"},
    },
)


async def _agent_or_admin(staff: ApiStaff) -> Staff:
    if not staff.has_role("agent", "admin", "operator"):
        raise ApiError(403, "forbidden", "Your role may not do this.")
    return staff


async def _admin(staff: ApiStaff) -> Staff:
    if not staff.has_role("admin", "operator"):
        raise ApiError(403, "forbidden", "Your role may not do this.")
    return staff


AgentOrAdmin = Annotated[Staff, Depends(_agent_or_admin)]
Admin = Annotated[Staff, Depends(_admin)]
TenantQuery = Annotated[
    str | None,
    Query(
        max_length=63, description="The shop's slug (operators only; staff of a shop act on it)."
    ),
]

# Schemas ---------------------------------------------------------------------------------


class CustomerLookup(BaseModel):
    """Exactly one of the fields: what the customer gave to be found by."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, min_length=3, max_length=254)
    phone: str | None = Field(default=None, min_length=3, max_length=40)
    order_number: str | None = Field(default=None, min_length=1, max_length=64)
    conversation_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one(self) -> CustomerLookup:
        given = [v for v in (self.email, self.phone, self.order_number, self.conversation_id) if v]
        if len(given) != 1:
            raise ValueError("give exactly one of email, phone, order_number, conversation_id")
        return self

    def kind_and_value(self) -> tuple[str, str]:
        if self.email:
            return "email", self.email
        if self.phone:
            return "phone", self.phone
        if self.order_number:
            return "order_number", self.order_number
        return "conversation", str(self.conversation_id)


class ConversationSummaryOut(BaseModel):
    conversation_id: str
    language: str
    state: str
    person_involved: bool
    started_at: datetime
    last_activity_at: datetime
    messages: int


class FoundOut(BaseModel):
    conversations: list[ConversationSummaryOut]


class DeletedOut(BaseModel):
    deleted: int
    receipts: dict[str, str] = Field(
        description="Conversation id → receipt (the keyed hash recorded in the audit log)."
    )


class AuditEntryOut(BaseModel):
    id: str
    tenant_id: str | None
    actor: str
    action: str
    subject_hash: str | None
    details: dict[str, Any]
    created_at: datetime


class AuditOut(BaseModel):
    entries: list[AuditEntryOut]


class RetentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bot_days: int = Field(ge=1, le=MAX_RETENTION_DAYS, description="Bot-only conversations.")
    agent_days: int | None = Field(
        ge=1,
        le=MAX_RETENTION_DAYS,
        description="Conversations with an agent; null keeps them until deletion is requested.",
    )


class RetentionOut(BaseModel):
    bot_days: int
    agent_days: int | None


# Helpers ---------------------------------------------------------------------------------


async def _tenant(runtime: ContainerDep, staff: Staff, slug: str | None) -> uuid.UUID:
    """The shop the call acts on: the staff member's own, or the one an operator names."""
    if staff.role != "operator":
        if slug is not None and slug != staff.tenant_slug:
            raise ApiError(403, "forbidden", "Staff act on their own shop only.")
        assert staff.tenant_id is not None
        return staff.tenant_id
    if not slug:
        raise ApiError(400, "tenant_required", "Name the shop: ?tenant=<slug>.")
    async with runtime.db.session() as session:
        tid = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if tid is None:
        raise ApiError(404, "tenant_not_found", "No such shop.")
    return tid


def _actor(staff: Staff) -> str:
    return audit.user_actor(staff.user_id)


# Requests about a customer ---------------------------------------------------------------


@router.post("/privacy/find", response_model=FoundOut, summary="Find a customer's conversations")
async def find(
    body: CustomerLookup, staff: AgentOrAdmin, runtime: ContainerDep, tenant: TenantQuery = None
) -> FoundOut:
    """The shop's conversations in which this e-mail, phone number or order number was written
    (found through the index of keyed hashes), or the conversation with this id. Audited."""
    tid = await _tenant(runtime, staff, tenant)
    kind, value = body.kind_and_value()
    found = await runtime.privacy.find(tid, kind, value, actor=_actor(staff))
    return FoundOut(
        conversations=[ConversationSummaryOut.model_validate(s.as_dict()) for s in found]
    )


@router.post(
    "/privacy/delete", response_model=DeletedOut, summary="Delete a customer's conversations"
)
async def delete(
    body: CustomerLookup, staff: AgentOrAdmin, runtime: ContainerDep, tenant: TenantQuery = None
) -> DeletedOut:
    """Delete, on the customer's request, every conversation `find` lists — now, with everything
    that refers to them. One audit entry per conversation, its receipt the subject."""
    tid = await _tenant(runtime, staff, tenant)
    kind, value = body.kind_and_value()
    receipts = await runtime.privacy.delete(tid, kind, value, actor=_actor(staff))
    return DeletedOut(deleted=len(receipts), receipts={str(k): v for k, v in receipts.items()})


@router.post(
    "/privacy/export",
    response_class=Response,
    responses={
        200: {
            "description": "One JSON file (`format: samtale-access-request`) with every "
            "conversation `find` lists, whole.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
    summary="Export a customer's data (access request)",
)
async def export(
    body: CustomerLookup, staff: AgentOrAdmin, runtime: ContainerDep, tenant: TenantQuery = None
) -> Response:
    tid = await _tenant(runtime, staff, tenant)
    kind, value = body.kind_and_value()
    data = await runtime.privacy.export(tid, kind, value, actor=_actor(staff))
    day = runtime.clock.now().date().isoformat()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="access-request-{day}.json"',
            "Cache-Control": "no-store",
        },
    )


# The audit log and retention -------------------------------------------------------------


@router.get("/audit", response_model=AuditOut, summary="Read the audit log")
async def audit_log(
    staff: Admin,
    runtime: ContainerDep,
    tenant: TenantQuery = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    before: Annotated[datetime | None, Query(description="Entries before this time.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditOut:
    """Newest first. Admins read their shop's entries; the operator reads every shop's (and the
    platform's), or one shop's with `?tenant=`."""
    if staff.role == "operator" and not tenant:
        entries = await runtime.privacy.all_audit(action=action, before=before, limit=limit)
    else:
        tid = await _tenant(runtime, staff, tenant)
        entries = await runtime.privacy.tenant_audit(tid, action=action, before=before, limit=limit)
    return AuditOut(entries=[AuditEntryOut.model_validate(audit.entry_dict(e)) for e in entries])


@router.get("/retention", response_model=RetentionOut, summary="The shop's retention")
async def get_retention(
    staff: Admin, runtime: ContainerDep, tenant: TenantQuery = None
) -> RetentionOut:
    tid = await _tenant(runtime, staff, tenant)
    policies = await runtime.privacy.retention.policies(tid)
    if not policies:
        raise ApiError(404, "tenant_not_found", "No such shop.")
    policy = policies[0][1]
    return RetentionOut(bot_days=policy.bot_days, agent_days=policy.agent_days)


@router.put("/retention", response_model=RetentionOut, summary="Change the shop's retention")
async def put_retention(
    body: RetentionIn, staff: Admin, runtime: ContainerDep, tenant: TenantQuery = None
) -> RetentionOut:
    """How long conversations are kept after their last message. The change is audited (the
    values before and after) and applies from the next purge."""
    tid = await _tenant(runtime, staff, tenant)
    policy = await runtime.privacy.retention.set_retention(
        tid, body.bot_days, body.agent_days, actor=_actor(staff)
    )
    return RetentionOut(bot_days=policy.bot_days, agent_days=policy.agent_days)
