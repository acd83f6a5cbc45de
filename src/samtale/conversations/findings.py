"""What is read in a visitor's text for privacy, once per turn and before the turn is stored.

Two turn hooks need the personal data in a message: the identifier index stores keyed hashes
of its e-mails, phone numbers and order numbers, and the improvement sample keeps a redacted
copy. Detection is CPU work (patterns, checksums, a sequence model for names) of a millisecond
or more. Run inside the turn's transaction it would hold the write (on SQLite the process-wide
write lock) while it ran, on the event loop, and twice for a sampled message.

So the service asks a `TextInspector` once per turn, after the responder has answered (the
conversation's language is known then) and before the transaction opens; the inspector works
off the event loop and returns `TextFindings`, which travel with the `IncomingMessage` to every
hook. This package only declares the shape: the privacy package implements it (the composition
root passes it in), so conversations never import privacy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from samtale.conversations.responder import ConversationContext


@dataclass(frozen=True)
class TextFindings:
    """The visitor's text as privacy read it."""

    # The text with every piece of personal data replaced by its typed placeholder ([EMAIL] …),
    # the shop's own words kept.
    redacted: str
    # The identifiers to index, as (kind, normalized value): kinds `email`, `phone`,
    # `order_number`.
    identifiers: tuple[tuple[str, str], ...] = ()


class TextInspector(Protocol):
    async def inspect(self, ctx: ConversationContext, text: str) -> TextFindings | None:
        """The findings in `text`, written in the conversation `ctx` (None: the tenant is gone)."""
        ...
