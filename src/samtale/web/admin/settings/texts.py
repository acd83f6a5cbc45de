"""Texts of the shop's settings pages, in Danish and English."""

from __future__ import annotations

from samtale.web.i18n import register

register(
    {
        "nav.admin.settings": {"da": "Indstillinger", "en": "Settings"},
        "settings.tabs": {"da": "Indstillinger", "en": "Settings"},
        "settings.saved": {"da": "Gemt.", "en": "Saved."},
        "settings.widget": {"da": "Chatvindue", "en": "Widget"},
        "settings.site": {"da": "Sprog og installation", "en": "Languages and installation"},
        "settings.hours": {"da": "Åbningstider", "en": "Opening hours"},
        "settings.prechat": {"da": "Formular før chat", "en": "Pre-chat form"},
        "settings.canned": {"da": "Standardsvar", "en": "Canned replies"},
        "settings.agents": {"da": "Medarbejdere", "en": "Agents"},
        "settings.retention": {"da": "Opbevaring", "en": "Retention"},
        "settings.connector": {"da": "Butikkens system", "en": "Shop connector"},
        "settings.widget.look": {"da": "Udseende", "en": "Look"},
        "settings.widget.bot_name": {"da": "Bottens navn", "en": "Bot name"},
        "settings.widget.bot_name_hint": {
            "da": "Vises øverst i chatvinduet; butikkens navn, hvis tomt.",
            "en": "Shown at the top of the chat window; the shop's name when empty.",
        },
        "settings.widget.avatar_url": {"da": "Billede (URL)", "en": "Avatar (URL)"},
        "settings.widget.avatar_hint": {
            "da": "En http(s)-adresse; bottens forbogstav, hvis tomt.",
            "en": "An http(s) address; the bot name's first letter when empty.",
        },
        "settings.widget.primary_color": {"da": "Hovedfarve", "en": "Main colour"},
        "settings.widget.position": {"da": "Placering", "en": "Position"},
        "settings.widget.right": {"da": "Nederst til højre", "en": "Bottom right"},
        "settings.widget.left": {"da": "Nederst til venstre", "en": "Bottom left"},
        "settings.widget.storage": {"da": "Husk samtalen", "en": "Remember the conversation"},
        "settings.widget.local": {
            "da": "På tværs af besøg, til den udløber",
            "en": "Across visits, until it expires",
        },
        "settings.widget.session": {"da": "Kun i fanebladet", "en": "Only in the browser tab"},
        "settings.widget.privacy_policy_url": {
            "da": "Link til privatlivspolitik",
            "en": "Privacy policy link",
        },
        "settings.widget.privacy_hint": {
            "da": "En http(s)-adresse eller en sti på jeres side (fx /privatliv).",
            "en": "An http(s) address or a path on your site (e.g. /privacy).",
        },
        "settings.widget.texts": {"da": "Tekster", "en": "Texts"},
        "settings.widget.greeting": {"da": "Velkomst", "en": "Greeting"},
        "settings.widget.subtitle": {"da": "Undertitel", "en": "Subtitle"},
        "settings.widget.starters": {"da": "Startknapper", "en": "Starter buttons"},
        "settings.site.languages": {"da": "Sprog", "en": "Languages"},
        "settings.site.languages_hint": {
            "da": "De sprog, chatten og botten taler. Botten får dem også i kladden.",
            "en": "The languages the chat and the bot speak. The bot's draft gets them too.",
        },
        "settings.site.default_language": {"da": "Standardsprog", "en": "Default language"},
        "settings.site.time_zone": {"da": "Tidszone", "en": "Time zone"},
        "settings.site.origins": {"da": "Tilladte websteder", "en": "Allowed origins"},
        "settings.site.origins_hint": {
            "da": "Ét pr. linje, fx https://www.minbutik.dk. Kun disse sider kan åbne chatten.",
            "en": "One per line, e.g. https://www.myshop.com. Only these sites can open the chat.",
        },
        "settings.site.script": {"da": "Kode til jeres sider", "en": "Code for your pages"},
        "settings.site.script_hint": {
            "da": "Indsæt koden før </body> på alle sider, hvor chatten skal vises.",
            "en": "Paste the code before </body> on every page that should show the chat.",
        },
        "settings.site.copy": {"da": "Kopiér", "en": "Copy"},
        "settings.site.copied": {"da": "Kopieret", "en": "Copied"},
        "settings.site.one_language": {"da": "Vælg mindst ét sprog.", "en": "Pick a language."},
        "settings.site.saved_bot": {
            "da": "Gemt. Bottens kladde har fået de nye sprog – offentliggør den, når svarene er "
            "skrevet.",
            "en": "Saved. The bot's draft has the new languages – publish it once the answers "
            "are written.",
        },
        "settings.hours.always_open": {
            "da": "Åbent døgnet rundt (når der er nogen online)",
            "en": "Open around the clock (when someone is online)",
        },
        "settings.hours.week": {"da": "Ugens åbningstider", "en": "Weekly hours"},
        "settings.hours.hint": {
            "da": "TT:MM-TT:MM, flere adskilt af komma. Tomt: lukket.",
            "en": "HH:MM-HH:MM, several separated by commas. Empty: closed.",
        },
        "settings.hours.holidays": {"da": "Helligdage og særlige dage", "en": "Holidays"},
        "settings.hours.holidays_hint": {
            "da": "Uden tider er der lukket den dag.",
            "en": "Without hours, the team is closed that day.",
        },
        "settings.hours.date": {"da": "Dato", "en": "Date"},
        "settings.hours.hours": {"da": "Tider", "en": "Hours"},
        "settings.hours.name": {"da": "Navn", "en": "Name"},
        "day.mon": {"da": "Mandag", "en": "Monday"},
        "day.tue": {"da": "Tirsdag", "en": "Tuesday"},
        "day.wed": {"da": "Onsdag", "en": "Wednesday"},
        "day.thu": {"da": "Torsdag", "en": "Thursday"},
        "day.fri": {"da": "Fredag", "en": "Friday"},
        "day.sat": {"da": "Lørdag", "en": "Saturday"},
        "day.sun": {"da": "Søndag", "en": "Sunday"},
        "settings.prechat.intro": {
            "da": "Det, kunden bliver spurgt om, før en medarbejder tager over.",
            "en": "What the customer is asked before a person takes over.",
        },
        "settings.prechat.field": {"da": "Felt {n}", "en": "Field {n}"},
        "settings.prechat.new": {"da": "Nyt felt", "en": "New field"},
        "settings.prechat.name": {"da": "Navn (teknisk)", "en": "Name (technical)"},
        "settings.prechat.kind": {"da": "Type", "en": "Kind"},
        "settings.prechat.required": {"da": "Skal udfyldes", "en": "Required"},
        "settings.prechat.max_length": {"da": "Højst antal tegn", "en": "Maximum length"},
        "settings.prechat.label": {"da": "Tekst ({lang})", "en": "Label ({lang})"},
        "settings.prechat.options": {"da": "Valgmuligheder", "en": "Options"},
        "settings.prechat.options_hint": {
            "da": "Én pr. linje: værdi | tekst på {langs}",
            "en": "One per line: value | label in {langs}",
        },
        "settings.prechat.remove": {"da": "Fjern feltet", "en": "Remove this field"},
        "settings.canned.intro": {
            "da": "Tekster, medarbejderne kan indsætte i chatten.",
            "en": "Texts agents can insert in a chat.",
        },
        "settings.canned.reply": {"da": "Svar {n}", "en": "Reply {n}"},
        "settings.canned.title": {"da": "Titel", "en": "Title"},
        "settings.canned.text": {"da": "Tekst", "en": "Text"},
        "settings.canned.language": {"da": "Sprog", "en": "Language"},
        "settings.canned.any": {"da": "Alle sprog", "en": "Any language"},
        "settings.canned.remove": {"da": "Fjern svaret", "en": "Remove this reply"},
        "settings.agents.assign": {"da": "Fordeling", "en": "Assignment"},
        "settings.agents.auto_assign": {
            "da": "Tildel samtaler automatisk til den mindst travle medarbejder",
            "en": "Assign chats automatically to the least busy agent",
        },
        "settings.agents.grace": {
            "da": "Sekunder før en afbrudt medarbejders samtaler går tilbage i kø",
            "en": "Seconds before a disconnected agent's chats go back to the queue",
        },
        "settings.agents.idle": {
            "da": "Minutter uden svar fra kunden, før chatten lukkes",
            "en": "Minutes of customer silence before the chat is closed",
        },
        "settings.agents.people": {"da": "Sprog og kapacitet", "en": "Languages and capacity"},
        "settings.agents.person": {"da": "Medarbejder", "en": "Person"},
        "settings.agents.languages": {"da": "Sprog", "en": "Languages"},
        "settings.agents.capacity": {"da": "Samtaler ad gangen", "en": "Chats at a time"},
        "settings.retention.intro": {
            "da": "Hvor længe data gemmes. Ændringer skrives i revisionsloggen og gælder fra "
            "næste oprydning.",
            "en": "How long data is kept. Changes are written to the audit log and apply from "
            "the next purge.",
        },
        "settings.retention.conversations": {"da": "Samtaler", "en": "Conversations"},
        "settings.retention.bot_days": {
            "da": "Samtaler kun med botten (dage efter sidste besked)",
            "en": "Bot-only conversations (days after the last message)",
        },
        "settings.retention.agent_keep": {
            "da": "Gem samtaler med en medarbejder, til der bedes om sletning",
            "en": "Keep conversations with an agent until deletion is requested",
        },
        "settings.retention.agent_days": {
            "da": "… ellers dage efter sidste besked",
            "en": "… otherwise days after the last message",
        },
        "settings.retention.offline": {
            "da": "Beskeder sendt uden for åbningstid hører til deres samtale og slettes med den.",
            "en": "Offline messages belong to their conversation and are deleted with it.",
        },
        "settings.retention.insights": {
            "da": "Forbedring og statistik",
            "en": "Improvement and statistics",
        },
        "settings.retention.sample_days": {
            "da": "Stikprøve til gennemsyn (dage; teksten er anonymiseret)",
            "en": "Review sample (days; the text is redacted)",
        },
        "settings.retention.statistics_months": {
            "da": "Statistik (måneder; uden persondata)",
            "en": "Statistics (months; no personal data)",
        },
        "settings.connector.intro": {
            "da": "Hvor botten slår ordrer, forsendelser og produkter op.",
            "en": "Where the bot looks up orders, shipments and products.",
        },
        "settings.connector.type": {"da": "System", "en": "System"},
        "settings.connector.none": {
            "da": "Intet (botten svarer med sine tekster)",
            "en": "None (the bot answers with its texts)",
        },
        "settings.connector.demo": {
            "da": "Den indbyggede demobutik",
            "en": "The built-in demo shop",
        },
        "settings.connector.http": {
            "da": "Butikkens eget system (HTTP)",
            "en": "The shop's own system (HTTP)",
        },
        "settings.connector.base_url": {"da": "Adresse (base-URL)", "en": "Base URL"},
        "settings.connector.headers": {"da": "HTTP-headere", "en": "HTTP headers"},
        "settings.connector.headers_hint": {
            "da": "Én pr. linje: Navn: værdi (fx Authorization: Bearer …).",
            "en": "One per line: Name: value (e.g. Authorization: Bearer …).",
        },
        "settings.connector.timeout": {
            "da": "Timeout pr. forsøg (s)",
            "en": "Timeout per attempt (s)",
        },
        "settings.connector.deadline": {
            "da": "Frist pr. opslag (s)",
            "en": "Deadline per call (s)",
        },
        "settings.connector.retries": {"da": "Genforsøg", "en": "Retries"},
        "settings.connector.endpoints": {"da": "Endepunkter (YAML)", "en": "Endpoints (YAML)"},
        "settings.connector.endpoints_hint": {
            "da": "fx order: {path: /orders/{order_number}, root: order}",
            "en": "e.g. order: {path: /orders/{order_number}, root: order}",
        },
        "settings.connector.fields": {"da": "Feltnavne (YAML)", "en": "Field mapping (YAML)"},
        "settings.connector.test": {"da": "Test forbindelsen", "en": "Test connection"},
        "settings.connector.results": {"da": "Resultat af testen", "en": "Test results"},
        "settings.connector.not_saved": {
            "da": "Testen gemmer ikke indstillingerne.",
            "en": "Testing does not save the settings.",
        },
        "settings.connector.endpoint": {"da": "Endepunkt", "en": "Endpoint"},
        "settings.connector.outcome": {"da": "Svar", "en": "Outcome"},
        "settings.connector.ms": {"da": "Tid", "en": "Time"},
        "settings.connector.ok": {"da": "Svarer", "en": "Answers"},
        "settings.connector.failed": {"da": "Fejl", "en": "Failed"},
        "settings.connector.nothing": {
            "da": "Der er ikke noget at teste.",
            "en": "There is nothing to test.",
        },
        "settings.connector.header_format": {
            "da": "Skriv hver header som Navn: værdi.",
            "en": "Write each header as Name: value.",
        },
        "settings.connector.yaml": {
            "da": "Skal være YAML med navne og værdier.",
            "en": "Must be YAML with names and values.",
        },
        "settings.connector.private_address": {
            "da": "Adressen peger på et privat netværk ({address}). Brug shoppens offentlige "
            "adresse; driftsansvarlig kan tillade private adresser.",
            "en": "The address points into a private network ({address}). Use the shop "
            "system's public address; the operator can allow private addresses.",
        },
        "settings.connector.no_endpoints": {
            "da": "Angiv mindst ét endepunkt.",
            "en": "Give at least one endpoint.",
        },
        "settings.connector.demo_note": {
            "da": "Demobutikken har opdigtede produkter og ordrer, så botten kan prøves af.",
            "en": "The demo shop has made-up products and orders to try the bot with.",
        },
    }
)
