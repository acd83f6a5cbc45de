from __future__ import annotations

import math
from pathlib import Path

import joblib
import numpy as np
import pytest

from samtale.bot.classifier import (
    IncompatibleModelError,
    IntentClassifier,
    fold_text,
    normalize_text,
    stratified_folds,
)
from samtale.bot.embeddings import DIM, Embedder
from samtale.bot.static import words_of

Rows = list[tuple[str, str, str]]


def _fit(embedder: Embedder, rows: list[tuple[str, str]], **kwargs: object) -> IntentClassifier:
    clf = IntentClassifier(embedder, **kwargs)  # type: ignore[arg-type]
    return clf.fit([t for t, _ in rows], [label for _, label in rows])


def test_normalisation_folds_case_accents_and_repeats() -> None:
    assert fold_text("Hvor ÉR min  påkke?") == fold_text("hvor er min pakke?")
    assert fold_text("Øl og Æbler på Ærø") == "ol og aebler pa aero"
    assert normalize_text("Heeeeej!!!!") == "heej!!"
    assert normalize_text("Hvor er min pakke") == "hvor er min pakke"


def test_stratified_folds_spread_every_label() -> None:
    keys = ["a"] * 10 + ["b"] * 5 + ["c"]
    ids = stratified_folds(keys, 5, seed=1)
    assert sorted(set(ids[:10].tolist())) == [0, 1, 2, 3, 4]
    assert sorted(ids[10:15].tolist()) == [0, 1, 2, 3, 4]


def test_predicts_held_out_paraphrases(
    shop_classifier: IntentClassifier, held_out: list[tuple[str, str]]
) -> None:
    predictions = shop_classifier.predict_many([t for t, _ in held_out])
    assert [p.label for p in predictions] == [intent for _, intent in held_out]
    assert all(p.confidence > 0.5 for p in predictions)


def test_single_predictions_match_batch(
    shop_classifier: IntentClassifier, held_out: list[tuple[str, str]]
) -> None:
    text = held_out[0][0]
    single = shop_classifier.predict(text)
    batch = shop_classifier.predict_many([text, held_out[1][0]])[0]
    assert single.label == batch.label
    assert single.confidence == pytest.approx(batch.confidence, abs=1e-5)


def test_rejects_unrelated_text(shop_classifier: IntentClassifier, unrelated: list[str]) -> None:
    for prediction in shop_classifier.predict_many(unrelated):
        assert prediction.label is None
        assert prediction.score < shop_classifier.threshold
        assert prediction.ranking  # suggestions for a fallback even when out of scope
        assert prediction.best == prediction.ranking[0][0]


def test_confidences_are_probabilities(
    shop_classifier: IntentClassifier, held_out: list[tuple[str, str]], unrelated: list[str]
) -> None:
    for p in shop_classifier.predict_many([t for t, _ in held_out] + unrelated):
        assert 0.0 <= p.confidence <= 1.0
        probs = [prob for _, prob in p.ranking]
        assert probs == sorted(probs, reverse=True)
        assert all(0.0 <= prob <= 1.0 for prob in probs)
        assert sum(probs) <= 1.0 + 1e-5
        assert p.confidence == probs[0]
        assert len(p.ranking) == min(shop_classifier.top_k, len(shop_classifier.classes))
    info = shop_classifier.info
    assert info["rows"] > 0 and info["classes"] == len(shop_classifier.classes) == 5
    assert 0.8 <= info["oof_accuracy"] <= 1.0


def test_threshold_can_be_overridden(embedder: Embedder, shop_rows: Rows) -> None:
    rows = [(t, i) for t, i, _ in shop_rows]
    never = _fit(embedder, rows, threshold=math.inf)
    assert never.threshold == math.inf
    assert never.predict("Hvor er min pakke?").label is None
    always = _fit(embedder, rows, threshold=-math.inf)
    assert always.predict("asdfgh qwerty").label is not None
    always.threshold = 10.0  # the attribute can be changed after training, too
    assert always.predict("Hvor er min pakke?").label is None


def test_save_and_load_without_embedding_the_training_set(
    shop_classifier: IntentClassifier,
    held_out: list[tuple[str, str]],
    unrelated: list[str],
    model_path: Path,
    tmp_path: Path,
) -> None:
    texts = [t for t, _ in held_out] + unrelated
    before = shop_classifier.predict_many(texts)
    shop_classifier.save(model_path)

    fresh = Embedder(tmp_path / "empty-cache")  # knows none of the training texts
    loaded = IntentClassifier.load(model_path, fresh)
    after = loaded.predict_many(texts)

    # Only the messages the fast path sent to e5, never the training set nor its words.
    assert 0 < fresh.computed == loaded.counts["e5"] <= len(set(texts))
    assert fresh.memory_hits == 0 and fresh.disk_hits == 0
    assert loaded.threshold == shop_classifier.threshold
    assert loaded.classes == shop_classifier.classes
    for a, b in zip(before, after, strict=True):
        assert a.label == b.label
        assert [name for name, _ in a.ranking] == [name for name, _ in b.ranking]
        assert a.confidence == pytest.approx(b.confidence, abs=1e-6)
        assert a.score == pytest.approx(b.score, abs=1e-6)


def test_load_refuses_mismatched_files(
    shop_classifier: IntentClassifier, model_path: Path, tmp_path: Path
) -> None:
    shop_classifier.save(model_path)
    with pytest.raises(IncompatibleModelError, match="embeddings"):
        IntentClassifier.load(model_path, Embedder(variant="enpt"))

    state = joblib.load(model_path)
    state["format"] = 999
    old = tmp_path / "old.joblib"
    joblib.dump(state, old)
    with pytest.raises(IncompatibleModelError, match="format"):
        IntentClassifier.load(old)

    junk = tmp_path / "junk.joblib"
    junk.write_bytes(b"not a model")
    with pytest.raises(IncompatibleModelError):
        IntentClassifier.load(junk)


def test_single_example_classes(embedder: Embedder) -> None:
    rows = [
        ("Hvor er min pakke?", "track_order"),
        ("Hvornår kommer min ordre?", "track_order"),
        ("Spor min pakke", "track_order"),
        ("Kan jeg betale med MobilePay?", "payment"),
        ("Hvilke betalingsmetoder har I?", "payment"),
        ("Jeg vil tale med et menneske", "human"),  # one example only
    ]
    clf = _fit(embedder, rows)
    assert clf.classes == ["human", "payment", "track_order"]
    assert clf.predict("Hvor er pakken min?").best == "track_order"
    assert clf.predict("jeg vil tale med en person").best == "human"


def test_one_and_two_classes(embedder: Embedder) -> None:
    one = _fit(embedder, [("Hvor er min pakke?", "track_order"), ("Spor min pakke", "track_order")])
    p = one.predict("hvor er pakken")
    assert p.best == "track_order" and p.confidence == pytest.approx(1.0)

    two = _fit(
        embedder,
        [
            ("Hvor er min pakke?", "track"),
            ("Spor min pakke", "track"),
            ("Kan jeg betale med kort?", "pay"),
            ("Tager I MobilePay?", "pay"),
        ],
    )
    assert two.predict("hvor er min pakke henne").best == "track"
    assert two.predict("kan man betale med mobilepay").best == "pay"


def test_out_of_scope_examples_as_a_class(embedder: Embedder, shop_rows: Rows) -> None:
    rows = [(t, i) for t, i, _ in shop_rows] + [
        ("Hvad bliver vejret i morgen?", "oos"),
        ("What's the weather like tomorrow?", "oos"),
        ("Hur blir vädret imorgon?", "oos"),
        ("Fortæl en vittighed", "oos"),
        ("Tell me a joke", "oos"),
    ]
    clf = IntentClassifier(embedder).fit(
        [t for t, _ in rows], [label for _, label in rows], oos_label="oos"
    )
    assert "oos" not in clf.classes
    p = clf.predict("hvordan bliver vejret i morgen")
    assert p.label is None
    assert all(name != "oos" for name, _ in p.ranking)
    assert clf.predict("Hvor er min pakke henne?").label == "track_order"


def test_tfidf_only_model(embedder: Embedder, shop_rows: Rows) -> None:
    before = embedder.computed
    clf = _fit(embedder, [(t, i) for t, i, _ in shop_rows], use_embeddings=False)
    assert clf.predict("hvor er min pakke henne").label == "track_order"
    assert embedder.computed == before


def test_retraining_embeds_only_new_examples(embedder: Embedder, shop_rows: Rows) -> None:
    rows = [(t, i) for t, i, _ in shop_rows]
    _fit(embedder, rows)
    before = embedder.computed
    new = "Kan jeg hente pakken i butikken?"
    _fit(embedder, [*rows, (new, "track_order")])
    # The new example, and the words of it no example had (for the fast path's word table).
    known = {w for text, _ in rows for w in words_of(text)}
    assert embedder.computed == before + 1 + len(set(words_of(new)) - known)


def test_embedding_cache(tmp_path: Path) -> None:
    first = Embedder(tmp_path)
    vectors = first.embed(["hvor er min pakke", "kan jeg betale med kort"], remember=True)
    assert vectors.shape == (2, DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert first.computed == 2

    again = first.embed(["hvor er min pakke"])
    assert first.computed == 2 and first.memory_hits == 1
    assert np.array_equal(again[0], vectors[0])

    second = Embedder(tmp_path)  # another process, the same cache folder
    from_disk = second.embed(["kan jeg betale med kort", "hvor er min pakke"], remember=True)
    assert second.computed == 0 and second.disk_hits == 2
    assert np.array_equal(from_disk[1], vectors[0])

    # Customer messages (remember=False) are embedded and forgotten.
    second.embed(["min ordrenummer er 12345"])
    second.embed(["min ordrenummer er 12345"])
    assert second.computed == 2
    third = Embedder(tmp_path)
    third.embed(["min ordrenummer er 12345"])
    assert third.disk_hits == 0 and third.computed == 1

    # The same text in one call is embedded once; the vector is that of the text alone.
    fourth = Embedder()
    pair = fourth.embed(["hej med dig", "hej med dig"])
    assert fourth.computed == 1
    assert np.allclose(pair[0], fourth.embed_one("hej med dig"), atol=1e-5)


def test_fast_tfidf_equals_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from samtale.bot.classifier import _tfidf

    docs = ["hvor er min pakke", "kan jeg betale med kort kort kort", "pakke pakke", "", "zzz"]
    for vectorizer in (
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
    ):
        vectorizer.fit(docs[:3])
        expected = vectorizer.transform(docs).toarray()
        assert np.allclose(_tfidf(vectorizer, docs).toarray(), expected, atol=1e-6)


def test_one_held_out_fold_for_large_data(
    embedder: Embedder, shop_rows: Rows, held_out: list[tuple[str, str]]
) -> None:
    rows = [(t, i) for t, i, _ in shop_rows]
    clf = _fit(embedder, rows, holdout_from=10)  # as if the shop were large
    assert 0.5 <= clf.info["oof_accuracy"] <= 1.0
    assert math.isfinite(clf.threshold)
    assert [p.label for p in clf.predict_many([t for t, _ in held_out])] == [i for _, i in held_out]
