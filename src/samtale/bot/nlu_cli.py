"""`samtale nlu`: measure the intent classifier on labelled data.

    samtale nlu eval --train train.jsonl --test test.jsonl [--validation v.jsonl]
                     [--oos-label oos] [--use-oos-rows] [--json]

Reads JSONL files of `{"text": ..., "label": ...}` objects (other keys are ignored). With
`--json` the only output on stdout is one JSON object with `accuracy`, `macro_f1`, `p50_ms`,
`p99_ms` and `train_seconds` (plus `in_scope_accuracy` and `oos_recall` with an out-of-scope
label); rates are fractions between 0 and 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from samtale.bot.evaluation import Row, evaluate

app = typer.Typer(help="Measure the bot's intent classifier.", no_args_is_help=True)

JSON_KEYS = ("accuracy", "macro_f1", "p50_ms", "p99_ms", "train_seconds")
OOS_KEYS = ("in_scope_accuracy", "oos_recall")


@app.callback()
def nlu() -> None:
    """Measure the bot's intent classifier."""


class DataError(ValueError):
    """A JSONL file that cannot be read as labelled examples."""


def read_jsonl(path: Path) -> list[Row]:
    """(text, label) rows of a JSONL file; DataError naming the file and line otherwise."""
    rows: list[Row] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(item, dict):
                raise DataError(f"{path}:{number}: expected an object with text and label")
            text, label = item.get("text"), item.get("label")
            if not isinstance(text, str) or not text.strip():
                raise DataError(f'{path}:{number}: missing or empty "text" (a string)')
            if not isinstance(label, (str, int)) or isinstance(label, bool) or str(label) == "":
                raise DataError(f'{path}:{number}: missing or empty "label" (a string)')
            rows.append((text, str(label)))
    if not rows:
        raise DataError(f"{path}: no examples")
    return rows


def _table(result: dict[str, Any], oos_label: str | None) -> str:
    lines = [
        f"{'training rows':22} {result['train_rows']}"
        + (f" (of which {oos_label}: {result['oos_training_rows']})" if oos_label else ""),
        f"{'test rows':22} {result['test_rows']}",
        f"{'accuracy':22} {result['accuracy']:.2%}",
        f"{'macro-F1':22} {result['macro_f1']:.2%}",
    ]
    if oos_label is not None:
        lines += [
            f"{'in-scope accuracy':22} {result['in_scope_accuracy']:.2%}",
            f"{'out-of-scope recall':22} {result['oos_recall']:.2%}",
        ]
    else:
        lines.append(f"{'would reject':22} {result['rejected']:.2%} (threshold not applied)")
    lines += [
        f"{'threshold':22} {result['threshold']:.4f} (from {result['threshold_from']})",
        f"{'latency p50 / p99':22} {result['p50_ms']:.1f} / {result['p99_ms']:.1f} ms per message",
        f"{'training':22} {result['train_seconds']:.1f} s",
    ]
    return "\n".join(lines)


@app.command("eval")
def eval_command(
    train: Annotated[Path, typer.Option("--train", help="JSONL training examples.")],
    test: Annotated[Path, typer.Option("--test", help="JSONL test examples.")],
    validation: Annotated[
        Path | None,
        typer.Option("--validation", help="JSONL rows to choose the out-of-scope threshold on."),
    ] = None,
    oos_label: Annotated[
        str | None, typer.Option("--oos-label", help="The label of out-of-scope examples.")
    ] = None,
    use_oos_rows: Annotated[
        bool,
        typer.Option("--use-oos-rows", help="Also learn the out-of-scope training rows."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Train on --train, predict every --test message alone, print accuracy and latency."""
    try:
        train_rows = read_jsonl(train)
        test_rows = read_jsonl(test)
        validation_rows = read_jsonl(validation) if validation is not None else None
    except DataError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if use_oos_rows and oos_label is None:
        typer.echo("error: --use-oos-rows needs --oos-label", err=True)
        raise typer.Exit(2)
    try:
        result = evaluate(
            train_rows,
            test_rows,
            oos_label=oos_label,
            validation_rows=validation_rows,
            use_oos_rows=use_oos_rows,
        )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        keys = JSON_KEYS + (OOS_KEYS if oos_label is not None else ())
        typer.echo(json.dumps({key: result[key] for key in keys}))
    else:
        typer.echo(_table(result, oos_label))
