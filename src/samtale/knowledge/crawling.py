"""Which pages a source names, fetched a few at a time.

Two kinds of source are crawled:

- a **sitemap** (`sitemap.xml`, or a sitemap index of sitemaps): its `<loc>` entries, in order,
  on the sitemap's own host (the sitemap protocol's rule, and a guard against a sitemap that
  sends the crawler elsewhere);
- a **start URL**: breadth first through the links of its HTML pages, staying on its host
  (scheme and port included), skipping links to images, scripts and archives.

Both respect the host's `robots.txt` (a disallowed page gets `BLOCKED_ROBOTS` and is not
fetched) and stop after `max_pages` page fetches. On a re-crawl the pages known from the last
crawl are fetched first with their validators (ETag, Last-Modified), so an unchanged site costs
one 304 per page; a 304 has no body to find links in, but its links were found before.

The crawler yields each fetch as it completes; the caller extracts and stores. A few fetches
run at once (`concurrency`), which is what makes a crawl from a slow site bearable without
hammering it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import httpx
from lxml import etree
from lxml import html as lxml_html

from samtale.knowledge.fetching import Fetched, Fetcher, PageStatus, Validators
from samtale.knowledge.robots import Robots, read_robots

DEFAULT_MAX_PAGES = 500
_SKIP_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".css", ".js", ".zip", ".gz",
    ".mp4", ".mp3", ".woff", ".woff2", ".ttf", ".json", ".rss", ".atom",
)  # fmt: skip
_SITEMAP_DEPTH = 3


@dataclass(frozen=True)
class CrawlPlan:
    kind: str  # sitemap or site
    url: str
    max_pages: int = DEFAULT_MAX_PAGES


def normalize_url(url: str, base: str | None = None) -> str | None:
    """An absolute http(s) URL without its fragment, or None for anything else."""
    try:
        parsed = httpx.URL(base).join(url) if base else httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    parsed = parsed.copy_with(fragment=None)
    if not parsed.path:
        parsed = parsed.copy_with(path="/")
    return str(parsed)


def same_site(url: str, root: str) -> bool:
    a, b = httpx.URL(url), httpx.URL(root)
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def links_of(body: bytes, base: str) -> list[str]:
    """The links of an HTML page, absolute, in document order, without duplicates."""
    try:
        doc = lxml_html.fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    base_href = doc.xpath("//base/@href")
    if base_href:
        base = normalize_url(str(base_href[0]), base) or base
    found: dict[str, None] = {}
    for href in doc.xpath("//a[@href]/@href"):
        href = str(href).strip()
        if href.startswith(("mailto:", "tel:", "javascript:")):
            continue
        url = normalize_url(href, base)
        if url and not httpx.URL(url).path.lower().endswith(_SKIP_EXTENSIONS):
            found.setdefault(url, None)
    return list(found)


def sitemap_locations(body: bytes) -> tuple[list[str], list[str]]:
    """The page URLs and the nested sitemap URLs of a sitemap or sitemap index."""
    try:
        root = etree.fromstring(
            body, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError:
        return [], []
    pages: list[str] = []
    nested: list[str] = []
    local = etree.QName(root).localname
    for loc in root.iter("{*}loc"):
        text = (loc.text or "").strip()
        if not text:
            continue
        parent = loc.getparent()
        parent_name = etree.QName(parent).localname if parent is not None else ""
        if local == "sitemapindex" or parent_name == "sitemap":
            nested.append(text)
        else:
            pages.append(text)
    return pages, nested


class Crawler:
    def __init__(self, fetcher: Fetcher, *, concurrency: int = 4) -> None:
        self.fetcher = fetcher
        self.concurrency = concurrency

    async def sitemap_urls(
        self, url: str, robots: Robots, limit: int
    ) -> tuple[list[str], str | None]:
        """The page URLs a sitemap lists (following sitemap indexes), at most `limit`, and an
        error when the sitemap itself could not be read."""
        pages: dict[str, None] = {}
        todo = [(url, 0)]
        seen: set[str] = set()
        error: str | None = None
        while todo and len(pages) < limit:
            current, depth = todo.pop(0)
            if current in seen or depth > _SITEMAP_DEPTH:
                continue
            seen.add(current)
            got = await self.fetcher.fetch(current, kinds=frozenset({"xml", "text"}))
            if not got.ok:
                if current == url:
                    error = f"sitemap: {got.status.value} {got.error or ''}".strip()
                continue
            found, nested = sitemap_locations(got.body)
            for loc in found:
                norm = normalize_url(loc)
                if norm and same_site(norm, url):
                    pages.setdefault(norm, None)
            todo.extend(
                (n, depth + 1)
                for n in (normalize_url(x) for x in nested)
                if n and same_site(n, url)
            )
        return list(pages)[:limit], error

    async def crawl(
        self, plan: CrawlPlan, known: Mapping[str, Validators] | None = None
    ) -> AsyncIterator[Fetched]:
        """Fetch the pages of `plan`, yielding each result (in completion order)."""
        known = dict(known or {})
        root = normalize_url(plan.url)
        if root is None:
            yield Fetched(plan.url, PageStatus.HTTP_ERROR, error="not an http(s) URL")
            return
        robots = await read_robots(self.fetcher, root)
        queue: asyncio.Queue[str] = asyncio.Queue()
        enqueued: set[str] = set()
        results: asyncio.Queue[Fetched | None] = asyncio.Queue()
        budget = plan.max_pages

        def enqueue(url: str) -> None:
            nonlocal budget
            if url in enqueued or budget <= 0 or not same_site(url, root):
                return
            enqueued.add(url)
            budget -= 1
            queue.put_nowait(url)

        if plan.kind == "sitemap":
            urls, error = await self.sitemap_urls(root, robots, plan.max_pages)
            if error and not urls:
                yield Fetched(root, PageStatus.HTTP_ERROR, error=error[:300])
                return
            for url in urls:
                enqueue(url)
        else:
            enqueue(root)
            for url in known:
                enqueue(url)

        async def worker() -> None:
            while True:
                try:
                    url = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    if not robots.allowed(url):
                        got = Fetched(url, PageStatus.BLOCKED_ROBOTS, error="robots.txt")
                    else:
                        got = await self.fetcher.fetch(
                            url,
                            known.get(url),
                            kinds=frozenset({"html", "pdf", "markdown", "text"}),
                        )
                    if plan.kind == "site" and got.ok and got.kind == "html":
                        for link in links_of(got.body, got.url):
                            enqueue(link)
                    await results.put(got)
                finally:
                    queue.task_done()

        workers: set[asyncio.Task[None]] = set()

        def finished(task: asyncio.Task[None]) -> None:
            workers.discard(task)
            results.put_nowait(None)

        def top_up() -> None:
            while len(workers) < self.concurrency and not queue.empty():
                task = asyncio.create_task(worker())
                workers.add(task)
                task.add_done_callback(finished)

        top_up()
        try:
            while workers or not results.empty():
                item = await results.get()
                if item is None:
                    top_up()
                    continue
                top_up()
                yield item
        finally:
            for task in list(workers):
                task.cancel()
