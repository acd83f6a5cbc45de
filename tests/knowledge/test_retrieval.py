"""Ranking in the index itself, with vectors made by hand (no model): pages are ranked by their
passages together, a FAQ answer stands alone, and a passage without a vector is still found."""

from __future__ import annotations

import numpy as np

from samtale.knowledge.retrieval import DIM, Entry, KnowledgeIndex


def _axis(i: int, lean: float = 0.0, towards: int = 0) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    v[towards] += lean
    return v / np.linalg.norm(v)


def _entry(page: str, n: int, text: str, kind: str = "text") -> Entry:
    return Entry(f"{page}-{n}", page, f"https://shop.example/{page}", page.title(), "en",
                 (page.title(), f"part {n}"), text, kind)  # fmt: skip


def _filler(n: int = 10) -> tuple[list[Entry], list[np.ndarray]]:
    """Pages of one passage each, all about as far from the question (to spread the ranks)."""
    return [_entry(f"other{i}", 0, f"filler {i}") for i in range(n)], [
        _axis(20 + i, 0.9) for i in range(n)
    ]


def _index(entries: list[Entry], vectors: list[np.ndarray]) -> KnowledgeIndex:
    filler, filler_vectors = _filler()
    matrix = np.stack(vectors + filler_vectors)
    return KnowledgeIndex(entries + filler, matrix, matrix.copy())


def test_a_page_whose_passages_match_together_beats_one_lucky_passage() -> None:
    # The question points along axis 0. "returns" has three passages close to it; "warranty"
    # has one passage a little closer than any of them, and two far ones.
    entries = [
        _entry("returns", 0, "send it back within thirty days"),
        _entry("returns", 1, "how to send it back"),
        _entry("returns", 2, "your money back"),
        _entry("warranty", 0, "complaints about faults"),
        _entry("warranty", 1, "repairs"),
        _entry("warranty", 2, "spare parts"),
    ]
    vectors = [_axis(1, 1.2), _axis(2, 1.2), _axis(3, 1.2), _axis(4, 1.5), _axis(5, 0.5),
               _axis(6, 0.5)]  # fmt: skip
    hits = _index(entries, vectors).search("zzz", "en", _axis(0), k=20)
    assert [h.entry.page_id for h in hits[:3]] == ["returns"] * 3  # the page's passages together
    # The best passage alone would have chosen the warranty page.
    assert max(hits, key=lambda h: h.dense).entry.page_id == "warranty"
    warranty = next(h for h in hits if h.entry.page_id == "warranty")
    assert hits[0].page > warranty.page


def test_the_answers_of_a_faq_stand_alone() -> None:
    # A FAQ answer is the closest passage of all; the page's other answers are about other
    # things. They do not pull the answer down: the FAQ comes before the one-passage page.
    entries = [
        _entry("faq", 0, "can i rent a tent", "faq"),
        _entry("faq", 1, "do you sell gift cards", "faq"),
        _entry("faq", 2, "where are you", "faq"),
        _entry("tent-care", 0, "how to clean a tent"),
    ]
    vectors = [_axis(1, 1.5), _axis(2, 0.5), _axis(3, 0.5), _axis(4, 1.4)]
    assert _index(entries, vectors).search("zzz", "en", _axis(0))[0].entry.page_id == "faq"
    # The same passages as the running text of one page are one topic, judged together.
    as_text = [Entry(e.passage_id, e.page_id, e.url, e.title, e.language, e.headings, e.text)
               for e in entries]  # fmt: skip
    assert _index(as_text, vectors).search("zzz", "en", _axis(0))[0].entry.page_id == "tent-care"


def test_a_passage_without_vectors_is_found_by_its_words_and_heading_vectors_count() -> None:
    entries = [
        _entry("delivery", 0, "we ship with budbee"),
        _entry("payment", 0, "pay by card"),
        _entry("stores", 0, "our shop in bergen"),
    ]
    none = np.zeros((3, DIM), dtype=np.float32)
    lexical_only = KnowledgeIndex(entries, none, none)
    assert not lexical_only.has_vectors
    assert lexical_only.search("budbee", "en", _axis(0))[0].entry.page_id == "delivery"
    # Only heading vectors in (the text vectors still to come): the dense search uses them.
    headings = np.stack([_axis(1), _axis(0), _axis(2)])
    index = KnowledgeIndex(entries, none, headings)
    assert index.has_vectors
    [first, *_] = index.search("zzz", "en", _axis(0))
    assert first.entry.page_id == "payment" and first.dense > 0.99
