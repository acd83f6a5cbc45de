"""One error shape for the whole API: `{"error": {"code", "message"}}` (plus `fields` for
validation errors). Validation messages name the field and the rule, never the rejected value,
which may be personal data."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from fastapi import FastAPI, Request, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from samtale.kernel.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    Unavailable,
    UnsupportedType,
    UpstreamFailed,
)
from samtale.kernel.logs import get_logger

log = get_logger(__name__)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        fields: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.fields = fields


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: list[dict[str, str]] | None = None


class ErrorResponse(BaseModel):
    """The shape of every error the API returns."""

    error: ErrorBody


def error_response(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    fields: list[dict[str, str]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return JSONResponse({"error": body}, status_code=status, headers=headers)


# The one mapping of domain errors to statuses (most specific kind first).
DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (Invalid, 422),
    (TooLarge, 413),
    (UnsupportedType, 415),
    (RateLimited, 429),
    (Unavailable, 503),
    (UpstreamFailed, 502),
)


def domain_status(exc: DomainError) -> int:
    return next((status for kind, status in DOMAIN_STATUS if isinstance(exc, kind)), 400)


def domain_error(exc: DomainError) -> JSONResponse:
    headers = None
    if isinstance(exc, RateLimited | Unavailable):
        headers = {"Retry-After": str(exc.retry_after)}
    return error_response(domain_status(exc), exc.code, exc.message, headers, exc.fields)


# What a lost database or Redis raises. A request that needs one of them while it is away gets
# 503 with `Retry-After` (kernel `Unavailable`'s shape), never a 500.
RETRY_AFTER_SECONDS = 2


def _connection_errors() -> tuple[type[BaseException], ...]:
    import asyncpg
    import redis.exceptions as redis_errors
    from sqlalchemy import exc as sa

    return (
        sa.OperationalError,  # the driver lost or could not open its connection
        sa.InterfaceError,  # asyncpg: "connection is closed"
        sa.TimeoutError,  # no pooled connection in time
        sa.DisconnectionError,
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.AdminShutdownError,
        redis_errors.ConnectionError,
        redis_errors.TimeoutError,
        redis_errors.BusyLoadingError,
        ConnectionError,  # refused, reset, broken pipe
        TimeoutError,
    )


def backend_unavailable(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps) says the database or Redis is unreachable."""
    from sqlalchemy import exc as sa

    kinds = _connection_errors()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, kinds):
            return True
        if isinstance(current, BaseExceptionGroup):
            return any(backend_unavailable(e) for e in current.exceptions)
        current = current.__cause__ or current.__context__
    return False


def unavailable_response() -> JSONResponse:
    exc = Unavailable(retry_after=RETRY_AFTER_SECONDS)
    response = domain_error(exc)
    return response


CLOSE_TRY_AGAIN = 1013  # websocket: the database or Redis is away; reconnect with backoff
CLOSE_SERVER_ERROR = 1011


async def close_on_failure(ws: WebSocket, exc: Exception) -> None:
    """A socket whose backend failed ends with an error frame and a close frame, never a
    dropped connection: 1013 (try again later) when the database or Redis is away, else 1011.
    The client reconnects with backoff and catches up by cursor."""
    if backend_unavailable(exc):
        log.warning("websocket_backend_unavailable", error=type(exc).__name__)
        code, message, close = "unavailable", "Unavailable for a moment.", CLOSE_TRY_AGAIN
    else:
        log.error("websocket_failed", exc_info=exc)
        code, message, close = "internal_error", "Something went wrong.", CLOSE_SERVER_ERROR
    with contextlib.suppress(Exception):
        await ws.send_text(
            json.dumps({"type": "error", "error": {"code": code, "message": message}})
        )
    with contextlib.suppress(Exception):
        await ws.close(close)


def not_found(what: str = "conversation") -> ApiError:
    return ApiError(404, f"{what}_not_found", f"No such {what}.")


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)] or ["body"]
        kind = err.get("type", "invalid")
        msg = err.get("msg", "invalid")
        if kind == "json_invalid":
            msg = "The body is not valid JSON."
        out.append({"field": ".".join(loc), "code": kind, "message": msg})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers, exc.fields)

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return domain_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = _field_errors(exc)
        if any(f["code"] == "json_invalid" for f in fields):
            return error_response(400, "malformed_json", "The body is not valid JSON.")
        content_type = request.headers.get("content-type", "")
        if (
            request.method in ("POST", "PUT", "PATCH")
            and content_type
            and "json" not in content_type
        ):
            return error_response(
                415,
                "unsupported_media_type",
                "Send the body as JSON (Content-Type: application/json).",
            )
        return error_response(422, "validation_error", "The request is not valid.", fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = "No such resource."
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    async def _backend(_request: Request, exc: Exception) -> JSONResponse:
        # Handled here (not in the last-resort handler below, which re-raises to the server):
        # the client gets 503 + Retry-After and its keep-alive connection stays usable.
        if backend_unavailable(exc):
            log.warning("backend_unavailable", error=type(exc).__name__)
            return unavailable_response()
        log.error("unhandled_error", exc_info=exc)
        return error_response(
            500,
            "internal_error",
            "Something went wrong on our side.",
            {"Connection": "close"},
        )

    from sqlalchemy import exc as sa

    kinds: list[Any] = [sa.DBAPIError, sa.SQLAlchemyError, *_connection_errors(), OSError]
    for kind in kinds:
        app.add_exception_handler(kind, _backend)

    @app.exception_handler(Exception)
    async def _unhandled(_request: Request, exc: Exception) -> JSONResponse:
        if backend_unavailable(exc):
            log.warning("backend_unavailable", error=type(exc).__name__)
            response = unavailable_response()
        else:
            log.error("unhandled_error", exc_info=exc)
            response = error_response(500, "internal_error", "Something went wrong on our side.")
        # After an unhandled error the server drops the connection: say so, so that a client
        # does not reuse it and meet a reset.
        response.headers["Connection"] = "close"
        return response


# Documented on every API route so that clients (and the schema checks) know the error shape.
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": STATUS_CODES[status].replace("_", " ")}
    for status in (400, 404, 413, 415, 422, 429)
}
