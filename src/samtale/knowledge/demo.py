"""The demo shop's help pages: delivery, returns, payment, sizes, care, warranty, stores and
privacy, in Danish, Swedish, Norwegian, Finnish and English (`demo_pages/LANG/TOPIC.html`).

Each page names its address on the demo shop's site in `<link rel="canonical">`; that is the
link knowledge answers give. `index_demo_pages` adds them to a tenant as one uploaded source.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from samtale.knowledge.service import CrawlReport, KnowledgeService, SourceInfo, UploadedFile

DEMO_PAGES_DIR = Path(__file__).resolve().parent / "demo_pages"
TOPICS = ("delivery", "returns", "payment", "sizes", "care", "warranty", "stores", "privacy")
_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')


@dataclass(frozen=True)
class DemoPage:
    language: str
    topic: str
    path: Path
    url: str

    def body(self) -> bytes:
        return self.path.read_bytes()


def demo_pages(base_url: str | None = None) -> list[DemoPage]:
    """Every demo help page; `base_url` replaces `https://nordhjem.example` in their links
    (the demo serving them itself)."""
    pages = []
    for folder in sorted(p for p in DEMO_PAGES_DIR.iterdir() if p.is_dir()):
        for topic in TOPICS:
            path = folder / f"{topic}.html"
            match = _CANONICAL.search(path.read_text())
            url = match.group(1) if match else path.name
            if base_url:
                url = url.replace("https://nordhjem.example", base_url.rstrip("/"))
            pages.append(DemoPage(folder.name, topic, path, url))
    return pages


async def index_demo_pages(
    service: KnowledgeService, tenant_id: uuid.UUID, base_url: str | None = None
) -> tuple[SourceInfo, CrawlReport]:
    files = [
        UploadedFile(f"{p.language}-{p.topic}.html", p.body(), p.url) for p in demo_pages(base_url)
    ]
    return await service.add_files(tenant_id, files, label="Nordhjem help pages")
