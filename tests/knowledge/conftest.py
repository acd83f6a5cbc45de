"""Fixtures for the knowledge tests: the Fjellbu site on loopback, and services built through
the public API on the shared test database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from samtale.bot.embeddings import Embedder
from samtale.infra.database import Database
from samtale.kernel.clock import ManualClock
from samtale.knowledge.fetching import Fetcher
from samtale.knowledge.service import KnowledgeService
from tests.knowledge.site import Site


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest.fixture(scope="session")
def embedders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Embedder, Embedder]:
    cache = tmp_path_factory.mktemp("embeddings")
    return Embedder(cache, prefix="passage"), Embedder(cache, prefix="query")


@pytest.fixture
def make_service(
    db: Database, http: httpx.AsyncClient, tmp_path: Path, embedders: tuple[Embedder, Embedder]
):  # type: ignore[no-untyped-def]
    def make(*, dense: bool = True, max_bytes: int = 1_000_000) -> KnowledgeService:
        passage, query = embedders if dense else (None, None)
        return KnowledgeService(
            db,
            Fetcher(http, timeout=5, max_bytes=max_bytes),
            passage_embedder=passage,
            query_embedder=query,
            data_dir=tmp_path,
            clock=ManualClock(),
        )

    return make
