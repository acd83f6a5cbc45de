"""How well does the intent classifier do? Train/test evaluation and cross-validation.

`evaluate` trains on one set of rows and measures another, the way public benchmarks are
reported (Banking77, CLINC150). Every test message is predicted on its own, as in a chat, so
the latencies are those a customer would see. Out of scope, when the data has an out-of-scope
label: by default the classifier learns from in-scope rows only (a shop's content has no
out-of-scope examples) and its threshold comes from the training data by cross-validation, or
from `validation_rows` when they are given; `use_oos_rows=True` also learns the out-of-scope
training rows as a class that is never answered.

`cross_validate` measures a tenant's own content: folds stratified by intent (and language),
accuracy and macro-F1 per language, F1 per intent and the pairs of intents most often confused,
which is what a shop admin needs to improve the examples.

Rates are fractions between 0 and 1; latencies are in milliseconds.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from samtale.bot.classifier import IntentClassifier, Prediction, stratified_folds

Row = tuple[str, str]
"""(text, label)"""
LanguageRow = tuple[str, str, str]
"""(text, intent, language)"""
ClassifierFactory = Callable[[], IntentClassifier]

_NONE = "\x00out-of-scope"  # the label of a rejected prediction when there is no oos label


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else 0.0


def _macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    if not truth:
        return 0.0
    return float(f1_score(truth, predicted, average="macro", zero_division=0))


def evaluate(
    train_rows: Sequence[Row],
    test_rows: Sequence[Row],
    oos_label: str | None = None,
    validation_rows: Sequence[Row] | None = None,
    *,
    classifier: ClassifierFactory | None = None,
    use_oos_rows: bool = False,
) -> dict[str, Any]:
    """Train on `train_rows`, predict each of `test_rows` alone, and measure.

    Keys: `accuracy`, `macro_f1`, `p50_ms`, `p99_ms`, `train_seconds`, `train_rows`,
    `test_rows`, `threshold`, `threshold_from` ("fixed", "training" or "validation"); with an
    `oos_label` also `in_scope_accuracy`, `oos_recall` and `oos_training_rows` (how many
    out-of-scope rows were learnt: 0 unless `use_oos_rows`).

    Without an `oos_label` every test row is in scope and `accuracy` is that of the best intent
    (the threshold is not applied; `rejected` says what share it would have rejected). With one,
    a rejected message counts as predicting `oos_label`. Test labels never seen in training are
    errors. `classifier` builds the (unfitted) classifier; the default is `IntentClassifier()`.
    """
    if not train_rows:
        raise ValueError("no training rows")
    if not test_rows:
        raise ValueError("no test rows")
    clf = classifier() if classifier is not None else IntentClassifier()
    fixed = clf.fixed_threshold
    train = [
        (text, label)
        for text, label in train_rows
        if use_oos_rows or oos_label is None or label != oos_label
    ]
    if not train:
        raise ValueError("no in-scope training rows")
    oos_used = sum(label == oos_label for _, label in train) if oos_label is not None else 0

    started = time.perf_counter()
    clf.fit(
        [t for t, _ in train],
        [label for _, label in train],
        oos_label=oos_label if use_oos_rows else None,
    )
    train_seconds = time.perf_counter() - started

    threshold_from = "fixed" if fixed is not None else "training"
    if validation_rows and fixed is None:
        clf.calibrate_threshold(
            [t for t, _ in validation_rows], [label for _, label in validation_rows]
        )
        threshold_from = "validation"

    predictions: list[Prediction] = []
    latencies: list[float] = []
    for text, _ in test_rows:
        t0 = time.perf_counter()
        predictions.append(clf.predict(text))
        latencies.append((time.perf_counter() - t0) * 1000.0)

    truth = [label for _, label in test_rows]
    result: dict[str, Any] = {}
    if oos_label is None:
        predicted = [p.best or _NONE for p in predictions]
        result["accuracy"] = float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))
        result["macro_f1"] = _macro_f1(truth, predicted)
        result["rejected"] = float(np.mean([p.label is None for p in predictions]))
    else:
        predicted = [p.label if p.label is not None else oos_label for p in predictions]
        hits = [p == t for p, t in zip(predicted, truth, strict=True)]
        in_scope = [h for h, t in zip(hits, truth, strict=True) if t != oos_label]
        oos = [h for h, t in zip(hits, truth, strict=True) if t == oos_label]
        result["accuracy"] = float(np.mean(hits))
        result["macro_f1"] = _macro_f1(truth, predicted)
        result["in_scope_accuracy"] = float(np.mean(in_scope)) if in_scope else 0.0
        result["oos_recall"] = float(np.mean(oos)) if oos else 0.0
        result["oos_training_rows"] = oos_used
    result.update(
        p50_ms=_percentile(latencies, 50),
        p99_ms=_percentile(latencies, 99),
        train_seconds=train_seconds,
        train_rows=len(train),
        test_rows=len(test_rows),
        threshold=clf.threshold,
        threshold_from=threshold_from,
    )
    return result


# --------------------------------------------------------------------- cross-validation


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float
    rows: int


@dataclass(frozen=True)
class IntentScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Confusion:
    expected: str
    predicted: str
    count: int


@dataclass(frozen=True)
class CrossValidationReport:
    """`accuracy` counts a rejected (out-of-scope) answer as wrong; `top1_accuracy` does not
    apply the threshold; `rejected` is the share of in-scope rows the threshold rejected."""

    folds: int
    overall: Scores
    top1_accuracy: float
    rejected: float
    languages: dict[str, Scores]
    intents: dict[str, IntentScores]
    confused: list[Confusion]
    seconds: float
    notes: list[str] = field(default_factory=list)
    # Scores of named subsets of the rows (e.g. "reviewed": examples that came from customers'
    # questions), each row still predicted by a model that did not see it.
    subsets: dict[str, Scores] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self, *, intents: int = 15, confused: int = 10) -> str:
        """A plain-text summary: overall, per language, weakest intents, confused pairs."""
        lines = [
            f"{self.folds}-fold cross-validation, {self.overall.rows} examples, "
            f"{len(self.intents)} intents ({self.seconds:.1f} s)",
            "",
            f"{'':12} {'accuracy':>9} {'macro-F1':>9} {'examples':>9}",
            f"{'all':12} {self.overall.accuracy:9.1%} {self.overall.macro_f1:9.1%} "
            f"{self.overall.rows:9d}",
        ]
        for lang, s in sorted(self.languages.items()):
            lines.append(f"{lang:12} {s.accuracy:9.1%} {s.macro_f1:9.1%} {s.rows:9d}")
        lines.append(
            f"best intent without the threshold: {self.top1_accuracy:.1%}; "
            f"rejected as out of scope: {self.rejected:.1%}"
        )
        weakest = sorted(self.intents.items(), key=lambda kv: (kv[1].f1, kv[0]))[:intents]
        if weakest:
            lines += ["", f"{'weakest intents':32} {'F1':>6} {'prec.':>6} {'recall':>6} {'n':>4}"]
            lines += [
                f"{name[:32]:32} {s.f1:6.1%} {s.precision:6.1%} {s.recall:6.1%} {s.support:4d}"
                for name, s in weakest
            ]
        if self.confused[:confused]:
            lines += ["", "most confused (expected → predicted: times)"]
            lines += [
                f"  {c.expected} → {c.predicted}: {c.count}" for c in self.confused[:confused]
            ]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def cross_validate(
    rows: Sequence[LanguageRow],
    folds: int = 5,
    by_language: bool = True,
    *,
    classifier: ClassifierFactory | None = None,
    seed: int = 0,
    subsets: Mapping[str, Collection[int]] | None = None,
) -> CrossValidationReport:
    """K-fold cross-validation of (text, intent, language) rows.

    Folds are stratified by intent (by intent and language with `by_language`, which also
    reports accuracy and macro-F1 per language). Every row is predicted once, by a model that
    did not see it. An intent with fewer rows than folds is missing from some training folds:
    those rows count as errors, as they would for a customer. `subsets` names groups of row
    indexes that are scored on their own as well.
    """
    if len(rows) < 2:
        raise ValueError("cross-validation needs at least two rows")
    started = time.perf_counter()
    folds = max(2, min(folds, len(rows)))
    keys = [f"{intent}\x00{lang}" if by_language else intent for _, intent, lang in rows]
    fold_ids = stratified_folds(keys, folds, seed)
    predictions: list[Prediction | None] = [None] * len(rows)
    notes: list[str] = []
    counts = Counter(intent for _, intent, _ in rows)
    few = sorted(name for name, n in counts.items() if n < folds)
    if few:
        notes.append(f"{len(few)} intents have fewer examples than folds: {', '.join(few[:10])}")
    for f in range(folds):
        train = [r for r, k in zip(rows, fold_ids, strict=True) if k != f]
        held = [i for i, k in enumerate(fold_ids) if k == f]
        if not held or not train:
            continue
        clf = classifier() if classifier is not None else IntentClassifier()
        clf.fit([t for t, _, _ in train], [intent for _, intent, _ in train])
        for i, p in zip(held, clf.predict_many([rows[i][0] for i in held]), strict=True):
            predictions[i] = p

    truth = [intent for _, intent, _ in rows]
    answered = [p.label if p and p.label is not None else _NONE for p in predictions]
    best = [p.best if p and p.best else _NONE for p in predictions]

    def scores(idx: list[int]) -> Scores:
        t = [truth[i] for i in idx]
        a = [answered[i] for i in idx]
        acc = float(np.mean([x == y for x, y in zip(t, a, strict=True)])) if idx else 0.0
        return Scores(accuracy=acc, macro_f1=_macro_f1(t, a), rows=len(idx))

    everything = list(range(len(rows)))
    languages: dict[str, Scores] = {}
    if by_language:
        for lang in sorted({lang for _, _, lang in rows}):
            languages[lang] = scores([i for i, r in enumerate(rows) if r[2] == lang])
    names = sorted(counts)
    p, r, f1, support = precision_recall_fscore_support(
        truth, answered, labels=names, zero_division=0
    )
    intents = {
        name: IntentScores(float(p[i]), float(r[i]), float(f1[i]), int(support[i]))
        for i, name in enumerate(names)
    }
    pairs = Counter((t, b) for t, b in zip(truth, best, strict=True) if t != b and b != _NONE)
    confused = [
        Confusion(t, b, n) for (t, b), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    named = {
        name: scores(sorted(i for i in set(idx) if 0 <= i < len(rows)))
        for name, idx in (subsets or {}).items()
    }
    return CrossValidationReport(
        subsets=named,
        folds=folds,
        overall=scores(everything),
        top1_accuracy=float(np.mean([t == b for t, b in zip(truth, best, strict=True)])),
        rejected=float(np.mean([a == _NONE for a in answered])),
        languages=languages,
        intents=intents,
        confused=confused,
        seconds=time.perf_counter() - started,
        notes=notes,
    )


# --------------------------------------------------------------------- held-out questions


@dataclass(frozen=True)
class HeldOutReport:
    """A model trained on all of the content, measured on questions it never saw.

    `overall.accuracy` and each language's count a rejected (out-of-scope) answer as wrong, as a
    customer would; `top1_accuracy` does not apply the threshold. `errors` lists the misses as
    (text, expected, answered or None)."""

    overall: Scores
    top1_accuracy: float
    languages: dict[str, Scores]
    errors: list[tuple[str, str, str | None]]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self, *, errors: int = 15) -> str:
        lines = [
            f"held-out questions: {self.overall.rows} ({self.seconds:.1f} s)",
            "",
            f"{'':12} {'accuracy':>9} {'macro-F1':>9} {'questions':>9}",
            f"{'all':12} {self.overall.accuracy:9.1%} {self.overall.macro_f1:9.1%} "
            f"{self.overall.rows:9d}",
        ]
        for lang, s in sorted(self.languages.items()):
            lines.append(f"{lang:12} {s.accuracy:9.1%} {s.macro_f1:9.1%} {s.rows:9d}")
        lines.append(f"best intent without the threshold: {self.top1_accuracy:.1%}")
        if self.errors[:errors]:
            lines += ["", "missed (expected → answered)"]
            lines += [
                f"  {text[:60]!r}: {expected} → {answered or 'out of scope'}"
                for text, expected, answered in self.errors[:errors]
            ]
        return "\n".join(lines)


def held_out(
    train_rows: Sequence[LanguageRow],
    test_rows: Sequence[LanguageRow],
    *,
    classifier: ClassifierFactory | None = None,
) -> HeldOutReport:
    """Train on every row of `train_rows` and predict each of `test_rows` (text, intent,
    language); an intent the training rows lack is an error."""
    if not train_rows:
        raise ValueError("no training rows")
    if not test_rows:
        raise ValueError("no test rows")
    started = time.perf_counter()
    clf = classifier() if classifier is not None else IntentClassifier()
    clf.fit([t for t, _, _ in train_rows], [intent for _, intent, _ in train_rows])
    predictions = clf.predict_many([t for t, _, _ in test_rows])
    truth = [intent for _, intent, _ in test_rows]
    answered = [p.label if p.label is not None else _NONE for p in predictions]
    best = [p.best or _NONE for p in predictions]

    def scores(idx: list[int]) -> Scores:
        t = [truth[i] for i in idx]
        a = [answered[i] for i in idx]
        acc = float(np.mean([x == y for x, y in zip(t, a, strict=True)])) if idx else 0.0
        return Scores(accuracy=acc, macro_f1=_macro_f1(t, a), rows=len(idx))

    languages = {
        lang: scores([i for i, r in enumerate(test_rows) if r[2] == lang])
        for lang in sorted({lang for _, _, lang in test_rows})
    }
    return HeldOutReport(
        overall=scores(list(range(len(test_rows)))),
        top1_accuracy=float(np.mean([t == b for t, b in zip(truth, best, strict=True)])),
        languages=languages,
        errors=[
            (text, intent, None if a == _NONE else a)
            for (text, intent, _), a in zip(test_rows, answered, strict=True)
            if a != intent
        ],
        seconds=time.perf_counter() - started,
    )
