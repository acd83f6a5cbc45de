"""The shop's settings pages (`/admin/settings/…`): the widget's look, languages and
installation, opening hours and holidays, the pre-chat form, canned replies, agents, retention
and the shop connector.

Each page reads and writes the settings through the model the feature itself validates them
with (see `admin.settings`); a form that does not validate comes back with what was typed and the
errors beside their fields.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from samtale.accounts.sessions import Staff
from samtale.admin.content import Drafts
from samtale.admin.settings import (
    InsightRetention,
    Probe,
    insight_retention,
    probe_connector,
    save_section,
)
from samtale.languages import LANGUAGES
from samtale.live.settings import DAYS, AgentSetting, LiveSettings, live_settings
from samtale.model import Tenant, User
from samtale.privacy.retention import MAX_RETENTION_DAYS
from samtale.runtime import Runtime
from samtale.tenants.service import TenantCreate
from samtale.web import admin_settings_texts  # noqa: F401  (registers the texts)
from samtale.web.admin import AdminStaff, NavItem, add_nav, admin_render
from samtale.web.admin_bot import LANGUAGE_NAMES, tenant_of
from samtale.web.admin_forms import AdminForm, errors_by_field, t_for
from samtale.web.admin_privacy import RetentionIn
from samtale.web.deps import RuntimeDep
from samtale.web.widget import WidgetSettings, widget_settings

router = APIRouter(prefix="/admin/settings", include_in_schema=False)

SECTIONS = ("widget", "site", "hours", "prechat", "canned", "agents", "retention", "connector")
SPARE_ROWS = 2
KINDS = ("name", "email", "phone", "order_number", "text", "textarea", "choice")

add_nav(NavItem("settings", "/admin/settings", "nav.admin.settings", group="shop", order=10))


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _render(
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


@router.get("")
async def settings_home(staff: AdminStaff) -> Response:
    return _redirect("/admin/settings/widget")


# The widget's look -------------------------------------------------------------------------


def _widget_values(s: WidgetSettings, languages: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "bot_name": s.bot_name or "",
        "avatar_url": s.avatar_url or "",
        "primary_color": s.primary_color,
        "position": s.position,
        "storage": s.storage,
        "privacy_policy_url": s.privacy_policy_url or "",
    }
    for lang in languages:
        values[f"greeting.{lang}"] = s.greeting.get(lang, "")  # type: ignore[call-overload]
        values[f"subtitle.{lang}"] = s.subtitle.get(lang, "")  # type: ignore[call-overload]
        rows = [
            {"label": b.label, "intent": b.intent or "", "text": b.text or ""}
            for b in s.starters.get(lang, [])  # type: ignore[call-overload]
        ]
        values[f"starters.{lang}"] = rows + [{"label": "", "intent": "", "text": ""}] * SPARE_ROWS
    return values


async def _intent_names(runtime: Runtime, tenant: Tenant) -> list[str]:
    async with runtime.db.session() as session:
        working = await Drafts(session, tenant, runtime.clock).working()
    return [i.name for i in working.content.intents]


@router.get("/widget", response_class=HTMLResponse)
async def widget_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    values = _widget_values(widget_settings(tenant), list(tenant.languages))
    return await _render(
        request, staff, tenant, "widget", values, intents=await _intent_names(runtime, tenant)
    )


def _widget_field(loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 4 and loc[0] == "starters":
        return f"starters.{loc[1]}.{loc[2]}.{loc[3]}"
    if len(loc) >= 2 and loc[0] in ("greeting", "subtitle", "starters"):
        return f"{loc[0]}.{loc[1]}"
    return None


@router.post("/widget")
async def save_widget(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
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
            "storage",
            "privacy_policy_url",
        )
    }
    data: dict[str, Any] = {
        "bot_name": values["bot_name"] or None,
        "avatar_url": values["avatar_url"] or None,
        "primary_color": values["primary_color"] or "#1f4f82",
        "position": values["position"] or "right",
        "storage": values["storage"] or "local",
        "privacy_policy_url": values["privacy_policy_url"] or None,
        "greeting": {},
        "subtitle": {},
        "starters": {},
    }
    for lang in languages:
        for key in ("greeting", "subtitle"):
            text = form.raw(f"{key}.{lang}").strip()
            values[f"{key}.{lang}"] = text
            if text:
                data[key][lang] = text
        rows, buttons = _button_rows(form, f"starters.{lang}")
        values[f"starters.{lang}"] = rows
        if buttons:
            data["starters"][lang] = buttons
    try:
        model = WidgetSettings.model_validate(data)
    except ValidationError as exc:
        errors = errors_by_field(exc, t_for(request), _widget_field)
        return await _render(
            request,
            staff,
            tenant,
            "widget",
            values,
            errors,
            intents=await _intent_names(runtime, tenant),
        )
    async with runtime.db.transaction() as session:
        await save_section(session, tenant.id, "widget", model.model_dump(mode="json"))
    return _redirect("/admin/settings/widget?saved=1")


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


def script_tag(runtime: Runtime, tenant: Tenant) -> str:
    base = runtime.settings.base_url.rstrip("/")
    return f'<script src="{base}/widget.js" data-samtale-key="{tenant.widget_key}" async></script>'


async def _site_page(
    request: Request,
    runtime: Runtime,
    staff: Staff,
    tenant: Tenant,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    return await _render(
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
async def site_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    values = {
        "languages": list(tenant.languages),
        "default_language": tenant.default_language,
        "time_zone": tenant.time_zone,
        "allowed_origins": "\n".join(tenant.allowed_origins),
    }
    return await _site_page(request, runtime, staff, tenant, values)


@router.post("/site")
async def save_site(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
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
    return _redirect("/admin/settings/site?saved=" + ("bot" if bot_changed else "1"))


# Opening hours and holidays ----------------------------------------------------------------


def _hours_values(s: LiveSettings) -> dict[str, Any]:
    values: dict[str, Any] = {"always_open": s.opening_hours is None}
    for day in DAYS:
        values[f"hours.{day}"] = ", ".join((s.opening_hours or {}).get(day, []))
    rows = [
        {"date": h.date.isoformat(), "hours": ", ".join(h.hours), "name": h.name or ""}
        for h in s.holidays
    ]
    values["holidays"] = rows + [{"date": "", "hours": "", "name": ""}] * (SPARE_ROWS + 1)
    return values


@router.get("/hours", response_class=HTMLResponse)
async def hours_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    return await _render(
        request, staff, tenant, "hours", _hours_values(live_settings(tenant)), days=DAYS
    )


def _ranges(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _hours_field(loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "opening_hours":
        return f"hours.{loc[1]}"
    if loc and loc[0] == "opening_hours":
        return "hours"
    if len(loc) >= 3 and loc[0] == "holidays":
        return f"holidays.{loc[1]}.{loc[2]}"
    return None


async def _save_live(
    runtime: Runtime, tenant: Tenant, change: Callable[[dict[str, Any]], None]
) -> LiveSettings:
    """Validate the live settings with `change` applied (raises ValidationError) and save."""
    data = live_settings(tenant).model_dump(mode="json")
    change(data)
    model = LiveSettings.model_validate(data)
    async with runtime.db.transaction() as session:
        row = await session.get(Tenant, tenant.id, with_for_update=True)
        assert row is not None
        row.settings = {**(row.settings or {}), "live": model.model_dump(mode="json")}
    return model


@router.post("/hours")
async def save_hours(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    values: dict[str, Any] = {"always_open": form.checked("always_open")}
    opening: dict[str, list[str]] = {}
    for day in DAYS:
        values[f"hours.{day}"] = form.get(f"hours.{day}")
        if ranges := _ranges(values[f"hours.{day}"]):
            opening[day] = ranges
    rows: list[dict[str, str]] = []
    holidays: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    t = t_for(request)
    for i in range(min(int(form.get("holidays.count") or 0), 400)):
        row = {k: form.get(f"holidays.{i}.{k}") for k in ("date", "hours", "name")}
        if not any(row.values()):
            continue
        index = len(rows)
        rows.append(row)
        when: date | None
        try:
            when = date.fromisoformat(row["date"])
        except ValueError:
            errors[f"holidays.{index}.date"] = t("form.date")
            when = None
        holidays.append({"date": when, "hours": _ranges(row["hours"]), "name": row["name"] or None})
    values["holidays"] = rows + [{"date": "", "hours": "", "name": ""}] * (SPARE_ROWS + 1)

    def change(data: dict[str, Any]) -> None:
        data["opening_hours"] = None if values["always_open"] else opening
        data["holidays"] = [h for h in holidays if h["date"] is not None]

    if not errors:
        try:
            await _save_live(runtime, tenant, change)
        except ValidationError as exc:
            errors = errors_by_field(exc, t, _hours_field)
        else:
            return _redirect("/admin/settings/hours?saved=1")
    return await _render(request, staff, tenant, "hours", values, errors, days=DAYS)


# The pre-chat form -------------------------------------------------------------------------


def _prechat_values(s: LiveSettings, languages: list[str]) -> dict[str, Any]:
    rows = []
    for f in s.prechat_fields:
        row: dict[str, Any] = {
            "name": f.name,
            "kind": f.kind,
            "required": f.required,
            "max_length": "" if f.max_length is None else str(f.max_length),
            "options": "\n".join(
                " | ".join([o.value, *[o.label.get(lang, "") for lang in languages]])  # type: ignore[call-overload]
                for o in f.options
            ),
        }
        for lang in languages:
            row[f"label.{lang}"] = f.label.get(lang, "")  # type: ignore[call-overload]
        rows.append(row)
    return {"fields": [*rows, _empty_field(languages)]}


def _empty_field(languages: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": "",
        "kind": "text",
        "required": False,
        "max_length": "",
        "options": "",
    }
    for lang in languages:
        row[f"label.{lang}"] = ""
    return row


@router.get("/prechat", response_class=HTMLResponse)
async def prechat_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    languages = list(tenant.languages)
    return await _render(
        request,
        staff,
        tenant,
        "prechat",
        _prechat_values(live_settings(tenant), languages),
        kinds=KINDS,
    )


def _prechat_field(loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "prechat_fields" and isinstance(loc[1], int):
        rest = loc[2:]
        if not rest:  # the field's own rule: its options
            return f"fields.{loc[1]}.options"
        if rest[0] == "label" and len(rest) > 1:
            return f"fields.{loc[1]}.label.{rest[1]}"
        if rest[0] == "options":
            return f"fields.{loc[1]}.options"
        return f"fields.{loc[1]}.{rest[0]}"
    if loc and loc[0] == "prechat_fields":
        return "fields"
    return None


@router.post("/prechat")
async def save_prechat(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    languages = list(tenant.languages)
    rows: list[dict[str, Any]] = []
    fields: list[dict[str, Any]] = []
    for i in range(min(int(form.get("fields.count") or 0), 12)):
        p = f"fields.{i}."
        if form.checked(p + "remove"):
            continue
        row: dict[str, Any] = {
            "name": form.get(p + "name"),
            "kind": form.get(p + "kind") or "text",
            "required": form.checked(p + "required"),
            "max_length": form.get(p + "max_length"),
            "options": form.raw(p + "options"),
        }
        labels = {}
        for lang in languages:
            row[f"label.{lang}"] = form.get(p + f"label.{lang}")
            if row[f"label.{lang}"]:
                labels[lang] = row[f"label.{lang}"]
        if not row["name"] and not labels:
            continue
        rows.append(row)
        options = []
        for line in form.lines(p + "options"):
            parts = [part.strip() for part in line.split("|")]
            option_labels = {
                lang: text for lang, text in zip(languages, parts[1:], strict=False) if text
            }
            options.append({"value": parts[0], "label": option_labels or {languages[0]: parts[0]}})
        fields.append(
            {
                "name": row["name"],
                "kind": row["kind"],
                "required": row["required"],
                "label": labels,
                "options": options,
                "max_length": form.int_or_none(p + "max_length"),
            }
        )
    values = {"fields": [*rows, _empty_field(languages)]}
    try:
        await _save_live(runtime, tenant, lambda data: data.update(prechat_fields=fields))
    except ValidationError as exc:
        errors = errors_by_field(exc, t_for(request), _prechat_field)
        return await _render(request, staff, tenant, "prechat", values, errors, kinds=KINDS)
    return _redirect("/admin/settings/prechat?saved=1")


# Canned replies ----------------------------------------------------------------------------


@router.get("/canned", response_class=HTMLResponse)
async def canned_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    rows = [
        {"title": c.title, "text": c.text, "language": c.language or ""}
        for c in live_settings(tenant).canned_replies
    ]
    values = {"replies": rows + [{"title": "", "text": "", "language": ""}] * SPARE_ROWS}
    return await _render(request, staff, tenant, "canned", values)


@router.post("/canned")
async def save_canned(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    rows: list[dict[str, str]] = []
    for i in range(min(int(form.get("replies.count") or 0), 220)):
        p = f"replies.{i}."
        if form.checked(p + "remove"):
            continue
        row = {
            "title": form.get(p + "title"),
            "text": form.raw(p + "text").strip(),
            "language": form.get(p + "language"),
        }
        if row["title"] or row["text"]:
            rows.append(row)
    replies = [
        {"title": r["title"], "text": r["text"], "language": r["language"] or None} for r in rows
    ]
    values = {"replies": rows + [{"title": "", "text": "", "language": ""}] * SPARE_ROWS}
    try:
        await _save_live(runtime, tenant, lambda data: data.update(canned_replies=replies))
    except ValidationError as exc:

        def rename(loc: tuple[Any, ...]) -> str | None:
            if len(loc) >= 3 and loc[0] == "canned_replies":
                return f"replies.{loc[1]}.{loc[2]}"
            return None

        errors = errors_by_field(exc, t_for(request), rename)
        return await _render(request, staff, tenant, "canned", values, errors)
    return _redirect("/admin/settings/canned?saved=1")


# Agents: languages and capacity, assignment ------------------------------------------------


async def _team(runtime: Runtime, tenant: Tenant) -> list[User]:
    async with runtime.db.session() as session:
        rows = await session.scalars(
            select(User)
            .where(User.tenant_id == tenant.id, User.active.is_(True))
            .order_by(User.display_name, User.email)
        )
        return list(rows)


def _agents_values(s: LiveSettings, users: list[User]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "auto_assign": s.auto_assign,
        "grace_seconds": str(s.grace_seconds),
        "idle_timeout_minutes": str(s.idle_timeout_minutes),
    }
    for user in users:
        values[f"user.{user.id}.languages"] = list(user.languages)
        values[f"user.{user.id}.capacity"] = str(user.capacity)
    return values


@router.get("/agents", response_class=HTMLResponse)
async def agents_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    users = await _team(runtime, tenant)
    values = _agents_values(live_settings(tenant), users)
    return await _render(
        request, staff, tenant, "agents", values, users=users, all_languages=LANGUAGES
    )


@router.post("/agents")
async def save_agents(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    users = await _team(runtime, tenant)
    t = t_for(request)
    values: dict[str, Any] = {
        "auto_assign": form.checked("auto_assign"),
        "grace_seconds": form.get("grace_seconds"),
        "idle_timeout_minutes": form.get("idle_timeout_minutes"),
    }
    errors: dict[str, str] = {}
    agents: list[tuple[User, AgentSetting]] = []
    for user in users:
        key = f"user.{user.id}"
        values[f"{key}.languages"] = form.get_list(f"{key}.languages")
        values[f"{key}.capacity"] = form.get(f"{key}.capacity")
        try:
            agents.append(
                (
                    user,
                    AgentSetting.model_validate(
                        {
                            "email": user.email,
                            "languages": values[f"{key}.languages"],
                            "capacity": form.int_or_none(f"{key}.capacity"),
                        }
                    ),
                )
            )
        except ValidationError as exc:
            errors.update(
                errors_by_field(exc, t, lambda loc, key=key: f"{key}.{loc[0]}" if loc else key)  # type: ignore[misc]
            )

    def change(data: dict[str, Any]) -> None:
        data["auto_assign"] = values["auto_assign"]
        data["grace_seconds"] = form.int_or_none("grace_seconds")
        data["idle_timeout_minutes"] = form.int_or_none("idle_timeout_minutes")

    data = live_settings(tenant).model_dump(mode="json")
    change(data)
    try:
        LiveSettings.model_validate(data)
    except ValidationError as exc:
        errors.update(errors_by_field(exc, t))
    if errors:
        return await _render(
            request, staff, tenant, "agents", values, errors, users=users, all_languages=LANGUAGES
        )
    await _save_live(runtime, tenant, change)
    async with runtime.db.transaction() as session:
        for user, setting in agents:
            row = await session.get(User, user.id)
            if row is None or row.tenant_id != tenant.id:
                continue
            row.languages = list(setting.languages or [])
            if setting.capacity is not None:
                row.capacity = setting.capacity
    return _redirect("/admin/settings/agents?saved=1")


# Retention ---------------------------------------------------------------------------------


def _retention_values(tenant: Tenant) -> dict[str, Any]:
    extra = insight_retention(tenant)
    return {
        "bot_days": str(tenant.retention_bot_days),
        "agent_keep": tenant.retention_agent_days is None,
        "agent_days": ""
        if tenant.retention_agent_days is None
        else str(tenant.retention_agent_days),
        "sample_days": str(extra.sample_days),
        "statistics_months": str(extra.statistics_months),
    }


@router.get("/retention", response_class=HTMLResponse)
async def retention_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    return await _render(
        request, staff, tenant, "retention", _retention_values(tenant), max_days=MAX_RETENTION_DAYS
    )


@router.post("/retention")
async def save_retention(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    t = t_for(request)
    values = {
        "bot_days": form.get("bot_days"),
        "agent_keep": form.checked("agent_keep"),
        "agent_days": form.get("agent_days"),
        "sample_days": form.get("sample_days"),
        "statistics_months": form.get("statistics_months"),
    }
    errors: dict[str, str] = {}
    policy: RetentionIn | None = None
    extra: InsightRetention | None = None
    try:
        policy = RetentionIn.model_validate(
            {
                "bot_days": form.int_or_none("bot_days"),
                "agent_days": None if values["agent_keep"] else form.int_or_none("agent_days"),
            }
        )
        if not values["agent_keep"] and policy.agent_days is None:
            errors["agent_days"] = t("form.missing")
    except ValidationError as exc:
        errors.update(errors_by_field(exc, t))
    try:
        extra = InsightRetention.model_validate(
            {
                "sample_days": form.int_or_none("sample_days"),
                "statistics_months": form.int_or_none("statistics_months"),
            }
        )
    except ValidationError as exc:
        errors.update(errors_by_field(exc, t))
    if errors or policy is None or extra is None:
        return await _render(
            request, staff, tenant, "retention", values, errors, max_days=MAX_RETENTION_DAYS
        )
    from samtale.privacy import audit

    await runtime.privacy.retention.set_retention(
        tenant.id, policy.bot_days, policy.agent_days, actor=audit.user_actor(staff.user_id)
    )
    async with runtime.db.transaction() as session:
        await save_section(session, tenant.id, "retention", extra.model_dump(mode="json"))
    return _redirect("/admin/settings/retention?saved=1")


# The shop connector ------------------------------------------------------------------------


def _connector_values(tenant: Tenant, has_demo: bool) -> dict[str, Any]:
    config = (tenant.settings or {}).get("connector")
    if isinstance(config, dict) and config.get("type", "http") == "http":
        return {
            "type": "http",
            "base_url": str(config.get("base_url", "")),
            "headers": "\n".join(f"{k}: {v}" for k, v in (config.get("headers") or {}).items()),
            "timeout": str(config.get("timeout", 2.0)),
            "deadline": str(config.get("deadline", 4.0)),
            "retries": str(config.get("retries", 2)),
            "endpoints": _yaml(config.get("endpoints")),
            "fields": _yaml(config.get("fields")),
        }
    return {
        "type": "demo" if has_demo else "none",
        "base_url": "",
        "headers": "",
        "timeout": "2.0",
        "deadline": "4.0",
        "retries": "2",
        "endpoints": "",
        "fields": "",
    }


def _yaml(value: Any) -> str:
    if not value:
        return ""
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100)


async def _has_demo(runtime: Runtime, tenant: Tenant) -> bool:
    from samtale.shop.demo.store import has_demo_shop

    async with runtime.db.session() as session:
        return await has_demo_shop(session, tenant.id)


@router.get("/connector", response_class=HTMLResponse)
async def connector_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    values = _connector_values(tenant, await _has_demo(runtime, tenant))
    return await _render(request, staff, tenant, "connector", values)


def _connector_data(
    form: AdminForm, values: dict[str, Any], errors: dict[str, str], t: Any
) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for line in form.lines("headers"):
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            errors["headers"] = t("settings.connector.header_format")
            break
        headers[name.strip()] = value.strip()
    data: dict[str, Any] = {
        "type": "http",
        "base_url": values["base_url"],
        "headers": headers,
        "timeout": values["timeout"] or 2.0,
        "deadline": values["deadline"] or 4.0,
        "retries": values["retries"] or 2,
    }
    for key in ("endpoints", "fields"):
        if not values[key].strip():
            continue
        try:
            parsed = yaml.safe_load(values[key])
        except yaml.YAMLError:
            errors[key] = t("settings.connector.yaml")
            continue
        if not isinstance(parsed, dict):
            errors[key] = t("settings.connector.yaml")
            continue
        data[key] = parsed
    return data


def _connector_field(loc: tuple[Any, ...]) -> str | None:
    if loc and loc[0] in ("endpoints", "fields"):
        return str(loc[0])
    return None


@router.post("/connector")
async def save_connector(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    from samtale.shop.http import HttpConnectorConfig

    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    t = t_for(request)
    values: dict[str, Any] = {
        key: form.get(key) for key in ("type", "base_url", "timeout", "deadline", "retries")
    }
    values["headers"] = form.raw("headers")
    values["endpoints"] = form.raw("endpoints")
    values["fields"] = form.raw("fields")
    kind = values["type"] if values["type"] in ("none", "demo", "http") else "none"
    errors: dict[str, str] = {}
    config: Any = None
    if kind == "http":
        data = _connector_data(form, values, errors, t)
        try:
            config = HttpConnectorConfig.model_validate(data)
        except ValidationError as exc:
            errors.update(errors_by_field(exc, t, _connector_field))
        if (
            not errors
            and config is not None
            and not any(
                getattr(config.endpoints, name) is not None
                for name in ("order", "shipment", "search", "product", "delivery", "payment")
            )
        ):
            errors["endpoints"] = t("settings.connector.no_endpoints")
    if errors:
        return await _render(request, staff, tenant, "connector", values, errors)
    if form.get("test"):
        probes: list[Probe] = []
        if config is not None:
            probes = await probe_connector(config, runtime.clock)
        return await _render(
            request, staff, tenant, "connector", values, probes=probes, tested=True
        )
    async with runtime.db.transaction() as session:
        if kind == "http":
            await save_section(session, tenant.id, "connector", None)
            await save_section(
                session,
                tenant.id,
                "connector",
                config.model_dump(mode="json", exclude_defaults=False),
            )
        else:
            await save_section(session, tenant.id, "connector", None)
        if kind == "none":
            await _remove_demo_shop(session, tenant.id)
        if kind == "demo":
            from samtale.shop.demo.store import ensure_demo_shop

            await ensure_demo_shop(session, tenant.id, runtime.clock)
    shops = (getattr(runtime.responders, "services", None) or {}).get("shop")
    if shops is not None:
        shops.forget(tenant.id)
    return _redirect("/admin/settings/connector?saved=1")


async def _remove_demo_shop(session: Any, tenant_id: Any) -> None:
    from sqlalchemy import delete

    from samtale.model import ShopDemoSeed, ShopOrder, ShopProduct, ShopShipment

    for table in (ShopShipment, ShopOrder, ShopProduct, ShopDemoSeed):
        await session.execute(delete(table).where(table.tenant_id == tenant_id))
