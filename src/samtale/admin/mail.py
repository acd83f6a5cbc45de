"""The e-mails of the admin pages: an invitation to a shop's team and a password reset, in
Danish or English. Sent with the SMTP mailer of `live.mail` (`SAMTALE_SMTP_URL`)."""

from __future__ import annotations

from samtale.infra.mail import Mailer, MailError
from samtale.kernel.i18n import catalogue

_ROLES = {"da": {"agent": "medarbejder", "admin": "administrator"}, "en": {}}


def compose(
    kind: str, lang: str, link: str, *, shop: str = "", name: str = "", role: str = ""
) -> tuple[str, str]:
    texts, language = catalogue("mail"), "da" if lang == "da" else "en"
    subject, body = texts.text(f"{kind}.subject", language), texts.text(f"{kind}.body", language)
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
