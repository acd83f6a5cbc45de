"""One detector everywhere: every part of Samtale that looks for personal data in text (the
improvement sample, the identifier index, the `samtale pii` command) goes through the package's
public `redact` / `detect` / `find_identifiers`, never through the recognizers behind them."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "samtale"
PII = SRC / "privacy" / "pii"
# What outside code may import from the package's modules: its public names (the package
# itself) and the warm-up that loads the lists and the model at start.
ALLOWED = {"samtale.privacy.pii", "samtale.privacy.pii.redactor"}
IMPORT = re.compile(r"^\s*(?:from|import)\s+(samtale\.privacy\.pii[\w.]*)", re.M)


def test_no_code_outside_the_package_reaches_past_its_public_api() -> None:
    outside = [p for p in SRC.rglob("*.py") if PII not in p.parents]
    reached = {
        f"{p.relative_to(SRC)}: {m}"
        for p in outside
        for m in IMPORT.findall(p.read_text(encoding="utf-8"))
        if m not in ALLOWED
    }
    assert reached == set()


def test_the_sample_and_the_identifier_index_use_the_detector() -> None:
    sample = (SRC / "insights" / "sample.py").read_text(encoding="utf-8")
    index = (SRC / "privacy" / "identifiers.py").read_text(encoding="utf-8")
    assert re.search(r"from samtale\.privacy\.pii import .*\bredact\b", sample)
    assert re.search(r"from samtale\.privacy\.pii import .*\bfind_identifiers\b", index)


def test_the_package_imports_nothing_else_of_samtale() -> None:
    for path in PII.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(?:from|import)\s+samtale\.", text, re.M), path.name
