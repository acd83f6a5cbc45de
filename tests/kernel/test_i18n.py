"""The one catalogue of texts: every file loads, every key has every language its readers
speak, and every key a staff page names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from samtale.kernel.i18n import TEXTS_DIR, catalogue

WEB = Path(__file__).resolve().parents[2] / "src" / "samtale" / "web"
FIVE = ("da", "sv", "nb", "fi", "en")
LANGUAGES = {"staff": ("da", "en"), "mail": ("da", "en"), "handoff": FIVE, "shop": FIVE}
LANGUAGES["transcript"] = LANGUAGES["system"] = FIVE


def test_every_catalogue_file_is_read() -> None:
    names = sorted(p.stem for p in TEXTS_DIR.glob("*.yaml"))
    assert names == sorted(LANGUAGES)


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_every_text_has_every_language(name: str) -> None:
    texts = catalogue(name)
    missing = [
        f"{key} ({lang})"
        for key, by_language in texts.entries.items()
        for lang in LANGUAGES[name]
        if not by_language.get(lang, "").strip()
    ]
    assert not missing, missing[:20]


def test_every_key_a_staff_page_names_is_in_the_catalogue() -> None:
    staff = catalogue("staff")
    named = set()
    for path in [*WEB.rglob("*.html"), *WEB.rglob("*.py")]:
        for match in re.finditer(
            r"""\bt\(\s*["']([a-z0-9_]+\.[a-z0-9_.]+)["']""", path.read_text()
        ):
            if not match.group(1).endswith("."):  # a prefix completed at run time
                named.add(match.group(1))
    assert len(named) > 300
    assert sorted(k for k in named if k not in staff) == []


def test_a_missing_language_falls_back_to_english_and_placeholders_are_filled() -> None:
    staff = catalogue("staff")
    assert staff.text("login.locked", "fi", minutes=3) == staff.text(
        "login.locked", "en", minutes=3
    )
    assert "3" in staff.text("login.locked", "da", minutes=3)
    assert staff.text("no.such.key", "da") == "no.such.key"
