"""A shop's knowledge: the sources it named, the pages read from them, and their passages.

A source is what the shop admin adds (a sitemap, a start URL, an uploaded file); a page is one
document read from it, with what the next crawl needs to skip it when unchanged (ETag,
Last-Modified, a hash of its text) and a status that says what happened to it; a passage is a
piece of a page under its headings, the unit that retrieval ranks and answers quote. A
passage keeps its dense vector (float32 bytes) so the search index can be rebuilt from the
database without embedding again. Deleting a tenant deletes its sources, deleting a source its
pages, and deleting a page its passages (database cascades).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base, JSONType


class KnowledgeSource(Base):
    __tablename__ = "knowledge_sources"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    # sitemap, site (a start URL crawled within its host), file (an upload)
    kind: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(2000))
    max_pages: Mapped[int] = mapped_column(Integer)
    crawl_every_hours: Mapped[int] = mapped_column(Integer, default=24)
    # new, crawling, ok, partial (some pages failed), error (nothing could be read)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    passage_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    last_crawl_at: Mapped[datetime | None] = mapped_column(nullable=True)


class KnowledgePage(Base):
    __tablename__ = "knowledge_pages"
    __table_args__ = (UniqueConstraint("source_id", "url"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_sources.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # See `samtale.knowledge.fetching.PageStatus`.
    status: Mapped[str] = mapped_column(String(24))
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    etag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Left out of answers by the shop admin; kept so the next crawl does not bring it back.
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[datetime]
    indexed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class KnowledgePassage(Base):
    __tablename__ = "knowledge_passages"
    __table_args__ = (UniqueConstraint("page_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    page_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("knowledge_pages.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    headings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    text: Mapped[str] = mapped_column(Text)
    # text (a piece of the page) or faq (a question and its answer from FAQPage markup)
    kind: Mapped[str] = mapped_column(String(8), default="text")
    vector: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # e5 of the text
    # e5 of the page's title and heading path alone: short, so embedded first (retrieval.py)
    heading_vector: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


__all__ = ["KnowledgePage", "KnowledgePassage", "KnowledgeSource"]
