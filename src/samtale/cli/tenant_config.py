"""`samtale tenant config --tenant T FILE.yaml`: a shop's settings for talking to a person —
pre-chat fields, opening hours and holidays, canned replies, automatic assignment, grace period,
idle timeout, the agents' languages and capacity, the time zone — validated, then applied.

Without FILE it prints the shop's current settings as YAML (a starting point for editing).
The file replaces the shop's live-chat settings as a whole; agents it names must exist.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import ValidationError
from sqlalchemy import select

from samtale.live.settings import LiveConfigFile, live_settings

EXAMPLE = """\
# samtale tenant config --tenant <slug> this-file.yaml
prechat_fields:
  - {name: name, kind: name, required: true}
  - {name: email, kind: email, required: true}
  - {name: order, kind: order_number}
  - name: topic
    kind: choice
    required: true
    options:
      - {value: delivery, label: {da: Levering, en: Delivery}}
      - {value: returns, label: {da: Returnering, en: Returns}}
  - {name: description, kind: textarea}
opening_hours: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"],
                thu: ["09:00-17:00"], fri: ["09:00-16:00"], sat: ["10:00-14:00"]}
holidays:
  - {date: 2026-12-24, name: Juleaften}
  - {date: 2026-12-31, hours: ["09:00-12:00"]}
canned_replies:
  - {title: Hej, text: "Hej, jeg hedder Sofie. Hvordan kan jeg hjælpe?", language: da}
auto_assign: false
grace_seconds: 120
customer_grace_seconds: 120
idle_timeout_minutes: 30
agents:
  - {email: agent@demo.local, languages: [da, en], capacity: 3}
"""


def _errors(exc: ValidationError) -> str:
    return "\n".join(
        f"  {'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
    )


def load(path: Path) -> LiveConfigFile:
    """Read and validate a config file (raises ValueError with a readable message)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the file must be a mapping of settings")
    try:
        return LiveConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{path} is not valid:\n{_errors(exc)}") from None


async def apply(session: Any, tenant_ref: str, config: LiveConfigFile) -> list[str]:
    """Apply a validated config to the tenant (by slug or widget key); returns what changed."""
    from samtale.model import Tenant, User
    from samtale.tenants.service import tenant_by_slug, tenant_by_widget_key

    tenant: Tenant | None = await tenant_by_slug(session, tenant_ref) or await tenant_by_widget_key(
        session, tenant_ref
    )
    if tenant is None:
        raise LookupError(f"no tenant {tenant_ref!r}")
    users = {
        u.email: u
        for u in (await session.scalars(select(User).where(User.tenant_id == tenant.id))).all()
    }
    missing = [a.email for a in config.agents if a.email.lower() not in users]
    if missing:
        raise LookupError(f"not agents of {tenant.slug}: {', '.join(missing)}")
    done = []
    settings = config.settings()
    tenant.settings = {**(tenant.settings or {}), "live": settings.model_dump(mode="json")}
    done.append(
        f"{len(settings.prechat_fields)} pre-chat fields, "
        f"{'opening hours' if settings.opening_hours is not None else 'open around the clock'}, "
        f"{len(settings.holidays)} holidays, {len(settings.canned_replies)} canned replies, "
        f"auto-assignment {'on' if settings.auto_assign else 'off'}, "
        f"grace {settings.grace_seconds} s, idle timeout {settings.idle_timeout_minutes} min"
    )
    if config.time_zone:
        tenant.time_zone = config.time_zone
        done.append(f"time zone {config.time_zone}")
    for a in config.agents:
        user = users[a.email.lower()]
        if a.languages is not None:
            user.languages = list(dict.fromkeys(a.languages))
        if a.capacity is not None:
            user.capacity = a.capacity
        done.append(
            f"{user.email}: languages {','.join(user.languages) or '-'}, capacity {user.capacity}"
        )
    await session.flush()
    return done


async def current(session: Any, tenant_ref: str) -> dict[str, Any]:
    from samtale.model import User
    from samtale.tenants.service import tenant_by_slug, tenant_by_widget_key

    tenant = await tenant_by_slug(session, tenant_ref) or await tenant_by_widget_key(
        session, tenant_ref
    )
    if tenant is None:
        raise LookupError(f"no tenant {tenant_ref!r}")
    data: dict[str, Any] = live_settings(tenant).model_dump(mode="json")
    data["time_zone"] = tenant.time_zone
    agents = (
        await session.scalars(
            select(User).where(User.tenant_id == tenant.id, User.role.in_(("agent", "admin")))
        )
    ).all()
    data["agents"] = [
        {"email": u.email, "languages": list(u.languages or []), "capacity": u.capacity}
        for u in agents
    ]
    return data


def tenant_config(
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="The tenant's slug (or widget key).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Argument(help="A YAML file; without it, the current settings are printed."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only validate the file; change nothing.")
    ] = False,
    example: Annotated[bool, typer.Option("--example", help="Print an example file.")] = False,
) -> None:
    """A shop's settings for talking to a person: pre-chat fields, opening hours, holidays,
    canned replies, agents' languages and capacity, auto-assignment, grace period, idle timeout."""
    from samtale.cli.common import running

    if example:
        typer.echo(EXAMPLE, nl=False)
        return
    if not tenant:
        typer.secho("error: --tenant is required", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    ref = tenant
    config = None
    if file is not None:
        try:
            config = load(file)
        except ValueError as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None
        if check:
            typer.echo(f"{file} is valid")
            return

    async def run() -> Any:
        async with running() as container, container.db.transaction() as session:
            if config is None:
                return await current(session, ref)
            return await apply(session, ref, config)

    try:
        result = asyncio.run(run())
    except LookupError as exc:
        typer.secho(f"error: {str(exc).strip(chr(39))}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    if config is None:
        typer.echo(yaml.safe_dump(result, allow_unicode=True, sort_keys=False), nl=False)
        return
    typer.echo(f"updated {tenant}:")
    for line in result:
        typer.echo(f"  {line}")
