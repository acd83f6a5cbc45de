"""The `samtale` command."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from samtale.cli.common import fail, load_settings, running, validation_message

app = typer.Typer(help="Samtale: customer-service chat for web shops.", no_args_is_help=True)
tenant_app = typer.Typer(help="Create and list tenants (shops).", no_args_is_help=True)
user_app = typer.Typer(
    help="Create and list users (operators, admins, agents).", no_args_is_help=True
)
app.add_typer(tenant_app, name="tenant")
app.add_typer(user_app, name="user")


def _mount_features() -> None:
    """The features' own commands (imported here so that `samtale --help` lists them)."""
    from samtale.cli.chat import app as chat_app
    from samtale.cli.content import app as content_app
    from samtale.cli.insights import app as insights_app
    from samtale.cli.knowledge import app as knowledge_app
    from samtale.cli.nlu import app as nlu_app
    from samtale.cli.shop import app as shop_app

    app.add_typer(content_app, name="content")
    app.add_typer(insights_app, name="insights")
    app.add_typer(chat_app, name="chat")
    app.add_typer(nlu_app, name="nlu")
    app.add_typer(shop_app, name="shop")
    app.add_typer(knowledge_app, name="knowledge")


_mount_features()

HostOpt = Annotated[
    str | None,
    typer.Option("--host", help="Address to listen on (default: SAMTALE_HOST or 127.0.0.1)."),
]
PortOpt = Annotated[
    int | None, typer.Option("--port", help="Port to listen on (default: SAMTALE_PORT or 8000).")
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        max=64,
        help="Worker processes serving the port (default: SAMTALE_WORKERS or 1). More than one "
        "needs PostgreSQL and Redis (see docs/deploy.md).",
    ),
]


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (idempotent)."""
    from samtale.infra.migrate import current_revision

    async def run() -> str | None:
        async with running() as container:
            return await current_revision(container.db)

    typer.echo(f"database at revision {asyncio.run(run())}")


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None, workers: WorkersOpt = None) -> None:
    """Run the server (expects a migrated database: run `samtale migrate` on upgrades)."""
    settings = load_settings(host, port, workers)
    if settings.workers > 1:
        from samtale.cli.workers import refusal, supervise

        problem = refusal(settings)
        if problem:
            fail(problem, 2)
        supervise(settings)
    from samtale.cli.server import run_server

    run_server(settings, demo=False)


@app.command()
def demo(
    host: HostOpt = None,
    port: PortOpt = None,
    simulate_traffic: Annotated[
        bool,
        typer.Option(
            "--simulate-traffic",
            help="Made-up customers chat with the demo shop in five languages through the API "
            "(questions, order tracking, handoffs to the demo agent), so the dashboard and the "
            "review inbox have figures.",
        ),
    ] = False,
) -> None:
    """Run the demo: SQLite in the data folder, a demo shop with its bot, and demo logins."""
    from samtale.cli.server import run_server

    settings = load_settings(host, port)
    if settings.workers > 1:
        fail(
            f"the demo runs in one process (SAMTALE_WORKERS is {settings.workers}): its mail "
            "catcher and its simulated traffic live in it. Use `samtale serve --workers N` on "
            "PostgreSQL and Redis for several workers.",
            2,
        )
    run_server(settings, demo=True, simulate_traffic=simulate_traffic)


def _run_db(fn: Any) -> Any:
    async def run() -> Any:
        async with running() as container, container.db.transaction() as session:
            return await fn(session)

    return asyncio.run(run())


@tenant_app.command("create")
def tenant_create(
    name: Annotated[str, typer.Option(help="The shop's name.")],
    slug: Annotated[str, typer.Option(help="Short unique id: lowercase letters, digits, dashes.")],
    origin: Annotated[
        list[str] | None, typer.Option(help="An allowed origin for the widget (repeatable).")
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option(help="A language of the shop (repeatable; default all five)."),
    ] = None,
    default_language: Annotated[str, typer.Option(help="The shop's main language.")] = "da",
    country: Annotated[str, typer.Option(help="The shop's default country (ISO code).")] = "DK",
    time_zone: Annotated[str, typer.Option(help="IANA time zone.")] = "Europe/Copenhagen",
    widget_key: Annotated[
        str | None, typer.Option(help="Public widget key (default: random).")
    ] = None,
) -> None:
    """Create a tenant and print its widget key."""
    from samtale.bot.drafts import publish_starter
    from samtale.kernel.clock import SystemClock
    from samtale.tenants.service import ConflictError, TenantCreate, create_tenant

    try:
        data = TenantCreate(
            name=name,
            slug=slug,
            allowed_origins=origin or [],
            default_language=default_language,
            default_country=country.upper(),
            time_zone=time_zone,
            widget_key=widget_key,
            **({"languages": language} if language else {}),
        )
    except ValidationError as exc:
        fail(validation_message(exc), 2)

    async def run(session: Any) -> Any:
        clock = SystemClock()
        tenant = await create_tenant(session, data, clock)
        await publish_starter(session, tenant, clock)  # the bot answers from the first minute
        return tenant

    try:
        tenant = _run_db(run)
    except ConflictError as exc:
        fail(str(exc), 2)
    typer.echo(f"created tenant {tenant.slug} ({tenant.id})\nwidget key: {tenant.widget_key}")


@tenant_app.command("list")
def tenant_list() -> None:
    """List tenants."""
    from samtale.tenants.service import list_tenants

    async def run(session: Any) -> Any:
        return await list_tenants(session)

    tenants = _run_db(run)
    typer.echo(f"{'slug':<20} {'name':<30} {'widget key':<26} languages")
    for t in tenants:
        typer.echo(f"{t.slug:<20} {t.name[:30]:<30} {t.widget_key:<26} {','.join(t.languages)}")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Log-in e-mail.")],
    role: Annotated[str, typer.Option(help="operator, admin or agent.")],
    tenant: Annotated[
        str | None, typer.Option(help="The tenant's slug (not for operators).")
    ] = None,
    name: Annotated[str, typer.Option(help="Display name shown to customers.")] = "",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Create a user. The password is asked for (or read from stdin), never taken as an argument."""
    from samtale.kernel.clock import SystemClock
    from samtale.tenants.service import ConflictError, UserCreate, create_user, tenant_by_slug

    password = (
        sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
    )
    try:
        data = UserCreate(email=email, password=password, role=role, display_name=name)
    except ValidationError as exc:
        fail(validation_message(exc), 2)

    async def run(session: Any) -> Any:
        t = None
        if tenant:
            t = await tenant_by_slug(session, tenant)
            if t is None:
                raise LookupError(f"no tenant {tenant!r}")
        return await create_user(session, t, data, SystemClock())

    try:
        user = _run_db(run)
    except (ConflictError, LookupError, ValueError) as exc:
        fail(str(exc).strip("'\""), 2)
    typer.echo(f"created {user.role} {user.email}")


@user_app.command("list")
def user_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's users.")] = None,
) -> None:
    """List users."""
    from samtale.tenants.service import list_users, tenant_by_slug

    async def run(session: Any) -> Any:
        t = None
        if tenant:
            t = await tenant_by_slug(session, tenant)
            if t is None:
                raise LookupError(f"no tenant {tenant!r}")
        return await list_users(session, t)

    try:
        users = _run_db(run)
    except LookupError as exc:
        fail(str(exc).strip("'\""), 2)
    typer.echo(f"{'e-mail':<32} {'role':<9} {'active':<7} tenant")
    for u in users:
        typer.echo(
            f"{u.email:<32} {u.role:<9} {'yes' if u.active else 'no':<7} {u.tenant_id or '-'}"
        )


def _mount_privacy() -> None:
    """Privacy: `pii`, `privacy`, `purge` and `tenant delete`."""
    from samtale.cli.pii import app as pii_app
    from samtale.cli.privacy import app as privacy_app
    from samtale.cli.privacy import delete_tenant, purge

    app.add_typer(pii_app, name="pii")
    app.add_typer(privacy_app, name="privacy")
    app.command("purge")(purge)
    tenant_app.command("delete")(delete_tenant)


_mount_privacy()


def _mount_live() -> None:
    """Talking to a person: `tenant config` (pre-chat form, opening hours, canned replies, …)."""
    from samtale.cli.tenant_config import tenant_config

    tenant_app.command("config")(tenant_config)


_mount_live()


def main() -> None:
    app()
