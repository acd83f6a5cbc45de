"""A tenant's search index: lexical and dense, fused by reciprocal rank, kept on disk.

Three ranked lists find different things. BM25 over stems finds the passage that names what
the customer names ("gavekort", "Budbee", "Vipps") and is exact about rare words; the dense e5
vectors find the passage that means what the customer means in other words ("when will my
stuff get here" → "delivery times"), twice over:

- the **text vector** of the passage ("title › headings: text"), and
- the **heading vector** of its place in the page ("Returns and exchanges › Return within 30
  days"): what the page's author says the section is about, which is how customers ask ("how
  long can I complain" is a heading on most warranty pages). It is short (a dozen tokens
  against fifty), so it is embedded first, right after the pages are read, and a page has a
  dense vector long before its text vectors are in.

Their scores live on different scales, so they are fused by rank rather than by score: each
passage gets Σ w/(K + rank) over the lists (reciprocal rank fusion, K = 60 as in the paper), the
two dense lists together counting twice the lexical one. A passage without a vector yet simply
has no rank in that list. None of this needs tuning per shop.

**Pages, not passages.** The answer links a page, so pages are ranked: a page scores its best
passage plus half the mean of its best three. A page whose several passages match the question
(the returns page, for "can I change my mind": the 30 days, how to return, the refund) comes
before a page with one passage that happens to share a word; the mean (not the sum) keeps a
long page from winning by length alone, and a one-passage page (a PDF) counts its one passage
fully. The answers of a FAQ are different topics on one page, not evidence for each other: each
counts as a one-passage page of its own. The hits come best page first, each page's passages
best first.

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

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from samtale.knowledge.lexical import Analyzer, LexicalIndex

RRF_K = 60
CANDIDATES = 20
DIM = 384
# Customers ask in their own words, which the pages rarely share: the two dense lists together
# count twice the lexical one in the fusion (the lexical one still decides between passages the
# dense search finds alike, and finds the rare names: "Vipps", "Budbee").
TEXT_WEIGHT = 1.0
HEADING_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
# A page scores its best passage plus this share of the mean of its best `PAGE_PASSAGES`.
PAGE_SUPPORT = 0.5
PAGE_PASSAGES = 3
_FORMAT = 3
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

    @property
    def heading_text(self) -> str:
        """What its heading vector embeds: the page's title and the heading path."""
        return heading_text(self.title, self.headings)


def heading_text(title: str, headings: Sequence[str]) -> str:
    """Where a passage sits in its page: title › headings (the title only when the first
    heading does not already say it); what its heading vector embeds."""
    path = [h for h in headings if h]
    # A page without a title of its own is named by its address: that says nothing.
    named = bool(title) and "://" not in title and not _FILE_NAME.search(title)
    if named and (not path or path[0].strip().lower() not in title.strip().lower()):
        path.insert(0, title)
    return " › ".join(path)


def passage_text(title: str, headings: Sequence[str], text: str) -> str:
    """The text a passage is indexed and embedded by: title › headings: text."""
    context = heading_text(title, headings)
    return f"{context}: {text}" if context else text


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float  # the fused score
    dense: float  # cosine similarity of question and passage, text or heading (0 without)
    lexical: float  # BM25 score
    coverage: float  # share of the question's terms found in the passage
    nearest: float = 0.0  # the highest similarity of any passage in the language searched
    page: float = 0.0  # the score of the passage's page (hits come ordered by it)


def _normalised(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row, a passage without that vector, stays zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(
        np.where(norms > 0, matrix / np.where(norms > 0, norms, 1.0), 0.0), dtype=np.float32
    )


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
        heading_vectors: np.ndarray | None = None,
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
        if heading_vectors is None:
            heading_vectors = np.zeros((n, DIM), dtype=np.float32)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.heading_vectors = np.ascontiguousarray(heading_vectors, dtype=np.float32)
        has_text = np.linalg.norm(self.vectors, axis=1) > 0 if n else np.zeros(0, bool)
        has_heading = np.linalg.norm(self.heading_vectors, axis=1) > 0 if n else np.zeros(0, bool)
        no_path = np.array([not e.heading_text for e in self.entries], dtype=bool)
        # Whether every passage has its vectors (a passage without a heading path has no
        # heading vector): else the service embeds what is missing.
        self.complete = bool(np.all(has_text) and np.all(has_heading | no_path))
        self.stem = stem
        self.use_dense = dense
        self.fingerprint = fingerprint
        self.positions: dict[str, np.ndarray] = {}
        # Per language: each passage's page, and the group it is scored with (its page; a FAQ
        # answer, its own).
        self.pages_of: dict[str, np.ndarray] = {}
        self.groups_of: dict[str, np.ndarray] = {}
        # Per language: the passages' text and heading vectors as one contiguous float32
        # matrix (text rows, then heading rows), L2-normalised (zero for a passage without that
        # vector), so a search is one matrix-vector product.
        self._matrices: dict[str, np.ndarray] = {}
        for lang in sorted({e.language for e in self.entries}):
            pos = np.array(
                [i for i, e in enumerate(self.entries) if e.language == lang], dtype=np.int64
            )
            self.positions[lang] = pos
            page_ids: dict[str, int] = {}
            self.pages_of[lang] = np.array(
                [page_ids.setdefault(self.entries[i].page_id, len(page_ids)) for i in pos],
                dtype=np.int64,
            )
            self.groups_of[lang] = np.array(
                [
                    -1 - local if self.entries[i].kind == "faq" else page
                    for local, (i, page) in enumerate(zip(pos, self.pages_of[lang], strict=True))
                ],
                dtype=np.int64,
            )
            self._matrices[lang] = np.concatenate(
                [_normalised(self.vectors[pos]), _normalised(self.heading_vectors[pos])]
            )
        # The same as plain lists: a search reads them item by item.
        self._page_lists = {
            lang: (self.pages_of[lang].tolist(), self.groups_of[lang].tolist())
            for lang in self.positions
        }
        self._any_vector = any(bool(m.any()) for m in self._matrices.values())
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
    def has_vectors(self) -> bool:
        """Whether any passage has a vector yet (text or heading): a dense search can work."""
        return self.use_dense and self._any_vector

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
        """The best passages in `language` for `question`: best page first, each page's
        passages best first."""
        pos = self.positions.get(language)
        if pos is None or pos.size == 0:
            return []
        n = pos.size
        lexical = self.lexical[language]
        lex_scores = lexical.scores(question)
        lists = [(LEXICAL_WEIGHT, _rank_positions(lex_scores, CANDIDATES))]
        text_scores = heading_scores = np.zeros(n, dtype=np.float32)
        nearest = 0.0
        if self.use_dense and query_vector is not None:
            both = self._matrices[language] @ np.asarray(query_vector, dtype=np.float32)
            text_scores, heading_scores = both[:n], both[n:]
            lists.append((TEXT_WEIGHT, _rank_positions(text_scores, CANDIDATES)))
            lists.append((HEADING_WEIGHT, _rank_positions(heading_scores, CANDIDATES)))
            nearest = max(0.0, float(both.max()))
        fused: dict[int, float] = {}
        for weight, ranking in lists:
            for rank, local in enumerate(ranking):
                fused[local] = fused.get(local, 0.0) + weight / (RRF_K + rank + 1)
        pages, groups = self._page_lists[language]
        by_page: dict[int, list[int]] = {}
        by_group: dict[int, list[float]] = {}
        page_score: dict[int, float] = {}
        for local in sorted(fused, key=lambda i: -fused[i]):
            by_page.setdefault(pages[local], []).append(local)
            by_group.setdefault(groups[local], []).append(fused[local])
            page_score.setdefault(pages[local], 0.0)
        for group, found in by_group.items():
            top = found[:PAGE_PASSAGES]
            score = top[0] + PAGE_SUPPORT * sum(top) / len(top)
            page = pages[-1 - group] if group < 0 else group
            if score > page_score[page]:
                page_score[page] = score
        ordered = sorted(by_page, key=lambda p: -page_score[p])
        best = [local for page in ordered for local in by_page[page]][:k]
        terms = set(lexical.analyzer.terms(question))
        passage_terms = self._passage_terms(language) if terms else []
        hits = []
        for local in best:
            coverage = len(terms & passage_terms[local]) / len(terms) if terms else 0.0
            hits.append(
                Hit(
                    self.entries[int(pos[local])],
                    fused[local],
                    max(float(text_scores[local]), float(heading_scores[local])),
                    float(lex_scores[local]),
                    coverage,
                    nearest,
                    page_score[int(pages[local])],
                )
            )
        return hits

    # -- on disk --------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the index to `folder` (replacing what was there, atomically by rename).

        Several processes may save the same tenant's index at once (worker processes share the
        data folder): each writes a folder of its own name and moves it in; when another one's
        folder got there first, that one is kept (both were built from the database just now)
        and this one is dropped."""
        unique = f"{os.getpid()}-{secrets.token_hex(4)}"
        for kind in ("tmp", "old"):  # what a saver that crashed midway left
            for stale in folder.parent.glob(f"{folder.name}.{kind}-*"):
                with contextlib.suppress(OSError):
                    if time.time() - stale.stat().st_mtime > 3600:
                        shutil.rmtree(stale, ignore_errors=True)
        tmp = folder.with_name(f"{folder.name}.tmp-{unique}")
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
        np.save(tmp / "heading_vectors.npy", self.heading_vectors)
        for lang, index in self.lexical.items():
            index.save(tmp / f"bm25-{lang}")
        old = folder.with_name(f"{folder.name}.old-{unique}")
        with contextlib.suppress(FileNotFoundError):  # none yet, or another saver moved it
            folder.rename(old)
        try:
            tmp.rename(folder)
        except OSError:  # another saver's folder is in place (ENOTEMPTY / EEXIST): keep it
            shutil.rmtree(tmp, ignore_errors=True)
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
            heading_vectors = np.load(folder / "heading_vectors.npy")
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
            heading_vectors,
            stem=stem,
            dense=bool(manifest["dense"]),
            fingerprint=str(manifest["fingerprint"]),
            _lexical=lexical,
        )
