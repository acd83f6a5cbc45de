"""docs/privacy.md stays true: its retention table says what the code does by default, and its
inventory lists every table of the database."""

from __future__ import annotations

import re
from pathlib import Path

from samtale.app.container import Container
from samtale.kernel.config import Settings
from samtale.model import Base
from samtale.model.tenant import DEFAULT_AGENT_RETENTION_DAYS, DEFAULT_BOT_RETENTION_DAYS
from tests.conftest import new_tenant

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|\s*-", line):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows[1:]  # without the header


def retention_table() -> dict[str, str]:
    """Setting name (the first `code` of the row's last cell) -> the default cell."""
    out = {}
    for row in table_rows(section("Retention defaults")):
        m = re.search(r"`([^`]+)`", row[-1])
        out[m.group(1) if m else row[0]] = row[1]
    return out


def number(cell: str) -> int:
    m = re.search(r"\d+", cell)
    assert m, cell
    return int(m.group())


def test_retention_table_matches_the_defaults_in_code() -> None:
    table = retention_table()
    assert number(table["retention_bot_days"]) == DEFAULT_BOT_RETENTION_DAYS
    agent = table["retention_agent_days"]
    if DEFAULT_AGENT_RETENTION_DAYS is None:
        assert "until deletion is requested" in agent
    else:
        assert number(agent) == DEFAULT_AGENT_RETENTION_DAYS
    defaults = Settings.model_fields
    assert (
        number(table["SAMTALE_PURGE_INTERVAL_SECONDS"])
        == defaults["purge_interval_seconds"].default
    )
    assert number(table["SAMTALE_PURGE_BATCH_SIZE"]) == defaults["purge_batch_size"].default


async def test_a_new_shop_gets_the_documented_retention(rt: Container) -> None:
    tenant = await new_tenant(rt.db, rt.clock)
    table = retention_table()
    assert tenant.retention_bot_days == number(table["retention_bot_days"])
    assert tenant.retention_agent_days == DEFAULT_AGENT_RETENTION_DAYS
    assert ("until deletion is requested" in table["retention_agent_days"]) == (
        tenant.retention_agent_days is None
    )


def test_the_inventory_lists_every_table() -> None:
    listed = {
        name
        for row in table_rows(section("Data inventory"))
        for name in re.findall(r"`([a-z_]+)`", row[0])
    }
    tables = set(Base.metadata.tables)
    missing = tables - listed
    assert not missing, f"add these tables to the inventory in docs/privacy.md: {sorted(missing)}"
