"""Pages cut into passages: the pieces retrieval ranks and answers quote.

A passage is a few paragraphs under one heading path, about `TARGET` characters: long enough to
hold an answer with its conditions ("free over 499 kr, otherwise 39 kr"), short enough that the
best passage is about one thing and its vector is not an average of several topics. Paragraphs
under the same headings are joined until the target is reached; a paragraph far longer than the
target is cut at sentence ends. A FAQ pair is always a passage of its own.

What is indexed is the heading path followed by the text ("Delivery › Norway: ..."): the
headings carry the topic words a paragraph leaves out ("It takes 2–4 working days").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from samtale.knowledge.extraction import Block, Document

TARGET = 600
MAX = 900
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»)]?\s+(?=[\"“„«(]?[A-ZÆØÅÄÖÜÉ0-9])")


@dataclass(frozen=True)
class Passage:
    headings: tuple[str, ...]
    text: str
    kind: str = "text"

    @property
    def context(self) -> str:
        return " › ".join(self.headings)

    @property
    def indexed_text(self) -> str:
        """What retrieval reads: the heading path, then the text."""
        return f"{self.context}: {self.text}" if self.headings else self.text


def sentences(text: str) -> list[str]:
    """`text` cut into sentences (a plain rule: an end mark, a space, a capital or digit)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _cut(text: str) -> Iterable[str]:
    if len(text) <= MAX:
        yield text
        return
    chunk: list[str] = []
    size = 0
    for sentence in sentences(text):
        if chunk and size + len(sentence) > TARGET:
            yield " ".join(chunk)
            chunk, size = [], 0
        chunk.append(sentence[:MAX])
        size += len(sentence) + 1
    if chunk:
        yield " ".join(chunk)


def split(document: Document) -> list[Passage]:
    passages: list[Passage] = []
    pending: list[str] = []
    heading: tuple[str, ...] | None = None

    def flush() -> None:
        if pending and heading is not None:
            passages.append(Passage(heading, " ".join(pending)))
        pending.clear()

    for block in document.blocks:
        if block.kind == "faq":
            flush()
            passages.extend(Passage(block.headings, part, "faq") for part in _cut(block.text))
            continue
        if block.headings != heading or sum(len(p) for p in pending) + len(block.text) > TARGET:
            flush()
            heading = block.headings
        for part in _cut(block.text):
            if pending and sum(len(p) for p in pending) + len(part) > TARGET:
                flush()
            pending.append(part)
    flush()
    return passages


__all__ = ["Block", "Passage", "sentences", "split"]
