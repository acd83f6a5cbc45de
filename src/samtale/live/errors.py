"""What can go wrong when talking to a person: the kernel's domain errors with the handoff's
own codes (the web edge maps the kinds to statuses)."""

from __future__ import annotations

from samtale.kernel.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unavailable,
    UpstreamFailed,
)

# Every refusal of the live chat is one of these.
LiveError = DomainError

__all__ = [
    "AgentUnavailable",
    "AlreadyClaimed",
    "AtCapacity",
    "InvalidAnswers",
    "LiveError",
    "MailFailed",
    "MailUnavailable",
    "NobodyAvailable",
    "NotFound",
    "NotYours",
    "WrongState",
]


class AlreadyClaimed(Conflict):
    code = "already_claimed"


class AtCapacity(Conflict):
    code = "at_capacity"


class NotYours(Forbidden):
    code = "not_your_conversation"


class WrongState(Conflict):
    code = "wrong_state"


class NobodyAvailable(Conflict):
    """Nobody can take a chat now (the customer is offered the offline form instead)."""

    code = "unavailable"


class AgentUnavailable(Conflict):
    code = "agent_unavailable"


class InvalidAnswers(Invalid):
    def __init__(self, fields: list[dict[str, str]]) -> None:
        super().__init__("The form has errors.", fields=fields)


class MailUnavailable(Unavailable):
    code = "mail_not_configured"


class MailFailed(UpstreamFailed):
    code = "mail_failed"
