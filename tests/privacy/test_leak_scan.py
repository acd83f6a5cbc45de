"""The leak scan: personal data sent through the whole service ends up in the messages and
nowhere else.

Messages full of personal data go through the visitor API, the responder the server uses (and,
separately, a test responder that keeps state), a failing responder, rejected requests, a
transcript download, a search and an export for the customer, the customer's own delete and the
retention purge. Then EVERY table of the database — listed by the database itself, so a table a
later feature adds is scanned without anyone remembering to — and every log line are searched for
each value (as written and in its normalized forms). Only the columns in `ALLOWED` may hold them.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect, text
from stdnum import iban, luhn

from samtale.app.container import Container
from samtale.conversations.responder import StaticRegistry
from samtale.kernel.clock import ManualClock
from samtale.kernel.config import Settings
from samtale.kernel.logs import configure_logging
from samtale.model import Tenant
from samtale.web.app import create_app
from tests.conftest import EchoResponder, make_settings, new_tenant, start_conversation
from tests.files import pdf, photo

# The only places where what a customer wrote may be stored (table, column): the messages (and
# the cards the bot showed with them: a parcel's order and tracking numbers), the conversation's
# dialogue state (a flow's answers until the flow ends, and what the bot found for the agent),
# and what the customer writes for a case handed to a person (the pre-chat answers, a rating's
# comment, a message left when nobody is available). All of them are deleted with their conversation.
ALLOWED: set[tuple[str, str]] = {
    ("messages", "text"),
    ("messages", "payload"),
    ("conversations", "bot_state"),
    ("handoffs", "answers"),
    ("handoffs", "rating_comment"),
    ("offline_messages", "email"),
    ("offline_messages", "name"),
    ("offline_messages", "text"),
    # A file sent in the chat: its name as the customer gave it, and its bytes (a PDF is kept as
    # it came) when the database stores them.
    ("attachments", "name"),
    ("attachment_blobs", "data"),
}


@dataclass
class Secrets:
    """Personal data made up for one run, so that no other test's rows can match."""

    email: str
    phone: str
    phone_e164: str
    cpr: str
    card: str
    iban: str
    name: str
    street: str
    order: str
    tracking: str
    ip: str
    shop_token: str  # a connected platform's access token
    carrier_key: str  # a carrier's API key

    @classmethod
    def make(cls) -> Secrets:
        rng = random.Random(secrets.randbits(64))
        digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
        phone = "2" + digits(7)
        card15 = "4" + digits(14)
        bban = "0040" + digits(10)
        return cls(
            email=f"leak.{secrets.token_hex(4)}@kundepost-{digits(3)}.dk",
            phone=f"{phone[:2]} {phone[2:4]} {phone[4:6]} {phone[6:]}",
            phone_e164=f"+45{phone}",
            cpr=f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(40, 99)}-{digits(4)}",
            card=card15 + luhn.calc_check_digit(card15),
            iban=f"DK{iban.calc_check_digits('DK00' + bban)}{bban}",
            name=f"Ingeborg Skjoldager{rng.choice(['', 'sen', 'gaard'])}",
            street=f"Skjoldagervej {rng.randint(2, 99)}",
            order="10" + digits(7),
            tracking=f"RB{digits(9)}DK",
            ip=f"83.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
            shop_token=f"shpat_{secrets.token_hex(16)}",
            carrier_key=f"pn-{secrets.token_hex(12)}",
        )

    def messages(self) -> list[str]:
        return [
            f"Hej, jeg hedder {self.name} og min ordre {self.order} er ikke kommet",
            f"Min mail er {self.email.upper()} og mit nummer er {self.phone}",
            f"Adresse: {self.street}, 2. tv., 8000 Aarhus C. CPR {self.cpr}",
            f"Kortet {self.card[:4]} {self.card[4:8]} {self.card[8:12]} {self.card[12:]} og konto {self.iban}",
            f"Sporing {self.tracking}, min IP er {self.ip}. Mvh {self.name}",
        ]

    def needles(self) -> dict[str, str]:
        """Each value as written and in the forms code might normalize it to."""
        _first, last = self.name.split(" ", 1)
        return {
            "email": self.email.lower(),
            "phone": self.phone,
            "phone digits": self.phone.replace(" ", ""),
            "phone e164": self.phone_e164,
            "cpr": self.cpr,
            "cpr digits": self.cpr.replace("-", ""),
            "card": self.card,
            "iban": self.iban.lower(),
            "surname": last.lower(),
            "street": self.street.lower(),
            "order": self.order,
            "tracking": self.tracking.lower(),
            "ip": self.ip,
            "shop token": self.shop_token,
            "carrier key": self.carrier_key,
        }


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


async def scan_database(rt: Container, needles: dict[str, str]) -> list[str]:
    """Every (table.column: kind) in which a needle occurs, outside the allowed columns."""
    found = []
    async with rt.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert {"messages", "conversations", "audit_entries", "conversation_identifiers"} <= set(
            tables
        )
        for table in tables:
            result = await conn.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    if value is None or (table, column) in ALLOWED:
                        continue
                    cell = _cell(value).lower()
                    for kind, needle in needles.items():
                        if needle.lower() in cell:
                            found.append(f"{table}.{column}: {kind}")
    return sorted(set(found))


def scan_text(text_: str, needles: dict[str, str]) -> list[str]:
    lowered = text_.lower()
    return sorted(kind for kind, needle in needles.items() if needle.lower() in lowered)


def served_runtime(settings: Settings, clock: ManualClock) -> Container:
    """The container the server builds: the trained bot and every hook."""
    return Container.build(settings, clock=clock)


@contextlib.asynccontextmanager
async def running(rt: Container) -> AsyncIterator[httpx.AsyncClient]:
    await rt.start()
    try:
        transport = httpx.ASGITransport(app=create_app(rt, manage_runtime=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as c:
            yield c
    finally:
        await rt.close()


async def served_tenant(rt: Container, data_dir: Path) -> Tenant:
    """The demo shop, with its bot when the bot is there (waiting until it is loaded)."""
    from samtale.demo.tenant import ensure_demo

    async with rt.db.transaction() as session:
        tenant, _ = await ensure_demo(session, rt.clock, data_dir, ["https://shop.example"])
    wait_ready = getattr(rt.responders, "wait_ready", None)
    if wait_ready is not None:
        await wait_ready(900)
    return tenant


async def exercise_live(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant, s: Secrets
) -> dict[str, Any]:
    """A customer asks for a person with the pre-chat form full of personal data, chats with an
    agent who views the queue and the conversation, rates with a comment; another leaves a
    message while nobody is available and is answered (no mail server: refused)."""
    from samtale.live.service import Agent
    from samtale.live.settings import live_settings
    from samtale.tenants.service import UserCreate, create_user

    live = rt.live
    async with rt.db.transaction() as session:
        user = await create_user(
            session,
            tenant,
            UserCreate(
                email=f"agent-{tenant.slug}@shop.example",
                password="correct horse battery",
                role="agent",
                display_name="Sofie",
            ),
            rt.clock,
        )
        row = await session.get(Tenant, tenant.id)
        assert row is not None
        settings = live_settings(row)
    agent = Agent(user.id, tenant.id, "Sofie")
    await live.set_presence(agent, "online")
    by_kind = {
        "name": s.name,
        "email": s.email,
        "phone": s.phone,
        "order_number": s.order,
        "text": s.street,
        "textarea": f"{s.street}, CPR {s.cpr}, konto {s.iban}, sporing {s.tracking}, IP {s.ip}",
    }
    answers = {
        f.name: (f.options[0].value if f.kind == "choice" else by_kind[f.kind])
        for f in settings.prechat_fields
    }
    conv = await start_conversation(api, tenant.widget_key, language="da")
    base = f"/api/v1/conversations/{conv['conversation_id']}"
    bad = {**answers, "email": f"{s.email} {s.phone}"}
    r = await api.post(base + "/handoff", json={"answers": bad}, headers=conv["headers"])
    assert r.status_code == 422 and s.phone not in r.text
    r = await api.post(base + "/handoff", json={"answers": answers}, headers=conv["headers"])
    assert r.status_code == 201, r.text
    # The run's other tests may have left customers in the demo shop's queue: take this one.
    queue = await live.queue_view(agent, "da")
    [mine] = [q for q in queue if q["conversation_id"] == conv["conversation_id"]]
    await live.claim(agent, uuid.UUID(mine["handoff_id"]))
    cid = uuid.UUID(conv["conversation_id"])
    await live.send(agent, cid, f"Hej {s.name}")
    await api.post(base + "/messages", json={"text": s.messages()[1]}, headers=conv["headers"])
    view = await live.conversation_view(agent, cid, "da")
    assert view["handoffs"][0]["answers"]
    await live.close(agent, cid, "resolved")
    r = await api.post(
        base + "/rating", json={"rating": 5, "comment": s.messages()[2]}, headers=conv["headers"]
    )
    assert r.status_code == 204
    r = await api.post(
        f"/api/v1/widget/{tenant.widget_key}/offline-messages",
        json={"email": s.email, "name": s.name, "text": " ".join(s.messages())},
        headers={"origin": "https://shop.example"},
    )
    assert r.status_code == 201
    live.mailer = None
    # The shop may hold other requests (the run's other tests share the demo shop).
    [offline] = [m for m in await live.offline_messages(agent) if m["email"] == s.email]
    try:
        await live.answer_offline(agent, uuid.UUID(offline["id"]), f"Hej {s.name}")
    except Exception as exc:
        assert type(exc).__name__ == "MailUnavailable"
    r = await api.get(base + "/transcript", params={"format": "json"}, headers=conv["headers"])
    assert s.email in r.text.lower()
    return conv


async def exercise_shop(rt: Container, s: Secrets) -> None:
    """A shop connects its platform and a carrier (the keys are stored sealed), its connector
    is built from them, and a check and a sync fail against an address that does not resolve:
    the keys in full are nowhere."""
    from samtale.kernel.errors import DomainError

    other = await new_tenant(rt.db, rt.clock)
    values = {"url": "https://leak-scan.invalid", "token": s.shop_token}
    await rt.shop.connect(other.id, "shopify", values, verify=False)
    await rt.shop.set_carriers(other.id, {"postnord_api_key": s.carrier_key})
    shop = await rt.shop.for_tenant(other.id)
    assert shop.kind == "shopify"
    for attempt in (rt.shop.check(other.id), rt.shop.sync(other.id)):
        with contextlib.suppress(DomainError):
            await attempt
    with contextlib.suppress(DomainError):
        await rt.shop.test(other.id, "shopify", {"url": "https://leak-scan.invalid"})


async def exercise(rt: Container, api: httpx.AsyncClient, tenant: Tenant, s: Secrets) -> None:
    """Everything a customer, an agent and the schedule do with a conversation."""
    clock: ManualClock = rt.clock  # type: ignore[assignment]
    await exercise_shop(rt, s)
    kept = await start_conversation(api, tenant.widget_key, language="da")
    gone = await start_conversation(api, tenant.widget_key, language="da")
    purged = await start_conversation(api, tenant.widget_key, language="da")
    for conv in (kept, gone, purged):
        url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
        for i, message in enumerate(s.messages()):
            r = await api.post(
                url, json={"text": message, "client_id": f"m{i}"}, headers=conv["headers"]
            )
            assert r.status_code == 201, r.text
            clock.advance(seconds=5)
        # A photo named after the customer and a PDF with their e-mail and order in it.
        sent = []
        for name, data in (
            (f"{s.name} {s.order}.jpg", photo()),
            (f"ordre {s.order}.pdf", pdf(f"{s.email} {s.order}")),
        ):
            r = await api.post(
                url.replace("/messages", "/attachments"),
                params={"name": name},
                content=data,
                headers=conv["headers"],
            )
            assert r.status_code == 201, r.text
            sent.append(r.json()["attachment"]["id"])
        r = await api.post(
            url,
            json={"text": f"billeder til {s.order}", "attachments": sent},
            headers=conv["headers"],
        )
        assert r.status_code == 201, r.text
        # A retried message, a rejected one, an oversized one, and one that breaks the responder.
        await api.post(
            url, json={"text": s.messages()[0], "client_id": "m0"}, headers=conv["headers"]
        )
        await api.post(url, json={"text": s.email, "unknown": s.phone}, headers=conv["headers"])
        await api.post(url, json={"text": s.email * 400}, headers=conv["headers"])
        await api.post(url, json={"text": "boom"}, headers=conv["headers"])
        await api.get(url, headers=conv["headers"])
    await exercise_live(rt, api, tenant, s)
    kept_id = uuid.UUID(kept["conversation_id"])
    for fmt in ("txt", "html", "json"):
        r = await api.get(
            f"/api/v1/conversations/{kept['conversation_id']}/transcript",
            params={"format": fmt},
            headers=kept["headers"],
        )
        assert r.status_code == 200 and s.email in r.text.lower()
    assert {c.id for c in await rt.privacy.find(tenant.id, "email", s.email, actor="cli")} >= {
        kept_id
    }
    await rt.privacy.find(tenant.id, "phone", s.phone, actor="cli")
    await rt.privacy.find(tenant.id, "order_number", s.order, actor="cli")
    export = await rt.privacy.export(tenant.id, "email", s.email, actor="cli")
    assert export["conversations"]
    r = await api.delete(
        f"/api/v1/conversations/{gone['conversation_id']}", headers=gone["headers"]
    )
    assert r.status_code == 204
    # The purge: move the clock past the retention of `purged`, keep `kept` active.
    clock.advance(days=90)
    r = await api.post(
        f"/api/v1/conversations/{kept['conversation_id']}/messages",
        json={"text": f"stadig mig, {s.name}"},
        headers=kept["headers"],
    )
    assert r.status_code == 201
    clock.advance(timedelta(hours=1))
    report = await rt.privacy.runner.run_once(clock.now(), tenant_id=tenant.id)
    assert report is not None and report.conversations >= 1


async def _scan(rt: Container, api: httpx.AsyncClient, tenant: Tenant) -> Secrets:
    s = Secrets.make()
    logs = io.StringIO()
    configure_logging("debug", logs)
    try:
        await exercise(rt, api, tenant, s)
    finally:
        configure_logging("info")
    needles = s.needles()
    # The allowed column does hold them (the scan would find them if they leaked).
    async with rt.db.engine.connect() as conn:
        stored = " ".join(
            str(r[0]) for r in await conn.execute(text("SELECT text FROM messages"))
        ).lower()
    written = ("email", "phone", "cpr", "iban", "surname", "street", "order", "tracking", "ip")
    assert [k for k in written if needles[k].lower() not in stored] == []

    assert await scan_database(rt, needles) == []
    assert logs.getvalue(), "nothing was logged: the log capture is not working"
    assert scan_text(logs.getvalue(), needles) == []
    return s


async def test_no_personal_data_outside_the_messages_with_the_served_responder(
    database_url: str, bot_data_dir: Path, clock: ManualClock
) -> None:
    # The tests' shared model cache: the demo bot is trained once per run, not per test. The
    # files sent go to the database here (the folder storage in the test below).
    settings = make_settings(database_url, bot_data_dir, attachment_storage="database")
    rt = served_runtime(settings, clock)
    async with running(rt) as api:
        tenant = await served_tenant(rt, bot_data_dir)
        await _scan(rt, api, tenant)


async def test_no_personal_data_outside_the_messages_with_a_stateful_responder(
    database_url: str, data_dir: Path, clock: ManualClock
) -> None:
    rt = Container.build(
        make_settings(database_url, data_dir),
        clock=clock,
        responders=StaticRegistry(EchoResponder()),
    )
    async with running(rt) as api:
        tenant = await new_tenant(rt.db, clock)
        s = await _scan(rt, api, tenant)
        # A value that does leak (here into the shop's settings) is found.
        async with rt.db.transaction() as session:
            row = await session.get(Tenant, tenant.id)
            assert row is not None
            row.settings = {"note": f"call {s.phone_e164}"}
        assert await scan_database(rt, s.needles()) == [
            "tenants.settings: phone digits",
            "tenants.settings: phone e164",
        ]
        async with rt.db.transaction() as session:
            row = await session.get(Tenant, tenant.id)
            assert row is not None
            row.settings = {}


def test_the_scan_finds_what_it_looks_for() -> None:
    s = Secrets.make()
    needles = s.needles()
    assert scan_text(json.dumps({"x": s.email.upper()}), needles) == ["email"]
    assert "phone e164" in scan_text(f"call {s.phone_e164}", needles)
    assert len(needles) >= 10


@pytest.fixture(autouse=True)
def _restore_logging() -> Any:
    yield
    configure_logging("info")
