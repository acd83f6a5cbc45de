"""The `samtale` command: migrate, tenants, users, and the demo's idempotent set-up."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samtale.cli.main import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    monkeypatch.setenv("SAMTALE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAMTALE_DATABASE_URL", database_url)
    return tmp_path


def test_help_everywhere() -> None:
    for args in (
        [],
        ["tenant"],
        ["user"],
        ["demo"],
        ["serve"],
        ["migrate"],
        ["tenant", "create"],
        ["user", "create"],
    ):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)
        assert "Usage" in result.output


def test_tenant_and_user_commands(env: Path) -> None:
    r = runner.invoke(app, ["migrate"])
    assert r.exit_code == 0 and "revision" in r.output
    slug = f"cli-{env.name[-8:].lower().replace('_', '-')}"
    r = runner.invoke(
        app,
        [
            "tenant",
            "create",
            "--name",
            "CLI Shop",
            "--slug",
            slug,
            "--origin",
            "https://cli.example",
            "--language",
            "da",
            "--language",
            "no",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "widget key:" in r.output
    r = runner.invoke(app, ["tenant", "create", "--name", "Again", "--slug", slug])
    assert r.exit_code == 2 and "exists" in r.output
    r = runner.invoke(app, ["tenant", "create", "--name", "Bad", "--slug", "Not A Slug"])
    assert r.exit_code == 2 and "slug" in r.output
    r = runner.invoke(
        app, ["tenant", "create", "--name", "Bad", "--slug", "bad-lang", "--language", "de"]
    )
    assert r.exit_code == 2 and "unsupported language" in r.output
    r = runner.invoke(app, ["tenant", "list"])
    assert slug in r.output and "da,nb" in r.output

    email = f"agent-{slug}@cli.example"
    r = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            email,
            "--role",
            "agent",
            "--tenant",
            slug,
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            email,
            "--role",
            "agent",
            "--tenant",
            slug,
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert r.exit_code == 2 and "exists" in r.output
    r = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            "x@cli.example",
            "--role",
            "agent",
            "--tenant",
            slug,
            "--password-stdin",
        ],
        input="short\n",
    )
    assert r.exit_code == 2 and "password" in r.output
    r = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            "y@cli.example",
            "--role",
            "agent",
            "--tenant",
            "nope",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert r.exit_code == 2 and "no tenant" in r.output
    r = runner.invoke(app, ["user", "list", "--tenant", slug])
    assert email in r.output and "a-long-password" not in r.output


async def test_demo_setup_is_idempotent(db, tmp_path: Path) -> None:
    from sqlalchemy import select

    from samtale.demo.tenant import ensure_demo
    from samtale.kernel.clock import ManualClock
    from samtale.kernel.security import verify_password
    from samtale.model import User

    clock = ManualClock()
    async with db.transaction() as s:
        tenant, logins = await ensure_demo(s, clock, tmp_path, ["http://localhost:8000"])
    async with db.transaction() as s:
        tenant2, logins2 = await ensure_demo(s, clock, tmp_path, ["http://localhost:9000"])
    assert tenant.id == tenant2.id and tenant.widget_key == "demo"
    assert [(x.email, x.password) for x in logins] == [(x.email, x.password) for x in logins2]
    assert {x.email for x in logins} == {
        "agent@demo.local",
        "admin@demo.local",
        "operator@demo.local",
    }
    creds = tmp_path / "demo-credentials.json"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert json.loads(creds.read_text())["agent@demo.local"] == logins[0].password
    async with db.session() as s:
        users = {
            u.email: u
            for u in (await s.scalars(select(User).where(User.email.like("%@demo.local")))).all()
        }
        from samtale.model import Tenant

        t = await s.get(Tenant, tenant.id)
    assert t is not None and {"http://localhost:8000", "http://localhost:9000"} <= set(
        t.allowed_origins
    )
    for login in logins:
        user = users[login.email]
        assert (
            verify_password(user.password_hash, login.password)
            and login.password not in user.password_hash
        )
    assert users["operator@demo.local"].tenant_id is None
    assert users["agent@demo.local"].tenant_id == tenant.id
