"""Texts of the team pages and of the e-mailed links' pages, in Danish and English."""

from __future__ import annotations

from samtale.web.i18n import register

register(
    {
        "nav.admin.team": {"da": "Team", "en": "Team"},
        "team.title": {"da": "Team", "en": "Team"},
        "team.intro": {
            "da": "Medarbejdere og administratorer. En invitation sendes som et link på e-mail, "
            "hvor personen vælger sin adgangskode.",
            "en": "Agents and admins. An invitation is an e-mailed link where the person chooses "
            "their password.",
        },
        "team.invite": {"da": "Invitér", "en": "Invite"},
        "team.invite_title": {"da": "Invitér en person", "en": "Invite someone"},
        "team.email": {"da": "E-mail", "en": "E-mail"},
        "team.name": {"da": "Navn (vises for kunderne)", "en": "Name (shown to customers)"},
        "team.role": {"da": "Rolle", "en": "Role"},
        "team.role.agent": {"da": "Medarbejder", "en": "Agent"},
        "team.role.admin": {"da": "Administrator", "en": "Admin"},
        "team.languages": {"da": "Sprog", "en": "Languages"},
        "team.capacity": {"da": "Samtaler ad gangen", "en": "Chats at a time"},
        "team.status": {"da": "Status", "en": "Status"},
        "team.active": {"da": "Aktiv", "en": "Active"},
        "team.invited": {"da": "Inviteret", "en": "Invited"},
        "team.inactive": {"da": "Deaktiveret", "en": "Deactivated"},
        "team.you": {"da": "dig", "en": "you"},
        "team.email_taken": {
            "da": "Der findes allerede en konto med den e-mail.",
            "en": "Someone with that e-mail has an account already.",
        },
        "team.not_sent": {
            "da": "E-mailen kunne ikke sendes (er SAMTALE_SMTP_URL sat op?). Giv personen "
            "linket herunder – det virker i 72 timer og kun én gang.",
            "en": "The e-mail could not be sent (is SAMTALE_SMTP_URL set up?). Give the person "
            "the link below – it works for 72 hours, and once.",
        },
        "team.manual_link": {"da": "Invitationslink", "en": "Invitation link"},
        "team.done.invited": {
            "da": "Invitationen er sendt.",
            "en": "The invitation is on its way.",
        },
        "team.done.resent": {
            "da": "En ny invitation er sendt.",
            "en": "A new invitation is on its way.",
        },
        "team.done.saved": {"da": "Gemt.", "en": "Saved."},
        "team.done.deactivated": {
            "da": "Personen er deaktiveret.",
            "en": "The person is deactivated.",
        },
        "team.done.reactivated": {
            "da": "Personen er aktiv igen.",
            "en": "The person is active again.",
        },
        "team.edit": {"da": "Redigér", "en": "Edit"},
        "team.resend": {"da": "Send invitationen igen", "en": "Send the invitation again"},
        "team.deactivate": {"da": "Deaktivér", "en": "Deactivate"},
        "team.reactivate": {"da": "Aktivér igen", "en": "Reactivate"},
        "team.deactivate_title": {"da": "Deaktivér {name}?", "en": "Deactivate {name}?"},
        "team.deactivate_sessions": {
            "da": "Personen logges ud alle steder og kan ikke logge ind.",
            "en": "They are logged out everywhere and cannot log in.",
        },
        "team.deactivate_chats": {
            "da": "Deres åbne samtaler går tilbage i køen.",
            "en": "Their open chats go back to the queue.",
        },
        "team.deactivate_kept": {
            "da": "Kontoen slettes ikke og kan aktiveres igen.",
            "en": "The account is not deleted and can be reactivated.",
        },
        "team.error.self": {
            "da": "Det kan du ikke gøre ved din egen konto.",
            "en": "You cannot do that to your own account.",
        },
        "team.error.last_admin": {
            "da": "Butikken skal have mindst én aktiv administrator.",
            "en": "The shop needs at least one active admin.",
        },
        "account.invite.title": {
            "da": "Velkommen – vælg en adgangskode",
            "en": "Welcome – choose a password",
        },
        "account.reset.title": {"da": "Vælg en ny adgangskode", "en": "Choose a new password"},
        "account.for": {"da": "For {email}", "en": "For {email}"},
        "account.shop": {"da": "Butik: {shop}", "en": "Shop: {shop}"},
        "account.password": {"da": "Ny adgangskode", "en": "New password"},
        "account.password_hint": {"da": "Mindst 10 tegn.", "en": "At least 10 characters."},
        "account.confirm": {"da": "Gentag adgangskoden", "en": "Repeat the password"},
        "account.save": {"da": "Gem og log ind", "en": "Save and log in"},
        "account.expired.title": {
            "da": "Linket virker ikke længere",
            "en": "The link no longer works",
        },
        "account.expired.text": {
            "da": "Linket er udløbet eller allerede brugt. Bed om et nyt.",
            "en": "The link has expired or was used already. Ask for a new one.",
        },
        "account.forgot.title": {"da": "Glemt adgangskode", "en": "Forgotten password"},
        "account.forgot.intro": {
            "da": "Skriv din e-mail, så sender vi et link, hvor du kan vælge en ny adgangskode.",
            "en": "Type your e-mail and we will send a link to choose a new password.",
        },
        "account.forgot.send": {"da": "Send link", "en": "Send link"},
        "account.forgot.sent": {
            "da": "Hvis adressen har en konto, er der en e-mail på vej. Linket virker i en time.",
            "en": "If the address has an account, an e-mail is on its way. The link works for an "
            "hour.",
        },
        "account.forgot.link": {"da": "Glemt adgangskode?", "en": "Forgotten password?"},
        "account.back_to_login": {"da": "Tilbage til log ind", "en": "Back to log in"},
    }
)
