"""The shop integration: product-search latency and relevance, tracking latency.

- Product search, p50/p99 per query (filters parsed, words + meaning, the query embedded) over
  the demo catalogue (~550 products) and a generated 20,000-product catalogue. The peer in the
  same run is the same search with words alone (no embedding).
- Relevance: top-3 hit rate on the labelled queries of `bench/data/shop/queries.jsonl` (112
  queries in da, sv, nb, fi, en with their expected SKUs, written before the search was tuned),
  for words alone, meaning alone and both; and on the queries that share no word with the
  names of the products they expect.
- Tracking: the `track_order` and `track_shipment` actions against the demo shop on SQLite
  (and PostgreSQL with `--postgres`), and the whole bot turn through the API in process (message
  in → tracking card out: the e-mail that completes the order flow, and a bare tracking number)
  with the real bot of `samtale.app.wiring.build_runtime` — skipped when the bot's classifier is not
  there.

Vectors and the trained bot are cached in `--cache-dir` (default `~/.cache/samtale-bench/shop`),
so only the first run embeds the catalogue and trains the bot; nothing is written into the repo.

    .venv/bin/python -m bench.shop [--large 20000] [--repeat 3] [--turns 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.common import REPO, machine, percentile, postgres_database, table

QUERIES = REPO / "bench" / "data" / "shop" / "queries.jsonl"
CURRENCY = {"da": "DKK", "sv": "SEK", "nb": "NOK", "fi": "EUR", "en": "DKK"}


def _words(text: str) -> set[str]:
    from samtale.shop.search import words

    return {w for w in words(text) if len(w) >= 3}


def shares_a_name_word(row: dict[str, Any], by_sku: dict[str, Any], parts: bool) -> bool:
    """Does the query share a word with the name of any product it expects, in any language?
    With `parts`, a word that is part of a compound of the other (4+ letters: "lampe" and
    "bordlampe") counts as shared too."""
    query = _words(row["text"])
    for sku in row["expected"]:
        for name in by_sku[sku].names.values():
            for n in _words(name):
                for q in query:
                    if q == n or (parts and len(q) >= 4 and (q in n or n in q)):
                        return True
    return False


def search_rows(index: Any, rows: list[dict[str, Any]], semantic: bool) -> list[float]:
    """Latencies (ms) of searching every row once."""
    from samtale.shop.filters import parse_filters

    saved = index.semantic
    if not semantic:
        index.semantic = None
    times = []
    try:
        for row in rows:
            start = time.perf_counter()
            parsed = parse_filters(row["text"], CURRENCY[row["language"]])
            index.find(parsed.rest, row["language"], parsed.filters, limit=3)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        index.semantic = saved
    return times


def hit_rate(index: Any, rows: list[dict[str, Any]], mode: str) -> float:
    from samtale.shop import search as search_module
    from samtale.shop.filters import parse_filters

    saved = index.semantic, search_module.W_LEXICAL
    if mode == "words":
        index.semantic = None
    elif mode == "meaning":
        search_module.W_LEXICAL = 0.0
    hits = 0
    try:
        for row in rows:
            parsed = parse_filters(row["text"], CURRENCY[row["language"]])
            found = index.search(parsed.rest, row["language"], parsed.filters, limit=3)
            hits += any(h.product.sku in row["expected"] for h in found)
    finally:
        index.semantic, search_module.W_LEXICAL = saved
    return hits / max(1, len(rows))


def product_search(args: argparse.Namespace, cache: Path) -> None:
    from samtale.bot.embeddings import Embedder
    from samtale.demo.shop.catalogue import generate_catalogue
    from samtale.shop.search import ProductIndex, SemanticIndex

    rows = [json.loads(line) for line in QUERIES.read_text().splitlines() if line.strip()]
    passages = Embedder(cache_dir=cache / "embeddings", prefix="passage", batch_size=8)
    queries = Embedder(prefix="query")
    queries.embed_one("warm up")
    latency_rows = []
    indexes = {}
    for label, products in (
        ("demo catalogue", generate_catalogue()),
        (f"generated {args.large:,}", generate_catalogue(size=args.large)),
    ):
        start = time.perf_counter()
        index = ProductIndex(products)
        built_words = time.perf_counter() - start
        start = time.perf_counter()
        index.attach(SemanticIndex.build(products, passages), queries)
        built_vectors = time.perf_counter() - start
        indexes[label] = index
        for semantic, name in ((True, "words + meaning"), (False, "words only (peer)")):
            times: list[float] = []
            for _ in range(args.repeat):
                times += search_rows(index, rows, semantic)
            latency_rows.append(
                [f"{label} ({len(products):,})", name, len(times),
                 percentile(times, 0.5), percentile(times, 0.99)]
            )  # fmt: skip
        print(
            f"{label}: {len(products):,} products, word index {built_words * 1000:.0f} ms, "
            f"vectors {built_vectors:.1f} s ({index.semantic.vectors.shape[0]} passages, "  # type: ignore[union-attr]
            "cached after the first run)"
        )
    print()
    print(table(["catalogue", "search", "queries", "p50 ms", "p99 ms"], latency_rows))

    demo = indexes["demo catalogue"]
    by_sku = demo.by_sku
    no_word = [r for r in rows if not shares_a_name_word(r, by_sku, parts=False)]
    no_part = [r for r in rows if not shares_a_name_word(r, by_sku, parts=True)]
    languages = sorted({r["language"] for r in rows})
    print()
    relevance = []
    for mode in ("words", "meaning", "both"):
        per_language = [
            f"{hit_rate(demo, [r for r in rows if r['language'] == lang], mode):.0%}"
            for lang in languages
        ]
        relevance.append(
            [mode, f"{hit_rate(demo, rows, mode):.1%}", f"{hit_rate(demo, no_word, mode):.1%}",
             f"{hit_rate(demo, no_part, mode):.1%}", *per_language]
        )  # fmt: skip
    print(
        f"Relevance, top-3 hit rate on {len(rows)} labelled queries. Sharing no word with the "
        f"names of the products they expect: {len(no_word)} ({len(no_word) / len(rows):.0%}); "
        f"not even part of a compound: {len(no_part)} ({len(no_part) / len(rows):.0%})."
    )
    print(table(["search", "all", "no shared word", "no shared part", *languages], relevance))


async def _timed(fn: Callable[[], Awaitable[Any]], n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


async def tracking_actions(database_url: str, label: str, n: int) -> list[list[Any]]:
    from samtale.bot.actions import ActionContext
    from samtale.cli.shop import demo_orders
    from samtale.demo.shop.connector import DemoConnector
    from samtale.demo.shop.store import ensure_demo_shop
    from samtale.infra.database import Database
    from samtale.infra.migrate import upgrade
    from samtale.infra.ratelimit import MemoryRateLimiter
    from samtale.kernel.clock import SystemClock
    from samtale.shop.service import ShopService
    from samtale.shop.tracking import Tracking
    from samtale.tenants.service import TenantCreate, create_tenant

    db = Database(database_url)
    clock = SystemClock()
    await upgrade(db)
    async with db.transaction() as session:
        slug = f"bench-{uuid.uuid4().hex[:8]}"
        tenant = await create_tenant(
            session, TenantCreate(name="Bench", slug=slug, widget_key=slug), clock
        )
        await ensure_demo_shop(session, tenant.id, clock)
    shops = ShopService(db, clock, semantic=False, builtin=DemoConnector)
    tracking = Tracking(shops, MemoryRateLimiter(clock))
    order = demo_orders()[0]

    def ctx(**slots: str) -> ActionContext:
        return ActionContext(tenant.id, uuid.uuid4(), "da", "DK", "", slots)

    async def by_order() -> None:
        result = await tracking.track_order(
            ctx(order_number=order["order_number"], email=order["email"])
        )
        assert result.outcome == "answered"

    async def by_number() -> None:
        result = await tracking.track_shipment(ctx(tracking_number=order["tracking_number"]))
        assert result.outcome == "answered"

    await by_order()
    rows = []
    for name, fn in (("track_order (order number + e-mail)", by_order),
                     ("track_shipment (tracking number)", by_number)):  # fmt: skip
        times = await _timed(fn, n)
        rows.append([name, label, len(times), percentile(times, 0.5), percentile(times, 0.99)])
    await shops.close()
    await db.dispose()
    return rows


async def bot_turns(cache: Path, n: int) -> list[list[Any]]:
    import httpx

    from samtale.app.container import Container
    from samtale.cli.shop import demo_orders
    from samtale.demo.tenant import ensure_demo
    from samtale.kernel.config import Settings
    from samtale.web.app import create_app

    data = cache / "bot"
    data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
            data_dir=data,
            secret_key="bench-secret-key-bench-secret-key",
            messages_per_minute=1_000_000,
            conversations_per_minute_per_ip=1_000_000,
            log_level="warning",
        )
        runtime = Container.build(settings)
        await runtime.start(migrate=True)
        async with runtime.db.transaction() as session:
            await ensure_demo(session, runtime.clock, Path(tmp), [])
        started = time.perf_counter()
        await runtime.responders.wait_ready()  # type: ignore[attr-defined]
        await runtime.responders.refresh()  # type: ignore[attr-defined]
        print(f"bot ready in {time.perf_counter() - started:.0f} s (trained once, then cached)")
        app = create_app(runtime, manage_runtime=False)
        order = demo_orders()[0]
        transport = httpx.ASGITransport(app=app)
        rows = []
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def conversation() -> tuple[str, dict[str, str]]:
                r = await client.post("/api/v1/widget/demo/conversations", json={"language": "da"})
                body = r.json()
                return body["conversation_id"], {"authorization": f"Bearer {body['token']}"}

            async def say(conv: str, headers: dict[str, str], text: str) -> dict[str, Any]:
                r = await client.post(
                    f"/api/v1/conversations/{conv}/messages", json={"text": text}, headers=headers
                )
                assert r.status_code == 201, r.text
                result: dict[str, Any] = r.json()
                return result

            def has_card(turn: dict[str, Any]) -> bool:
                return any((m.get("payload") or {}).get("type") == "tracking"
                           for m in turn["replies"])  # fmt: skip

            for name, setup, last in (
                ("order flow, e-mail → card", ("hvor er min pakke", order["order_number"]),
                 order["email"]),
                ("bare tracking number → card", (), order["tracking_number"]),
            ):  # fmt: skip
                times = []
                for i in range(n + 5):
                    conv, headers = await conversation()
                    for text in setup:
                        await say(conv, headers, text)
                    start = time.perf_counter()
                    turn = await say(conv, headers, last)
                    elapsed = (time.perf_counter() - start) * 1000
                    assert has_card(turn), turn
                    if i >= 5:  # warm-up turns not counted
                        times.append(elapsed)
                rows.append([name, "API in process, SQLite", len(times),
                             percentile(times, 0.5), percentile(times, 0.99)])  # fmt: skip
        await runtime.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--postgres", help="postgresql://… to also time the actions there")
    parser.add_argument("--cache-dir", type=Path,
                        default=Path.home() / ".cache" / "samtale-bench" / "shop")  # fmt: skip
    args = parser.parse_args()
    from samtale.kernel.logs import configure_logging

    configure_logging("warning")
    # As `samtale serve` runs: database drivers hand results back to the loop from threads, and a
    # short switch interval keeps those hand-backs quick (see `samtale.cli.server`).
    sys.setswitchinterval(0.0005)
    cache: Path = args.cache_dir
    cache.mkdir(parents=True, exist_ok=True)
    print(f"Machine: {machine()}")
    print("Load average at start (other work on the machine): {:.1f} {:.1f} {:.1f}".format(
        *os.getloadavg()))  # fmt: skip
    print()
    product_search(args, cache)

    print()
    rows: list[list[Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += asyncio.run(
            tracking_actions(f"sqlite+aiosqlite:///{tmp}/bench.db", "SQLite", args.lookups)
        )
    if args.postgres:
        with postgres_database(args.postgres) as url:
            async_url = re.sub(r"^postgresql(\+\w+)?://", "postgresql+asyncpg://", url)
            rows += asyncio.run(tracking_actions(async_url, "PostgreSQL", args.lookups))
    if importlib.util.find_spec("samtale.bot.classifier") is None:
        note = "whole bot turn: skipped (samtale.bot.classifier is not there yet)"
    else:
        rows += asyncio.run(bot_turns(cache, args.turns))
        note = ""
    print(table(["tracking", "through", "n", "p50 ms", "p99 ms"], rows))
    print("Load average at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    if note:
        print(note)


if __name__ == "__main__":
    main()
