"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn on loopback.

One server and one browser serve the whole session; every test gets a fresh browser context
(empty storage, so a new visitor). The shop pages the widget is embedded in are served at
`http://localhost:<port>/__shop/<site>/` — another origin than Samtale's `http://127.0.0.1:<port>`,
as on a real shop (and, like a real shop, not a more public address than the Samtale server,
which Chromium's local-network rules would refuse) — with or without the strict
Content-Security-Policy of the widget issue. The demo page is
served by Samtale itself.

Screenshots of the main states go to `test-results/browser/<test>/` (git-ignored); look at them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.responses import HTMLResponse

from samtale.app.container import Container
from samtale.cli.server import uvicorn_config
from samtale.conversations.responder import (
    ConversationContext,
    IncomingMessage,
    Reply,
    StaticRegistry,
)
from samtale.demo.tenant import demo_origins, ensure_demo
from samtale.model import Tenant
from samtale.web.app import create_app
from tests.conftest import free_port, make_settings, new_tenant

CHROMIUM = "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = REPO / "test-results" / "browser"
WIDGET_KEY = "wk-browser"
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _cards() -> tuple[dict[str, Any], dict[str, Any]]:
    """A tracking card and a product list, built by the shop's own payload functions."""
    from samtale.shop.models import Image, PickupPoint, Product, Shipment, ShipmentEvent, Variant
    from samtale.shop.payloads import product_card, product_list, tracking_card

    utc = datetime.UTC
    shipment = Shipment(
        tracking_number="RB123456785DK",
        carrier="postnord",
        status="in_transit",
        expected_delivery=datetime.date(2026, 11, 28),
        delivery_method="pickup",
        pickup_point=PickupPoint(
            name="Netto Nørrebrogade",
            address="Nørrebrogade 12",
            postcode="2200",
            city="København N",
        ),
        events=[
            ShipmentEvent(
                at=datetime.datetime(2026, 11, 25, 16, 2, tzinfo=utc), code="handed_to_carrier"
            ),
            ShipmentEvent(
                at=datetime.datetime(2026, 11, 26, 8, 10, tzinfo=utc),
                code="at_terminal",
                location="Taastrup",
            ),
        ],
        tracking_url="https://tracking.example/RB123456785DK",
    )
    tracking = tracking_card(shipment, "da", "Europe/Copenhagen", order_number="104827361")
    jacket = Product(
        sku="NH-1001",
        names={"da": "Regnjakke Byge"},
        prices={"DKK": Decimal("1199")},
        variants=[Variant(sku=f"NH-1001-{s}", colour="red", size=s, stock=3) for s in "SML"],
        images=[Image(url=RED_PIXEL)],
        url="https://nordhjem.example/p/NH-1001",
    )
    short = Product(
        sku="NH-1002",
        names={"da": "Regnjakke Byge, kort"},
        prices={"DKK": Decimal("999")},
        variants=[Variant(sku="NH-1002-M", colour="red", size="M", stock=0)],
        images=[Image(url="javascript:alert(1)")],
        url="javascript:alert(2)",
    )
    long = Product(
        sku="NH-1003",
        names={"da": "Regnjakke Byge, lang"},
        prices={"DKK": Decimal("1399")},
        variants=[Variant(sku="NH-1003-L", colour="red", size="L", stock=1)],
        images=[Image(url="/static/no-such-picture.jpg")],  # a picture that does not load
        url="https://nordhjem.example/p/NH-1003",
    )
    products = product_list([product_card(p, "da", "DKK") for p in (jacket, short, long)])
    return tracking, products


RED_PIXEL = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 4 4'%3E"
    "%3Crect width='4' height='4' fill='%23c8553d'/%3E%3C/svg%3E"
)
TRACKING_CARD, PRODUCT_CARDS = _cards()


class WidgetResponder:
    """A test bot with one answer per test scenario."""

    async def respond(
        self, conversation: ConversationContext, message: IncomingMessage
    ) -> list[Reply]:
        text = message.text.lower()
        if message.intent == "talk_to_person":
            conversation.requested_state = "queued"
            return [
                Reply("Jeg sender dig videre til en kollega fra kundeservice."),
                Reply("Du er nu i kø hos kundeservice.", author="system"),
            ]
        if message.intent == "delivery_methods":
            return [Reply("Vi leverer med PostNord, GLS og DAO.")]
        if "knapper" in text:
            return [
                Reply(
                    "Hvad vil du vide mere om?",
                    payload={
                        "buttons": [
                            {"label": "Levering", "intent": "delivery_methods"},
                            {"label": "Retur", "text": "Hvordan returnerer jeg?"},
                        ]
                    },
                )
            ]
        if "pakke" in text:
            return [Reply("Din pakke er på vej.", payload=TRACKING_CARD)]
        if "jakke" in text:
            return [Reply("Her er tre regnjakker:", payload=PRODUCT_CARDS)]
        if "links" in text:
            return [
                Reply(
                    "Se https://nordhjem.example/konto eller [vores side](https://nordhjem.example/retur). "
                    "Ikke [denne](javascript:alert(3)) <b>fed</b>."
                )
            ]
        return [Reply(f"Svar: {message.text}")]


@dataclass
class WidgetServer:
    runtime: Container
    url: str  # Samtale, at http://127.0.0.1:<port>
    tenant: Tenant
    shop: str  # the shop's pages, at http://localhost:<port>: another origin, same machine
    pages: dict[str, tuple[str, bool]] = field(default_factory=dict)  # site → (html, strict CSP)
    app: Any = None  # Samtale's app, as uvicorn serves it

    @property
    def script_tag(self) -> str:
        return f'<script src="{self.url}/widget.js" data-samtale-key="{WIDGET_KEY}" async></script>'

    def csp(self) -> str:
        ws = self.url.replace("http://", "ws://")
        return (
            "default-src 'none'; "
            f"script-src {self.url}; "
            f"connect-src {self.url} {ws}; "
            f"img-src {self.url} data:; "
            f"style-src {self.url}"
        )


@pytest.fixture(scope="session")
async def widget_server(
    database_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[WidgetServer]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    shop = f"http://localhost:{port}"
    rt = Container.build(
        make_settings(database_urls["sqlite"], data_dir, port=port),
        responders=StaticRegistry(WidgetResponder()),
    )
    await rt.start()
    async with rt.db.transaction() as session:
        await ensure_demo(session, rt.clock, data_dir, demo_origins(url, port))
    tenant = await new_tenant(
        rt.db,
        rt.clock,
        widget_key=WIDGET_KEY,
        allowed_origins=[shop, url],
        slug=f"browser-{port}",
    )
    async with rt.db.transaction() as session:
        stored = await session.get(Tenant, tenant.id)
        assert stored is not None
        stored.settings = {
            "widget": {
                "bot_name": "Nora",
                "primary_color": "#2f5d50",
                "privacy_policy_url": "/privatliv",
                "starters": {"da": [{"label": "Levering", "intent": "delivery_methods"}]},
            }
        }
    app = create_app(rt, manage_runtime=False)
    widget_server = WidgetServer(rt, url, tenant, shop)

    async def shop_page_route(site: str, rest: str = "") -> HTMLResponse:
        html, strict = widget_server.pages[site]
        headers = {"content-security-policy": widget_server.csp()} if strict else {}
        return HTMLResponse(html, headers=headers)

    app.add_api_route("/__shop/{site}/{rest:path}", shop_page_route, include_in_schema=False)
    widget_server.app = app
    # The product's own uvicorn settings (websocket compression and frame limits included).
    config = uvicorn_config(app, rt.settings.model_copy(update={"host": "127.0.0.1", "port": port}))
    config.lifespan = "off"
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield widget_server
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 10)
    await rt.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    if not HAVE_CHROMIUM:
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        await b.close()


def shop_page(server: WidgetServer, *, lang: str = "da", body: str = "", head: str = "") -> str:
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Testbutik</title>{head}</head>
<body><h1>Testbutik</h1><p>Varer og priser.</p><button id="outside">Knap på siden</button>{body}
{server.script_tag}
</body></html>"""


@dataclass
class Visit:
    """One visitor's browser context and page, with what the page logged."""

    context: Any
    page: Any
    shots: Path
    console: list[str]
    dialogs: list[str]

    def part(self, hook: str) -> Any:
        return self.page.locator(f'[data-samtale="{hook}"]')

    async def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        await self.page.screenshot(path=str(path))
        return path

    async def open(self) -> None:
        await self.part("launcher").click()
        await self.part("composer").wait_for(state="visible")

    async def say(self, text: str) -> None:
        await self.part("composer").fill(text)
        await self.part("composer").press("Enter")

    async def reply(self, text: str) -> Any:
        """Wait for a bot or agent message that contains `text`."""
        loc = self.page.locator('[data-samtale="reply"]', has_text=text)
        await loc.first.wait_for(state="visible")
        return loc.first

    async def stored(self) -> dict[str, Any]:
        raw = await self.page.evaluate(f"localStorage.getItem('samtale:{WIDGET_KEY}')")
        return json.loads(raw) if raw else {}

    def csp_violations(self) -> list[str]:
        return [line for line in self.console if "Content Security Policy" in line]


@pytest.fixture
async def visit(
    browser: Any, widget_server: WidgetServer, request: pytest.FixtureRequest
) -> AsyncIterator[Callable[..., Awaitable[Visit]]]:
    """`await visit(html, csp=True, path="/", context=None, **context_options)`: a visitor on a
    shop page (a new browser context unless one is given)."""
    contexts: list[Any] = []
    shots = RESULTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shots.mkdir(parents=True, exist_ok=True)

    async def make(
        html: str | None = None,
        *,
        csp: bool = False,
        path: str = "/",
        context: Any = None,
        **options: Any,
    ) -> Visit:
        if context is None:
            options.setdefault("viewport", {"width": 1280, "height": 800})
            options.setdefault("locale", "da-DK")
            context = await browser.new_context(**options)
            contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        site = uuid.uuid4().hex[:12]
        widget_server.pages[site] = (html or shop_page(widget_server), csp)
        page = await context.new_page()
        console: list[str] = []
        dialogs: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))

        async def on_dialog(d: Any) -> None:
            dialogs.append(d.message)
            await d.dismiss()

        page.on("dialog", on_dialog)
        await page.goto(f"{widget_server.shop}/__shop/{site}{path}")
        try:
            await page.locator('[data-samtale="launcher"]').wait_for(state="visible")
        except Exception as exc:
            raise AssertionError(f"no launcher; the page logged: {console}") from exc
        return Visit(context, page, shots, console, dialogs)

    yield make
    for c in contexts:
        with contextlib.suppress(Exception):
            await c.close()


@pytest.fixture
def api(widget_server: WidgetServer) -> Callable[..., Any]:
    """The visitor API as a test client sees it (for checks behind the widget's back)."""
    import httpx

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=widget_server.url, timeout=10)

    return client


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs axe-core for the tests")
    return AXE.read_text()
