"""Training a tenant's intent classifier from its content, and keeping the trained model on disk
(named by the content's SHA-256) so a restart loads it instead of training again.

Training comes in two steps when nothing is saved: the fast path alone (TF-IDF and distilled
word vectors, seconds), which the bot answers with at once, then the whole cascade (the e5 model
beside the fast path), which is saved and swapped in when done. Only the cascade is saved.

Processes that share the data folder (`samtale serve --workers N`) train a missing model once:
the first takes the model's lock and trains, the others wait on it and load the saved file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from samtale.bot.classifier import IntentClassifier
from samtale.bot.content import Content
from samtale.bot.embeddings import Embedder
from samtale.kernel.logs import get_logger

log = get_logger(__name__)

_embedders: dict[str, Embedder] = {}


def embedder_for(data_dir: Path) -> Embedder:
    """One embedder per cache folder, shared by every tenant (the embedding cache is by text)."""
    key = str(data_dir)
    if key not in _embedders:
        _embedders[key] = Embedder(cache_dir=data_dir / "embeddings")
    return _embedders[key]


def train(content: Content, data_dir: Path, mode: str = "cascade") -> IntentClassifier:
    rows = content.training_rows()
    texts = [text for text, _intent, _lang in rows]
    labels = [intent for _text, intent, _lang in rows]
    return IntentClassifier(embedder=embedder_for(data_dir), mode=mode).fit(texts, labels)


def model_path(data_dir: Path, sha: str) -> Path:
    return data_dir / f"{sha}.model"


def load_saved(sha: str, data_dir: Path) -> IntentClassifier | None:
    """The saved model of this content, or None (missing, stale or unreadable)."""
    path = model_path(data_dir, sha)
    if not path.exists():
        return None
    try:
        return IntentClassifier.load(path, embedder=embedder_for(data_dir))
    except Exception:
        log.warning("model_unreadable_retraining", sha=sha[:12])
        return None


def load_or_train(
    content: Content, sha: str, data_dir: Path, *, fast_first: bool = False
) -> IntentClassifier:
    """The saved model, else a newly trained one: the whole cascade (saved), or with
    `fast_first` the fast path alone (not saved; train the cascade after it)."""
    saved = load_saved(sha, data_dir)
    if saved is not None:
        return saved
    if fast_first:
        return train(content, data_dir, mode="fast")
    path = model_path(data_dir, sha)
    with training_lock(path):
        # Another process (a worker beside this one) may have trained it while this one waited.
        saved = load_saved(sha, data_dir)
        if saved is not None:
            return saved
        classifier = train(content, data_dir)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        classifier.save(Path(tmp))
        os.replace(tmp, path)
    return classifier


@contextlib.contextmanager
def training_lock(path: Path) -> Iterator[None]:
    """Held while the model at `path` is trained: the worker processes of one server (or
    threads of one process) that need the same model train it once; the others wait for it and
    load what was saved. An exclusive `flock` on `<model>.lock`, released when the holder ends,
    however it ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: each process trains for itself
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
