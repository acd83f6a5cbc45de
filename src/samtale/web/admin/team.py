"""The shop's team (`/admin/team`): invite agents and admins by e-mail, change a person's role,
languages and capacity, deactivate and reactivate; and the pages behind the e-mailed links
(`/account/…`: set a password from an invitation, ask for and use a password reset)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from samtale.accounts.sessions import Staff, create_session
from samtale.admin import mail
from samtale.admin.team import (
    InviteIn,
    MemberIn,
    PasswordIn,
    TeamError,
    do_invite,
    do_reinvite,
    do_set_active,
    do_set_password,
    do_update,
    find_token,
    member,
    members,
    request_reset,
)
from samtale.app.container import Container
from samtale.kernel.languages import LANGUAGES
from samtale.model import Tenant
from samtale.privacy import audit
from samtale.web.admin.bot.pages import LANGUAGE_NAMES, tenant_of
from samtale.web.admin.forms import AdminForm, errors_by_field, t_for
from samtale.web.admin.home import AdminStaff, admin_render
from samtale.web.deps import ContainerDep, client_ip
from samtale.web.errors import not_found
from samtale.web.i18n import ui_language
from samtale.web.staff.auth import secure_cookies
from samtale.web.staff.session import SESSION_COOKIE, render

router = APIRouter(include_in_schema=False)


RESETS_PER_HOUR = 5


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _link(runtime: Container, kind: str, token: str) -> str:
    return f"{runtime.settings.base_url.rstrip('/')}/account/{kind}/{token}"


def _invite_values() -> dict[str, Any]:
    return {"email": "", "display_name": "", "role": "agent", "languages": [], "capacity": "3"}


async def _team_page(
    request: Request,
    runtime: Container,
    staff: Staff,
    tenant: Tenant,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    t = t_for(request)
    async with runtime.db.session() as session:
        team = await members(session, tenant)
    notice = context.pop("notice", None)
    done = request.query_params.get("done")
    if notice is None and done in ("invited", "saved", "deactivated", "reactivated", "resent"):
        notice = t(f"team.done.{done}")
    return admin_render(
        request,
        "admin/team/index.html",
        staff,
        status_code=422 if errors else 200,
        title=t("team.title"),
        team=team,
        values=values or _invite_values(),
        errors=errors or {},
        form_error=t("admin.errors_title") if errors else None,
        all_languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        notice=notice,
        **context,
    )


@router.get("/admin/team", response_class=HTMLResponse)
async def team_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    return await _team_page(request, runtime, staff, tenant)


@router.post("/admin/team/invite")
async def invite(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    t = t_for(request)
    values = {
        "email": form.get("email"),
        "display_name": form.get("display_name"),
        "role": form.get("role") or "agent",
        "languages": form.get_list("languages"),
        "capacity": form.get("capacity"),
    }
    try:
        data = InviteIn.model_validate({**values, "capacity": form.int_or_none("capacity") or 3})
    except ValidationError as exc:
        return await _team_page(request, runtime, staff, tenant, values, errors_by_field(exc, t))
    try:
        async with runtime.db.transaction() as session:
            link = await do_invite(
                session,
                tenant,
                data,
                audit.user_actor(staff.user_id),
                runtime.clock,
                runtime.ids,
                runtime.settings.effective_secret_key,
            )
    except TeamError:
        return await _team_page(
            request, runtime, staff, tenant, values, {"email": t("team.email_taken")}
        )
    sent = await _send_invite(request, runtime, tenant, link.user, link.token)
    if sent:
        return _redirect("/admin/team?done=invited")
    return await _team_page(
        request,
        runtime,
        staff,
        tenant,
        notice=t("team.not_sent"),
        manual_link=_link(runtime, "invite", link.token),
    )


async def _send_invite(
    request: Request, runtime: Container, tenant: Tenant, user: Any, token: str
) -> bool:
    subject, body = mail.compose(
        "invite",
        ui_language(request),
        _link(runtime, "invite", token),
        shop=tenant.name,
        name=user.display_name,
        role=user.role,
    )
    return await mail.send(runtime.admin.mailer, user.email, subject, body)


def _member_values(user: Any) -> dict[str, Any]:
    return {
        "display_name": user.display_name,
        "role": user.role,
        "languages": list(user.languages),
        "capacity": str(user.capacity),
    }


async def _member_page(
    request: Request,
    runtime: Container,
    staff: Staff,
    tenant: Tenant,
    user_id: uuid.UUID,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = t_for(request)
    async with runtime.db.session() as session:
        try:
            user = await member(session, tenant, user_id)
        except TeamError:
            raise not_found("person") from None
        pending = any(u.id == user.id and p for u, p in await members(session, tenant))
    return admin_render(
        request,
        "admin/team/member.html",
        staff,
        status_code=422 if errors else 200,
        title=user.display_name or user.email,
        person=user,
        pending=pending,
        values=values or _member_values(user),
        errors=errors or {},
        form_error=(errors or {}).get("") or (t("admin.errors_title") if errors else None),
        all_languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        crumbs=[(t("team.title"), "/admin/team"), (user.display_name or user.email, None)],
    )


@router.get("/admin/team/{user_id}", response_class=HTMLResponse)
async def member_page(
    request: Request, user_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    return await _member_page(request, runtime, staff, tenant, user_id)


@router.post("/admin/team/{user_id}")
async def save_member(
    request: Request, user_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    t = t_for(request)
    values = {
        "display_name": form.get("display_name"),
        "role": form.get("role"),
        "languages": form.get_list("languages"),
        "capacity": form.get("capacity"),
    }
    try:
        data = MemberIn.model_validate({**values, "capacity": form.int_or_none("capacity")})
    except ValidationError as exc:
        return await _member_page(
            request, runtime, staff, tenant, user_id, values, errors_by_field(exc, t)
        )
    try:
        async with runtime.db.transaction() as session:
            await do_update(
                session,
                tenant,
                user_id,
                data,
                staff.user_id,
                runtime.clock,
                runtime.ids,
                runtime.settings.effective_secret_key,
            )
    except TeamError as exc:
        if exc.code == "not_found":
            raise not_found("person") from None
        return await _member_page(
            request, runtime, staff, tenant, user_id, values, {"role": t(f"team.error.{exc.code}")}
        )
    return _redirect("/admin/team?done=saved")


@router.get("/admin/team/{user_id}/deactivate", response_class=HTMLResponse)
async def deactivate_page(
    request: Request, user_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    t = t_for(request)
    async with runtime.db.session() as session:
        try:
            user = await member(session, tenant, user_id)
        except TeamError:
            raise not_found("person") from None
    return admin_render(
        request,
        "admin/bot/confirm_delete.html",
        staff,
        title=t("team.deactivate_title", name=user.display_name or user.email),
        removes=[
            t("team.deactivate_sessions"),
            t("team.deactivate_chats"),
            t("team.deactivate_kept"),
        ],
        action=f"/admin/team/{user.id}/deactivate",
        back=f"/admin/team/{user.id}",
        button=t("team.deactivate"),
        crumbs=[(t("team.title"), "/admin/team"), (user.display_name or user.email, None)],
    )


async def _set_active(
    request: Request, user_id: uuid.UUID, staff: Staff, runtime: Container, active: bool
) -> Response:
    tenant = await tenant_of(runtime, staff)
    await AdminForm.read(request, staff)
    try:
        async with runtime.db.transaction() as session:
            await do_set_active(
                session,
                tenant,
                user_id,
                active,
                staff.user_id,
                runtime.clock,
                runtime.ids,
                runtime.settings.effective_secret_key,
            )
    except TeamError as exc:
        if exc.code == "not_found":
            raise not_found("person") from None
        return await _member_page(
            request,
            runtime,
            staff,
            tenant,
            user_id,
            errors={"": t_for(request)(f"team.error.{exc.code}")},
        )
    return _redirect("/admin/team?done=" + ("reactivated" if active else "deactivated"))


@router.post("/admin/team/{user_id}/deactivate")
async def deactivate(
    request: Request, user_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    return await _set_active(request, user_id, staff, runtime, False)


@router.post("/admin/team/{user_id}/reactivate")
async def reactivate(
    request: Request, user_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    return await _set_active(request, user_id, staff, runtime, True)


@router.post("/admin/team/{user_id}/resend")
async def resend(
    request: Request, user_id: uuid.UUID, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    tenant = await tenant_of(runtime, staff)
    await AdminForm.read(request, staff)
    try:
        async with runtime.db.transaction() as session:
            link = await do_reinvite(session, tenant, user_id, runtime.clock)
    except TeamError:
        raise not_found("person") from None
    if await _send_invite(request, runtime, tenant, link.user, link.token):
        return _redirect("/admin/team?done=resent")
    t = t_for(request)
    return await _team_page(
        request,
        runtime,
        staff,
        tenant,
        notice=t("team.not_sent"),
        manual_link=_link(runtime, "invite", link.token),
    )


# The e-mailed links: no log-in needed, the link is the proof -------------------------------


ACCOUNT_CSRF_COOKIE = "samtale_account_csrf"


def _account_page(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page of the e-mailed links. Its forms carry a double-submit token (a random cookie
    repeated in a hidden field), as the log-in form does, so no other site can post them."""
    csrf = request.cookies.get(ACCOUNT_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, template, None, status_code=status_code, csrf=csrf, **context)
    # The link's token is in this page's URL: it must not leak to other sites.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.set_cookie(
        ACCOUNT_CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/account",
        max_age=3600,
    )
    return response


def _csrf_ok(request: Request, submitted: Any) -> bool:
    cookie = request.cookies.get(ACCOUNT_CSRF_COOKIE)
    if not cookie or not isinstance(submitted, str):
        return False
    return secrets.compare_digest(cookie, submitted)


async def _password_form(
    request: Request,
    runtime: Container,
    kind: str,
    token: str,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = t_for(request)
    async with runtime.db.session() as session:
        found = await find_token(session, token, kind, runtime.clock)  # type: ignore[arg-type]
        shop = None
        if found is not None and found[1].tenant_id is not None:
            tenant = await session.get(Tenant, found[1].tenant_id)
            shop = tenant.name if tenant else None
    if found is None:
        return _account_page(request, "admin/account/expired.html", status_code=410, kind=kind)
    return _account_page(
        request,
        "admin/account/password.html",
        status_code=422 if errors else 200,
        kind=kind,
        action=f"/account/{kind}/{token}",
        person=found[1],
        shop=shop,
        errors=errors or {},
        title=t(f"account.{kind}.title"),
    )


async def _set_password(request: Request, runtime: Container, kind: str, token: str) -> Response:
    data = await request.form(max_fields=10)
    t = t_for(request)
    if not _csrf_ok(request, data.get("csrf")):
        return await _password_form(request, runtime, kind, token, {"": t("login.expired")})
    try:
        password = PasswordIn.model_validate(
            {"password": str(data.get("password") or ""), "confirm": str(data.get("confirm") or "")}
        )
    except ValidationError as exc:
        errors = errors_by_field(exc, t, lambda loc: "confirm" if not loc else None)
        return await _password_form(request, runtime, kind, token, errors)
    async with runtime.db.transaction() as session:
        user = await do_set_password(
            session,
            token,
            kind,  # type: ignore[arg-type]
            password,
            runtime.clock,
            runtime.ids,
            runtime.settings.effective_secret_key,
        )
        if user is None:
            return _account_page(request, "admin/account/expired.html", status_code=410, kind=kind)
        session_token, _row = await create_session(session, user, runtime.clock)
        home = "/admin" if user.role in ("admin", "operator") else "/console"
    response = _redirect(home)
    response.set_cookie(
        SESSION_COOKIE,
        session_token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    return response


@router.get("/account/invite/{token}", response_class=HTMLResponse)
async def invite_form(request: Request, token: str, runtime: ContainerDep) -> HTMLResponse:
    return await _password_form(request, runtime, "invite", token)


@router.post("/account/invite/{token}")
async def accept_invite(request: Request, token: str, runtime: ContainerDep) -> Response:
    return await _set_password(request, runtime, "invite", token)


@router.get("/account/reset", response_class=HTMLResponse)
async def forgot_form(request: Request) -> HTMLResponse:
    return _account_page(request, "admin/account/forgot.html", email="", sent=False)


@router.post("/account/reset", response_class=HTMLResponse)
async def forgot(request: Request, runtime: ContainerDep) -> HTMLResponse:
    data = await request.form(max_fields=10)
    email = str(data.get("email") or "").strip()[:254]
    if not _csrf_ok(request, data.get("csrf")):
        return _account_page(
            request, "admin/account/forgot.html", email=email, sent=False, expired=True
        )
    ip = client_ip(request, runtime)
    allowed = (await runtime.limiter.hit(f"reset-ip:{ip}", RESETS_PER_HOUR, 3600)).allowed
    allowed = (
        allowed
        and (
            await runtime.limiter.hit(f"reset-mail:{email.lower()}", RESETS_PER_HOUR, 3600)
        ).allowed
    )
    if allowed and email:
        async with runtime.db.transaction() as session:
            link = await request_reset(session, email, runtime.clock)
        if link is not None:
            subject, body = mail.compose(
                "reset",
                ui_language(request),
                _link(runtime, "reset", link.token),
                name=link.user.display_name,
            )
            await mail.send(runtime.admin.mailer, link.user.email, subject, body)
    # The same answer whether the address is known, the mail went out, or the limit was hit.
    return _account_page(request, "admin/account/forgot.html", email=email, sent=True)


@router.get("/account/reset/{token}", response_class=HTMLResponse)
async def reset_form(request: Request, token: str, runtime: ContainerDep) -> HTMLResponse:
    return await _password_form(request, runtime, "reset", token)


@router.post("/account/reset/{token}")
async def reset_password(request: Request, token: str, runtime: ContainerDep) -> Response:
    return await _set_password(request, runtime, "reset", token)
