"""The package graph of `samtale`, counted from the source: every import between packages, at
module level or inside functions, as `ast` finds it.

`python -m tests.architecture.layers` prints the graph, its cycles and any import against the
allowed direction; `tests/architecture/test_layers.py` fails on those.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

# Lowest first. A package may import the packages of lower layers only; packages of one layer
# do not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("kernel",),
    ("model",),
    ("infra",),
    ("tenants", "accounts"),
    ("conversations",),
    ("privacy",),
    ("bot", "live"),
    ("shop", "knowledge"),
    ("insights",),
    ("admin",),
    ("demo",),
    ("app",),
    ("web",),
    ("cli",),
]
LAYER = {package: rank for rank, group in enumerate(LAYERS) for package in group}
TOP = len(LAYERS)  # samtale/__init__.py and __main__.py

# Sub-packages that stand alone: they import nothing of the project outside themselves.
STANDALONE = ("samtale.privacy.pii",)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted
    line: int
    in_function: bool


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, src: Path = SRC) -> list[Import]:
    module = module_name(path, src)
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".")
                    drop = child.level - (1 if is_package else 0)
                    base = base[: len(base) - drop] if drop else base
                    prefix = ".".join(base + ([child.module] if child.module else []))
                else:
                    prefix = child.module or ""
                # `from samtale.x import y` may import the module samtale.x.y
                targets = [f"{prefix}.{alias.name}" for alias in child.names] or [prefix]
                targets = [t if _is_module(t, src) else prefix for t in targets]
            for target in targets:
                if target == "samtale" or target.startswith("samtale."):
                    found.append(Import(module, target, child.lineno, inside))
            visit(child, inside)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _is_module(dotted: str, src: Path) -> bool:
    path = src.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def package_of(module: str) -> str:
    """`samtale.bot.dialogue` -> `bot`; the root package's own modules (`samtale.__main__`)
    -> ``. A top-level module of an older tree (`samtale.runtime`) counts as its own package."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1].startswith("__"):
        return ""
    return parts[1]


def rank(package: str) -> int:
    return LAYER.get(package, TOP) if package else TOP


def allowed(source: str, target: str, target_module: str) -> bool:
    if target_module == "samtale":  # the root package holds only the version
        return True
    return rank(target) < rank(source)


def all_imports(src: Path = SRC) -> list[Import]:
    return [i for path in sorted((src / "samtale").rglob("*.py")) for i in imports_of(path, src)]


def violations(imports: list[Import]) -> list[str]:
    out = []
    for i in imports:
        source, target = package_of(i.module), package_of(i.target)
        where = f"{i.module}:{i.line}{' (in a function)' if i.in_function else ''}"
        if any(i.module == s or i.module.startswith(s + ".") for s in STANDALONE):
            if not any(i.target == s or i.target.startswith(s + ".") for s in STANDALONE):
                out.append(f"{where} imports {i.target}: {i.module} stands alone")
            continue
        if source == target:
            continue
        if source and source not in LAYER:
            out.append(f"{where}: package {source} has no layer in LAYERS")
        elif not allowed(source, target, i.target):
            out.append(f"{where} imports {i.target}: {source} may not import {target or 'samtale'}")
    return out


def graph(imports: list[Import]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for i in imports:
        source, target = package_of(i.module), package_of(i.target)
        if source != target and source and target:
            edges[source].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected sets of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            connect(v)
    return found


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.architecture.layers [--src PATH]`: PATH is a source tree (its `src/`),
    for instance of an older checkout, to compare graphs."""
    args = argv if argv is not None else sys.argv[1:]
    src = Path(args[args.index("--src") + 1]).resolve() if "--src" in args else SRC
    imports = all_imports(src)
    top_level = [i for i in imports if not i.in_function]
    for label, chosen in (("module level", top_level), ("all imports", imports)):
        edges = graph(chosen)
        print(
            f"{label}: {sum(len(v) for v in edges.values())} package edges, cycles: "
            f"{cycles(edges) or 'none'}"
        )
    print()
    for package, targets in sorted(graph(imports).items(), key=lambda kv: rank(kv[0])):
        print(f"  {package:<14} -> {', '.join(sorted(targets, key=rank))}")
    if src != SRC:
        return 0
    bad = violations(imports)
    print(f"\n{len(bad)} imports against the direction")
    for line in bad:
        print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
