"""`samtale content validate|export|import` and `samtale chat`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from samtale.bot.content import dump_content, load_content
from samtale.cli.main import app
from samtale.demo.content_dir import DEMO_CONTENT_DIR
from tests.bot.test_registry import small_content

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    monkeypatch.setenv("SAMTALE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAMTALE_DATABASE_URL", database_url)
    return tmp_path


def test_validate_the_demo_content() -> None:
    r = runner.invoke(app, ["content", "validate", str(DEMO_CONTENT_DIR)])
    assert r.exit_code == 0, r.output
    assert "ok" in r.output and "intents" in r.output


def test_validate_reports_problems_with_their_place(tmp_path: Path) -> None:
    bad = yaml.safe_load(dump_content(small_content()))
    bad["intents"][0]["name"] = "Not A Name"
    bad["intents"][1]["examples"]["da"].append("levering")  # also in `delivery`
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True))
    r = runner.invoke(app, ["content", "validate", str(path)])
    assert r.exit_code == 1 and "intents.0.name" in r.output
    del bad["intents"][0]
    path.write_text(yaml.safe_dump(bad, allow_unicode=True))
    r = runner.invoke(app, ["content", "validate", str(path)])
    assert (
        r.exit_code == 1
        and "'levering'" in r.output
        and "returns" in r.output
        and "delivery" in r.output
    )
    r = runner.invoke(app, ["content", "validate", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 1 and "cannot read" in r.output


def test_import_then_export_round_trips(env: Path) -> None:
    slug = f"cc-{env.name[-6:].lower().replace('_', '-')}"
    assert (
        runner.invoke(app, ["tenant", "create", "--name", "Content Shop", "--slug", slug]).exit_code
        == 0
    )
    source = env / "content.yaml"
    source.write_text(dump_content(small_content()), encoding="utf-8")
    # A new shop starts with the starter content as version 1.
    r = runner.invoke(app, ["content", "import", str(source), "--tenant", slug])
    assert r.exit_code == 0 and "version 2 published" in r.output
    r = runner.invoke(app, ["content", "import", str(source), "--tenant", slug, "--draft"])
    assert r.exit_code == 0 and "version 3 saved as a draft" in r.output
    out = env / "out.yaml"
    r = runner.invoke(app, ["content", "export", "--tenant", slug, "--output", str(out)])
    assert r.exit_code == 0 and "version 2" in r.output
    assert load_content(out) == small_content()
    r = runner.invoke(app, ["content", "validate", "--tenant", slug])
    assert r.exit_code == 0
    r = runner.invoke(app, ["content", "export", "--tenant", "no-such-shop"])
    assert r.exit_code == 2


def test_import_refuses_invalid_content(env: Path) -> None:
    slug = f"cx-{env.name[-6:].lower().replace('_', '-')}"
    runner.invoke(app, ["tenant", "create", "--name", "X", "--slug", slug])
    path = env / "bad.yaml"
    path.write_text("intents: [{name: x}]\n")
    r = runner.invoke(app, ["content", "import", str(path), "--tenant", slug])
    assert r.exit_code == 1
    # Nothing of the refused file was stored: the shop still has its starter content.
    r = runner.invoke(app, ["content", "export", "--tenant", slug])
    assert r.exit_code == 0 and "name: greeting" in r.output and "name: x\n" not in r.output


def test_demo_content_round_trips_through_yaml() -> None:
    content = load_content(DEMO_CONTENT_DIR)
    assert type(content).model_validate(yaml.safe_load(dump_content(content))) == content


def test_nlu_cross_validate_a_tenants_content_and_held_out_questions(env: Path) -> None:
    slug = f"cv-{env.name[-6:].lower().replace('_', '-')}"
    assert (
        runner.invoke(app, ["tenant", "create", "--name", "CV Shop", "--slug", slug]).exit_code == 0
    )
    source = env / "content.yaml"
    source.write_text(dump_content(small_content()), encoding="utf-8")
    assert runner.invoke(app, ["content", "import", str(source), "--tenant", slug]).exit_code == 0
    questions = env / "held-out.jsonl"
    questions.write_text(
        '{"text": "hejsa med dig", "label": "greeting", "language": "da"}\n'
        '{"text": "how can I send this back", "label": "returns", "language": "en"}\n',
        encoding="utf-8",
    )
    r = runner.invoke(
        app,
        ["nlu", "cross-validate", "--tenant", slug, "--folds", "3", "--held-out", str(questions)],
    )
    assert r.exit_code == 0, r.output
    assert "3-fold cross-validation" in r.output and "weakest intents" in r.output
    assert "held-out questions: 2" in r.output
    r = runner.invoke(
        app,
        ["nlu", "cross-validate", "--content", str(source), "--held-out", str(questions), "--json"],
    )
    assert r.exit_code == 0, r.output
    data = yaml.safe_load(r.stdout)  # one JSON object
    assert set(data["languages"]) == {"da", "en"}
    assert data["overall"]["rows"] == len(small_content().training_rows())
    assert set(data["held_out"]["languages"]) == {"da", "en"}
    assert data["held_out"]["overall"]["rows"] == 2
    assert 0.0 <= data["held_out"]["overall"]["accuracy"] <= 1.0


def test_nlu_cross_validate_refuses_what_it_cannot_measure(env: Path) -> None:
    r = runner.invoke(app, ["nlu", "cross-validate", "--tenant", "no-such-shop"])
    assert r.exit_code == 2 and "no tenant" in r.output
    bad = env / "bad.jsonl"
    bad.write_text('{"text": "hej", "label": "greeting"}\n', encoding="utf-8")
    r = runner.invoke(
        app, ["nlu", "cross-validate", "--content", str(DEMO_CONTENT_DIR), "--held-out", str(bad)]
    )
    assert r.exit_code == 2 and 'bad.jsonl:1: missing or empty "language"' in r.output
