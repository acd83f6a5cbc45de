"""Structured JSON logs that never contain message text.

Logs carry ids, counts and timings. A processor removes any field whose name says it could hold
what a customer wrote (text, body, e-mail, …) and renders exceptions without their messages,
which can quote input (a validation error repeats the value it rejected). This is enforced here,
once, so that a careless `log.info("x", text=...)` cannot leak.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any

import structlog

FORBIDDEN_KEYS = frozenset(
    {
        "text", "body", "content", "message_text", "payload", "answers", "answer", "email", "phone",
        "name", "query", "q", "comment", "input", "value", "token", "password", "address",
        "order_number", "tracking_number", "prechat", "form",
    }
)  # fmt: skip


CHATTY_LIBRARIES = (
    "aiosqlite",
    "sqlalchemy",
    "asyncpg",
    "alembic",
    "websockets",
    "httpx",
    "httpcore",
    "multipart",
    "python_multipart",
    "redis",
    "faker",
)


def drop_personal_fields(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.lower() in FORBIDDEN_KEYS:
            event[key] = "[removed]"
    return event


def safe_exception(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Render exc_info as exception type and frames only — never the exception's message."""
    exc_info = event.pop("exc_info", None)
    if exc_info:
        if exc_info is True:
            exc_info = sys.exc_info()
        elif isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        etype, _value, tb = exc_info
        if etype is not None:
            frames = traceback.extract_tb(tb)
            event["exception"] = {
                "type": f"{etype.__module__}.{etype.__qualname__}",
                "frames": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames[-8:]],
            }
    return event


_QUERY = re.compile(r"\?[^\s\"']*")


class RawRequestFilter(logging.Filter):
    """uvicorn's own lines about a websocket print the client's address and the raw URL, whose
    query may hold a visitor's token (`…/ws?token=…`): those lines are dropped (our middleware
    logs requests by route), and a query string in any other uvicorn line is cut off."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("uvicorn"):
            return True
        if isinstance(record.msg, str) and "WebSocket %s" in record.msg:
            return False
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY.sub("", a) if isinstance(a, str) and "?" in a else a for a in record.args
            )
        return True


def _with_fields(fields: dict[str, Any]) -> Any:
    def add(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        for key, value in fields.items():
            event.setdefault(key, value)
        return event

    return add


def configure_logging(
    level: str = "info", stream: Any = None, fields: dict[str, Any] | None = None
) -> None:
    """JSON logs at `level` on `stream` (stderr); `fields` are added to every line (a worker
    process's number and pid, so an operator can tell the workers of one server apart)."""
    numeric = getattr(logging, level.upper(), logging.INFO)
    add_fields = _with_fields(dict(fields or {}))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RawRequestFilter())
    # Records of other libraries (uvicorn, SQLAlchemy, alembic) go through the same processors.
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_logger_name,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                add_fields,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                drop_personal_fields,
                safe_exception,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # uvicorn's access log would print raw paths (a websocket URL may hold a token); requests are
    # logged by our middleware with the route template instead.
    logging.getLogger("uvicorn.access").disabled = True
    # Libraries that log statements with their parameters, or frames with their contents, would
    # print what customers wrote; they speak only of warnings and errors.
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    logging.getLogger("uvicorn.error").handlers[:] = []
    logging.getLogger("uvicorn.error").propagate = True
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            add_fields,
            drop_personal_fields,
            safe_exception,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
