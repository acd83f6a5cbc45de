"""The shop's knowledge (`/admin/knowledge`): its sources with status, page count, last crawl
and errors; adding a sitemap or start URL (crawled in the background); crawling again and
removing a source; leaving a page out of answers; and a "try a question" box that shows the
passages chosen, with their scores and links, and whether the bot would answer."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samtale.kernel.languages import LANGUAGES
from samtale.knowledge.crawling import DEFAULT_MAX_PAGES
from samtale.knowledge.service import KnowledgeError
from samtale.web.admin.forms import AdminForm, t_for
from samtale.web.admin.home import AdminStaff, admin_render
from samtale.web.deps import ContainerDep
from samtale.web.errors import not_found

router = APIRouter(prefix="/admin/knowledge", include_in_schema=False)


def _redirect(done: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/knowledge?done={done}", status_code=303)


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise not_found("source") from None


async def _page(
    request: Request,
    runtime: ContainerDep,
    staff: AdminStaff,
    *,
    error: str | None = None,
    status_code: int = 200,
    q: str = "",
    lang: str = "",
) -> HTMLResponse:
    assert staff.tenant_id is not None
    sources, pages = await runtime.knowledge.overview(staff.tenant_id)
    asked = None
    if q.strip():
        asked = await runtime.knowledge.ask(staff.tenant_id, q.strip()[:500], lang or None)
    return admin_render(
        request,
        "admin/knowledge.html",
        staff,
        status_code=status_code,
        sources=sources,
        pages=pages,
        error=error,
        done=request.query_params.get("done"),
        q=q,
        try_language=lang,
        try_languages=LANGUAGES,
        asked=asked,
        max_pages=DEFAULT_MAX_PAGES,
    )


@router.get("", response_class=HTMLResponse)
async def knowledge_page(
    request: Request,
    staff: AdminStaff,
    runtime: ContainerDep,
    q: str = Query("", max_length=500),
    lang: str = Query("", max_length=8),
) -> HTMLResponse:
    return await _page(request, runtime, staff, q=q, lang=lang)


@router.post("/sources")
async def add_source(request: Request, staff: AdminStaff, runtime: ContainerDep) -> Response:
    form = await AdminForm.read(request, staff)
    assert staff.tenant_id is not None
    try:
        max_pages = int(form.get("max_pages") or DEFAULT_MAX_PAGES)
        await runtime.knowledge.add_and_crawl_later(
            staff.tenant_id, form.get("url"), max_pages=max_pages
        )
    except (KnowledgeError, ValueError):
        t = t_for(request)
        return await _page(
            request, runtime, staff, error=t("knowledge.bad_source"), status_code=422
        )
    return _redirect("added")


@router.post("/sources/{source_id}/crawl")
async def crawl_source(
    request: Request, source_id: str, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    await AdminForm.read(request, staff)
    assert staff.tenant_id is not None
    await runtime.knowledge.start_crawl(staff.tenant_id, _uuid(source_id))
    return _redirect("crawling")


@router.post("/sources/{source_id}/remove")
async def remove_source(
    request: Request, source_id: str, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    await AdminForm.read(request, staff)
    assert staff.tenant_id is not None
    if not await runtime.knowledge.remove_source(staff.tenant_id, _uuid(source_id)):
        raise not_found("source")
    return _redirect("removed")


@router.post("/pages/{page_id}/exclude")
async def exclude_page(
    request: Request, page_id: str, staff: AdminStaff, runtime: ContainerDep
) -> Response:
    form = await AdminForm.read(request, staff)
    assert staff.tenant_id is not None
    excluded = form.get("excluded", "1") == "1"
    if not await runtime.knowledge.exclude_page(staff.tenant_id, _uuid(page_id), excluded):
        raise not_found("page")
    return _redirect("excluded" if excluded else "included")
