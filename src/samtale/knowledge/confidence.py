"""When a match is good enough to answer from, calibrated against questions that are not.

Retrieval always returns a best passage, even for "what is the capital of France?". Whether to
answer is decided on the best hit's cosine similarity between question and passage (e5 vectors,
the text's or the heading path's, whichever is closer: comparable across shops and languages,
unlike BM25 scores) together with how many of the question's stems the passage holds. Until a
shop's passages have any vector (the first seconds after its pages are read), the lexical bar
decides: the BM25 score the off-topic probes reach, and half the question's stems found.

Raw e5 similarities sit in a narrow band (0.75–0.9 for almost anything), and where in that band
"unrelated" ends depends on the shop's pages: a shop with long, wordy pages is closer to
everything. So each tenant's index is calibrated when it is built: a fixed set of off-topic
questions in the five languages (`OFF_TOPIC`: geography, weather, recipes, sport, homework —
never customer text) is searched against the tenant's own pages, **per language**, and the bar
for that language is set just above the closest any of them came (`LANGUAGE_MARGIN` over their
maximum), never below `floor`: a question is answered only when the shop's page is closer to
it than to every off-topic probe in its language. Languages differ (Finnish and Danish pages
sit closer to everything than English ones in e5's space), so one bar for all would be too
strict for some and too loose for others. A question must clear its language's bar, or come
close while sharing most of its words with the passage. The pooled bar (`margin` over the 90th
percentile of all probes) remains for a language without probes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from samtale.knowledge.retrieval import Hit, KnowledgeIndex

OFF_TOPIC: dict[str, list[str]] = {
    "da": [
        "hvad er hovedstaden i frankrig", "hvordan bliver vejret i morgen",
        "hvem vandt fodboldkampen i går", "opskrift på pandekager", "hvor høj er mount everest",
        "hvad er 17 gange 23", "fortæl mig en vits", "hvem er danmarks statsminister",
        "hvordan skifter jeg olie på min bil", "hvad betyder fotosyntese",
    ],
    "sv": [
        "vad är huvudstaden i frankrike", "hur blir vädret i morgon", "vem vann matchen igår",
        "recept på kanelbullar", "hur högt är kebnekaise", "vad är 17 gånger 23",
        "berätta ett skämt", "vem är sveriges statsminister", "hur byter jag däck på bilen",
        "vad betyder fotosyntes",
    ],
    "nb": [
        "hva er hovedstaden i frankrike", "hvordan blir været i morgen",
        "hvem vant fotballkampen i går", "oppskrift på vafler", "hvor høy er galdhøpiggen",
        "hva er 17 ganger 23", "fortell meg en vits", "hvem er norges statsminister",
        "hvordan skifter jeg olje på bilen", "hva betyr fotosyntese",
    ],
    "fi": [
        "mikä on ranskan pääkaupunki", "millainen sää on huomenna",
        "kuka voitti eilisen jalkapallo-ottelun", "resepti pannukakkuun",
        "kuinka korkea on mount everest", "paljonko on 17 kertaa 23", "kerro vitsi",
        "kuka on suomen pääministeri", "miten vaihdan auton öljyt", "mitä fotosynteesi tarkoittaa",
    ],
    "en": [
        "what is the capital of france", "what will the weather be like tomorrow",
        "who won the football match yesterday", "recipe for pancakes",
        "how tall is mount everest", "what is 17 times 23", "tell me a joke",
        "who is the prime minister of the uk", "how do i change the oil in my car",
        "what does photosynthesis mean",
    ],
}  # fmt: skip

FLOOR = 0.80
MARGIN = 0.015
LANGUAGE_MARGIN = 0.0
NEAR = 0.02  # how far below the bar a hit may be when it shares most of the question's words
NEAR_COVERAGE = 0.6


@dataclass(frozen=True)
class Threshold:
    dense: float  # the pooled bar for the best hit's cosine similarity
    lexical: float = 0.0  # for a lexical-only index: the bar for the best BM25 score
    by_language: dict[str, float] = field(default_factory=dict)  # the bar per page language

    def bar(self, language: str) -> float:
        return self.by_language.get(language, self.dense)

    def confident(self, hit: Hit, *, dense: bool = True) -> bool:
        """Whether to answer with `hit` (the first of the search), by how close the question
        came to the shop's pages in its language (`hit.nearest`, else the hit's own)."""
        if not dense:
            return hit.lexical >= self.lexical and hit.coverage >= 0.5
        bar = self.bar(hit.entry.language)
        close = max(hit.dense, hit.nearest)
        if close >= bar:
            return True
        return close >= bar - NEAR and hit.coverage >= NEAR_COVERAGE

    def to_json(self) -> dict[str, object]:
        return {"dense": self.dense, "lexical": self.lexical, "by_language": self.by_language}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Threshold:
        by_language = data.get("by_language") or {}
        assert isinstance(by_language, dict)
        return cls(
            float(data["dense"]),  # type: ignore[arg-type]
            float(data.get("lexical") or 0.0),  # type: ignore[arg-type]
            {str(k): float(v) for k, v in by_language.items()},
        )


def calibrate(
    index: KnowledgeIndex,
    embed: Callable[[list[str]], np.ndarray] | None,
    *,
    floor: float = FLOOR,
    margin: float = MARGIN,
) -> Threshold:
    """The tenant's threshold: just above what off-topic questions reach on its pages."""
    dense_tops: list[float] = []
    lexical_tops: list[float] = []
    by_language: dict[str, float] = {}
    for language in sorted(index.languages):
        questions = OFF_TOPIC.get(language, OFF_TOPIC["en"])
        vectors = embed(questions) if embed is not None and index.has_vectors else None
        tops: list[float] = []
        for i, question in enumerate(questions):
            vector = None if vectors is None else vectors[i]
            # The closest passage at all (not the fused first): the bar is about nearness.
            hits = index.search(question, language, vector, k=1)
            if hits:
                top = max(hits[0].dense, hits[0].nearest)
                tops.append(top)
                dense_tops.append(top)
                lexical_tops.append(hits[0].lexical)
        if tops and index.has_vectors and embed is not None:
            by_language[language] = max(floor, max(tops) + LANGUAGE_MARGIN)
    dense_bar = floor
    if dense_tops:
        dense_bar = max(floor, float(np.percentile(dense_tops, 90)) + margin)
    lexical_bar = float(np.percentile(lexical_tops, 90)) * 1.1 if lexical_tops else 0.0
    return Threshold(dense_bar, lexical_bar, by_language)
