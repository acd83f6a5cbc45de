"""What can go wrong when talking to a person, as codes the web layer turns into answers."""

from __future__ import annotations

from typing import Any


class LiveError(Exception):
    """A refused action: `status` and `code` for the API, `message` in plain English, and any
    `details` (JSON-able) the client can use."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(LiveError):
    status = 404
    code = "not_found"


class AlreadyClaimed(LiveError):
    code = "already_claimed"


class AtCapacity(LiveError):
    code = "at_capacity"


class NotYours(LiveError):
    status = 403
    code = "not_your_conversation"


class WrongState(LiveError):
    code = "wrong_state"


class Unavailable(LiveError):
    code = "unavailable"


class AgentUnavailable(LiveError):
    code = "agent_unavailable"


class InvalidAnswers(LiveError):
    status = 422
    code = "validation_error"

    def __init__(self, fields: list[dict[str, str]]) -> None:
        super().__init__("The form has errors.")
        self.fields = fields


class MailUnavailable(LiveError):
    status = 503
    code = "mail_not_configured"


class MailFailed(LiveError):
    status = 502
    code = "mail_failed"
