"""Pages and files for browsers: the widget loader and bundle, and the demo shop.

- `/widget.js`: the loader the shop's script tag points at (see `web/assets.py`);
- `/static/<name>`: the widget bundle and the demo page's files, under content hashes;
- `/` and `/privatliv`: "Nordhjem", a small fake shop in Danish with the widget on it, when the
  demo tenant exists (`samtale demo`); otherwise `/` only says what is running here.

The demo pages are served with the strict Content-Security-Policy the widget is built for (no
inline scripts or styles), so the demo shows that it works there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from samtale.demo.shop.window import shop_window
from samtale.demo.tenant import DEMO_WIDGET_KEY
from samtale.model import Tenant
from samtale.tenants.service import tenant_by_widget_key
from samtale.web.assets import IMMUTABLE, SHORT, assets
from samtale.web.deps import ContainerDep
from samtale.web.errors import not_found

router = APIRouter(include_in_schema=False)

templates = Environment(
    loader=PackageLoader("samtale.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_csp(request: Request) -> str:
    """The strict policy of every page: only this origin may run scripts, style, load images and
    connect (over HTTP and websockets)."""
    origin = f"{request.url.scheme}://{request.url.netloc}"
    ws_origin = origin.replace("http", "ws", 1)
    return (
        "default-src 'none'; "
        f"script-src {origin}; "
        f"connect-src {origin} {ws_origin}; "
        f"img-src {origin} data:; "
        f"style-src {origin}; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _html(request: Request, template: str, **context: object) -> HTMLResponse:
    html = templates.get_template(template).render(
        asset=assets().url, widget_key=DEMO_WIDGET_KEY, **context
    )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": page_csp(request),
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )


async def _demo_tenant(runtime: ContainerDep) -> Tenant | None:
    async with runtime.db.session() as session:
        tenant = await tenant_by_widget_key(session, DEMO_WIDGET_KEY)
    return tenant if tenant is not None and tenant.active else None


async def _demo_running(runtime: ContainerDep) -> bool:
    return await _demo_tenant(runtime) is not None


@router.get("/widget.js")
async def widget_loader(request: Request) -> Response:
    return assets().loader.response(request, SHORT)


@router.get("/static/{name}")
async def static_file(request: Request, name: Annotated[str, Path(max_length=100)]) -> Response:
    found = assets().find(name)
    if found is None:
        raise not_found("file")
    asset, hashed = found
    return asset.response(request, IMMUTABLE if hashed else SHORT)


@router.get("/", response_class=HTMLResponse)
async def front_page(request: Request, runtime: ContainerDep) -> HTMLResponse:
    tenant = await _demo_tenant(runtime)
    if tenant is None:
        return _html(request, "front.html")
    # The window shows the catalogue the bot answers from (`demo/shop/window.py`).
    catalogue = await runtime.shop.catalogue(tenant.id)
    return _html(
        request,
        "demo_shop.html",
        products=shop_window(catalogue.products),
        demo_mail=runtime.mail_catcher is not None,
    )


@router.get("/privatliv", response_class=HTMLResponse)
async def privacy_page(request: Request, runtime: ContainerDep) -> HTMLResponse:
    if not await _demo_running(runtime):
        raise not_found("page")
    return _html(request, "demo_privacy.html", demo_mail=runtime.mail_catcher is not None)


@router.get("/help/{language}/{topic}", response_class=HTMLResponse)
async def demo_help_page(
    request: Request,
    runtime: ContainerDep,
    language: Annotated[str, Path(max_length=2)],
    topic: Annotated[str, Path(max_length=20)],
) -> HTMLResponse:
    """The demo shop's help pages, the ones its bot answers from (`demo/help.py`)."""
    from samtale.demo.help import demo_page

    found = demo_page(language, topic)
    if found is None or not await _demo_running(runtime):
        raise not_found("page")
    return HTMLResponse(
        found.read_text(encoding="utf-8"),
        headers={
            # Static text: no script, its own inline style only.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )
