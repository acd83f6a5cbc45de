"""The audit log page (`/admin/audit`): a shop's admins read their shop's entries; the operator
reads the whole platform's, or one shop's. Filtered by action and dates, paged by time, and
exported as CSV or JSON (the same filters). Entries come from `privacy.audit`; they hold no
personal data, and actors are shown by the names of the shop's own people."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from samtale.accounts.sessions import Staff
from samtale.app.container import Container
from samtale.model import AuditEntry, Tenant, User
from samtale.privacy import audit
from samtale.web.admin.forms import t_for
from samtale.web.admin.home import AdminOrOperator, admin_render
from samtale.web.deps import ContainerDep
from samtale.web.errors import ApiError

router = APIRouter(prefix="/admin/audit", include_in_schema=False)

PAGE = 100
EXPORT_MAX = 20_000


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class Filters:
    def __init__(self, request: Request, staff: Staff) -> None:
        q = request.query_params
        self.action = q.get("action") if q.get("action") in audit.ACTIONS else None
        self.since_text = (q.get("since") or "")[:10]
        self.until_text = (q.get("until") or "")[:10]
        self.since = _day(self.since_text)
        self.until = _day(self.until_text)
        self.bad_date = bool(
            (self.since_text and self.since is None) or (self.until_text and self.until is None)
        )
        self.tenant = (q.get("tenant") or "")[:63] if staff.role == "operator" else ""
        before = q.get("before")
        self.before: datetime | None = None
        if before:
            try:
                self.before = datetime.fromisoformat(before)
            except ValueError:
                self.before = None

    def query(self, **extra: str) -> str:
        from urllib.parse import urlencode

        params = {
            "action": self.action or "",
            "since": self.since_text,
            "until": self.until_text,
            "tenant": self.tenant,
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v})

    def window(self) -> tuple[datetime | None, datetime | None]:
        since = datetime.combine(self.since, time.min, UTC) if self.since else None
        until = (
            datetime.combine(self.until + timedelta(days=1), time.min, UTC) if self.until else None
        )
        if self.before is not None:
            until = min(until, self.before) if until else self.before
        return since, until


async def _entries(
    runtime: Container, staff: Staff, filters: Filters, limit: int
) -> tuple[list[AuditEntry], uuid.UUID | None]:
    since, until = filters.window()
    tenant_id: uuid.UUID | None = staff.tenant_id
    if staff.role == "operator":
        tenant_id = None
        if filters.tenant:
            async with runtime.db.session() as session:
                tenant_id = await session.scalar(
                    select(Tenant.id).where(Tenant.slug == filters.tenant)
                )
            if tenant_id is None:
                return [], None
    out: list[AuditEntry] = []
    async with runtime.db.session() as session:
        while len(out) < limit:
            kwargs: dict[str, Any] = {
                "action": filters.action,
                "since": since,
                "before": until,
                "limit": min(1000, limit - len(out)),
            }
            if tenant_id is not None:
                rows = await audit.tenant_audit(session, tenant_id, **kwargs)
            else:
                rows = await audit.all_audit(session, **kwargs)
            out.extend(rows)
            if len(rows) < kwargs["limit"]:
                break
            until = rows[-1].created_at
    return out, tenant_id


async def _names(runtime: Container, staff: Staff, entries: list[AuditEntry]) -> dict[str, str]:
    """`user:<id>` → a display name (the shop's own people; every person for the operator),
    and tenant ids → shop names for the operator."""
    ids = {uuid.UUID(e.actor[5:]) for e in entries if e.actor.startswith("user:")}
    names: dict[str, str] = {}
    async with runtime.db.session() as session:
        if ids:
            query = select(User.id, User.display_name, User.email).where(User.id.in_(ids))
            if staff.role != "operator":
                query = query.where(User.tenant_id == staff.tenant_id)
            for uid, name, email in await session.execute(query):
                names[f"user:{uid}"] = name or email
        if staff.role == "operator":
            tids = {e.tenant_id for e in entries if e.tenant_id}
            if tids:
                for tid, name in await session.execute(
                    select(Tenant.id, Tenant.name).where(Tenant.id.in_(tids))
                ):
                    names[str(tid)] = name
    return names


def _actor(entry: AuditEntry, names: dict[str, str], t: Any) -> str:
    if entry.actor in names:
        return names[entry.actor]
    kind = entry.actor.split(":", 1)[0]
    if kind == "system":
        return f"{t('audit.actor.system')} ({entry.actor.split(':', 1)[1]})"
    return t(f"audit.actor.{kind}") if kind in ("visitor", "cli", "user") else entry.actor


async def _shops(runtime: Container, staff: Staff) -> list[tuple[str, str]]:
    if staff.role != "operator":
        return []
    async with runtime.db.session() as session:
        rows = await session.execute(select(Tenant.slug, Tenant.name).order_by(Tenant.name))
        return [(slug, name) for slug, name in rows]


@router.get("", response_class=HTMLResponse)
async def audit_page(
    request: Request, staff: AdminOrOperator, runtime: ContainerDep
) -> HTMLResponse:
    if staff.role != "operator" and staff.tenant_id is None:
        raise ApiError(403, "forbidden", "For a shop's admins and the operator.")
    t = t_for(request)
    filters = Filters(request, staff)
    entries, _tid = await _entries(runtime, staff, filters, PAGE + 1)
    more = len(entries) > PAGE
    entries = entries[:PAGE]
    names = await _names(runtime, staff, entries)
    rows = [
        {
            "entry": e,
            "actor": _actor(e, names, t),
            "shop": names.get(str(e.tenant_id), str(e.tenant_id)[:8] if e.tenant_id else "–"),
            "details": ", ".join(f"{k}={v}" for k, v in (e.details or {}).items()),
        }
        for e in entries
    ]
    older = filters.query(before=entries[-1].created_at.isoformat()) if more and entries else None
    return admin_render(
        request,
        "admin/audit.html",
        staff,
        title=t("audit.title"),
        rows=rows,
        filters=filters,
        actions=sorted(audit.ACTIONS),
        shops=await _shops(runtime, staff),
        older=older,
        export_query=filters.query(),
        form_error=t("audit.bad_date") if filters.bad_date else None,
    )


def _export_rows(entries: list[AuditEntry], names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            **audit.entry_dict(e),
            "actor_name": names.get(e.actor, ""),
            "shop": names.get(str(e.tenant_id), "") if e.tenant_id else "",
        }
        for e in entries
    ]


@router.get("/export.{fmt}")
async def export(
    request: Request, fmt: str, staff: AdminOrOperator, runtime: ContainerDep
) -> Response:
    if fmt not in ("csv", "json"):
        raise ApiError(404, "not_found", "CSV or JSON.")
    if staff.role != "operator" and staff.tenant_id is None:
        raise ApiError(403, "forbidden", "For a shop's admins and the operator.")
    filters = Filters(request, staff)
    entries, _tid = await _entries(runtime, staff, filters, EXPORT_MAX)
    rows = _export_rows(entries, await _names(runtime, staff, entries))
    stamp = runtime.clock.now().strftime("%Y%m%d-%H%M")
    scope = staff.tenant_slug or filters.tenant or "platform"
    headers = {
        "Content-Disposition": f'attachment; filename="audit-{scope}-{stamp}.{fmt}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if fmt == "json":
        return Response(
            json.dumps({"entries": rows}, ensure_ascii=False, indent=1),
            media_type="application/json",
            headers=headers,
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["created_at", "shop", "actor", "actor_name", "action", "subject_hash", "details"]
    )
    for r in rows:
        writer.writerow(
            [
                r["created_at"],
                r["shop"] or (r["tenant_id"] or ""),
                r["actor"],
                r["actor_name"],
                r["action"],
                r["subject_hash"] or "",
                json.dumps(r["details"], ensure_ascii=False, sort_keys=True),
            ]
        )
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
