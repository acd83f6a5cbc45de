"""The bot builder's whole content: the YAML view, import and export, the versions with
publishing and restoring, and the try-it page (`/admin/bot/yaml`, `/admin/bot/versions`, …)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from samtale.accounts.sessions import Staff
from samtale.admin.publishing import PublishError, job_view
from samtale.app.container import Container
from samtale.bot.content import Content
from samtale.bot.drafts import (
    ContentError,
    Drafts,
    Working,
    content_from_yaml,
    content_to_yaml,
)
from samtale.model import Tenant
from samtale.privacy import audit
from samtale.web.admin.bot.pages import (
    bot_page,
    redirect,
    save,
    saved_notice,
    tenant_of,
    working_of,
)
from samtale.web.admin.forms import AdminForm, t_for
from samtale.web.admin.home import AdminStaff
from samtale.web.deps import ContainerDep
from samtale.web.errors import not_found

router = APIRouter(prefix="/admin/bot", include_in_schema=False)

MAX_IMPORT_BYTES = 2_000_000

# YAML, import and export -------------------------------------------------------------------


async def _yaml_form(
    request: Request,
    runtime: Container,
    staff: Staff,
    tenant: Tenant,
    text: str,
    errors: list[str] | None = None,
    working: Working | None = None,
) -> HTMLResponse:
    t = t_for(request)
    return await bot_page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/yaml.html",
        working,
        status_code=422 if errors else 200,
        title=t("bot.yaml.title"),
        text=text,
        yaml_errors=errors or [],
        form_error=t("admin.errors_title") if errors else None,
        notice=saved_notice(request, t),
    )


def _yaml_errors(exc: ContentError, t: Callable[..., str]) -> list[str]:
    from samtale.web.admin.forms import error_message, loc_name

    out = []
    for error in exc.errors:
        where = loc_name(tuple(error.get("loc") or ()))
        out.append(f"{where}: {error_message(error, t)}" if where else error_message(error, t))
    return out[:50]


@router.get("/yaml", response_class=HTMLResponse)
async def yaml_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    return await _yaml_form(
        request, runtime, staff, tenant, content_to_yaml(working.content), working=working
    )


@router.post("/yaml")
async def save_yaml(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    text = form.raw("yaml")
    try:
        content = content_from_yaml(text)
    except ContentError as exc:
        return await _yaml_form(
            request, runtime, staff, tenant, text, _yaml_errors(exc, t_for(request))
        )
    await save(runtime, tenant, content)
    return redirect("/admin/bot/yaml?saved=draft")


@router.post("/import")
async def import_yaml(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    t = t_for(request)
    upload = form.file("file")
    working = await working_of(runtime, tenant)
    if upload is None or not upload.filename:
        return await _yaml_form(
            request,
            runtime,
            staff,
            tenant,
            content_to_yaml(working.content),
            [t("bot.import_none")],
        )
    raw = await upload.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        return await _yaml_form(
            request, runtime, staff, tenant, content_to_yaml(working.content), [t("bot.import_big")]
        )
    text = raw.decode("utf-8", errors="replace")
    try:
        content = content_from_yaml(text)
    except ContentError as exc:
        return await _yaml_form(request, runtime, staff, tenant, text, _yaml_errors(exc, t))
    await save(runtime, tenant, content, source="import")
    return redirect("/admin/bot?saved=imported")


def _yaml_download(content: Content, filename: str) -> Response:
    return Response(
        content_to_yaml(content),
        media_type="application/yaml; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/export.yaml")
async def export_yaml(staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    return _yaml_download(working.content, f"{tenant.slug}-bot-v{working.version or 0}.yaml")


@router.get("/versions/{version}/export.yaml")
async def export_version(version: int, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    async with runtime.db.session() as session:
        row = await Drafts(session, tenant, runtime.clock).get(version)
    if row is None:
        raise not_found("version")
    return _yaml_download(Content.model_validate(row.content), f"{tenant.slug}-bot-v{version}.yaml")


# Versions and publishing -------------------------------------------------------------------


@router.get("/versions", response_class=HTMLResponse)
async def versions_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    t = t_for(request)
    admin = runtime.admin
    async with runtime.db.session() as session:
        drafts = Drafts(session, tenant, runtime.clock)
        working = await drafts.working()
        rows = await drafts.all()
        jobs = await admin.publisher.evaluations(session, tenant.id)
    now = runtime.clock.now()
    versions = []
    for row in rows:
        job = jobs.get(row.id)
        view = job_view(job, now) if job else None
        evaluation = (view or {}).get("evaluation")
        weakest = []
        if evaluation:
            weakest = sorted(evaluation["intents"].items(), key=lambda kv: kv[1])[:3]
        versions.append({"row": row, "job": view, "evaluation": evaluation, "weakest": weakest})
    notice = None
    if request.query_params.get("restored"):
        notice = t("bot.restoring", version=request.query_params["restored"][:6])
    return await bot_page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/versions.html",
        working,
        title=t("bot.versions.title"),
        versions=versions,
        notice=notice,
        problems=request.query_params.get("problems") == "1",
    )


async def _start_publish(runtime: Container, tenant: Tenant, version: int, actor: str) -> Response:
    try:
        await runtime.admin.publisher.start(tenant.id, version, actor=actor)
    except PublishError as exc:
        if exc.code == "content_invalid":
            return redirect("/admin/bot?problems=1")
        if exc.code == "publish_running":
            return redirect("/admin/bot/versions")
        raise not_found("version") from None
    return redirect("/admin/bot/versions")


@router.post("/publish")
async def publish(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    working = await working_of(runtime, tenant)
    requested = form.int_or_none("version")
    version = requested if isinstance(requested, int) else working.version
    if version is None:
        return redirect("/admin/bot")
    return await _start_publish(runtime, tenant, version, audit.user_actor(staff.user_id))


@router.post("/versions/{version}/restore")
async def restore(
    request: Request, version: int, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    tenant = await tenant_of(runtime, staff)
    await AdminForm.read(request, staff)
    async with runtime.db.transaction() as session:
        drafts = Drafts(session, tenant, runtime.clock)
        row = await drafts.get(version)
        if row is None:
            raise not_found("version")
        current = await drafts.working()
        content = Content.model_validate(row.content)
        if current.draft is not None:
            # The draft is kept as it was; the restored content becomes a new version after it.
            new = await drafts.versions.save(content, "restore", runtime.clock)
        else:
            new = await drafts.save_draft(content, "restore")
        number = new.version
    response = await _start_publish(runtime, tenant, number, audit.user_actor(staff.user_id))
    if response.headers.get("location") == "/admin/bot/versions":
        return redirect(f"/admin/bot/versions?restored={version}")
    return response


@router.post("/draft/discard")
async def discard(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    await AdminForm.read(request, staff)
    async with runtime.db.transaction() as session:
        await Drafts(session, tenant, runtime.clock).discard_draft()
    return redirect("/admin/bot/versions")


# Try it ------------------------------------------------------------------------------------


@router.get("/try", response_class=HTMLResponse)
async def try_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    t = t_for(request)
    return await bot_page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/try.html",
        title=t("bot.try.title"),
        trial_id=str(uuid.uuid4()),
    )
