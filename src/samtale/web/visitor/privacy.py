"""The customer's own privacy controls, behind the gear menu of the chat window: download the
conversation, or delete it. Both take the visitor's conversation token, like the rest of the
visitor API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from samtale.privacy import audit
from samtale.privacy.transcript import HTML_CSP
from samtale.web.deps import ContainerDep, VisitorConversation, rate_limit
from samtale.web.errors import COMMON_ERRORS, not_found

router = APIRouter(tags=["visitor"], responses=COMMON_ERRORS)

# Downloads per conversation per minute (a transcript is read whole).
DOWNLOADS_PER_MINUTE = 20


@router.delete(
    "/conversations/{conversation_id}",
    status_code=204,
    response_class=Response,
    responses={
        204: {
            "description": "Deleted: the conversation, its messages and everything "
            "that refers to it are gone, and the token no longer opens anything."
        }
    },
    summary="Delete the conversation",
)
async def delete_conversation(conv: VisitorConversation, runtime: ContainerDep) -> Response:
    """Delete the whole conversation now, as the customer asks from the chat window. Open
    websockets of the conversation receive `{"type": "deleted"}` and close; afterwards every
    call with this conversation's token answers 404."""
    receipt = await runtime.privacy.delete_conversation(
        conv.tenant_id, conv.id, actor="visitor", reason=audit.REASON_CUSTOMER
    )
    if receipt is None:  # deleted in the meantime (another tab, the schedule)
        raise not_found()
    return Response(status_code=204)


TRANSCRIPT_EXAMPLES = {
    "text/plain": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
    "application/json": {
        "schema": {
            "type": "object",
            "description": "`format: samtale-transcript`, `version`, `shop`, `conversation`, "
            "`sections` (e.g. the pre-chat answers) and `messages` with ISO times.",
        }
    },
}


@router.get(
    "/conversations/{conversation_id}/transcript",
    response_class=Response,
    responses={
        200: {
            "description": "The whole conversation as a file (`Content-Disposition: attachment`), "
            "in the customer's language, with times in the shop's time zone.",
            "content": TRANSCRIPT_EXAMPLES,
        }
    },
    summary="Download the conversation",
)
async def download_transcript(
    conv: VisitorConversation,
    runtime: ContainerDep,
    format: Annotated[
        Literal["txt", "html", "json"],
        Query(description="`txt` (plain text), `html` (a printable page) or `json` (portable)."),
    ] = "html",
) -> Response:
    """The customer's copy of the conversation: every message, and the answers given before
    the queue, in the customer's language. The HTML page is self-contained and runs no
    scripts; JSON is machine-readable."""
    await rate_limit(runtime, f"transcript:{conv.id}", DOWNLOADS_PER_MINUTE, "transcripts")
    try:
        result = await runtime.privacy.transcript(conv.tenant_id, conv.id, format)
    except LookupError:
        raise not_found() from None
    headers = {
        "Content-Disposition": f'attachment; filename="{result.filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if format == "html":
        headers["Content-Security-Policy"] = HTML_CSP
    return Response(result.content, media_type=result.media_type, headers=headers)
