"""The improvement sample: a share of customer questions, redacted, for the review inbox.

A `TurnHook`. For each customer message the bot classified (not a button click, not an answer
to a flow's question, not a message to a person), it decides whether the message goes into the
sample: always when the bot did not understand it or was not confident (fallback, low
confidence), otherwise with the shop's share (10 % by default), decided from the message's id so
that a retried message decides the same way.

The text is **redacted before it is stored** (the turn's one reading of the text,
`privacy.inspection`: `privacy.pii` with the shop's languages, order and tracking formats and
its own words kept; any number of five digits or more that is left is replaced too):
the raw text is never written outside the conversation's messages. The item is tied to its
conversation only for the cascade: deleting the conversation deletes the item. It expires after
the shop's sample period (90 days by default). For an answer from the shop's pages it keeps
which page answered (its public address), and nothing else about the answer.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.conversations.responder import IncomingMessage
from samtale.conversations.service import Turn
from samtale.insights.tenants import TenantCache, TenantInfo
from samtale.kernel.clock import IdSource
from samtale.model import SampleItem, table_of
from samtale.privacy.pii import ShopVocabulary, redact

# Outcomes of messages that were not a question for the classifier: a slot's value (an e-mail,
# an order number) inside a flow, or a turn that failed.
NOT_QUESTIONS = {
    "flow_step",
    "flow_reprompt",
    "flow_abandoned",
    "error",
    "rate_limited",
    "attachment",
}
# Outcomes that always go into the sample.
NOT_UNDERSTOOD = {"fallback", "handoff_offered"}
MAX_TEXT = 2000  # the longest training example the content takes
# Numbers the recognizers did not claim (an unknown order format, an account number …).
_LONG_NUMBER = re.compile(r"(?<!\w)\+?\d(?:[\d .\-/]{3,}\d)(?!\w)")
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
NUMBER = "[NUMBER]"


def mask_numbers(text: str) -> str:
    def replace(m: re.Match[str]) -> str:
        return NUMBER if sum(c.isdigit() for c in m.group(0)) >= 5 else m.group(0)

    return _LONG_NUMBER.sub(replace, text)


def redacted(text: str, info: TenantInfo, language: str, keep: ShopVocabulary | None = None) -> str:
    """The text as the sample keeps it: personal data masked, the shop's own words (`keep`:
    products, categories, carriers) kept."""
    languages = list(dict.fromkeys([language, info.default_language, *info.languages]))
    result = redact(
        text,
        languages,
        order_number_patterns=info.formats.order_number_patterns,
        tracking_number_patterns=info.formats.tracking_number_patterns,
        keep=keep,
    )
    return mask_numbers(result.text).strip()[:MAX_TEXT]


def worth_reviewing(text: str) -> bool:
    """Something left to read once the placeholders are gone (two words or a longer one)."""
    rest = _PLACEHOLDER.sub(" ", text)
    words = re.findall(r"[^\W\d_]+", rest)
    return len(words) >= 2 or any(len(w) >= 5 for w in words)


def draw(message_id: uuid.UUID) -> float:
    """A number in [0, 1) fixed by the message's id."""
    return int.from_bytes(hashlib.sha256(message_id.bytes).digest()[:8], "big") / 2**64


class Sampler:
    """The `TurnHook` that copies sampled questions, redacted, into the review inbox."""

    def __init__(
        self,
        tenants: TenantCache,
        ids: IdSource,
        vocabulary: Callable[[uuid.UUID], ShopVocabulary | None] | None = None,
    ) -> None:
        self.tenants = tenants
        self.ids = ids
        # The shop's own words, never masked as names (from the shop's catalogue).
        self.vocabulary = vocabulary

    async def on_turn(self, session: AsyncSession, turn: Turn, incoming: IncomingMessage) -> None:
        if turn.duplicate or incoming.intent or not turn.replies:
            return
        ctx = turn.conversation
        notes = ctx.notes
        outcome = notes.outcome
        if outcome in NOT_QUESTIONS:
            return
        info = await self.tenants.get(session, ctx.tenant_id)
        if info is None or info.settings.sample_share <= 0:
            return
        intent = notes.intent or None
        confidence = float(notes.confidence or 0.0)
        understood = outcome not in NOT_UNDERSTOOD and (intent is not None or not outcome)
        band = str(notes.confidence_band or ("" if understood else "low"))
        always = outcome in NOT_UNDERSTOOD or band == "low"
        if not always and draw(incoming.id) >= info.settings.sample_share:
            return
        language = str(notes.language or ctx.language)
        if incoming.findings is not None:
            # The turn's one reading of the text (with the shop's words kept).
            text = mask_numbers(incoming.findings.redacted).strip()[:MAX_TEXT]
        else:
            keep = self.vocabulary(ctx.tenant_id) if self.vocabulary is not None else None
            text = redacted(incoming.text, info, language, keep)
        if not worth_reviewing(text):
            return
        now = incoming.created_at
        turn.writes.append(
            insert(table_of(SampleItem)).values(
                id=self.ids.uuid(),
                tenant_id=ctx.tenant_id,
                conversation_id=ctx.id,
                language=language[:8],
                text=text,
                intent=str(intent)[:64] if intent else None,
                confidence=round(confidence, 3),
                band=band[:8],
                outcome=str(outcome)[:24] if outcome else None,
                page_url=str(notes.knowledge_url)[:2000] if notes.knowledge_url else None,
                status="new",
                label=None,
                created_at=now,
                expires_at=now + timedelta(days=info.settings.sample_days),
                reviewed_at=None,
            )
        )
