"""Running the server: `samtale serve` and `samtale demo`."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import sys
from typing import Any
from urllib.parse import urlsplit

import uvicorn

from samtale.app.container import Container
from samtale.cli.schema import check_schema
from samtale.demo.mailbox import MailCatcher
from samtale.infra.mail import MailSettings
from samtale.infra.migrate import upgrade
from samtale.kernel.config import Settings
from samtale.kernel.logs import configure_logging, get_logger
from samtale.web.app import create_app

log = get_logger(__name__)

# Pages the demo banner lists, (label, path); features add theirs as they land.
DEMO_PAGES: list[tuple[str, str]] = [
    ("Demo shop", "/"),
    ("Agent console", "/console"),
    ("Admin pages", "/admin"),
    ("Dashboard", "/admin/dashboard"),
    ("API documentation", "/docs"),
    ("Health", "/healthz"),
]


# The demo's caught e-mails (only while its mail catcher runs).
MAIL_PAGE = ("Caught e-mails", "/demo/mail")


def banner(
    settings: Settings, logins: list[tuple[str, str, str]], catcher: MailCatcher | None = None
) -> str:
    base = settings.base_url
    pages = DEMO_PAGES + ([MAIL_PAGE] if catcher is not None else [])
    width = max(len(label) for label, _ in pages)
    lines = ["", "Samtale demo is running.", ""]
    lines += [f"  {label:<{width}}  {base}{path}" for label, path in pages]
    if catcher is not None:
        lines += [
            "",
            f"  E-mail goes to the demo's mail catcher (smtp://127.0.0.1:{catcher.port}); read it"
            f" at {base}{MAIL_PAGE[1]}.",
            "  Set SAMTALE_SMTP_URL to send real mail instead.",
        ]
    lines += [
        "",
        f"  Widget key: demo   (data folder: {settings.data_dir.resolve()})",
        "",
        "  Logins:",
    ]
    lines += [f"    {role:<9} {email:<22} password: {password}" for email, role, password in logins]
    lines += [
        "",
        "  Try it:",
        f"    curl -s -X POST {base}/api/v1/widget/demo/conversations -H 'content-type: application/json' -d '{{\"language\": \"da\"}}'",
        "",
    ]
    return "\n".join(lines)


async def _prepare(
    settings: Settings, runtime: Container, demo: bool
) -> list[tuple[str, str, str]]:
    if demo:
        from samtale.demo.tenant import demo_origins, ensure_demo

        await upgrade(runtime.db)
        async with runtime.db.transaction() as session:
            tenant, logins = await ensure_demo(
                session,
                runtime.clock,
                settings.data_dir,
                demo_origins(settings.base_url, settings.port),
            )
        # The demo shop's help pages, indexed in the background (embedding them the first time
        # takes a little while): its bot answers from them with links to this server.
        task = asyncio.create_task(_index_demo_help(runtime, tenant.id, settings.base_url))
        runtime.on_close(task.cancel)
        return [(login.email, login.role, login.password) for login in logins]
    await check_schema(settings, runtime.db)
    return []


async def _index_demo_help(runtime: Container, tenant_id: Any, base_url: str) -> None:
    from samtale.demo.help import index_demo_help

    try:
        await index_demo_help(runtime.knowledge, tenant_id, base_url)
    except Exception:
        log.exception("demo_help_index_failed")


async def _announce_when_ready(runtime: Container, text: str) -> None:
    """Print the demo's banner once it can answer customers (the bot is loaded)."""
    while not all((await runtime.ready()).values()):  # noqa: ASYNC110 (readiness has several sources)
        await asyncio.sleep(0.5)
    print(text, flush=True)


def start_mail_catcher(settings: Settings) -> MailCatcher | None:
    """The demo's local mail catcher, unless the operator configured a real mail server."""
    if MailSettings().smtp_url:
        return None
    catcher = MailCatcher()
    catcher.start()
    return catcher


def demo_sender(settings: Settings) -> str:
    host = urlsplit(settings.base_url).hostname or "localhost"
    return f"no-reply@{host}"


def _simulate(runtime: Container, settings: Settings) -> None:
    """Demo traffic through the real API once the server answers (`--simulate-traffic`)."""
    from samtale.demo.simulate import TrafficSimulator

    simulator = TrafficSimulator(runtime.db, runtime.live, settings.base_url)
    simulator.start()
    runtime.on_close(simulator.stop)
    print("Simulating customers in five languages (the dashboard fills as they chat)…", flush=True)


def uvicorn_config(app: Any, settings: Settings) -> uvicorn.Config:
    """uvicorn's settings for the app, the same for one process and for each worker."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        # The app pings itself (JSON frames the widget answers), not with protocol pings.
        ws_ping_interval=None,
        # Chat frames are a few hundred bytes of JSON: compressing them saves little on the wire
        # and costs each socket its own zlib state (about 40 KB resident once frames flow, more
        # per socket than the rest of an idle socket together), and CPU on every frame.
        ws_per_message_deflate=False,
        # Frames are refused by size at the protocol layer, before they are read into memory:
        # the apps' own limit (a few KB) is checked after.
        ws_max_size=64 * 1024,
        lifespan="on",
    )


def raise_file_limit() -> None:
    """Every open websocket is a file descriptor: lift the soft limit (often 1,024) to the hard
    one the operator allows, so that an instance can hold `ws_max_visitor_sockets`."""
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY:
            hard = 1 << 20
        if soft != resource.RLIM_INFINITY and soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def quick_switches() -> None:
    # Database drivers (aiosqlite) work in threads that hand results back to the event loop; with
    # the default 5 ms switch interval every hand-back can wait that long for the GIL while the
    # loop is busy, which dominates latency under load. A shorter interval keeps hand-backs quick.
    sys.setswitchinterval(0.0005)


def run_server(settings: Settings, demo: bool, simulate_traffic: bool = False) -> None:
    configure_logging(settings.log_level)
    quick_switches()
    raise_file_limit()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    catcher = start_mail_catcher(settings) if demo else None
    runtime = Container.build(
        settings, mailer=catcher.mailer(demo_sender(settings)) if catcher else None
    )
    if catcher is not None:
        runtime.mail_catcher = catcher
        runtime.on_close(catcher.stop)

    async def main() -> None:
        logins = await _prepare(settings, runtime, demo)
        app = create_app(runtime)
        server = uvicorn.Server(uvicorn_config(app, settings))
        announce = None
        if demo:
            print(
                f"Starting Samtale on {settings.base_url} — the first start trains the demo bot"
                " (about a minute; later starts load it in seconds)…",
                flush=True,
            )
            announce = asyncio.create_task(
                _announce_when_ready(runtime, banner(settings, logins, catcher))
            )
            if simulate_traffic:
                announce.add_done_callback(lambda _t: _simulate(runtime, settings))
        try:
            await server.serve()
        finally:
            if announce is not None:
                announce.cancel()

    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(main())
    except KeyboardInterrupt:
        sys.exit(0)


def loop_factory() -> Any:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return None
    return uvloop.new_event_loop
