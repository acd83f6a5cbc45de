"""The shop's settings pages (`/admin/settings/…`): the widget's look, languages and
installation, opening hours and holidays, the pre-chat form, canned replies, agents, retention
and the shop connector.

Each page reads and writes the settings through the model the feature itself validates them
with (see `admin.settings`); a form that does not validate comes back with what was typed and the
errors beside their fields.

This module holds the widget's look, languages and installation, and what the pages share; the
pages of talking to a person are in `admin_settings_live`, retention and the connector in
`admin_settings_data`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from samtale.accounts.sessions import Staff
from samtale.admin.settings import record_change, save_section
from samtale.app.container import Container
from samtale.bot.drafts import Drafts
from samtale.kernel.languages import LANGUAGES
from samtale.model import Tenant
from samtale.privacy import audit
from samtale.tenants import avatar
from samtale.tenants.service import TenantCreate
from samtale.tenants.widget import (
    HEX_COLOR,
    WidgetSettings,
    color_warnings,
    contrast,
    text_color_on,
    widget_settings,
)
from samtale.web.admin.bot.pages import LANGUAGE_NAMES, tenant_of
from samtale.web.admin.forms import AdminForm, errors_by_field, t_for
from samtale.web.admin.home import AdminStaff, admin_render
from samtale.web.deps import ContainerDep

router = APIRouter(prefix="/admin/settings", include_in_schema=False)

SECTIONS = (
    "widget",
    "site",
    "hours",
    "prechat",
    "canned",
    "agents",
    "attachments",
    "retention",
    "connector",
)
SPARE_ROWS = 2


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def settings_page(
    request: Request,
    staff: Staff,
    tenant: Tenant,
    section: str,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    t = t_for(request)
    notice = t("settings.saved") if request.query_params.get("saved") else None
    return admin_render(
        request,
        f"admin/settings/{section}.html",
        staff,
        status_code=422 if errors else 200,
        title=t(f"settings.{section}"),
        section=section,
        sections=SECTIONS,
        tenant=tenant,
        languages_of_shop=[lang for lang in tenant.languages if lang in LANGUAGES],
        language_names=LANGUAGE_NAMES,
        values=values,
        errors=errors or {},
        form_error=t("admin.errors_title") if errors else None,
        notice=context.pop("notice", notice),
        **context,
    )


async def changed(
    session: Any, runtime: Container, staff: Staff, tenant: Tenant, section: str
) -> None:
    await record_change(
        session,
        tenant.id,
        audit.user_actor(staff.user_id),
        section,
        runtime.clock,
        runtime.ids,
    )
    # Every instance reads the shop again once this is committed.
    runtime.changes.after_commit(
        session, tenant.id, "connector" if section in ("connector", "carriers") else "settings"
    )


@router.get("")
async def settings_home(staff: AdminStaff) -> Response:
    return redirect("/admin/settings/widget")


# The widget's look -------------------------------------------------------------------------


def _widget_values(s: WidgetSettings, languages: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "bot_name": s.bot_name or "",
        "avatar_url": s.avatar_url or "",
        "primary_color": s.primary_color,
        "position": s.position,
        "theme": s.theme,
        "storage": s.storage,
        "privacy_policy_url": s.privacy_policy_url or "",
    }
    for lang in languages:
        values[f"launcher_text.{lang}"] = s.launcher_text.get(lang, "")  # type: ignore[call-overload]
        values[f"greeting.{lang}"] = s.greeting.get(lang, "")  # type: ignore[call-overload]
        values[f"subtitle.{lang}"] = s.subtitle.get(lang, "")  # type: ignore[call-overload]
        rows = [
            {"label": b.label, "intent": b.intent or "", "text": b.text or ""}
            for b in s.starters.get(lang, [])  # type: ignore[call-overload]
        ]
        values[f"starters.{lang}"] = rows + [{"label": "", "intent": "", "text": ""}] * SPARE_ROWS
    return values


async def _intent_names(runtime: Container, tenant: Tenant) -> list[str]:
    async with runtime.db.session() as session:
        working = await Drafts(session, tenant, runtime.clock).working()
    return [i.name for i in working.content.intents]


def _look(tenant: Tenant, color: str, theme: str) -> dict[str, Any]:
    """What the page shows beside the look's fields: the uploaded picture, and the chosen
    colour's contrasts with warnings (a colour that is not `#rrggbb` gets none)."""
    found = avatar.uploaded(tenant)
    look: dict[str, Any] = {
        "avatar_upload": f"/api/v1/widget/{tenant.widget_key}/avatar?v={found[1]}"
        if found
        else None,
        "color_warnings": [],
        "avatar_max_bytes": avatar.MAX_UPLOAD_BYTES,
    }
    if HEX_COLOR.match(color):
        look["color_warnings"] = color_warnings(color.lower(), theme)
        look["on_color"] = text_color_on(color.lower())
        look["color_contrast"] = f"{contrast(color, look['on_color']):.1f}"
    return look


@router.get("/widget", response_class=HTMLResponse)
async def widget_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    values = _widget_values(widget_settings(tenant), list(tenant.languages))
    return await settings_page(
        request,
        staff,
        tenant,
        "widget",
        values,
        intents=await _intent_names(runtime, tenant),
        **_look(tenant, values["primary_color"], values["theme"]),
    )


def _widget_field(loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 4 and loc[0] == "starters":
        return f"starters.{loc[1]}.{loc[2]}.{loc[3]}"
    if len(loc) >= 2 and loc[0] in ("greeting", "subtitle", "starters", "launcher_text"):
        return f"{loc[0]}.{loc[1]}"
    return None


@router.post("/widget")
async def save_widget(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    languages = list(tenant.languages)
    values: dict[str, Any] = {
        key: form.get(key)
        for key in (
            "bot_name",
            "avatar_url",
            "primary_color",
            "position",
            "theme",
            "storage",
            "privacy_policy_url",
        )
    }
    data: dict[str, Any] = {
        "bot_name": values["bot_name"] or None,
        "avatar_url": values["avatar_url"] or None,
        "primary_color": values["primary_color"] or "#1f4f82",
        "position": values["position"] or "right",
        "theme": values["theme"] or "auto",
        "storage": values["storage"] or "local",
        "privacy_policy_url": values["privacy_policy_url"] or None,
        "greeting": {},
        "subtitle": {},
        "starters": {},
        "launcher_text": {},
    }
    for lang in languages:
        for key in ("greeting", "subtitle", "launcher_text"):
            text = form.raw(f"{key}.{lang}").strip()
            values[f"{key}.{lang}"] = text
            if text:
                data[key][lang] = text
        rows, buttons = _button_rows(form, f"starters.{lang}")
        values[f"starters.{lang}"] = rows
        if buttons:
            data["starters"][lang] = buttons
    errors: dict[str, str] = {}
    picture: bytes | None = None
    upload = form.data.get("avatar_file")
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            picture = avatar.normalise(await upload.read(avatar.MAX_UPLOAD_BYTES + 1))
        except avatar.AvatarInvalid:
            errors["avatar_file"] = t_for(request)("settings.widget.avatar_bad")
    model = None
    try:
        model = WidgetSettings.model_validate(data)
    except ValidationError as exc:
        errors.update(errors_by_field(exc, t_for(request), _widget_field))
    # A picture by URL: Samtale keeps its own copy (fetched now, once per new URL), so the
    # widget shows it under the shop's strict page policy too.
    copy_of: str | None = None
    url = model.avatar_url if model is not None else None
    absolute = bool(url) and str(url).startswith(("https://", "http://"))
    kept = url == avatar.source(tenant) and avatar.uploaded(tenant) is not None
    if url and absolute and picture is None and not kept:
        try:
            picture = await avatar.fetch(runtime.outgoing, url)
            copy_of = url
        except avatar.AvatarInvalid:
            errors["avatar_url"] = t_for(request)("settings.widget.avatar_unreachable")
    if errors or model is None:
        return await settings_page(
            request,
            staff,
            tenant,
            "widget",
            values,
            errors,
            intents=await _intent_names(runtime, tenant),
            **_look(tenant, values["primary_color"], values["theme"]),
        )
    async with runtime.db.transaction() as session:
        await save_section(session, tenant.id, "widget", model.model_dump(mode="json"))
        if picture is not None:
            await save_section(session, tenant.id, avatar.SECTION, avatar.stored(picture, copy_of))
        elif form.checked("avatar_remove"):
            await save_section(session, tenant.id, avatar.SECTION, None)
        await changed(session, runtime, staff, tenant, "widget")
    return redirect("/admin/settings/widget?saved=1")


def _button_rows(form: AdminForm, prefix: str) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    rows, buttons = [], []
    for i in range(min(int(form.get(f"{prefix}.count") or 0), 20)):
        row = {k: form.get(f"{prefix}.{i}.{k}") for k in ("label", "intent", "text")}
        if any(row.values()):
            rows.append(row)
            buttons.append(
                {
                    "label": row["label"],
                    "intent": row["intent"] or None,
                    "text": row["text"] or None,
                }
            )
    return rows + [{"label": "", "intent": "", "text": ""}] * SPARE_ROWS, buttons


# Languages, allowed origins and the script tag ---------------------------------------------


def script_tag(runtime: Container, tenant: Tenant) -> str:
    base = runtime.settings.base_url.rstrip("/")
    return f'<script src="{base}/widget.js" data-samtale-key="{tenant.widget_key}" async></script>'


async def _site_page(
    request: Request,
    runtime: Container,
    staff: Staff,
    tenant: Tenant,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    return await settings_page(
        request,
        staff,
        tenant,
        "site",
        values,
        errors,
        all_languages=LANGUAGES,
        script=script_tag(runtime, tenant),
        notice=(
            t_for(request)("settings.site.saved_bot")
            if request.query_params.get("saved") == "bot"
            else (t_for(request)("settings.saved") if request.query_params.get("saved") else None)
        ),
    )


@router.get("/site", response_class=HTMLResponse)
async def site_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    values = {
        "languages": list(tenant.languages),
        "default_language": tenant.default_language,
        "time_zone": tenant.time_zone,
        "allowed_origins": "\n".join(tenant.allowed_origins),
    }
    return await _site_page(request, runtime, staff, tenant, values)


@router.post("/site")
async def save_site(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    values = {
        "languages": form.get_list("languages"),
        "default_language": form.get("default_language"),
        "time_zone": form.get("time_zone"),
        "allowed_origins": form.raw("allowed_origins"),
    }
    t = t_for(request)
    errors: dict[str, str] = {}
    if not values["languages"]:
        errors["languages"] = t("settings.site.one_language")
    try:
        checked = TenantCreate.model_validate(
            {
                "name": tenant.name,
                "slug": tenant.slug,
                "languages": values["languages"] or [tenant.default_language],
                "default_language": values["default_language"] or tenant.default_language,
                "time_zone": values["time_zone"],
                "allowed_origins": form.lines("allowed_origins"),
            }
        )
    except ValidationError as exc:
        errors.update(errors_by_field(exc, t, lambda loc: str(loc[0]) if loc else ""))
    if errors:
        return await _site_page(request, runtime, staff, tenant, values, errors)
    default = (
        checked.default_language
        if checked.default_language in checked.languages
        else checked.languages[0]
    )
    bot_changed = False
    async with runtime.db.transaction() as session:
        row = await session.get(Tenant, tenant.id, with_for_update=True)
        assert row is not None
        row.languages = checked.languages
        row.default_language = default
        row.time_zone = checked.time_zone
        row.allowed_origins = list(dict.fromkeys(checked.allowed_origins))
        await changed(session, runtime, staff, row, "site")
        drafts = Drafts(session, row, runtime.clock)
        working = await drafts.working()
        if list(working.content.languages) != checked.languages or (
            working.content.default_language != default
        ):
            data = working.content.model_dump(mode="json")
            data["languages"] = checked.languages
            data["default_language"] = default
            await drafts.save_draft(type(working.content).model_validate(data))
            bot_changed = True
    return redirect("/admin/settings/site?saved=" + ("bot" if bot_changed else "1"))
