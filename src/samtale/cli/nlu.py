"""`samtale nlu`: measure the intent classifier on labelled data.

    samtale nlu eval --train train.jsonl --test test.jsonl [--validation v.jsonl]
                     [--oos-label oos] [--use-oos-rows] [--json]
    samtale nlu cross-validate [--tenant demo | --content PATH] [--folds 5]
                               [--held-out questions.jsonl] [--json]

Reads JSONL files of `{"text": ..., "label": ...}` objects (other keys are ignored). With
`--json` the only output on stdout is one JSON object with `accuracy`, `macro_f1`, `p50_ms`,
`p99_ms` and `train_seconds` (plus `in_scope_accuracy` and `oos_recall` with an out-of-scope
label); rates are fractions between 0 and 1.

`cross-validate` measures a tenant's published content (or a YAML file or folder) the way the
admin's publishing does: k-fold, folds stratified by intent and language, accuracy and macro-F1
per language, the weakest intents and the most confused pairs. `--held-out` also trains on all
of it and measures questions written apart from the examples (JSONL with `text`, `label` and
`language`), per language.
"""

from __future__ import annotations

import asyncio
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
    return [(text, label) for text, label, _lang in read_language_jsonl(path, language=False)]


def read_language_jsonl(path: Path, *, language: bool = True) -> list[tuple[str, str, str]]:
    """(text, label, language) rows of a JSONL file; with `language` each object needs a
    `language` string too (otherwise it is ignored and left empty)."""
    rows: list[tuple[str, str, str]] = []
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
            lang = item.get("language") if language else ""
            if not isinstance(lang, str) or (language and not lang):
                raise DataError(f'{path}:{number}: missing or empty "language" (a string)')
            rows.append((text, str(label), lang))
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


def _published_content(slug: str) -> Any:
    from samtale.bot.content import Content
    from samtale.bot.store import ContentVersions
    from samtale.cli.content import _with_tenant

    async def fetch(session: Any, tenant: Any) -> Any:
        row = await ContentVersions(session, tenant.id).published()
        return None if row is None else Content.model_validate(row.content)

    content = asyncio.run(_with_tenant(slug, fetch))
    if content is None:
        typer.echo(f"error: tenant {slug!r} has no published content", err=True)
        raise typer.Exit(1)
    return content


@app.command("cross-validate")
def cross_validate_command(
    tenant: Annotated[str, typer.Option(help="The tenant whose published content to measure.")] = (
        "demo"
    ),
    content: Annotated[
        Path | None,
        typer.Option("--content", help="Measure this YAML file or folder instead of a tenant's."),
    ] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Number of folds.")] = 5,
    held_out_file: Annotated[
        Path | None,
        typer.Option(
            "--held-out", help="JSONL questions never trained on (text, label, language)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Cross-validate a tenant's content: accuracy per language, weakest intents, confusions."""
    from samtale.bot.classifier import IntentClassifier
    from samtale.bot.evaluation import cross_validate, held_out
    from samtale.bot.model import embedder_for
    from samtale.cli.common import load_settings
    from samtale.cli.content import _load

    try:
        questions = read_language_jsonl(held_out_file) if held_out_file is not None else None
    except DataError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    loaded = _load(content) if content is not None else _published_content(tenant)
    rows = loaded.training_rows()
    if len({intent for _t, intent, _l in rows}) < 2:
        typer.echo("error: the content needs examples of at least two intents", err=True)
        raise typer.Exit(1)
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedder = embedder_for(settings.data_dir)

    def factory() -> IntentClassifier:
        return IntentClassifier(embedder=embedder)

    report = cross_validate(rows, folds, True, classifier=factory)
    extra = held_out(rows, questions, classifier=factory) if questions else None
    if as_json:
        out = report.to_dict()
        if extra is not None:
            out["held_out"] = extra.to_dict()
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    typer.echo(report.table())
    if extra is not None:
        typer.echo("")
        typer.echo(extra.table())
