"""The demo's mail catcher: a local SMTP server that keeps what it receives, so the demo's
e-mails (answers to offline messages, invitations, transcripts) can be read without a mail
server.

`samtale demo` starts one on a free loopback port when `SAMTALE_SMTP_URL` is not set and points
the mailer at it; `/demo/mail` lists what it caught. It is a real SMTP conversation (aiosmtpd,
in its own thread), so the demo sends mail exactly the way a production server does — only the
last hop differs. Messages are kept in memory (the newest `capacity`), never written to disk,
and go when the demo stops.
"""

from __future__ import annotations

import socket
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from samtale.infra.mail import SmtpMailer

HOST = "127.0.0.1"


@dataclass(frozen=True)
class CaughtMail:
    id: int
    received_at: datetime
    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes

    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message

    @property
    def subject(self) -> str:
        return str(self.parsed().get("subject", ""))

    def parts(self) -> tuple[str | None, str | None]:
        """The plain text and the HTML of the message (either may be missing)."""
        message = self.parsed()
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        return (
            text.get_content() if text is not None else None,
            html.get_content() if html is not None else None,
        )


class _Keep:
    """The aiosmtpd handler: accept every message and hand it to the catcher."""

    def __init__(self, catcher: MailCatcher) -> None:
        self.catcher = catcher

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.catcher.keep(envelope.mail_from or "", tuple(envelope.rcpt_tos), envelope.content)
        return "250 Message accepted for delivery"


class MailCatcher:
    def __init__(self, capacity: int = 200) -> None:
        self._mails: deque[CaughtMail] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._next = 1
        self._controller: Controller | None = None
        self.port = 0

    def start(self) -> None:
        """Listen on a free loopback port (a few tries: another program may take the port
        between choosing and binding it)."""
        last: Exception | None = None
        for _ in range(5):
            port = _free_port()
            controller = Controller(_Keep(self), hostname=HOST, port=port)
            try:
                controller.start()
            except Exception as exc:  # the port was taken meanwhile
                last = exc
                continue
            self._controller, self.port = controller, port
            return
        raise RuntimeError(f"the demo's mail catcher could not start: {last}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def keep(self, mail_from: str, recipients: tuple[str, ...], raw: bytes) -> None:
        with self._lock:
            self._mails.append(
                CaughtMail(self._next, datetime.now(UTC), mail_from, recipients, raw)
            )
            self._next += 1

    def mails(self) -> list[CaughtMail]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._mails))

    def get(self, mail_id: int) -> CaughtMail | None:
        with self._lock:
            return next((m for m in self._mails if m.id == mail_id), None)

    def mailer(self, sender: str) -> SmtpMailer:
        """A mailer that delivers here (plain SMTP on loopback)."""
        return SmtpMailer(HOST, self.port, sender, starttls=False, timeout=5.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])
