from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samtale.cli.nlu import app, read_jsonl

runner = CliRunner()


def _write(path: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


@pytest.fixture
def files(
    tmp_path: Path,
    shop_rows: list[tuple[str, str, str]],
    held_out: list[tuple[str, str]],
    unrelated: list[str],
) -> dict[str, Path]:
    train = [{"text": t, "label": i, "lang": lang} for t, i, lang in shop_rows]
    train.append({"text": "Tell me a joke", "label": "oos"})
    test = [{"text": t, "label": i} for t, i in held_out] + [
        {"text": t, "label": "oos"} for t in unrelated
    ]
    return {
        "train": _write(tmp_path / "train.jsonl", train),
        "test": _write(tmp_path / "test.jsonl", test),
        "in_scope_test": _write(
            tmp_path / "in.jsonl", [{"text": t, "label": i} for t, i in held_out]
        ),
    }


def test_eval_json(files: dict[str, Path]) -> None:
    result = runner.invoke(
        app,
        ["eval", "--train", str(files["train"]), "--test", str(files["in_scope_test"]), "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # exactly one JSON object, nothing else
    assert set(data) == {"accuracy", "macro_f1", "p50_ms", "p99_ms", "train_seconds"}
    assert 0.0 <= data["macro_f1"] <= 1.0
    assert data["accuracy"] == 1.0
    assert 0 < data["p50_ms"] <= data["p99_ms"]
    assert data["train_seconds"] > 0


def test_eval_json_with_out_of_scope(files: dict[str, Path]) -> None:
    result = runner.invoke(
        app,
        [
            "eval",
            "--train",
            str(files["train"]),
            "--test",
            str(files["test"]),
            "--oos-label",
            "oos",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "accuracy",
        "macro_f1",
        "p50_ms",
        "p99_ms",
        "train_seconds",
        "in_scope_accuracy",
        "oos_recall",
    }
    assert data["in_scope_accuracy"] == 1.0
    assert data["oos_recall"] == 1.0


def test_eval_table(files: dict[str, Path]) -> None:
    result = runner.invoke(
        app,
        [
            "eval",
            "--train",
            str(files["train"]),
            "--test",
            str(files["test"]),
            "--oos-label",
            "oos",
            "--validation",
            str(files["in_scope_test"]),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "in-scope accuracy" in result.stdout
    assert "out-of-scope recall" in result.stdout
    assert "from validation" in result.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a", "b"]', "expected an object"),
        ('{"label": "x"}', '"text"'),
        ('{"text": "hej"}', '"label"'),
    ],
)
def test_malformed_line_is_named(
    tmp_path: Path, files: dict[str, Path], line: str, message: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hej", "label": "greet"}\n\n' + line + "\n", encoding="utf-8")
    result = runner.invoke(
        app, ["eval", "--train", str(bad), "--test", str(files["test"]), "--json"]
    )
    assert result.exit_code == 2
    assert f"{bad}:3" in result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_file(tmp_path: Path, files: dict[str, Path]) -> None:
    result = runner.invoke(
        app, ["eval", "--train", str(tmp_path / "nope.jsonl"), "--test", str(files["test"])]
    )
    assert result.exit_code == 2
    assert "nope.jsonl" in result.stderr


def test_read_jsonl_ignores_other_keys(tmp_path: Path) -> None:
    path = _write(tmp_path / "rows.jsonl", [{"text": "hej", "label": 3, "lang": "da", "id": 1}])
    assert read_jsonl(path) == [("hej", "3")]
