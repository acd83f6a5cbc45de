"""The visitor's files: upload one (to send in a message next), and read back any file of the
conversation, the agent's as well as one's own. Only the conversation's token opens them; any
other token, or a file of another conversation, is "not found"."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from samtale.web.deps import ContainerDep, VisitorConversation, rate_limit
from samtale.web.errors import COMMON_ERRORS, ApiError
from samtale.web.files import UPLOAD_DOC, file_response, receive_upload
from samtale.web.visitor.schemas import AttachmentUploaded

router = APIRouter(tags=["visitor"], responses=COMMON_ERRORS)


def _id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(404, "attachment_not_found", "No such file.") from None


@router.post(
    "/conversations/{conversation_id}/attachments",
    status_code=201,
    response_model=AttachmentUploaded,
    responses={409: COMMON_ERRORS[404] | {"description": "too many files"}},
    summary="Upload a file",
    description=UPLOAD_DOC,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload(
    conv: VisitorConversation,
    runtime: ContainerDep,
    request: Request,
    name: Annotated[str | None, Query(max_length=255, description="The file's name.")] = None,
) -> dict[str, Any]:
    await rate_limit(runtime, f"msg:{conv.id}", runtime.settings.messages_per_minute, "attachments")
    return await receive_upload(request, runtime, conv.tenant_id, conv.id, "visitor", name)


@router.get(
    "/conversations/{conversation_id}/attachments/{attachment_id}",
    summary="Download a file",
    response_class=Response,
)
async def download(
    conv: VisitorConversation, runtime: ContainerDep, attachment_id: str
) -> Response:
    info, data, media = await runtime.attachments.read(conv.tenant_id, conv.id, _id(attachment_id))
    return file_response(info, data, media, thumbnail=False)


@router.get(
    "/conversations/{conversation_id}/attachments/{attachment_id}/thumbnail",
    summary="A photo's preview (JPEG, at most 320 pixels)",
    response_class=Response,
)
async def thumbnail(
    conv: VisitorConversation, runtime: ContainerDep, attachment_id: str
) -> Response:
    info, data, media = await runtime.attachments.read(
        conv.tenant_id, conv.id, _id(attachment_id), thumbnail=True
    )
    return file_response(info, data, media, thumbnail=True)
