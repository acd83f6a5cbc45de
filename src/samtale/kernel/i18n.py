"""One catalogue of what Samtale says to people, in one format a translator edits.

Every text lives in a YAML file of `kernel/texts/` named for whom it speaks to: `staff.yaml`
(the log-in page, the agent console and the admin pages, in Danish and English), `handoff.yaml`
(talking to a person), `shop.yaml` (the shop's actions), `transcript.yaml` and `mail.yaml`. A
file maps each key to its text per language:

```yaml
login.title:
  da: Log ind
  en: Log in
```

`{placeholders}` are filled by the caller. A language without its own text gets the English one,
and a missing key shows the key, so a gap is visible rather than fatal. Files are read once, on
first use; nothing registers texts at import time. (The bot's own words are the shop's content,
edited in the bot builder, not here.)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

TEXTS_DIR = Path(__file__).resolve().parent / "texts"


class Catalogue:
    def __init__(self, entries: dict[str, dict[str, str]]) -> None:
        self.entries = entries

    def text(self, key: str, language: str, **values: object) -> str:
        by_language = self.entries.get(key) or {}
        found = by_language.get(language) or by_language.get("en") or key
        return found.format(**values) if values else found

    def texts(self, key: str) -> dict[str, str]:
        """The key's text in every language it has."""
        return dict(self.entries.get(key) or {})

    def language(self, language: str, fallback: str = "en") -> dict[str, str]:
        """Every text in one language (the fallback's where the language has none)."""
        return {
            key: by_language.get(language) or by_language.get(fallback) or key
            for key, by_language in self.entries.items()
        }

    def keys(self, prefix: str = "") -> list[str]:
        return [key for key in self.entries if key.startswith(prefix)]

    def __contains__(self, key: str) -> bool:
        return key in self.entries


@cache
def catalogue(name: str) -> Catalogue:
    """The catalogue `kernel/texts/<name>.yaml`."""
    path = TEXTS_DIR / f"{name}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = {
        str(key): {str(lang): str(text) for lang, text in (by_language or {}).items()}
        for key, by_language in raw.items()
    }
    return Catalogue(entries)
