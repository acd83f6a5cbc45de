"""The agent console page (`/console`): one server-rendered page for a shop's agents and admins;
`static/console.js` brings it to life over the console's JSON API and websocket. Danish and
English, as the agent chooses."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from samtale.web.errors import ApiError
from samtale.web.i18n import register, translator, ui_language
from samtale.web.staff.session import PageStaff, render

router = APIRouter(include_in_schema=False)

TEXTS: dict[str, dict[str, str]] = {
    "console.title": {"da": "Kundeservice", "en": "Customer service"},
    "console.presence": {"da": "Status", "en": "Status"},
    "console.online": {"da": "Online", "en": "Online"},
    "console.away": {"da": "Væk", "en": "Away"},
    "console.offline": {"da": "Offline", "en": "Offline"},
    "console.connection_lost": {
        "da": "Forbindelsen er afbrudt – prøver igen …",
        "en": "Connection lost – reconnecting …",
    },
    "console.tabs": {"da": "Visninger", "en": "Views"},
    "console.queue": {"da": "Kø", "en": "Queue"},
    "console.chats": {"da": "Mine samtaler", "en": "My chats"},
    "console.requests": {"da": "Beskeder", "en": "Messages"},
    "console.history": {"da": "Historik", "en": "History"},
    "console.privacy": {"da": "Slet på anmodning", "en": "Delete on request"},
    "console.queue_empty": {"da": "Ingen venter lige nu.", "en": "Nobody is waiting."},
    "console.chats_empty": {"da": "Du har ingen samtaler.", "en": "You have no chats."},
    "console.requests_empty": {"da": "Ingen beskeder.", "en": "No messages."},
    "console.history_empty": {"da": "Ingen samtaler fundet.", "en": "No conversations found."},
    "console.pick": {
        "da": "Vælg en samtale i køen eller blandt dine samtaler.",
        "en": "Pick a conversation from the queue or your chats.",
    },
    "console.waiting": {"da": "Venter {time}", "en": "Waiting {time}"},
    "console.requeued": {"da": "Sat tilbage i kø", "en": "Back in queue"},
    "console.fits": {"da": "Dit sprog", "en": "Your language"},
    "console.claim": {"da": "Tag samtalen", "en": "Take chat"},
    "console.claimed_by_other": {
        "da": "En kollega tog samtalen lige før dig.",
        "en": "A colleague took this chat just before you.",
    },
    "console.at_capacity": {
        "da": "Du har allerede så mange samtaler, som du kan have. Afslut en først.",
        "en": "You already have as many chats as you can take. Close one first.",
    },
    "console.customer": {"da": "Kunde", "en": "Customer"},
    "console.answers": {"da": "Svar før samtalen", "en": "Pre-chat answers"},
    "console.no_answers": {"da": "Ingen svar.", "en": "No answers."},
    "console.context": {"da": "Fundet af botten", "en": "Found by the bot"},
    "console.details": {"da": "Detaljer", "en": "Details"},
    "console.language": {"da": "Sprog", "en": "Language"},
    "console.state": {"da": "Tilstand", "en": "State"},
    "console.started": {"da": "Startet", "en": "Started"},
    "console.page": {"da": "Side", "en": "Page"},
    "console.transcript": {"da": "Samtale", "en": "Conversation"},
    "console.visitor": {"da": "Kunde", "en": "Customer"},
    "console.bot": {"da": "Bot", "en": "Bot"},
    "console.system": {"da": "System", "en": "System"},
    "console.typing": {"da": "Kunden skriver …", "en": "The customer is typing …"},
    "console.seen": {"da": "Set", "en": "Seen"},
    "console.write": {"da": "Skriv til kunden", "en": "Write to the customer"},
    "console.send": {"da": "Send", "en": "Send"},
    "console.canned": {"da": "Standardsvar", "en": "Canned replies"},
    "console.canned_pick": {"da": "Indsæt standardsvar …", "en": "Insert a canned reply …"},
    "console.transfer": {"da": "Overdrag", "en": "Transfer"},
    "console.transfer_to": {"da": "Overdrag til", "en": "Transfer to"},
    "console.transfer_none": {
        "da": "Ingen ledige kolleger online.",
        "en": "No colleague online with room.",
    },
    "console.close": {"da": "Afslut", "en": "Close"},
    "console.outcome": {"da": "Resultat", "en": "Outcome"},
    "console.outcome.resolved": {"da": "Løst", "en": "Resolved"},
    "console.outcome.follow_up": {"da": "Følges op", "en": "Follow-up needed"},
    "console.outcome.not_resolved": {"da": "Ikke løst", "en": "Not resolved"},
    "console.outcome.no_response": {"da": "Intet svar fra kunden", "en": "No response"},
    "console.outcome.spam": {"da": "Spam", "en": "Spam"},
    "console.state.bot": {"da": "Bot", "en": "Bot"},
    "console.state.queued": {"da": "I kø", "en": "Queued"},
    "console.state.live": {"da": "Live", "en": "Live"},
    "console.state.closed": {"da": "Afsluttet", "en": "Closed"},
    "console.state.offline": {"da": "Besked", "en": "Message"},
    "console.rating": {"da": "Vurdering", "en": "Rating"},
    "console.agent": {"da": "Medarbejder", "en": "Agent"},
    "console.any": {"da": "Alle", "en": "Any"},
    "console.from": {"da": "Fra", "en": "From"},
    "console.to": {"da": "Til", "en": "To"},
    "console.search": {"da": "Søg", "en": "Search"},
    "console.more": {"da": "Flere", "en": "More"},
    "console.reply_email": {"da": "Svar på e-mail", "en": "Reply by e-mail"},
    "console.reply_sent": {"da": "Svaret er sendt.", "en": "The reply was sent."},
    "console.answered": {"da": "Besvaret", "en": "Answered"},
    "console.open": {"da": "Åben", "en": "Open"},
    "console.mail_off": {
        "da": "Svar på e-mail er ikke sat op (SAMTALE_SMTP_URL).",
        "en": "Replying by e-mail is not set up (SAMTALE_SMTP_URL).",
    },
    "console.find_by": {
        "da": "Find kundens samtaler via",
        "en": "Find the customer's conversations by",
    },
    "console.by.email": {"da": "E-mail", "en": "E-mail"},
    "console.by.phone": {"da": "Telefon", "en": "Phone"},
    "console.by.order_number": {"da": "Ordrenummer", "en": "Order number"},
    "console.by.conversation": {"da": "Samtale-id", "en": "Conversation id"},
    "console.value": {"da": "Værdi", "en": "Value"},
    "console.find": {"da": "Find", "en": "Find"},
    "console.found": {"da": "{n} samtaler fundet.", "en": "{n} conversations found."},
    "console.delete_all": {
        "da": "Slet alle på kundens anmodning",
        "en": "Delete all on the customer's request",
    },
    "console.delete_one": {
        "da": "Slet på kundens anmodning",
        "en": "Delete on the customer's request",
    },
    "console.confirm_delete": {
        "da": "Slette {n} samtaler for altid? Det kan ikke fortrydes.",
        "en": "Delete {n} conversations for good? This cannot be undone.",
    },
    "console.deleted": {"da": "{n} samtaler slettet.", "en": "{n} conversations deleted."},
    "console.privacy_note": {
        "da": "Søgninger og sletninger skrives i revisionsloggen.",
        "en": "Searches and deletions are written to the audit log.",
    },
    "console.error": {"da": "Noget gik galt. Prøv igen.", "en": "Something went wrong. Try again."},
    "console.new_chat": {"da": "Ny kunde i køen", "en": "New customer in the queue"},
    "console.new_message": {"da": "Ny besked", "en": "New message"},
    "console.minutes": {"da": "{n} min", "en": "{n} min"},
    "console.seconds": {"da": "{n} s", "en": "{n} s"},
    "console.sound": {"da": "Lyd", "en": "Sound"},
    "console.read_only": {
        "da": "Du kan kun læse denne samtale.",
        "en": "You can only read this conversation.",
    },
    "console.closed_note": {"da": "Samtalen er afsluttet.", "en": "The chat is closed."},
    "console.email": {"da": "E-mail", "en": "E-mail"},
    "console.name": {"da": "Navn", "en": "Name"},
    "console.message": {"da": "Besked", "en": "Message"},
    "console.tracking": {"da": "Sporing", "en": "Tracking"},
    "console.order": {"da": "Ordre", "en": "Order"},
}
register(TEXTS)


@router.get("/console", response_class=HTMLResponse)
async def console_page(request: Request, staff: PageStaff) -> HTMLResponse:
    if not staff.has_role("agent", "admin") or staff.tenant_id is None:
        raise ApiError(403, "forbidden", "The console is for a shop's agents.")
    lang = ui_language(request)
    t = translator(lang)
    texts = {key.removeprefix("console."): t(key) for key in TEXTS}
    return render(
        request,
        "console/index.html",
        staff,
        texts_json=json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c"),
    )
