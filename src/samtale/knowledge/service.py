"""The knowledge base of each tenant: add sources, crawl them, answer from them.

`KnowledgeService` is what the composition root builds and the bot, the CLI and the admin
pages call. It gets its collaborators as constructor arguments: the database, a `Fetcher`
around the guarded outgoing HTTP client, the two embedders (passages are embedded with e5's
`passage:` prefix and remembered in the on-disk cache, questions with `query:` and forgotten),
the data folder where each tenant's index is kept, the clock, and the `AnswerWriter`.

A crawl, in order:

1. the source's known pages are fetched again with their validators (a 304 costs nothing);
2. each page read is extracted and cut into passages, and its text hashed: a page whose text
   did not change is `unchanged` and keeps its passages; a changed page has its passages
   replaced in one transaction; a page that is gone (404) loses its passages; a page that
   failed for a passing reason (timeout) keeps them;
3. pages the source no longer lists are deleted;
4. the tenant's index is rebuilt from the database, calibrated, saved and swapped in: the new
   pages are searchable now, lexically, with the vectors they already have;
5. passages without a heading vector get one (title › headings: a dozen tokens, embedded in
   batches in a worker thread, a path shared by passages of one page embedded once), and the
   index is rebuilt: the new pages have a dense vector;
6. passages without a text vector get one (fifty tokens and more each: most of a crawl's time on
   one core), and the index is rebuilt once more.

Why in that order: e5 on one core costs about a millisecond per token, so embedding every
passage's text is what a crawl waits for (a quarter of a second for a help page of five
passages), while fetching, extracting and indexing a page lexically takes a few tens of
milliseconds. A shop that adds its site wants answers now, not in a minute; a re-crawl of a
changed page wants its new prices answered now. So a page is searchable as soon as it is read,
gets its cheap heading vectors next, and its text vectors last, and every search uses whatever
vectors a passage has (a passage without one is ranked by the other lists). A cheaper first
vector than e5 (static word vectors distilled from it) was weighed and left: distilling a table
costs an e5 call per distinct word of the shop's pages (1,800 words for the 40 demo pages, as
many tokens as their passages), and the heading vectors are e5's own, in the same space as the
question. Passages whose text did not change cost nothing: the embedder's disk cache holds
their vectors by the hash of the text.

`ask` embeds the question (off the event loop), searches the pages in the customer's language
when the shop has any, else in its main language, and answers only when the best hit clears
the tenant's calibrated threshold. Nothing leaves the server: both searches are local.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import delete, func, select

from samtale.bot.knowledge import KnowledgeReply, QueryVector
from samtale.infra.database import Database
from samtale.infra.locks import exclusive, lock_key
from samtale.kernel.clock import Clock
from samtale.kernel.errors import NotFound
from samtale.kernel.languages import normalize_language
from samtale.kernel.logs import get_logger
from samtale.knowledge.answers import AnswerWriter, ExtractiveWriter, KnowledgeAnswer
from samtale.knowledge.confidence import Threshold, calibrate
from samtale.knowledge.crawling import DEFAULT_MAX_PAGES, Crawler, CrawlPlan, normalize_url
from samtale.knowledge.extraction import Document, extract, kind_of_filename
from samtale.knowledge.fetching import Fetched, Fetcher, PageStatus, Validators
from samtale.knowledge.passages import split
from samtale.knowledge.retrieval import (
    DIM,
    Entry,
    Hit,
    KnowledgeIndex,
    heading_text,
    passage_text,
)
from samtale.model import KnowledgePage, KnowledgePassage, KnowledgeSource, Tenant

log = get_logger(__name__)

# A failure that says the page is gone; other failures keep the page's passages until the next
# crawl (a timeout is no reason to forget the delivery page).
_GONE = {PageStatus.NOT_FOUND, PageStatus.BLOCKED_ROBOTS, PageStatus.WRONG_TYPE}
_MAX_FILE_BYTES = 20_000_000
_RECHECK_SECONDS = 30.0
# The scheduled re-crawl's lock: one process at a time crawls what is due.
RECRAWL_LOCK_KEY = lock_key("knowledge re-crawl")


class TextEmbedder(Protocol):
    """What the service needs of `samtale.bot.embeddings.Embedder` (and its `identity`, when it
    has one, to reuse a question's vector made by the same model)."""

    def embed(self, texts: Sequence[str], *, remember: bool = False) -> np.ndarray: ...


@dataclass(frozen=True)
class UploadedFile:
    filename: str  # its extension says how it is read
    body: bytes
    url: str | None = None  # the link answers give; the file's name when None


class KnowledgeError(ValueError):
    """A request the knowledge base cannot carry out (unknown source, unreadable file, ...)."""


@dataclass(frozen=True)
class SourceInfo:
    id: uuid.UUID
    kind: str
    location: str
    max_pages: int
    status: str
    error: str | None
    page_count: int
    passage_count: int
    last_crawl_at: object


@dataclass(frozen=True)
class PageInfo:
    id: uuid.UUID
    source_id: uuid.UUID
    url: str
    title: str
    language: str | None
    status: str
    error: str | None
    excluded: bool
    passages: int


@dataclass
class CrawlReport:
    source_id: uuid.UUID
    pages_seen: int = 0
    pages_indexed: int = 0
    pages_unchanged: int = 0
    pages_failed: int = 0
    pages_removed: int = 0
    passages_indexed: int = 0
    passages_embedded: int = 0  # given a text vector (heading vectors are not counted)
    statuses: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class AskResult:
    answered: bool
    answer: KnowledgeAnswer | None
    hits: tuple[Hit, ...]
    language: str  # the language of the pages searched
    threshold: float
    reason: str  # answered, no_pages, weak_match


def _source_info(row: KnowledgeSource) -> SourceInfo:
    return SourceInfo(
        row.id, row.kind, row.location, row.max_pages, row.status, row.error,
        row.page_count, row.passage_count, row.last_crawl_at,
    )  # fmt: skip


def guess_kind(location: str) -> str:
    """sitemap or site, from a URL the shop admin typed."""
    path = location.split("?", 1)[0].lower()
    return "sitemap" if path.endswith(".xml") or "sitemap" in path.rsplit("/", 1)[-1] else "site"


def text_hash(document: Document) -> str:
    digest = hashlib.sha256(document.title.encode())
    for block in document.blocks:
        digest.update(b"\x00" + "\x1f".join(block.headings).encode() + b"\x1e")
        digest.update(block.text.encode())
    return digest.hexdigest()


class KnowledgeService:
    def __init__(
        self,
        db: Database,
        fetcher: Fetcher,
        *,
        passage_embedder: TextEmbedder | None,
        query_embedder: TextEmbedder | None,
        data_dir: Path,
        clock: Clock,
        writer: AnswerWriter | None = None,
        concurrency: int = 4,
        stem: bool = True,
    ) -> None:
        self.db = db
        self.fetcher = fetcher
        self.crawler = Crawler(fetcher, concurrency=concurrency)
        self.passage_embedder = passage_embedder
        self.query_embedder = query_embedder
        self.folder = Path(data_dir) / "knowledge"
        self.clock = clock
        self.writer: AnswerWriter = writer or ExtractiveWriter()
        self.stem = stem
        self._indexes: dict[uuid.UUID, tuple[KnowledgeIndex, Threshold, float]] = {}
        # Each tenant's main language, read with its index.
        self._main_languages: dict[uuid.UUID, str | None] = {}
        self._locks: dict[uuid.UUID, asyncio.Lock] = {}
        self._background: set[asyncio.Task[object]] = set()
        self._filling: set[uuid.UUID] = set()

    @property
    def dense(self) -> bool:
        return self.passage_embedder is not None and self.query_embedder is not None

    def _lock(self, tenant_id: uuid.UUID) -> asyncio.Lock:
        return self._locks.setdefault(tenant_id, asyncio.Lock())

    # -- sources --------------------------------------------------------------------------

    async def add_source(
        self,
        tenant_id: uuid.UUID,
        url: str,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        kind: str | None = None,
        crawl_every_hours: int = 24,
    ) -> SourceInfo:
        """Register a sitemap or start URL (not crawled yet: call `crawl`)."""
        location = normalize_url(url.strip())
        if location is None:
            raise KnowledgeError(f"not an http(s) URL: {url!r}")
        kind = kind or guess_kind(location)
        if kind not in ("sitemap", "site"):
            raise KnowledgeError(f"unknown kind of source: {kind}")
        if not 1 <= max_pages <= 10_000:
            raise KnowledgeError("max_pages must be between 1 and 10000")
        row = KnowledgeSource(
            id=uuid.uuid4(), tenant_id=tenant_id, kind=kind, location=location,
            max_pages=max_pages, crawl_every_hours=crawl_every_hours, status="new",
            page_count=0, passage_count=0, created_at=self.clock.now(),
        )  # fmt: skip
        async with self.db.transaction() as s:
            s.add(row)
        return _source_info(row)

    async def add_file(
        self, tenant_id: uuid.UUID, filename: str, body: bytes, *, url: str | None = None
    ) -> tuple[SourceInfo, CrawlReport]:
        """Index an uploaded file (HTML, PDF, Markdown, text) now. `url` is the link answers
        give (a page on the shop's site that holds the same text), else the file's name."""
        return await self.add_files(tenant_id, [UploadedFile(filename, body, url)])

    async def add_files(
        self, tenant_id: uuid.UUID, files: Sequence[UploadedFile], *, label: str | None = None
    ) -> tuple[SourceInfo, CrawlReport]:
        """Index uploaded files now, as one source (named `label`, else the first file)."""
        if not files:
            raise KnowledgeError("no files")
        for f in files:
            if kind_of_filename(f.filename) is None:
                raise KnowledgeError(
                    f"{f.filename}: only HTML, PDF, Markdown and text files are read"
                )
            if len(f.body) > _MAX_FILE_BYTES:
                raise KnowledgeError(f"{f.filename}: larger than {_MAX_FILE_BYTES} bytes")
        location = label or files[0].url or files[0].filename
        row = KnowledgeSource(
            id=uuid.uuid4(), tenant_id=tenant_id, kind="file", location=location[:2000],
            max_pages=len(files), crawl_every_hours=0, status="new", page_count=0,
            passage_count=0, created_at=self.clock.now(),
        )  # fmt: skip
        async with self.db.transaction() as s:
            s.add(row)
        report = CrawlReport(row.id)
        started = time.perf_counter()
        async with self._lock(tenant_id):
            seen: set[str] = set()
            known: dict[str, KnowledgePage] = {}
            for f in files:
                link = f.url or f.filename
                seen.add(link)
                kind = kind_of_filename(f.filename)
                fetched = Fetched(link, PageStatus.INDEXED, None, kind, f.body)
                await self._store_fetched(tenant_id, row.id, fetched, known, report)
            await self._finish(tenant_id, row.id, report, started, seen)
            await self.rebuild(tenant_id)
            report.passages_embedded = await self.embed_and_rebuild(tenant_id)
        return (await self._source(tenant_id, row.id)), report

    async def list_sources(self, tenant_id: uuid.UUID) -> list[SourceInfo]:
        async with self.db.session() as s:
            rows = await s.scalars(
                select(KnowledgeSource)
                .where(KnowledgeSource.tenant_id == tenant_id)
                .order_by(KnowledgeSource.created_at, KnowledgeSource.id)
            )
            return [_source_info(r) for r in rows]

    async def list_pages(
        self, tenant_id: uuid.UUID, source_id: uuid.UUID | None = None
    ) -> list[PageInfo]:
        counts = (
            select(KnowledgePassage.page_id, func.count().label("n"))
            .where(KnowledgePassage.tenant_id == tenant_id)
            .group_by(KnowledgePassage.page_id)
            .subquery()
        )
        stmt = (
            select(KnowledgePage, counts.c.n)
            .outerjoin(counts, counts.c.page_id == KnowledgePage.id)
            .where(KnowledgePage.tenant_id == tenant_id)
            .order_by(KnowledgePage.url)
        )
        if source_id is not None:
            stmt = stmt.where(KnowledgePage.source_id == source_id)
        async with self.db.session() as s:
            rows = (await s.execute(stmt)).all()
        return [
            PageInfo(
                p.id,
                p.source_id,
                p.url,
                p.title,
                p.language,
                p.status,
                p.error,
                p.excluded,
                int(n or 0),
            )
            for p, n in rows
        ]

    async def remove_source(self, tenant_id: uuid.UUID, source_id: uuid.UUID) -> bool:
        """Delete a source with its pages and passages; False when there is no such source."""
        async with self._lock(tenant_id):
            async with self.db.transaction() as s:
                result = await s.execute(
                    delete(KnowledgeSource).where(
                        KnowledgeSource.tenant_id == tenant_id, KnowledgeSource.id == source_id
                    )
                )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            await self.rebuild(tenant_id)
        return True

    async def exclude_page(
        self, tenant_id: uuid.UUID, page_id: uuid.UUID, excluded: bool = True
    ) -> bool:
        """Leave a page out of answers (or take it back); it stays out across crawls."""
        async with self._lock(tenant_id):
            async with self.db.transaction() as s:
                page = await s.get(KnowledgePage, page_id)
                if page is None or page.tenant_id != tenant_id:
                    return False
                page.excluded = excluded
            await self.rebuild(tenant_id)
        return True

    async def _source(self, tenant_id: uuid.UUID, source_id: uuid.UUID) -> SourceInfo:
        async with self.db.session() as s:
            row = await s.get(KnowledgeSource, source_id)
        if row is None or row.tenant_id != tenant_id:
            raise KnowledgeError("no such source")
        return _source_info(row)

    async def add_and_crawl_later(
        self, tenant_id: uuid.UUID, url: str, *, max_pages: int = DEFAULT_MAX_PAGES
    ) -> SourceInfo:
        """Register a web source and crawl it in the background (the admin page: the source is
        listed at once with its status, `crawling` until done)."""
        source = await self.add_source(tenant_id, url, max_pages=max_pages)
        self.crawl_later(tenant_id, source.id)
        return source

    async def start_crawl(self, tenant_id: uuid.UUID, source_id: uuid.UUID) -> SourceInfo:
        """Crawl one of the tenant's web sources again, in the background."""
        try:
            source = await self._source(tenant_id, source_id)
        except KnowledgeError:
            raise NotFound("No such source.") from None
        if source.kind == "file":
            raise NotFound("No such web source.")
        self.crawl_later(tenant_id, source_id)
        return source

    def crawl_later(self, tenant_id: uuid.UUID, source_id: uuid.UUID | None = None) -> None:
        """Crawl in the background; a failure is logged and shows in the source's status."""

        async def run() -> None:
            try:
                await self.crawl(tenant_id, source_id)
            except Exception:
                log.exception("knowledge_crawl_failed", tenant_id=str(tenant_id))

        task: asyncio.Task[object] = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def wait_for_background(self) -> None:
        """Until the crawls started in the background (and their embedding) are done."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def overview(self, tenant_id: uuid.UUID) -> tuple[list[SourceInfo], list[PageInfo]]:
        """The admin page's lists: sources with status, pages with theirs."""
        return await self.list_sources(tenant_id), await self.list_pages(tenant_id)

    def changed(self, tenant_id: uuid.UUID | None, kind: str | None) -> None:
        """A shop changed (`tenants.changes`): its pages or main language are compared with the
        database at the next question instead of after the usual interval."""
        if kind not in (None, "pages", "settings", "deleted"):
            return
        for tid in [tenant_id] if tenant_id is not None else list(self._indexes):
            cached = self._indexes.get(tid)
            if cached is not None:
                self._indexes[tid] = (cached[0], cached[1], float("-inf"))

    async def forget(self, tenant_id: uuid.UUID) -> None:
        """The tenant is gone (its rows went with it, by cascade): drop its index from memory
        and from the data folder."""
        import shutil

        self._indexes.pop(tenant_id, None)
        self._main_languages.pop(tenant_id, None)
        self._locks.pop(tenant_id, None)
        await asyncio.to_thread(shutil.rmtree, self.folder / str(tenant_id), True)

    # -- crawling -------------------------------------------------------------------------

    async def due_sources(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(tenant, source) pairs whose next scheduled crawl is due (daily by default)."""
        now = self.clock.now()
        async with self.db.session() as s:
            rows = await s.scalars(
                select(KnowledgeSource).where(
                    KnowledgeSource.kind != "file", KnowledgeSource.crawl_every_hours > 0
                )
            )
            return [
                (r.tenant_id, r.id)
                for r in rows
                if r.last_crawl_at is None
                or r.last_crawl_at + timedelta(hours=r.crawl_every_hours) <= now
            ]

    async def crawl(
        self, tenant_id: uuid.UUID, source_id: uuid.UUID | None = None, *, embed: bool = True
    ) -> list[CrawlReport]:
        """Crawl one source of the tenant, or all its web sources; rebuild its index (the new
        pages searchable), then embed the new passages and rebuild again (`embed_and_rebuild`).
        `embed=False` leaves new passages without vectors (lexical only until
        `embed_and_rebuild`)."""
        async with self.db.session() as s:
            stmt = select(KnowledgeSource).where(
                KnowledgeSource.tenant_id == tenant_id, KnowledgeSource.kind != "file"
            )
            if source_id is not None:
                stmt = stmt.where(KnowledgeSource.id == source_id)
            sources = list(await s.scalars(stmt))
        if source_id is not None and not sources:
            raise KnowledgeError("no such web source")
        reports = []
        async with self._lock(tenant_id):
            for source in sources:
                reports.append(await self._crawl_source(tenant_id, source))
            await self.rebuild(tenant_id)
            if embed:
                embedded = await self.embed_and_rebuild(tenant_id)
                if reports:
                    reports[-1].passages_embedded = embedded
        return reports

    async def _crawl_source(self, tenant_id: uuid.UUID, source: KnowledgeSource) -> CrawlReport:
        started = time.perf_counter()
        report = CrawlReport(source.id)
        async with self.db.transaction() as s:
            row = await s.get(KnowledgeSource, source.id)
            if row is not None:
                row.status = "crawling"
        async with self.db.session() as s:
            known_rows = list(
                await s.scalars(select(KnowledgePage).where(KnowledgePage.source_id == source.id))
            )
        known = {p.url: p for p in known_rows}
        validators = {
            p.url: Validators(p.etag, p.last_modified)
            for p in known_rows
            if p.status in (PageStatus.INDEXED, PageStatus.UNCHANGED, PageStatus.EMPTY)
        }
        seen: set[str] = set()
        plan = CrawlPlan(source.kind, source.location, source.max_pages)
        async for fetched in self.crawler.crawl(plan, validators):
            seen.add(fetched.url)
            await self._store_fetched(tenant_id, source.id, fetched, known, report)
        await self._finish(tenant_id, source.id, report, started, seen)
        return report

    async def _store_fetched(
        self,
        tenant_id: uuid.UUID,
        source_id: uuid.UUID,
        fetched: Fetched,
        known: dict[str, KnowledgePage],
        report: CrawlReport,
    ) -> None:
        report.pages_seen += 1
        now = self.clock.now()
        previous = known.get(fetched.url)
        status = fetched.status
        document: Document | None = None
        digest: str | None = None
        if status is PageStatus.INDEXED:
            document = await asyncio.to_thread(
                extract, fetched.body, fetched.kind or "html", fetched.url, fetched.encoding
            )
            digest = text_hash(document)
            if not document.blocks:
                status = PageStatus.EMPTY
            elif previous is not None and previous.content_hash == digest:
                status = PageStatus.UNCHANGED
        report.statuses[status.value] = report.statuses.get(status.value, 0) + 1
        async with self.db.transaction() as s:
            page = await s.get(KnowledgePage, previous.id) if previous is not None else None
            if page is None:
                page = KnowledgePage(
                    id=uuid.uuid4(), tenant_id=tenant_id, source_id=source_id, url=fetched.url,
                    title="", status=status.value, excluded=False, fetched_at=now,
                )  # fmt: skip
                s.add(page)
                await s.flush()
                known[fetched.url] = page
            page.status = status.value
            page.http_status = fetched.http_status
            page.error = fetched.error
            page.fetched_at = now
            if status is PageStatus.UNCHANGED:
                report.pages_unchanged += 1
                page.etag = fetched.etag or page.etag
                page.last_modified = fetched.last_modified or page.last_modified
                return
            if status in _GONE or status is PageStatus.EMPTY:
                await s.execute(delete(KnowledgePassage).where(KnowledgePassage.page_id == page.id))
                page.content_hash = digest
                if status is not PageStatus.EMPTY:
                    report.pages_failed += 1
                return
            if document is None:
                report.pages_failed += 1
                return
            passages = split(document)
            tenant_language = await s.scalar(
                select(Tenant.default_language).where(Tenant.id == tenant_id)
            )
            page.title = (document.title or fetched.url)[:300]
            page.language = normalize_language(document.language) or tenant_language
            page.etag = fetched.etag
            page.last_modified = fetched.last_modified
            page.content_hash = digest
            page.indexed_at = now
            await s.execute(delete(KnowledgePassage).where(KnowledgePassage.page_id == page.id))
            s.add_all(
                KnowledgePassage(
                    id=uuid.uuid4(),
                    tenant_id=tenant_id,
                    page_id=page.id,
                    seq=i,
                    headings=list(p.headings),
                    text=p.text,
                    kind=p.kind,
                    vector=None,
                )
                for i, p in enumerate(passages)
            )
            report.pages_indexed += 1
            report.passages_indexed += len(passages)

    async def _finish(
        self,
        tenant_id: uuid.UUID,
        source_id: uuid.UUID,
        report: CrawlReport,
        started: float,
        seen: set[str],
    ) -> None:
        async with self.db.transaction() as s:
            if report.pages_seen:
                gone = await s.execute(
                    delete(KnowledgePage).where(
                        KnowledgePage.source_id == source_id, KnowledgePage.url.not_in(seen)
                    )
                )
                report.pages_removed = int(gone.rowcount or 0)  # type: ignore[attr-defined]
            pages = await s.scalar(
                select(func.count())
                .select_from(KnowledgePage)
                .where(KnowledgePage.source_id == source_id)
            )
            passages = await s.scalar(
                select(func.count())
                .select_from(KnowledgePassage)
                .join(KnowledgePage, KnowledgePage.id == KnowledgePassage.page_id)
                .where(KnowledgePage.source_id == source_id)
            )
            row = await s.get(KnowledgeSource, source_id)
            if row is not None:
                readable = report.pages_indexed + report.pages_unchanged
                if report.pages_seen == 0 or (readable == 0 and report.pages_failed):
                    row.status = "error"
                    row.error = report.error or "no page could be read"
                elif report.pages_failed:
                    row.status = "partial"
                    row.error = f"{report.pages_failed} of {report.pages_seen} pages failed"
                else:
                    row.status, row.error = "ok", None
                row.page_count = int(pages or 0)
                row.passage_count = int(passages or 0)
                row.last_crawl_at = self.clock.now()
        report.seconds = time.perf_counter() - started

    async def embed_and_rebuild(self, tenant_id: uuid.UUID) -> int:
        """Give the tenant's passages their missing vectors, the heading vectors first, and
        rebuild the index after each kind (so the cheap ones are used at once); the number of
        passages given a text vector."""
        if self.passage_embedder is None:
            return 0
        if await self.embed_pending(tenant_id, texts=False):
            await self.rebuild(tenant_id)
        done = await self.embed_pending(tenant_id, headings=False)
        if done:
            await self.rebuild(tenant_id)
        return done

    async def embed_pending(
        self, tenant_id: uuid.UUID, batch: int = 64, *, headings: bool = True, texts: bool = True
    ) -> int:
        """Embed the vectors the tenant's passages lack: heading vectors (when `headings`),
        then text vectors (when `texts`); the number of vectors embedded."""
        if self.passage_embedder is None:
            return 0
        done = 0
        if headings:
            done += await self._embed_missing(tenant_id, KnowledgePassage.heading_vector, batch)
        if texts:
            done += await self._embed_missing(tenant_id, KnowledgePassage.vector, batch)
        return done

    async def _embed_missing(self, tenant_id: uuid.UUID, column: Any, batch: int) -> int:
        assert self.passage_embedder is not None
        embedder = self.passage_embedder
        heading = column is KnowledgePassage.heading_vector
        done = 0
        while True:
            async with self.db.session() as s:
                rows = (
                    await s.execute(
                        select(
                            KnowledgePassage.id,
                            KnowledgePassage.headings,
                            KnowledgePassage.text,
                            KnowledgePage.title,
                        )
                        .join(KnowledgePage, KnowledgePage.id == KnowledgePassage.page_id)
                        .where(KnowledgePassage.tenant_id == tenant_id, column.is_(None))
                        .limit(batch)
                    )
                ).all()
            if not rows:
                return done
            texts = [
                heading_text(title, h) if heading else passage_text(title, h, t)
                for _, h, t, title in rows
            ]
            # The embedder embeds a text once per call: a heading path shared by passages once.
            # A passage with no heading path at all (a file without title or headings) gets a
            # zero heading vector: stored, so it is not asked for again; no rank in that list.
            wanted = [i for i, text in enumerate(texts) if text]
            vectors = np.zeros((len(texts), DIM), dtype=np.float32)
            if wanted:
                vectors[wanted] = await asyncio.to_thread(
                    embedder.embed, [texts[i] for i in wanted], remember=True
                )
            async with self.db.transaction() as s:
                for (pid, _, _, _), vec in zip(rows, vectors, strict=True):
                    passage = await s.get(KnowledgePassage, pid)
                    if passage is not None:
                        setattr(passage, column.key, np.asarray(vec, np.float32).tobytes())
            done += len(rows)

    # -- the index ------------------------------------------------------------------------

    async def _entries(
        self, tenant_id: uuid.UUID
    ) -> tuple[list[Entry], np.ndarray, np.ndarray, str]:
        stmt = (
            select(KnowledgePassage, KnowledgePage.url, KnowledgePage.title, KnowledgePage.language)
            .join(KnowledgePage, KnowledgePage.id == KnowledgePassage.page_id)
            .where(KnowledgePassage.tenant_id == tenant_id, KnowledgePage.excluded.is_(False))
            .order_by(KnowledgePage.url, KnowledgePassage.seq)
        )
        async with self.db.session() as s:
            default = await s.scalar(select(Tenant.default_language).where(Tenant.id == tenant_id))
            rows = (await s.execute(stmt)).all()
        # Read again with the index (`index` rechecks it), not on every question.
        self._main_languages[tenant_id] = default
        entries: list[Entry] = []
        vectors = np.zeros((len(rows), DIM), dtype=np.float32)
        heading_vectors = np.zeros((len(rows), DIM), dtype=np.float32)
        digest = hashlib.sha256()
        for i, (p, url, title, language) in enumerate(rows):
            entries.append(
                Entry(
                    str(p.id),
                    str(p.page_id),
                    url,
                    title,
                    language or default or "en",
                    tuple(p.headings),
                    p.text,
                    p.kind,
                )
            )
            if p.vector is not None:
                vectors[i] = np.frombuffer(p.vector, dtype=np.float32)
            if p.heading_vector is not None:
                heading_vectors[i] = np.frombuffer(p.heading_vector, dtype=np.float32)
            digest.update(
                p.id.bytes
                + (b"v" if p.vector is not None else b"-")
                + (b"h" if p.heading_vector is not None else b"-")
            )
        return entries, vectors, heading_vectors, digest.hexdigest()

    async def _fingerprint(self, tenant_id: uuid.UUID) -> str:
        """The fingerprint `_entries` would give, from the passages' ids and which vectors
        they have: what the periodic check reads (a few bytes a passage, not its text and
        vectors)."""
        stmt = (
            select(
                KnowledgePassage.id,
                KnowledgePassage.vector.is_not(None),
                KnowledgePassage.heading_vector.is_not(None),
            )
            .join(KnowledgePage, KnowledgePage.id == KnowledgePassage.page_id)
            .where(KnowledgePassage.tenant_id == tenant_id, KnowledgePage.excluded.is_(False))
            .order_by(KnowledgePage.url, KnowledgePassage.seq)
        )
        async with self.db.reader() as s:
            default = await s.scalar(select(Tenant.default_language).where(Tenant.id == tenant_id))
            rows = (await s.execute(stmt)).all()
        self._main_languages[tenant_id] = default
        digest = hashlib.sha256()
        for pid, has_vector, has_heading in rows:
            digest.update(
                pid.bytes + (b"v" if has_vector else b"-") + (b"h" if has_heading else b"-")
            )
        return digest.hexdigest()

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        assert self.query_embedder is not None
        # Fixed calibration texts, never customer text: remembered like training examples.
        return self.query_embedder.embed(texts, remember=True)

    async def rebuild(self, tenant_id: uuid.UUID) -> KnowledgeIndex:
        """Build the tenant's index from the database, calibrate it, save and use it."""
        entries, vectors, heading_vectors, fingerprint = await self._entries(tenant_id)
        index, threshold = await asyncio.to_thread(
            self._build, entries, vectors, heading_vectors, fingerprint
        )
        folder = self.folder / str(tenant_id)
        await asyncio.to_thread(index.save, folder)
        await asyncio.to_thread(
            (folder / "threshold.json").write_text, json.dumps(threshold.to_json())
        )
        self._indexes[tenant_id] = (index, threshold, time.monotonic())
        return index

    def _build(
        self,
        entries: list[Entry],
        vectors: np.ndarray,
        heading_vectors: np.ndarray,
        fingerprint: str,
    ) -> tuple[KnowledgeIndex, Threshold]:
        index = KnowledgeIndex(
            entries,
            vectors,
            heading_vectors,
            stem=self.stem,
            dense=self.dense,
            fingerprint=fingerprint,
        )
        embed = self._embed_queries if self.dense else None
        return index, calibrate(index, embed)

    async def index(self, tenant_id: uuid.UUID) -> tuple[KnowledgeIndex, Threshold]:
        """The tenant's current index: from memory, else from disk when it is current, else
        rebuilt. Checked against the database now and then (another instance may crawl)."""
        cached = self._indexes.get(tenant_id)
        if cached is not None and time.monotonic() - cached[2] < _RECHECK_SECONDS:
            return cached[0], cached[1]
        fingerprint = await self._fingerprint(tenant_id)
        if cached is not None and cached[0].fingerprint == fingerprint:
            self._indexes[tenant_id] = (cached[0], cached[1], time.monotonic())
            return cached[0], cached[1]
        if cached is not None and self._lock(tenant_id).locked():
            # A crawl is storing or embedding, and rebuilds when it has: answer from the index
            # in hand meanwhile, never wait for the embedding.
            self._indexes[tenant_id] = (cached[0], cached[1], time.monotonic())
            return cached[0], cached[1]
        folder = self.folder / str(tenant_id)
        saved = await asyncio.to_thread(KnowledgeIndex.load, folder)
        if saved is not None and saved.fingerprint == fingerprint and saved.use_dense == self.dense:
            try:
                threshold = Threshold.from_json(json.loads((folder / "threshold.json").read_text()))
            except (OSError, ValueError, KeyError, TypeError, AssertionError):
                threshold = await asyncio.to_thread(
                    calibrate, saved, self._embed_queries if self.dense else None
                )
            self._indexes[tenant_id] = (saved, threshold, time.monotonic())
            self._fill_later(tenant_id, saved)
            return saved, threshold
        async with self._lock(tenant_id):
            index = await self.rebuild(tenant_id)
        self._fill_later(tenant_id, index)
        return index, self._indexes[tenant_id][1]

    def _fill_later(self, tenant_id: uuid.UUID, index: KnowledgeIndex) -> None:
        """Embed in the background what passages of a loaded index lack (a crawl stopped before
        its vectors were in; passages stored before heading vectors existed)."""
        if not self.dense or index.complete or tenant_id in self._filling:
            return
        self._filling.add(tenant_id)

        async def run() -> None:
            try:
                async with self._lock(tenant_id):
                    await self.embed_and_rebuild(tenant_id)
            except Exception:
                log.exception("knowledge_embedding_failed", tenant_id=str(tenant_id))
            finally:
                self._filling.discard(tenant_id)

        task: asyncio.Task[object] = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- answering ------------------------------------------------------------------------

    async def search(
        self,
        tenant_id: uuid.UUID,
        question: str,
        language: str | None,
        *,
        k: int = 5,
        vector: QueryVector | None = None,
    ) -> tuple[list[Hit], str, Threshold]:
        """The best passages for `question` (for the admin's "try a question" box too).
        `vector`: the question's embedding made this turn already (used when it is by the same
        model as the service's own, so a question is embedded once)."""
        hits, searched, threshold, _ = await self._search(tenant_id, question, language, k, vector)
        return hits, searched, threshold

    async def _search(
        self,
        tenant_id: uuid.UUID,
        question: str,
        language: str | None,
        k: int = 5,
        vector: QueryVector | None = None,
    ) -> tuple[list[Hit], str, Threshold, KnowledgeIndex]:
        index, threshold = await self.index(tenant_id)
        if tenant_id in self._main_languages:
            main = self._main_languages[tenant_id]
        else:
            async with self.db.session() as s:
                main = await s.scalar(select(Tenant.default_language).where(Tenant.id == tenant_id))
        wanted = normalize_language(language) or main or "en"
        searched = wanted if wanted in index.languages else (main or wanted)
        if searched not in index.languages and index.languages:
            searched = sorted(index.languages)[0]
        query = None
        if self.dense and self.query_embedder is not None and index.has_vectors:
            embedder = self.query_embedder
            if vector is not None and vector.identity == getattr(embedder, "identity", None):
                query = vector.vector
            else:
                query = (await asyncio.to_thread(embedder.embed, [question], remember=False))[0]
        hits = index.search(question, searched, query, k=k)
        return hits, searched, threshold, index

    async def ask(
        self,
        tenant_id: uuid.UUID,
        question: str,
        language: str | None,
        vector: QueryVector | None = None,
    ) -> AskResult:
        """An answer from the tenant's pages, or the reason there is none."""
        hits, searched, threshold, index = await self._search(
            tenant_id, question, language, vector=vector
        )
        customer = normalize_language(language) or searched
        if not hits:
            return AskResult(False, None, (), searched, threshold.dense, "no_pages")
        # Until the first vectors are in (a new shop's pages, seconds old), the lexical bar.
        if not threshold.confident(hits[0], dense=index.has_vectors):
            return AskResult(
                False, None, tuple(hits), searched, threshold.bar(searched), "weak_match"
            )
        answer = self.writer.write(question, hits[:3], customer)
        return AskResult(True, answer, tuple(hits), searched, threshold.bar(searched), "answered")

    async def answer(
        self,
        tenant_id: uuid.UUID,
        question: str,
        language: str,
        vector: QueryVector | None = None,
    ) -> KnowledgeReply:
        """The bot's `KnowledgeAnswerer`: `ask`, in the bot's terms."""
        result = await self.ask(tenant_id, question, language, vector)
        a = result.answer
        if not result.answered or a is None:
            return KnowledgeReply("no_pages" if result.reason == "no_pages" else "weak_match")
        return KnowledgeReply(
            "answered", a.text, a.quote, a.url, a.title, a.language, a.other_language
        )

    # -- the schedule ---------------------------------------------------------------------

    async def crawl_due(self) -> int:
        """Crawl every web source whose scheduled re-crawl is due; the number crawled. A source
        that fails is logged and tried again on the next round. One process at a time runs a
        round (`infra/locks.py`): with several instances or workers, the others skip it, and
        what it crawled is not due for them afterwards."""
        async with exclusive(self.db, RECRAWL_LOCK_KEY) as got:
            if not got:
                log.info("knowledge_recrawl_skipped", reason="another process is crawling")
                return 0
            done = 0
            for tenant_id, source_id in await self.due_sources():
                try:
                    await self.crawl(tenant_id, source_id)
                    done += 1
                except Exception:
                    log.exception(
                        "knowledge_recrawl_failed",
                        tenant_id=str(tenant_id),
                        source_id=str(source_id),
                    )
            return done

    async def run_schedule(self, every_seconds: float = 3600.0) -> None:
        """Check for due sources every `every_seconds` (sources say how often: daily by
        default), until cancelled."""
        while True:
            try:
                await self.crawl_due()
            except Exception:
                log.exception("knowledge_schedule_failed")
            await asyncio.sleep(every_seconds)

    # -- measuring ------------------------------------------------------------------------

    async def evaluate(self, tenant_id: uuid.UUID, questions: Sequence[EvalQuestion]) -> EvalReport:
        """How the tenant's knowledge answers labelled questions: top-1 page accuracy and the
        answered share of in-scope questions, the answered share of out-of-scope ones (`url`
        None), and the time per question."""
        report = EvalReport()
        times: list[float] = []
        for q in questions:
            started = time.perf_counter()
            result = await self.ask(tenant_id, q.text, q.language)
            times.append((time.perf_counter() - started) * 1000)
            top = result.hits[0].entry.url if result.hits else None
            if q.url is None:
                report.out_of_scope += 1
                report.out_of_scope_answered += int(result.answered)
            else:
                report.in_scope += 1
                report.top1_correct += int(top == q.url)
                report.answered += int(result.answered)
                report.answered_correct += int(
                    result.answered and result.answer is not None and result.answer.url == q.url
                )
            report.rows.append(
                {"text": q.text, "language": q.language, "url": q.url, "top": top,
                 "answered": result.answered}
            )  # fmt: skip
        if times:
            report.p50_ms = float(np.percentile(times, 50))
            report.p99_ms = float(np.percentile(times, 99))
        return report


@dataclass(frozen=True)
class EvalQuestion:
    text: str
    language: str
    url: str | None  # the page that answers it; None: out of scope


@dataclass
class EvalReport:
    in_scope: int = 0
    top1_correct: int = 0
    answered: int = 0
    answered_correct: int = 0
    out_of_scope: int = 0
    out_of_scope_answered: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    rows: list[dict[str, object]] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        def share(n: int, of: int) -> float:
            return round(n / of, 4) if of else 0.0

        return {
            "questions": self.in_scope + self.out_of_scope,
            "top1_accuracy": share(self.top1_correct, self.in_scope),
            "answered_in_scope": share(self.answered, self.in_scope),
            "answered_correct": share(self.answered_correct, self.in_scope),
            "answered_out_of_scope": share(self.out_of_scope_answered, self.out_of_scope),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
        }
