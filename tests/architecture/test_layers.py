"""The packages import in one direction only (`LAYERS` in `layers.py`), counting imports inside
functions, and `privacy.pii` stands alone."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.architecture.layers import SRC, all_imports, cycles, graph, imports_of, violations


def test_no_import_goes_against_the_direction() -> None:
    bad = violations(all_imports())
    assert not bad, "imports against the package order:\n" + "\n".join(bad)


def test_the_package_graph_has_no_cycle() -> None:
    assert cycles(graph(all_imports())) == []


def _copy_with(tmp_path: Path, module: str, code: str) -> Path:
    """A copy of the source tree with one module's text replaced."""
    root = tmp_path / "src"
    shutil.copytree(SRC / "samtale", root / "samtale", ignore=shutil.ignore_patterns("*.pyc"))
    path = root / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + "\n" + code)
    return root


def test_a_module_level_import_of_web_from_bot_is_caught(tmp_path: Path) -> None:
    root = _copy_with(tmp_path, "samtale.bot.dialogue", "import samtale.web\n")
    found = violations(imports_of(root / "samtale" / "bot" / "dialogue.py", root))
    assert any("bot may not import web" in line for line in found), found


def test_a_function_level_import_of_cli_from_shop_is_caught(tmp_path: Path) -> None:
    code = "def later():\n    from samtale.cli.main import app\n    return app\n"
    root = _copy_with(tmp_path, "samtale.shop.search", code)
    found = violations(imports_of(root / "samtale" / "shop" / "search.py", root))
    assert any("(in a function)" in line and "shop may not import cli" in line for line in found)


def test_pii_imports_nothing_else_of_the_project(tmp_path: Path) -> None:
    root = _copy_with(tmp_path, "samtale.privacy.pii.redactor", "from samtale.kernel import text\n")
    found = violations(imports_of(root / "samtale" / "privacy" / "pii" / "redactor.py", root))
    assert any("stands alone" in line for line in found), found


def test_peers_of_one_layer_do_not_import_each_other(tmp_path: Path) -> None:
    root = _copy_with(tmp_path, "samtale.bot.dialogue", "from samtale.live import service\n")
    found = violations(imports_of(root / "samtale" / "bot" / "dialogue.py", root))
    assert any("bot may not import live" in line for line in found), found


def test_the_top_of_web_holds_at_most_ten_modules() -> None:
    modules = sorted(p.name for p in (SRC / "samtale" / "web").glob("*.py"))
    assert len(modules) <= 10, modules
