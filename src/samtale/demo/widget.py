"""The demo shop's widget settings (`samtale demo`)."""

from __future__ import annotations

# The demo shop's widget (`samtale demo`): Nora, Nordhjem's bot, in the shop's green.
DEMO_WIDGET_SETTINGS: dict[str, object] = {
    "bot_name": "Nora",
    "avatar_url": "/static/nora-avatar.svg",
    "primary_color": "#2f5d50",
    "privacy_policy_url": "/privatliv",
    "greeting": {
        "da": "Hej! Jeg er Nora, Nordhjems chatbot. Spørg mig om din pakke, levering, betaling, "
        "returnering eller vores varer – og tal med en person fra kundeservice, når du vil.",
        "sv": "Hej! Jag är Nora, Nordhjems chattbot. Fråga mig om ditt paket, leverans, betalning, "
        "returer eller våra produkter – och prata med en person på kundtjänst när du vill.",
        "nb": "Hei! Jeg er Nora, Nordhjems chatbot. Spør meg om pakken din, levering, betaling, "
        "retur eller varene våre – og snakk med en person i kundeservice når du vil.",
        "fi": "Hei! Olen Nora, Nordhjemin chattibotti. Kysy minulta paketistasi, toimituksesta, "
        "maksamisesta, palautuksista tai tuotteistamme – ja juttele asiakaspalvelijan kanssa "
        "milloin haluat.",
        "en": "Hi! I'm Nora, Nordhjem's chatbot. Ask me about your parcel, delivery, payment, "
        "returns or our products – and talk to a person from customer service whenever you like.",
    },
    "starters": {
        lang: [
            {"label": label, "intent": intent}
            for label, intent in zip(
                labels,
                ("track_order", "return_how", "delivery_methods", "payment_methods"),
                strict=True,
            )
        ]
        for lang, labels in {
            "da": ("Hvor er min pakke?", "Returnering", "Levering", "Betaling"),
            "sv": ("Var är mitt paket?", "Retur", "Leverans", "Betalning"),
            "nb": ("Hvor er pakken min?", "Retur", "Levering", "Betaling"),
            "fi": ("Missä pakettini on?", "Palautus", "Toimitus", "Maksaminen"),
            "en": ("Where is my parcel?", "Returns", "Delivery", "Payment"),
        }.items()
    },
}
