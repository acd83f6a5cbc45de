"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from samtale import __version__
from samtale.app.container import Container
from samtale.tenants.service import tenant_by_widget_key
from samtale.web import health, pages
from samtale.web.admin import audit as admin_audit
from samtale.web.admin import home as admin_home
from samtale.web.admin import knowledge as admin_knowledge
from samtale.web.admin import mailbox as admin_mailbox
from samtale.web.admin import privacy as admin_privacy
from samtale.web.admin import team as admin_team
from samtale.web.admin import tenants as admin_tenants
from samtale.web.admin.bot import api as bot_api
from samtale.web.admin.bot import flows as bot_flows
from samtale.web.admin.bot import pages as bot_pages
from samtale.web.admin.bot import versions as bot_versions
from samtale.web.admin.insights import api as insights_api
from samtale.web.admin.insights import pages as insights_pages
from samtale.web.admin.settings import attachments as settings_attachments
from samtale.web.admin.settings import data as settings_data
from samtale.web.admin.settings import live as settings_live
from samtale.web.admin.settings import pages as settings_pages
from samtale.web.console import api as console_api
from samtale.web.console import attachments as console_attachments
from samtale.web.console import pages as console_pages
from samtale.web.console import ws as console_ws
from samtale.web.errors import install_error_handlers
from samtale.web.middleware import BodyLimitMiddleware, CorsMiddleware, RequestLogMiddleware
from samtale.web.staff import auth
from samtale.web.staff.session import LoginRequired, login_redirect_url
from samtale.web.visitor import attachments as visitor_attachments
from samtale.web.visitor import conversations as visitor_conversations
from samtale.web.visitor import handoff as visitor_handoff
from samtale.web.visitor import printing as visitor_printing
from samtale.web.visitor import privacy as visitor_privacy
from samtale.web.visitor import realtime as visitor_realtime
from samtale.web.visitor import widget as visitor_widget


def create_app(runtime: Container, *, manage_runtime: bool = True) -> FastAPI:
    """The app for one container. With `manage_runtime`, the app's lifespan starts and closes
    it."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if manage_runtime:
            await runtime.start(background=True)
        try:
            yield
        finally:
            if manage_runtime:
                await runtime.close()

    app = FastAPI(
        title="Samtale",
        version=__version__,
        summary="Customer-service chat for web shops: the visitor API.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(login_redirect_url(exc.next_path), status_code=303)

    async def widget_origin_allowed(widget_key: str, origin: str) -> bool:
        async with runtime.db.session() as session:
            tenant = await tenant_by_widget_key(session, widget_key)
        return bool(
            tenant and tenant.active and visitor_conversations.origin_allowed(tenant, origin)
        )

    # Outermost first: CORS wraps everything (errors too), then metrics, then the body limit.
    app.add_middleware(
        BodyLimitMiddleware,
        limit=runtime.settings.max_body_bytes,
        # Only the two upload routes (the visitor's and the console's) stream past the limit.
        streamed=r"/api/v1/(agent/)?conversations/[^/]+/attachments",
    )
    app.add_middleware(RequestLogMiddleware, metrics=runtime.metrics)
    app.add_middleware(CorsMiddleware, origin_allowed=widget_origin_allowed)

    app.include_router(health.router)
    # The visitor API (the widget and third-party clients).
    app.include_router(visitor_conversations.router, prefix="/api/v1")
    app.include_router(visitor_attachments.router, prefix="/api/v1")
    app.include_router(visitor_privacy.router, prefix="/api/v1")
    app.include_router(visitor_printing.router, prefix="/api/v1")
    app.include_router(visitor_realtime.router, prefix="/api/v1")
    app.include_router(visitor_widget.router, prefix="/api/v1")
    app.include_router(visitor_handoff.router, prefix="/api/v1")
    # The admin JSON APIs.
    app.include_router(admin_privacy.router, prefix="/api/v1")
    app.include_router(bot_api.router, prefix="/api/v1")
    app.include_router(insights_api.router, prefix="/api/v1")
    # The agent console.
    app.include_router(console_api.router)
    app.include_router(console_attachments.router)
    app.include_router(console_ws.router)
    app.include_router(console_pages.router)
    # The admin pages.
    app.include_router(admin_home.router)
    app.include_router(bot_pages.router)
    app.include_router(bot_flows.router)
    app.include_router(bot_versions.router)
    app.include_router(insights_pages.router)
    app.include_router(settings_pages.router)
    app.include_router(settings_live.router)
    app.include_router(settings_data.router)
    app.include_router(settings_attachments.router)
    app.include_router(admin_team.router)
    app.include_router(admin_audit.router)
    app.include_router(admin_tenants.router)
    app.include_router(admin_knowledge.router)
    app.include_router(admin_mailbox.router)
    # The demo shop's pages, the widget's files, log-in.
    app.include_router(pages.router)
    app.include_router(auth.router)
    return app
