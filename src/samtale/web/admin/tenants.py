"""The operator's pages (`/admin/tenants`): every shop with its usage; create a shop with its
first admin (invited by e-mail); suspend and resume; export a shop's data as one archive; delete
a shop through the privacy deletion path, after a confirmation that names what goes, with a
receipt of the counts."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import select

from samtale.accounts.sessions import Staff
from samtale.admin import mail
from samtale.admin.team import InviteIn
from samtale.admin.tenants import (
    Usage,
    do_create_shop,
    do_set_active,
    row_counts,
    usage,
)
from samtale.app.container import Container
from samtale.kernel.languages import LANGUAGES
from samtale.model import Tenant
from samtale.privacy import audit
from samtale.tenants.service import ConflictError, TenantCreate
from samtale.web.admin.bot.pages import LANGUAGE_NAMES
from samtale.web.admin.forms import AdminForm, errors_by_field, t_for
from samtale.web.admin.home import OperatorStaff, admin_render
from samtale.web.deps import ContainerDep
from samtale.web.errors import not_found
from samtale.web.i18n import ui_language

router = APIRouter(prefix="/admin/tenants", include_in_schema=False)


_background: set[asyncio.Task[Any]] = set()


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _new_values() -> dict[str, Any]:
    return {
        "name": "",
        "slug": "",
        "admin_email": "",
        "languages": ["da", "en"],
        "default_language": "da",
        "allowed_origins": "",
        "time_zone": "Europe/Copenhagen",
    }


async def _list_page(
    request: Request,
    runtime: Container,
    staff: Staff,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = t_for(request)
    async with runtime.db.session() as session:
        tenants = (await session.scalars(select(Tenant).order_by(Tenant.name))).all()
        used = await usage(session)
    notice = None
    if deleted := request.query_params.get("deleted"):
        notice = t("tenants.deleted", name=deleted[:200])
    return admin_render(
        request,
        "admin/tenants/index.html",
        staff,
        status_code=422 if errors else 200,
        title=t("tenants.title"),
        tenants=tenants,
        used=used,
        empty=Usage(),
        values=values or _new_values(),
        errors=errors or {},
        form_error=t("admin.errors_title") if errors else None,
        all_languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        notice=notice,
    )


@router.get("", response_class=HTMLResponse)
async def tenants_page(
    request: Request, staff: OperatorStaff, runtime: ContainerDep
) -> HTMLResponse:
    return await _list_page(request, runtime, staff)


@router.post("")
async def create(request: Request, staff: OperatorStaff, runtime: ContainerDep) -> Response:
    form = await AdminForm.read(request, staff)
    t = t_for(request)
    values = {
        "name": form.get("name"),
        "slug": form.get("slug"),
        "admin_email": form.get("admin_email"),
        "languages": form.get_list("languages"),
        "default_language": form.get("default_language"),
        "allowed_origins": form.raw("allowed_origins"),
        "time_zone": form.get("time_zone") or "Europe/Copenhagen",
    }
    errors: dict[str, str] = {}
    shop: TenantCreate | None = None
    admin: InviteIn | None = None
    try:
        shop = TenantCreate.model_validate(
            {
                "name": values["name"],
                "slug": values["slug"],
                "languages": values["languages"] or ["da"],
                "default_language": values["default_language"] or "da",
                "allowed_origins": form.lines("allowed_origins"),
                "time_zone": values["time_zone"],
            }
        )
    except ValidationError as exc:
        errors.update(errors_by_field(exc, t, lambda loc: str(loc[0]) if loc else ""))
    if not values["languages"]:
        errors["languages"] = t("settings.site.one_language")
    try:
        admin = InviteIn.model_validate({"email": values["admin_email"], "role": "admin"})
    except ValidationError:
        errors["admin_email"] = t("tenants.admin_email_invalid")
    if errors or shop is None or admin is None:
        return await _list_page(request, runtime, staff, values, errors)
    try:
        async with runtime.db.transaction() as session:
            tenant, link = await do_create_shop(
                session,
                shop,
                admin,
                audit.user_actor(staff.user_id),
                runtime.clock,
                runtime.ids,
                runtime.settings.effective_secret_key,
            )
    except ConflictError as exc:
        field = "slug" if "slug" in str(exc) else "admin_email"
        message = t("tenants.slug_taken") if field == "slug" else t("team.email_taken")
        return await _list_page(request, runtime, staff, values, {field: message})
    except ValueError:
        return await _list_page(
            request, runtime, staff, values, {"admin_email": t("team.email_taken")}
        )
    # Load the new shop's starter bot now, on every instance, rather than at their next look.
    task = asyncio.create_task(runtime.changes.announce(tenant.id, "content"))
    _background.add(task)
    task.add_done_callback(_background.discard)
    url = f"{runtime.settings.base_url.rstrip('/')}/account/invite/{link.token}"
    subject, body = mail.compose(
        "invite", ui_language(request), url, shop=tenant.name, role="admin"
    )
    sent = await mail.send(runtime.admin.mailer, link.user.email, subject, body)
    if sent:
        return _redirect(f"/admin/tenants/{tenant.slug}?created=sent")
    return await _tenant_page(request, runtime, staff, tenant.slug, manual_link=url)


async def _tenant(runtime: Container, slug: str) -> Tenant:
    async with runtime.db.session() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise not_found("shop")
    return tenant


async def _tenant_page(
    request: Request, runtime: Container, staff: Staff, slug: str, **context: Any
) -> HTMLResponse:
    t = t_for(request)
    tenant = await _tenant(runtime, slug)
    async with runtime.db.session() as session:
        used = (await usage(session, [tenant.id])).get(tenant.id, Usage())
        counts = await row_counts(session, tenant.id)
    notice = None
    if request.query_params.get("created") == "sent":
        notice = t("tenants.created_sent")
    elif context.get("manual_link"):
        notice = t("tenants.created_manual")
    elif done := request.query_params.get("done"):
        notice = t(f"tenants.done.{done}") if done in ("suspended", "resumed") else None
    return admin_render(
        request,
        "admin/tenants/tenant.html",
        staff,
        title=tenant.name,
        tenant=tenant,
        used=used,
        counts=counts,
        notice=notice,
        crumbs=[(t("tenants.title"), "/admin/tenants"), (tenant.name, None)],
        **context,
    )


@router.get("/{slug}", response_class=HTMLResponse)
async def tenant_page(
    request: Request, slug: str, staff: OperatorStaff, runtime: ContainerDep
) -> HTMLResponse:
    return await _tenant_page(request, runtime, staff, slug)


async def _set_active(
    request: Request, slug: str, staff: Staff, runtime: Container, active: bool
) -> Response:
    await AdminForm.read(request, staff)
    tenant = await _tenant(runtime, slug)
    async with runtime.db.transaction() as session:
        await do_set_active(
            session, tenant.id, active, audit.user_actor(staff.user_id), runtime.clock, runtime.ids
        )
    if active:
        # Load the shop's bot now, on every instance, rather than at their next look.
        task = asyncio.create_task(runtime.changes.announce(tenant.id, "content"))
        _background.add(task)
        task.add_done_callback(_background.discard)
    return _redirect(f"/admin/tenants/{slug}?done=" + ("resumed" if active else "suspended"))


@router.post("/{slug}/suspend")
async def suspend(
    request: Request, slug: str, staff: OperatorStaff, runtime: ContainerDep
) -> Response:
    return await _set_active(request, slug, staff, runtime, False)


@router.post("/{slug}/resume")
async def resume(
    request: Request, slug: str, staff: OperatorStaff, runtime: ContainerDep
) -> Response:
    return await _set_active(request, slug, staff, runtime, True)


@router.get("/{slug}/export.zip")
async def export_archive(slug: str, staff: OperatorStaff, runtime: ContainerDep) -> Response:
    tenant = await _tenant(runtime, slug)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    await runtime.admin.lifecycle.write_archive(tenant.id, spool, audit.user_actor(staff.user_id))
    size = spool.tell()
    spool.seek(0)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while chunk := spool.read(256 * 1024):
                yield chunk
        finally:
            spool.close()

    stamp = runtime.clock.now().strftime("%Y%m%d")
    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="samtale-{slug}-{stamp}.zip"',
            "Content-Length": str(size),
            "Cache-Control": "no-store",
        },
    )


@router.get("/{slug}/delete", response_class=HTMLResponse)
async def delete_page(
    request: Request, slug: str, staff: OperatorStaff, runtime: ContainerDep
) -> HTMLResponse:
    return await _delete_page(request, runtime, staff, slug)


async def _delete_page(
    request: Request, runtime: Container, staff: Staff, slug: str, error: str | None = None
) -> HTMLResponse:
    t = t_for(request)
    tenant = await _tenant(runtime, slug)
    async with runtime.db.session() as session:
        counts = await row_counts(session, tenant.id)
    return admin_render(
        request,
        "admin/tenants/delete.html",
        staff,
        status_code=422 if error else 200,
        title=t("tenants.delete_title", name=tenant.name),
        tenant=tenant,
        counts=counts,
        errors={"confirm": error} if error else {},
        crumbs=[(t("tenants.title"), "/admin/tenants"), (tenant.name, f"/admin/tenants/{slug}")],
    )


@router.post("/{slug}/delete", response_class=HTMLResponse)
async def delete(
    request: Request, slug: str, staff: OperatorStaff, runtime: ContainerDep
) -> Response:
    form = await AdminForm.read(request, staff)
    t = t_for(request)
    tenant = await _tenant(runtime, slug)
    if form.get("confirm") != tenant.slug:
        return await _delete_page(request, runtime, staff, slug, t("tenants.confirm_mismatch"))
    receipt = await runtime.admin.lifecycle.delete_shop(tenant.id, audit.user_actor(staff.user_id))
    return admin_render(
        request,
        "admin/tenants/receipt.html",
        staff,
        title=t("tenants.receipt_title", name=receipt.name),
        receipt=receipt,
        crumbs=[(t("tenants.title"), "/admin/tenants"), (receipt.name, None)],
    )
