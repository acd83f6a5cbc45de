"""What every `samtale` command shares: reading the settings, failing with a clear message, and
the instance's container (`running`), built exactly as the server builds it, so a command runs
the same services and hooks as the server (a purge from cron also expires old statistics and
staff sessions, a deletion publishes to the same hub)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, NoReturn

import typer
from pydantic import ValidationError

from samtale.app.container import Container
from samtale.kernel.config import Settings


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def load_settings(
    host: str | None = None, port: int | None = None, workers: int | None = None
) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        fail(f"invalid configuration: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    updates: dict[str, Any] = {}
    if host:
        updates["host"] = host
    if port:
        updates["port"] = port
    if workers:
        updates["workers"] = workers
    return settings.model_copy(update=updates) if updates else settings


def validation_message(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
    )


@asynccontextmanager
async def running(settings: Settings | None = None) -> AsyncIterator[Container]:
    """The instance's container for one command: the schema brought up to date and the hub
    started; the shops' bots are not loaded (a command that talks to a bot starts them)."""
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    container = Container.build(settings)
    try:
        await container.start(migrate=True, bots=False)
        yield container
    finally:
        await container.close()
