"""Texts of the insight pages (dashboard, review inbox, evaluation) in Danish and English."""

from __future__ import annotations

from samtale.web.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    # The dashboard
    "ins.dash.title": {"da": "Statistik", "en": "Dashboard"},
    "ins.dash.intro": {
        "da": "Hvordan botten og kundeservice klarer sig. Tallene indeholder ingen "
        "personoplysninger: kun koder og antal, ingen tekst.",
        "en": "How the bot and customer service are doing. The figures hold no personal data: "
        "codes and counts only, no text.",
    },
    "ins.filter": {"da": "Filtrér", "en": "Filter"},
    "ins.from": {"da": "Fra", "en": "From"},
    "ins.to": {"da": "Til", "en": "To"},
    "ins.language": {"da": "Sprog", "en": "Language"},
    "ins.all_languages": {"da": "Alle sprog", "en": "All languages"},
    "ins.show": {"da": "Vis", "en": "Show"},
    "ins.presets": {"da": "Periode", "en": "Period"},
    "ins.last_days": {"da": "Seneste {n} dage", "en": "Last {n} days"},
    "ins.csv": {"da": "Hent som CSV", "en": "Download CSV"},
    "ins.range": {"da": "{start} – {end}", "en": "{start} – {end}"},
    "ins.conversations": {"da": "Samtaler", "en": "Conversations"},
    "ins.messages": {"da": "Beskeder fra kunder", "en": "Customer messages"},
    "ins.automation": {"da": "Klaret af botten", "en": "Automation rate"},
    "ins.automation_hint": {
        "da": "samtaler uden en medarbejder",
        "en": "conversations finished without a person",
    },
    "ins.fallback": {"da": "Ikke forstået", "en": "Fallback rate"},
    "ins.fallback_hint": {
        "da": "af bottens svar",
        "en": "of the bot's answers",
    },
    "ins.handoff": {"da": "Til en medarbejder", "en": "Handoff rate"},
    "ins.handoff_hint": {"da": "{n} i kø", "en": "{n} queued"},
    "ins.wait": {"da": "Ventetid i kø", "en": "Queue wait"},
    "ins.wait_hint": {"da": "median · 90 %: {p90}", "en": "median · p90: {p90}"},
    "ins.first_response": {"da": "Første svar", "en": "First response"},
    "ins.first_response_hint": {
        "da": "fra kø til medarbejderens første besked · 90 %: {p90}",
        "en": "from queue to the person's first message · p90: {p90}",
    },
    "ins.csat": {"da": "Tilfredshed", "en": "CSAT"},
    "ins.csat_hint": {
        "da": "{n} vurderinger, 4–5 af 5 · gns. {avg}",
        "en": "{n} ratings, 4–5 of 5 · avg. {avg}",
    },
    "ins.none": {"da": "–", "en": "–"},
    "ins.per_day": {"da": "Samtaler pr. dag", "en": "Conversations per day"},
    "ins.per_week": {"da": "Samtaler pr. uge", "en": "Conversations per week"},
    "ins.per_day_desc": {
        "da": "Søjler: samtaler pr. periode. Brug piletasterne for at gå gennem dagene.",
        "en": "Bars: conversations per period. Use the arrow keys to step through the days.",
    },
    "ins.rates": {"da": "Andele pr. dag", "en": "Rates per day"},
    "ins.rates_per_week": {"da": "Andele pr. uge", "en": "Rates per week"},
    "ins.rates_desc": {
        "da": "Linjer: klaret af botten, ikke forstået og til en medarbejder.",
        "en": "Lines: automation, fallback and handoff rates.",
    },
    "ins.intents": {"da": "Mest spurgte emner", "en": "Top intents"},
    "ins.intents_desc": {
        "da": "Spørgsmål pr. emne, med ændringen mod perioden før.",
        "en": "Questions per intent, with the change against the period before.",
    },
    "ins.intent": {"da": "Emne", "en": "Intent"},
    "ins.count": {"da": "Antal", "en": "Count"},
    "ins.before": {"da": "Perioden før", "en": "Period before"},
    "ins.change": {"da": "Ændring", "en": "Change"},
    "ins.trend": {"da": "Udvikling", "en": "Trend"},
    "ins.new": {"da": "ny", "en": "new"},
    "ins.languages": {"da": "Sprog", "en": "Languages"},
    "ins.languages_desc": {"da": "Samtaler pr. sprog.", "en": "Conversations per language."},
    "ins.share": {"da": "Andel", "en": "Share"},
    "ins.hours": {"da": "Travleste tidspunkter", "en": "Busiest hours"},
    "ins.hours_desc": {
        "da": "Samtaler pr. ugedag og time (butikkens tid). Mørkere er travlere.",
        "en": "Conversations per weekday and hour (the shop's time). Darker is busier.",
    },
    "ins.hours_say": {
        "da": "{day} kl. {hour}: {n} samtaler",
        "en": "{day} {hour}:00: {n} conversations",
    },
    "ins.flows": {"da": "Forløb", "en": "Flows"},
    "ins.flow": {"da": "Forløb", "en": "Flow"},
    "ins.started": {"da": "Startet", "en": "Started"},
    "ins.completed": {"da": "Gennemført", "en": "Completed"},
    "ins.abandoned": {"da": "Opgivet", "en": "Abandoned"},
    "ins.completion": {"da": "Gennemførelse", "en": "Completion"},
    "ins.ratings": {"da": "Vurderinger", "en": "Ratings"},
    "ins.ratings_desc": {
        "da": "Kundernes vurderinger af chats med en medarbejder (1–5).",
        "en": "Customers' ratings of chats with a person (1–5).",
    },
    "ins.rating_say": {"da": "{r} af 5: {n}", "en": "{r} of 5: {n}"},
    "ins.live": {"da": "Kundeservice", "en": "Customer service"},
    "ins.served": {"da": "Taget af en medarbejder", "en": "Taken by a person"},
    "ins.left": {"da": "Forlod køen", "en": "Left the queue"},
    "ins.offline": {"da": "Beskeder uden for åbningstid", "en": "Messages left"},
    "ins.chat_length": {"da": "Chatlængde (median)", "en": "Chat length (median)"},
    "ins.confidence": {"da": "Bottens sikkerhed", "en": "Bot confidence"},
    "ins.band.high": {"da": "Høj", "en": "High"},
    "ins.band.medium": {"da": "Middel", "en": "Medium"},
    "ins.band.low": {"da": "Lav", "en": "Low"},
    "ins.numbers": {"da": "Vis tallene", "en": "Show the numbers"},
    "ins.day": {"da": "Dag", "en": "Day"},
    "ins.week_of": {"da": "Uge fra {day}", "en": "Week of {day}"},
    "ins.empty": {
        "da": "Ingen samtaler i perioden endnu.",
        "en": "No conversations in this period yet.",
    },
    "ins.day_say": {
        "da": "{day}: {n} samtaler, {m} beskeder",
        "en": "{day}: {n} conversations, {m} messages",
    },
    "ins.rates_say": {
        "da": "{day}: klaret af botten {a}, ikke forstået {f}, til en medarbejder {h}",
        "en": "{day}: automation {a}, fallback {f}, handoff {h}",
    },
    "ins.intent_say": {
        "da": "{name}: {n} spørgsmål (før: {before})",
        "en": "{name}: {n} questions (before: {before})",
    },
    "ins.language_say": {
        "da": "{name}: {n} samtaler ({share})",
        "en": "{name}: {n} conversations ({share})",
    },
    "ins.invalid_range": {
        "da": "Datoerne skal skrives ÅÅÅÅ-MM-DD.",
        "en": "Dates are written YYYY-MM-DD.",
    },
    "ins.weekdays": {"da": "Man,Tir,Ons,Tor,Fre,Lør,Søn", "en": "Mon,Tue,Wed,Thu,Fri,Sat,Sun"},
    "ins.weekdays_long": {
        "da": "mandag,tirsdag,onsdag,torsdag,fredag,lørdag,søndag",
        "en": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
    },
    # The review inbox
    "ins.review.title": {"da": "Gennemsyn", "en": "Review inbox"},
    "ins.review.intro": {
        "da": "Rigtige spørgsmål fra kunderne, med personoplysninger fjernet. Bekræft emnet, "
        "vælg et andet eller opret et nyt: spørgsmålet bliver et træningseksempel i bottens "
        "kladde. Udgiv kladden, så lærer botten af dem.",
        "en": "Real questions from customers, with personal data removed. Confirm the intent, "
        "pick another or create a new one: the question becomes a training example in the "
        "bot's draft. Publish the draft and the bot learns from them.",
    },
    "ins.status.new": {"da": "Nye", "en": "New"},
    "ins.status.confirmed": {"da": "Bekræftede", "en": "Confirmed"},
    "ins.status.discarded": {"da": "Kasserede", "en": "Discarded"},
    "ins.status": {"da": "Status", "en": "Status"},
    "ins.guess": {"da": "Bottens bud", "en": "Bot's guess"},
    "ins.not_understood": {"da": "ikke forstået", "en": "not understood"},
    "ins.all_intents": {"da": "Alle emner", "en": "All intents"},
    "ins.band": {"da": "Sikkerhed", "en": "Confidence"},
    "ins.all_bands": {"da": "Alle", "en": "All"},
    "ins.question": {"da": "Spørgsmål", "en": "Question"},
    "ins.belongs_to": {"da": "Hører til", "en": "Belongs to"},
    "ins.confirm": {"da": "Bekræft", "en": "Confirm"},
    "ins.discard": {"da": "Kassér", "en": "Discard"},
    "ins.reopen": {"da": "Tilbage til nye", "en": "Back to new"},
    "ins.new_intent": {"da": "Nyt emne …", "en": "New intent …"},
    "ins.new_intent_title": {"da": "Opret et nyt emne", "en": "Create a new intent"},
    "ins.new_intent_name": {"da": "Navn", "en": "Name"},
    "ins.new_intent_name_hint": {
        "da": "Små bogstaver, tal og _, fx gift_wrapping.",
        "en": "Lowercase letters, digits and _, e.g. gift_wrapping.",
    },
    "ins.new_intent_answer": {"da": "Svar ({lang})", "en": "Answer ({lang})"},
    "ins.create": {"da": "Opret og tilføj", "en": "Create and add"},
    "ins.labelled": {"da": "Eksempel på {name}", "en": "Example of {name}"},
    "ins.done.confirmed": {
        "da": "Tilføjet som eksempel på {name} i kladden.",
        "en": "Added as an example of {name} to the draft.",
    },
    "ins.done.created": {
        "da": "Emnet {name} er oprettet i kladden med spørgsmålet som eksempel. Skriv flere "
        "eksempler og svar i botbyggeren.",
        "en": "The intent {name} is in the draft with the question as its example. Add more "
        "examples and answers in the bot builder.",
    },
    "ins.done.discarded": {"da": "Kasseret.", "en": "Discarded."},
    "ins.done.reopened": {"da": "Tilbage blandt de nye.", "en": "Back among the new ones."},
    "ins.done.published": {
        "da": "Udgivelsen er startet: botten trænes i baggrunden.",
        "en": "Publishing started: the bot is training in the background.",
    },
    "ins.done.settings": {"da": "Stikprøven er gemt.", "en": "The sample setting is saved."},
    "ins.inbox_empty": {
        "da": "Ingen spørgsmål her. Nye kommer, efterhånden som kunderne skriver.",
        "en": "No questions here. New ones arrive as customers write.",
    },
    "ins.draft": {
        "da": "Kladden v{version} har ændringer, som botten ikke bruger endnu.",
        "en": "Draft v{version} has changes the live bot does not use yet.",
    },
    "ins.no_draft": {
        "da": "Botten bruger den udgivne version v{version}.",
        "en": "The bot uses the published version v{version}.",
    },
    "ins.publish": {"da": "Udgiv og træn", "en": "Publish and retrain"},
    "ins.publishing": {"da": "Udgiver … ({stage})", "en": "Publishing … ({stage})"},
    "ins.publish_failed": {
        "da": "Udgivelsen mislykkedes ({error}). Se botbyggeren.",
        "en": "Publishing failed ({error}). See the bot builder.",
    },
    "ins.publish_problems": {
        "da": "Kladden kan ikke udgives endnu: {problem}",
        "en": "The draft cannot be published yet: {problem}",
    },
    "ins.open_builder": {"da": "Åbn botbyggeren", "en": "Open the bot builder"},
    "ins.sample_settings": {"da": "Stikprøven", "en": "The sample"},
    "ins.sample_share": {"da": "Andel af kundernes spørgsmål (%)", "en": "Share of questions (%)"},
    "ins.sample_share_hint": {
        "da": "Spørgsmål, botten ikke forstod eller var usikker på, kommer altid med (0 slår "
        "stikprøven fra). Gemmes i {days} dage.",
        "en": "Questions the bot did not understand or was unsure of are always included (0 "
        "turns the sample off). Kept for {days} days.",
    },
    "ins.save": {"da": "Gem", "en": "Save"},
    "ins.page": {"da": "Side {page} af {pages}", "en": "Page {page} of {pages}"},
    "ins.previous": {"da": "Forrige", "en": "Previous"},
    "ins.next": {"da": "Næste", "en": "Next"},
    "ins.review_accuracy": {
        "da": "Botten gættede rigtigt på {right} af {total} gennemsete spørgsmål ({share}).",
        "en": "The bot guessed {right} of {total} reviewed questions right ({share}).",
    },
    "ins.error.unknown_intent": {
        "da": "Botten har ikke det emne.",
        "en": "The bot has no such intent.",
    },
    "ins.error.intent_required": {"da": "Vælg et emne.", "en": "Pick an intent."},
    "ins.error.invalid_name": {
        "da": "Navnet skal være 2–64 små bogstaver, tal og _, og starte med et bogstav.",
        "en": "The name is 2–64 lowercase letters, digits and _, starting with a letter.",
    },
    "ins.error.intent_exists": {
        "da": "Der findes allerede et emne med det navn.",
        "en": "There is an intent with that name already.",
    },
    "ins.error.invalid_share": {
        "da": "Andelen er et tal fra 0 til 100.",
        "en": "The share is a number from 0 to 100.",
    },
    "ins.error.not_found": {
        "da": "Spørgsmålet findes ikke længere.",
        "en": "The question is no longer there.",
    },
    # Evaluation
    "ins.eval.title": {"da": "Evaluering", "en": "Evaluation"},
    "ins.eval.intro": {
        "da": "Hver udgivelse krydsvalideres: botten trænes på fire femtedele af eksemplerne "
        "og testes på resten, fem gange. Gennemsete spørgsmål måles for sig: rigtige "
        "spørgsmål, som botten ikke var trænet på.",
        "en": "Every publish is cross-validated: the bot is trained on four fifths of the "
        "examples and tested on the rest, five times. Reviewed questions are scored on their "
        "own: real questions the bot had not been trained on.",
    },
    "ins.eval.trend": {"da": "Udvikling over versioner", "en": "Trend across versions"},
    "ins.eval.trend_desc": {
        "da": "Linjer: nøjagtighed, makro-F1 og nøjagtighed på gennemsete spørgsmål pr. version.",
        "en": "Lines: accuracy, macro-F1 and accuracy on reviewed questions per version.",
    },
    "ins.eval.say": {
        "da": "v{version}: nøjagtighed {acc}, makro-F1 {f1}, gennemsete {rev}",
        "en": "v{version}: accuracy {acc}, macro-F1 {f1}, reviewed {rev}",
    },
    "ins.eval.version": {"da": "Version", "en": "Version"},
    "ins.eval.published": {"da": "Udgivet", "en": "Published"},
    "ins.eval.accuracy": {"da": "Nøjagtighed", "en": "Accuracy"},
    "ins.eval.macro_f1": {"da": "Makro-F1", "en": "Macro-F1"},
    "ins.eval.reviewed": {"da": "Gennemsete", "en": "Reviewed"},
    "ins.eval.examples": {"da": "Eksempler", "en": "Examples"},
    "ins.eval.languages": {"da": "Pr. sprog", "en": "Per language"},
    "ins.eval.dropped": {"da": "Faldet", "en": "Dropped"},
    "ins.eval.dropped_title": {
        "da": "Emner, hvis F1 faldt i den nyeste version",
        "en": "Intents whose F1 dropped in the latest version",
    },
    "ins.eval.no_drops": {
        "da": "Intet emne faldt i den nyeste version.",
        "en": "No intent dropped in the latest version.",
    },
    "ins.eval.intents": {"da": "F1 pr. emne", "en": "F1 per intent"},
    "ins.eval.confused": {"da": "Oftest forvekslet", "en": "Most confused"},
    "ins.eval.expected": {"da": "Forventet", "en": "Expected"},
    "ins.eval.predicted": {"da": "Gættet", "en": "Predicted"},
    "ins.eval.times": {"da": "Gange", "en": "Times"},
    "ins.eval.none": {
        "da": "Ingen evalueringer endnu. De kommer, når en version udgives.",
        "en": "No evaluations yet. They come when a version is published.",
    },
    "ins.eval.drop_badge": {"da": "faldt {d}", "en": "dropped {d}"},
    "ins.eval.live_accuracy": {
        "da": "I drift gættede botten rigtigt på {share} af de gennemsete spørgsmål ({right} af "
        "{total}).",
        "en": "Live, the bot guessed {share} of the reviewed questions right ({right} of {total}).",
    },
}
register(TEXTS)
