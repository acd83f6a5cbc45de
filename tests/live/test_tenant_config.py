"""`samtale tenant config`: a shop's live-chat settings from a YAML file, validated; opening
hours and holidays in the shop's time zone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from samtale.cli.main import app
from samtale.cli.tenant_config import EXAMPLE
from samtale.live.hours import is_open, next_opening, zone_of
from samtale.live.settings import LiveConfigFile, LiveSettings

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    monkeypatch.setenv("SAMTALE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAMTALE_DATABASE_URL", database_url)
    return tmp_path


def test_a_shop_is_configured_from_a_file(env: Path) -> None:
    slug = f"cfg-{uuid.uuid4().hex[:8]}"
    agent = f"sofie-{slug}@shop.example"
    assert runner.invoke(app, ["tenant", "create", "--name", "Cfg", "--slug", slug]).exit_code == 0
    r = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            agent,
            "--role",
            "agent",
            "--tenant",
            slug,
            "--password-stdin",
        ],
        input="correct horse battery\n",
    )
    assert r.exit_code == 0, r.output
    path = env / "live.yaml"
    example = yaml.safe_load(EXAMPLE)
    example["agents"] = [{"email": agent, "languages": ["da", "sv"], "capacity": 5}]
    example["time_zone"] = "Europe/Stockholm"
    path.write_text(yaml.safe_dump(example, allow_unicode=True))
    r = runner.invoke(app, ["tenant", "config", "--tenant", slug, str(path), "--check"])
    assert r.exit_code == 0 and "is valid" in r.output
    r = runner.invoke(app, ["tenant", "config", "--tenant", slug, str(path)])
    assert r.exit_code == 0, r.output
    assert "5 pre-chat fields" in r.output and "capacity 5" in r.output
    r = runner.invoke(app, ["tenant", "config", "--tenant", slug])
    shown = yaml.safe_load(r.output)
    assert shown["time_zone"] == "Europe/Stockholm"
    assert shown["agents"] == [{"email": agent, "languages": ["da", "sv"], "capacity": 5}]
    assert shown["opening_hours"]["fri"] == ["09:00-16:00"]
    assert [f["name"] for f in shown["prechat_fields"]] == [
        "name",
        "email",
        "order",
        "topic",
        "description",
    ]
    # A bad file changes nothing and says what is wrong, field by field.
    bad = dict(example, opening_hours={"monday": ["17:00-09:00"]}, grace_seconds=1)
    bad["prechat_fields"] = [{"name": "topic", "kind": "choice"}]
    path.write_text(yaml.safe_dump(bad))
    r = runner.invoke(app, ["tenant", "config", "--tenant", slug, str(path)])
    assert r.exit_code == 2
    assert "prechat_fields.0" in r.output and "opening_hours" in r.output
    assert "grace_seconds" in r.output
    # Agents must be the shop's.
    path.write_text(yaml.safe_dump({"agents": [{"email": "nobody@else.example"}]}))
    r = runner.invoke(app, ["tenant", "config", "--tenant", slug, str(path)])
    assert r.exit_code == 2 and "nobody@else.example" in r.output
    r = runner.invoke(app, ["tenant", "config", "--tenant", "no-such-shop", str(path)])
    assert r.exit_code == 2
    assert runner.invoke(app, ["tenant", "config", "--example"]).output == EXAMPLE


def test_the_example_is_valid() -> None:
    LiveConfigFile.model_validate(yaml.safe_load(EXAMPLE))


def hours(**settings: object) -> LiveSettings:
    return LiveSettings.model_validate(settings)


def test_opening_hours_in_the_shop_s_time_zone_with_daylight_saving() -> None:
    s = hours(opening_hours={d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")})
    cph = zone_of("Europe/Copenhagen")
    # Winter: 09:00 local is 08:00 UTC; summer: 07:00 UTC.
    assert not is_open(s, cph, datetime(2026, 1, 5, 7, 59, tzinfo=UTC))
    assert is_open(s, cph, datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    assert is_open(s, cph, datetime(2026, 7, 6, 7, 0, tzinfo=UTC))
    assert not is_open(s, cph, datetime(2026, 7, 6, 15, 0, tzinfo=UTC))
    # Friday evening: back on Monday at 09:00 local; across the spring change (29 March).
    assert next_opening(s, cph, datetime(2026, 3, 27, 17, 0, tzinfo=UTC)) == datetime(
        2026, 3, 30, 7, 0, tzinfo=UTC
    )
    helsinki = zone_of("Europe/Helsinki")
    assert next_opening(s, helsinki, datetime(2026, 1, 5, 6, 0, tzinfo=UTC)) == datetime(
        2026, 1, 5, 7, 0, tzinfo=UTC
    )


def test_holidays_close_days_or_change_their_hours() -> None:
    s = hours(
        opening_hours={d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        holidays=[
            {"date": "2026-12-24"},
            {"date": "2026-12-25"},
            {"date": "2026-12-26", "hours": ["10:00-13:00"]},  # a Saturday, open this once
            {"date": "2026-12-31", "hours": ["09:00-12:00"]},
        ],
    )
    cph = zone_of("Europe/Copenhagen")
    assert not is_open(s, cph, datetime(2026, 12, 24, 10, 0, tzinfo=UTC))
    assert next_opening(s, cph, datetime(2026, 12, 24, 10, 0, tzinfo=UTC)) == datetime(
        2026, 12, 26, 9, 0, tzinfo=UTC
    )
    assert is_open(s, cph, datetime(2026, 12, 31, 10, 59, tzinfo=UTC))
    assert not is_open(s, cph, datetime(2026, 12, 31, 11, 0, tzinfo=UTC))
    assert next_opening(s, cph, datetime(2026, 12, 31, 11, 0, tzinfo=UTC)) == datetime(
        2027, 1, 1, 8, 0, tzinfo=UTC
    )
    # Open around the clock unless configured; a holiday still closes.
    always = hours(holidays=[{"date": date(2026, 12, 24).isoformat()}])
    assert is_open(always, cph, datetime(2026, 12, 23, 3, 0, tzinfo=UTC))
    assert not is_open(always, cph, datetime(2026, 12, 24, 3, 0, tzinfo=UTC))
    # Closed for good: no next opening.
    assert next_opening(hours(opening_hours={}), cph, datetime(2026, 1, 5, tzinfo=UTC)) is None
