"""The settings pages of talking to a person (`/admin/settings/hours`, `prechat`, `canned`,
`agents`): all through `live.settings.LiveSettings` (and `AgentSetting` for the people)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from samtale.accounts.sessions import Staff
from samtale.app.container import Container
from samtale.kernel.languages import LANGUAGES
from samtale.live.settings import DAYS, AgentSetting, LiveSettings, live_settings
from samtale.model import Tenant, User
from samtale.web.admin.bot.pages import tenant_of
from samtale.web.admin.forms import AdminForm, errors_by_field, t_for
from samtale.web.admin.home import AdminStaff
from samtale.web.admin.settings.pages import SPARE_ROWS, changed, redirect, settings_page
from samtale.web.deps import ContainerDep

router = APIRouter(prefix="/admin/settings", include_in_schema=False)

KINDS = ("name", "email", "phone", "order_number", "text", "textarea", "choice")


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
async def hours_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    return await settings_page(
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
    runtime: Container,
    tenant: Tenant,
    change: Callable[[dict[str, Any]], None],
    staff: Staff,
    section: str,
) -> LiveSettings:
    """Validate the live settings with `change` applied (raises ValidationError) and save."""
    data = live_settings(tenant).model_dump(mode="json")
    change(data)
    model = LiveSettings.model_validate(data)
    async with runtime.db.transaction() as session:
        row = await session.get(Tenant, tenant.id, with_for_update=True)
        assert row is not None
        row.settings = {**(row.settings or {}), "live": model.model_dump(mode="json")}
        await changed(session, runtime, staff, row, section)
    return model


@router.post("/hours")
async def save_hours(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
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
            await _save_live(runtime, tenant, change, staff, "hours")
        except ValidationError as exc:
            errors = errors_by_field(exc, t, _hours_field)
        else:
            return redirect("/admin/settings/hours?saved=1")
    return await settings_page(request, staff, tenant, "hours", values, errors, days=DAYS)


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
async def prechat_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    languages = list(tenant.languages)
    return await settings_page(
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
async def save_prechat(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
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
        await _save_live(
            runtime, tenant, lambda data: data.update(prechat_fields=fields), staff, "prechat"
        )
    except ValidationError as exc:
        errors = errors_by_field(exc, t_for(request), _prechat_field)
        return await settings_page(request, staff, tenant, "prechat", values, errors, kinds=KINDS)
    return redirect("/admin/settings/prechat?saved=1")


# Canned replies ----------------------------------------------------------------------------


@router.get("/canned", response_class=HTMLResponse)
async def canned_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    rows = [
        {"title": c.title, "text": c.text, "language": c.language or ""}
        for c in live_settings(tenant).canned_replies
    ]
    values = {"replies": rows + [{"title": "", "text": "", "language": ""}] * SPARE_ROWS}
    return await settings_page(request, staff, tenant, "canned", values)


@router.post("/canned")
async def save_canned(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
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
        await _save_live(
            runtime, tenant, lambda data: data.update(canned_replies=replies), staff, "canned"
        )
    except ValidationError as exc:

        def rename(loc: tuple[Any, ...]) -> str | None:
            if len(loc) >= 3 and loc[0] == "canned_replies":
                return f"replies.{loc[1]}.{loc[2]}"
            return None

        errors = errors_by_field(exc, t_for(request), rename)
        return await settings_page(request, staff, tenant, "canned", values, errors)
    return redirect("/admin/settings/canned?saved=1")


# Agents: languages and capacity, assignment ------------------------------------------------


async def _team(runtime: Container, tenant: Tenant) -> list[User]:
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
async def agents_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    users = await _team(runtime, tenant)
    values = _agents_values(live_settings(tenant), users)
    return await settings_page(
        request, staff, tenant, "agents", values, users=users, all_languages=LANGUAGES
    )


@router.post("/agents")
async def save_agents(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
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
        return await settings_page(
            request, staff, tenant, "agents", values, errors, users=users, all_languages=LANGUAGES
        )
    await _save_live(runtime, tenant, change, staff, "agents")
    async with runtime.db.transaction() as session:
        for user, setting in agents:
            row = await session.get(User, user.id)
            if row is None or row.tenant_id != tenant.id:
                continue
            row.languages = list(setting.languages or [])
            if setting.capacity is not None:
                row.capacity = setting.capacity
    return redirect("/admin/settings/agents?saved=1")
