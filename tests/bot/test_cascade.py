"""The fast path and the cascade: sure messages are answered without the transformer, unsure
ones go to e5, the fast model persists, and the registry answers with the fast path while the
cascade trains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from samtale.bot.classifier import IntentClassifier
from samtale.bot.embeddings import Embedder
from samtale.bot.static import StaticEmbeddings, words_of

Rows = list[tuple[str, str, str]]


def test_static_table_is_distilled_from_the_training_words(embedder: Embedder) -> None:
    texts = ["Hvor er min pakke?", "Hvornår har I åbent?", "Jeg vil returnere en vare"]
    table = StaticEmbeddings.distil(texts, embedder, dim=8)
    assert len(table) == len({w for t in texts for w in words_of(t)})
    vectors, unknown = table.lookup(["hvor er pakken", "hvornar har i abent", "xyzzy"])
    assert unknown.tolist() == [1, 0, 1]  # "pakken" unknown; folded forms found
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert not vectors[2].any()  # nothing known: no vector


def test_cascade_routes_unsure_messages_to_e5(
    shop_classifier: IntentClassifier, unrelated: list[str]
) -> None:
    clf = shop_classifier.with_mode("cascade")
    assert clf.has_fast_path and clf.has_e5
    clf.counts = {"fast": 0, "e5": 0}
    sure = clf.predict("Hvor er min pakke?")  # a training example, word for word
    assert (sure.path, sure.label) == ("fast", "track_order")
    for text in unrelated:  # words the shop never used: only e5 can judge them
        p = clf.predict(text)
        assert p.path == "e5" and p.label is None
    assert clf.counts == {"fast": 1, "e5": len(unrelated)}
    assert clf.e5_fraction == pytest.approx(len(unrelated) / (1 + len(unrelated)))
    info = clf.info
    assert 0.0 <= info["e5_fraction_oof"] <= 1.0
    assert info["oof_accuracy"] >= info["e5_alone_oof_accuracy"]  # the rule keeps e5's accuracy


def test_the_route_decides_which_model_answers(embedder: Embedder, shop_rows: Rows) -> None:
    texts, labels = [r[0] for r in shop_rows], [r[1] for r in shop_rows]
    messages = ["hvor er min pakke", "kan jeg betale med kort", "what time do you open"]
    never = IntentClassifier(embedder, route=(0.0, -np.inf), route_unknown=None).fit(texts, labels)
    always = IntentClassifier(embedder, route=(1.01, np.inf)).fit(texts, labels)
    assert {p.path for p in never.predict_many(messages)} == {"fast"}
    assert {p.path for p in always.predict_many(messages)} == {"e5"}
    # e5 alone and the fast path alone, from the same trained classifier
    assert {p.path for p in never.with_mode("e5").predict_many(messages)} == {"e5"}
    assert {p.path for p in always.with_mode("fast").predict_many(messages)} == {"fast"}


def test_fast_model_trains_without_embedding_the_examples_and_reloads(
    shop_rows: Rows, held_out: list[tuple[str, str]], tmp_path: Path
) -> None:
    embedder = Embedder(tmp_path / "cache")
    texts, labels = [r[0] for r in shop_rows], [r[1] for r in shop_rows]
    fast = IntentClassifier(embedder, mode="fast").fit(texts, labels)
    words = {w for t in texts for w in words_of(t)}
    assert embedder.computed == len(words)  # the words, never the sentences
    assert fast.has_fast_path and not fast.has_e5
    accuracy = np.mean([fast.predict(t).label == y for t, y in held_out])
    assert accuracy >= 0.75

    path = tmp_path / "fast.model"
    fast.save(path)
    fresh = Embedder(tmp_path / "empty")
    loaded = IntentClassifier.load(path, fresh)
    before = fast.predict_many([t for t, _ in held_out])
    after = loaded.predict_many([t for t, _ in held_out])
    assert fresh.computed == 0  # the fast path never runs the transformer
    assert [p.path for p in after] == ["fast"] * len(held_out)
    for a, b in zip(before, after, strict=True):
        assert (a.label, a.ranking[0][0]) == (b.label, b.ranking[0][0])
        assert a.score == pytest.approx(b.score, abs=1e-6)
