"""The privacy commands: `samtale purge` (for cron), `samtale privacy find|delete|export|audit|
retention` (requests about a customer, the audit log, a shop's retention) and `samtale tenant
delete` (an operator removing a whole shop).

    samtale purge --dry-run
    samtale purge --tenant demo --now 2026-06-01T03:00:00+00:00
    samtale privacy find --tenant demo --email anna@example.com
    samtale privacy delete --tenant demo --phone "22 33 44 55" --yes
    samtale privacy export --tenant demo --order 104827361 --output anna.json
    samtale privacy retention --tenant demo --bot-days 30 --agent-days keep

Every call that finds, exports or deletes a customer's data is written to the audit log (actor
`cli`), without the value searched for.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy import select

from samtale.cli.common import load_settings, running
from samtale.infra.database import Database
from samtale.kernel.errors import DomainError
from samtale.kernel.logs import configure_logging
from samtale.model import Tenant
from samtale.privacy import audit
from samtale.privacy.retention import PurgeReport
from samtale.privacy.service import PrivacyService

ACTOR = "cli"
T = TypeVar("T")

app = typer.Typer(
    help="Requests about a customer's data (find, delete, export), the audit log and retention.",
    no_args_is_help=True,
)

TenantOpt = Annotated[str, typer.Option("--tenant", help="The tenant's slug (or id).")]
EmailOpt = Annotated[str | None, typer.Option("--email", help="An e-mail the customer wrote.")]
PhoneOpt = Annotated[str | None, typer.Option("--phone", help="A phone number the customer wrote.")]
OrderOpt = Annotated[
    str | None, typer.Option("--order", help="An order number the customer wrote.")
]
ConversationOpt = Annotated[
    str | None, typer.Option("--conversation", help="A conversation id (e.g. from the widget).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _fail(message: str, code: int = 2) -> Any:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@dataclass
class _Context:
    db: Database
    privacy: PrivacyService


class _Stderr:
    """Standard error as it is at each write (a test runner swaps it per command)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


@asynccontextmanager
async def _context() -> AsyncIterator[_Context]:
    settings = load_settings()
    configure_logging(settings.log_level, _Stderr())  # JSON logs on stderr; stdout is ours
    async with running(settings) as container:
        yield _Context(container.db, container.privacy)


def _run(fn: Callable[[_Context], Awaitable[T]]) -> T:
    async def main() -> T:
        async with _context() as ctx:
            return await fn(ctx)

    try:
        return asyncio.run(main())
    except LookupError as exc:
        return _fail(str(exc).strip("'\""))
    except (DomainError, ValueError) as exc:
        return _fail(str(exc))


async def _tenant(ctx: _Context, ref: str) -> Tenant:
    async with ctx.db.session() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == ref))
        if tenant is None:
            try:
                tenant = await session.get(Tenant, uuid.UUID(ref))
            except ValueError:
                tenant = None
    if tenant is None:
        raise LookupError(f"no tenant {ref!r}")
    return tenant


def _lookup(
    email: str | None, phone: str | None, order: str | None, conversation: str | None
) -> tuple[str, str]:
    given = [
        (kind, value)
        for kind, value in (
            ("email", email),
            ("phone", phone),
            ("order_number", order),
            ("conversation", conversation),
        )
        if value
    ]
    if len(given) != 1:
        _fail("give exactly one of --email, --phone, --order, --conversation")
    return given[0]


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return _fail(f"not an ISO time: {value!r} (e.g. 2026-06-01T03:00:00+00:00)")
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# samtale purge -------------------------------------------------------------------------------


def _report_table(report: PurgeReport, slugs: dict[uuid.UUID, str]) -> str:
    verb = "would delete" if report.dry_run else "deleted"
    lines = [
        f"retention purge at {report.now.isoformat()}" + (" (dry run)" if report.dry_run else ""),
        f"{'tenant':<24} {'bot-only':>9} {'with agent':>11} {'messages':>10} {'batches':>8}",
    ]
    for t in report.tenants:
        name = slugs.get(t.tenant_id, str(t.tenant_id))
        lines.append(
            f"{name:<24} {t.bot_only:>9} {t.with_agent:>11} {t.messages:>10} {t.batches:>8}"
        )
    lines.append(
        f"{verb} {report.conversations} conversations ({report.messages} messages) "
        f"in {report.seconds:.2f} s"
    )
    return "\n".join(lines)


def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing.")
    ] = False,
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="Only this tenant (slug or id).")
    ] = None,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Apply the retention as of this ISO time (default: now)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete the conversations whose retention has run out (for cron; the server also does it
    every SAMTALE_PURGE_INTERVAL_SECONDS). Skips when another instance is purging."""
    when = _parse_time(now)

    async def run(ctx: _Context) -> tuple[PurgeReport | None, dict[uuid.UUID, str]]:
        tid = (await _tenant(ctx, tenant)).id if tenant else None
        report = await ctx.privacy.runner.run_once(when, tenant_id=tid, dry_run=dry_run)
        async with ctx.db.session() as session:
            slugs = {r.id: r.slug for r in await session.execute(select(Tenant.id, Tenant.slug))}
        return report, slugs

    report, slugs = _run(run)
    if report is None:
        typer.echo("another instance is purging; nothing done")
        return
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "now": report.now.isoformat(),
                    "dry_run": report.dry_run,
                    "conversations": report.conversations,
                    "messages": report.messages,
                    "batches": report.batches,
                    "seconds": round(report.seconds, 3),
                    "longest_batch_seconds": round(report.longest_batch_seconds, 3),
                    "tenants": [
                        {
                            "tenant": slugs.get(t.tenant_id, str(t.tenant_id)),
                            "bot_only": t.bot_only,
                            "with_agent": t.with_agent,
                            "messages": t.messages,
                            "batches": t.batches,
                        }
                        for t in report.tenants
                    ],
                }
            )
        )
        return
    typer.echo(_report_table(report, slugs))


# samtale privacy find | delete | export ------------------------------------------------------


@app.command()
def find(
    tenant: TenantOpt,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    order: OrderOpt = None,
    conversation: ConversationOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the customer's conversations (found by the identifier index, not by reading text)."""
    by, value = _lookup(email, phone, order, conversation)

    async def run(ctx: _Context) -> list[dict[str, Any]]:
        t = await _tenant(ctx, tenant)
        return [s.as_dict() for s in await ctx.privacy.find(t.id, by, value, actor=ACTOR)]

    found = _run(run)
    if as_json:
        typer.echo(json.dumps({"conversations": found}))
        return
    if not found:
        typer.echo("no conversations found")
        return
    typer.echo(f"{'conversation':<37} {'started':<26} {'last activity':<26} {'agent':<6} messages")
    for c in found:
        typer.echo(
            f"{c['conversation_id']:<37} {c['started_at']:<26} {c['last_activity_at']:<26} "
            f"{'yes' if c['person_involved'] else 'no':<6} {c['messages']}"
        )


@app.command()
def delete(
    tenant: TenantOpt,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    order: OrderOpt = None,
    conversation: ConversationOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the customer's conversations now, on their request; prints one receipt each."""
    by, value = _lookup(email, phone, order, conversation)

    async def count(ctx: _Context) -> int:
        t = await _tenant(ctx, tenant)
        return len(await ctx.privacy.find(t.id, by, value, actor=ACTOR))

    if not yes:
        n = _run(count)
        if n == 0:
            typer.echo("no conversations found")
            return
        typer.confirm(f"Delete {n} conversation(s) and everything in them?", abort=True)

    async def run(ctx: _Context) -> dict[uuid.UUID, str]:
        t = await _tenant(ctx, tenant)
        return await ctx.privacy.delete(t.id, by, value, actor=ACTOR)

    receipts = _run(run)
    for cid, receipt in receipts.items():
        typer.echo(f"deleted {cid}  receipt {receipt}")
    typer.echo(f"{len(receipts)} conversation(s) deleted")


@app.command()
def export(
    tenant: TenantOpt,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    order: OrderOpt = None,
    conversation: ConversationOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """The customer's data as one JSON file (an access request)."""
    by, value = _lookup(email, phone, order, conversation)

    async def run(ctx: _Context) -> dict[str, Any]:
        t = await _tenant(ctx, tenant)
        return await ctx.privacy.export(t.id, by, value, actor=ACTOR)

    data = json.dumps(_run(run), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(data, nl=False)
        return
    output.write_text(data, encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)


# samtale privacy audit | retention -----------------------------------------------------------


@app.command("audit")
def audit_log(
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="Only this tenant (slug or id).")
    ] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="Only this action, e.g. conversation.deleted.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Read the audit log, newest first (all tenants, or one)."""

    async def run(ctx: _Context) -> list[dict[str, Any]]:
        if tenant:
            try:
                tid = (await _tenant(ctx, tenant)).id
            except LookupError:
                try:
                    tid = uuid.UUID(tenant)  # a deleted tenant's record outlives it
                except ValueError:
                    raise LookupError(f"no tenant {tenant!r}") from None
            entries = await ctx.privacy.tenant_audit(tid, action=action, limit=limit)
        else:
            entries = await ctx.privacy.all_audit(action=action, limit=limit)
        return [audit.entry_dict(e) for e in entries]

    entries = _run(run)
    if as_json:
        typer.echo(json.dumps({"entries": entries}))
        return
    for e in entries:
        details = " ".join(f"{k}={v}" for k, v in e["details"].items())
        subject = f" subject={e['subject_hash'][:16]}…" if e["subject_hash"] else ""
        typer.echo(
            f"{e['created_at']}  {e['tenant_id'] or '-':<36}  {e['actor']:<18} "
            f"{e['action']:<22}{subject} {details}"
        )


def _days(value: str | None) -> int | bool | None:
    """An int, None for `keep`, False when not given."""
    if value is None:
        return False
    if value.strip().lower() in ("keep", "none", "never"):
        return None
    try:
        return int(value)
    except ValueError:
        return _fail(f"days must be a number or 'keep': {value!r}")


@app.command()
def retention(
    tenant: TenantOpt,
    bot_days: Annotated[
        int | None,
        typer.Option(
            "--bot-days", help="Delete bot-only conversations N days after the last message."
        ),
    ] = None,
    agent_days: Annotated[
        str | None,
        typer.Option(
            "--agent-days",
            help="Delete conversations with an agent N days after the last message, "
            "or 'keep' them until deletion is requested.",
        ),
    ] = None,
) -> None:
    """Show a tenant's retention, or change it (audited)."""
    agent = _days(agent_days)

    async def run(ctx: _Context) -> tuple[int, int | None]:
        t = await _tenant(ctx, tenant)
        if bot_days is None and agent is False:
            return t.retention_bot_days, t.retention_agent_days
        new_bot = bot_days if bot_days is not None else t.retention_bot_days
        new_agent = t.retention_agent_days if agent is False else agent
        assert new_agent is not True
        policy = await ctx.privacy.retention.set_retention(t.id, new_bot, new_agent, actor=ACTOR)
        return policy.bot_days, policy.agent_days

    bot, agent_kept = _run(run)
    typer.echo(f"bot-only conversations: deleted {bot} days after the last message")
    typer.echo(
        "conversations with an agent: "
        + (
            "kept until deletion is requested"
            if agent_kept is None
            else f"deleted {agent_kept} days after the last message"
        )
    )


# samtale tenant delete -----------------------------------------------------------------------


def delete_tenant(
    tenant: TenantOpt,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a tenant (shop) and all its data: conversations, users, content, settings. The
    audit log keeps a record of the deletion."""

    async def name(ctx: _Context) -> str:
        t = await _tenant(ctx, tenant)
        return f"{t.slug} ({t.name})"

    if not yes:
        typer.confirm(f"Delete tenant {_run(name)} and all its data?", abort=True)

    async def run(ctx: _Context) -> Any:
        t = await _tenant(ctx, tenant)
        return await ctx.privacy.retention.delete_tenant(t.id, actor=ACTOR)

    result = _run(run)
    typer.echo(
        f"deleted tenant {result.tenant_id}: {result.conversations} conversations, "
        f"{result.messages} messages"
    )
