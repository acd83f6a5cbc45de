"""Training the name model: from CoNLL data and generated chat messages, never a dev split."""

from __future__ import annotations

from pathlib import Path

import pycrfsuite
import pytest

from samtale.privacy.pii.train_names import chat_messages, main, read_conll, sequence

CONLL = "Hej\tO\nKaren\tB-PER\nHolm\tI-PER\nher\tO\n\t\nPakken\tO\ner\tO\nsendt\tO\n\t\n"


def test_conll_sentences_become_marked_segments(tmp_path: Path) -> None:
    path = tmp_path / "train.conll"
    path.write_text(CONLL, encoding="utf-8")
    first, second = read_conll(path)
    assert "".join(t for t, _ in first) == "Hej Karen Holm her"
    assert [t for t, is_name in first if is_name] == ["Karen", "Holm"]
    assert not any(is_name for _, is_name in second)


def test_labels_follow_the_marked_names() -> None:
    _, labels = sequence([("mvh ", False), ("Lars", True), (" Holm", True)])
    assert labels == ["O", "P", "P"]


def test_generated_chat_covers_the_five_languages_and_messages_without_names() -> None:
    messages = list(chat_messages(200))
    texts = ["".join(t for t, _ in m) for m in messages]
    assert len(messages) == 200
    assert any(not any(n for _, n in m) for m in messages)
    assert any("@" in t for t in texts)
    assert any(t.islower() for t in texts)


def test_training_writes_a_model_the_tagger_reads(tmp_path: Path) -> None:
    path = tmp_path / "train.conll"
    path.write_text(CONLL * 5, encoding="utf-8")
    out = tmp_path / "names.crfsuite"
    main(["--conll", str(path), "--synthetic", "100", "--out", str(out)])
    tagger = pycrfsuite.Tagger()
    tagger.open(str(out))
    assert set(tagger.labels()) == {"P", "O"}


def test_a_dev_split_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "da_ddt-ud-ner-dev.conll"
    path.write_text(CONLL, encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--conll", str(path), "--out", str(tmp_path / "x.crfsuite")])


def test_the_threshold_is_the_highest_recall_within_the_budget() -> None:
    from samtale.privacy.pii.train_names import choose_threshold

    scores = {0.5: (0.86, 0.002), 0.2: (0.90, 0.0035), 0.1: (0.91, 0.0045)}
    assert choose_threshold(scores, 0.004) == 0.2
    assert choose_threshold(scores, 0.001) == 0.5  # nothing fits: the most cautious one


def test_renamed_sentences_keep_their_words_and_change_their_people() -> None:
    import random

    from samtale.privacy.pii.train_names import _renamed

    sentence = [("siger", False), (" ", False), ("Karen", True), (" ", True), ("Holm", True)]
    sentence += [(" ", False), (".", False)]
    (renamed,) = _renamed([sentence, [("Pakken", False)]], random.Random(1))
    words = [(t, n) for t, n in renamed if t.strip()]
    assert words[0] == ("siger", False) and words[-1] == (".", False)
    assert [n for _, n in words] == [False, True, True, False]
    assert [t for t, n in words if n] != ["Karen", "Holm"]


def test_cross_validation_scores_every_threshold(tmp_path: Path) -> None:
    from samtale.privacy.pii.train_names import cross_validate

    path = tmp_path / "train.conll"
    path.write_text(CONLL * 6, encoding="utf-8")
    scores = cross_validate([path], synthetic=50, folds=2, thresholds=(0.5, 0.1))
    assert set(scores) == {0.5, 0.1}
    assert all(0 <= r <= 1 and 0 <= o <= 1 for r, o in scores.values())
    assert scores[0.1][0] >= scores[0.5][0]
