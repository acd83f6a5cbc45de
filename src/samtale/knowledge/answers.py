"""From the chosen passages to the words the customer reads.

The answer step is a protocol (`AnswerWriter`) so that a generative model could later rewrite
the passages into an answer, as an option a shop turns on. What ships is `ExtractiveWriter`:
it quotes the one to three sentences of the best passage that share the most with the question
(in stems) — the shop's own words, never anything the shop did not write — and names the page
with its link. When the answer comes from a page in another language than the customer's (the
shop has no page in theirs), the answer says so first.

The sentences are picked by overlap of stems with the question plus the passage's heading
(which is what made the passage match), with ties broken by position: help pages tend to put
the rule first and the exceptions after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from samtale.knowledge.lexical import Analyzer
from samtale.knowledge.passages import sentences
from samtale.knowledge.retrieval import Hit

SOURCE = {
    "da": "Kilde: {title} – {url}",
    "sv": "Källa: {title} – {url}",
    "nb": "Kilde: {title} – {url}",
    "fi": "Lähde: {title} – {url}",
    "en": "Source: {title} – {url}",
}
OTHER_LANGUAGE = {
    "da": "Vi har ikke denne side på dansk, så her er svaret fra vores side på {language}:",
    "sv": "Vi har inte den här sidan på svenska, så här är svaret från vår sida på {language}:",
    "nb": "Vi har ikke denne siden på norsk, så her er svaret fra siden vår på {language}:",
    "fi": "Tätä sivua ei ole suomeksi, joten tässä vastaus {language} sivultamme:",
    "en": "We don't have this page in English, so here is the answer from our page in {language}:",
}
LANGUAGE_NAMES = {
    "da": {"da": "dansk", "sv": "svensk", "nb": "norsk", "fi": "finsk", "en": "engelsk"},
    "sv": {"da": "danska", "sv": "svenska", "nb": "norska", "fi": "finska", "en": "engelska"},
    "nb": {"da": "dansk", "sv": "svensk", "nb": "norsk", "fi": "finsk", "en": "engelsk"},
    "fi": {"da": "tanskankielisellä", "sv": "ruotsinkielisellä", "nb": "norjankielisellä",
           "fi": "suomenkielisellä", "en": "englanninkielisellä"},
    "en": {"da": "Danish", "sv": "Swedish", "nb": "Norwegian", "fi": "Finnish", "en": "English"},
}  # fmt: skip


@dataclass(frozen=True)
class KnowledgeAnswer:
    text: str  # what the bot says, link included
    quote: str  # the quoted sentences alone
    url: str
    title: str
    language: str  # the language of the page quoted
    other_language: bool  # the customer asked in a language the shop has no pages in
    hits: tuple[Hit, ...]


class AnswerWriter(Protocol):
    def write(self, question: str, hits: Sequence[Hit], language: str) -> KnowledgeAnswer:
        """An answer in `language` (the customer's) from `hits`, best first (at least one)."""
        ...


class ExtractiveWriter:
    """Quotes the best sentences of the best passage and links its page."""

    def __init__(self, max_sentences: int = 3, max_chars: int = 500) -> None:
        self.max_sentences = max_sentences
        self.max_chars = max_chars

    def pick(self, question: str, hit: Hit) -> list[str]:
        analyzer = Analyzer(hit.entry.language)
        wanted = set(analyzer.terms(question)) | set(
            analyzer.terms(" ".join(hit.entry.headings[1:]))
        )
        found = sentences(hit.entry.text)
        if not found:
            return []
        scored = []
        for i, sentence in enumerate(found):
            terms = set(analyzer.terms(sentence))
            scored.append((len(terms & wanted), -i, sentence))
        best = max(scored)
        start = -best[1]
        # The best sentence and the ones after it (a rule and its conditions), within limits.
        chosen: list[str] = []
        for sentence in found[start:]:
            if len(chosen) >= self.max_sentences:
                break
            if chosen and len(" ".join(chosen)) + len(sentence) > self.max_chars:
                break
            chosen.append(sentence)
        if start > 0 and len(chosen) < self.max_sentences and best[0] == 0:
            chosen.insert(0, found[start - 1])
        return chosen

    def write(self, question: str, hits: Sequence[Hit], language: str) -> KnowledgeAnswer:
        hit = hits[0]
        entry = hit.entry
        quote = " ".join(self.pick(question, hit)) or entry.text[: self.max_chars]
        customer = language if language in SOURCE else "en"
        other = entry.language != language
        parts = []
        if other:
            name = LANGUAGE_NAMES[customer].get(entry.language, entry.language)
            parts.append(OTHER_LANGUAGE[customer].format(language=name))
        parts.append(quote)
        parts.append(SOURCE[customer].format(title=entry.title or entry.url, url=entry.url))
        return KnowledgeAnswer(
            text="\n\n".join(parts),
            quote=quote,
            url=entry.url,
            title=entry.title,
            language=entry.language,
            other_language=other,
            hits=tuple(hits),
        )
