from __future__ import annotations

from collections.abc import Callable

import pytest

from samtale.bot.classifier import IntentClassifier
from samtale.bot.embeddings import Embedder
from samtale.bot.evaluation import CrossValidationReport, cross_validate, evaluate

Rows = list[tuple[str, str, str]]


@pytest.fixture(scope="module")
def factory(embedder: Embedder) -> Callable[[], IntentClassifier]:
    return lambda: IntentClassifier(embedder)


def _between(value: float) -> bool:
    return 0.0 <= value <= 1.0


def test_evaluate_counts_unseen_labels_as_errors(
    factory, shop_rows: Rows, held_out: list[tuple[str, str]]
) -> None:
    train = [(t, i) for t, i, _ in shop_rows]
    test = [*held_out, ("Har I gavekort?", "gift_cards")]  # an intent the model never learnt
    result = evaluate(train, test, classifier=factory)

    assert result["accuracy"] == pytest.approx(len(held_out) / len(test))
    assert result["macro_f1"] < 1.0  # gift_cards has F1 0
    assert result["test_rows"] == len(test) and result["train_rows"] == len(train)
    assert 0 < result["p50_ms"] <= result["p99_ms"]
    assert result["train_seconds"] > 0
    assert result["threshold_from"] == "training"
    assert _between(result["rejected"])
    assert "in_scope_accuracy" not in result


def test_evaluate_with_out_of_scope_label(
    factory, shop_rows: Rows, held_out: list[tuple[str, str]], unrelated: list[str]
) -> None:
    oos_train = [("What's the weather tomorrow?", "oos"), ("Tell me a joke", "oos")]
    train = [(t, i) for t, i, _ in shop_rows] + oos_train
    test = held_out + [(text, "oos") for text in unrelated]

    result = evaluate(train, test, oos_label="oos", classifier=factory)
    assert result["oos_training_rows"] == 0  # in-scope rows only, by default
    assert result["in_scope_accuracy"] == 1.0
    assert result["oos_recall"] == 1.0
    assert result["accuracy"] == 1.0
    for key in ("accuracy", "macro_f1", "in_scope_accuracy", "oos_recall"):
        assert _between(result[key])

    validation = [
        ("hvor bliver min pakke af", "track_order"),
        ("kan jeg betale med kort", "payment_methods"),
        ("hvornår lukker butikken", "opening_hours"),
        ("Who won the world cup?", "oos"),
    ]
    chosen = evaluate(
        train,
        test,
        oos_label="oos",
        validation_rows=validation,
        classifier=factory,
        use_oos_rows=True,
    )
    assert chosen["threshold_from"] == "validation"
    assert chosen["oos_training_rows"] == len(oos_train)


def test_evaluate_single_example_classes(factory) -> None:
    train = [
        ("Hvor er min pakke?", "track"),
        ("Spor min pakke", "track"),
        ("Kan jeg betale med kort?", "pay"),
        ("Jeg vil tale med et menneske", "human"),
    ]
    test = [("hvor er pakken min", "track"), ("kan jeg tale med et menneske", "human")]
    result = evaluate(train, test, classifier=factory)
    assert _between(result["accuracy"]) and _between(result["macro_f1"])


def test_evaluate_needs_rows(factory) -> None:
    with pytest.raises(ValueError, match="training"):
        evaluate([], [("a", "b")], classifier=factory)
    with pytest.raises(ValueError, match="test"):
        evaluate([("a", "b")], [], classifier=factory)


def test_cross_validate_per_language(factory, shop_rows: Rows) -> None:
    report = cross_validate(shop_rows, folds=3, classifier=factory)
    assert isinstance(report, CrossValidationReport)
    assert report.folds == 3
    assert report.overall.rows == len(shop_rows)
    assert set(report.languages) == {"da", "sv", "nb", "fi", "en"}
    assert sum(s.rows for s in report.languages.values()) == len(shop_rows)
    assert set(report.intents) == {i for _, i, _ in shop_rows}
    assert report.overall.accuracy >= 0.8
    assert report.top1_accuracy >= report.overall.accuracy
    for scores in [report.overall, *report.languages.values()]:
        assert _between(scores.accuracy) and _between(scores.macro_f1)
    for c in report.confused:
        assert c.expected != c.predicted and c.count > 0
    assert [c.count for c in report.confused] == sorted(
        (c.count for c in report.confused), reverse=True
    )
    table = report.table()
    assert "macro-F1" in table and "\nda " in table
    assert report.to_dict()["overall"]["rows"] == len(shop_rows)


def test_cross_validate_confused_pairs_and_thin_intents(factory) -> None:
    rows = [
        ("Hvor er min pakke?", "track_order", "da"),
        ("Hvornår kommer min pakke?", "track_order", "da"),
        ("Spor min pakke", "track_order", "da"),
        ("Hvornår kommer pakken?", "delivery_time", "da"),  # nearly the same thing
        ("Hvor lang tid tager levering?", "delivery_time", "da"),
        ("Hvad koster levering?", "delivery_time", "da"),
        ("Jeg vil tale med et menneske", "human", "da"),
    ]
    report = cross_validate(rows, folds=3, by_language=False, classifier=factory)
    assert report.languages == {}
    assert report.notes and "human" in report.notes[0]
    assert report.intents["human"].recall == 0.0  # never in training when held out
