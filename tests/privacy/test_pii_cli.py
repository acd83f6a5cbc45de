"""`samtale pii redact`: standard input to redacted text or JSON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from samtale.cli.pii import app

runner = CliRunner()
MESSAGE = "Hej, jeg hedder Anna Jensen. Ring på 22 33 44 55 eller skriv til anna@example.com"


def test_redact_writes_the_redacted_text() -> None:
    result = runner.invoke(app, ["redact", "--lang", "da"], input=MESSAGE)
    assert result.exit_code == 0, result.output
    assert result.output == "Hej, jeg hedder [NAME]. Ring på [PHONE] eller skriv til [EMAIL]"


def test_json_gives_spans_without_the_values() -> None:
    result = runner.invoke(app, ["redact", "--json", "--lang", "da,sv"], input=MESSAGE)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["text"].startswith("Hej, jeg hedder [NAME].")
    assert [s["type"] for s in data["spans"]] == ["NAME", "PHONE", "EMAIL"]
    assert all(set(s) == {"type", "start", "end"} for s in data["spans"])
    assert "Anna" not in result.output and "22 33" not in result.output


def test_show_values_includes_them() -> None:
    result = runner.invoke(app, ["redact", "--json", "--show-values"], input=MESSAGE)
    data = json.loads(result.output)
    assert data["spans"][0] == {"type": "NAME", "start": 16, "end": 27, "value": "Anna Jensen"}


def test_languages_repeat_and_unknown_ones_are_refused() -> None:
    ok = runner.invoke(app, ["redact", "-l", "da", "-l", "no"], input="ring 22 33 44 55")
    assert ok.exit_code == 0 and ok.output == "ring [PHONE]"
    bad = runner.invoke(app, ["redact", "--lang", "de"], input="hallo")
    assert bad.exit_code != 0


def test_tenant_patterns_are_options() -> None:
    result = runner.invoke(
        app, ["redact", "--order-pattern", r"\bSO-\d{5}\b"], input="ordre SO-12345 er væk"
    )
    assert result.output == "ordre [ORDER_NUMBER] er væk"
