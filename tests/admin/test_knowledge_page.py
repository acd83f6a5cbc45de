"""The admin's Knowledge page: sources with status, page count and last crawl; adding a source
(crawled in the background); leaving a page out of answers; the "try a question" box with the
chosen passages, their scores and links. Only the shop's own sources are reachable."""

from __future__ import annotations

import asyncio

from tests.admin.conftest import AdminEnv, csrf_of
from tests.knowledge.site import Site


async def _wait_crawled(admin_env: AdminEnv) -> None:
    for _ in range(200):
        sources = await admin_env.runtime.knowledge.list_sources(admin_env.shop.id)
        if sources and sources[0].status not in ("new", "crawling"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the crawl did not finish")


async def test_add_a_source_try_a_question_and_exclude_a_page(admin_env: AdminEnv) -> None:
    admin = await admin_env.login("admin")
    en = {"accept-language": "en"}
    page = await admin.get("/admin/knowledge", headers=en)
    assert page.status_code == 200 and "No sources yet." in page.text
    assert 'href="/admin/knowledge"' in page.text  # in the navigation

    r = await admin.post(
        "/admin/knowledge/sources", data={"csrf": csrf_of(admin), "url": "not a url"}, headers=en
    )
    assert r.status_code == 422 and "not a valid http(s) address" in r.text

    with Site() as site:
        admin_env.runtime.knowledge.fetcher.client = _loopback_client()
        r = await admin.post(
            "/admin/knowledge/sources",
            data={"csrf": csrf_of(admin), "url": f"{site.url}/sitemap.xml", "max_pages": "50"},
        )
        assert r.status_code == 303 and r.headers["location"] == "/admin/knowledge?done=added"
        await _wait_crawled(admin_env)
        # The pages are searchable before their vectors are in; the question below is asked
        # of the index with them.
        await admin_env.runtime.knowledge.wait_for_background()
    page = await admin.get("/admin/knowledge", headers=en)
    assert "sitemap.xml" in page.text and "Partial" in page.text and "/help/returns" in page.text

    asked = await admin.get(
        "/admin/knowledge", params={"q": "can I pay with vipps", "lang": "en"}, headers=en
    )
    assert 'data-answered="yes"' in asked.text and f"{site.url}/help/payment" in asked.text
    assert "knowledge-hits" in asked.text and "Bar for answering" in asked.text

    pages = await admin_env.runtime.knowledge.list_pages(admin_env.shop.id)
    payment = next(p for p in pages if p.url.endswith("/help/payment"))
    r = await admin.post(
        f"/admin/knowledge/pages/{payment.id}/exclude",
        data={"csrf": csrf_of(admin), "excluded": "1"},
    )
    assert r.status_code == 303
    asked = await admin.get(
        "/admin/knowledge", params={"q": "can I pay with vipps", "lang": "en"}, headers=en
    )
    assert f"{site.url}/help/payment</a>" not in asked.text and "Left out of answers" in asked.text

    # Another shop's admin cannot touch this shop's pages or sources.
    other = await admin_env.login("other-admin")
    r = await other.post(
        f"/admin/knowledge/pages/{payment.id}/exclude",
        data={"csrf": csrf_of(other), "excluded": "0"},
    )
    assert r.status_code == 404
    [source] = await admin_env.runtime.knowledge.list_sources(admin_env.shop.id)
    r = await other.post(
        f"/admin/knowledge/sources/{source.id}/remove", data={"csrf": csrf_of(other)}
    )
    assert r.status_code == 404
    r = await admin.post(
        f"/admin/knowledge/sources/{source.id}/remove", data={"csrf": csrf_of(admin)}
    )
    assert r.status_code == 303
    assert await admin_env.runtime.knowledge.list_sources(admin_env.shop.id) == []


def _loopback_client():  # type: ignore[no-untyped-def]
    """The fetcher's client for a site on loopback (the server's allows no private address
    unless the operator lifts the guard)."""
    import httpx

    return httpx.AsyncClient(timeout=5)
