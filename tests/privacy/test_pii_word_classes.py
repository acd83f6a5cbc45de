"""Word classes for the name model: read from the e5 vocabulary, shipped as a small table."""

from __future__ import annotations

import gzip
from pathlib import Path

from samtale.privacy.pii.train_word_classes import build, model_file, read_vocabulary, vectors
from samtale.privacy.pii.word_classes import CLASSES_PATH, UNKNOWN, classes_of, word_classes


def test_the_table_ships_with_the_package() -> None:
    assert CLASSES_PATH.exists()
    assert len(word_classes()) > 50_000


def test_surnames_share_a_class_and_are_written_with_a_capital() -> None:
    table = word_classes()
    jensen, hansen, holding = (classes_of(w, table) for w in ("Jensen", "hansen", "Holding"))
    assert jensen[0] == hansen[0]  # the fine class
    assert jensen[0] != holding[0]
    assert jensen[2] == "C"  # only ever capitalised in e5's vocabulary
    assert classes_of("bank", table)[2] in ("CL", "L>", "L")


def test_an_unknown_word_has_no_class_and_a_genitive_reads_as_its_name() -> None:
    table = word_classes()
    assert classes_of("Fielfrazqx", table) == UNKNOWN
    assert classes_of("Jensens", table) == classes_of("Jensen", table)


def test_the_vocabulary_is_read_from_the_model_file_without_running_the_model() -> None:
    pieces, scores, blocks = read_vocabulary(model_file())
    index = {p: i for i, p in enumerate(pieces)}
    assert len(pieces) == len(scores) > 200_000
    x = vectors(blocks, [index["▁Jensen"], index["▁Hansen"], index["▁holding"]])
    x /= (x**2).sum(axis=1, keepdims=True) ** 0.5
    assert x.shape == (3, 384)
    assert x[0] @ x[1] > x[0] @ x[2]  # two surnames lie closer than a surname and a noun


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    for out in (a, b):
        assert build(out, coarse_classes=3, fine_classes=2, limit=600) == 600
    assert a.read_bytes() == b.read_bytes()
    lines = gzip.decompress(a.read_bytes()).decode().splitlines()
    word, fine, coarse, casing, freq = lines[0].split("\t")
    assert word == word.lower() and int(fine) // 2 == int(coarse) < 3
    assert casing in ("C", "C>", "CL", "L>", "L", "U") and freq in "0123"
