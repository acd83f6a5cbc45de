"""Texts of the bot builder's pages, in Danish and English."""

from __future__ import annotations

from samtale.web.i18n import register

register(
    {
        "nav.admin.bot": {"da": "Emner", "en": "Intents"},
        "nav.admin.flows": {"da": "Forløb", "en": "Flows"},
        "nav.admin.messages": {"da": "Systemtekster", "en": "System texts"},
        "nav.admin.try": {"da": "Prøv botten", "en": "Try it"},
        "nav.admin.versions": {"da": "Versioner", "en": "Versions"},
        "nav.admin.yaml": {"da": "YAML", "en": "YAML"},
        "bot.title": {"da": "Bottens emner", "en": "The bot's intents"},
        "bot.intro": {
            "da": "Et emne er noget, kunderne spørger om: eksempler på, hvordan de spørger, "
            "og bottens svar – på hvert sprog.",
            "en": "An intent is something customers ask about: examples of how they ask, and "
            "the bot's answers – in every language.",
        },
        "bot.status.draft": {
            "da": "Kladde v{version} – ikke offentliggjort endnu.",
            "en": "Draft v{version} – not published yet.",
        },
        "bot.status.live": {"da": "v{version} er live.", "en": "v{version} is live."},
        "bot.status.none": {
            "da": "Botten er ikke offentliggjort endnu: kunderne får at vide, at den ikke er "
            "sat op.",
            "en": "The bot is not published yet: customers are told it is not set up.",
        },
        "bot.status.clean": {
            "da": "Ingen ændringer siden sidste offentliggørelse.",
            "en": "No changes since the last publish.",
        },
        "bot.publish": {"da": "Offentliggør", "en": "Publish"},
        "bot.discard": {"da": "Kassér kladden", "en": "Discard draft"},
        "bot.discard_confirm": {
            "da": "Kassér kladde v{version}? Alle ændringer siden v{live} går tabt.",
            "en": "Discard draft v{version}? All changes since v{live} are lost.",
        },
        "bot.new_intent": {"da": "Nyt emne", "en": "New intent"},
        "bot.search": {"da": "Søg i emner og eksempler", "en": "Search intents and examples"},
        "bot.col.intent": {"da": "Emne", "en": "Intent"},
        "bot.col.kind": {"da": "Type", "en": "Kind"},
        "bot.col.uses": {"da": "Bruger", "en": "Uses"},
        "bot.cell": {
            "da": "{examples} eks. · {answers} svar",
            "en": "{examples} ex. · {answers} ans.",
        },
        "bot.missing": {"da": "mangler", "en": "missing"},
        "bot.no_match": {"da": "Ingen emner passer til søgningen.", "en": "No intent matches."},
        "bot.problems": {
            "da": "Fejl, der skal rettes før offentliggørelse",
            "en": "Errors to fix before publishing",
        },
        "bot.warnings": {"da": "Advarsler ({n})", "en": "Warnings ({n})"},
        "bot.intent.new": {"da": "Nyt emne", "en": "New intent"},
        "bot.intent.name": {"da": "Navn", "en": "Name"},
        "bot.intent.name_hint": {
            "da": "Små bogstaver, tal og _ (fx gift_cards).",
            "en": "Lowercase letters, digits and _ (e.g. gift_cards).",
        },
        "bot.intent.description": {"da": "Beskrivelse", "en": "Description"},
        "bot.intent.kind": {"da": "Type", "en": "Kind"},
        "bot.intent.flow": {"da": "Starter forløb", "en": "Starts flow"},
        "bot.intent.action": {"da": "Handling", "en": "Action"},
        "bot.intent.action_hint": {
            "da": "Svar fra butikkens data (svarene nedenfor bruges, hvis den ikke svarer).",
            "en": "Answers from the shop's data (the answers below serve when it cannot).",
        },
        "bot.none": {"da": "(ingen)", "en": "(none)"},
        "bot.examples": {"da": "Eksempler", "en": "Examples"},
        "bot.examples_hint": {
            "da": "Ét spørgsmål pr. linje, som kunderne ville skrive det.",
            "en": "One question per line, the way customers would write it.",
        },
        "bot.answers": {"da": "Svar", "en": "Answers"},
        "bot.answers_hint": {
            "da": "Flere varianter adskilles af en tom linje; botten vælger en.",
            "en": "Separate variants with an empty line; the bot picks one.",
        },
        "bot.buttons": {"da": "Hurtigknapper", "en": "Quick-reply buttons"},
        "bot.button.label": {"da": "Tekst på knappen", "en": "Label"},
        "bot.button.intent": {"da": "Går til emne", "en": "Goes to intent"},
        "bot.button.text": {"da": "… eller sender teksten", "en": "… or sends the text"},
        "bot.button.n": {"da": "Knap {n}", "en": "Button {n}"},
        "bot.languages": {"da": "Sprog", "en": "Languages"},
        "bot.lang_missing": {"da": "Mangler", "en": "Missing"},
        "bot.kind.normal": {"da": "Almindelig", "en": "Normal"},
        "bot.kind.greeting": {"da": "Hilsen", "en": "Greeting"},
        "bot.kind.goodbye": {"da": "Farvel", "en": "Goodbye"},
        "bot.kind.handoff": {"da": "Tal med en person", "en": "Talk to a person"},
        "bot.kind.smalltalk": {"da": "Småsnak", "en": "Small talk"},
        "bot.kind.privacy": {"da": "Privatliv", "en": "Privacy"},
        "bot.saved_draft": {
            "da": "Gemt i kladden. Offentliggør for at sætte det live.",
            "en": "Saved in the draft. Publish to put it live.",
        },
        "bot.name_taken": {
            "da": "Der findes allerede et emne med det navn.",
            "en": "An intent with that name exists.",
        },
        "bot.flow_name_taken": {
            "da": "Der findes allerede et forløb med det navn.",
            "en": "A flow with that name exists.",
        },
        "bot.delete_intent": {"da": "Slet emnet", "en": "Delete intent"},
        "bot.delete_intent_title": {"da": "Slet emnet {name}?", "en": "Delete the intent {name}?"},
        "bot.delete_removes": {
            "da": "Dette fjernes fra kladden:",
            "en": "This is removed from the draft:",
        },
        "bot.delete_examples": {"da": "{n} eksempler", "en": "{n} examples"},
        "bot.delete_answers": {"da": "{n} svar", "en": "{n} answers"},
        "bot.delete_buttons_in": {
            "da": "knapper, der peger på emnet, i: {names}",
            "en": "buttons pointing to it, in: {names}",
        },
        "bot.delete_flow_uses": {
            "da": "forløbet bruges af emnerne {names} – de starter det ikke længere",
            "en": "the flow is used by the intents {names} – they no longer start it",
        },
        "bot.delete_note": {
            "da": "Den offentliggjorte bot ændres først, når du offentliggør.",
            "en": "The live bot changes only when you publish.",
        },
        "bot.deleted": {
            "da": "{name} er slettet fra kladden.",
            "en": "{name} was deleted from the draft.",
        },
        "bot.flows.title": {"da": "Forløb", "en": "Flows"},
        "bot.flows.intro": {
            "da": "Et forløb spørger kunden om oplysninger (fx ordrenummer og e-mail) og kalder "
            "så en handling.",
            "en": "A flow asks the customer for details (e.g. order number and e-mail), then "
            "calls an action.",
        },
        "bot.flows.new": {"da": "Nyt forløb", "en": "New flow"},
        "bot.flows.none": {"da": "Ingen forløb endnu.", "en": "No flows yet."},
        "bot.flow.slots": {"da": "Felter", "en": "Slots"},
        "bot.flow.slot": {"da": "Felt {n}", "en": "Slot {n}"},
        "bot.flow.add_slot": {"da": "Tilføj felt", "en": "Add slot"},
        "bot.flow.remove_slot": {"da": "Fjern feltet", "en": "Remove this slot"},
        "bot.flow.validator": {"da": "Kontrol", "en": "Validator"},
        "bot.flow.pattern": {"da": "Mønster (regex)", "en": "Pattern (regex)"},
        "bot.flow.choices": {"da": "Valgmuligheder (én pr. linje)", "en": "Choices (one per line)"},
        "bot.flow.min": {"da": "Mindst", "en": "Minimum"},
        "bot.flow.max": {"da": "Højst", "en": "Maximum"},
        "bot.flow.prompt": {"da": "Spørgsmål", "en": "Prompt"},
        "bot.flow.reprompt": {
            "da": "Spørgsmål igen (efter et ugyldigt svar)",
            "en": "Re-prompt (after an invalid answer)",
        },
        "bot.flow.max_reprompts": {
            "da": "Forsøg før forløbet stopper",
            "en": "Re-prompts before giving up",
        },
        "bot.flow.action": {"da": "Handling til sidst", "en": "Action at the end"},
        "bot.flow.used_by": {"da": "Startes af", "en": "Started by"},
        "bot.delete_flow": {"da": "Slet forløbet", "en": "Delete flow"},
        "bot.delete_flow_title": {"da": "Slet forløbet {name}?", "en": "Delete the flow {name}?"},
        "bot.delete_slots": {
            "da": "{n} felter med deres spørgsmål",
            "en": "{n} slots with their prompts",
        },
        "bot.messages.title": {"da": "Systemtekster", "en": "System texts"},
        "bot.messages.intro": {
            "da": "Det, botten siger, når den ikke forstår, når et forløb stoppes, når butikkens "
            "system ikke svarer …",
            "en": "What the bot says when it does not understand, when a flow is cancelled, when "
            "the shop's system does not answer …",
        },
        "bot.yaml.title": {"da": "Indholdet som YAML", "en": "The content as YAML"},
        "bot.yaml.intro": {
            "da": "Hele kladden som YAML – samme model som formularerne. Gem for at gemme kladden.",
            "en": "The whole draft as YAML – the same model as the forms. Save to save the draft.",
        },
        "bot.export": {"da": "Hent som YAML", "en": "Download YAML"},
        "bot.import": {"da": "Indlæs YAML-fil", "en": "Import a YAML file"},
        "bot.import_file": {"da": "Fil", "en": "File"},
        "bot.import_confirm": {
            "da": "Erstat kladden med filens indhold? Kladdens intents, flows og svar bliver "
            "erstattet; den publicerede version er uændret.",
            "en": "Replace the draft with the file's content? The draft's intents, flows and "
            "answers are replaced; the published version stays as it is.",
        },
        "bot.import_hint": {
            "da": "Erstatter kladden med filens indhold.",
            "en": "Replaces the draft with the file's content.",
        },
        "bot.import_none": {"da": "Vælg en fil.", "en": "Choose a file."},
        "bot.import_big": {"da": "Filen er for stor.", "en": "The file is too large."},
        "bot.imported": {"da": "Filen er indlæst i kladden.", "en": "The file is in the draft."},
        "bot.versions.title": {"da": "Versioner", "en": "Versions"},
        "bot.versions.intro": {
            "da": "Offentliggørelse træner botten i baggrunden og skifter først, når træningen er "
            "lykkedes. Tidligere versioner kan gendannes med ét klik.",
            "en": "Publishing trains the bot in the background and switches only once training "
            "succeeded. Earlier versions can be restored in one click.",
        },
        "bot.col.version": {"da": "Version", "en": "Version"},
        "bot.col.status": {"da": "Status", "en": "Status"},
        "bot.col.saved": {"da": "Gemt", "en": "Saved"},
        "bot.col.source": {"da": "Kilde", "en": "Source"},
        "bot.col.accuracy": {"da": "Træfsikkerhed", "en": "Accuracy"},
        "bot.col.f1": {"da": "Makro-F1", "en": "Macro-F1"},
        "bot.col.per_language": {"da": "Pr. sprog", "en": "Per language"},
        "bot.col.actions": {"da": "Handlinger", "en": "Actions"},
        "bot.status_word.draft": {"da": "Kladde", "en": "Draft"},
        "bot.status_word.published": {"da": "Live", "en": "Live"},
        "bot.status_word.archived": {"da": "Tidligere", "en": "Earlier"},
        "bot.source.builtin": {"da": "Indbygget", "en": "Built-in"},
        "bot.source.admin": {"da": "Redigeret", "en": "Edited"},
        "bot.source.import": {"da": "Indlæst", "en": "Imported"},
        "bot.source.restore": {"da": "Gendannet", "en": "Restored"},
        "bot.source.review": {"da": "Gennemsyn", "en": "Review"},
        "bot.restore": {"da": "Gendan", "en": "Restore"},
        "bot.restore_confirm": {
            "da": "Gendan v{version} og offentliggør den? Den nuværende live-version arkiveres.",
            "en": "Restore v{version} and publish it? The current live version is archived.",
        },
        "bot.restoring": {"da": "v{version} gendannes …", "en": "Restoring v{version} …"},
        "bot.weak_intents": {"da": "Svageste emner", "en": "Weakest intents"},
        "bot.evaluation_pending": {"da": "evalueres …", "en": "evaluating …"},
        "bot.no_evaluation": {"da": "–", "en": "–"},
        "bot.job.title": {"da": "Offentliggørelse", "en": "Publishing"},
        "bot.job.queued": {"da": "Venter …", "en": "Waiting …"},
        "bot.job.embedding": {
            "da": "Læser eksemplerne ({done} af {total})",
            "en": "Reading the examples ({done} of {total})",
        },
        "bot.job.training": {"da": "Træner botten …", "en": "Training the bot …"},
        "bot.job.switching": {"da": "Skifter den live bot …", "en": "Switching the live bot …"},
        "bot.job.evaluating": {
            "da": "Live! Evaluerer versionen …",
            "en": "Live! Evaluating the version …",
        },
        "bot.job.done": {
            "da": "Offentliggjort – botten er live.",
            "en": "Published – the bot is live.",
        },
        "bot.job.failed": {
            "da": "Offentliggørelsen mislykkedes ({error}). Den live bot er uændret.",
            "en": "Publishing failed ({error}). The live bot is unchanged.",
        },
        "bot.publish_running": {
            "da": "En version er ved at blive offentliggjort.",
            "en": "A version is being published already.",
        },
        "bot.try.title": {"da": "Prøv botten", "en": "Try the bot"},
        "bot.try.intro": {
            "da": "Skriv som en kunde. Svarene kommer fra kladden – ikke fra den live bot – og "
            "intet gemmes.",
            "en": "Write as a customer would. The answers come from the draft – not the live "
            "bot – and nothing is stored.",
        },
        "bot.try.language": {"da": "Sidens sprog", "en": "Page language"},
        "bot.try.message": {"da": "Besked", "en": "Message"},
        "bot.try.send": {"da": "Send", "en": "Send"},
        "bot.try.reset": {"da": "Start forfra", "en": "Start over"},
        "bot.try.training": {
            "da": "Kladden trænes – første svar kan tage lidt tid …",
            "en": "Training the draft – the first answer may take a moment …",
        },
        "bot.try.you": {"da": "Du", "en": "You"},
        "bot.try.bot": {"da": "Bot", "en": "Bot"},
        "bot.try.detail": {
            "da": "Emne: {intent} ({confidence}) · {outcome}",
            "en": "Intent: {intent} ({confidence}) · {outcome}",
        },
        "bot.try.failed": {
            "da": "Kladden kan ikke prøves: {error}",
            "en": "The draft cannot be tried: {error}",
        },
        "bot.try.needs_js": {
            "da": "Prøv-chatten kræver JavaScript.",
            "en": "The try-it chat needs JavaScript.",
        },
        "bot.try.log": {"da": "Samtale", "en": "Conversation"},
    }
)
