"""The visitor API: what the widget (and any third-party client) talks to. No account: a
conversation is opened with the shop's public widget key and then reached with its token."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response

from samtale.conversations.events import message_dict
from samtale.conversations.service import Turn
from samtale.kernel.languages import normalize_language
from samtale.kernel.security import keyed_hash
from samtale.kernel.text import clean_text
from samtale.model import Message, Tenant
from samtale.tenants.service import tenant_by_widget_key
from samtale.web.deps import ContainerDep, VisitorConversation, client_ip, rate_limit
from samtale.web.errors import COMMON_ERRORS, ApiError
from samtale.web.visitor.schemas import (
    ConversationOut,
    ConversationStarted,
    MessageOut,
    MessagesOut,
    PostFeedback,
    PostMessage,
    StartConversation,
    TurnOut,
)

router = APIRouter(tags=["visitor"], responses=COMMON_ERRORS)


def origin_allowed(tenant: Tenant, origin: str) -> bool:
    return origin.rstrip("/") in {o.rstrip("/") for o in tenant.allowed_origins}


def _page_path(page_url: str | None) -> str | None:
    if not page_url:
        return None
    try:
        path = urlsplit(clean_text(page_url)).path or "/"
    except ValueError:
        return None
    return path[:500]


def _out(msg: Message, agent_name: str | None = None) -> MessageOut:
    return MessageOut.model_validate(message_dict(msg, agent_name))


@router.post(
    "/widget/{widget_key}/conversations",
    status_code=201,
    response_model=ConversationStarted,
    responses={403: COMMON_ERRORS[404] | {"description": "origin not allowed"}},
    summary="Start a conversation",
)
async def start_conversation(
    widget_key: Annotated[str, Path(max_length=64)],
    request: Request,
    runtime: ContainerDep,
    body: Annotated[StartConversation | None, Body()] = None,
    origin: Annotated[str | None, Header(max_length=300)] = None,
) -> ConversationStarted:
    """Open a conversation for the shop whose widget key this is. From a browser, the `Origin`
    must be one of the shop's allowed origins. The token in the answer is the visitor's only
    credential for the conversation."""
    body = body or StartConversation()
    async with runtime.db.session() as session:
        tenant = await tenant_by_widget_key(session, widget_key)
    if tenant is None or not tenant.active:
        raise ApiError(404, "widget_not_found", "No shop has this widget key.")
    if origin is not None and not origin_allowed(tenant, origin):
        raise ApiError(
            403, "origin_not_allowed", "This site may not open conversations for this shop."
        )
    await rate_limit(
        runtime,
        f"conv-ip:{client_ip(request, runtime)}",
        runtime.settings.conversations_per_minute_per_ip,
        "conversations_per_ip",
    )
    requested = normalize_language(body.language)
    language = requested if requested in tenant.languages else tenant.default_language
    conv, token = await runtime.conversations.start(tenant.id, language, _page_path(body.page_url))
    return ConversationStarted(conversation_id=str(conv.id), token=token, language=conv.language)


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationOut,
    summary="Conversation status",
)
async def get_conversation(conv: VisitorConversation) -> ConversationOut:
    return ConversationOut(
        conversation_id=str(conv.id),
        language=conv.language,
        state=conv.state,
        cursor=conv.last_seq,
        created_at=conv.created_at,
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=TurnOut,
    status_code=201,
    responses={
        200: {
            "model": TurnOut,
            "description": "A retried `client_id`: the first result, stored once.",
        }
    },
    summary="Send a message",
)
async def post_message(
    conv: VisitorConversation,
    body: PostMessage,
    runtime: ContainerDep,
    response: Response,
    request: Request,
) -> TurnOut:
    """Store the visitor's message and return it with the replies it produced. Sending the same
    `client_id` again (a retry after a lost response) returns the first result and stores
    nothing twice."""
    if len(body.text) > runtime.settings.max_message_chars:
        raise ApiError(
            422,
            "validation_error",
            "The request is not valid.",
            fields=[
                {
                    "field": "text",
                    "code": "string_too_long",
                    "message": f"At most {runtime.settings.max_message_chars} characters.",
                }
            ],
        )
    try:
        await rate_limit(
            runtime,
            f"msg:{conv.id}",
            runtime.settings.messages_per_minute,
            "messages_per_conversation",
        )
    except ApiError:
        # Over the limit, a retry of a stored message still gets its first result (looked up
        # only here: the common path stays one read and one write).
        earlier = (
            await runtime.conversations.earlier_turn(conv.tenant_id, conv.id, body.client_id)
            if body.client_id
            else None
        )
        if earlier is None:
            raise
        response.status_code = 200
        return _turn_out(earlier)
    try:
        turn = await runtime.conversations.post_visitor_message(
            conv.tenant_id,
            conv.id,
            body.text,
            body.client_id,
            body.intent,
            loaded=conv,
            attachments=body.attachments,
            client_key=keyed_hash(
                runtime.settings.effective_secret_key, "client", client_ip(request, runtime)
            )[:32],
        )
    except LookupError:
        raise ApiError(404, "conversation_not_found", "No such conversation.") from None
    runtime.metrics.messages.labels("visitor").inc(0 if turn.duplicate else 1)
    if not turn.duplicate:
        for reply in turn.replies:
            runtime.metrics.messages.labels(reply.author).inc()
    response.status_code = 200 if turn.duplicate else 201
    return _turn_out(turn)


def _turn_out(turn: Turn) -> TurnOut:
    return TurnOut(
        message=_out(turn.message),
        replies=[_out(r) for r in turn.replies],
        state=turn.conversation.state,
        language=turn.conversation.language,
        duplicate=turn.duplicate,
    )


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=MessagesOut,
    summary="Read the conversation",
)
async def list_messages(
    conv: VisitorConversation,
    runtime: ContainerDep,
    after: Annotated[
        int, Query(ge=0, le=2**31 - 1, description="Return messages after this cursor.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> MessagesOut:
    """History and polling: the messages after `after`, oldest first. A poll of a queued
    conversation keeps the customer's place in the queue."""
    if conv.state == "queued":
        await runtime.live.visitor_present(conv.tenant_id, conv.id)
    messages = await runtime.conversations.messages(conv.tenant_id, conv.id, after, limit + 1)
    more = len(messages) > limit
    messages = list(messages[:limit])
    names = await runtime.conversations.agent_names(conv.tenant_id, messages)
    return MessagesOut(
        messages=[_out(m, names.get(m.agent_id) if m.agent_id else None) for m in messages],
        cursor=messages[-1].seq if messages else after,
        state=conv.state,
        language=conv.language,
        more=more,
    )


@router.post(
    "/conversations/{conversation_id}/feedback",
    status_code=204,
    responses=COMMON_ERRORS,
    summary="Did this help?",
)
async def post_feedback(
    conv: VisitorConversation, body: PostFeedback, runtime: ContainerDep
) -> Response:
    """Whether an answer from the shop's pages helped (once per answer); counted in the
    statistics with no text."""
    await runtime.insights.knowledge_feedback(
        conv.tenant_id, conv.id, body.message_id, body.helpful
    )
    return Response(status_code=204)
