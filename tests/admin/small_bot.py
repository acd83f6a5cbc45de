"""A small bot in two languages, for tests that train a real one."""

from __future__ import annotations

from typing import Any

from samtale.bot.content import Content

SMALL_BOT: dict[str, Any] = {
    "languages": ["da", "en"],
    "default_language": "da",
    "intents": [
        {
            "name": "opening_hours",
            "examples": {
                "da": [
                    "hvornår har I åbent",
                    "åbningstider",
                    "er butikken åben i dag",
                    "hvornår lukker I",
                    "har i åbent om lørdagen",
                ],
                "en": [
                    "when are you open",
                    "opening hours",
                    "is the shop open today",
                    "when do you close",
                    "are you open on saturday",
                ],
            },
            "answers": {
                "da": ["Vi har åbent hverdage 10–17."],
                "en": ["We are open weekdays 10–17."],
            },
        },
        {
            "name": "gift_cards",
            "examples": {
                "da": [
                    "sælger I gavekort",
                    "kan jeg købe et gavekort",
                    "gavekort",
                    "hvor længe gælder et gavekort",
                    "kan jeg bruge mit gavekort online",
                ],
                "en": [
                    "do you sell gift cards",
                    "can i buy a gift card",
                    "gift card",
                    "how long is a gift card valid",
                    "can i use my gift card online",
                ],
            },
            "answers": {
                "da": ["Ja, gavekort fås i butikken og gælder i tre år."],
                "en": ["Yes, gift cards are sold in the shop and are valid for three years."],
            },
        },
    ],
}


def small_bot() -> Content:
    return Content.model_validate(SMALL_BOT)
