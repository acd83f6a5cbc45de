"""`samtale chat`: talk to a tenant's bot in the terminal — the same bot the server runs, with
its actions, without a server."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

import typer

from samtale.conversations.responder import ConversationContext, IncomingMessage

app = typer.Typer(help="Talk to a tenant's bot in the terminal.")


def _print_replies(replies: list[Any]) -> list[dict[str, Any]]:
    buttons: list[dict[str, Any]] = []
    for reply in replies:
        typer.secho(f"bot> {reply.text}", fg=typer.colors.GREEN)
        payload = reply.payload or {}
        if payload.get("type"):
            typer.secho(f"     [{payload['type']} card]", fg=typer.colors.BLUE)
        for b in payload.get("buttons", []):
            buttons.append(b)
            typer.secho(f"     [{len(buttons)}] {b['label']}", fg=typer.colors.CYAN)
    return buttons


@app.callback(invoke_without_command=True)
def chat(
    tenant: Annotated[str, typer.Option(help="The tenant's slug.")] = "demo",
    lang: Annotated[str, typer.Option(help="The language the conversation starts in.")] = "da",
) -> None:
    """Type messages; a number picks a quick reply; an empty line, /quit or Ctrl-D ends."""
    from samtale.app.container import Container
    from samtale.cli.common import load_settings
    from samtale.demo.tenant import ensure_demo
    from samtale.kernel.languages import normalize_language
    from samtale.tenants.service import tenant_by_slug

    language = normalize_language(lang)
    if language is None:
        typer.secho(f"error: unsupported language {lang!r}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    settings = load_settings()

    async def run() -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        runtime = Container.build(settings)
        await runtime.start(migrate=True)
        try:
            async with runtime.db.transaction() as session:
                if tenant == "demo":
                    await ensure_demo(session, runtime.clock, settings.data_dir, [])
                row = await tenant_by_slug(session, tenant)
            if row is None:
                typer.secho(f"error: no tenant {tenant!r}", fg=typer.colors.RED, err=True)
                raise typer.Exit(2)
            typer.echo("Loading the bot…")
            registry: Any = runtime.responders
            await registry.wait_ready()
            await registry.refresh(row.id)
            bot = registry.bot(row.id)
            if bot is None:
                typer.secho(
                    f"error: tenant {tenant!r} has no published bot content",
                    fg=typer.colors.RED,
                    err=True,
                )
                raise typer.Exit(1)
            conv = ConversationContext(
                uuid.uuid4(), row.id, language, "bot", False, {}, runtime.clock.now()
            )
            typer.echo("(an empty line, /quit or Ctrl-D ends the chat; a number picks a button)")
            typer.secho(f"bot> {bot.message('welcome', language)}", fg=typer.colors.GREEN)
            buttons: list[dict[str, Any]] = []
            while True:
                try:
                    text = (await asyncio.to_thread(input, "you> ")).strip()
                except EOFError:
                    break
                if not text or text.lower() in ("/quit", "/exit", "/q"):
                    break
                intent = None
                if text.isdigit() and 0 < int(text) <= len(buttons):
                    button = buttons[int(text) - 1]
                    text, intent = button.get("text") or button["label"], button.get("intent")
                replies = await bot.respond(
                    conv, IncomingMessage(uuid.uuid4(), text, runtime.clock.now(), None, intent)
                )
                buttons = _print_replies(replies)
                note = conv.notes
                typer.secho(
                    f"     ({note.language} · {note.intent} {note.confidence} · {note.outcome})",
                    dim=True,
                )
        finally:
            await runtime.close()

    asyncio.run(run())
