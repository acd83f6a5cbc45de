"""The bot builder (`/admin/bot/…`): intents, flows and system texts edited in forms, the raw
YAML view, import and export, versions and publishing, and the "try it" chat.

Every form builds the content model (`bot.content`) the commands and the API use; when it does
not validate, the form comes back with what was typed and the errors next to their fields.
Saving writes the draft (`admin.content.Drafts`); only publishing changes the live bot.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from samtale.accounts.sessions import Staff
from samtale.admin.content import (
    ContentError,
    Drafts,
    Working,
    content_from_yaml,
    content_to_yaml,
    validate_content,
)
from samtale.admin.publishing import PublishError, job_view
from samtale.admin.service import AdminService
from samtale.bot.content import Content, Flow, Intent
from samtale.bot.content_cli import content_problems
from samtale.model import Tenant
from samtale.runtime import Runtime
from samtale.web import admin_bot_texts  # noqa: F401  (registers the texts)
from samtale.web.admin import AdminStaff, NavItem, add_nav, admin_render
from samtale.web.admin_forms import AdminForm, errors_by_field, t_for
from samtale.web.deps import RuntimeDep
from samtale.web.errors import ApiError, not_found

router = APIRouter(prefix="/admin/bot", include_in_schema=False)

LANGUAGE_NAMES = {"da": "Dansk", "sv": "Svenska", "nb": "Norsk", "fi": "Suomi", "en": "English"}
KINDS = ("normal", "greeting", "goodbye", "handoff", "smalltalk", "privacy")
VALIDATORS = ("text", "email", "number", "order_number", "tracking_number", "choice", "regex")
SPARE_BUTTONS = 2
MAX_IMPORT_BYTES = 2_000_000

add_nav(NavItem("bot", "/admin/bot", "nav.admin.bot", group="bot", order=10))
add_nav(NavItem("bot-flows", "/admin/bot/flows", "nav.admin.flows", group="bot", order=20))
add_nav(NavItem("bot-messages", "/admin/bot/messages", "nav.admin.messages", group="bot", order=30))
add_nav(NavItem("bot-try", "/admin/bot/try", "nav.admin.try", group="bot", order=40))
add_nav(NavItem("bot-versions", "/admin/bot/versions", "nav.admin.versions", group="bot", order=50))
add_nav(NavItem("bot-yaml", "/admin/bot/yaml", "nav.admin.yaml", group="bot", order=60))


# Helpers -----------------------------------------------------------------------------------


async def tenant_of(runtime: Runtime, staff: Staff) -> Tenant:
    async with runtime.db.session() as session:
        tenant = await session.get(Tenant, staff.tenant_id)
    if tenant is None:
        raise not_found("shop")
    return tenant


async def working_of(runtime: Runtime, tenant: Tenant) -> Working:
    async with runtime.db.session() as session:
        return await Drafts(session, tenant, runtime.clock).working()


def action_names(runtime: Runtime, content: Content) -> list[str]:
    registry = getattr(runtime.responders, "actions", None)
    names = set(registry.names()) if registry is not None else set()
    names |= {i.action for i in content.intents if i.action}
    names |= {f.action for f in content.flows}
    return sorted(names)


async def _status(runtime: Runtime, tenant: Tenant, working: Working) -> dict[str, Any]:
    admin = AdminService.of(runtime)
    async with runtime.db.session() as session:
        job = await admin.publisher.latest(session, tenant.id)
    view = job_view(job, runtime.clock.now()) if job is not None else None
    errors, warnings = content_problems(working.content)
    return {"working": working, "job": view, "errors": errors, "warnings": warnings}


async def _page(
    request: Request,
    runtime: Runtime,
    staff: Staff,
    tenant: Tenant,
    template: str,
    working: Working | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    working = working or await working_of(runtime, tenant)
    status = await _status(runtime, tenant, working)
    return admin_render(
        request,
        template,
        staff,
        status_code=status_code,
        content=working.content,
        language_names=LANGUAGE_NAMES,
        bot=status,
        **context,
    )


async def save(runtime: Runtime, tenant: Tenant, content: Content, source: str = "admin") -> int:
    async with runtime.db.transaction() as session:
        row = await Drafts(session, tenant, runtime.clock).save_draft(content, source)
        return row.version


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _replace_intent(data: dict[str, Any], old: str | None, new: dict[str, Any]) -> None:
    intents = data["intents"]
    if old is None:
        intents.append(new)
        return
    for i, item in enumerate(intents):
        if item["name"] == old:
            intents[i] = new
    if new["name"] != old:  # renamed: buttons pointing at it follow
        for item in intents:
            for buttons in (item.get("buttons") or {}).values():
                for button in buttons:
                    if button.get("intent") == old:
                        button["intent"] = new["name"]


# Intents -----------------------------------------------------------------------------------


def _matches(intent: Intent, q: str) -> bool:
    q = q.casefold()
    if q in intent.name.casefold() or q in intent.description.casefold():
        return True
    return any(q in text.casefold() for texts in intent.examples.values() for text in texts)


@router.get("", response_class=HTMLResponse)
async def intents_page(
    request: Request, staff: AdminStaff, runtime: RuntimeDep, q: str = ""
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    q = q.strip()[:100]
    intents = [i for i in working.content.intents if not q or _matches(i, q)]
    t = t_for(request)
    return await _page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/intents.html",
        working,
        title=t("bot.title"),
        intents=intents,
        q=q,
        notice=_notice(request, t),
    )


def _notice(request: Request, t: Callable[..., str]) -> str | None:
    saved = request.query_params.get("saved")
    if saved == "draft":
        return t("bot.saved_draft")
    if saved == "imported":
        return t("bot.imported")
    deleted = request.query_params.get("deleted")
    if deleted:
        return t("bot.deleted", name=deleted[:64])
    return None


def intent_values(intent: Intent | None, languages: list[str]) -> dict[str, Any]:
    """What an intent form shows: the intent's fields as form values."""
    values: dict[str, Any] = {
        "name": intent.name if intent else "",
        "description": intent.description if intent else "",
        "kind": intent.kind if intent else "normal",
        "flow": (intent.flow or "") if intent else "",
        "action": (intent.action or "") if intent else "",
    }
    for lang in languages:
        examples = list(intent.examples.get(lang, [])) if intent else []  # type: ignore[call-overload]
        answers = list(intent.answers.get(lang, [])) if intent else []  # type: ignore[call-overload]
        values[f"examples.{lang}"] = "\n".join(examples)
        values[f"answers.{lang}"] = "\n\n".join(answers)
        buttons = list(intent.buttons.get(lang, [])) if intent else []  # type: ignore[call-overload]
        rows = [{"label": b.label, "intent": b.intent or "", "text": b.text or ""} for b in buttons]
        rows += [{"label": "", "intent": "", "text": ""}] * SPARE_BUTTONS
        values[f"buttons.{lang}"] = rows
    return values


def intent_from_form(
    form: AdminForm, languages: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the intent's data for the model, the form's values to show again)."""
    values: dict[str, Any] = {
        "name": form.get("name"),
        "description": form.get("description"),
        "kind": form.get("kind") or "normal",
        "flow": form.get("flow"),
        "action": form.get("action"),
    }
    data: dict[str, Any] = {
        "name": values["name"],
        "description": values["description"],
        "kind": values["kind"],
        "flow": values["flow"] or None,
        "action": values["action"] or None,
        "examples": {},
        "answers": {},
        "buttons": {},
    }
    for lang in languages:
        values[f"examples.{lang}"] = form.raw(f"examples.{lang}")
        values[f"answers.{lang}"] = form.raw(f"answers.{lang}")
        if examples := form.lines(f"examples.{lang}"):
            data["examples"][lang] = list(dict.fromkeys(examples))
        if answers := form.blocks(f"answers.{lang}"):
            data["answers"][lang] = answers
        rows = []
        buttons = []
        for i in range(int(form.get(f"buttons.{lang}.count") or 0)):
            row = {
                "label": form.get(f"buttons.{lang}.{i}.label"),
                "intent": form.get(f"buttons.{lang}.{i}.intent"),
                "text": form.get(f"buttons.{lang}.{i}.text"),
            }
            rows.append(row)
            if row["label"] or row["intent"] or row["text"]:
                buttons.append(
                    {
                        "label": row["label"],
                        "intent": row["intent"] or None,
                        "text": row["text"] or None,
                    }
                )
        if buttons:
            data["buttons"][lang] = buttons
        rows = [r for r in rows if r["label"] or r["intent"] or r["text"]]
        values[f"buttons.{lang}"] = rows + [{"label": "", "intent": "", "text": ""}] * SPARE_BUTTONS
    return data, values


def _intent_field(loc: tuple[Any, ...]) -> str | None:
    if loc and loc[0] == "intents" and len(loc) > 2:
        loc = loc[2:]
    if len(loc) >= 2 and loc[0] in ("examples", "answers"):
        return f"{loc[0]}.{loc[1]}"
    if len(loc) >= 4 and loc[0] == "buttons":
        # Shown beside the button's row (its index among the rows as posted).
        return f"buttons.{loc[1]}.{loc[2]}.{loc[3]}"
    if loc and loc[0] in ("name", "description", "kind", "flow", "action"):
        return str(loc[0])
    return ""


def _language_state(content: Content, values: dict[str, Any], has_source: bool) -> dict[str, bool]:
    """Language → missing (no examples, or no answers where answers are needed)."""
    out: dict[str, bool] = {}
    for lang in content.languages:
        no_examples = not values.get(f"examples.{lang}", "").strip()
        no_answers = not values.get(f"answers.{lang}", "").strip()
        out[lang] = no_examples or (no_answers and not has_source)
    return out


async def _intent_form(
    request: Request,
    runtime: Runtime,
    staff: Staff,
    tenant: Tenant,
    working: Working,
    original: str | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = t_for(request)
    content = working.content
    title = original or t("bot.intent.new")
    missing = _language_state(content, values, bool(values.get("flow") or values.get("action")))
    return await _page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/intent.html",
        working,
        status_code=422 if errors else 200,
        title=title,
        original=original,
        values=values,
        errors=errors or {},
        form_error=t("admin.errors_title") if errors else None,
        kinds=KINDS,
        flows=[f.name for f in content.flows],
        actions=action_names(runtime, content),
        intent_names=[i.name for i in content.intents],
        missing=missing,
        crumbs=[(t("nav.admin.bot"), "/admin/bot"), (title, None)],
        notice=None if errors else _notice(request, t),
    )


@router.get("/intents/new", response_class=HTMLResponse)
async def new_intent_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    values = intent_values(None, [str(x) for x in working.content.languages])
    return await _intent_form(request, runtime, staff, tenant, working, None, values)


@router.get("/intents/{name}", response_class=HTMLResponse)
async def intent_page(
    request: Request, name: str, staff: AdminStaff, runtime: RuntimeDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    intent = working.content.intent(name)
    if intent is None:
        raise not_found("intent")
    values = intent_values(intent, [str(x) for x in working.content.languages])
    return await _intent_form(request, runtime, staff, tenant, working, name, values)


async def _save_intent(
    request: Request, staff: Staff, runtime: Runtime, original: str | None
) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    working = await working_of(runtime, tenant)
    content = working.content
    if original is not None and content.intent(original) is None:
        raise not_found("intent")
    languages = [str(lang) for lang in content.languages]
    data, values = intent_from_form(form, languages)
    t = t_for(request)
    errors: dict[str, str] = {}
    try:
        intent = Intent.model_validate(data)
    except ValidationError as exc:
        errors = errors_by_field(exc, t, _intent_field)
    else:
        if intent.name != original and content.intent(intent.name) is not None:
            errors["name"] = t("bot.name_taken")
    if not errors:
        whole = content.model_dump(mode="json")
        _replace_intent(whole, original, intent.model_dump(mode="json", exclude_defaults=True))
        try:
            new_content = validate_content(whole)
        except ContentError as exc:
            errors = errors_by_field(exc.errors, t, _intent_field)
        else:
            await save(runtime, tenant, new_content)
            return _redirect(f"/admin/bot/intents/{intent.name}?saved=draft")
    return await _intent_form(request, runtime, staff, tenant, working, original, values, errors)


@router.post("/intents/new")
async def create_intent(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    return await _save_intent(request, staff, runtime, None)


@router.post("/intents/{name}")
async def update_intent(
    request: Request, name: str, staff: AdminStaff, runtime: RuntimeDep
) -> Response:
    return await _save_intent(request, staff, runtime, name)


@router.get("/intents/{name}/delete", response_class=HTMLResponse)
async def delete_intent_page(
    request: Request, name: str, staff: AdminStaff, runtime: RuntimeDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    intent = working.content.intent(name)
    if intent is None:
        raise not_found("intent")
    t = t_for(request)
    referring = sorted(
        i.name
        for i in working.content.intents
        if i.name != name and any(b.intent == name for group in i.buttons.values() for b in group)
    )
    removes = [
        t("bot.delete_examples", n=sum(len(v) for v in intent.examples.values())),
        t("bot.delete_answers", n=sum(len(v) for v in intent.answers.values())),
    ]
    if referring:
        removes.append(t("bot.delete_buttons_in", names=", ".join(referring)))
    return await _page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/confirm_delete.html",
        working,
        title=t("bot.delete_intent_title", name=name),
        removes=removes,
        action=f"/admin/bot/intents/{name}/delete",
        back=f"/admin/bot/intents/{name}",
        button=t("bot.delete_intent"),
        crumbs=[(t("nav.admin.bot"), "/admin/bot"), (name, f"/admin/bot/intents/{name}")],
    )


@router.post("/intents/{name}/delete")
async def delete_intent(
    request: Request, name: str, staff: AdminStaff, runtime: RuntimeDep
) -> Response:
    tenant = await tenant_of(runtime, staff)
    await AdminForm.read(request, staff)
    working = await working_of(runtime, tenant)
    if working.content.intent(name) is None:
        raise not_found("intent")
    data = working.content.model_dump(mode="json")
    data["intents"] = [i for i in data["intents"] if i["name"] != name]
    for item in data["intents"]:
        for lang, buttons in list((item.get("buttons") or {}).items()):
            item["buttons"][lang] = [b for b in buttons if b.get("intent") != name]
    await save(runtime, tenant, validate_content(data))
    return _redirect(f"/admin/bot?deleted={name}")


# Flows -------------------------------------------------------------------------------------


@router.get("/flows", response_class=HTMLResponse)
async def flows_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    t = t_for(request)
    used_by = {
        f.name: [i.name for i in working.content.intents if i.flow == f.name]
        for f in working.content.flows
    }
    return await _page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/flows.html",
        working,
        title=t("bot.flows.title"),
        used_by=used_by,
        notice=_notice(request, t),
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
    runtime: Runtime,
    staff: Staff,
    tenant: Tenant,
    working: Working,
    original: str | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = t_for(request)
    title = original or t("bot.flows.new")
    content = working.content
    return await _page(
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
        notice=None if errors else _notice(request, t),
    )


@router.get("/flows/new", response_class=HTMLResponse)
async def new_flow_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    values = flow_values(None, [str(x) for x in working.content.languages])
    return await _flow_form(request, runtime, staff, tenant, working, None, values)


@router.get("/flows/{name}", response_class=HTMLResponse)
async def flow_page(
    request: Request, name: str, staff: AdminStaff, runtime: RuntimeDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    flow = working.content.flow(name)
    if flow is None:
        raise not_found("flow")
    values = flow_values(flow, [str(x) for x in working.content.languages])
    return await _flow_form(request, runtime, staff, tenant, working, name, values)


async def _save_flow(
    request: Request, staff: Staff, runtime: Runtime, original: str | None
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
            return _redirect(f"/admin/bot/flows/{flow.name}?saved=draft")
    return await _flow_form(request, runtime, staff, tenant, working, original, values, errors)


@router.post("/flows/new")
async def create_flow(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    return await _save_flow(request, staff, runtime, None)


@router.post("/flows/{name}")
async def update_flow(
    request: Request, name: str, staff: AdminStaff, runtime: RuntimeDep
) -> Response:
    return await _save_flow(request, staff, runtime, name)


@router.get("/flows/{name}/delete", response_class=HTMLResponse)
async def delete_flow_page(
    request: Request, name: str, staff: AdminStaff, runtime: RuntimeDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    flow = working.content.flow(name)
    if flow is None:
        raise not_found("flow")
    t = t_for(request)
    removes = [t("bot.delete_slots", n=len(flow.slots))]
    users = [i.name for i in working.content.intents if i.flow == name]
    if users:
        removes.append(t("bot.delete_flow_uses", names=", ".join(users)))
    return await _page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/confirm_delete.html",
        working,
        title=t("bot.delete_flow_title", name=name),
        removes=removes,
        action=f"/admin/bot/flows/{name}/delete",
        back=f"/admin/bot/flows/{name}",
        button=t("bot.delete_flow"),
        crumbs=[(t("nav.admin.flows"), "/admin/bot/flows"), (name, f"/admin/bot/flows/{name}")],
    )


@router.post("/flows/{name}/delete")
async def delete_flow(
    request: Request, name: str, staff: AdminStaff, runtime: RuntimeDep
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
    return _redirect(f"/admin/bot/flows?deleted={name}")


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
async def messages_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
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
    runtime: Runtime,
    staff: Staff,
    tenant: Tenant,
    working: Working,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = t_for(request)
    return await _page(
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
        notice=_notice(request, t),
    )


@router.post("/messages")
async def save_messages(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
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
    return _redirect("/admin/bot/messages?saved=draft")


# YAML, import and export -------------------------------------------------------------------


async def _yaml_form(
    request: Request,
    runtime: Runtime,
    staff: Staff,
    tenant: Tenant,
    text: str,
    errors: list[str] | None = None,
    working: Working | None = None,
) -> HTMLResponse:
    t = t_for(request)
    return await _page(
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
        notice=_notice(request, t),
    )


def _yaml_errors(exc: ContentError, t: Callable[..., str]) -> list[str]:
    from samtale.web.admin_forms import error_message, loc_name

    out = []
    for error in exc.errors:
        where = loc_name(tuple(error.get("loc") or ()))
        out.append(f"{where}: {error_message(error, t)}" if where else error_message(error, t))
    return out[:50]


@router.get("/yaml", response_class=HTMLResponse)
async def yaml_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    return await _yaml_form(
        request, runtime, staff, tenant, content_to_yaml(working.content), working=working
    )


@router.post("/yaml")
async def save_yaml(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
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
    return _redirect("/admin/bot/yaml?saved=draft")


@router.post("/import")
async def import_yaml(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
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
    return _redirect("/admin/bot?saved=imported")


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
async def export_yaml(staff: AdminStaff, runtime: RuntimeDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    return _yaml_download(working.content, f"{tenant.slug}-bot-v{working.version or 0}.yaml")


@router.get("/versions/{version}/export.yaml")
async def export_version(version: int, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    async with runtime.db.session() as session:
        row = await Drafts(session, tenant, runtime.clock).get(version)
    if row is None:
        raise not_found("version")
    return _yaml_download(Content.model_validate(row.content), f"{tenant.slug}-bot-v{version}.yaml")


# Versions and publishing -------------------------------------------------------------------


@router.get("/versions", response_class=HTMLResponse)
async def versions_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    t = t_for(request)
    admin = AdminService.of(runtime)
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
    return await _page(
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


async def _start_publish(runtime: Runtime, tenant: Tenant, version: int) -> Response:
    try:
        await AdminService.of(runtime).publisher.start(tenant.id, version)
    except PublishError as exc:
        if exc.code == "content_invalid":
            return _redirect("/admin/bot?problems=1")
        if exc.code == "publish_running":
            return _redirect("/admin/bot/versions")
        raise not_found("version") from None
    return _redirect("/admin/bot/versions")


@router.post("/publish")
async def publish(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    form = await AdminForm.read(request, staff)
    working = await working_of(runtime, tenant)
    requested = form.int_or_none("version")
    version = requested if isinstance(requested, int) else working.version
    if version is None:
        return _redirect("/admin/bot")
    return await _start_publish(runtime, tenant, version)


@router.post("/versions/{version}/restore")
async def restore(
    request: Request, version: int, staff: AdminStaff, runtime: RuntimeDep
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
    response = await _start_publish(runtime, tenant, number)
    if response.headers.get("location") == "/admin/bot/versions":
        return _redirect(f"/admin/bot/versions?restored={version}")
    return response


@router.post("/draft/discard")
async def discard(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> Response:
    tenant = await tenant_of(runtime, staff)
    await AdminForm.read(request, staff)
    async with runtime.db.transaction() as session:
        await Drafts(session, tenant, runtime.clock).discard_draft()
    return _redirect("/admin/bot/versions")


# Try it ------------------------------------------------------------------------------------


@router.get("/try", response_class=HTMLResponse)
async def try_page(request: Request, staff: AdminStaff, runtime: RuntimeDep) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    t = t_for(request)
    return await _page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/try.html",
        title=t("bot.try.title"),
        trial_id=str(uuid.uuid4()),
    )


def publish_error(exc: PublishError) -> ApiError:
    status = {"not_found": 404, "publish_running": 409}.get(exc.code, 422)
    return ApiError(
        status,
        exc.code,
        str(exc),
        fields=[{"field": "content", "message": p} for p in exc.problems[:50]] or None,
    )
