"""Training a tenant's intent classifier from its content, and keeping the trained model on disk
(named by the content's SHA-256) so a restart loads it instead of training again."""

from __future__ import annotations

import os
import tempfile
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


def train(content: Content, data_dir: Path) -> IntentClassifier:
    rows = content.training_rows()
    texts = [text for text, _intent, _lang in rows]
    labels = [intent for _text, intent, _lang in rows]
    return IntentClassifier(embedder=embedder_for(data_dir)).fit(texts, labels)


def model_path(data_dir: Path, sha: str) -> Path:
    return data_dir / f"{sha}.model"


def load_or_train(content: Content, sha: str, data_dir: Path) -> IntentClassifier:
    path = model_path(data_dir, sha)
    if path.exists():
        try:
            return IntentClassifier.load(path, embedder=embedder_for(data_dir))
        except Exception:
            log.warning("model_unreadable_retraining", sha=sha[:12])
    classifier = train(content, data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    classifier.save(Path(tmp))
    os.replace(tmp, path)
    return classifier
