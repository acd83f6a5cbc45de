"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from samtale import __version__
from samtale.app.container import Container
from samtale.tenants.service import tenant_by_widget_key
from samtale.web import (
    admin,
    admin_audit,
    admin_bot,
    admin_bot_api,
    admin_insights,
    admin_insights_api,
    admin_privacy,
    admin_settings,
    admin_team,
    admin_tenants,
    auth,
    console,
    console_api,
    console_visitor,
    console_ws,
    health,
    pages,
    realtime,
    visitor,
    visitor_privacy,
    widget,
)
from samtale.web.errors import install_error_handlers
from samtale.web.middleware import BodyLimitMiddleware, CorsMiddleware, RequestLogMiddleware
from samtale.web.staff import LoginRequired, login_redirect_url


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
        return bool(tenant and tenant.active and visitor.origin_allowed(tenant, origin))

    # Outermost first: CORS wraps everything (errors too), then metrics, then the body limit.
    app.add_middleware(BodyLimitMiddleware, limit=runtime.settings.max_body_bytes)
    app.add_middleware(RequestLogMiddleware, metrics=runtime.metrics)
    app.add_middleware(CorsMiddleware, origin_allowed=widget_origin_allowed)

    app.include_router(health.router)
    app.include_router(visitor.router, prefix="/api/v1")
    app.include_router(visitor_privacy.router, prefix="/api/v1")
    app.include_router(admin_privacy.router, prefix="/api/v1")
    app.include_router(admin_bot_api.router, prefix="/api/v1")
    app.include_router(admin_insights_api.router, prefix="/api/v1")
    app.include_router(realtime.router, prefix="/api/v1")
    app.include_router(widget.router, prefix="/api/v1")
    app.include_router(console_visitor.router, prefix="/api/v1")
    app.include_router(console_api.router)
    app.include_router(console_ws.router)
    app.include_router(console.router)
    # The admin pages (`web/admin*.py`); features add their own admin routers next to these.
    app.include_router(admin.router)
    app.include_router(admin_bot.router)
    app.include_router(admin_insights.router)
    app.include_router(admin_settings.router)
    app.include_router(admin_team.router)
    app.include_router(admin_audit.router)
    app.include_router(admin_tenants.router)
    app.include_router(pages.router)
    app.include_router(auth.router)
    return app
