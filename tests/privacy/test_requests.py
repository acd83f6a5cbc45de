"""Requests about a customer (an agent, an admin or an operator acting for them): find, delete
and export their conversations by e-mail, phone, order number or conversation id — each call
audited, and no audit entry holding personal data."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from samtale.app.container import Container
from samtale.model import Tenant
from samtale.privacy import audit
from tests.conftest import new_tenant
from tests.privacy.conftest import audit_of, chat, exists

EMAIL = "mette.skovgaard@example.dk"
PHONE = "+45 31 41 59 26"


async def test_find_delete_and_export_by_each_kind(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant
) -> None:
    a = await chat(api, tenant, f"Jeg er {EMAIL}", "ordre nr. 104000123")
    rt.clock.advance(minutes=1)  # type: ignore[attr-defined]
    b = await chat(api, tenant, f"ring {PHONE} eller skriv {EMAIL.upper()}")
    c = await chat(api, tenant, "hvad koster fragt?")
    p = rt.privacy

    found = await p.find(tenant.id, "email", EMAIL, actor="cli")
    assert [s.id for s in found] == [a["id"], b["id"]]
    assert found[0].messages == 4 and not found[0].person_involved
    assert [s.id for s in await p.find(tenant.id, "phone", "31415926", actor="cli")] == [b["id"]]
    assert [s.id for s in await p.find(tenant.id, "order_number", "104000123", actor="cli")] == [
        a["id"]
    ]
    assert [s.id for s in await p.find(tenant.id, "conversation", str(c["id"]), actor="cli")] == [
        c["id"]
    ]
    assert await p.find(tenant.id, "conversation", "not-a-uuid", actor="cli") == []
    with pytest.raises(ValueError):
        await p.find(tenant.id, "name", "Mette", actor="cli")

    export = await p.export(tenant.id, "email", EMAIL, actor="cli")
    assert export["format"] == "samtale-access-request" and export["found_by"] == "email"
    assert [x["conversation"]["id"] for x in export["conversations"]] == [
        str(a["id"]),
        str(b["id"]),
    ]
    texts = [m["text"] for x in export["conversations"] for m in x["messages"]]
    assert f"Jeg er {EMAIL}" in texts
    json.dumps(export)  # one JSON document

    receipts = await p.delete(tenant.id, "email", EMAIL, actor="cli")
    assert set(receipts) == {a["id"], b["id"]}
    assert receipts[a["id"]] == p.receipt(tenant.id, a["id"])
    assert not await exists(rt.db, a["id"]) and not await exists(rt.db, b["id"])
    assert await exists(rt.db, c["id"])
    assert await p.find(tenant.id, "email", EMAIL, actor="cli") == []

    entries = await audit_of(rt.db, tenant.id)
    searches = [e for e in entries if e.action == audit.PRIVACY_SEARCH]
    got = sorted((e.details["by"], e.details["purpose"], e.details["matches"]) for e in searches)
    assert got == sorted(
        [
            ("email", "find", 2),
            ("phone", "find", 1),
            ("order_number", "find", 1),
            ("conversation", "find", 1),
            ("conversation", "find", 0),
            ("email", "delete", 2),
            ("email", "find", 0),
        ]
    )
    exports = [e for e in entries if e.action == audit.PRIVACY_EXPORT]
    assert [e.details for e in exports] == [{"by": "email", "conversations": 2}]
    deletions = [e for e in entries if e.action == audit.CONVERSATION_DELETED]
    assert sorted(e.subject_hash or "" for e in deletions) == sorted(receipts.values())
    assert {e.details["reason"] for e in deletions} == {"request"}


async def test_requests_see_only_the_tenants_own_conversations(
    rt: Container, api: httpx.AsyncClient
) -> None:
    a = await new_tenant(rt.db, rt.clock)
    b = await new_tenant(rt.db, rt.clock)
    conv_a = await chat(api, a, f"mail {EMAIL}")
    assert await rt.privacy.find(b.id, "email", EMAIL, actor="cli") == []
    assert await rt.privacy.find(b.id, "conversation", str(conv_a["id"]), actor="cli") == []
    assert await rt.privacy.delete(b.id, "conversation", str(conv_a["id"]), actor="cli") == {}
    assert (await rt.privacy.export(b.id, "email", EMAIL, actor="cli"))["conversations"] == []
    with pytest.raises(LookupError):
        await rt.privacy.transcript(b.id, conv_a["id"], "txt")
    assert await exists(rt.db, conv_a["id"])
    assert await rt.privacy.delete_conversation(b.id, conv_a["id"], actor="cli") is None
    assert await exists(rt.db, conv_a["id"])


async def test_no_audit_entry_holds_personal_data(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant
) -> None:
    conv = await chat(api, tenant, f"{EMAIL} {PHONE} ordre 104000999")
    other = await chat(api, tenant, "hej")
    user = uuid.uuid4()
    actor = audit.user_actor(user)
    await rt.privacy.find(tenant.id, "email", EMAIL, actor=actor)
    await rt.privacy.export(tenant.id, "phone", PHONE, actor=actor)
    await rt.privacy.transcript(tenant.id, conv["id"], "html")
    await rt.privacy.retention.set_retention(tenant.id, 30, 60, actor=actor)
    await rt.privacy.delete(tenant.id, "order_number", "104000999", actor=actor)
    await rt.privacy.delete_conversation(tenant.id, other["id"])
    entries = await audit_of(rt.db, tenant.id)
    assert len(entries) == 7  # the delete by order number: its search, then its deletion
    dump = json.dumps([audit.entry_dict(e) for e in entries]).lower()
    for value in (
        "mette",
        "skovgaard",
        "example.dk",
        "31415926",
        "31 41 59 26",
        "104000999",
        str(conv["id"]),
        str(other["id"]),
    ):
        assert value not in dump, value


def test_entries_that_could_carry_personal_data_are_refused() -> None:
    check = audit.check_entry
    check("visitor", audit.TRANSCRIPT_DOWNLOADED, "a" * 64, {"format": "html"})
    check("user:" + str(uuid.uuid4()), audit.PRIVACY_SEARCH, None, {"by": "email", "matches": 3})
    bad = [
        ("anna@example.com", audit.PRIVACY_SEARCH, None, {}),
        ("visitor", "free text action", None, {}),
        ("visitor", audit.PRIVACY_SEARCH, "anna@example.com", {}),
        ("visitor", audit.PRIVACY_SEARCH, None, {"value": "anna@example.com"}),
        ("visitor", audit.PRIVACY_SEARCH, None, {"by": "Anna Jensen"}),
        ("visitor", audit.PRIVACY_SEARCH, None, {"ids": ["x"]}),
        ("visitor", audit.PRIVACY_SEARCH, None, {"conversation": str(uuid.uuid4())}),
        ("visitor", audit.PRIVACY_SEARCH, None, {"Bad Key": 1}),
    ]
    for args in bad:
        with pytest.raises(audit.AuditError):
            check(*args)


async def test_reading_the_audit_log_per_tenant_and_all(
    rt: Container, api: httpx.AsyncClient
) -> None:
    a = await new_tenant(rt.db, rt.clock)
    b = await new_tenant(rt.db, rt.clock)
    await rt.privacy.find(a.id, "email", EMAIL, actor="cli")
    rt.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await rt.privacy.find(b.id, "email", EMAIL, actor="cli")
    only_a = await rt.privacy.tenant_audit(a.id)
    assert [e.tenant_id for e in only_a] == [a.id]
    everything = await rt.privacy.all_audit(action=audit.PRIVACY_SEARCH, limit=1000)
    ids = [e.tenant_id for e in everything]
    assert ids.index(b.id) < ids.index(a.id)  # newest first
    assert await rt.privacy.tenant_audit(a.id, action=audit.CONVERSATION_DELETED) == []


async def test_other_features_index_text_and_audit_openings(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant
) -> None:
    conv = await chat(api, tenant, "hej")
    agent = audit.user_actor(uuid.uuid4())
    async with rt.db.transaction() as session:
        assert await rt.privacy.index_text(session, tenant, conv["id"], f"mail: {EMAIL}") == 1
        await rt.privacy.conversation_opened(session, tenant.id, conv["id"], actor=agent)
    assert [s.id for s in await rt.privacy.find(tenant.id, "email", EMAIL, actor=agent)] == [
        conv["id"]
    ]
    opened = await rt.privacy.tenant_audit(tenant.id, action=audit.CONVERSATION_OPENED)
    assert [(e.actor, e.subject_hash) for e in opened] == [
        (agent, rt.privacy.receipt(tenant.id, conv["id"]))
    ]
