"""The print view: the conversation as a page that opens the print dialogue, in a new tab.

A new tab cannot send the visitor's token in a header, and a token in a URL ends up in the
browser's history, in server logs and in `Referer` headers. So the widget first asks, with its
token, for a print ticket, and opens the page the ticket names. A ticket is one conversation's
pass for one minute and one use:

* signed with the server's secret key (HMAC), so any instance can check it and nobody can make
  one up or stretch it to another conversation;
* used once: redeeming it marks it in the rate limiter's store (Redis when scaled out, so the
  mark is shared), and a second visit — a reload, a link copied from the history — answers 404.

The page is the HTML transcript (self-contained, printable) with one inline script, allowed by
a fresh nonce in its Content-Security-Policy, that calls `print()` once it has loaded.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from samtale.app.container import Container
from samtale.kernel.security import keyed_hash
from samtale.privacy.transcript import print_csp
from samtale.web.deps import ContainerDep, VisitorConversation, rate_limit
from samtale.web.errors import COMMON_ERRORS, ApiError, not_found

router = APIRouter(tags=["visitor"], responses=COMMON_ERRORS)

TICKET_SECONDS = 60
TICKETS_PER_MINUTE = 10


class PrintTicket(BaseModel):
    url: str = Field(description="The print view's address (absolute path), valid once.")
    expires_at: datetime


def _signature(runtime: Container, body: str) -> str:
    return keyed_hash(runtime.settings.effective_secret_key, "print-ticket", body)[:32]


def issue_ticket(runtime: Container, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    expires = int(runtime.clock.now().timestamp()) + TICKET_SECONDS
    body = f"{tenant_id.hex}.{conversation_id.hex}.{expires}.{secrets.token_urlsafe(12)}"
    return f"{body}.{_signature(runtime, body)}"


async def redeem_ticket(runtime: Container, ticket: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The (tenant, conversation) of a valid ticket, once; None for anything else."""
    parts = ticket.split(".")
    if len(parts) != 5:
        return None
    body, signature = ".".join(parts[:4]), parts[4]
    if not hmac.compare_digest(signature, _signature(runtime, body)):
        return None
    tenant_hex, conversation_hex, expires, nonce = parts[:4]
    if not expires.isdigit() or int(expires) < runtime.clock.now().timestamp():
        return None
    key = f"print-ticket:{nonce}"
    if await runtime.limiter.blocked_for(key):
        return None
    if not (await runtime.limiter.hit(key, 1, 3600)).allowed:
        return None
    await runtime.limiter.block(key, TICKET_SECONDS + 5)
    try:
        return uuid.UUID(tenant_hex), uuid.UUID(conversation_hex)
    except ValueError:
        return None


@router.post(
    "/conversations/{conversation_id}/print-ticket",
    response_model=PrintTicket,
    status_code=201,
    summary="A one-time ticket for the print view",
)
async def create_print_ticket(conv: VisitorConversation, runtime: ContainerDep) -> PrintTicket:
    """A pass to the conversation's print view, for a new tab that cannot carry the token:
    valid for one minute and one use."""
    await rate_limit(runtime, f"print:{conv.id}", TICKETS_PER_MINUTE, "print_tickets")
    ticket = issue_ticket(runtime, conv.tenant_id, conv.id)
    expires = datetime.fromtimestamp(int(ticket.split(".")[2]), UTC)
    return PrintTicket(url=f"/api/v1/print/{ticket}", expires_at=expires)


@router.get(
    "/print/{ticket}",
    response_class=Response,
    responses={
        200: {
            "description": "The conversation as a printable page that opens the print dialogue.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
    },
    summary="The print view",
)
async def print_view(
    ticket: Annotated[str, Path(max_length=200)], runtime: ContainerDep
) -> Response:
    """The conversation in the customer's language, ready to print. A ticket that is unknown,
    expired or used already answers 404."""
    found = await redeem_ticket(runtime, ticket)
    if found is None:
        raise ApiError(
            404,
            "print_ticket_invalid",
            "This print link has expired or was used already; print again from the chat window.",
        )
    nonce = secrets.token_urlsafe(16)
    try:
        result = await runtime.privacy.transcript(*found, "html", print_nonce=nonce)
    except LookupError:
        raise not_found() from None
    headers = {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": print_csp(nonce),
    }
    return Response(result.content, media_type=result.media_type, headers=headers)
