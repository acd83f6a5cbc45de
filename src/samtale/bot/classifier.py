"""The bot's intent classifier: what does the customer want, or is it none of our intents?

One linear model reads three views of a message side by side:

- character n-grams (2–5, within words) of the *folded* text — lowercased, NFKC, repeated
  letters collapsed, accents stripped (``å`` → ``a``, ``ø`` → ``o``, ``æ`` → ``ae``) — so typos,
  missing diacritics and inflections still match;
- word uni- and bigrams of the lowercased text (diacritics kept);
- the multilingual sentence embedding (multilingual-e5-small, see `embeddings.py`), centred on
  the training mean and weighted, which carries meaning across paraphrases and languages.

A `LinearSVC` (one-vs-rest) is trained on the concatenation. Its decision values become
probabilities through a softmax whose temperature is fitted on out-of-fold decision values
(cross-validation on the training data), so `confidence` is calibrated.

Out of scope. A shop's content has no examples of what is *not* an intent, so rejection must be
learnt from in-scope examples alone. The in-scope score of a message is its calibrated top
probability plus the mean cosine similarity of its nearest training examples in embedding space
(a message far from everything we were taught is suspicious even when one class wins). The
threshold is the score below which only `rejection_rate` of the correctly classified
out-of-fold training examples fall: "reject at most 1 % of what we would have answered
correctly". It can be recomputed on validation rows (`calibrate_threshold`) or set by hand.

Persistence. `save` writes the fitted model (scikit-learn vectorizers, float32 weights, the
training embeddings for the neighbour score) with joblib; `load` refuses files of another format
version, another embedding model or another scikit-learn version, so a stale file is retrained,
never misread. Only load files you wrote: joblib files are pickles.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from samtale.bot.embeddings import Embedder, default_embedder

FORMAT_VERSION = 1
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
    mean: np.ndarray | None  # training embedding mean (dim,)
    train_vectors: np.ndarray | None  # centred, normalised training embeddings (n, dim) float32
    n_sparse: int
    reject: int | None = None  # index of the class of out-of-scope examples, if trained
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Scores:
    probabilities: np.ndarray  # (n, n_classes)
    neighbours: np.ndarray  # (n,) mean cosine of the nearest training examples, 0 without
    scores: np.ndarray  # (n,) in-scope score


class IntentClassifier:
    """Hybrid TF-IDF + sentence-embedding intent classifier with out-of-scope rejection.

    `threshold` fixes the rejection threshold (compared with `Prediction.score`); by default it
    is chosen from the training data with `rejection_rate`. `use_embeddings=False` gives a
    TF-IDF-only model (no neighbour score).
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
        folds: int = 5,
        top_k: int = 5,
        workers: int = 2,
        seed: int = 0,
    ) -> None:
        if not 0.0 <= rejection_rate < 1.0:
            raise ValueError("rejection_rate must be in [0, 1)")
        self._embedder = embedder
        self.fixed_threshold = threshold
        self.threshold: float = threshold if threshold is not None else -math.inf
        self.rejection_rate = rejection_rate
        self.use_embeddings = use_embeddings
        self.c = c
        self.embedding_weight = embedding_weight
        self.neighbours = neighbours
        self.odds_weight = odds_weight
        self.folds = folds
        self.top_k = top_k
        self.workers = workers
        self.seed = seed
        self._model: _Fitted | None = None

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
    def is_fitted(self) -> bool:
        return self._model is not None

    @property
    def _fitted(self) -> _Fitted:
        if self._model is None:
            raise RuntimeError("the classifier is not trained: call fit() or load()")
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence embeddings of arbitrary texts (not cached), for reuse by other features."""
        return self.embedder.embed(texts)

    # ----------------------------------------------------------------- training

    def fit(
        self, texts: Sequence[str], labels: Sequence[str], *, oos_label: str | None = None
    ) -> IntentClassifier:
        """Train on examples of intents.

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
        folded = [fold_text(t) for t in texts]
        normed = [normalize_text(t) for t in texts]
        min_df = 2 if len(texts) >= 2000 else 1
        char = _fit_vectorizer(
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(2, 5),
                sublinear_tf=True,
                min_df=min_df,
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
        n_sparse = sum(b.shape[1] for b in blocks)
        mean: np.ndarray | None = None
        vectors: np.ndarray | None = None
        if self.use_embeddings:
            raw = self.embedder.embed(texts, remember=True)
            mean = raw[in_scope].mean(axis=0).astype(np.float32)
            vectors = _centre(raw, mean)
            blocks.append(sp.csr_matrix(self.embedding_weight * vectors))
        x = (
            sp.hstack(blocks, format="csr", dtype=np.float32)
            if blocks
            else sp.csr_matrix((len(texts), 0), dtype=np.float32)
        )
        embedded = time.perf_counter()

        fold_ids = stratified_folds(y.tolist(), self.folds if len(texts) < 5000 else 3, self.seed)
        jobs = (
            [np.flatnonzero(fold_ids != f) for f in np.unique(fold_ids)]
            if len(np.unique(fold_ids)) > 1
            else []
        )
        jobs.append(np.arange(len(texts)))
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            fits = list(pool.map(lambda rows: self._fit_linear(x, y, rows, len(classes)), jobs))
        weights_t, bias = fits[-1]

        bank = vectors[in_scope] if vectors is not None else None  # neighbours: in scope only
        model = _Fitted(
            classes=classes,
            char=char,
            word=word,
            weights_t=weights_t,
            bias=bias,
            temperature=1.0,
            mean=mean,
            train_vectors=bank,
            n_sparse=n_sparse,
            reject=reject,
        )
        # Out-of-fold decision values and neighbour similarities: calibration and threshold.
        oof = np.full((len(texts), len(classes)), _ABSENT, dtype=np.float32)
        oof_nb = np.zeros(len(texts), dtype=np.float32)
        seen = np.zeros(len(texts), dtype=bool)
        for rows, (w_t, b) in zip(jobs[:-1], fits[:-1], strict=True):
            held = np.setdiff1d(np.arange(len(texts)), rows, assume_unique=True)
            oof[held] = x[held] @ w_t + b
            seen[held] = np.isin(y[held], np.unique(y[rows]))
            if vectors is not None:
                base = rows[in_scope[rows]]
                oof_nb[held] = _neighbour_similarity(vectors[held], vectors[base], self.neighbours)
        if len(jobs) > 1 and seen.any():
            model.temperature = _fit_temperature(oof[seen], y[seen])
        oof_correct = (oof.argmax(axis=1) == y) & seen if len(jobs) > 1 else np.ones_like(seen)
        if len(jobs) == 1 and vectors is not None:  # a single fold: leave-one-out neighbours
            oof_nb = _neighbour_similarity(vectors, vectors, self.neighbours, skip_self=True)
        self._model = model
        oof_p = _softmax(oof * model.temperature)
        self._oof_p, self._oof_nb, self._oof_y = oof_p, oof_nb, y
        oof_scores = self._combine(oof_p, oof_nb)
        oof_correct &= in_scope
        self._oof_scores, self._oof_correct = oof_scores, oof_correct
        if self.fixed_threshold is None:
            self.threshold = _threshold_for(oof_scores[oof_correct], self.rejection_rate)
        model.info = {
            "rows": len(texts),
            "classes": len(classes),
            "features": int(x.shape[1]),
            "embedding_seconds": round(embedded - started, 3),
            "seconds": round(time.perf_counter() - started, 3),
            "oof_accuracy": float(oof_correct.mean()) if len(jobs) > 1 else None,
            "temperature": model.temperature,
        }
        return self

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
        svm = LinearSVC(C=self.c, random_state=self.seed).fit(x[rows], y[rows])
        coef, intercept = svm.coef_, svm.intercept_
        if len(present) == 2:  # binary: one hyperplane, positive side is the second class
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
        weights_t[:, present] = coef.T.astype(np.float32)
        bias[present] = intercept.astype(np.float32)
        return np.ascontiguousarray(weights_t), bias

    def calibrate_threshold(
        self, texts: Sequence[str], labels: Sequence[str], rejection_rate: float | None = None
    ) -> float:
        """Choose the threshold on labelled validation rows and return it.

        Rows whose label is not an intent of the model (out-of-scope examples) are ignored: the
        threshold rejects `rejection_rate` of the correctly classified in-scope rows.
        """
        rate = self.rejection_rate if rejection_rate is None else rejection_rate
        known = [
            (t, label) for t, label in zip(texts, labels, strict=True) if label in self.classes
        ]
        if not known:
            raise ValueError("no validation rows with a known intent")
        scored = self._score([t for t, _ in known])
        best = scored.probabilities.argmax(axis=1)
        index = {c: i for i, c in enumerate(self._fitted.classes)}
        correct = best == np.array([index[label] for _, label in known])
        self.threshold = _threshold_for(scored.scores[correct], rate)
        return self.threshold

    # ----------------------------------------------------------------- prediction

    def _combine(self, probabilities: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
        """The in-scope score (−inf where the out-of-scope class wins).

        With embeddings: the neighbour similarity plus `odds_weight` times the log-odds of the
        confidence; without: the confidence.
        """
        top = probabilities.max(axis=1)
        if self._fitted.train_vectors is None:
            score = top.astype(np.float64)
        else:
            p = np.clip(top, 1e-6, 1 - 1e-6)
            score = neighbours + self.odds_weight * np.log(p / (1 - p))
        reject = self._fitted.reject
        if reject is not None:
            score = np.where(probabilities.argmax(axis=1) == reject, -np.inf, score)
        return score

    def _score(self, texts: Sequence[str]) -> _Scores:
        m = self._fitted
        n = len(texts)
        decision = np.tile(m.bias, (n, 1))
        if m.n_sparse:
            blocks = []
            if m.char is not None:
                blocks.append(m.char.transform([fold_text(t) for t in texts]))
            if m.word is not None:
                blocks.append(m.word.transform([normalize_text(t) for t in texts]))
            sparse = sp.hstack(blocks, format="csr", dtype=np.float32)
            decision += sparse @ m.weights_t[: m.n_sparse]
        neighbours = np.zeros(n, dtype=np.float32)
        if m.train_vectors is not None and m.mean is not None:
            vectors = _centre(self.embedder.embed(texts), m.mean)
            decision += (self.embedding_weight * vectors) @ m.weights_t[m.n_sparse :]
            neighbours = _neighbour_similarity(vectors, m.train_vectors, self.neighbours)
        probabilities = _softmax(decision * m.temperature)
        return _Scores(probabilities, neighbours, self._combine(probabilities, neighbours))

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        texts = list(texts)
        if not texts:
            return []
        scored = self._score(texts)
        classes = self._fitted.classes
        reject = self._fitted.reject
        k = min(self.top_k, len(classes) - (reject is not None))
        out = []
        for probs, score in zip(scored.probabilities, scored.scores, strict=True):
            order = [i for i in np.argsort(-probs, kind="stable") if i != reject][:k]
            ranking = [(classes[i], float(probs[i])) for i in order]
            accepted = math.isfinite(score) and float(score) >= self.threshold
            out.append(
                Prediction(
                    label=ranking[0][0] if accepted else None,
                    confidence=ranking[0][1],
                    ranking=ranking,
                    score=float(score),
                )
            )
        return out

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    # ----------------------------------------------------------------- persistence

    def save(self, path: Path | str) -> None:
        m = self._fitted
        state = {
            "format": FORMAT_VERSION,
            "embedding": self.embedder.identity if m.train_vectors is not None else None,
            "sklearn": sklearn.__version__,
            "params": {
                "threshold": self.threshold,
                "rejection_rate": self.rejection_rate,
                "use_embeddings": self.use_embeddings,
                "c": self.c,
                "embedding_weight": self.embedding_weight,
                "neighbours": self.neighbours,
                "odds_weight": self.odds_weight,
                "folds": self.folds,
                "top_k": self.top_k,
                "seed": self.seed,
            },
            "model": m,
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        joblib.dump(state, tmp, compress=3)
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
        params = dict(state["params"])
        threshold = params.pop("threshold")
        clf = cls(embedder, **params)
        clf.threshold = threshold
        if state["embedding"] is not None and state["embedding"] != clf.embedder.identity:
            raise IncompatibleModelError(
                f"{path} uses embeddings {state['embedding']}, this embedder is "
                f"{clf.embedder.identity}"
            )
        clf._model = state["model"]
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


def _centre(raw: np.ndarray, mean: np.ndarray) -> np.ndarray:
    centred = raw - mean
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return (centred / np.maximum(norms, 1e-6)).astype(np.float32)


def _neighbour_similarity(
    queries: np.ndarray, base: np.ndarray, k: int, *, skip_self: bool = False
) -> np.ndarray:
    """Mean cosine similarity of each query to its `k` most similar rows of `base`."""
    out = np.zeros(len(queries), dtype=np.float32)
    if not len(base) or not len(queries):
        return out
    k = max(1, min(k, len(base) - (1 if skip_self else 0)))
    for start in range(0, len(queries), 1024):
        sims = queries[start : start + 1024] @ base.T
        if skip_self:
            idx = np.arange(start, start + len(sims))
            sims[np.arange(len(sims)), idx] = -np.inf
        if k < sims.shape[1]:
            sims = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
        out[start : start + len(sims)] = sims.mean(axis=1)
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    if not z.size:
        return z
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(decision: np.ndarray, y: np.ndarray) -> float:
    """The softmax temperature that minimises the negative log-likelihood of the labels."""

    def nll(log_t: float) -> float:
        z = decision * math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        log_p = z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))
        return float(-log_p.mean())

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
