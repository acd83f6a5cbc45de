"""The demo shop's help pages: served as pages of the demo site at /help/LANG/TOPIC and indexed
into the demo tenant once at start-up, with those addresses as the links answers give."""

from __future__ import annotations

from collections.abc import Callable

from samtale.demo.help import TOPICS, demo_page, demo_pages, index_demo_help
from samtale.infra.database import Database
from samtale.kernel.languages import LANGUAGES
from samtale.knowledge.service import KnowledgeService
from tests.conftest import new_tenant


def test_every_language_has_every_topic_at_its_address() -> None:
    pages = demo_pages("http://demo.test:8000/")
    assert len(pages) == len(LANGUAGES) * len(TOPICS)
    for page in pages:
        assert page.url == f"http://demo.test:8000/help/{page.language}/{page.topic}"
        assert demo_page(page.language, page.topic) == page.path
    assert demo_page("da", "../../etc") is None and demo_page("xx", "delivery") is None


async def test_indexed_once_and_again_when_the_address_changes(
    db: Database, make_service: Callable[..., KnowledgeService]
) -> None:
    tenant = await new_tenant(db)
    service = make_service(dense=False)
    report = await index_demo_help(service, tenant.id, "http://demo.test:8000")
    assert report is not None and report.pages_indexed == 40
    assert await index_demo_help(service, tenant.id, "http://demo.test:8000") is None
    report = await index_demo_help(service, tenant.id, "http://other.test")
    assert report is not None
    [source] = await service.list_sources(tenant.id)
    assert source.page_count == 40
    urls = {p.url for p in await service.list_pages(tenant.id)}
    assert "http://other.test/help/da/delivery" in urls
    result = await service.ask(tenant.id, "returnering", "da")
    assert result.hits and result.hits[0].entry.url == "http://other.test/help/da/returns"
