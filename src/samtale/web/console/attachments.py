"""The agent's side of attachments: upload a file into a live chat (then send it by naming it
in a message), and open any file of one of the shop's conversations. Staff of another shop get
"not found" (every query is scoped by the staff member's tenant)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from samtale.web.console.api import AgentStaff, agent_of
from samtale.web.deps import ContainerDep
from samtale.web.files import file_response, receive_upload

router = APIRouter(prefix="/api/v1/agent", include_in_schema=False)


@router.post("/conversations/{conversation_id}/attachments", status_code=201)
async def upload(
    conversation_id: uuid.UUID,
    request: Request,
    staff: AgentStaff,
    runtime: ContainerDep,
    name: Annotated[str | None, Query(max_length=255)] = None,
) -> dict[str, Any]:
    agent = agent_of(staff)
    await runtime.live.check_live(agent, conversation_id)
    return await receive_upload(request, runtime, agent.tenant_id, conversation_id, "agent", name)


@router.get("/conversations/{conversation_id}/attachments/{attachment_id}")
async def download(
    conversation_id: uuid.UUID, attachment_id: uuid.UUID, staff: AgentStaff, runtime: ContainerDep
) -> Response:
    agent = agent_of(staff)
    info, data, media = await runtime.attachments.read(
        agent.tenant_id, conversation_id, attachment_id
    )
    return file_response(info, data, media, thumbnail=False)


@router.get("/conversations/{conversation_id}/attachments/{attachment_id}/thumbnail")
async def thumbnail(
    conversation_id: uuid.UUID, attachment_id: uuid.UUID, staff: AgentStaff, runtime: ContainerDep
) -> Response:
    agent = agent_of(staff)
    info, data, media = await runtime.attachments.read(
        agent.tenant_id, conversation_id, attachment_id, thumbnail=True
    )
    return file_response(info, data, media, thumbnail=True)
