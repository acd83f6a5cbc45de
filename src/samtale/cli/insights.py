"""`samtale insights …`: a shop's figures from the command line, and recounting its rollups.

    samtale insights stats --tenant SHOP [--from 2026-01-01] [--to 2026-01-31] [--language da]
                           [--csv | --json]
    samtale insights rebuild --tenant SHOP      # after changing the shop's time zone
    samtale insights purge [--tenant SHOP]      # expired statistics and sample items now

Old statistics and sample items also expire with every retention purge (`samtale purge` and the
server's schedule).
"""

from __future__ import annotations

import asyncio
import csv
import sys
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Annotated, Any, TypeVar

import typer

from samtale.cli.common import running

T = TypeVar("T")

app = typer.Typer(
    help="Statistics without personal data: figures, rollups, expiry.", no_args_is_help=True
)

TenantOpt = Annotated[str, typer.Option("--tenant", help="The shop's slug.")]


@app.callback()
def insights() -> None:
    """Statistics without personal data: figures, rollups, expiry."""


def _run(fn: Callable[[Any], Awaitable[T]]) -> T:

    async def main() -> T:
        async with running() as container:
            return await fn(container.db)

    try:
        return asyncio.run(main())
    except LookupError as exc:
        typer.secho(f"error: {str(exc).strip(chr(39))}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


async def _tenant(db: Any, slug: str) -> Any:
    from samtale.tenants.service import tenant_by_slug

    async with db.session() as session:
        tenant = await tenant_by_slug(session, slug)
    if tenant is None:
        raise LookupError(f"no shop {slug!r}")
    return tenant


@app.command()
def stats(
    tenant: TenantOpt,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: 30 days ago).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default: today).")] = None,
    language: Annotated[str | None, typer.Option(help="One language: da, sv, nb, fi, en.")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="One row per day, as CSV.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Every figure, as JSON.")] = False,
) -> None:
    """A shop's figures for a range of its days."""
    from samtale.insights.settings import tenant_zone
    from samtale.insights.stats import Stats, csv_rows
    from samtale.kernel.clock import SystemClock

    async def run(db: Any) -> Any:
        shop = await _tenant(db, tenant)
        today = SystemClock().now().astimezone(tenant_zone(shop)).date()
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
        async with db.session() as session:
            return await Stats(session, shop.id).figures(first, last, language)

    try:
        figures = _run(run)
    except ValueError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(figures.model_dump_json(indent=2))
        return
    if as_csv:
        csv.writer(sys.stdout).writerows(csv_rows(figures))
        return
    t = figures.totals

    def pct(v: float | None) -> str:
        return "–" if v is None else f"{v:.1%}"

    typer.echo(f"{figures.start} – {figures.end}{' (' + language + ')' if language else ''}")
    typer.echo(f"  conversations      {t.conversations:>10,}")
    typer.echo(f"  customer messages  {t.messages:>10,}")
    typer.echo(f"  automation rate    {pct(t.automation_rate):>10}")
    typer.echo(f"  fallback rate      {pct(t.fallback_rate):>10}")
    typer.echo(f"  handoff rate       {pct(t.handoff_rate):>10}")
    typer.echo(f"  queue wait median  {figures.queue_wait.median or '–':>10} s")
    typer.echo(f"  CSAT               {pct(figures.ratings.csat):>10}")
    for i in figures.intents[:5]:
        typer.echo(f"  intent {i.intent:<24} {i.count:>6,}")


@app.command()
def rebuild(tenant: TenantOpt) -> None:
    """Recount a shop's daily and hourly figures from its events (e.g. after a change of time
    zone: days are the shop's local days)."""
    from samtale.insights.events import rebuild_rollups
    from samtale.insights.settings import tenant_zone

    async def run(db: Any) -> int:
        shop = await _tenant(db, tenant)
        async with db.transaction() as session:
            return await rebuild_rollups(session, shop.id, tenant_zone(shop))

    typer.echo(f"counted {_run(run):,} events")


@app.command()
def purge(
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this shop.")] = None,
) -> None:
    """Delete statistics older than each shop's statistics period and expired sample items."""

    async def run() -> Any:
        async with running() as container:
            tid = (await _tenant(container.db, tenant)).id if tenant else None
            return await container.insights.purge.purge(tenant_id=tid)

    report = asyncio.run(run())
    typer.echo(
        f"deleted {report.events:,} events, {report.rollup_rows:,} rollup rows, "
        f"{report.samples:,} sample items"
    )
