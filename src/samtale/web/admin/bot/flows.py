"""The bot builder's flows (slots with prompts, re-prompts and validators, then an action)
and its system texts, edited in forms (`/admin/bot/flows`, `/admin/bot/messages`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from samtale.accounts.sessions import Staff
from samtale.app.container import Container
from samtale.bot.content import Content, Flow
from samtale.bot.drafts import ContentError, Working, validate_content
from samtale.model import Tenant
from samtale.web.admin.bot.pages import (
    action_names,
    bot_page,
    redirect,
    save,
    saved_notice,
    tenant_of,
    working_of,
)
from samtale.web.admin.forms import AdminForm, errors_by_field, t_for
from samtale.web.admin.home import AdminStaff
from samtale.web.deps import ContainerDep
from samtale.web.errors import not_found
from samtale.web.i18n import ui_language
from samtale.web.staff.labels import StaffLabels

router = APIRouter(prefix="/admin/bot", include_in_schema=False)

VALIDATORS = ("text", "email", "number", "order_number", "tracking_number", "choice", "regex")

# Flows -------------------------------------------------------------------------------------


@router.get("/flows", response_class=HTMLResponse)
async def flows_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    t = t_for(request)
    used_by = {
        f.name: [i.name for i in working.content.intents if i.flow == f.name]
        for f in working.content.flows
    }
    return await bot_page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/flows.html",
        working,
        title=t("bot.flows.title"),
        used_by=used_by,
        notice=saved_notice(request, t),
    )


def _empty_slot(languages: list[str]) -> dict[str, Any]:
    slot: dict[str, Any] = {"name": "", "type": "text", "pattern": "", "min": "", "max": ""}
    for lang in languages:
        slot[f"prompt.{lang}"] = ""
        slot[f"reprompt.{lang}"] = ""
        slot[f"choices.{lang}"] = ""
    return slot


def flow_values(flow: Flow | None, languages: list[str]) -> dict[str, Any]:
    slots = []
    for slot in flow.slots if flow else []:
        v = slot.validator
        row: dict[str, Any] = {
            "name": slot.name,
            "type": v.type,
            "pattern": v.pattern or "",
            "min": "" if v.min is None else f"{v.min:g}",
            "max": "" if v.max is None else f"{v.max:g}",
        }
        for lang in languages:
            row[f"prompt.{lang}"] = slot.prompt.get(lang, "")  # type: ignore[call-overload]
            row[f"reprompt.{lang}"] = slot.reprompt.get(lang, "")  # type: ignore[call-overload]
            row[f"choices.{lang}"] = "\n".join((v.choices or {}).get(lang, []))  # type: ignore[call-overload]
        slots.append(row)
    if not slots:
        slots.append(_empty_slot(languages))
    return {
        "name": flow.name if flow else "",
        "action": flow.action if flow else "",
        "max_reprompts": str(flow.max_reprompts) if flow else "2",
        "slots": slots,
    }


def _number(text: str) -> float | str | None:
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def flow_from_form(form: AdminForm, languages: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    count = min(int(form.get("slots.count") or 0), 20)
    slots_data: list[dict[str, Any]] = []
    slot_values: list[dict[str, Any]] = []
    for i in range(count):
        p = f"slots.{i}."
        if form.checked(p + "remove"):
            continue
        row: dict[str, Any] = {
            "name": form.get(p + "name"),
            "type": form.get(p + "type") or "text",
            "pattern": form.raw(p + "pattern").strip(),
            "min": form.get(p + "min"),
            "max": form.get(p + "max"),
        }
        validator: dict[str, Any] = {"type": row["type"]}
        if row["pattern"]:
            validator["pattern"] = row["pattern"]
        if row["min"]:
            validator["min"] = _number(row["min"])
        if row["max"]:
            validator["max"] = _number(row["max"])
        prompt: dict[str, str] = {}
        reprompt: dict[str, str] = {}
        choices: dict[str, list[str]] = {}
        for lang in languages:
            for key, target in (("prompt", prompt), ("reprompt", reprompt)):
                row[f"{key}.{lang}"] = form.raw(p + f"{key}.{lang}").strip()
                if row[f"{key}.{lang}"]:
                    target[lang] = row[f"{key}.{lang}"]
            row[f"choices.{lang}"] = form.raw(p + f"choices.{lang}")
            if lines := form.lines(p + f"choices.{lang}"):
                choices[lang] = lines
        if choices:
            validator["choices"] = choices
        slots_data.append(
            {"name": row["name"], "prompt": prompt, "reprompt": reprompt, "validator": validator}
        )
        slot_values.append(row)
    if form.get("add_slot"):
        slot_values.append(_empty_slot(languages))
    values = {
        "name": form.get("name"),
        "action": form.get("action"),
        "max_reprompts": form.get("max_reprompts"),
        "slots": slot_values,
    }
    data = {
        "name": values["name"],
        "action": values["action"],
        "max_reprompts": form.int_or_none("max_reprompts") if values["max_reprompts"] else 2,
        "slots": slots_data,
    }
    return data, values


def _flow_field(loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "slots" and isinstance(loc[1], int):
        rest = loc[2:]
        if not rest:
            return f"slots.{loc[1]}.name"
        if rest[0] == "validator":
            key = (
                rest[1]
                if len(rest) > 1 and rest[1] in ("pattern", "min", "max", "type")
                else "type"
            )
            if len(rest) > 1 and rest[1] == "choices":
                key = "type"
            return f"slots.{loc[1]}.{key}"
        if rest[0] in ("prompt", "reprompt") and len(rest) > 1:
            return f"slots.{loc[1]}.{rest[0]}.{rest[1]}"
        return f"slots.{loc[1]}.{rest[0]}"
    if loc and loc[0] == "slots":
        return "slots"
    if loc and loc[0] in ("name", "action", "max_reprompts"):
        return str(loc[0])
    return ""


async def _flow_form(
    request: Request,
    runtime: Container,
    staff: Staff,
    tenant: Tenant,
    working: Working,
    original: str | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = t_for(request)
    content = working.content
    title = StaffLabels(content, ui_language(request)).flow(original) if original else None
    title = title or t("bot.flows.new")
    return await bot_page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/flow.html",
        working,
        status_code=422 if errors else 200,
        title=title,
        original=original,
        values=values,
        errors=errors or {},
        form_error=t("admin.errors_title") if errors else None,
        validators=VALIDATORS,
        actions=action_names(runtime, content),
        used_by=[i.name for i in content.intents if original and i.flow == original],
        crumbs=[(t("nav.admin.flows"), "/admin/bot/flows"), (title, None)],
        notice=None if errors else saved_notice(request, t),
    )


@router.get("/flows/new", response_class=HTMLResponse)
async def new_flow_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    values = flow_values(None, [str(x) for x in working.content.languages])
    return await _flow_form(request, runtime, staff, tenant, working, None, values)


@router.get("/flows/{name}", response_class=HTMLResponse)
async def flow_page(
    request: Request, name: str, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    flow = working.content.flow(name)
    if flow is None:
        raise not_found("flow")
    values = flow_values(flow, [str(x) for x in working.content.languages])
    return await _flow_form(request, runtime, staff, tenant, working, name, values)


async def _save_flow(
    request: Request, staff: Staff, runtime: Container, original: str | None
) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    working = await working_of(runtime, tenant)
    content = working.content
    if original is not None and content.flow(original) is None:
        raise not_found("flow")
    data, values = flow_from_form(form, [str(x) for x in content.languages])
    if form.get("add_slot"):  # only adding a slot: show the form again, nothing saved
        return await _flow_form(request, runtime, staff, tenant, working, original, values)
    t = t_for(request)
    errors: dict[str, str] = {}
    try:
        flow = Flow.model_validate(data)
    except ValidationError as exc:
        errors = errors_by_field(exc, t, _flow_field)
    else:
        if flow.name != original and content.flow(flow.name) is not None:
            errors["name"] = t("bot.flow_name_taken")
        for i, slot in enumerate(flow.slots):
            for lang in content.languages:
                for key in ("prompt", "reprompt"):
                    if lang not in getattr(slot, key):
                        errors.setdefault(f"slots.{i}.{key}.{lang}", t("form.missing"))
    if not errors:
        whole = content.model_dump(mode="json")
        new = flow.model_dump(mode="json", exclude_defaults=True)
        new["action"] = flow.action
        new["slots"] = [s.model_dump(mode="json", exclude_none=True) for s in flow.slots]
        if original is None:
            whole["flows"].append(new)
        else:
            whole["flows"] = [new if f["name"] == original else f for f in whole["flows"]]
            for item in whole["intents"]:
                if item.get("flow") == original:
                    item["flow"] = flow.name
        try:
            new_content = validate_content(whole)
        except ContentError as exc:
            errors = errors_by_field(exc.errors, t, _flow_field)
        else:
            await save(runtime, tenant, new_content)
            return redirect(f"/admin/bot/flows/{flow.name}?saved=draft")
    return await _flow_form(request, runtime, staff, tenant, working, original, values, errors)


@router.post("/flows/new")
async def create_flow(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    return await _save_flow(request, staff, runtime, None)


@router.post("/flows/{name}")
async def update_flow(
    request: Request, name: str, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    return await _save_flow(request, staff, runtime, name)


@router.get("/flows/{name}/delete", response_class=HTMLResponse)
async def delete_flow_page(
    request: Request, name: str, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    flow = working.content.flow(name)
    if flow is None:
        raise not_found("flow")
    t = t_for(request)
    removes = [t("bot.delete_slots", n=len(flow.slots))]
    shown = StaffLabels(working.content, ui_language(request))
    users = [shown.topic(i.name) for i in working.content.intents if i.flow == name]
    if users:
        removes.append(t("bot.delete_flow_uses", names=", ".join(users)))
    return await bot_page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/confirm_delete.html",
        working,
        title=t("bot.delete_flow_title", name=shown.flow(name)),
        removes=removes,
        action=f"/admin/bot/flows/{name}/delete",
        back=f"/admin/bot/flows/{name}",
        button=t("bot.delete_flow"),
        crumbs=[
            (t("nav.admin.flows"), "/admin/bot/flows"),
            (shown.flow(name), f"/admin/bot/flows/{name}"),
        ],
    )


@router.post("/flows/{name}/delete")
async def delete_flow(
    request: Request, name: str, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    tenant = await tenant_of(runtime, staff)
    await AdminForm.read(request, staff)
    working = await working_of(runtime, tenant)
    if working.content.flow(name) is None:
        raise not_found("flow")
    data = working.content.model_dump(mode="json")
    data["flows"] = [f for f in data["flows"] if f["name"] != name]
    for item in data["intents"]:
        if item.get("flow") == name:
            item["flow"] = None
    await save(runtime, tenant, validate_content(data))
    return redirect(f"/admin/bot/flows?deleted={name}")


# System texts ------------------------------------------------------------------------------

MESSAGE_KEYS = (
    "welcome",
    "fallback_rephrase",
    "fallback_offer_person",
    "handoff_requested",
    "person_button",
    "flow_cancelled",
    "flow_too_many_attempts",
    "action_unavailable",
    "not_configured",
    "order_not_found",
    "shipment_not_found",
    "too_many_attempts",
    "suggestions_intro",
    "other_countries",
)


def _message_keys(content: Content) -> list[str]:
    return list(dict.fromkeys([*MESSAGE_KEYS, *content.messages]))


@router.get("/messages", response_class=HTMLResponse)
async def messages_page(request: Request, staff: AdminStaff, runtime: ContainerDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    values = {
        f"{key}.{lang}": working.content.messages.get(key, {}).get(lang, "")
        for key in _message_keys(working.content)
        for lang in working.content.languages
    }
    return await _messages_form(request, runtime, staff, tenant, working, values)


async def _messages_form(
    request: Request,
    runtime: Container,
    staff: Staff,
    tenant: Tenant,
    working: Working,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = t_for(request)
    return await bot_page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/messages.html",
        working,
        status_code=422 if errors else 200,
        title=t("bot.messages.title"),
        keys=_message_keys(working.content),
        values=values,
        errors=errors or {},
        form_error=t("admin.errors_title") if errors else None,
        notice=saved_notice(request, t),
    )


@router.post("/messages")
async def save_messages(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    working = await working_of(runtime, tenant)
    values: dict[str, str] = {}
    messages: dict[str, dict[str, str]] = {}
    for key in _message_keys(working.content):
        for lang in working.content.languages:
            text = form.raw(f"{key}.{lang}").strip()
            values[f"{key}.{lang}"] = text
            if text:
                messages.setdefault(key, {})[lang] = text
    data = working.content.model_dump(mode="json")
    data["messages"] = messages
    try:
        content = validate_content(data)
    except ContentError as exc:
        errors = errors_by_field(
            exc.errors, t_for(request), lambda loc: ".".join(str(p) for p in loc[1:3])
        )
        return await _messages_form(request, runtime, staff, tenant, working, values, errors)
    await save(runtime, tenant, content)
    return redirect("/admin/bot/messages?saved=draft")
