"""The identifier index finds a customer's conversations by e-mail, phone number or order number,
and stores none of them: only keyed hashes, per tenant, deleted with the conversation."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from samtale.app.container import Container
from samtale.model import ConversationIdentifier, Tenant
from samtale.privacy.identifiers import find_conversations, identifier_hash, index_text
from samtale.tenants.formats import DEMO_FORMATS, DEMO_ORDER_NUMBER_PATTERN, tenant_formats
from tests.conftest import new_tenant
from tests.privacy.conftest import chat, rows_of

EMAIL = "Karen.Bjerregaard@Example.dk"
ORDER = "#104827361"


async def find(rt: Container, tenant: Tenant, kind: str, value: str) -> set[uuid.UUID]:
    async with rt.db.session() as session:
        return set(
            await find_conversations(session, rt.settings.effective_secret_key, tenant, kind, value)
        )


async def test_finds_conversations_by_email_phone_and_order_number(
    rt: Container, api: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(rt.db, rt.clock, languages=["da", "sv"], default_language="da")
    async with rt.db.transaction() as session:
        row = await session.get(Tenant, tenant.id)
        assert row is not None
        row.settings = {"order_number_patterns": [DEMO_ORDER_NUMBER_PATTERN]}
    first = await chat(
        api,
        tenant,
        f"Hej, min ordre {ORDER} er ikke kommet",
        f"skriv til {EMAIL} eller ring 22 33 44 55",
    )
    second = await chat(api, tenant, "ring mig på +45 2233 4455 tak")
    other = await chat(api, tenant, "hvor er min pakke?")

    assert await find(rt, tenant, "email", "karen.bjerregaard@example.dk") == {first["id"]}
    assert await find(rt, tenant, "email", "  KAREN.BJERREGAARD@EXAMPLE.DK ") == {first["id"]}
    assert await find(rt, tenant, "phone", "22334455") == {first["id"], second["id"]}
    assert await find(rt, tenant, "phone", "0045 22 33 44 55") == {first["id"], second["id"]}
    assert await find(rt, tenant, "order_number", "104827361") == {first["id"]}
    assert await find(rt, tenant, "order_number", "#1048 27361") == {first["id"]}
    assert await find(rt, tenant, "email", "someone.else@example.dk") == set()
    assert await find(rt, tenant, "phone", "not a number") == set()
    assert other["id"] not in await find(rt, tenant, "phone", "22334455")


async def test_the_index_holds_keyed_hashes_only(rt: Container, api: httpx.AsyncClient) -> None:
    tenant = await new_tenant(rt.db, rt.clock)
    conv = await chat(api, tenant, f"min mail er {EMAIL}, tlf 22 33 44 55")
    async with rt.db.session() as session:
        rows = (
            await session.scalars(
                select(ConversationIdentifier).where(
                    ConversationIdentifier.conversation_id == conv["id"]
                )
            )
        ).all()
    assert sorted(r.kind for r in rows) == ["email", "phone"]
    stored = " ".join(f"{r.kind} {r.value_hash}" for r in rows).lower()
    for value in ("karen", "bjerregaard", "example", "22334455", "+4522334455", "22 33 44 55"):
        assert value not in stored
    # The hash is keyed: without the server's secret, the plain SHA-256 of the value is not it.
    import hashlib

    plain = hashlib.sha256(EMAIL.lower().encode()).hexdigest()
    assert plain not in stored
    email_row = next(r for r in rows if r.kind == "email")
    assert email_row.value_hash == identifier_hash(
        rt.settings.effective_secret_key, tenant.id, "email", EMAIL.lower()
    )
    assert email_row.tenant_id == tenant.id


async def test_each_tenant_has_its_own_hashes_and_sees_only_its_own(
    rt: Container, api: httpx.AsyncClient
) -> None:
    a = await new_tenant(rt.db, rt.clock)
    b = await new_tenant(rt.db, rt.clock)
    conv_a = await chat(api, a, f"mail: {EMAIL}")
    conv_b = await chat(api, b, f"mail: {EMAIL}")
    assert await find(rt, a, "email", EMAIL) == {conv_a["id"]}
    assert await find(rt, b, "email", EMAIL) == {conv_b["id"]}
    key = rt.settings.effective_secret_key
    assert identifier_hash(key, a.id, "email", "x@y.dk") != identifier_hash(
        key, b.id, "email", "x@y.dk"
    )


async def test_repeated_identifiers_are_indexed_once(rt: Container, api: httpx.AsyncClient) -> None:
    tenant = await new_tenant(rt.db, rt.clock)
    conv = await chat(api, tenant, f"{EMAIL}", f"igen: {EMAIL.upper()}", f"og {EMAIL}")
    assert (await rows_of(rt.db, conv["id"]))["identifiers"] == 1


async def test_other_paths_index_text_the_same_way(rt: Container, api: httpx.AsyncClient) -> None:
    """What the pre-chat form receives is indexed with `index_text`."""
    tenant = await new_tenant(rt.db, rt.clock)
    conv = await chat(api, tenant, "hej")
    async with rt.db.transaction() as session:
        n = await index_text(
            session,
            rt.settings.effective_secret_key,
            tenant,
            conv["id"],
            "anna@example.com, 070-123 45 67",
            rt.clock,
            language="sv",
        )
    assert n == 2
    assert await find(rt, tenant, "email", "anna@example.com") == {conv["id"]}
    assert await find(rt, tenant, "phone", "+46 70 123 45 67") == {conv["id"]}


async def test_tenant_formats_come_from_settings_with_demo_defaults(rt: Container) -> None:
    tenant = await new_tenant(rt.db, rt.clock)
    assert tenant_formats(tenant).order_number_patterns == ()
    tenant.settings = {
        "order_number_patterns": [r"\bNH-\d{6}\b", "([broken"],
        "tracking_number_patterns": {"gls": r"\b5\d{13}\b"},
    }
    formats = tenant_formats(tenant)
    assert formats.order_number_patterns == (r"\bNH-\d{6}\b",)
    assert formats.tracking_number_patterns == (r"\b5\d{13}\b",)
    demo = Tenant(slug="demo", settings={})
    assert tenant_formats(demo) == DEMO_FORMATS
    demo.settings = {"order_number_patterns": [r"\bX\d+\b"]}
    assert tenant_formats(demo).order_number_patterns == (r"\bX\d+\b",)
    assert tenant_formats(demo).tracking_number_patterns == DEMO_FORMATS.tracking_number_patterns
