"""The `/admin` shell: the layout, the navigation and the home page of the admin pages.

Shop admins (role `admin`) see their own shop's pages; the operator (role `operator`) sees the
platform's pages (tenants, the platform-wide audit log). Log-in and roles are the staff pages'
(`web/staff/session.py`): a page depends on `AdminStaff` (a shop's admin) or `OperatorStaff`.

How a feature adds a page
-------------------------
1. A router module under `web/admin/` with its pages::

       router = APIRouter(prefix="/admin", include_in_schema=False)

       @router.get("/dashboard", response_class=HTMLResponse)
       async def dashboard(request: Request, staff: AdminStaff) -> HTMLResponse:
           return admin_render(request, "admin/dashboard.html", staff, title="…")

2. Its line in `NAV` below, and its router in `web/app.py`.
3. Templates extend `admin/base.html` and fill `{% block content %}`; texts go into the
   catalogue (`kernel/texts/staff.yaml`) in Danish and English.

`test_access_matrix` (tests/admin/) classifies every route by its path and role dependency, so a
new page under `/admin/` is checked for roles and tenants without being listed anywhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samtale.accounts.sessions import Staff
from samtale.app.container import Container
from samtale.web.errors import ApiError
from samtale.web.staff.session import page_roles, render

GROUPS: tuple[str, ...] = ("home", "insights", "bot", "shop", "platform")


@dataclass(frozen=True)
class NavItem:
    """One entry of the admin navigation.

    `key` is unique (a later entry with the same key replaces the earlier one); `href` None marks
    a reserved place that is shown without a link; `label` is an i18n key; `roles` who sees it;
    `group` the heading it is listed under (one of `GROUPS`); `order` sorts within a group.
    """

    key: str
    href: str | None
    label: str
    group: str = "shop"
    roles: tuple[str, ...] = ("admin",)
    order: int = 100


# Every admin page, in the order of its group's heading; a new page adds its line here.
NAV: tuple[NavItem, ...] = (
    NavItem("home", "/admin", "nav.admin.home", group="home", order=0),
    NavItem("dashboard", "/admin/dashboard", "nav.admin.dashboard", group="insights", order=10),
    NavItem("review", "/admin/review", "nav.admin.review", group="insights", order=20),
    NavItem("evaluation", "/admin/evaluation", "nav.admin.evaluation", group="insights", order=30),
    NavItem("bot", "/admin/bot", "nav.admin.bot", group="bot", order=10),
    NavItem("bot-flows", "/admin/bot/flows", "nav.admin.flows", group="bot", order=20),
    NavItem("bot-messages", "/admin/bot/messages", "nav.admin.messages", group="bot", order=30),
    NavItem("bot-try", "/admin/bot/try", "nav.admin.try", group="bot", order=40),
    NavItem("bot-versions", "/admin/bot/versions", "nav.admin.versions", group="bot", order=50),
    NavItem("bot-yaml", "/admin/bot/yaml", "nav.admin.yaml", group="bot", order=60),
    NavItem("knowledge", "/admin/knowledge", "nav.admin.knowledge", group="bot", order=70),
    NavItem("settings", "/admin/settings", "nav.admin.settings", group="shop", order=10),
    NavItem("team", "/admin/team", "nav.admin.team", group="shop", order=20),
    NavItem("audit", "/admin/audit", "nav.admin.audit", group="shop", order=30),
    NavItem(
        "tenants",
        "/admin/tenants",
        "nav.admin.tenants",
        group="platform",
        roles=("operator",),
        order=10,
    ),
    NavItem(
        "platform-audit",
        "/admin/audit",
        "nav.admin.platform_audit",
        group="platform",
        roles=("operator",),
        order=20,
    ),
)


@dataclass(frozen=True)
class NavLink:
    item: NavItem
    current: bool


def nav_for(role: str, path: str) -> list[tuple[str, list[NavLink]]]:
    """The navigation a person with `role` sees on `path`: (group, links) in group order; the
    link whose `href` is the longest prefix of the path is the current one."""
    visible = [i for i in NAV if role in i.roles]
    best = ""
    for item in visible:
        href = item.href
        if (
            href
            and (path == href or path.startswith(href.rstrip("/") + "/"))
            and len(href) > len(best)
        ):
            best = href
    groups: list[tuple[str, list[NavLink]]] = []
    for group in GROUPS:
        items = sorted((i for i in visible if i.group == group), key=lambda i: (i.order, i.key))
        if items:
            groups.append((group, [NavLink(i, bool(best) and i.href == best) for i in items]))
    return groups


def admin_render(
    request: Request,
    template: str,
    staff: Staff,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render an admin page (a template extending `admin/base.html`) with its navigation."""
    return render(
        request,
        template,
        staff,
        status_code=status_code,
        nav=nav_for(staff.role, request.url.path),
        **context,
    )


async def _shop_admin(staff: Staff = page_roles("admin")) -> Staff:
    if staff.tenant_id is None:
        raise ApiError(403, "forbidden", "These pages are for a shop's admins.")
    return staff


async def _operator(staff: Staff = page_roles("operator")) -> Staff:
    return staff


async def _admin_or_operator(staff: Staff = page_roles("admin", "operator")) -> Staff:
    return staff


AdminStaff = Annotated[Staff, Depends(_shop_admin)]
OperatorStaff = Annotated[Staff, Depends(_operator)]
AdminOrOperator = Annotated[Staff, Depends(_admin_or_operator)]


# Reserved for the insights pages, which register them again with their `href`.

router = APIRouter(prefix="/admin", include_in_schema=False)


async def _checklist(runtime: Container, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """The first steps of a new shop, each with whether it is done."""
    from sqlalchemy import func, select

    from samtale.bot.drafts import STARTER_INTENTS, Drafts
    from samtale.model import Tenant, User

    async with runtime.db.session() as session:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            return []
        working = await Drafts(session, tenant, runtime.clock).working()
        people = await session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.tenant_id == tenant_id, User.active.is_(True))
        )
    own_intents = [i for i in working.content.intents if i.name not in STARTER_INTENTS]
    settings = tenant.settings or {}
    return [
        {"key": "bot", "href": "/admin/bot", "done": len(own_intents) > 0},
        {"key": "publish", "href": "/admin/bot/versions", "done": working.published is not None},
        {"key": "widget", "href": "/admin/settings/widget", "done": bool(settings.get("widget"))},
        {"key": "site", "href": "/admin/settings/site", "done": bool(tenant.allowed_origins)},
        {"key": "team", "href": "/admin/team", "done": int(people or 0) > 1},
    ]


@router.get("", response_class=HTMLResponse)
async def admin_home(request: Request, staff: AdminOrOperator) -> Response:
    if staff.role == "operator":
        return RedirectResponse("/admin/tenants", status_code=303)
    if staff.tenant_id is None:
        raise ApiError(403, "forbidden", "These pages are for a shop's admins.")
    cards = [
        link.item
        for _group, links in nav_for(staff.role, "")
        for link in links
        if link.item.href and link.item.key != "home"
    ]
    runtime = request.app.state.runtime
    checklist = await _checklist(runtime, staff.tenant_id)
    return admin_render(
        request,
        "admin/home.html",
        staff,
        cards=cards,
        checklist=checklist,
        demo_mail=runtime.mail_catcher is not None,
    )
