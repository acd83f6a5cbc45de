"""Log-in and log-out for staff: a server-rendered form that works without JavaScript.

The form is protected against log-in CSRF with a double-submit token (a random cookie repeated
in a hidden field). A successful log-in sets an HTTP-only, SameSite=Lax session cookie (Secure
wherever the browser is on HTTPS or a loopback address) and sends the person on: to the page
they wanted, else the agent console or the admin pages.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.accounts.login import check_login
from samtale.accounts.sessions import create_session, end_session
from samtale.admin.team import subject
from samtale.app.container import Container
from samtale.kernel.logs import get_logger
from samtale.model import User
from samtale.privacy import audit
from samtale.web.deps import ContainerDep, client_ip
from samtale.web.i18n import LANG_COOKIE, UI_LANGUAGES, translator, ui_language
from samtale.web.staff.session import (
    SESSION_COOKIE,
    ApiStaff,
    OptionalStaff,
    check_form_csrf,
    render,
)

router = APIRouter(include_in_schema=False)
log = get_logger(__name__)

LOGIN_CSRF_COOKIE = "samtale_login_csrf"


def secure_cookies(request: Request) -> bool:
    """Secure cookies are sent over HTTPS, and browsers treat loopback addresses as secure too."""
    host = request.url.hostname or ""
    return (
        request.url.scheme == "https"
        or host in ("localhost", "127.0.0.1", "::1")
        or host.endswith(".localhost")
    )


def safe_next(value: str | None) -> str | None:
    """Only paths on this site (no `//host`, no scheme) are followed after log-in."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def home_for(role: str) -> str:
    return "/admin" if role in ("admin", "operator") else "/console"


def _login_page(
    request: Request,
    next_path: str | None,
    error: str | None = None,
    status: int = 200,
    email: str = "",
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "staff/login.html",
        status_code=status,
        csrf=token,
        next=next_path or "",
        error=error,
        email=email,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/login",
        max_age=3600,
    )
    return response


@router.get("/login")
async def login_form(request: Request, staff: OptionalStaff, next: str | None = None) -> Response:
    if staff is not None:
        return RedirectResponse(safe_next(next) or home_for(staff.role), status_code=303)
    return _login_page(request, safe_next(next))


async def _record_account_lock(runtime: Container, session: AsyncSession, user: User) -> None:
    """An account locked against every address is told to the shop's admins (the audit log,
    `user.login_locked`, and a warning in the logs), never silently."""
    log.warning("login_account_locked", tenant_id=str(user.tenant_id), user_id=str(user.id))
    await audit.record(
        session,
        tenant_id=user.tenant_id,
        actor="system:login",
        action="user.login_locked",
        clock=runtime.clock,
        ids=runtime.ids,
        subject_hash=subject(runtime.settings.effective_secret_key, user),
    )


@router.post("/login")
async def login(
    request: Request,
    runtime: ContainerDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    t = translator(ui_language(request))
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not secrets.compare_digest(cookie, csrf):
        return _login_page(request, safe_next(next), t("login.expired"), status=400, email=email)
    async with runtime.db.transaction() as session:
        result = await check_login(
            session,
            runtime.limiter,
            runtime.settings.effective_secret_key,
            email,
            password,
            client_ip(request, runtime),
        )
        if result.locked_account is not None:
            await _record_account_lock(runtime, session, result.locked_account)
        if result.locked_for:
            minutes = max(1, round(result.locked_for / 60))
            return _login_page(
                request,
                safe_next(next),
                t("login.locked", minutes=minutes),
                status=429,
                email=email,
            )
        if result.user is None:
            return _login_page(request, safe_next(next), t("login.failed"), status=401, email=email)
        user: User = result.user
        token, _row = await create_session(session, user, runtime.clock)
    response = RedirectResponse(safe_next(next) or home_for(user.role), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(
    request: Request,
    runtime: ContainerDep,
    staff: OptionalStaff,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    if staff is not None:
        check_form_csrf(staff, csrf)
        async with runtime.db.transaction() as session:
            await end_session(session, staff.session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/ui-language/{code}")
async def switch_language(request: Request, code: str, back: str | None = None) -> Response:
    response = RedirectResponse(safe_next(back) or "/login", status_code=303)
    if code in UI_LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="lax",
            secure=secure_cookies(request),
            path="/",
        )
    return response


@router.get("/api/v1/me", include_in_schema=False)
async def me(staff: ApiStaff) -> dict[str, object]:
    """Who is logged in (for the console's and admin pages' scripts), with the CSRF token."""
    return {
        "email": staff.email,
        "display_name": staff.display_name,
        "role": staff.role,
        "tenant": staff.tenant_slug,
        "csrf_token": staff.csrf_token,
    }
