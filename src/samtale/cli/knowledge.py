"""`samtale knowledge`: a shop's knowledge sources from the command line.

    samtale knowledge add TENANT URL_OR_FILE [--max-pages N]
    samtale knowledge list TENANT
    samtale knowledge crawl TENANT [--source ID]
    samtale knowledge remove TENANT SOURCE_ID
    samtale knowledge ask TENANT "question" [--lang da] [--json]
    samtale knowledge eval TENANT --questions Q.jsonl [--json]

TENANT is the shop's slug. `add` takes a sitemap or start URL (crawled now) or a local file
(HTML, PDF, Markdown, text; indexed now). `eval` reads JSONL lines
`{"text", "language", "url"}` (`url` null for a question the pages must not answer).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from samtale.cli.common import fail, running
from samtale.knowledge.crawling import DEFAULT_MAX_PAGES
from samtale.knowledge.service import EvalQuestion, KnowledgeError, KnowledgeService

app = typer.Typer(
    help="A shop's knowledge: its pages, crawled and answered from.", no_args_is_help=True
)

T = TypeVar("T")


@app.callback()
def knowledge() -> None:
    """A shop's knowledge: its pages, crawled and answered from."""


def _run(slug: str, fn: Callable[[KnowledgeService, uuid.UUID], Awaitable[T]]) -> T:
    from samtale.tenants.service import tenant_by_slug

    async def run() -> T:
        async with running() as container:
            async with container.db.session() as session:
                tenant = await tenant_by_slug(session, slug)
            if tenant is None:
                fail(f"no tenant with slug {slug!r}", 2)
            return await fn(container.knowledge, tenant.id)

    try:
        return asyncio.run(run())
    except KnowledgeError as exc:
        fail(str(exc), 2)


def _source_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        fail(f"not a source id: {text!r}", 2)


@app.command("add")
def add(
    tenant: Annotated[str, typer.Argument(help="The shop's slug.")],
    location: Annotated[str, typer.Argument(help="A sitemap or start URL, or a local file.")],
    max_pages: Annotated[
        int, typer.Option("--max-pages", help="At most this many pages.")
    ] = DEFAULT_MAX_PAGES,
) -> None:
    """Add a source and index it now; prints the pages and passages indexed."""
    path = Path(location)
    is_url = location.startswith(("http://", "https://"))
    if not is_url and not path.is_file():
        fail(f"neither an http(s) URL nor a file: {location}", 2)

    body = b"" if is_url else path.read_bytes()

    async def go(service: KnowledgeService, tenant_id: uuid.UUID) -> Any:
        if not is_url:
            return await service.add_file(tenant_id, path.name, body)
        source = await service.add_source(tenant_id, location, max_pages=max_pages)
        [report] = await service.crawl(tenant_id, source.id)
        return (await service._source(tenant_id, source.id)), report

    source, report = _run(tenant, go)
    typer.echo(
        f"source {source.id} ({source.kind}): {source.status}\n"
        f"pages indexed: {report.pages_indexed + report.pages_unchanged}, "
        f"failed: {report.pages_failed}, passages indexed: {source.passage_count}"
    )
    if source.error:
        typer.echo(f"note: {source.error}")


@app.command("list")
def list_sources(tenant: Annotated[str, typer.Argument(help="The shop's slug.")]) -> None:
    """The shop's sources with status, pages, passages and last crawl."""

    async def go(service: KnowledgeService, tenant_id: uuid.UUID) -> Any:
        return await service.list_sources(tenant_id)

    sources = _run(tenant, go)
    if not sources:
        typer.echo("no sources")
    for s in sources:
        last = s.last_crawl_at.isoformat(timespec="seconds") if s.last_crawl_at else "never"
        typer.echo(
            f"{s.id}  {s.kind:<7} {s.status:<8} pages {s.page_count:>4}  passages "
            f"{s.passage_count:>5}  last crawl {last}  {s.location}"
            + (f"  ({s.error})" if s.error else "")
        )


@app.command("crawl")
def crawl(
    tenant: Annotated[str, typer.Argument(help="The shop's slug.")],
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
) -> None:
    """Crawl the shop's web sources now (unchanged pages are not indexed again)."""
    source_id = _source_id(source) if source else None

    async def go(service: KnowledgeService, tenant_id: uuid.UUID) -> Any:
        return await service.crawl(tenant_id, source_id)

    for r in _run(tenant, go):
        typer.echo(
            f"{r.source_id}: seen {r.pages_seen}, indexed {r.pages_indexed}, unchanged "
            f"{r.pages_unchanged}, failed {r.pages_failed}, removed {r.pages_removed}, "
            f"passages {r.passages_indexed} ({r.seconds:.1f} s)"
        )


@app.command("remove")
def remove(
    tenant: Annotated[str, typer.Argument(help="The shop's slug.")],
    source: Annotated[str, typer.Argument(help="The source's id (see `list`).")],
) -> None:
    """Remove a source with its pages and passages."""
    source_id = _source_id(source)

    async def go(service: KnowledgeService, tenant_id: uuid.UUID) -> bool:
        return await service.remove_source(tenant_id, source_id)

    if not _run(tenant, go):
        fail("no such source", 2)
    typer.echo(f"removed {source_id}")


@app.command("ask")
def ask(
    tenant: Annotated[str, typer.Argument(help="The shop's slug.")],
    question: Annotated[str, typer.Argument(help="The question, as a customer writes it.")],
    lang: Annotated[str | None, typer.Option("--lang", help="The customer's language.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Answer a question from the shop's pages, with the passages chosen and their scores."""

    async def go(service: KnowledgeService, tenant_id: uuid.UUID) -> Any:
        return await service.ask(tenant_id, question, lang)

    result = _run(tenant, go)
    hits = [
        {"url": h.entry.url, "title": h.entry.title, "headings": list(h.entry.headings),
         "score": round(h.score, 4), "dense": round(h.dense, 4),
         "lexical": round(h.lexical, 4), "text": h.entry.text[:300]}
        for h in result.hits
    ]  # fmt: skip
    if as_json:
        out = {
            "answered": result.answered,
            "reason": result.reason,
            "language": result.language,
            "threshold": result.threshold,
            "answer": result.answer.text if result.answer else None,
            "url": result.answer.url if result.answer else None,
            "hits": hits,
        }
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    typer.echo(result.answer.text if result.answer else f"(no answer: {result.reason})")
    typer.echo("")
    for h in hits:
        typer.echo(f"  {h['score']:.4f}  dense {h['dense']:.3f}  {h['url']}  {h['title']}")


@app.command("eval")
def evaluate(
    tenant: Annotated[str, typer.Argument(help="The shop's slug.")],
    questions: Annotated[Path, typer.Option("--questions", help="JSONL: text, language, url.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Measure answers on labelled questions: top-1 page, answered, out of scope answered."""
    rows: list[EvalQuestion] = []
    try:
        lines = questions.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        fail(f"{questions}: {exc.strerror or exc}", 2)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            rows.append(EvalQuestion(str(obj["text"]), str(obj["language"]), obj.get("url")))
        except (ValueError, KeyError, TypeError):
            fail(f"{questions}:{number}: not a question object (text, language, url)", 2)

    async def go(service: KnowledgeService, tenant_id: uuid.UUID) -> Any:
        return await service.evaluate(tenant_id, rows)

    figures = _run(tenant, go).figures()
    if as_json:
        typer.echo(json.dumps(figures))
        return
    for key, value in figures.items():
        typer.echo(f"{key:<24} {value}")
