"""Sending the agents' e-mail answers to offline messages, over SMTP.

Configured by `SAMTALE_SMTP_URL`: `smtp://[user:password@]host[:port]` (STARTTLS when the server
offers it, unless `?starttls=0`), or `smtps://…` for TLS from the start; the sender is
`SAMTALE_MAIL_FROM` (default `no-reply@<host of SAMTALE_PUBLIC_URL or localhost>`). Without a
URL, answering by e-mail is switched off and the console says so. Addresses and texts are never
logged.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic_settings import BaseSettings, SettingsConfigDict


class MailError(Exception):
    """The message could not be handed to the mail server."""


class Mailer(Protocol):
    async def send(
        self, to: str, subject: str, body: str, *, sender_name: str | None = None
    ) -> None: ...


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMTALE_", extra="ignore")

    smtp_url: str | None = None
    mail_from: str | None = None
    public_url: str | None = None


@dataclass
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    tls: bool = False
    starttls: bool = True
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str, sender: str | None = None) -> SmtpMailer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SAMTALE_SMTP_URL is smtp://[user:password@]host[:port] or smtps://…")
        query = parse_qs(parts.query)
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            sender=sender or f"no-reply@{parts.hostname}",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
            starttls=query.get("starttls", ["1"])[0] not in ("0", "false", "no"),
        )

    def _send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            smtp.ehlo()
            if not self.tls and self.starttls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)

    async def send(
        self, to: str, subject: str, body: str, *, sender_name: str | None = None
    ) -> None:
        message = EmailMessage()
        message["From"] = formataddr((sender_name or "", self.sender))
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-replied"
        message.set_content(body)
        try:
            await asyncio.to_thread(self._send, message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(type(exc).__name__) from None


def mailer_from_env() -> SmtpMailer | None:
    settings = MailSettings()
    if not settings.smtp_url:
        return None
    sender = settings.mail_from
    if not sender:
        host = urlsplit(settings.public_url or "").hostname or "localhost"
        sender = f"no-reply@{host}"
    return SmtpMailer.from_url(settings.smtp_url, sender)
