"""`samtale content validate|export|import`: a tenant's bot content as YAML."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import ValidationError

from samtale.bot.content import Content, dump_content, load_content
from samtale.bot.content_checks import content_problems
from samtale.kernel.languages import LANGUAGES

app = typer.Typer(
    help="Validate, export and import a tenant's bot content (YAML).", no_args_is_help=True
)


def _load(path: Path) -> Content:
    try:
        return load_content(path)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            typer.secho(f"error: {loc}: {err['msg']}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    except (yaml.YAMLError, OSError) as exc:
        typer.secho(f"error: cannot read {path}: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


async def _with_tenant(slug: str, fn: Any) -> Any:
    from samtale.cli.common import running
    from samtale.tenants.service import tenant_by_slug

    async with running() as container, container.db.transaction() as session:
        tenant = await tenant_by_slug(session, slug)
        if tenant is None:
            typer.secho(f"error: no tenant {slug!r}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
        return await fn(session, tenant)


@app.command()
def validate(
    path: Annotated[Path | None, typer.Argument(help="A YAML file or a folder of them.")] = None,
    tenant: Annotated[
        str | None, typer.Option(help="Validate this tenant's published content instead.")
    ] = None,
) -> None:
    """Check content: the schema, answers in every language, duplicate examples, flows."""
    if (path is None) == (tenant is None):
        typer.secho("error: give a PATH or --tenant", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    if path is not None:
        content = _load(path)
    else:
        from samtale.bot.store import ContentVersions

        async def fetch(session: Any, t: Any) -> Any:
            row = await ContentVersions(session, t.id).published()
            return None if row is None else Content.model_validate(row.content)

        content = asyncio.run(_with_tenant(tenant or "", fetch))
        if content is None:
            typer.secho(
                f"error: tenant {tenant!r} has no published content", fg=typer.colors.RED, err=True
            )
            raise typer.Exit(1)
    errors, warnings = content_problems(content)
    for w in warnings:
        typer.secho(f"warning: {w}", fg=typer.colors.YELLOW)
    for e in errors:
        typer.secho(f"error: {e}", fg=typer.colors.RED)
    examples = {
        lang: len(content.training_rows(lang)) for lang in LANGUAGES if lang in content.languages
    }
    typer.echo(
        f"{len(content.intents)} intents, {len(content.flows)} flows; examples: "
        + ", ".join(f"{k} {v}" for k, v in examples.items())
    )
    if errors:
        raise typer.Exit(1)
    typer.echo("ok")


@app.command("export")
def export_(
    tenant: Annotated[str, typer.Option(help="The tenant's slug.")],
    output: Annotated[
        Path | None, typer.Option(help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Write the tenant's published content as YAML."""
    from samtale.bot.store import ContentVersions

    async def fetch(session: Any, t: Any) -> Any:
        return await ContentVersions(session, t.id).published()

    row = asyncio.run(_with_tenant(tenant, fetch))
    if row is None:
        typer.secho(
            f"error: tenant {tenant!r} has no published content", fg=typer.colors.RED, err=True
        )
        raise typer.Exit(1)
    text = dump_content(Content.model_validate(row.content))
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote version {row.version} to {output}")
    else:
        sys.stdout.write(text)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A YAML file or a folder of them.")],
    tenant: Annotated[str, typer.Option(help="The tenant's slug.")],
    publish: Annotated[
        bool,
        typer.Option(
            "--publish/--draft", help="Make it the live bot (default) or keep it as a draft."
        ),
    ] = True,
) -> None:
    """Validate content and store it as the tenant's new version."""
    from samtale.bot.store import ContentVersions
    from samtale.kernel.clock import SystemClock

    content = _load(path)
    errors, _warnings = content_problems(content)
    if errors:
        for e in errors:
            typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)

    async def save(session: Any, t: Any) -> Any:
        return await ContentVersions(session, t.id).save(
            content, "import", SystemClock(), publish=publish
        )

    row = asyncio.run(_with_tenant(tenant, save))
    state = (
        "published (running servers pick it up within a minute)" if publish else "saved as a draft"
    )
    typer.echo(f"version {row.version} {state}")
