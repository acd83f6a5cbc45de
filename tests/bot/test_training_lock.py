"""A missing model wanted by several processes at once (the workers of one server share the data
folder) is trained once: the first takes the model's lock and trains, the others wait and load
what it saved. (Threads here: the lock is a `flock` per open file, so they contend like
processes do.)"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from samtale.bot import model
from samtale.bot.content import Content


class _Trained:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def save(self, path: Path) -> None:
        path.write_text(self.origin)


def test_a_model_wanted_by_several_at_once_is_trained_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainings: list[int] = []

    def train(content: Any, data_dir: Path, mode: str = "cascade") -> _Trained:
        trainings.append(threading.get_ident())
        time.sleep(0.3)  # long enough for the others to be waiting
        return _Trained("trained")

    def load_saved(sha: str, data_dir: Path) -> Any:
        path = model.model_path(data_dir, sha)
        return _Trained(f"loaded {path.read_text()}") if path.exists() else None

    monkeypatch.setattr(model, "train", train)
    monkeypatch.setattr(model, "load_saved", load_saved)
    got: list[str] = []
    start = threading.Barrier(4)

    def want() -> None:
        start.wait()
        got.append(model.load_or_train(Content(), "a" * 64, tmp_path).origin)  # type: ignore[attr-defined]

    threads = [threading.Thread(target=want) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(trainings) == 1
    assert sorted(got) == ["loaded trained"] * 3 + ["trained"]
    assert model.model_path(tmp_path, "a" * 64).read_text() == "trained"
