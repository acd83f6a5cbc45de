"""What the handoff says to customers (system lines in the conversation, the bot's answer to
"talk to a person", labels of the standard pre-chat fields, the e-mail reply) in the five
languages, and the shop's local times in words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

LOCALES = {"da": "da_DK", "sv": "sv_SE", "nb": "nb_NO", "fi": "fi_FI", "en": "en_GB"}

TEXTS: dict[str, dict[str, str]] = {
    "da": {
        "form": "Jeg finder en person fra kundeservice til dig. Svar lige på et par spørgsmål først, så går det hurtigere.",
        "queued": "Du er i kø hos kundeservice.",
        "left": "Du har forladt køen. Du kan skrive til mig igen.",
        "joined": "{name} fra kundeservice er med i samtalen nu.",
        "transferred": "{name} har overtaget samtalen.",
        "closed": "{name} har afsluttet samtalen.",
        "idle": "Samtalen er afsluttet, fordi der ikke er skrevet i {minutes} minutter.",
        "requeued": "Forbindelsen til {name} blev afbrudt. Du er forrest i køen igen.",
        "closed_hours": "Kundeservice har lukket lige nu. Vi er tilbage {when}. Du kan skrive en besked, så svarer vi på e-mail.",
        "closed_long": "Kundeservice har lukket lige nu. Du kan skrive en besked, så svarer vi på e-mail.",
        "no_agents": "Der er ingen fra kundeservice ledige lige nu. Du kan skrive en besked, så svarer vi på e-mail.",
        "rated": "Tak for din vurdering.",
        "name": "Navn",
        "email": "E-mail",
        "phone": "Telefon",
        "order_number": "Ordrenummer",
        "topic": "Emne",
        "text": "Svar",
        "textarea": "Beskriv kort, hvad det drejer sig om",
        "reply_subject": "Svar fra {shop}",
        "reply_quote": "Din besked:",
        "reply_footer": "Svar ikke på denne e-mail; skriv til os i chatten på vores hjemmeside.",
    },
    "sv": {
        "form": "Jag hittar en person från kundtjänst åt dig. Svara först på några frågor, så går det snabbare.",
        "queued": "Du står i kö hos kundtjänst.",
        "left": "Du har lämnat kön. Du kan skriva till mig igen.",
        "joined": "{name} från kundtjänst är med i konversationen nu.",
        "transferred": "{name} har tagit över konversationen.",
        "closed": "{name} har avslutat konversationen.",
        "idle": "Konversationen avslutades eftersom ingen skrivit på {minutes} minuter.",
        "requeued": "Anslutningen till {name} bröts. Du står först i kön igen.",
        "closed_hours": "Kundtjänst har stängt just nu. Vi är tillbaka {when}. Du kan lämna ett meddelande, så svarar vi via e-post.",
        "closed_long": "Kundtjänst har stängt just nu. Du kan lämna ett meddelande, så svarar vi via e-post.",
        "no_agents": "Ingen från kundtjänst är ledig just nu. Du kan lämna ett meddelande, så svarar vi via e-post.",
        "rated": "Tack för ditt betyg.",
        "name": "Namn",
        "email": "E-post",
        "phone": "Telefon",
        "order_number": "Ordernummer",
        "topic": "Ämne",
        "text": "Svar",
        "textarea": "Beskriv kort vad det gäller",
        "reply_subject": "Svar från {shop}",
        "reply_quote": "Ditt meddelande:",
        "reply_footer": "Svara inte på detta e-postmeddelande; skriv till oss i chatten på vår webbplats.",
    },
    "nb": {
        "form": "Jeg finner en person fra kundeservice til deg. Svar først på noen spørsmål, så går det raskere.",
        "queued": "Du står i kø hos kundeservice.",
        "left": "Du har forlatt køen. Du kan skrive til meg igjen.",
        "joined": "{name} fra kundeservice er med i samtalen nå.",
        "transferred": "{name} har overtatt samtalen.",
        "closed": "{name} har avsluttet samtalen.",
        "idle": "Samtalen ble avsluttet fordi ingen har skrevet på {minutes} minutter.",
        "requeued": "Forbindelsen til {name} ble brutt. Du er først i køen igjen.",
        "closed_hours": "Kundeservice er stengt akkurat nå. Vi er tilbake {when}. Du kan legge igjen en melding, så svarer vi på e-post.",
        "closed_long": "Kundeservice er stengt akkurat nå. Du kan legge igjen en melding, så svarer vi på e-post.",
        "no_agents": "Ingen fra kundeservice er ledige akkurat nå. Du kan legge igjen en melding, så svarer vi på e-post.",
        "rated": "Takk for vurderingen.",
        "name": "Navn",
        "email": "E-post",
        "phone": "Telefon",
        "order_number": "Ordrenummer",
        "topic": "Emne",
        "text": "Svar",
        "textarea": "Beskriv kort hva det gjelder",
        "reply_subject": "Svar fra {shop}",
        "reply_quote": "Meldingen din:",
        "reply_footer": "Ikke svar på denne e-posten; skriv til oss i chatten på nettsiden vår.",
    },
    "fi": {
        "form": "Etsin sinulle asiakaspalvelijan. Vastaa ensin muutamaan kysymykseen, niin asia hoituu nopeammin.",
        "queued": "Olet asiakaspalvelun jonossa.",
        "left": "Poistuit jonosta. Voit taas kirjoittaa minulle.",
        "joined": "{name} asiakaspalvelusta on nyt mukana keskustelussa.",
        "transferred": "{name} jatkaa keskustelua.",
        "closed": "{name} päätti keskustelun.",
        "idle": "Keskustelu päätettiin, koska kukaan ei kirjoittanut {minutes} minuuttiin.",
        "requeued": "Yhteys asiakaspalvelijaan {name} katkesi. Olet taas jonon ensimmäisenä.",
        "closed_hours": "Asiakaspalvelu on nyt suljettu. Palaamme {when}. Voit jättää viestin, niin vastaamme sähköpostilla.",
        "closed_long": "Asiakaspalvelu on nyt suljettu. Voit jättää viestin, niin vastaamme sähköpostilla.",
        "no_agents": "Asiakaspalvelijoita ei ole juuri nyt vapaana. Voit jättää viestin, niin vastaamme sähköpostilla.",
        "rated": "Kiitos arviostasi.",
        "name": "Nimi",
        "email": "Sähköposti",
        "phone": "Puhelin",
        "order_number": "Tilausnumero",
        "topic": "Aihe",
        "text": "Vastaus",
        "textarea": "Kerro lyhyesti, mistä on kyse",
        "reply_subject": "Vastaus: {shop}",
        "reply_quote": "Viestisi:",
        "reply_footer": "Älä vastaa tähän sähköpostiin; kirjoita meille verkkosivujemme chatissa.",
    },
    "en": {
        "form": "I'll find a person from customer service for you. Please answer a few questions first; it makes things quicker.",
        "queued": "You're in the queue for customer service.",
        "left": "You left the queue. You can write to me again.",
        "joined": "{name} from customer service has joined the conversation.",
        "transferred": "{name} has taken over the conversation.",
        "closed": "{name} has closed the conversation.",
        "idle": "The conversation was closed because nobody wrote for {minutes} minutes.",
        "requeued": "The connection to {name} was lost. You're at the front of the queue again.",
        "closed_hours": "Customer service is closed right now. We're back {when}. You can leave a message and we'll answer by e-mail.",
        "closed_long": "Customer service is closed right now. You can leave a message and we'll answer by e-mail.",
        "no_agents": "Nobody from customer service is available right now. You can leave a message and we'll answer by e-mail.",
        "rated": "Thank you for your rating.",
        "name": "Name",
        "email": "E-mail",
        "phone": "Phone",
        "order_number": "Order number",
        "topic": "Topic",
        "text": "Answer",
        "textarea": "Briefly, what is it about?",
        "reply_subject": "Reply from {shop}",
        "reply_quote": "Your message:",
        "reply_footer": "Please don't reply to this e-mail; write to us in the chat on our website.",
    },
}


def text(key: str, language: str, **values: object) -> str:
    catalog = TEXTS.get(language, TEXTS["en"])
    s = catalog.get(key) or TEXTS["en"][key]
    return s.format(**values) if values else s


def when(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A local time in words, e.g. `mandag 5. januar kl. 09.00`."""
    local = moment.astimezone(zone)
    locale = LOCALES.get(language, "en_GB")
    day = format_date(local, WHEN_DATE.get(language, "EEEE d MMMM"), locale=locale)
    clock = format_time(local, "short", locale=locale)
    return WHEN.get(language, "on {day} at {clock}").format(day=day, clock=clock)


WHEN_DATE = {"da": "EEEE d. MMMM", "nb": "EEEE d. MMMM", "fi": "EEEE d. MMMM"}
WHEN = {
    "da": "{day} kl. {clock}",
    "sv": "{day} kl. {clock}",
    "nb": "{day} kl. {clock}",
    "fi": "{day} klo {clock}",
    "en": "on {day} at {clock}",
}
