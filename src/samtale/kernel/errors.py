"""Domain errors: what a service refuses, said without HTTP.

Every package raises subclasses of these (`live.errors.AlreadyClaimed` is a `Conflict`,
`admin.team.TeamError` an `Invalid`, …), each with a stable `code` for clients and a plain
`message`. The web edge maps the kind to a status in one place (`web/errors.py`); the command
line prints the message. A service never chooses an HTTP status, and a route never catches an
error only to translate it.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused action: `code` (stable, for clients), `message` (plain English, never personal
    data), `details` (JSON-able, for clients) and `fields` (per-field problems of a form)."""

    code = "error"
    default_message = "The request was refused."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: list[dict[str, str]] | None = None,
        **details: Any,
    ) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        if code is not None:
            self.code = code
        self.fields = fields
        self.details = details


class NotFound(DomainError):
    """The thing does not exist, or is not the caller's to see (the same answer for both)."""

    code = "not_found"
    default_message = "No such resource."


class Conflict(DomainError):
    """The thing is not in a state that allows this (someone else came first)."""

    code = "conflict"
    default_message = "This changed meanwhile."


class Forbidden(DomainError):
    code = "forbidden"
    default_message = "You may not do this."


class Invalid(DomainError):
    """The input breaks a rule the schema cannot express."""

    code = "validation_error"
    default_message = "The request is not valid."


class TooLarge(DomainError):
    """The upload is over a size limit."""

    code = "payload_too_large"
    default_message = "The file is too large."


class UnsupportedType(DomainError):
    """The upload is of a kind that is not accepted (decided from its content)."""

    code = "unsupported_media_type"
    default_message = "This kind of file is not accepted."


class RateLimited(DomainError):
    code = "rate_limited"
    default_message = "Too many requests; try again shortly."

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (the database, Redis, mail, a shop's system) cannot serve this now."""

    code = "unavailable"
    default_message = "This is unavailable for a moment; try again shortly."

    def __init__(self, message: str | None = None, *, retry_after: int = 5, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class UpstreamFailed(DomainError):
    """A dependency answered, with a failure."""

    code = "upstream_failed"
    default_message = "Another system refused this."
