"""The demo shop's settings for talking to a person (`samtale demo`): Nordhjem's pre-chat form,
opening hours, Danish holidays and canned replies."""

from __future__ import annotations

from typing import Any

_TOPICS = {
    "delivery": {
        "da": "Levering",
        "sv": "Leverans",
        "nb": "Levering",
        "fi": "Toimitus",
        "en": "Delivery",
    },
    "returns": {
        "da": "Returnering",
        "sv": "Retur",
        "nb": "Retur",
        "fi": "Palautus",
        "en": "Returns",
    },
    "payment": {
        "da": "Betaling",
        "sv": "Betalning",
        "nb": "Betaling",
        "fi": "Maksaminen",
        "en": "Payment",
    },
    "product": {
        "da": "Et produkt",
        "sv": "En produkt",
        "nb": "Et produkt",
        "fi": "Tuote",
        "en": "A product",
    },
    "other": {"da": "Andet", "sv": "Annat", "nb": "Annet", "fi": "Muu", "en": "Something else"},
}

DEMO_LIVE_SETTINGS: dict[str, Any] = {
    "prechat_fields": [
        {"name": "name", "kind": "name", "required": True},
        {"name": "email", "kind": "email", "required": True},
        {"name": "order", "kind": "order_number"},
        {
            "name": "topic",
            "kind": "choice",
            "required": True,
            "options": [{"value": v, "label": labels} for v, labels in _TOPICS.items()],
        },
        {"name": "description", "kind": "textarea"},
    ],
    "opening_hours": {
        **{day: ["08:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
        "sat": ["10:00-16:00"],
        "sun": ["10:00-16:00"],
    },
    "holidays": [
        {"date": "2026-12-24", "name": "Juleaften"},
        {"date": "2026-12-25", "name": "Juledag"},
        {"date": "2026-12-26", "name": "2. juledag"},
        {"date": "2026-12-31", "hours": ["08:00-13:00"], "name": "Nytårsaften"},
        {"date": "2027-01-01", "name": "Nytårsdag"},
    ],
    "canned_replies": [
        {
            "title": "Goddag",
            "text": "Hej, jeg hedder Sofie fra Nordhjems kundeservice. Hvad kan jeg hjælpe med?",
            "language": "da",
        },
        {
            "title": "Ordrenummer",
            "text": "Vil du skrive dit ordrenummer (det står i din ordrebekræftelse)? Så slår jeg ordren op.",
            "language": "da",
        },
        {
            "title": "Returnering",
            "text": "Du kan returnere inden for 30 dage. Gå til nordhjem.example/retur, så får du en returlabel med det samme.",
            "language": "da",
        },
        {
            "title": "Farvel",
            "text": "Tak for snakken, og god dag! Skriv endelig igen, hvis der er mere.",
            "language": "da",
        },
        {
            "title": "Hello",
            "text": "Hi, I'm Sofie from Nordhjem's customer service. How can I help?",
            "language": "en",
        },
        {"title": "Goodbye", "text": "Thanks for chatting, and have a nice day!", "language": "en"},
    ],
    "auto_assign": False,
    "grace_seconds": 120,
    "idle_timeout_minutes": 30,
}
