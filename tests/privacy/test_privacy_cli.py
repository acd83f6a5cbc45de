"""The privacy commands: `samtale purge`, `samtale privacy find|delete|export|audit|retention`
and `samtale tenant delete`, against the same database the server writes."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from samtale.app.container import Container
from samtale.cli.main import app
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from tests.conftest import new_tenant
from tests.privacy.conftest import audit_of, chat, exists, involve_person

runner = CliRunner()

EMAIL = "jonas.lindqvist@example.se"


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, rt: Container
) -> Container:
    monkeypatch.setenv("SAMTALE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAMTALE_DATABASE_URL", database_url)
    monkeypatch.setenv("SAMTALE_SECRET_KEY", rt.settings.effective_secret_key)
    monkeypatch.delenv("SAMTALE_REDIS_URL", raising=False)
    return rt


async def samtale(*args: str, input: str | None = None) -> Result:
    """Run the command in a thread of its own (it runs its own event loop)."""
    return await asyncio.to_thread(runner.invoke, app, list(args), input=input)


def test_help() -> None:
    for args in (
        ["purge"],
        ["privacy"],
        ["privacy", "find"],
        ["privacy", "delete"],
        ["privacy", "export"],
        ["privacy", "audit"],
        ["privacy", "retention"],
        ["tenant", "delete"],
        ["pii", "redact"],
    ):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)


async def test_purge_dry_run_tenant_and_now(
    cli_env: Container, api: httpx.AsyncClient, clock: ManualClock
) -> None:
    rt = cli_env
    tenant = await new_tenant(rt.db, clock)
    other = await new_tenant(rt.db, clock)
    convs = [await chat(api, tenant, "hej") for _ in range(3)]
    kept = await chat(api, other, "hej")
    later = (clock.now() + timedelta(days=90)).isoformat()
    early = (clock.now() + timedelta(days=89)).isoformat()

    r = await samtale("purge", "--tenant", tenant.slug, "--now", early)
    assert r.exit_code == 0, r.output
    assert "deleted 0 conversations" in r.output

    r = await samtale("purge", "--tenant", tenant.slug, "--now", later, "--dry-run")
    assert r.exit_code == 0, r.output
    assert "would delete 3 conversations (6 messages)" in r.output and "(dry run)" in r.output
    assert all([await exists(rt.db, c["id"]) for c in convs])

    r = await samtale("purge", "--tenant", tenant.slug, "--now", later, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["conversations"] == 3 and data["tenants"][0]["tenant"] == tenant.slug
    assert not any([await exists(rt.db, c["id"]) for c in convs])
    assert await exists(rt.db, kept["id"])

    r = await samtale("purge", "--tenant", "no-such-shop")
    assert r.exit_code == 2 and "no tenant" in r.output
    r = await samtale("purge", "--now", "yesterday")
    assert r.exit_code == 2 and "ISO time" in r.output


async def test_find_export_delete_and_audit(
    cli_env: Container, api: httpx.AsyncClient, tenant: Tenant, tmp_path: Path
) -> None:
    rt = cli_env
    conv = await chat(api, tenant, f"hej, {EMAIL} här", language="sv")
    await involve_person(rt.db, conv["id"])
    other = await chat(api, tenant, "hej")

    r = await samtale("privacy", "find", "--tenant", tenant.slug, "--email", EMAIL.upper())
    assert r.exit_code == 0, r.output
    assert str(conv["id"]) in r.output and str(other["id"]) not in r.output
    r = await samtale("privacy", "find", "--tenant", tenant.slug, "--email", EMAIL, "--json")
    assert [c["conversation_id"] for c in json.loads(r.stdout)["conversations"]] == [
        str(conv["id"])
    ]
    r = await samtale(
        "privacy", "find", "--tenant", tenant.slug, "--email", "x@y.se", "--phone", "1"
    )
    assert r.exit_code == 2 and "exactly one" in r.output

    out = tmp_path / "access.json"
    r = await samtale(
        "privacy", "export", "--tenant", tenant.slug, "--email", EMAIL, "--output", str(out)
    )
    assert r.exit_code == 0, r.output
    export = json.loads(out.read_text())
    assert export["format"] == "samtale-access-request"
    assert export["conversations"][0]["messages"][0]["text"] == f"hej, {EMAIL} här"

    r = await samtale("privacy", "delete", "--tenant", tenant.slug, "--email", EMAIL, input="n\n")
    assert r.exit_code != 0 and await exists(rt.db, conv["id"])
    r = await samtale("privacy", "delete", "--tenant", tenant.slug, "--email", EMAIL, input="y\n")
    assert r.exit_code == 0, r.output
    assert "1 conversation(s) deleted" in r.output
    assert rt.privacy.receipt(tenant.id, conv["id"]) in r.output
    assert not await exists(rt.db, conv["id"]) and await exists(rt.db, other["id"])
    r = await samtale(
        "privacy", "delete", "--tenant", tenant.slug, "--conversation", str(other["id"]), "--yes"
    )
    assert r.exit_code == 0 and not await exists(rt.db, other["id"])

    r = await samtale("privacy", "audit", "--tenant", tenant.slug, "--json")
    assert r.exit_code == 0, r.output
    entries = json.loads(r.stdout)["entries"]
    actions = sorted(e["action"] for e in entries)
    assert actions.count("conversation.deleted") == 2
    assert "privacy.export" in actions and "privacy.search" in actions
    assert {e["actor"] for e in entries} == {"cli"}
    assert EMAIL.split("@")[0] not in r.output and str(conv["id"]) not in r.output
    r = await samtale("privacy", "audit", "--limit", "5")
    assert r.exit_code == 0 and len(r.stdout.strip().splitlines()) == 5


async def test_retention_command(cli_env: Container, tenant: Tenant) -> None:
    r = await samtale("privacy", "retention", "--tenant", tenant.slug)
    assert r.exit_code == 0
    assert "deleted 90 days after the last message" in r.output
    assert "kept until deletion is requested" in r.output
    r = await samtale("privacy", "retention", "--tenant", tenant.slug, "--agent-days", "180")
    assert r.exit_code == 0 and "deleted 180 days" in r.output
    r = await samtale(
        "privacy", "retention", "--tenant", tenant.slug, "--bot-days", "30", "--agent-days", "keep"
    )
    assert r.exit_code == 0 and "deleted 30 days" in r.output and "kept until" in r.output
    r = await samtale("privacy", "retention", "--tenant", tenant.slug, "--bot-days", "0")
    assert r.exit_code == 2 and "1 to 3650" in r.output
    changes = [e for e in await audit_of(cli_env.db, tenant.id) if e.action == "retention.changed"]
    assert len(changes) == 2


async def test_tenant_delete(cli_env: Container, api: httpx.AsyncClient) -> None:
    rt = cli_env
    tenant = await new_tenant(rt.db, rt.clock)
    conv = await chat(api, tenant, "hej")
    r = await samtale("tenant", "delete", "--tenant", tenant.slug, input="n\n")
    assert r.exit_code != 0 and await exists(rt.db, conv["id"])
    r = await samtale("tenant", "delete", "--tenant", tenant.slug, "--yes")
    assert r.exit_code == 0, r.output
    assert "1 conversations" in r.output
    assert not await exists(rt.db, conv["id"])
    async with rt.db.session() as session:
        assert await session.get(Tenant, tenant.id) is None
    # The record outlives the tenant, and is found by the tenant's id.
    r = await samtale("privacy", "audit", "--tenant", str(tenant.id), "--json")
    entries: list[dict[str, Any]] = json.loads(r.stdout)["entries"]
    assert [e["action"] for e in entries] == ["tenant.deleted"]
