"""Lexical search: BM25 (`bm25s`) over words cut to their stems by Snowball (`PyStemmer`).

Customers and help pages rarely use the same form of a word: "returnere" and "returnering",
"leveranser" and "leverans", "toimitus" and "toimituksen". A Snowball stemmer for the page's
language maps them to one stem; Finnish, with its fifteen cases, gains the most. Each language
gets its own index (a Danish stem means nothing to the Finnish stemmer), and a question is
searched in the index of the language it is asked in.

Stop words are dropped (bm25s's lists, a short Finnish one of our own): they carry no topic and
would let "what is the capital of France" match every page on "what is". `stem=False` gives
the plain peer the benchmark compares with: the same tokens, not stemmed, no stop words out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STEMMERS = {"da": "danish", "sv": "swedish", "nb": "norwegian", "fi": "finnish", "en": "english"}
_FINNISH_STOPWORDS = frozenset(
    """ja on ei se että ole oli olla kuin mutta tai jos kun niin myös sekä vai mitä mikä miten
    missä milloin kuka mihin mistä minä sinä hän me te he minun sinun meidän teidän tämä tuo
    nämä ne siis vain jo vielä nyt voi voin voiko onko olen olet ovat oletko ovatko saa saako
    kanssa ilman yli alle sen sitä siitä siinä""".split()
)


@lru_cache(maxsize=8)
def _stopwords(language: str) -> frozenset[str]:
    from bm25s import stopwords

    lists = {
        "da": stopwords.STOPWORDS_DANISH,
        "sv": stopwords.STOPWORDS_SWEDISH,
        "nb": stopwords.STOPWORDS_NORWEGIAN,
        "en": stopwords.STOPWORDS_EN,
    }
    if language == "fi":
        return _FINNISH_STOPWORDS
    return frozenset(lists.get(language, ()))


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Any:
    import Stemmer

    name = STEMMERS.get(language)
    return Stemmer.Stemmer(name) if name else None


class Analyzer:
    """Text to index terms for one language."""

    def __init__(self, language: str | None, *, stem: bool = True) -> None:
        self.language = language
        self.stem = stem
        self._stop = _stopwords(language) if stem and language else frozenset()
        self._stemmer = _stemmer(language) if stem and language else None

    def terms(self, text: str) -> list[str]:
        words = [w for w in _WORD.findall(text.lower()) if w not in self._stop]
        if self._stemmer is not None:
            return list(self._stemmer.stemWords(words))
        return words


class LexicalIndex:
    """BM25 over a list of texts; scores for a query over all of them."""

    def __init__(self, analyzer: Analyzer, retriever: Any, size: int) -> None:
        self.analyzer = analyzer
        self._bm25 = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str], analyzer: Analyzer) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25()
        corpus = [analyzer.terms(t) or ["\u2205"] for t in texts]
        if corpus:
            retriever.index(corpus, show_progress=False)
        return cls(analyzer, retriever, len(texts))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every text for `query` (zeros when no term is known)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        vocab = self._bm25.vocab_dict
        ids = [vocab[t] for t in self.analyzer.terms(query) if t in vocab]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)

    def save(self, folder: Path) -> None:
        if self.size:
            self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, analyzer: Analyzer, size: int) -> LexicalIndex:
        import bm25s

        if size == 0:
            return cls(analyzer, bm25s.BM25(), 0)
        retriever = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        return cls(analyzer, retriever, size)
