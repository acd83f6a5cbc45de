"""A tenant's search index: lexical and dense, fused by reciprocal rank, kept on disk.

Two searches find different things. BM25 over stems finds the passage that names what the
customer names ("gavekort", "Budbee", "Vipps") and is exact about rare words; the dense e5
vectors find the passage that means what the customer means in other words ("when will my
stuff get here" → "delivery times"). Their scores live on different scales, so they are fused
by rank rather than by score: each passage gets Σ 1/(K + rank) over the two lists
(reciprocal rank fusion, K = 60 as in the paper), which needs no tuning per shop.

Both searches look only at the pages in the language the question is searched in (the service
picks it: the customer's when the shop has pages in it, else the shop's main language). Dense
vectors are multilingual, so a Finnish question still finds the Danish page when the shop has
no Finnish pages.

The index is built from the passages in the database and saved per tenant under the data
folder: entries as JSON, vectors as one `.npy`, one bm25s folder per language. A fingerprint of
the passages it was built from tells the service whether the saved copy is current. Building
needs no model: the vectors were computed when the passages were stored.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from samtale.knowledge.lexical import Analyzer, LexicalIndex

RRF_K = 60
CANDIDATES = 20
DIM = 384
# Customers ask in their own words, which the pages rarely share: the dense list counts this
# much more than the lexical one in the fusion (the lexical one still decides between passages
# the dense search finds alike, and finds the rare names: "Vipps", "Budbee").
DENSE_WEIGHT = 2.0
LEXICAL_WEIGHT = 1.0
_FORMAT = 2
_FILE_NAME = re.compile(r"\.(?:pdf|html?|md|markdown|txt)$", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One passage as the index knows it."""

    passage_id: str
    page_id: str
    url: str
    title: str
    language: str
    headings: tuple[str, ...]
    text: str
    kind: str = "text"

    @property
    def indexed_text(self) -> str:
        """What both searches read: the page's title and the heading path, then the text (the
        title names the topic that a passage deep in the page leaves out)."""
        return passage_text(self.title, self.headings, self.text)


def passage_text(title: str, headings: Sequence[str], text: str) -> str:
    """The text a passage is indexed and embedded by: title › headings: text (the title only
    when the first heading does not already say it)."""
    path = [h for h in headings if h]
    # A page without a title of its own is named by its address: that says nothing.
    named = bool(title) and "://" not in title and not _FILE_NAME.search(title)
    if named and (not path or path[0].strip().lower() not in title.strip().lower()):
        path.insert(0, title)
    context = " › ".join(path)
    return f"{context}: {text}" if context else text


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float  # the fused score
    dense: float  # cosine similarity of question and passage (0 without vectors)
    lexical: float  # BM25 score
    coverage: float  # share of the question's terms found in the passage
    nearest: float = 0.0  # the highest similarity of any passage in the language searched


def _rank_positions(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the `k` highest positive scores, best first."""
    if scores.size == 0:
        return []
    k = min(k, scores.size)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [int(i) for i in top if scores[i] > 0]


class KnowledgeIndex:
    """The passages of one tenant, searchable per language."""

    def __init__(
        self,
        entries: Sequence[Entry],
        vectors: np.ndarray | None = None,
        *,
        stem: bool = True,
        dense: bool = True,
        fingerprint: str = "",
        _lexical: dict[str, LexicalIndex] | None = None,
    ) -> None:
        self.entries = list(entries)
        n = len(self.entries)
        if vectors is None:
            vectors = np.zeros((n, DIM), dtype=np.float32)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.has_vector = np.linalg.norm(self.vectors, axis=1) > 0 if n else np.zeros(0, bool)
        self.stem = stem
        self.use_dense = dense
        self.fingerprint = fingerprint
        self.positions: dict[str, np.ndarray] = {}
        # Per language: the passages' vectors as one contiguous float32 matrix, rows already
        # L2-normalised (zero for a passage without a vector), so a search is one mat-vec.
        self._matrices: dict[str, np.ndarray] = {}
        for lang in sorted({e.language for e in self.entries}):
            self.positions[lang] = np.array(
                [i for i, e in enumerate(self.entries) if e.language == lang], dtype=np.int64
            )
            matrix = self.vectors[self.positions[lang]]
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            self._matrices[lang] = np.ascontiguousarray(
                np.where(norms > 0, matrix / np.where(norms > 0, norms, 1.0), 0.0),
                dtype=np.float32,
            )
        if _lexical is None:
            _lexical = {
                lang: LexicalIndex.build(
                    [self.entries[i].indexed_text for i in pos], Analyzer(lang, stem=stem)
                )
                for lang, pos in self.positions.items()
            }
        self.lexical = _lexical
        self._terms: dict[str, list[set[str]]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def languages(self) -> set[str]:
        return set(self.positions)

    def pages(self, language: str | None = None) -> set[str]:
        return {e.url for e in self.entries if language is None or e.language == language}

    def _passage_terms(self, language: str) -> list[set[str]]:
        cached = self._terms.get(language)
        if cached is None:
            analyzer = self.lexical[language].analyzer
            cached = [
                set(analyzer.terms(self.entries[i].indexed_text)) for i in self.positions[language]
            ]
            self._terms[language] = cached
        return cached

    def nearest(self, language: str, query_vector: np.ndarray) -> float:
        """The highest cosine similarity of any passage in `language` to the vector."""
        matrix = self._matrices.get(language)
        if matrix is None or matrix.shape[0] == 0:
            return 0.0
        return float(np.max(matrix @ np.asarray(query_vector, dtype=np.float32)))

    def search(
        self,
        question: str,
        language: str,
        query_vector: np.ndarray | None = None,
        *,
        k: int = 5,
    ) -> list[Hit]:
        """The best passages in `language` for `question`, best first."""
        pos = self.positions.get(language)
        if pos is None or pos.size == 0:
            return []
        lexical = self.lexical[language]
        lex_scores = lexical.scores(question)
        lex_rank = _rank_positions(lex_scores, CANDIDATES)
        dense_scores = np.zeros(pos.size, dtype=np.float32)
        dense_rank: list[int] = []
        if self.use_dense and query_vector is not None:
            dense_scores = self._matrices[language] @ np.asarray(query_vector, dtype=np.float32)
            dense_rank = _rank_positions(dense_scores, CANDIDATES)
        fused: dict[int, float] = {}
        for weight, ranking in ((LEXICAL_WEIGHT, lex_rank), (DENSE_WEIGHT, dense_rank)):
            for rank, local in enumerate(ranking):
                fused[local] = fused.get(local, 0.0) + weight / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda i: -fused[i])[:k]
        nearest = float(dense_scores.max()) if dense_rank else 0.0
        terms = set(lexical.analyzer.terms(question))
        passage_terms = self._passage_terms(language) if terms else []
        hits = []
        for local in best:
            coverage = len(terms & passage_terms[local]) / len(terms) if terms else 0.0
            hits.append(
                Hit(
                    self.entries[int(pos[local])],
                    fused[local],
                    float(dense_scores[local]),
                    float(lex_scores[local]),
                    coverage,
                    nearest,
                )
            )
        return hits

    # -- on disk --------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the index to `folder` (replacing what was there, atomically by rename)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        manifest = {
            "format": _FORMAT,
            "fingerprint": self.fingerprint,
            "stem": self.stem,
            "dense": self.use_dense,
            "entries": [asdict(e) for e in self.entries],
            "sizes": {lang: int(pos.size) for lang, pos in self.positions.items()},
        }
        (tmp / "entries.json").write_text(json.dumps(manifest, ensure_ascii=False))
        np.save(tmp / "vectors.npy", self.vectors)
        for lang, index in self.lexical.items():
            index.save(tmp / f"bm25-{lang}")
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> KnowledgeIndex | None:
        """The index saved in `folder`, or None when there is none (or an old format)."""
        try:
            manifest = json.loads((folder / "entries.json").read_text())
            if manifest.get("format") != _FORMAT:
                return None
            entries = [
                Entry(**{**e, "headings": tuple(e["headings"])}) for e in manifest["entries"]
            ]
            vectors = np.load(folder / "vectors.npy")
            stem = bool(manifest["stem"])
            lexical = {
                lang: LexicalIndex.load(folder / f"bm25-{lang}", Analyzer(lang, stem=stem), size)
                for lang, size in manifest["sizes"].items()
            }
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(
            entries,
            vectors,
            stem=stem,
            dense=bool(manifest["dense"]),
            fingerprint=str(manifest["fingerprint"]),
            _lexical=lexical,
        )
