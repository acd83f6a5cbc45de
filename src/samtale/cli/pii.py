"""`samtale pii`: redact personal data from text on standard input.

    echo "Ring til Anna på 22 33 44 55" | samtale pii redact --lang da
    samtale pii redact --json < message.txt

The JSON output gives the redacted text and the spans found (kind and position in the original
text); the values found are printed only with `--show-values`, so the output of a run can be
shared without repeating the personal data it removed.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from samtale.privacy.pii import redact as redact_text

app = typer.Typer(help="Find and remove personal data (names, e-mails, phone numbers, ids ...).")

_LANGUAGES = ("da", "sv", "nb", "no", "fi", "en")


def _languages(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out: list[str] = []
    for value in values:
        for code in value.split(","):
            code = code.strip().lower()
            if not code:
                continue
            if code not in _LANGUAGES:
                raise typer.BadParameter(f"unknown language {code!r}; use da, sv, nb, fi, en")
            out.append(code)
    return out or None


@app.callback()
def main() -> None:
    """Find and remove personal data."""


@app.command()
def redact(
    lang: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            "-l",
            help="Language of the text: da, sv, nb (no), fi, en; repeat or separate by commas. "
            "Default: all five.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the text and the spans found as JSON.")
    ] = False,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="With --json, include the values found.")
    ] = False,
    order_pattern: Annotated[
        list[str] | None,
        typer.Option("--order-pattern", help="The shop's order-number format (a regex)."),
    ] = None,
    tracking_pattern: Annotated[
        list[str] | None,
        typer.Option("--tracking-pattern", help="A carrier's tracking-number format (a regex)."),
    ] = None,
) -> None:
    """Read text on standard input and write it with personal data replaced by placeholders."""
    text = sys.stdin.read()
    result = redact_text(
        text,
        _languages(lang),
        order_number_patterns=tuple(order_pattern or ()),
        tracking_number_patterns=tuple(tracking_pattern or ()),
    )
    if not as_json:
        typer.echo(result.text, nl=False)
        return
    spans = []
    for span in result.spans:
        item: dict[str, object] = {"type": span.type, "start": span.start, "end": span.end}
        if show_values:
            item["value"] = span.value
        spans.append(item)
    typer.echo(json.dumps({"text": result.text, "spans": spans}, ensure_ascii=False))
