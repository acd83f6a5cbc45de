"""The demo's mail catcher: with no `SAMTALE_SMTP_URL`, the demo's e-mails go over real SMTP to
a local catcher, and `/demo/mail` shows them to the demo's admins — texts and HTML escaped."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from samtale.app.container import Container
from samtale.cli.server import banner, start_mail_catcher
from samtale.demo.mailbox import MailCatcher
from samtale.model import Tenant
from tests.conftest import make_settings
from tests.live.conftest import api, app, clock, live, login, rt, shop  # noqa: F401

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def catcher() -> Any:
    catcher = MailCatcher()
    catcher.start()
    yield catcher
    catcher.stop()


async def test_offline_answers_are_caught_and_shown_to_the_demo_s_admins(
    rt: Container,  # noqa: F811
    api: httpx.AsyncClient,  # noqa: F811
    shop: Tenant,  # noqa: F811
    login: Any,  # noqa: F811
    catcher: MailCatcher,
) -> None:
    rt.live.mailer = catcher.mailer("no-reply@localhost")
    rt.mail_catcher = catcher
    r = await api.post(
        f"/api/v1/widget/{shop.widget_key}/offline-messages",
        json={"email": "ingeborg@kundepost.dk", "text": "Hvornår åbner I?", "name": "Ingeborg"},
        headers={"origin": "https://shop.example"},
    )
    assert r.status_code == 201
    sofie = await login(shop, name="Sofie")
    reply = f"Vi åbner kl. 9. {EVIL}"
    r = await sofie.post(f"/offline-messages/{r.json()['id']}/reply", {"text": reply})
    assert r.status_code == 204, r.text

    # A real SMTP conversation reached the catcher.
    [mail] = catcher.mails()
    assert mail.recipients == ("ingeborg@kundepost.dk",)
    assert mail.mail_from == "no-reply@localhost"
    text, html = mail.parts()
    assert text is not None and text.startswith("Vi åbner kl. 9.") and html is None

    # An HTML mail as well (sent by hand): shown escaped and in a sandboxed frame only.
    html_mail = EmailMessage()
    html_mail["From"], html_mail["To"], html_mail["Subject"] = "a@b.dk", "c@d.dk", "Kvittering"
    html_mail.set_content("Tak for din ordre")
    html_mail.add_alternative(f"<p>Tak for din ordre</p>{EVIL}", subtype="html")
    with smtplib.SMTP("127.0.0.1", catcher.port, timeout=5) as smtp:
        smtp.send_message(html_mail)
    newest, oldest = catcher.mails()
    assert (newest.subject, oldest.id) == ("Kvittering", mail.id)

    boss = await login(shop, name="Bente", role="admin")
    assert 'href="/demo/mail"' in (await boss.client.get("/admin")).text  # linked from home
    page = await boss.client.get("/demo/mail")
    assert page.status_code == 200
    assert f"Svar fra {shop.name}" in page.text and "Kvittering" in page.text
    assert page.text.index("Kvittering") < page.text.index(f"Svar fra {shop.name}")
    one = await boss.client.get(f"/demo/mail/{mail.id}")
    assert one.status_code == 200 and "ingeborg@kundepost.dk" in one.text
    assert "Vi åbner kl. 9." in one.text
    assert "<script>" not in one.text and "&lt;script&gt;" in one.text
    other = await boss.client.get(f"/demo/mail/{newest.id}")
    assert "<script>" not in other.text and "<img src=x" not in other.text
    assert 'sandbox=""' in other.text and "srcdoc=" in other.text
    assert (await boss.client.get("/demo/mail/999")).status_code == 404

    # Not for agents, nor for anybody without a log-in.
    assert (await sofie.client.get("/demo/mail")).status_code == 403
    anonymous = httpx.AsyncClient(transport=api._transport, base_url="http://testserver")
    r = await anonymous.get("/demo/mail", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")

    # Without a catcher (a server with a real mail server, or none), there is no such page.
    rt.mail_catcher = None
    assert (await boss.client.get("/demo/mail")).status_code == 404
    assert 'href="/demo/mail"' not in (await boss.client.get("/admin")).text


def test_the_demo_catches_mail_only_without_a_mail_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    settings = make_settings("sqlite+aiosqlite:///:memory:", tmp_path)
    monkeypatch.setenv("SAMTALE_SMTP_URL", "smtp://mail.example:25")
    assert start_mail_catcher(settings) is None
    monkeypatch.delenv("SAMTALE_SMTP_URL")
    catcher = start_mail_catcher(settings)
    assert catcher is not None and catcher.running and catcher.port > 0
    try:
        text = banner(settings, [("admin@demo", "admin", "pw")], catcher)
        assert f"{settings.base_url}/demo/mail" in text
        assert f"smtp://127.0.0.1:{catcher.port}" in text
        assert "/demo/mail" not in banner(settings, [("admin@demo", "admin", "pw")])
    finally:
        catcher.stop()
    assert not catcher.running
