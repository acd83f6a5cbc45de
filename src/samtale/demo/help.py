"""The demo shop's help pages: delivery, returns, payment, sizes, care, warranty, stores and
privacy, in Danish, Swedish, Norwegian, Finnish and English (`help_pages/LANG/TOPIC.html`).

The demo serves them as real pages of its site at `/help/LANG/TOPIC` (`web/pages.py`), and
`index_demo_help` indexes them into the demo tenant's knowledge at start-up, with those
addresses as the links answers give. Without a base URL (the benchmark), each page's
`<link rel="canonical">` on the fictional shop's own domain is its address.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from samtale.knowledge.service import CrawlReport, KnowledgeService, SourceInfo, UploadedFile

DEMO_PAGES_DIR = Path(__file__).resolve().parent / "help_pages"
TOPICS = ("delivery", "returns", "payment", "sizes", "care", "warranty", "stores", "privacy")
LABEL = "Nordhjem help pages"
_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')


@dataclass(frozen=True)
class DemoPage:
    language: str
    topic: str
    path: Path
    url: str

    def body(self) -> bytes:
        return self.path.read_bytes()


def demo_page(language: str, topic: str) -> Path | None:
    """The file of one help page, or None (for the demo site's route)."""
    if topic not in TOPICS or not re.fullmatch(r"[a-z]{2}", language):
        return None
    path = DEMO_PAGES_DIR / language / f"{topic}.html"
    return path if path.is_file() else None


def demo_pages(base_url: str | None = None) -> list[DemoPage]:
    """Every demo help page; with `base_url` (the demo serving them itself) their address is
    `BASE/help/LANG/TOPIC`, else the canonical one on the fictional shop's domain."""
    pages = []
    for folder in sorted(p for p in DEMO_PAGES_DIR.iterdir() if p.is_dir()):
        for topic in TOPICS:
            path = folder / f"{topic}.html"
            if base_url:
                url = f"{base_url.rstrip('/')}/help/{folder.name}/{topic}"
            else:
                match = _CANONICAL.search(path.read_text())
                url = match.group(1) if match else path.name
            pages.append(DemoPage(folder.name, topic, path, url))
    return pages


async def index_demo_pages(
    service: KnowledgeService, tenant_id: uuid.UUID, base_url: str | None = None
) -> tuple[SourceInfo, CrawlReport]:
    files = [
        UploadedFile(f"{p.language}-{p.topic}.html", p.body(), p.url) for p in demo_pages(base_url)
    ]
    return await service.add_files(tenant_id, files, label=LABEL)


async def index_demo_help(
    service: KnowledgeService, tenant_id: uuid.UUID, base_url: str
) -> CrawlReport | None:
    """Index the help pages into the demo tenant once (at start-up); None when they are there.
    A changed base URL replaces them (the links must point at this server)."""
    wanted = {p.url for p in demo_pages(base_url)}
    for source in await service.list_sources(tenant_id):
        if source.kind == "file" and source.location == LABEL:
            pages = {p.url for p in await service.list_pages(tenant_id, source.id)}
            if pages == wanted:
                return None
            await service.remove_source(tenant_id, source.id)
    _, report = await index_demo_pages(service, tenant_id, base_url)
    return report
