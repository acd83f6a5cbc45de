"""A tenant's index on disk when several processes save it at once (the workers of one server
share the data folder): every save succeeds, and what is left is one whole index."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from samtale.knowledge.retrieval import DIM, Entry, KnowledgeIndex


def _index(n: int, fingerprint: str) -> KnowledgeIndex:
    entries = [
        Entry(f"p{i}", "page", f"https://shop.example/{i}", "Levering", "da", ("Fragt",),
              f"Vi sender pakken med PostNord nummer {i}.")
        for i in range(n)
    ]  # fmt: skip
    vectors = np.random.default_rng(n).random((n, DIM), dtype=np.float32)
    return KnowledgeIndex(entries, vectors, stem=False, dense=True, fingerprint=fingerprint)


def test_saves_racing_each_other_leave_one_whole_index(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge" / "tenant"
    indexes = [_index(3 + i, f"fp{i}") for i in range(6)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(indexes))

    def save(index: KnowledgeIndex) -> None:
        start.wait()
        try:
            for _ in range(15):
                index.save(folder)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(index,)) for index in indexes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    loaded = KnowledgeIndex.load(folder)
    assert loaded is not None
    saved = next(i for i in indexes if i.fingerprint == loaded.fingerprint)
    assert len(loaded.entries) == len(saved.entries) and loaded.vectors.shape == saved.vectors.shape
    assert sorted(p.name for p in folder.parent.iterdir()) == ["tenant"]  # nothing left behind
