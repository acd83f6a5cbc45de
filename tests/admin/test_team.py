"""The team: invitations by e-mail with a one-time link, changing and deactivating people, and
password resets; the links expire and work once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import httpx

from samtale.model import User
from tests.admin.conftest import AdminEnv, csrf_of


@dataclass
class Outbox:
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    async def send(
        self, to: str, subject: str, body: str, *, sender_name: str | None = None
    ) -> None:
        self.sent.append((to, subject, body))

    def link(self) -> str:
        found = re.search(r"https?://\S+/account/\S+", self.sent[-1][2])
        assert found
        return "/" + found.group(0).split("/", 3)[3]


async def page_csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found.group(1)


async def test_invite_set_password_and_log_in(admin_env: AdminEnv) -> None:
    outbox = Outbox()
    admin_env.runtime.admin.mailer = outbox
    client = await admin_env.login("admin")
    r = await client.post(
        "/admin/team/invite",
        data={
            "csrf": csrf_of(client),
            "email": "New.Agent@Shop.example",
            "display_name": "Nina",
            "role": "agent",
            "languages": ["da", "en"],
            "capacity": "4",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/team?done=invited"
    to, subject, _body = outbox.sent[0]
    assert to == "new.agent@shop.example" and admin_env.shop.name in subject
    team = await client.get("/admin/team", headers={"accept-language": "en"})
    assert "Nina" in team.text and "Invited" in team.text

    link = outbox.link()
    newcomer = admin_env.anonymous()
    form = await newcomer.get(link, headers={"accept-language": "en"})
    assert form.status_code == 200 and "new.agent@shop.example" in form.text
    assert form.headers["referrer-policy"] == "no-referrer"
    csrf = await page_csrf(newcomer, link)
    r = await newcomer.post(link, data={"csrf": csrf, "password": "short", "confirm": "short"})
    assert r.status_code == 422 and 'id="f-password-error"' in r.text
    r = await newcomer.post(
        link, data={"csrf": csrf, "password": "a long new password", "confirm": "different one!"}
    )
    assert r.status_code == 422 and 'id="f-confirm-error"' in r.text
    r = await newcomer.post(
        link,
        data={"csrf": csrf, "password": "a long new password", "confirm": "a long new password"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/console"
    me = await newcomer.get("/api/v1/me")
    assert me.json()["email"] == "new.agent@shop.example" and me.json()["role"] == "agent"
    # used once
    assert (await admin_env.anonymous().get(link)).status_code == 410
    # it was audited without the address
    audit = (await client.get("/api/v1/admin/audit")).json()["entries"]
    actions = [e["action"] for e in audit]
    assert "user.invited" in actions and "user.password_set" in actions
    assert "new.agent" not in str(audit)


async def test_invite_errors_keep_what_was_typed(admin_env: AdminEnv) -> None:
    admin_env.runtime.admin.mailer = Outbox()
    client = await admin_env.login("admin")
    taken = admin_env.users["agent"].email
    r = await client.post(
        "/admin/team/invite",
        data={"csrf": csrf_of(client), "email": taken, "display_name": "Dup", "capacity": "3"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and "has an account already" in r.text and 'value="Dup"' in r.text
    r = await client.post(
        "/admin/team/invite",
        data={"csrf": csrf_of(client), "email": "not-an-email", "capacity": "99"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and 'id="f-email-error"' in r.text
    assert 'id="f-capacity-error"' in r.text and 'value="not-an-email"' in r.text


async def test_without_a_mail_server_the_admin_gets_the_link(admin_env: AdminEnv) -> None:
    admin_env.runtime.admin.mailer = None
    client = await admin_env.login("admin")
    r = await client.post(
        "/admin/team/invite",
        data={"csrf": csrf_of(client), "email": "x@shop.example", "capacity": "3"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 200 and "/account/invite/" in r.text


async def test_invitations_expire(admin_env: AdminEnv) -> None:
    outbox = Outbox()
    admin_env.runtime.admin.mailer = outbox
    client = await admin_env.login("admin")
    await client.post(
        "/admin/team/invite",
        data={"csrf": csrf_of(client), "email": "late@shop.example", "capacity": "3"},
    )
    admin_env.clock.advance(timedelta(hours=73))
    assert (await admin_env.anonymous().get(outbox.link())).status_code == 410


async def test_deactivate_logs_out_and_protects_the_last_admin(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    agent_client = await admin_env.login("agent")
    agent = admin_env.users["agent"]
    page = await client.get(f"/admin/team/{agent.id}/deactivate", headers={"accept-language": "en"})
    assert page.status_code == 200 and "logged out everywhere" in page.text
    r = await client.post(f"/admin/team/{agent.id}/deactivate", data={"csrf": csrf_of(client)})
    assert r.status_code == 303
    assert (await agent_client.get("/api/v1/me")).status_code == 401
    me = admin_env.users["admin"]
    r = await client.post(
        f"/admin/team/{me.id}/deactivate",
        data={"csrf": csrf_of(client)},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and "your own account" in r.text
    r = await client.post(f"/admin/team/{agent.id}/reactivate", data={"csrf": csrf_of(client)})
    assert r.status_code == 303
    async with admin_env.runtime.db.session() as s:
        row = await s.get(User, agent.id)
        assert row is not None and row.active


async def test_change_a_member(admin_env: AdminEnv) -> None:
    client = await admin_env.login("admin")
    agent = admin_env.users["agent"]
    r = await client.post(
        f"/admin/team/{agent.id}",
        data={
            "csrf": csrf_of(client),
            "display_name": "Agnes",
            "role": "admin",
            "languages": ["sv"],
            "capacity": "7",
        },
    )
    assert r.status_code == 303
    async with admin_env.runtime.db.session() as s:
        row = await s.get(User, agent.id)
        assert row and (row.display_name, row.role, row.languages, row.capacity) == (
            "Agnes",
            "admin",
            ["sv"],
            7,
        )
    # another shop's person is not found
    other = admin_env.users["other-agent"]
    r = await client.get(f"/admin/team/{other.id}")
    assert r.status_code == 404


async def test_password_reset_answers_the_same_for_unknown_addresses(admin_env: AdminEnv) -> None:
    outbox = Outbox()
    admin_env.runtime.admin.mailer = outbox
    anon = admin_env.anonymous()
    csrf = await page_csrf(anon, "/account/reset")
    known = await anon.post(
        "/account/reset", data={"csrf": csrf, "email": admin_env.users["agent"].email}
    )
    unknown = await anon.post("/account/reset", data={"csrf": csrf, "email": "nobody@x.example"})
    assert known.status_code == unknown.status_code == 200

    def strip(text: str) -> str:
        return text.replace(admin_env.users["agent"].email, "").replace("nobody@x.example", "")

    assert strip(known.text) == strip(unknown.text)
    assert len(outbox.sent) == 1
    link = outbox.link()
    csrf = await page_csrf(anon, link)
    r = await anon.post(
        link, data={"csrf": csrf, "password": "brand new secret", "confirm": "brand new secret"}
    )
    assert r.status_code == 303
    # An hour later a new link has expired.
    await anon.post("/account/reset", data={"csrf": csrf, "email": admin_env.users["agent"].email})
    admin_env.clock.advance(timedelta(minutes=61))
    assert (await admin_env.anonymous().get(outbox.link())).status_code == 410
    # without the page's token, nothing happens
    r = await admin_env.anonymous().post(
        "/account/reset", data={"email": admin_env.users["agent"].email}
    )
    assert r.status_code == 200 and len(outbox.sent) == 2
