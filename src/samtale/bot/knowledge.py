"""What the bot needs of the shop's knowledge base (`samtale.knowledge`, a higher package): an
answer to a customer's question from the shop's own pages, or the reason there is none.

The bot declares the protocol; the composition root passes `KnowledgeService.answer`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

# answered: quote it; weak_match: the shop has pages, none answers well enough; no_pages: the
# shop has no knowledge (yet).
Reason = Literal["answered", "weak_match", "no_pages"]


@dataclass(frozen=True)
class KnowledgeReply:
    reason: Reason
    text: str = ""  # what the bot says: the quote, a note when the page is in another language
    quote: str = ""
    url: str = ""
    title: str = ""
    language: str = ""  # the language of the page quoted
    other_language: bool = False

    @property
    def answered(self) -> bool:
        return self.reason == "answered"


@dataclass(frozen=True)
class QueryVector:
    """The question's embedding the classifier already computed this turn, named by its model
    (`Embedder.identity`): the knowledge base uses it when its own model is the same, so a
    question is embedded once per turn."""

    vector: np.ndarray
    identity: str


class KnowledgeAnswerer(Protocol):
    async def __call__(
        self,
        tenant_id: uuid.UUID,
        question: str,
        language: str,
        vector: QueryVector | None = None,
    ) -> KnowledgeReply: ...
