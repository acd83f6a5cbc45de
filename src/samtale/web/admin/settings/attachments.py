"""The settings page of files in the chat (`/admin/settings/attachments`): whether customers
and agents may send photos and PDFs, and the limits per file and per conversation, validated by
the attachment feature's own model (`AttachmentLimits`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from samtale.admin.settings import save_section
from samtale.conversations.attachments import AttachmentLimits, attachment_limits
from samtale.conversations.attachments.limits import MAX_FILE_MB, MAX_FILES
from samtale.web.admin.bot.pages import tenant_of
from samtale.web.admin.forms import AdminForm, errors_by_field, t_for
from samtale.web.admin.home import AdminStaff
from samtale.web.admin.settings.pages import changed, redirect, settings_page
from samtale.web.deps import ContainerDep

router = APIRouter(prefix="/admin/settings", include_in_schema=False)


def _values(limits: AttachmentLimits) -> dict[str, Any]:
    return {
        "enabled": limits.enabled,
        "max_file_mb": str(limits.max_file_mb),
        "max_files": str(limits.max_files),
    }


@router.get("/attachments", response_class=HTMLResponse)
async def attachments_page(
    request: Request, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    return await settings_page(
        request,
        staff,
        tenant,
        "attachments",
        _values(attachment_limits(tenant.settings)),
        max_file_mb=MAX_FILE_MB,
        max_files=MAX_FILES,
    )


@router.post("/attachments")
async def save_attachments(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    values = {
        "enabled": form.checked("enabled"),
        "max_file_mb": form.get("max_file_mb"),
        "max_files": form.get("max_files"),
    }
    try:
        limits = AttachmentLimits.model_validate(
            {
                "enabled": values["enabled"],
                "max_file_mb": form.int_or_none("max_file_mb"),
                "max_files": form.int_or_none("max_files"),
            }
        )
    except ValidationError as exc:
        return await settings_page(
            request,
            staff,
            tenant,
            "attachments",
            values,
            errors_by_field(exc, t_for(request)),
            max_file_mb=MAX_FILE_MB,
            max_files=MAX_FILES,
        )
    async with runtime.db.transaction() as session:
        await save_section(session, tenant.id, "attachments", limits.model_dump(mode="json"))
        await changed(session, runtime, staff, tenant, "attachments")
    return redirect("/admin/settings/attachments?saved=1")
