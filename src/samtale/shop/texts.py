"""What the shop actions say, in the five languages: the catalogue's `shop.yaml`.

`say(key, language, **values)` picks a text (English when a language lacks it) and fills its
`{placeholders}`. Wording follows the demo content's own system messages, so the bot speaks with
one voice whether an answer comes from content or from the shop's data.
"""

from __future__ import annotations

from samtale.kernel.i18n import catalogue


def say(key: str, language: str, **values: object) -> str:
    return catalogue("shop").text(key, language, **values)


def texts_of(key: str) -> dict[str, str]:
    """The key's text in every language (`status.delivered`, `country_to.SE`, …)."""
    return catalogue("shop").texts(key)


def pick_text(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def join_words(items: list[str], language: str) -> str:
    """ "a, b og c" in the customer's language."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say('and', language)} {items[-1]}"
