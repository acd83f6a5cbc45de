"""The e-mails of the admin pages: an invitation to a shop's team and a password reset, in
Danish or English. Sent with the SMTP mailer of `live.mail` (`SAMTALE_SMTP_URL`)."""

from __future__ import annotations

from samtale.infra.mail import Mailer, MailError

_TEXTS = {
    "invite": {
        "da": (
            "Invitation til {shop} på Samtale",
            "Hej{name},\n\nDu er inviteret til {shop}s kundeservice på Samtale som {role}.\n"
            "Vælg din adgangskode her (linket virker i 72 timer og kun én gang):\n\n{link}\n\n"
            "Hvis du ikke venter denne invitation, kan du se bort fra den.\n",
        ),
        "en": (
            "Invitation to {shop} on Samtale",
            "Hi{name},\n\nYou are invited to {shop}'s customer service on Samtale as {role}.\n"
            "Choose your password here (the link works for 72 hours, and once):\n\n{link}\n\n"
            "If you did not expect this invitation, you can ignore it.\n",
        ),
    },
    "reset": {
        "da": (
            "Ny adgangskode til Samtale",
            "Hej{name},\n\nNogen (forhåbentlig dig) har bedt om en ny adgangskode til Samtale.\n"
            "Vælg en ny her (linket virker i en time og kun én gang):\n\n{link}\n\n"
            "Har du ikke bedt om det, kan du se bort fra denne e-mail; din adgangskode er "
            "uændret.\n",
        ),
        "en": (
            "A new password for Samtale",
            "Hi{name},\n\nSomeone (hopefully you) asked for a new password for Samtale.\n"
            "Choose a new one here (the link works for an hour, and once):\n\n{link}\n\n"
            "If you did not ask for it, ignore this e-mail; your password is unchanged.\n",
        ),
    },
}
_ROLES = {"da": {"agent": "medarbejder", "admin": "administrator"}, "en": {}}


def compose(
    kind: str, lang: str, link: str, *, shop: str = "", name: str = "", role: str = ""
) -> tuple[str, str]:
    subject, body = _TEXTS[kind]["da" if lang == "da" else "en"]
    role_word = _ROLES.get(lang, {}).get(role, role)
    values = {"shop": shop, "name": f" {name}" if name else "", "role": role_word, "link": link}
    return subject.format(**values), body.format(**values)


async def send(mailer: Mailer | None, to: str, subject: str, body: str) -> bool:
    """True when the mail server took the message."""
    if mailer is None:
        return False
    try:
        await mailer.send(to, subject, body, sender_name="Samtale")
    except MailError:
        return False
    return True
