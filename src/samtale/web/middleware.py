"""ASGI middleware, each the same simple shape: body size limit, request metrics and logs, CORS.

CORS follows who the credential is. Starting a conversation with a widget key is allowed only from
the tenant's allowed origins (the key is public, the origin list is what protects it).
Token-authenticated visitor calls are allowed from any origin: the token is the credential, and
no cookies are involved. Agent and admin pages are same-origin only and get no CORS headers.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samtale.kernel.logs import get_logger

log = get_logger("samtale.http")

OriginCheck = Callable[[str, str], Awaitable[bool]]  # (widget_key, origin) -> allowed


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


class BodyLimitMiddleware:
    """Refuse request bodies over `limit` bytes with 413, before the app sees them. Paths that
    match `streamed` whole (the file-upload routes) are passed through unread: their route reads
    the body in chunks against its own, larger limit and refuses it the moment it is passed."""

    def __init__(self, app: ASGIApp, limit: int, streamed: str | None = None) -> None:
        self.app = app
        self.limit = limit
        self.streamed = re.compile(streamed) if streamed else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS")
            or (self.streamed is not None and self.streamed.fullmatch(scope["path"]))
        ):
            await self.app(scope, receive, send)
            return
        too_large = {
            "error": {
                "code": "payload_too_large",
                "message": f"The body is over {self.limit} bytes.",
            }
        }
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    if int(value) > self.limit:
                        await _send_json(send, 413, too_large)
                        return
                except ValueError:
                    await _send_json(
                        send,
                        400,
                        {"error": {"code": "bad_request", "message": "Bad Content-Length."}},
                    )
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _send_json(send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class RequestLogMiddleware:
    """Count and time requests by route template (never the raw path or query: a websocket URL
    can hold a token, a query can hold what someone typed)."""

    def __init__(self, app: ASGIApp, metrics: Any) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - start
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(elapsed)
            if template not in ("/healthz", "/metrics"):
                log.info(
                    "request",
                    method=method,
                    route=template,
                    status=status,
                    ms=round(elapsed * 1000, 2),
                )


_WIDGET_PATH = re.compile(r"^/api/v1/widget/([^/]+)/")
_TOKEN_PATH = re.compile(r"^/api/v1/conversations/")
_ALLOW_HEADERS = b"authorization, content-type"
_ALLOW_METHODS = b"GET, POST, DELETE, OPTIONS"


class CorsMiddleware:
    def __init__(self, app: ASGIApp, origin_allowed: OriginCheck) -> None:
        self.app = app
        self.origin_allowed = origin_allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"origin"), None)
        path = scope["path"]
        allow: bytes | None = None
        if origin:
            widget = _WIDGET_PATH.match(path)
            if widget:
                if await self.origin_allowed(widget.group(1), origin):
                    allow = origin.encode("latin-1")
            elif _TOKEN_PATH.match(path):
                allow = b"*"
        if (
            scope["method"] == "OPTIONS"
            and origin
            and any(k == b"access-control-request-method" for k, _ in scope["headers"])
        ):
            headers = [(b"vary", b"Origin")]
            if allow:
                headers += [
                    (b"access-control-allow-origin", allow),
                    (b"access-control-allow-methods", _ALLOW_METHODS),
                    (b"access-control-allow-headers", _ALLOW_HEADERS),
                    (b"access-control-max-age", b"600"),
                ]
            await send(
                {"type": "http.response.start", "status": 204 if allow else 403, "headers": headers}
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and allow:
                headers = list(message.get("headers", []))
                headers.append((b"access-control-allow-origin", allow))
                headers.append((b"vary", b"Origin"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)
