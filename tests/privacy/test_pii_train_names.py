"""Training the name model: from CoNLL data and generated chat messages, never a dev split."""

from __future__ import annotations

from pathlib import Path

import pycrfsuite
import pytest

from samtale.privacy.pii.train_names import chat_messages, main, read_conll, sequence

CONLL = "Hej\tO\nKaren\tB-PER\nHolm\tI-PER\nher\tO\n\t\nPakken\tO\ner\tO\nsendt\tO\n\t\n"
KINDS = "Pakken\tO\ngik\tO\ntil\tO\nOdense\tB-LOC\nmed\tO\nPostNord\tB-ORG\n\t\n"


def test_conll_sentences_become_marked_segments(tmp_path: Path) -> None:
    path = tmp_path / "train.conll"
    path.write_text(CONLL, encoding="utf-8")
    first, second = read_conll(path)
    assert "".join(t for t, _ in first) == "Hej Karen Holm her"
    assert [t for t, label in first if label == "P"] == ["Karen", "Holm"]
    assert all(label == "O" for _, label in second)


def test_places_and_organisations_keep_their_own_labels(tmp_path: Path) -> None:
    path = tmp_path / "train.conll"
    path.write_text(KINDS, encoding="utf-8")
    (sentence,) = read_conll(path)
    assert [(t, label) for t, label in sentence if label != "O"] == [
        ("Odense", "L"),
        ("PostNord", "G"),
    ]
    _, labels = sequence(sentence)
    assert labels == ["O", "O", "O", "L", "O", "G"]


def test_labels_follow_the_marked_names() -> None:
    _, labels = sequence([("mvh ", "O"), ("Lars", "P"), (" Holm", "P")])
    assert labels == ["O", "P", "P"]


def test_generated_chat_covers_the_five_languages_and_messages_without_names() -> None:
    messages = list(chat_messages(200))
    texts = ["".join(t for t, _ in m) for m in messages]
    assert len(messages) == 200
    assert any(all(label != "P" for _, label in m) for m in messages)
    assert any(label == "L" for m in messages for _, label in m)  # places marked as such
    assert any("@" in t for t in texts)
    assert any(t.islower() for t in texts)


def test_training_writes_a_model_the_tagger_reads(tmp_path: Path) -> None:
    path = tmp_path / "train.conll"
    path.write_text(CONLL * 5 + KINDS * 5, encoding="utf-8")
    out = tmp_path / "names.crfsuite"
    main(["--conll", str(path), "--synthetic", "100", "--out", str(out)])
    tagger = pycrfsuite.Tagger()
    tagger.open(str(out))
    # people, and the places, organisations and products that they are told apart from
    assert set(tagger.labels()) == {"P", "L", "G", "M", "O"}


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

    sentence = [("siger", "O"), (" ", "O"), ("Karen", "P"), (" ", "P"), ("Holm", "P")]
    sentence += [(" ", "O"), ("i", "O"), (" ", "O"), ("Odense", "L")]
    (renamed,) = _renamed([sentence, [("Pakken", "O")]], random.Random(1))
    words = [(t, n) for t, n in renamed if t.strip()]
    assert words[0] == ("siger", "O") and words[-1] == ("Odense", "L")
    assert [n for _, n in words] == ["O", "P", "P", "O", "L"]
    assert [t for t, n in words if n == "P"] != ["Karen", "Holm"]


def test_cross_validation_scores_every_threshold(tmp_path: Path) -> None:
    from samtale.privacy.pii.train_names import cross_validate

    path = tmp_path / "train.conll"
    path.write_text(CONLL * 6, encoding="utf-8")
    scores = cross_validate([path], synthetic=50, folds=2, thresholds=(0.5, 0.1))
    assert set(scores) == {0.5, 0.1}
    assert all(0 <= r <= 1 and 0 <= o <= 1 for r, o in scores.values())
    assert scores[0.1][0] >= scores[0.5][0]


def test_renamed_people_are_sometimes_names_no_list_holds() -> None:
    import random

    from samtale.privacy.pii.lexicon import name_lists
    from samtale.privacy.pii.train_names import _renamed

    lists = name_lists()
    known = lists.core_first | lists.wide_first | lists.world_first | lists.surnames
    known |= lists.world_surnames
    sentence = [("siger", "O"), (" ", "O"), ("Karen", "P"), (" ", "P"), ("Holm", "P")]
    people = [
        t.lower()
        for renamed in _renamed([sentence] * 50, random.Random(3))
        for t, label in renamed
        if label == "P" and t.strip()
    ]
    unknown = [w for w in people if w not in known]
    assert 0.2 * len(people) < len(unknown) < 0.6 * len(people)


def test_hidden_words_show_neither_the_lists_nor_the_rules() -> None:
    import random

    class Always(random.Random):
        def random(self) -> float:
            return 0.0  # every word hidden

    shown, _ = sequence([("mvh ", "O"), ("Lars", "P"), (" Jensen", "P")])
    hidden, _ = sequence([("mvh ", "O"), ("Lars", "P"), (" Jensen", "P")], Always())
    assert any(f.startswith(("fn=", "rule=", "wc=")) for f in shown[1])
    assert not any(f.startswith(("fn=", "sn", "rule=", "wc=", "case=")) for f in hidden[1])
