"""The bot's intent classifier: what does the customer want, or is it none of our intents?

One linear model reads three views of a message side by side:

- character n-grams (2–5, within words) of the *folded* text — lowercased, NFKC, repeated
  letters collapsed, accents stripped (``å`` → ``a``, ``ø`` → ``o``, ``æ`` → ``ae``) — so typos,
  missing diacritics and inflections still match;
- word uni- and bigrams of the lowercased text (diacritics kept);
- the multilingual sentence embedding (multilingual-e5-small, see `embeddings.py`), centred on
  the training mean and weighted, which carries meaning across paraphrases and languages.

A `LinearSVC` (one-vs-rest) is trained on the concatenation. Its decision values become
probabilities through a softmax, mixed with a vote of the most similar training examples in
embedding space (what a linear model cannot draw). The softmax temperature is fitted on
out-of-fold predictions (cross-validation on the training data), so `confidence` is calibrated.

The fast path and the cascade. The same classifier also trains a second linear model whose
dense view is a table of static word vectors distilled from e5 (`static.py`, the Model2Vec
method) instead of the sentence embedding: it answers in well under a millisecond. Predicting
in the cascade (`mode="cascade"`, the default), the fast path answers what it is sure of and e5
the rest: a message goes to e5 when the fast path's confidence or in-scope score is low (the
cut-offs chosen out of fold so that the cascade is as accurate as e5 alone) or when it has
words no training example had. `Prediction.path` says which model answered, `counts` how many
went each way. `mode="fast"` trains the fast path alone, in seconds (the registry answers with
it while the cascade trains).

Out of scope. A shop's content has no examples of what is *not* an intent, so rejection is
learnt from in-scope examples alone. The in-scope score of a message is the mean cosine
similarity of its nearest training examples (a message far from everything we were taught is
suspicious even when one intent wins) plus a twentieth of the log-odds of its confidence. The
threshold is the score below which only `rejection_rate` (1 %) of the correctly classified
out-of-fold training examples fall: "reject at most 1 % of what we would have answered
correctly". It can be recomputed on validation rows (`calibrate_threshold`) or set by hand.
Examples of out-of-scope messages, when there are some, can be learnt as a class that is
never answered (`fit(..., oos_label=...)`).

Persistence. `save` writes the fitted model (scikit-learn vectorizers, float32 weights, the
training embeddings for the neighbours) with joblib; `load` refuses files of another format
version, another embedding model or another scikit-learn version, so a stale file is retrained,
never misread. Only load files you wrote: joblib files are pickles.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
import warnings
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from samtale.bot.embeddings import Embedder, default_embedder
from samtale.bot.static import StaticEmbeddings

FORMAT_VERSION = 2
_ABSENT = -10.0  # decision value of a class a cross-validation fold never saw

_REPEATS = re.compile(r"(.)\1{2,}")
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "œ": "oe", "đ": "d", "ł": "l", "ı": "i"})


def normalize_text(text: str) -> str:
    """Lowercase, NFKC, single spaces, runs of three or more equal characters cut to two."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_REPEATS.sub(r"\1\1", text).split())


def fold_text(text: str) -> str:
    """`normalize_text` without diacritics: "hvor ér min påkke" → "hvor er min pakke"."""
    text = normalize_text(text).translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Prediction:
    """`label` is the intent, or None when the message is out of scope.

    `confidence` is the calibrated probability of the best intent, `ranking` the best intents
    with their probabilities (best first, also when out of scope: suggestions for a fallback),
    and `score` the in-scope score that was compared with the classifier's threshold.
    """

    label: str | None
    confidence: float
    ranking: list[tuple[str, float]]
    score: float
    threshold: float = -math.inf  # the threshold `score` was compared with
    path: str = "e5"  # which model answered: "fast" (no transformer) or "e5"
    # The message's sentence embedding (by `embedding_identity`), when the model that answered
    # embedded it: other features of the same turn reuse it instead of embedding again.
    vector: np.ndarray | None = None
    embedding_identity: str | None = None

    @property
    def best(self) -> str | None:
        """The most likely intent even when the message was judged out of scope."""
        return self.ranking[0][0] if self.ranking else None


class IncompatibleModelError(ValueError):
    """A saved model of another format, embedding model or scikit-learn version."""


@dataclass
class _Fitted:
    classes: list[str]
    char: TfidfVectorizer | None
    word: TfidfVectorizer | None
    weights_t: np.ndarray  # (n_sparse_features + dim, n_classes) float32, C-contiguous
    bias: np.ndarray  # (n_classes,) float32
    temperature: float
    n_sparse: int
    mean: np.ndarray | None = None  # training embedding mean (dim,)
    bank: np.ndarray | None = None  # centred, normalised in-scope training embeddings (n, dim)
    bank_labels: np.ndarray | None = None  # class index of each bank row
    reject: int | None = None  # index of the class of out-of-scope examples, if trained
    info: dict[str, Any] = field(default_factory=dict)
    static: StaticEmbeddings | None = None  # the fast path's word table (its dense view)
    threshold: float = -math.inf  # the fast path's own threshold (the e5 model's is on the clf)


@dataclass(frozen=True, slots=True)
class _Scores:
    probabilities: np.ndarray  # (n, n_classes)
    neighbours: np.ndarray  # (n,) mean cosine of the nearest training examples, 0 without
    scores: np.ndarray  # (n,) in-scope score
    unknown: np.ndarray | None = None  # (n,) words the fast path's table lacks
    vectors: np.ndarray | None = None  # (n, dim) the raw e5 sentence embeddings, when used


@dataclass(frozen=True, slots=True)
class _Features:
    char: TfidfVectorizer | None
    word: TfidfVectorizer | None
    x: sp.csr_matrix  # every view side by side, one row per training example
    n_sparse: int
    mean: np.ndarray | None
    vectors: np.ndarray | None  # centred, normalised embeddings of every training example
    embedding_seconds: float
    static: StaticEmbeddings | None = None


@dataclass(frozen=True, slots=True)
class _SparseViews:
    """The TF-IDF views of the training texts, fitted once and shared by both models."""

    char: TfidfVectorizer | None
    word: TfidfVectorizer | None
    blocks: list[sp.csr_matrix]

    @classmethod
    def fit(cls, texts: list[str]) -> _SparseViews:
        folded = [fold_text(t) for t in texts]
        normed = [normalize_text(t) for t in texts]
        char = _fit_vectorizer(
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(2, 5),
                sublinear_tf=True,
                min_df=2 if len(texts) >= 2000 else 1,
                dtype=np.float32,
            ),
            folded,
        )
        word = _fit_vectorizer(
            TfidfVectorizer(
                analyzer="word",
                ngram_range=(1, 2),
                sublinear_tf=True,
                token_pattern=r"(?u)\b\w+\b",
                dtype=np.float32,
            ),
            normed,
        )
        blocks = [v.transform(d) for v, d in ((char, folded), (word, normed)) if v is not None]
        return cls(char, word, blocks)


@dataclass(frozen=True, slots=True)
class _OutOfFold:
    """One model's answers to the training rows its folds did not learn from."""

    probabilities: np.ndarray
    scores: np.ndarray
    held: np.ndarray  # rows held out by a fold that knew their intent
    threshold: float

    def answers(self, reject: int | None) -> np.ndarray:
        """The class answered per row, −1 where the row is rejected (out of scope)."""
        best = self.probabilities.argmax(axis=1)
        accepted = np.isfinite(self.scores) & (self.scores >= self.threshold)
        if reject is not None:
            accepted &= best != reject
        return np.where(accepted, best, -1)


MODES = ("cascade", "fast", "e5")


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")


class IntentClassifier:
    """Hybrid TF-IDF + sentence-embedding intent classifier with out-of-scope rejection.

    `threshold` fixes the rejection threshold (compared with `Prediction.score`); by default it
    is chosen from the training data so that `rejection_rate` of the correctly classified
    out-of-fold examples would be rejected. `use_embeddings=False` gives a TF-IDF-only model.

    Two models are trained on the same views but for the dense one (`mode="cascade"`, the
    default): the fast path reads distilled static word vectors (`static.py`) beside the TF-IDF
    views and answers in well under a millisecond; the e5 model reads the sentence embedding
    and costs 8–60 ms. A message goes to e5 only when the fast path is unsure (see
    `_fit_route`); `counts` tallies where messages went. `mode="fast"` trains (and answers
    with) the fast path alone, in seconds; `mode="e5"` the e5 model alone.

    The probabilities mix the linear model's calibrated softmax with a vote of the
    `vote_neighbours` most similar training examples (`vote_weight` of it): the vote adds what a
    linear model cannot draw, and costs nothing, since the neighbours are needed for the
    out-of-scope score anyway.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        threshold: float | None = None,
        rejection_rate: float = 0.01,
        use_embeddings: bool = True,
        c: float = 0.5,
        embedding_weight: float = 2.0,
        neighbours: int = 5,
        odds_weight: float = 0.05,
        vote_neighbours: int = 10,
        vote_weight: float = 0.3,
        vote_sharpness: float = 10.0,
        folds: int = 5,
        holdout_from: int = 5000,
        top_k: int = 5,
        workers: int = 2,
        seed: int = 0,
        mode: str = "cascade",
        static_dim: int = 256,
        static_weight: float = 1.0,
        route_rate: float = 0.05,
        route_tolerance: float = 0.0,
        route_unknown: int | None = 0,
        route: tuple[float, float] | None = None,
    ) -> None:
        _check_mode(mode)
        if not 0.0 <= rejection_rate < 1.0:
            raise ValueError("rejection_rate must be in [0, 1)")
        if not 0.0 <= vote_weight <= 1.0:
            raise ValueError("vote_weight must be in [0, 1]")
        self._embedder = embedder
        self.fixed_threshold = threshold
        self._threshold: float = threshold if threshold is not None else -math.inf
        self.rejection_rate = rejection_rate
        self.use_embeddings = use_embeddings
        self.c = c
        self.embedding_weight = embedding_weight
        self.neighbours = neighbours
        self.odds_weight = odds_weight
        self.vote_neighbours = vote_neighbours
        self.vote_weight = vote_weight
        self.vote_sharpness = vote_sharpness
        self.folds = folds
        self.holdout_from = holdout_from
        self.top_k = top_k
        self.workers = workers
        self.seed = seed
        self.mode = mode
        self.static_dim = static_dim
        self.static_weight = static_weight
        self.route_rate = route_rate
        self.route_tolerance = route_tolerance
        self.route_unknown = route_unknown
        self.fixed_route = route
        # The cascade's rule: e5 when the fast path's confidence or in-scope score is below.
        self.route_confidence, self.route_score = route if route is not None else (1.0, math.inf)
        self._route_fraction: float | None = None
        self._route_accuracy: float | None = None
        self._route_baseline: float | None = None
        self.counts = {"fast": 0, "e5": 0}  # predictions answered by each model
        self._model: _Fitted | None = None  # the e5 model (or the TF-IDF-only one)
        self._fast: _Fitted | None = None  # the fast path

    # ----------------------------------------------------------------- properties

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    @property
    def classes(self) -> list[str]:
        """The intents the classifier can answer with."""
        m = self._fitted
        return [c for i, c in enumerate(m.classes) if i != m.reject]

    @property
    def info(self) -> dict[str, Any]:
        """Facts about the last training: rows, classes, seconds, out-of-fold accuracy."""
        return dict(self._fitted.info)

    @property
    def threshold(self) -> float:
        """The rejection threshold of the e5 model (of the fast path, without one)."""
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        """Set by hand: every model of the classifier rejects below `value`."""
        self._threshold = value
        for stage in (self._fast, self._model):
            if stage is not None:
                stage.threshold = value

    @property
    def is_fitted(self) -> bool:
        return self._model is not None or self._fast is not None

    @property
    def has_fast_path(self) -> bool:
        return self._fast is not None

    @property
    def has_e5(self) -> bool:
        return self._model is not None and self._model.bank is not None

    @property
    def e5_fraction(self) -> float | None:
        """The share of predictions so far that went to e5 (None before any)."""
        total = self.counts["fast"] + self.counts["e5"]
        return self.counts["e5"] / total if total else None

    @property
    def _fitted(self) -> _Fitted:
        m = self._model if self._model is not None else self._fast
        if m is None:
            raise RuntimeError("the classifier is not trained: call fit() or load()")
        return m

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence embeddings of arbitrary texts (not cached), for reuse by other features."""
        return self.embedder.embed(texts)

    # ----------------------------------------------------------------- training

    def fit(
        self, texts: Sequence[str], labels: Sequence[str], *, oos_label: str | None = None
    ) -> IntentClassifier:
        """Train on examples of intents: the fast path, the e5 model, or both (`mode`).

        Rows labelled `oos_label` (examples of what is *not* an intent, when there are any) are
        learnt as one more class that is never answered: a message it wins is out of scope.
        """
        started = time.perf_counter()
        texts, labels = list(texts), [str(label) for label in labels]
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        if not texts:
            raise ValueError("no training examples")
        classes = sorted(set(labels))
        if oos_label is not None and classes == [oos_label]:
            raise ValueError("no in-scope training examples")
        y = np.searchsorted(np.array(classes), np.array(labels))
        reject = classes.index(oos_label) if oos_label in classes else None
        in_scope = np.ones(len(y), dtype=bool) if reject is None else y != reject

        # The cross-validation folds (for calibration, thresholds and the cascade's rule), the
        # same for both models. With many examples one held-out fold is enough (and saves
        # minutes on a large data set).
        fold_ids = stratified_folds(y.tolist(), self.folds, self.seed)
        folds = [np.flatnonzero(fold_ids != f) for f in np.unique(fold_ids)]
        if len(texts) >= self.holdout_from and len(folds) > 1:
            folds = folds[:1]
        n_rows = len(texts)
        jobs = [*folds, np.arange(n_rows)] if len(np.unique(fold_ids)) > 1 else [np.arange(n_rows)]
        sparse = _SparseViews.fit(texts)

        self._model = self._fast = None
        oof: dict[str, _OutOfFold] = {}
        if self.use_embeddings and self.mode in ("fast", "cascade"):
            self._fast, oof["fast"] = self._fit_stage(
                texts, y, classes, reject, in_scope, jobs, sparse, "static"
            )
        if not self.use_embeddings or self.mode in ("e5", "cascade"):
            dense = "e5" if self.use_embeddings else None
            self._model, oof["e5"] = self._fit_stage(
                texts, y, classes, reject, in_scope, jobs, sparse, dense
            )
            self._threshold = self._model.threshold
        else:
            self._threshold = self._fitted.threshold
        if self._fast is not None and self._model is not None:
            self._fit_route(oof["fast"], oof["e5"], y, reject)
        info = self._fitted.info
        info["seconds"] = round(time.perf_counter() - started, 3)
        for name, stage in (("fast", self._fast), ("e5", self._model)):
            if stage is not None and self._fast is not None:
                info[f"{name}_oof_accuracy"] = stage.info.get("oof_accuracy")
        if self._fast is not None and self._model is not None:
            info["route_confidence"] = self.route_confidence
            info["route_score"] = self.route_score
            info["e5_fraction_oof"] = self._route_fraction
            info["oof_accuracy"] = self._route_accuracy  # answers, rejections included
            info["e5_alone_oof_accuracy"] = self._route_baseline
        return self

    def _fit_stage(
        self,
        texts: list[str],
        y: np.ndarray,
        classes: list[str],
        reject: int | None,
        in_scope: np.ndarray,
        jobs: list[np.ndarray],
        sparse: _SparseViews,
        dense: str | None,
    ) -> tuple[_Fitted, _OutOfFold]:
        """One linear model per fold and one on everything (liblinear releases the GIL, so
        they train side by side), calibrated on what the folds say of the rows they did not
        see; the fitted model and those out-of-fold answers."""
        started = time.perf_counter()
        features = self._features(texts, in_scope, sparse, dense)
        x, vectors = features.x, features.vectors
        k = len(classes)
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            fits = list(pool.map(lambda rows: self._fit_linear(x, y, rows, k), jobs))
        weights_t, bias = fits[-1]
        model = _Fitted(
            classes=classes,
            char=features.char,
            word=features.word,
            weights_t=weights_t,
            bias=bias,
            temperature=1.0,
            n_sparse=features.n_sparse,
            mean=features.mean,
            bank=vectors[in_scope] if vectors is not None else None,
            bank_labels=y[in_scope].astype(np.int32) if vectors is not None else None,
            reject=reject,
            static=features.static,
        )
        decision, votes, near, seen, held = self._out_of_fold(features, y, k, in_scope, jobs, fits)
        vote_weight = self.vote_weight if vectors is not None else 0.0
        if seen.any() and k > 1:
            model.temperature = _fit_temperature(decision[seen], y[seen], votes[seen], vote_weight)
        probabilities = _mix(_softmax(decision * model.temperature), votes, vote_weight)
        scores = self._combine(model, probabilities, near)
        correct = (probabilities.argmax(axis=1) == y) & seen & in_scope
        if self.fixed_threshold is None:
            model.threshold = _threshold_for(scores[correct], self.rejection_rate)
        else:
            model.threshold = self.fixed_threshold
        model.info = {
            "rows": len(texts),
            "classes": len(classes) - (reject is not None),
            "features": int(x.shape[1]),
            "embedding_seconds": round(features.embedding_seconds, 3),
            "seconds": round(time.perf_counter() - started, 3),
            "oof_accuracy": float(correct[held & in_scope].mean()) if len(jobs) > 1 else None,
            "temperature": model.temperature,
        }
        if features.static is not None:
            model.info["static_words"] = len(features.static)
        return model, _OutOfFold(probabilities, scores, held & seen, model.threshold)

    def _fit_route(
        self, fast: _OutOfFold, e5: _OutOfFold, y: np.ndarray, reject: int | None
    ) -> None:
        """The cascade's rule, from the out-of-fold answers of both models.

        A message goes to e5 when the fast path's in-scope score is below the score of its
        `route_rate` least sure correct answers (so whatever it would reject, and what is near
        its threshold), or when its confidence is below `route_confidence`: the smallest
        confidence at which the cascade is, out of fold, as accurate as e5 alone (less
        `route_tolerance`). At prediction it also goes to e5 when it has more than
        `route_unknown` words the training texts never had (see `predict_many`)."""
        rows = fast.held & e5.held
        if self.fixed_route is not None:
            self.route_confidence, self.route_score = self.fixed_route
        if not rows.any():  # too few examples for folds: e5 decides whatever is not clear-cut
            if self.fixed_route is None:
                self.route_confidence, self.route_score = 0.9, fast.threshold
            self._route_fraction = self._route_accuracy = self._route_baseline = None
            return
        truth = np.where(y == reject, -1, y) if reject is not None else y
        fast_ok = fast.answers(reject) == truth
        e5_ok = e5.answers(reject) == truth
        conf = fast.probabilities.max(axis=1)
        if self.fixed_route is None:
            sure = fast_ok & rows & np.isfinite(fast.scores)
            floor = (
                float(np.quantile(fast.scores[sure], self.route_rate)) if sure.any() else math.inf
            )
            self.route_score = max(floor, fast.threshold)
            above = fast.scores >= self.route_score
            target = float(e5_ok[rows].mean()) - self.route_tolerance
            self.route_confidence = 1.0
            for cut in np.unique(np.round(conf[rows], 3)):
                keep = above & (conf >= cut)
                if float(np.where(keep, fast_ok, e5_ok)[rows].mean()) >= target:
                    self.route_confidence = float(cut)
                    break
        keep = (fast.scores >= self.route_score) & (conf >= self.route_confidence)
        self._route_baseline = float(e5_ok[rows].mean())
        self._route_fraction = float((~keep)[rows].mean())
        self._route_accuracy = float(np.where(keep, fast_ok, e5_ok)[rows].mean())

    def _out_of_fold(
        self,
        features: _Features,
        y: np.ndarray,
        k: int,
        in_scope: np.ndarray,
        jobs: list[np.ndarray],
        fits: list[tuple[np.ndarray, np.ndarray]],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What the fold models say about the examples they did not learn from, as the final
        model will about customers' messages: decision values, neighbour votes and similarity,
        which rows had their intent in the fold's training (`seen`), which were held out."""
        x, vectors = features.x, features.vectors
        n = x.shape[0]
        decision = np.full((n, k), _ABSENT, dtype=np.float32)
        votes = np.zeros((n, k), dtype=np.float32)
        near = np.zeros(n, dtype=np.float32)
        seen = np.zeros(n, dtype=bool)
        held_out = np.zeros(n, dtype=bool)
        for rows, (w_t, b) in zip(jobs[:-1], fits[:-1], strict=True):
            held = np.setdiff1d(np.arange(n), rows, assume_unique=True)
            held_out[held] = True
            decision[held] = x[held] @ w_t + b
            seen[held] = np.isin(y[held], np.unique(y[rows]))
            if vectors is not None:
                base = rows[in_scope[rows]]
                near[held], votes[held] = self._neighbours(vectors[held], vectors[base], y[base], k)
        if len(jobs) == 1:  # too few examples for folds: trust the training fit
            weights_t, bias = fits[-1]
            decision = x @ weights_t + bias
            seen[:] = held_out[:] = True
            if vectors is not None:
                near, votes = self._neighbours(
                    vectors, vectors[in_scope], y[in_scope], k, skip_self=True
                )
        return decision, votes, near, seen, held_out

    def _features(
        self, texts: list[str], in_scope: np.ndarray, sparse: _SparseViews, dense: str | None
    ) -> _Features:
        """The training matrix: the TF-IDF views and the dense one (`"e5"` sentence vectors,
        `"static"` distilled word vectors, or none)."""
        blocks = list(sparse.blocks)
        n_sparse = sum(b.shape[1] for b in blocks)
        mean = vectors = None
        static = None
        seconds = 0.0
        if dense is not None:
            started = time.perf_counter()
            if dense == "static":
                static = StaticEmbeddings.distil(texts, self.embedder, dim=self.static_dim)
                raw = static.embed(texts)
            else:
                raw = self.embedder.embed(texts, remember=True)
            seconds = time.perf_counter() - started
            mean = raw[in_scope].mean(axis=0).astype(np.float32)
            vectors = _centre(raw, mean)
            blocks.append(sp.csr_matrix(self._dense_weight(static) * vectors))
        x = (
            sp.hstack(blocks, format="csr", dtype=np.float32)
            if blocks
            else sp.csr_matrix((len(texts), 0), dtype=np.float32)
        )
        return _Features(sparse.char, sparse.word, x, n_sparse, mean, vectors, seconds, static)

    def _dense_weight(self, static: StaticEmbeddings | None) -> float:
        return self.static_weight if static is not None else self.embedding_weight

    def _fit_linear(
        self, x: sp.csr_matrix, y: np.ndarray, rows: np.ndarray, n_classes: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Weights (features × classes) and biases of a one-vs-rest LinearSVC on `rows`."""
        weights_t = np.zeros((x.shape[1], n_classes), dtype=np.float32)
        bias = np.full(n_classes, _ABSENT, dtype=np.float32)
        present = np.unique(y[rows])
        if len(present) == 1:
            bias[present[0]] = 0.0
            return weights_t, bias
        with warnings.catch_warnings():
            # A few of many one-vs-rest problems may stop at max_iter; the model is still good.
            warnings.simplefilter("ignore", ConvergenceWarning)
            svm = LinearSVC(C=self.c, random_state=self.seed).fit(x[rows], y[rows])
        coef, intercept = svm.coef_, svm.intercept_
        if len(present) == 2:  # binary: one hyperplane, positive side is the second class
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
        weights_t[:, present] = coef.T.astype(np.float32)
        bias[present] = intercept.astype(np.float32)
        return np.ascontiguousarray(weights_t), bias

    def _neighbours(
        self,
        queries: np.ndarray,
        bank: np.ndarray,
        bank_labels: np.ndarray,
        n_classes: int,
        *,
        skip_self: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean cosine similarity of the `neighbours` nearest bank rows, and the class vote of
        the `vote_neighbours` nearest (weights exp(sharpness · (similarity − 1)), summing to 1).
        """
        near = np.zeros(len(queries), dtype=np.float32)
        votes = np.zeros((len(queries), n_classes), dtype=np.float32)
        available = len(bank) - (1 if skip_self else 0)
        if available < 1 or not len(queries):
            return near, votes
        k_near = max(1, min(self.neighbours, available))
        k_vote = max(1, min(self.vote_neighbours, available))
        k = max(k_near, k_vote)
        for start in range(0, len(queries), 256):
            sims = queries[start : start + 256] @ bank.T
            rows = np.arange(len(sims))
            if skip_self:
                sims[rows, np.arange(start, start + len(sims))] = -np.inf
            if k < sims.shape[1]:
                idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            else:
                idx = np.tile(np.arange(sims.shape[1]), (len(sims), 1))
            top = np.take_along_axis(sims, idx, axis=1)
            order = np.argsort(-top, axis=1)
            idx, top = np.take_along_axis(idx, order, 1), np.take_along_axis(top, order, 1)
            near[start : start + len(sims)] = top[:, :k_near].mean(axis=1)
            weights = np.exp(self.vote_sharpness * (top[:, :k_vote] - 1.0))
            chunk = np.zeros((len(sims), n_classes), dtype=np.float32)
            np.add.at(chunk, (rows[:, None], bank_labels[idx[:, :k_vote]]), weights)
            votes[start : start + len(sims)] = chunk / chunk.sum(axis=1, keepdims=True)
        return near, votes

    def calibrate_threshold(
        self, texts: Sequence[str], labels: Sequence[str], rejection_rate: float | None = None
    ) -> float:
        """Choose the threshold on labelled validation rows and return it (the fast path's
        own threshold and the cascade's score floor too, when there is a fast path).

        Rows whose label is not an intent of the model (out-of-scope examples) are ignored: the
        threshold rejects `rejection_rate` of the correctly classified in-scope rows.
        """
        rate = self.rejection_rate if rejection_rate is None else rejection_rate
        intents = set(self.classes)
        known = [(t, label) for t, label in zip(texts, labels, strict=True) if label in intents]
        if not known:
            raise ValueError("no validation rows with a known intent")
        index = {c: i for i, c in enumerate(self._fitted.classes)}
        truth = np.array([index[label] for _, label in known])
        for stage in (self._fast, self._model):
            if stage is None:
                continue
            scored = self._score([t for t, _ in known], stage)
            correct = scored.probabilities.argmax(axis=1) == truth
            stage.threshold = _threshold_for(scored.scores[correct], rate)
            if stage is self._fast and self._model is not None:
                floor = _threshold_for(scored.scores[correct], self.route_rate)
                self.route_score = max(floor, stage.threshold)
        self._threshold = self._fitted.threshold
        return self._threshold

    # ----------------------------------------------------------------- prediction

    def _combine(self, m: _Fitted, probabilities: np.ndarray, near: np.ndarray) -> np.ndarray:
        """The in-scope score (−inf where the out-of-scope class wins).

        With a dense view: the neighbour similarity plus `odds_weight` times the log-odds of
        the confidence; without: the confidence.
        """
        top = probabilities.max(axis=1).astype(np.float64)
        if m.bank is None:
            score = top
        else:
            p = np.clip(top, 1e-6, 1 - 1e-6)
            score = near + self.odds_weight * np.log(p / (1 - p))
        if m.reject is not None:
            score = np.where(probabilities.argmax(axis=1) == m.reject, -np.inf, score)
        return score

    def _score(self, texts: Sequence[str], m: _Fitted) -> _Scores:
        n = len(texts)
        decision = np.tile(m.bias, (n, 1))
        if m.n_sparse:
            blocks = []
            if m.char is not None:
                blocks.append(_tfidf(m.char, [fold_text(t) for t in texts]))
            if m.word is not None:
                blocks.append(_tfidf(m.word, [normalize_text(t) for t in texts]))
            sparse = sp.hstack(blocks, format="csr", dtype=np.float32)
            decision += sparse @ m.weights_t[: m.n_sparse]
        near = np.zeros(n, dtype=np.float32)
        votes, vote_weight = None, 0.0
        unknown = None
        embedded: np.ndarray | None = None  # e5's embeddings, kept for reuse
        if m.bank is not None and m.bank_labels is not None and m.mean is not None:
            if m.static is not None:
                raw, unknown = m.static.lookup(texts)
                vectors = _centre(raw, m.mean)
                vectors[~raw.any(axis=1)] = 0.0  # no known word: no meaning, no neighbours
            else:
                embedded = self.embedder.embed(texts)
                vectors = _centre(embedded, m.mean)
            decision += (self._dense_weight(m.static) * vectors) @ m.weights_t[m.n_sparse :]
            near, votes = self._neighbours(vectors, m.bank, m.bank_labels, len(m.classes))
            vote_weight = self.vote_weight
        probabilities = _softmax(decision * m.temperature)
        if votes is not None:
            probabilities = _mix(probabilities, votes, vote_weight)
        return _Scores(
            probabilities, near, self._combine(m, probabilities, near), unknown, embedded
        )

    def _predictions(self, scored: _Scores, m: _Fitted, path: str) -> list[Prediction]:
        classes, reject = m.classes, m.reject
        k = min(self.top_k, len(classes) - (reject is not None))
        threshold = m.threshold
        out = []
        identity = self.embedder.identity if scored.vectors is not None else None
        for row, (probs, score) in enumerate(zip(scored.probabilities, scored.scores, strict=True)):
            order = [i for i in np.argsort(-probs, kind="stable") if i != reject][:k]
            ranking = [(classes[i], float(probs[i])) for i in order]
            accepted = math.isfinite(score) and float(score) >= threshold
            out.append(
                Prediction(
                    label=ranking[0][0] if accepted else None,
                    confidence=ranking[0][1],
                    ranking=ranking,
                    score=float(score),
                    threshold=threshold,
                    path=path,
                    vector=scored.vectors[row] if scored.vectors is not None else None,
                    embedding_identity=identity,
                )
            )
        return out

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        """Predictions for `texts`. In the cascade the fast path answers what it is sure of
        and e5 the rest (`Prediction.path` says which); `mode` may also be "fast" or "e5"
        alone, as far as they were trained."""
        texts = list(texts)
        if not texts:
            return []
        fast, full = self._fast, self._model
        if fast is not None and (full is None or self.mode == "fast"):
            self.counts["fast"] += len(texts)
            return self._predictions(self._score(texts, fast), fast, "fast")
        if full is None:
            raise RuntimeError("the classifier is not trained: call fit() or load()")
        path = "e5" if full.bank is not None and full.static is None else "tfidf"
        if fast is None or self.mode == "e5":
            self.counts["e5"] += len(texts)
            return self._predictions(self._score(texts, full), full, path)
        scored = self._score(texts, fast)
        unsure = (scored.scores < self.route_score) | (
            scored.probabilities.max(axis=1) < self.route_confidence
        )
        if scored.unknown is not None and self.route_unknown is not None:
            # Words the shop never used: the static table cannot say what they mean (nor
            # whether the message is one of the shop's intents at all); e5 can.
            unsure |= scored.unknown > self.route_unknown
        out = self._predictions(scored, fast, "fast")
        routed = np.flatnonzero(unsure).tolist()
        if routed:
            again = self._predictions(self._score([texts[i] for i in routed], full), full, path)
            for i, p in zip(routed, again, strict=True):
                out[i] = p
        self.counts["e5"] += len(routed)
        self.counts["fast"] += len(texts) - len(routed)
        return out

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_full(self, text: str) -> Prediction:
        """The whole model's prediction (e5 where it was trained), whatever the mode: for the
        decisions that must not rest on the fast path alone, such as leaving a flow."""
        full = self._model
        if full is None:
            return self.predict(text)
        path = "e5" if full.bank is not None and full.static is None else "tfidf"
        self.counts["e5"] += 1
        return self._predictions(self._score([text], full), full, path)[0]

    def with_mode(self, mode: str) -> IntentClassifier:
        """This trained classifier answering by `mode` ("cascade", "fast" or "e5")."""
        _check_mode(mode)
        self.mode = mode
        return self

    # ----------------------------------------------------------------- persistence

    def _params(self) -> dict[str, Any]:
        return {
            "threshold": self.fixed_threshold,
            "rejection_rate": self.rejection_rate,
            "use_embeddings": self.use_embeddings,
            "c": self.c,
            "embedding_weight": self.embedding_weight,
            "neighbours": self.neighbours,
            "odds_weight": self.odds_weight,
            "vote_neighbours": self.vote_neighbours,
            "vote_weight": self.vote_weight,
            "vote_sharpness": self.vote_sharpness,
            "folds": self.folds,
            "holdout_from": self.holdout_from,
            "top_k": self.top_k,
            "workers": self.workers,
            "seed": self.seed,
            "mode": self.mode,
            "static_dim": self.static_dim,
            "static_weight": self.static_weight,
            "route_rate": self.route_rate,
            "route_tolerance": self.route_tolerance,
            "route_unknown": self.route_unknown,
            "route": self.fixed_route,
        }

    def save(self, path: Path | str) -> None:
        """Write the trained model to `path` (atomically: a temporary file, then a rename)."""
        m = self._fitted
        state = {
            "format": FORMAT_VERSION,
            "embedding": self.embedder.identity if m.bank is not None else None,
            "sklearn": sklearn.__version__,
            "params": self._params(),
            "threshold": self.threshold,
            "model": self._model,
            "fast": self._fast,
            "route": (self.route_confidence, self.route_score),
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        joblib.dump(state, tmp)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | str, embedder: Embedder | None = None) -> IntentClassifier:
        """Load a model written by `save`; IncompatibleModelError when it cannot be used."""
        try:
            state = joblib.load(path)
        except Exception as exc:  # a truncated, foreign or corrupt pickle fails in many ways
            raise IncompatibleModelError(f"cannot read model file {path}: {exc}") from exc
        if not isinstance(state, dict) or state.get("format") != FORMAT_VERSION:
            raise IncompatibleModelError(f"{path} is not a model of format {FORMAT_VERSION}")
        if state.get("sklearn") != sklearn.__version__:
            raise IncompatibleModelError(
                f"{path} was written with scikit-learn {state.get('sklearn')}, "
                f"this is {sklearn.__version__}"
            )
        clf = cls(embedder, **state["params"])
        if state["embedding"] is not None and state["embedding"] != clf.embedder.identity:
            raise IncompatibleModelError(
                f"{path} uses embeddings {state['embedding']}, this embedder is "
                f"{clf.embedder.identity}"
            )
        clf._threshold = state["threshold"]
        clf._model = state["model"]
        clf._fast = state["fast"]
        clf.route_confidence, clf.route_score = state["route"]
        return clf


# --------------------------------------------------------------------- helpers


def _fit_vectorizer(vectorizer: TfidfVectorizer, docs: list[str]) -> TfidfVectorizer | None:
    try:
        vectorizer.fit(docs)
    except ValueError:  # empty vocabulary: nothing but punctuation, say
        return None
    if hasattr(vectorizer, "stop_words_"):
        del vectorizer.stop_words_  # only kept for introspection; can be large
    return vectorizer


def _tfidf(vectorizer: TfidfVectorizer, docs: Sequence[str]) -> sp.csr_matrix:
    """`vectorizer.transform(docs)`, without scikit-learn's per-call validation (a millisecond
    per message, more than the rest of the linear model)."""
    analyze = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary_
    idf = vectorizer.idf_
    indptr, indices, data = [0], [], []
    for doc in docs:
        counts: dict[int, int] = {}
        for term in analyze(doc):
            j = vocabulary.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if vectorizer.sublinear_tf:
            tf = 1.0 + np.log(tf)
        values = tf * idf[cols]
        norm = math.sqrt(float(values @ values))
        if norm > 0:
            values /= norm
        indices.append(cols)
        data.append(values)
        indptr.append(indptr[-1] + len(cols))
    return sp.csr_matrix(
        (
            np.concatenate(data).astype(np.float32) if data else np.zeros(0, np.float32),
            np.concatenate(indices) if indices else np.zeros(0, np.int64),
            np.array(indptr),
        ),
        shape=(len(docs), len(vocabulary)),
    )


def _centre(raw: np.ndarray, mean: np.ndarray) -> np.ndarray:
    centred = raw - mean
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return (centred / np.maximum(norms, 1e-6)).astype(np.float32)


def _softmax(z: np.ndarray) -> np.ndarray:
    if not z.size:
        return z
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _mix(probabilities: np.ndarray, votes: np.ndarray, vote_weight: float) -> np.ndarray:
    if vote_weight <= 0:
        return probabilities
    return (1.0 - vote_weight) * probabilities + vote_weight * votes


def _fit_temperature(
    decision: np.ndarray, y: np.ndarray, votes: np.ndarray, vote_weight: float
) -> float:
    """The softmax temperature that minimises the negative log-likelihood of the labels."""
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        p = _mix(_softmax(decision * math.exp(log_t)), votes, vote_weight)[rows, y]
        return float(-np.log(np.maximum(p, 1e-12)).mean())

    result = minimize_scalar(nll, bounds=(math.log(0.1), math.log(200.0)), method="bounded")
    return float(math.exp(result.x))


def stratified_folds(keys: Sequence[Hashable], folds: int, seed: int = 0) -> np.ndarray:
    """A fold id per row, spreading the rows of each key evenly (round robin) over the folds;
    a key with a single row may land in any fold."""
    rng = np.random.default_rng(seed)
    ids = np.zeros(len(keys), dtype=np.int64)
    folds = max(1, min(folds, len(keys)))
    groups: dict[Hashable, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    offset = 0
    for key in sorted(groups, key=str):
        rows = rng.permutation(groups[key])
        ids[rows] = (offset + np.arange(len(rows))) % folds
        offset += len(rows)
    return ids


def _threshold_for(scores: np.ndarray, rate: float) -> float:
    """The score below which `rate` of `scores` fall (−inf when there is nothing to go on)."""
    if not len(scores) or rate <= 0:
        return -math.inf
    return float(np.quantile(scores, rate))
