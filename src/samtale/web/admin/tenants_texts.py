"""Texts of the operator's pages, in Danish and English."""

from __future__ import annotations

from samtale.web.i18n import register

register(
    {
        "nav.admin.tenants": {"da": "Butikker", "en": "Shops"},
        "tenants.title": {"da": "Butikker", "en": "Shops"},
        "tenants.intro": {
            "da": "Alle butikker på platformen og hvad de bruger.",
            "en": "Every shop on the platform, and what it uses.",
        },
        "tenants.name": {"da": "Navn", "en": "Name"},
        "tenants.slug": {"da": "Kortnavn", "en": "Slug"},
        "tenants.slug_hint": {
            "da": "Små bogstaver, tal og bindestreg; bruges i adresser.",
            "en": "Lowercase letters, digits and dashes; used in addresses.",
        },
        "tenants.status": {"da": "Status", "en": "Status"},
        "tenants.active": {"da": "Aktiv", "en": "Active"},
        "tenants.suspended": {"da": "Suspenderet", "en": "Suspended"},
        "tenants.conversations": {"da": "Samtaler", "en": "Conversations"},
        "tenants.messages": {"da": "Beskeder", "en": "Messages"},
        "tenants.storage": {"da": "Beskedtekst", "en": "Message text"},
        "tenants.people": {"da": "Personer", "en": "People"},
        "tenants.versions": {"da": "Bot-versioner", "en": "Bot versions"},
        "tenants.created": {"da": "Oprettet", "en": "Created"},
        "tenants.new": {"da": "Opret en butik", "en": "Create a shop"},
        "tenants.admin_email": {"da": "Første administrators e-mail", "en": "First admin's e-mail"},
        "tenants.admin_email_hint": {
            "da": "Får en invitation på e-mail til at vælge en adgangskode.",
            "en": "Gets an e-mailed invitation to choose a password.",
        },
        "tenants.admin_email_invalid": {
            "da": "Skal være en e-mailadresse.",
            "en": "Must be an e-mail address.",
        },
        "tenants.create": {"da": "Opret", "en": "Create"},
        "tenants.slug_taken": {"da": "Kortnavnet er taget.", "en": "That slug is taken."},
        "tenants.created_sent": {
            "da": "Butikken er oprettet, og administratoren har fået en invitation.",
            "en": "The shop is created and its admin has an invitation.",
        },
        "tenants.created_manual": {
            "da": "Butikken er oprettet, men e-mailen kunne ikke sendes. Giv administratoren "
            "linket herunder (72 timer, én gang).",
            "en": "The shop is created, but the e-mail could not be sent. Give the admin the "
            "link below (72 hours, once).",
        },
        "tenants.usage": {"da": "Forbrug", "en": "Usage"},
        "tenants.rows": {"da": "Data", "en": "Data"},
        "tenants.table": {"da": "Tabel", "en": "Table"},
        "tenants.count": {"da": "Rækker", "en": "Rows"},
        "tenants.suspend": {"da": "Suspendér", "en": "Suspend"},
        "tenants.suspend_confirm": {
            "da": "Suspendér {name}? Personalet kan ikke logge ind, og chatten åbner ikke på "
            "butikkens sider. Intet slettes.",
            "en": "Suspend {name}? Its staff cannot log in and the chat does not open on its "
            "pages. Nothing is deleted.",
        },
        "tenants.resume": {"da": "Genoptag", "en": "Resume"},
        "tenants.done.suspended": {
            "da": "Butikken er suspenderet.",
            "en": "The shop is suspended.",
        },
        "tenants.done.resumed": {
            "da": "Butikken er aktiv igen.",
            "en": "The shop is active again.",
        },
        "tenants.export": {"da": "Hent alle data (ZIP)", "en": "Export all data (ZIP)"},
        "tenants.export_hint": {
            "da": "Butikken, indstillinger, personer, alle bot-versioner, alle samtaler og "
            "revisionsloggen. Udtrækket skrives i revisionsloggen.",
            "en": "The shop, settings, people, every bot version, every conversation and the "
            "audit log. The export is written to the audit log.",
        },
        "tenants.delete": {"da": "Slet butikken", "en": "Delete the shop"},
        "tenants.delete_title": {"da": "Slet {name} for altid?", "en": "Delete {name} for good?"},
        "tenants.delete_intro": {
            "da": "Alt, butikken ejer, slettes og kan ikke gendannes:",
            "en": "Everything the shop owns is deleted and cannot be restored:",
        },
        "tenants.delete_kept": {
            "da": "Revisionsloggens poster beholdes, og sletningen skrives i den.",
            "en": "The audit log's entries are kept, and the deletion is written to it.",
        },
        "tenants.delete_export_first": {
            "da": "Hent butikkens data først, hvis butikken skal have dem.",
            "en": "Export the shop's data first if the shop is to have it.",
        },
        "tenants.confirm": {
            "da": "Skriv butikkens kortnavn ({slug}) for at bekræfte",
            "en": "Type the shop's slug ({slug}) to confirm",
        },
        "tenants.confirm_mismatch": {
            "da": "Kortnavnet passer ikke; intet er slettet.",
            "en": "The slug does not match; nothing was deleted.",
        },
        "tenants.delete_button": {
            "da": "Slet butikken og alle dens data",
            "en": "Delete the shop and all its data",
        },
        "tenants.receipt_title": {"da": "{name} er slettet", "en": "{name} is deleted"},
        "tenants.receipt_intro": {
            "da": "Kvittering for sletningen (også skrevet i revisionsloggen):",
            "en": "Receipt of the deletion (also written to the audit log):",
        },
        "tenants.deleted_at": {"da": "Slettet", "en": "Deleted at"},
        "tenants.shop_id": {"da": "Butikkens id", "en": "Shop id"},
        "tenants.batches": {"da": "Slettet i {n} omgange", "en": "Deleted in {n} batches"},
        "tenants.deleted": {"da": "{name} er slettet.", "en": "{name} was deleted."},
        "table.bot_content_versions": {"da": "Bot-versioner", "en": "Bot versions"},
        "table.bot_publish_jobs": {"da": "Offentliggørelser", "en": "Publish jobs"},
        "table.conversations": {"da": "Samtaler", "en": "Conversations"},
        "table.messages": {"da": "Beskeder", "en": "Messages"},
        "table.conversation_identifiers": {
            "da": "Søgeindeks (nøglede hash)",
            "en": "Search index (keyed hashes)",
        },
        "table.handoffs": {"da": "Overdragelser til en person", "en": "Hand-offs to a person"},
        "table.offline_messages": {"da": "Beskeder uden for åbningstid", "en": "Offline messages"},
        "table.agent_presence": {"da": "Medarbejderstatus", "en": "Agent presence"},
        "table.users": {"da": "Personer", "en": "People"},
        "table.user_sessions": {"da": "Log-ind-sessioner", "en": "Log-in sessions"},
        "table.account_tokens": {
            "da": "Invitations- og nulstillingslinks",
            "en": "Invitation and reset links",
        },
        "table.shop_products": {"da": "Demobutik: produkter", "en": "Demo shop: products"},
        "table.shop_orders": {"da": "Demobutik: ordrer", "en": "Demo shop: orders"},
        "table.shop_shipments": {"da": "Demobutik: forsendelser", "en": "Demo shop: shipments"},
        "table.shop_demo_seeds": {"da": "Demobutik", "en": "Demo shop"},
        "table.insight_events": {"da": "Statistik: hændelser", "en": "Statistics: events"},
        "table.insight_daily": {"da": "Statistik: pr. dag", "en": "Statistics: per day"},
        "table.insight_hourly": {"da": "Statistik: pr. time", "en": "Statistics: per hour"},
        "table.insight_samples": {"da": "Stikprøve til gennemsyn", "en": "Review sample"},
        "tenants.open_admin": {"da": "Butikkens widget-nøgle", "en": "The shop's widget key"},
    }
)
