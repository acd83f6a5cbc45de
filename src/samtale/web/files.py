"""Uploading and serving attachments over HTTP, for both audiences (the visitor API and the
console): the body is streamed into the service (never buffered whole before the limit is
checked), and a file goes out with headers that stop a browser from treating it as anything
but the file it is."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from starlette.requests import ClientDisconnect

from samtale.app.container import Container
from samtale.conversations.attachments import AttachmentInfo
from samtale.web.errors import ApiError

# The file is never a page: no scripts, no plug-ins, no same-origin rights, even opened alone.
FILE_CSP = "default-src 'none'; sandbox"
UPLOAD_DOC = (
    "The file is the raw request body (any Content-Type; the type is decided from the content). "
    "Accepted: JPEG, PNG, WebP and HEIC photos (HEIC is kept as JPEG; every photo is re-encoded "
    "without its EXIF and GPS data) and PDF files. Refused: 413 `payload_too_large` over the "
    "shop's limit per file (10 MB by default), 415 `executable_refused`, `markup_refused`, "
    "`type_refused` or `image_unreadable`, 409 `too_many_attachments` when the conversation has "
    "the shop's most files (10 by default), 422 `empty_file`. The file is sent by naming its "
    "id in a message's `attachments`."
)


def _length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, "bad_request", "Bad Content-Length.") from None


async def receive_upload(
    request: Request,
    runtime: Container,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    author: str,
    name: str | None,
) -> dict[str, Any]:
    try:
        info = await runtime.attachments.upload(
            tenant_id,
            conversation_id,
            author=author,
            name=name,
            chunks=request.stream(),
            length=_length(request),
        )
    except ClientDisconnect:
        # The client went away mid-upload: nothing was stored; the answer reaches nobody.
        raise ApiError(400, "upload_interrupted", "The upload was interrupted.") from None
    return {"attachment": info.as_dict()}


def content_disposition(kind: str, name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(info: AttachmentInfo, data: bytes, media_type: str, thumbnail: bool) -> Response:
    """The bytes, shown inline when a picture (re-encoded, safe to show), downloaded when a
    PDF; never sniffed, never run, never cached by a shared cache."""
    inline = thumbnail or media_type.startswith("image/")
    name = info.name if not thumbnail else f"thumbnail-{info.name.rsplit('.', 1)[0]}.jpg"
    return Response(
        content=data,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition("inline" if inline else "attachment", name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": FILE_CSP,
            "Cache-Control": "private, no-store",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
