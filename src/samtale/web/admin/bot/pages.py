"""The bot builder (`/admin/bot/…`): intents, flows and system texts edited in forms, the raw
YAML view, import and export, versions and publishing, and the "try it" chat.

Every form builds the content model (`bot.content`) the commands and the API use; when it does
not validate, the form comes back with what was typed and the errors next to their fields.
Saving writes the draft (`bot.drafts.Drafts`); only publishing changes the live bot.

This module holds the intents and what the builder's pages share; flows and system texts are in
`admin_bot_flows`, the YAML view, versions and try-it in `admin_bot_versions`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from samtale.accounts.sessions import Staff
from samtale.admin.publishing import job_view
from samtale.app.container import Container
from samtale.bot.content import Content, Intent
from samtale.bot.content_checks import content_problems
from samtale.bot.drafts import (
    ContentError,
    Drafts,
    Working,
    validate_content,
)
from samtale.model import Tenant
from samtale.web.admin.forms import AdminForm, errors_by_field, t_for
from samtale.web.admin.home import AdminStaff, admin_render
from samtale.web.deps import ContainerDep
from samtale.web.errors import not_found
from samtale.web.i18n import ui_language
from samtale.web.staff.labels import StaffLabels

router = APIRouter(prefix="/admin/bot", include_in_schema=False)

LANGUAGE_NAMES = {"da": "Dansk", "sv": "Svenska", "nb": "Norsk", "fi": "Suomi", "en": "English"}
KINDS = ("normal", "greeting", "goodbye", "handoff", "smalltalk", "privacy", "complaint")
SPARE_BUTTONS = 2
# Actions whose answer is the shop's data, and where that data comes from (a `staff` text key).
DATA_SOURCES = {
    "payment_methods": "bot.source.payment_methods",
    "delivery_options": "bot.source.delivery_options",
    "product_search": "bot.source.product_search",
    "track_order": "bot.source.track_order",
    "track_shipment": "bot.source.track_shipment",
}


# Helpers -----------------------------------------------------------------------------------


async def tenant_of(runtime: Container, staff: Staff) -> Tenant:
    async with runtime.db.session() as session:
        tenant = await session.get(Tenant, staff.tenant_id)
    if tenant is None:
        raise not_found("shop")
    return tenant


async def working_of(runtime: Container, tenant: Tenant) -> Working:
    async with runtime.db.session() as session:
        return await Drafts(session, tenant, runtime.clock).working()


def action_names(runtime: Container, content: Content) -> list[str]:
    names = set(runtime.actions.names())
    names |= {i.action for i in content.intents if i.action}
    names |= {f.action for f in content.flows}
    return sorted(names)


async def _status(runtime: Container, tenant: Tenant, working: Working) -> dict[str, Any]:
    admin = runtime.admin
    async with runtime.db.session() as session:
        job = await admin.publisher.latest(session, tenant.id)
    view = job_view(job, runtime.clock.now()) if job is not None else None
    errors, warnings = content_problems(working.content)
    return {"working": working, "job": view, "errors": errors, "warnings": warnings}


async def bot_page(
    request: Request,
    runtime: Container,
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


async def save(runtime: Container, tenant: Tenant, content: Content, source: str = "admin") -> int:
    async with runtime.db.transaction() as session:
        row = await Drafts(session, tenant, runtime.clock).save_draft(content, source)
        return row.version


def redirect(url: str) -> RedirectResponse:
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
    request: Request, staff: AdminStaff, runtime: ContainerDep, q: str = ""
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    q = q.strip()[:100]
    intents = [i for i in working.content.intents if not q or _matches(i, q)]
    t = t_for(request)
    return await bot_page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/intents.html",
        working,
        title=t("bot.title"),
        intents=intents,
        q=q,
        notice=saved_notice(request, t),
    )


def saved_notice(request: Request, t: Callable[..., str]) -> str | None:
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
        "answer_from": (intent.answer_from or "") if intent else "",
    }
    for lang in languages:
        examples = list(intent.examples.get(lang, [])) if intent else []  # type: ignore[call-overload]
        answers = list(intent.answers.get(lang, [])) if intent else []  # type: ignore[call-overload]
        values[f"title.{lang}"] = intent.title.get(lang, "") if intent else ""  # type: ignore[call-overload]
        values[f"descriptions.{lang}"] = (
            intent.descriptions.get(lang, "") if intent else ""  # type: ignore[call-overload]
        )
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
        "answer_from": form.get("answer_from"),
    }
    data: dict[str, Any] = {
        "name": values["name"],
        "description": values["description"],
        "kind": values["kind"],
        "flow": values["flow"] or None,
        "action": values["action"] or None,
        # The model says what is allowed ("knowledge", "text"); a stray value is an error there.
        "answer_from": values["answer_from"] or None,
        "title": {},
        "descriptions": {},
        "examples": {},
        "answers": {},
        "buttons": {},
    }
    for lang in languages:
        for field in ("title", "descriptions"):
            values[f"{field}.{lang}"] = form.get(f"{field}.{lang}")
            if values[f"{field}.{lang}"]:
                data[field][lang] = values[f"{field}.{lang}"]
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
    if len(loc) >= 2 and loc[0] in ("examples", "answers", "title", "descriptions"):
        return f"{loc[0]}.{loc[1]}"
    if len(loc) >= 4 and loc[0] == "buttons":
        # Shown beside the button's row (its index among the rows as posted).
        return f"buttons.{loc[1]}.{loc[2]}.{loc[3]}"
    if loc and loc[0] in ("name", "description", "kind", "flow", "action", "answer_from"):
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
    title = StaffLabels(content, ui_language(request)).topic(original) if original else None
    title = title or t("bot.intent.new")
    from_data = bool(values.get("action")) and values.get("answer_from") != "text"
    missing = _language_state(content, values, bool(values.get("flow") or from_data))
    return await bot_page(
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
        data_sources=DATA_SOURCES,
        intent_names=[i.name for i in content.intents],
        missing=missing,
        crumbs=[(t("nav.admin.bot"), "/admin/bot"), (title, None)],
        notice=None if errors else saved_notice(request, t),
    )


@router.get("/intents/new", response_class=HTMLResponse)
async def new_intent_page(
    request: Request, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    values = intent_values(None, [str(x) for x in working.content.languages])
    return await _intent_form(request, runtime, staff, tenant, working, None, values)


@router.get("/intents/{name}", response_class=HTMLResponse)
async def intent_page(
    request: Request, name: str, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    working = await working_of(runtime, tenant)
    intent = working.content.intent(name)
    if intent is None:
        raise not_found("intent")
    values = intent_values(intent, [str(x) for x in working.content.languages])
    return await _intent_form(request, runtime, staff, tenant, working, name, values)


async def _save_intent(
    request: Request, staff: Staff, runtime: Container, original: str | None
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
            return redirect(f"/admin/bot/intents/{intent.name}?saved=draft")
    return await _intent_form(request, runtime, staff, tenant, working, original, values, errors)


@router.post("/intents/new")
async def create_intent(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    return await _save_intent(request, staff, runtime, None)


@router.post("/intents/{name}")
async def update_intent(
    request: Request, name: str, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    return await _save_intent(request, staff, runtime, name)


@router.get("/intents/{name}/delete", response_class=HTMLResponse)
async def delete_intent_page(
    request: Request, name: str, staff: AdminStaff, runtime: ContainerDep
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
    shown = StaffLabels(working.content, ui_language(request))
    if referring:
        removes.append(
            t("bot.delete_buttons_in", names=", ".join(shown.topic(n) for n in referring))
        )
    return await bot_page(
        request,
        runtime,
        staff,
        tenant,
        "admin/bot/confirm_delete.html",
        working,
        title=t("bot.delete_intent_title", name=shown.topic(name)),
        removes=removes,
        action=f"/admin/bot/intents/{name}/delete",
        back=f"/admin/bot/intents/{name}",
        button=t("bot.delete_intent"),
        crumbs=[
            (t("nav.admin.bot"), "/admin/bot"),
            (shown.topic(name), f"/admin/bot/intents/{name}"),
        ],
    )


@router.post("/intents/{name}/delete")
async def delete_intent(
    request: Request, name: str, staff: AdminStaff, runtime: ContainerDep
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
    return redirect(f"/admin/bot?deleted={name}")
