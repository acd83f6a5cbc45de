"""The settings pages of the shop's data (`/admin/settings/retention`, `connector`): retention
through the privacy feature's model and deletion path, the connector through the shop feature's
`HttpConnectorConfig`, with a connection test."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from samtale.admin.settings import (
    InsightRetention,
    Probe,
    insight_retention,
    probe_connector,
    save_section,
)
from samtale.admin.shops import SECRET_FIELDS
from samtale.app.container import Container
from samtale.model import Tenant
from samtale.privacy import audit
from samtale.privacy.retention import MAX_RETENTION_DAYS
from samtale.shop.connect import PLATFORMS
from samtale.web.admin.bot.pages import tenant_of
from samtale.web.admin.forms import AdminForm, errors_by_field, t_for
from samtale.web.admin.home import AdminStaff
from samtale.web.admin.privacy import RetentionIn
from samtale.web.admin.settings.pages import changed, redirect, settings_page
from samtale.web.deps import ContainerDep

router = APIRouter(prefix="/admin/settings", include_in_schema=False)


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
async def retention_page(
    request: Request, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    return await settings_page(
        request, staff, tenant, "retention", _retention_values(tenant), max_days=MAX_RETENTION_DAYS
    )


@router.post("/retention")
async def save_retention(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
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
        return await settings_page(
            request, staff, tenant, "retention", values, errors, max_days=MAX_RETENTION_DAYS
        )
    await runtime.privacy.retention.set_retention(
        tenant.id, policy.bot_days, policy.agent_days, actor=audit.user_actor(staff.user_id)
    )
    async with runtime.db.transaction() as session:
        await save_section(session, tenant.id, "retention", extra.model_dump(mode="json"))
    return redirect("/admin/settings/retention?saved=1")


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


async def _has_demo(runtime: Container, tenant: Tenant) -> bool:
    from samtale.demo.shop.store import has_demo_shop

    async with runtime.db.session() as session:
        return await has_demo_shop(session, tenant.id)


@router.get("/connector", response_class=HTMLResponse)
async def connector_page(
    request: Request, staff: AdminStaff, runtime: ContainerDep
) -> HTMLResponse:
    tenant = await tenant_of(runtime, staff)
    values = {
        **_connector_values(tenant, await _has_demo(runtime, tenant)),
        **runtime.admin.shops.values(tenant),
    }
    return await settings_page(request, staff, tenant, "connector", values)


async def _connect_shop(
    request: Request, staff: AdminStaff, runtime: ContainerDep, tenant: Tenant, form: AdminForm
) -> Response:
    """ "Connect your shop": the form parsed, one service call, the page."""
    from samtale.admin.shops import FORM_FIELDS
    from samtale.shop.connect import CARRIER_SECRETS

    given = {name: form.get(name) for name in ("type", *FORM_FIELDS, *CARRIER_SECRETS)}
    outcome = await runtime.admin.shops.submit(
        tenant.id, audit.user_actor(staff.user_id), given, test=bool(form.get("test"))
    )
    if outcome.saved:
        return redirect("/admin/settings/connector?saved=1")
    t = t_for(request)
    values = {
        **_connector_values(tenant, await _has_demo(runtime, tenant)),
        **runtime.admin.shops.values(tenant),
        **{k: v for k, v in given.items() if k not in SECRET_FIELDS},
    }
    errors = {name: t("settings.shop.invalid") for name in outcome.errors}
    return await settings_page(
        request, staff, tenant, "connector", values, errors, shop_outcome=outcome
    )


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
async def save_connector(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
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
    if values["type"] in PLATFORMS:
        return await _connect_shop(request, staff, runtime, tenant, form)
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
        if not errors and config is not None and not runtime.settings.shop_private_addresses:
            from samtale.shop.addresses import non_public_address

            url = config.base_url
            blocked = await non_public_address(url.host or "", url.port)
            if blocked is not None:
                errors["base_url"] = t("settings.connector.private_address", address=blocked)
    if errors:
        return await settings_page(request, staff, tenant, "connector", values, errors)
    if form.get("test"):
        probes: list[Probe] = []
        if config is not None:
            probes = await probe_connector(
                config,
                runtime.clock,
                private_addresses=runtime.settings.shop_private_addresses,
            )
        return await settings_page(
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
            from samtale.demo.shop.store import ensure_demo_shop

            await ensure_demo_shop(session, tenant.id, runtime.clock)
        await changed(session, runtime, staff, tenant, "connector")
    runtime.shop.forget(tenant.id)
    return redirect("/admin/settings/connector?saved=1")


async def _remove_demo_shop(session: Any, tenant_id: Any) -> None:
    from sqlalchemy import delete

    from samtale.model import ShopDemoSeed, ShopOrder, ShopProduct, ShopShipment

    for table in (ShopShipment, ShopOrder, ShopProduct, ShopDemoSeed):
        await session.execute(delete(table).where(table.tenant_id == tenant_id))
