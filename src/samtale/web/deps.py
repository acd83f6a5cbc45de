"""Typed dependencies shared by the routers."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Annotated

from fastapi import Depends, Header, Path, Request

from samtale.app.container import Container
from samtale.conversations.repository import authenticate
from samtale.model import Conversation
from samtale.web.errors import ApiError, not_found


async def get_runtime(request: Request) -> Container:
    runtime: Container = request.app.state.runtime
    return runtime


ContainerDep = Annotated[Container, Depends(get_runtime)]


def client_ip(request: Request, runtime: Container) -> str:
    """The client's address; X-Forwarded-For is believed only from a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    trusted = {p.strip() for p in runtime.settings.trusted_proxies.split(",") if p.strip()}
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and peer in trusted:
        candidate = forwarded.split(",")[-1].strip()
        try:
            ipaddress.ip_address(candidate)
            return candidate
        except ValueError:
            pass
    return peer


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def visitor_conversation(
    conversation_id: Annotated[str, Path(description="The conversation's id (a UUID).")],
    runtime: ContainerDep,
    authorization: Annotated[
        str | None, Header(description="`Bearer <conversation token>`")
    ] = None,
) -> Conversation:
    """The conversation the visitor's token opens. Wrong, missing or foreign tokens and ids
    that are not ids at all answer 404, so the API reveals nothing about which conversations
    exist."""
    token = bearer_token(authorization)
    try:
        parsed = uuid.UUID(conversation_id)
    except ValueError:
        parsed = None
    if token is None or parsed is None:
        raise not_found()
    async with runtime.db.reader() as session:
        conv = await authenticate(session, parsed, token)
    if conv is None:
        raise not_found()
    return conv


VisitorConversation = Annotated[Conversation, Depends(visitor_conversation)]


async def rate_limit(runtime: Container, key: str, limit: int, name: str) -> None:
    decision = await runtime.limiter.hit(key, limit, 60)
    if not decision.allowed:
        runtime.metrics.rate_limited.labels(name).inc()
        raise ApiError(
            429,
            "rate_limited",
            "Too many requests; please wait a moment.",
            headers={"Retry-After": str(decision.retry_after)},
        )
