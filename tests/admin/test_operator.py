"""The operator: create a shop with its first admin, suspend and resume it, see its usage,
export its data as one archive, and delete it through the privacy path with a receipt."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from datetime import timedelta

from sqlalchemy import func, select

from samtale.model import AuditEntry, SampleItem, Tenant, User
from tests.admin.conftest import AdminEnv, csrf_of
from tests.admin.test_team import Outbox
from tests.conftest import start_conversation


async def test_create_a_shop_with_its_first_admin(admin_env: AdminEnv) -> None:
    outbox = Outbox()
    admin_env.runtime.admin.mailer = outbox
    op = await admin_env.login("operator")
    form = {
        "csrf": csrf_of(op),
        "name": "Hyggebutikken",
        "slug": "hygge",
        "admin_email": "ejer@hygge.example",
        "languages": ["da", "en"],
        "default_language": "da",
        "allowed_origins": "https://hygge.example",
        "time_zone": "Europe/Copenhagen",
    }
    r = await op.post("/admin/tenants", data=form)
    assert r.status_code == 303 and r.headers["location"] == "/admin/tenants/hygge?created=sent"
    assert outbox.sent[0][0] == "ejer@hygge.example" and "Hyggebutikken" in outbox.sent[0][1]
    async with admin_env.runtime.db.session() as s:
        tenant = await s.scalar(select(Tenant).where(Tenant.slug == "hygge"))
        assert tenant is not None and tenant.allowed_origins == ["https://hygge.example"]
        admin = await s.scalar(select(User).where(User.email == "ejer@hygge.example"))
        assert admin is not None and admin.role == "admin" and admin.tenant_id == tenant.id
        # The starter bot is published with the shop: it answers from the first minute.
        from samtale.bot.store import ContentVersions

        live = await ContentVersions(s, tenant.id).published()
        assert live is not None and live.source == "starter"
    # the same slug again: the error is next to the slug and the form keeps its values
    r = await op.post(
        "/admin/tenants",
        data={**form, "admin_email": "b@hygge.example"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and 'id="f-slug-error"' in r.text and "Hyggebutikken" in r.text
    r = await op.post(
        "/admin/tenants",
        data={**form, "slug": "Bad Slug", "admin_email": "x"},
        headers={"accept-language": "en"},
    )
    assert (
        r.status_code == 422
        and 'id="f-slug-error"' in r.text
        and 'id="f-admin_email-error"' in r.text
    )


async def test_suspend_locks_the_shop_out_and_resume_lets_it_back(admin_env: AdminEnv) -> None:
    op = await admin_env.login("operator")
    admin = await admin_env.login("admin")
    slug = admin_env.shop.slug
    r = await op.post(f"/admin/tenants/{slug}/suspend", data={"csrf": csrf_of(op)})
    assert r.status_code == 303
    assert (await admin.get("/api/v1/me")).status_code == 401
    r = await admin_env.anonymous().post(
        f"/api/v1/widget/{admin_env.shop.widget_key}/conversations",
        headers={"origin": "https://shop.example"},
    )
    assert r.status_code in (403, 404)
    r = await op.post(f"/admin/tenants/{slug}/resume", data={"csrf": csrf_of(op)})
    assert r.status_code == 303
    assert (await (await admin_env.login("admin")).get("/admin")).status_code == 200
    # The shop's own entries (the run's other tests write entries of their own meanwhile).
    log = await op.get("/api/v1/admin/audit", params={"tenant": slug})
    actions = [e["action"] for e in log.json()["entries"]]
    assert "tenant.suspended" in actions and "tenant.resumed" in actions


async def test_usage_export_and_delete_with_a_receipt(admin_env: AdminEnv) -> None:
    visitor = admin_env.anonymous()
    conv = await start_conversation(visitor, admin_env.shop.widget_key)
    r = await visitor.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": "hej, hvor er min pakke?"},
        headers=conv["headers"],
    )
    assert r.status_code in (200, 201), r.text
    r = await visitor.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": "Kan jeg få en størrelse større? Tak! ÆØÅ äö"},
        headers=conv["headers"],
    )
    assert r.status_code in (200, 201), r.text
    from samtale.admin.tenants import usage
    from samtale.model import Message

    async with admin_env.runtime.db.session() as session:
        texts = (
            await session.scalars(
                select(Message.text).where(Message.tenant_id == admin_env.shop.id)
            )
        ).all()
        used = (await usage(session, [admin_env.shop.id]))[admin_env.shop.id]
    # The size is that of the stored UTF-8, not the number of characters.
    assert used.messages == len(texts) >= 2
    assert used.message_bytes == sum(len(text.encode()) for text in texts) > sum(map(len, texts))
    async with admin_env.runtime.db.transaction() as session:
        session.add(
            SampleItem(
                id=uuid.uuid4(),
                tenant_id=admin_env.shop.id,
                conversation_id=uuid.UUID(conv["conversation_id"]),
                language="da",
                text="hvor er min pakke?",
                intent="track_order",
                confidence=0.4,
                band="low",
                outcome="answered",
                status="new",
                created_at=admin_env.clock.now(),
                expires_at=admin_env.clock.now() + timedelta(days=90),
            )
        )
    knowledge = admin_env.runtime.knowledge
    source, _report = await knowledge.add_file(
        admin_env.shop.id,
        "levering.md",
        "# Levering\n\nVi leverer på 1-3 hverdage, og fragten koster 49 kr.\n".encode(),
        url="https://shop.example/levering",
    )
    index_folder = knowledge.folder / str(admin_env.shop.id)
    assert index_folder.is_dir()
    op = await admin_env.login("operator")
    slug = admin_env.shop.slug
    listing = await op.get("/admin/tenants", headers={"accept-language": "en"})
    assert admin_env.shop.name in listing.text and admin_env.other.name in listing.text
    page = await op.get(f"/admin/tenants/{slug}", headers={"accept-language": "en"})
    assert "Conversations" in page.text

    archive = await op.get(f"/admin/tenants/{slug}/export.zip")
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        names = set(z.namelist())
        assert {"shop.json", "people.json", "conversations.jsonl", "audit.jsonl"} <= names
        shop = json.loads(z.read("shop.json"))
        assert shop["shop"]["slug"] == slug and shop["counts"]["conversations"] == 1
        people = json.loads(z.read("people.json"))
        assert all("password" not in str(p) for p in people) and len(people) == 2
        lines = z.read("conversations.jsonl").decode().splitlines()
        assert len(lines) == 1 and "hvor er min pakke" in lines[0]
        assert {"insights/events.jsonl", "insights/daily.jsonl", "insights/hourly.jsonl"} <= names
        samples = [json.loads(line) for line in z.read("review_sample.jsonl").splitlines()]
        [sample] = [s for s in samples if s["text"] == "hvor er min pakke?"]
        assert sample["intent"] == "track_order"
        assert "conversation_id" not in sample and "tenant_id" not in sample
        [kept_source] = [json.loads(x) for x in z.read("knowledge/sources.jsonl").splitlines()]
        assert kept_source["id"] == str(source.id)
        pages = [json.loads(x) for x in z.read("knowledge/pages.jsonl").splitlines()]
        assert [p["url"] for p in pages] == ["https://shop.example/levering"]
        passages = z.read("knowledge/passages.jsonl").decode()
        assert "49 kr" in passages and '"vector"' not in passages

    confirm = await op.get(f"/admin/tenants/{slug}/delete", headers={"accept-language": "en"})
    assert (
        confirm.status_code == 200 and "conversations" in confirm.text and "users" in confirm.text
    )
    r = await op.post(
        f"/admin/tenants/{slug}/delete",
        data={"csrf": csrf_of(op), "confirm": "nope"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and "nothing was deleted" in r.text
    r = await op.post(
        f"/admin/tenants/{slug}/delete",
        data={"csrf": csrf_of(op), "confirm": slug},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 200 and "Receipt" in r.text
    flat = " ".join(r.text.split())
    pattern = rf'Messages <code[^>]*>messages</code></td><td class="num">{len(texts)}<'
    assert re.search(pattern, flat), flat
    async with admin_env.runtime.db.session() as s:
        assert await s.get(Tenant, admin_env.shop.id) is None
        n = await s.scalar(
            select(func.count()).select_from(User).where(User.tenant_id == admin_env.shop.id)
        )
        assert n == 0
        kept = await s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.tenant_id == admin_env.shop.id, AuditEntry.action == "tenant.deleted")
        )
        assert kept == 1
        from samtale.model import KnowledgePassage, KnowledgeSource

        for model in (KnowledgeSource, KnowledgePassage):
            n = await s.scalar(
                select(func.count()).select_from(model).where(model.tenant_id == admin_env.shop.id)
            )
            assert n == 0, model
    assert not index_folder.exists()
    # the other shop is untouched
    assert (await op.get(f"/admin/tenants/{admin_env.other.slug}")).status_code == 200


async def test_audit_page_filters_and_exports(admin_env: AdminEnv) -> None:
    admin = await admin_env.login("admin")
    await admin.post(
        "/admin/settings/retention",
        data={
            "csrf": csrf_of(admin),
            "bot_days": "30",
            "agent_keep": "on",
            "sample_days": "90",
            "statistics_months": "25",
        },
    )
    page = await admin.get(
        "/admin/audit?action=retention.changed", headers={"accept-language": "en"}
    )
    assert page.status_code == 200 and "retention.changed" in page.text
    assert admin_env.users["admin"].display_name in page.text
    empty = await admin.get("/admin/audit?action=tenant.deleted")
    assert "retention.changed</code>" not in empty.text
    csv = await admin.get("/admin/audit/export.csv")
    assert (
        csv.status_code == 200
        and csv.text.startswith("created_at,")
        and "retention.changed" in csv.text
    )
    js = await admin.get("/admin/audit/export.json?since=2000-01-01")
    assert js.json()["entries"][0]["action"] == "retention.changed"
    # another shop's admin sees none of it; the operator sees it, by shop too
    other = await admin_env.login("other-admin")
    assert "retention.changed" not in (await other.get("/admin/audit/export.csv")).text
    op = await admin_env.login("operator")
    mine = await op.get(f"/admin/audit?tenant={admin_env.shop.slug}")
    assert "<code>retention.changed</code>" in mine.text
    theirs = await op.get(f"/admin/audit?tenant={admin_env.other.slug}")
    assert "<code>retention.changed</code>" not in theirs.text
