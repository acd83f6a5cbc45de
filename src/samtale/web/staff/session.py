"""Pages for staff (operators, admins, agents): rendering with the shared layout and strict
security headers, and the dependencies that say who is logged in.

Pages redirect to the log-in form when nobody is logged in; JSON APIs answer 401. Every request
that changes something must prove it comes from our own page: forms carry the session's CSRF
token in a hidden field, scripts send it in the `X-CSRF-Token` header.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from samtale.accounts.sessions import Staff, resolve_session
from samtale.bot.content import Content
from samtale.web.assets import assets
from samtale.web.deps import ContainerDep
from samtale.web.errors import ApiError
from samtale.web.i18n import UI_LANGUAGES, translator, ui_language
from samtale.web.staff.labels import labels_for

SESSION_COOKIE = "samtale_session"

templates = Environment(
    loader=PackageLoader("samtale.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the log-in form."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def staff_csp() -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self' ws: wss:; media-src 'self' data:; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


SECURITY_HEADERS = {
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def render(
    request: Request,
    template: str,
    staff: Staff | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = ui_language(request)
    if context.get("labels") is None:
        # A page showing a draft names its topics from that draft (new topics included).
        shown = context.get("content")
        context["labels"] = labels_for(
            request,
            staff.tenant_id if staff else None,
            lang,
            shown if isinstance(shown, Content) else None,
        )
    html = templates.get_template(template).render(
        t=translator(lang),
        lang=lang,
        languages=UI_LANGUAGES,
        staff=staff,
        asset=assets().url,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={"Content-Security-Policy": staff_csp(), **SECURITY_HEADERS},
    )


async def optional_staff(request: Request, runtime: ContainerDep) -> Staff | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    async with runtime.db.transaction() as session:
        return await resolve_session(session, token, runtime.clock)


def _next_path(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


async def page_staff(
    request: Request, staff: Annotated[Staff | None, Depends(optional_staff)]
) -> Staff:
    if staff is None:
        raise LoginRequired(_next_path(request))
    return staff


async def api_staff(
    request: Request, staff: Annotated[Staff | None, Depends(optional_staff)]
) -> Staff:
    if staff is None:
        raise ApiError(401, "unauthorized", "Log in first.")
    if (
        request.method not in ("GET", "HEAD", "OPTIONS")
        and request.headers.get("x-csrf-token") != staff.csrf_token
    ):
        raise ApiError(403, "csrf_failed", "Missing or wrong X-CSRF-Token header.")
    return staff


def _role_check(
    base: Callable[..., Coroutine[Any, Any, Staff]], roles: tuple[str, ...]
) -> Callable[..., Coroutine[Any, Any, Staff]]:
    # A default rather than `Annotated[...]`: with postponed annotations FastAPI resolves
    # annotations in the module's globals, where the closure's `base` does not exist.
    async def check(staff: Staff = Depends(base)) -> Staff:
        if not staff.has_role(*roles):
            raise ApiError(403, "forbidden", "Your role may not do this.")
        return staff

    return check


def page_roles(*roles: str) -> Any:
    """A page dependency: logged in with one of `roles` (else redirect or 403)."""
    return Depends(_role_check(page_staff, roles))


def api_roles(*roles: str) -> Any:
    """An API dependency: logged in with one of `roles` (401 / 403 JSON otherwise)."""
    return Depends(_role_check(api_staff, roles))


def check_form_csrf(staff: Staff, submitted: str | None) -> None:
    if not submitted or submitted != staff.csrf_token:
        raise ApiError(403, "csrf_failed", "The form had expired; reload the page and try again.")


def login_redirect_url(next_path: str) -> str:
    return f"/login?next={quote(next_path, safe='')}"


OptionalStaff = Annotated[Staff | None, Depends(optional_staff)]
PageStaff = Annotated[Staff, Depends(page_staff)]
ApiStaff = Annotated[Staff, Depends(api_staff)]
