"""The languages Samtale speaks, and how codes from the outside are read.

Codes are `da`, `sv`, `nb`, `fi`, `en`; `no` (and `nn`, `nb-NO`, `da-DK`, ...) are read as the
nearest supported code. This module imports nothing of the project.
"""

from __future__ import annotations

from typing import Literal, get_args

Language = Literal["da", "sv", "nb", "fi", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

# The country a language most likely means for a Nordic shop (delivery, payment, currency).
DEFAULT_COUNTRY: dict[str, str] = {"da": "DK", "sv": "SE", "nb": "NO", "fi": "FI"}

_ALIASES = {
    "no": "nb",
    "nn": "nb",
    "nob": "nb",
    "nno": "nb",
    "dan": "da",
    "swe": "sv",
    "fin": "fi",
    "eng": "en",
}


def normalize_language(code: str | None) -> Language | None:
    """Read a language code or a locale (`da-DK`, `no`, `EN_us`) as a supported language."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    base = _ALIASES.get(base, base)
    return base if base in LANGUAGES else None
