"""The knowledge service end to end: a tenant adds the Fjellbu sitemap and gets answers with
links; unchanged pages are not re-indexed; weak and out-of-scope questions are refused."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from samtale.infra.database import Database
from samtale.knowledge.service import KnowledgeService
from samtale.model import KnowledgePage, KnowledgePassage, KnowledgeSource, Tenant
from tests.conftest import ON_POSTGRES_ONLY, new_tenant
from tests.knowledge.site import Site


async def test_answers_come_from_the_shops_pages_with_links(
    db: Database, site: Site, make_service: Callable[..., KnowledgeService]
) -> None:
    tenant = await new_tenant(db, languages=["en"], default_language="en")
    service = make_service()
    source = await service.add_source(tenant.id, f"{site.url}/sitemap.xml")
    assert source.kind == "sitemap" and source.max_pages == 500
    [report] = await service.crawl(tenant.id)
    assert report.pages_indexed == 7 and report.statuses["blocked_robots"] == 1
    [listed] = await service.list_sources(tenant.id)
    assert listed.status == "partial" and listed.page_count == 8 and listed.passage_count > 10

    cases = {
        "how much does it cost to send my order": "/help/shipping",
        "can i send back a jacket i don't want": "/help/returns",
        "can I pay with vipps": "/help/payment",
        "my boots broke after a year, are they covered": "/help/warranty",
        "where is your shop in bergen": "/help/stores",
        "can i borrow a tent for the weekend": "/faq",
        "how do i clean my tent": "/files/tent-care.pdf",
    }
    for question, path in cases.items():
        result = await service.ask(tenant.id, question, "en")
        assert result.answered, (question, result.hits[:1])
        assert result.answer is not None and result.answer.url == site.url + path, question
        assert "Source: " in result.answer.text and site.url + path in result.answer.text
    shipping = await service.ask(tenant.id, "how much does it cost to send my order", "en")
    assert shipping.answer is not None and "79 NOK" in shipping.answer.quote

    for question in (
        "what is the capital of France?",
        "who won the football world cup",
        "recipe for banana bread",
    ):
        result = await service.ask(tenant.id, question, "en")
        assert not result.answered, (question, result.hits[:1])


async def test_a_recrawl_skips_unchanged_pages_and_picks_up_changes(
    db: Database, site: Site, make_service: Callable[..., KnowledgeService]
) -> None:
    tenant = await new_tenant(db, languages=["en"], default_language="en")
    service = make_service(dense=False)
    source = await service.add_source(tenant.id, f"{site.url}/sitemap.xml")
    await service.crawl(tenant.id, source.id)
    site.edit("/help/shipping", "79 NOK", "89 NOK")
    [report] = await service.crawl(tenant.id, source.id)
    assert report.pages_indexed == 1 and report.pages_unchanged == 6
    assert site.not_modified["/help/returns"] == 1  # a 304: not downloaded again
    result = await service.ask(tenant.id, "standard shipping price", "en")
    assert result.answer is not None and "89 NOK" in result.answer.quote

    site.sitemap_paths.remove("/help/stores")
    [report] = await service.crawl(tenant.id, source.id)
    assert report.pages_removed == 1
    assert all(not p.url.endswith("/help/stores") for p in await service.list_pages(tenant.id))


async def test_exclude_remove_and_tenant_deletion(
    db: Database, site: Site, make_service: Callable[..., KnowledgeService]
) -> None:
    tenant = await new_tenant(db, languages=["en"], default_language="en")
    other = await new_tenant(db, languages=["en"], default_language="en")
    service = make_service(dense=False)
    source = await service.add_source(tenant.id, f"{site.url}/", max_pages=8, kind="site")
    await service.crawl(tenant.id)
    assert len(await service.list_pages(tenant.id)) == 8
    assert await service.list_pages(other.id) == []
    assert (await service.ask(other.id, "standard shipping price", "en")).reason == "no_pages"

    shipping = next(p for p in await service.list_pages(tenant.id) if p.url.endswith("/shipping"))
    assert not await service.exclude_page(other.id, shipping.id)  # not the other shop's page
    assert await service.exclude_page(tenant.id, shipping.id)
    result = await service.ask(tenant.id, "standard shipping price", "en")
    assert all(h.entry.url != shipping.url for h in result.hits)
    await service.crawl(tenant.id)  # stays excluded
    result = await service.ask(tenant.id, "standard shipping price", "en")
    assert all(h.entry.url != shipping.url for h in result.hits)

    assert not await service.remove_source(other.id, source.id)
    assert await service.remove_source(tenant.id, source.id)
    assert await service.list_pages(tenant.id) == []

    await service.add_source(tenant.id, f"{site.url}/sitemap.xml")
    await service.crawl(tenant.id)
    async with db.transaction() as s:
        await s.delete(await s.get(Tenant, tenant.id))
    async with db.session() as s:
        for table in (KnowledgeSource, KnowledgePage, KnowledgePassage):
            left = await s.scalar(
                select(func.count()).select_from(table).where(table.tenant_id == tenant.id)
            )
            assert left == 0, table.__tablename__


async def test_an_uploaded_file_is_indexed_and_the_index_survives_a_restart(
    db: Database, make_service: Callable[..., KnowledgeService]
) -> None:
    tenant = await new_tenant(db, languages=["da", "en"], default_language="da")
    service = make_service(dense=False)
    text = (
        "# Levering\n\nVi sender alle pakker med PostNord.\n\n## Priser\n\n"
        "Det koster 39 kr at få pakken leveret til en pakkeshop.\n"
    ).encode()
    info, report = await service.add_file(
        tenant.id, "levering.md", text, url="https://butik.example/levering"
    )
    assert info.kind == "file" and report.passages_indexed == 2
    fresh = make_service(dense=False)  # a new process: the index is loaded from the data folder
    result = await fresh.ask(tenant.id, "hvad koster levering til pakkeshop", "da")
    assert result.answer is not None and result.answer.url == "https://butik.example/levering"
    assert "39 kr" in result.answer.quote


async def test_a_question_in_a_language_without_pages_is_answered_from_the_main_language(
    db: Database, site: Site, make_service: Callable[..., KnowledgeService]
) -> None:
    tenant = await new_tenant(db, languages=["en", "da"], default_language="en")
    service = make_service()
    await service.add_source(tenant.id, f"{site.url}/sitemap.xml")
    await service.crawl(tenant.id)
    result = await service.ask(tenant.id, "kan jeg betale med vipps", "da")
    assert result.language == "en"  # the shop has no Danish pages: its main language
    assert result.answered and result.answer is not None, result.hits[:1]
    assert result.answer.url == f"{site.url}/help/payment" and result.answer.other_language
    assert result.answer.text.startswith("Vi har ikke denne side på dansk")
    assert "Kilde: " in result.answer.text


async def test_sources_are_crawled_again_when_due(
    db: Database, site: Site, make_service: Callable[..., KnowledgeService]
) -> None:
    from datetime import timedelta

    tenant = await new_tenant(db, languages=["en"], default_language="en")
    service = make_service(dense=False)
    source = await service.add_source(tenant.id, f"{site.url}/sitemap.xml")
    assert (tenant.id, source.id) in await service.due_sources()  # never crawled
    await service.crawl(tenant.id, source.id)
    assert (tenant.id, source.id) not in await service.due_sources()
    clock = service.clock
    clock.advance(timedelta(hours=23))  # type: ignore[attr-defined]
    assert (tenant.id, source.id) not in await service.due_sources()
    clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    assert (tenant.id, source.id) in await service.due_sources()
    site.edit("/help/shipping", "79 NOK", "99 NOK")
    assert await service.crawl_due() >= 1
    result = await service.ask(tenant.id, "standard shipping price", "en")
    assert result.answer is not None and "99 NOK" in result.answer.quote
    assert (tenant.id, source.id) not in await service.due_sources()


async def test_pages_are_searchable_before_their_vectors_are_in(
    db: Database, site: Site, make_service: Callable[..., KnowledgeService]
) -> None:
    tenant = await new_tenant(db, languages=["en"], default_language="en")
    service = make_service()
    await service.add_source(tenant.id, f"{site.url}/sitemap.xml")

    async def vectors() -> tuple[int, int, int]:
        async with db.session() as s:
            rows = (
                await s.execute(
                    select(KnowledgePassage.vector, KnowledgePassage.heading_vector).where(
                        KnowledgePassage.tenant_id == tenant.id
                    )
                )
            ).all()
        return (
            len(rows),
            sum(h is not None for _, h in rows),
            sum(v is not None for v, _ in rows),
        )

    await service.crawl(tenant.id, embed=False)  # stored and indexed, nothing embedded
    passages, headings, texts = await vectors()
    assert passages > 10 and headings == texts == 0
    index, _ = await service.index(tenant.id)
    assert not index.has_vectors
    result = await service.ask(tenant.id, "standard shipping price", "en")
    assert result.answered and result.answer is not None, result.hits[:1]
    assert result.answer.url == f"{site.url}/help/shipping"

    # The heading vectors first: the dense search works before the text vectors are in.
    await service.embed_pending(tenant.id, texts=False)
    await service.rebuild(tenant.id)
    assert await vectors() == (passages, passages, 0)
    result = await service.ask(tenant.id, "my boots broke after a year, are they covered", "en")
    assert result.hits[0].dense > 0 and result.hits[0].entry.url == f"{site.url}/help/warranty"

    assert await service.embed_and_rebuild(tenant.id) == passages
    assert await vectors() == (passages, passages, passages)
    assert await service.embed_and_rebuild(tenant.id) == 0  # nothing left to embed


async def test_vectors_missing_from_a_loaded_index_are_embedded_in_the_background(
    db: Database, site: Site, make_service: Callable[..., KnowledgeService]
) -> None:
    # A crawl that stopped before its vectors were in (or passages older than heading vectors):
    # the next process to load the index embeds what is missing, and answers meanwhile.
    tenant = await new_tenant(db, languages=["en"], default_language="en")
    await make_service().add_source(tenant.id, f"{site.url}/sitemap.xml")
    await make_service().crawl(tenant.id, embed=False)
    fresh = make_service()
    result = await fresh.ask(tenant.id, "standard shipping price", "en")
    assert result.answer is not None and result.answer.url == f"{site.url}/help/shipping"
    await fresh.wait_for_background()
    index, _ = await fresh.index(tenant.id)
    assert index.complete and len(index) > 10
    async with db.session() as s:
        missing = await s.scalar(
            select(func.count())
            .select_from(KnowledgePassage)
            .where(
                KnowledgePassage.tenant_id == tenant.id,
                (KnowledgePassage.vector.is_(None)) | (KnowledgePassage.heading_vector.is_(None)),
            )
        )
    assert missing == 0


async def test_a_file_without_title_or_headings_has_no_heading_vector_and_is_complete(
    db: Database, make_service: Callable[..., KnowledgeService]
) -> None:
    tenant = await new_tenant(db, languages=["en"], default_language="en")
    service = make_service()
    text = b"We ship every parcel with PostNord, and delivery costs 39 kr.\n"
    _, report = await service.add_file(tenant.id, "notes.txt", text)
    assert report.passages_embedded == 1
    async with db.session() as s:
        [(vector, heading)] = (
            await s.execute(
                select(KnowledgePassage.vector, KnowledgePassage.heading_vector).where(
                    KnowledgePassage.tenant_id == tenant.id
                )
            )
        ).all()
    assert vector is not None and heading is not None and not any(heading)  # zeros, stored
    index, _ = await service.index(tenant.id)
    assert index.complete
    assert await service.embed_and_rebuild(tenant.id) == 0  # nothing is asked for again
    result = await service.ask(tenant.id, "what does delivery cost", "en")
    assert result.hits and result.hits[0].entry.url == "notes.txt"


async def test_the_periodic_check_sees_what_the_index_would(
    db: Database, site: Site, make_service: Callable[..., KnowledgeService]
) -> None:
    """The light fingerprint (ids and which vectors are in) equals the one of the full read,
    and changes when a page is excluded, so another instance's change is noticed."""
    tenant = await new_tenant(db, languages=["en"], default_language="en")
    service = make_service(dense=False)
    await service.add_source(tenant.id, f"{site.url}/", max_pages=8, kind="site")
    await service.crawl(tenant.id)
    *_, full = await service._entries(tenant.id)
    assert await service._fingerprint(tenant.id) == full
    page = (await service.list_pages(tenant.id))[0]
    assert await service.exclude_page(tenant.id, page.id)
    *_, after = await service._entries(tenant.id)
    assert after != full and await service._fingerprint(tenant.id) == after


@ON_POSTGRES_ONLY
async def test_a_recrawl_round_runs_in_one_process_at_a_time(
    db: Database, site: Site, make_service: Callable[..., KnowledgeService]
) -> None:
    """Every worker and instance runs the schedule; the one holding the lock crawls what is
    due, the others skip the round (and find nothing due afterwards)."""

    from samtale.infra.locks import exclusive
    from samtale.knowledge.service import RECRAWL_LOCK_KEY

    tenant = await new_tenant(db, languages=["en"], default_language="en")
    service = make_service(dense=False)
    source = await service.add_source(tenant.id, f"{site.url}/sitemap.xml")
    other = Database(db.url)  # another process's connection
    try:
        async with exclusive(other, RECRAWL_LOCK_KEY) as got:
            assert got
            assert await service.crawl_due() == 0
            assert (tenant.id, source.id) in await service.due_sources()
    finally:
        await other.dispose()
    assert await service.crawl_due() >= 1
    assert (tenant.id, source.id) not in await service.due_sources()
