"""Crawling a site: within its host, within the page limit, with robots.txt respected."""

from __future__ import annotations

import httpx

from samtale.knowledge.crawling import Crawler, CrawlPlan, links_of
from samtale.knowledge.fetching import Fetcher, PageStatus
from tests.knowledge.site import Site


async def _crawl(site: Site, http: httpx.AsyncClient, plan: CrawlPlan) -> dict[str, PageStatus]:
    crawler = Crawler(Fetcher(http, max_bytes=1_000_000))
    return {f.url.removeprefix(site.url): f.status async for f in crawler.crawl(plan)}


async def test_a_sitemap_is_read_and_robots_respected(site: Site, http: httpx.AsyncClient) -> None:
    got = await _crawl(site, http, CrawlPlan("sitemap", f"{site.url}/sitemap.xml"))
    assert set(got) == set(site.sitemap_paths)
    assert got["/private/staff"] is PageStatus.BLOCKED_ROBOTS
    assert site.hits["/private/staff"] == 0
    assert got["/files/tent-care.pdf"] is PageStatus.INDEXED


async def test_a_start_url_is_crawled_within_its_host_up_to_the_limit(
    site: Site, http: httpx.AsyncClient
) -> None:
    got = await _crawl(site, http, CrawlPlan("site", f"{site.url}/", max_pages=12))
    assert len(got) == 12
    assert sum(site.hits[p] for p in site.pages if p != "/robots.txt") == len(
        [s for s in got.values() if s is not PageStatus.BLOCKED_ROBOTS]
    )
    everything = await _crawl(site, http, CrawlPlan("site", f"{site.url}/", max_pages=500))
    assert "/journal/29" in everything and "/help/stores" in everything
    assert everything["/private/staff"] is PageStatus.BLOCKED_ROBOTS
    assert all(not url.startswith("http") for url in everything)  # never left the host


def test_links_stay_absolute_and_skip_assets() -> None:
    body = b'<a href="/a#x">a</a><a href="b.jpg">b</a><a href="mailto:x@y">m</a><a href="c">c</a>'
    assert links_of(body, "http://h.example/dir/") == [
        "http://h.example/a",
        "http://h.example/dir/c",
    ]
