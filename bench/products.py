"""Product search: the top-3 hit rate of a query set written as customers write (da, sv, no, fi,
en; `bench/data/products/queries.tsv`) against the demo catalogue, for this tree's search and for
a baseline's — another git revision's `shop/search.py`, loaded in the same process and fed the same
catalogue and the same queries.

A query is read the way the bot's `product_search` action reads it: colours, sizes and prices
become filters (`shop.filters`), question words about price or stock are taken out, and the rest
is searched. A query is a hit when one of the first three products is of the kind the line names
(or of the category, or is the product it names). By default words alone (the words must find what the customer
names); `--semantic` adds the sentence embeddings the bot uses, the same vectors for both
(cached in `--data-dir`).

    PYTHONPATH=src:. .venv/bin/python -m bench.products [--baseline main] [--semantic] [-v]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPO, machine, table

QUERIES = REPO / "bench" / "data" / "products" / "queries.tsv"
LANGUAGES = {"da": "da", "sv": "sv", "no": "nb", "fi": "fi", "en": "en"}


def load_queries(path: Path = QUERIES) -> list[tuple[str, str, list[str]]]:
    """(language, query, accepted targets) per line."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, query, targets = line.split("\t")
        out.append((LANGUAGES[lang], query, targets.split("|")))
    return out


def baseline_search(ref: str) -> Any:
    """The `samtale.shop.search` module of git revision `ref`, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{ref}:src/samtale/shop/search.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="bench-products-"))
    path = folder / "baseline_search.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_search", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_search"] = module
    spec.loader.exec_module(module)
    return module


def _kinds() -> dict[str, str]:
    from samtale.demo.shop.assortment import PRODUCT_TYPES

    return {k.keywords: k.code for k in PRODUCT_TYPES}


def _hit(products: list[Any], targets: list[str], kinds: dict[str, str]) -> bool:
    for product in products[:3]:
        for target in targets:
            what, _, value = target.partition(":")
            if what == "kind" and kinds.get(product.keywords) == value:
                return True
            if what == "category" and product.category == value:
                return True
            if what == "name" and product.names.get("da") == value:
                return True
    return False


def top3(index: Any, query: str, language: str) -> list[Any]:
    """The first three products, the query read the way `product_search` reads it."""
    from samtale.shop.filters import parse_filters
    from samtale.shop.products import _strip_aspect_words, asked_aspects

    parsed = parse_filters(query, "DKK")
    rest = _strip_aspect_words(parsed.rest) if asked_aspects(query) else parsed.rest
    return [h.product for h in index.search(rest, language, parsed.filters, limit=3)]


def _semantic(products: list[Any], data_dir: Path) -> tuple[Any, Any]:
    from samtale.bot.embeddings import Embedder
    from samtale.shop.search import SemanticIndex

    cache = data_dir / "shop-embeddings"
    cache.mkdir(parents=True, exist_ok=True)
    passages = Embedder(cache_dir=cache, prefix="passage", batch_size=8)
    return SemanticIndex.build(products, passages), Embedder(prefix="query")


def run(ref: str, verbose: bool, data_dir: Path | None = None) -> dict[str, dict[str, float]]:
    from samtale.demo.shop.catalogue import generate_catalogue
    from samtale.shop.search import ProductIndex

    queries = load_queries()
    products = generate_catalogue()
    kinds = _kinds()
    old = baseline_search(ref)
    indexes = {}
    build: dict[str, float] = {}
    for label, cls in (("baseline", old.ProductIndex), ("this tree", ProductIndex)):
        started = time.perf_counter()
        indexes[label] = cls(products)
        build[label] = time.perf_counter() - started
    if data_dir is not None:
        semantic, queries_embedder = _semantic(products, data_dir)
        for index in indexes.values():
            index.attach(semantic, queries_embedder)
    counts: dict[str, dict[str, list[int]]] = {k: defaultdict(lambda: [0, 0]) for k in indexes}
    misses: dict[str, list[str]] = defaultdict(list)
    for lang, query, targets in queries:
        for label, index in indexes.items():
            found = top3(index, query, lang)
            ok = _hit(found, targets, kinds)
            for key in (lang, "all"):
                counts[label][key][0] += ok
                counts[label][key][1] += 1
            if not ok:
                names = ", ".join(p.name("da") for p in found) or "nothing"
                misses[label].append(f"[{lang}] {query!r} → {names} (wanted {'|'.join(targets)})")
    print(f"# Product search: top-3 hit rate, {len(queries)} queries, {len(products)} products")
    print(f"machine: {machine()}")
    print(f"baseline: `shop/search.py` at {ref}; this tree: the working tree")
    print(f"read by: {'words and meaning (E5)' if data_dir else 'words alone'}\n")
    rows = []
    rates: dict[str, dict[str, float]] = {}
    for key in (*LANGUAGES.values(), "all"):
        b, t = counts["baseline"][key], counts["this tree"][key]
        rates[key] = {"baseline": b[0] / b[1], "this tree": t[0] / t[1]}
        rows.append([key, b[1], f"{100 * b[0] / b[1]:.1f} %", f"{100 * t[0] / t[1]:.1f} %"])
    print(table(["language", "queries", "baseline", "this tree"], rows))
    print(
        f"\nindex build: baseline {build['baseline'] * 1000:.0f} ms, "
        f"this tree {build['this tree'] * 1000:.0f} ms"
    )
    if verbose:
        for label in indexes:
            print(f"\n## Missed by {label}")
            for line in misses[label]:
                print(f"- {line}")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--semantic", action="store_true", help="add the sentence embeddings")
    parser.add_argument("--data-dir", type=Path, default=REPO / ".cache" / "test-bot")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the missed queries")
    args = parser.parse_args()
    run(args.baseline, args.verbose, args.data_dir if args.semantic else None)


if __name__ == "__main__":
    main()
