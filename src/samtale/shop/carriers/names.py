"""Carrier codes from what platforms call carriers ("PostNord DK", "Posten Norge",
"DHL Express", Magento's `carrier_code`), and their display names."""

from __future__ import annotations

import re

NAMES: dict[str, str] = {
    "postnord": "PostNord",
    "gls": "GLS",
    "dao": "DAO",
    "bring": "Bring",
    "posti": "Posti",
    "budbee": "Budbee",
    "instabox": "Instabox",
    "dhl": "DHL",
}

# Longest first: "posten norge" before "posten".
_ALIASES: tuple[tuple[str, str], ...] = (
    ("postnord", "postnord"),
    ("post nord", "postnord"),
    ("posten norge", "bring"),
    ("posten", "bring"),
    ("bring", "bring"),
    ("gls", "gls"),
    ("dao365", "dao"),
    ("dao", "dao"),
    ("posti", "posti"),
    ("itella", "posti"),
    ("budbee", "budbee"),
    ("instabox", "instabox"),
    ("dhl", "dhl"),
    ("deutsche post", "dhl"),
)


def carrier_code(name: str | None) -> str | None:
    """The carrier code for a platform's name of it, or None when it is none of ours."""
    if not name:
        return None
    folded = " " + re.sub(r"[^a-z0-9]+", " ", name.lower()).strip() + " "
    for alias, code in _ALIASES:
        if f" {alias} " in folded or folded.strip().startswith(alias):
            return code
    return None


def display_name(code: str) -> str:
    return NAMES.get(code, code)
