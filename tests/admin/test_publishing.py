"""Drafts and publishing: a save never changes the live bot; publishing trains in the
background, switches only when training succeeded, and keeps each version's evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from samtale.admin.publishing import PublishError
from samtale.app.container import Container
from samtale.bot.drafts import Drafts, starter_content
from samtale.bot.registry import BotRegistry
from samtale.conversations.responder import ConversationContext, IncomingMessage
from samtale.infra.database import Database
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from tests.admin.small_bot import SMALL_BOT, small_bot
from tests.conftest import new_tenant

SMALL: dict[str, Any] = SMALL_BOT


@pytest.fixture
async def bot_env(make_runtime: Any, database_url: str, bot_data_dir: Path) -> Any:
    clock = ManualClock()
    db = Database(database_url)
    registry = BotRegistry(db, bot_data_dir / "models", fast_start=False)
    rt: Container = await make_runtime(
        database_url, clock=clock, registry=registry, db=db, folder=bot_data_dir
    )
    await registry.refresh()
    tenant = await new_tenant(rt.db, clock, languages=["da", "en"])
    return rt, tenant


async def ask(rt: Container, tenant: Tenant, text: str) -> tuple[str, str | None]:
    import uuid

    bot = rt.responders.for_tenant(tenant.id)
    conv = ConversationContext(uuid.uuid4(), tenant.id, "da", "bot", False, {}, rt.clock.now())
    replies = await bot.respond(conv, IncomingMessage(uuid.uuid4(), text, rt.clock.now()))
    return replies[0].text, conv.notes.intent


def test_starter_content_names_no_shop() -> None:
    content = starter_content(["da", "en"], "en")
    assert content.languages == ["da", "en"] and content.default_language == "en"
    assert {i.name for i in content.intents} == {
        "greeting",
        "goodbye",
        "thanks",
        "what_can_you_do",
        "talk_to_person",
        "track_order",
        "complaint",
    }
    text = content.model_dump_json()
    assert "Nordhjem" not in text and "Nora" not in text and '"fi"' not in text


async def test_save_then_publish_switches_the_live_bot(bot_env: Any) -> None:
    rt, tenant = bot_env
    admin = rt.admin
    async with rt.db.transaction() as s:
        working = await Drafts(s, tenant, rt.clock).working()
        assert working.draft is None and working.published is None
        row = await Drafts(s, tenant, rt.clock).save_draft(small_bot())
        version = row.version
    # A save is a draft: the live bot is unchanged (not configured).
    assert rt.responders.bot(tenant.id) is None

    job = await admin.publisher.start(tenant.id, version)
    await admin.publisher.wait()
    async with rt.db.session() as s:
        done = await admin.publisher.get(s, tenant.id, job.id)
        assert done is not None
        assert done.status == "succeeded", done.error
        assert done.evaluation and set(done.evaluation["languages"]) == {"da", "en"}
        assert set(done.evaluation["intents"]) == {"opening_hours", "gift_cards"}
    text, intent = await ask(rt, tenant, "kan man købe gavekort hos jer")
    assert intent == "gift_cards" and "gavekort" in text

    # Editing again makes a draft; the live version stays, and one intent cannot be published.
    async with rt.db.transaction() as s:

        def drop_gift_cards(data: dict[str, Any]) -> None:
            data["intents"] = [i for i in data["intents"] if i["name"] != "gift_cards"]

        draft = await Drafts(s, tenant, rt.clock).update(drop_gift_cards)
        assert draft.status == "draft" and draft.version == version + 1
    with pytest.raises(PublishError) as err:
        await admin.publisher.start(tenant.id, draft.version)
    assert err.value.code == "content_invalid"
    async with rt.db.session() as s:
        working = await Drafts(s, tenant, rt.clock).working()
        assert working.published is not None and working.published.version == version
        assert working.draft is not None and len(working.content.intents) == 1
    assert (await ask(rt, tenant, "gift card please"))[1] == "gift_cards"


async def test_publish_refuses_content_with_errors(bot_env: Any) -> None:
    rt, tenant = bot_env
    data = small_bot().model_dump(mode="json")
    del data["intents"][0]["answers"]["en"]
    from samtale.bot.content import Content

    async with rt.db.transaction() as s:
        row = await Drafts(s, tenant, rt.clock).save_draft(Content.model_validate(data))
    with pytest.raises(PublishError) as err:
        await rt.admin.publisher.start(tenant.id, row.version)
    assert err.value.code == "content_invalid"
    assert any("no answer in en" in p for p in err.value.problems)


async def test_publish_and_restore_through_the_pages(admin_env: Any) -> None:
    """Publish from the pages, change and publish again, then restore the first version in one
    click: it goes live again with the evaluation it had."""
    from tests.admin.conftest import csrf_of

    client = await admin_env.login("admin")
    publisher = admin_env.runtime.admin.publisher
    assert (await client.put("/api/v1/admin/bot/draft", json=SMALL)).status_code == 200
    r = await client.post("/admin/bot/publish", data={"csrf": csrf_of(client)})
    assert r.status_code == 303 and r.headers["location"] == "/admin/bot/versions"
    await publisher.wait()
    job = (await client.get("/api/v1/admin/bot/publish/latest")).json()
    assert job["status"] == "succeeded" and job["evaluation"]["accuracy"] > 0.5

    changed = {**SMALL, "intents": [dict(SMALL["intents"][0]), dict(SMALL["intents"][1])]}
    changed["intents"][0]["description"] = "Opening hours, changed"
    await client.put("/api/v1/admin/bot/draft", json=changed)
    r = await client.post(
        "/api/v1/admin/bot/publish", json={}, headers={"x-csrf-token": csrf_of(client)}
    )
    assert r.status_code == 202
    await publisher.wait()
    versions = await client.get("/admin/bot/versions", headers={"accept-language": "en"})
    assert "Restore" in versions.text and "v1" in versions.text

    r = await client.post("/admin/bot/versions/1/restore", data={"csrf": csrf_of(client)})
    assert r.status_code == 303 and r.headers["location"] == "/admin/bot/versions?restored=1"
    await publisher.wait()
    draft = (await client.get("/api/v1/admin/bot/draft")).json()
    assert draft["published_version"] == 3 and not draft["is_draft"]
    assert draft["content"]["intents"][0].get("description", "") == ""
    published = [
        e
        for e in (await client.get("/api/v1/admin/audit")).json()["entries"]
        if e["action"] == "bot.published"
    ]
    assert sorted(e["details"]["version"] for e in published) == [1, 2, 3]
    assert {e["actor"] for e in published} == {f"user:{admin_env.users['admin'].id}"}
    restored = (await client.get("/api/v1/admin/bot/publish/latest")).json()
    assert restored["status"] == "succeeded" and restored["evaluation"] == job["evaluation"]
    # A second publish while one runs is refused.
    await client.put("/api/v1/admin/bot/draft", json=changed)
    first = await client.post(
        "/api/v1/admin/bot/publish", json={}, headers={"x-csrf-token": csrf_of(client)}
    )
    second = await client.post(
        "/api/v1/admin/bot/publish", json={}, headers={"x-csrf-token": csrf_of(client)}
    )
    assert first.status_code == 202 and second.status_code == 409
    await publisher.wait()


async def test_try_it_answers_from_the_draft_and_keeps_nothing(admin_env: Any) -> None:
    from sqlalchemy import func, select

    from samtale.model import Conversation
    from tests.admin.conftest import csrf_of

    client = await admin_env.login("admin")
    await client.put("/api/v1/admin/bot/draft", json=SMALL)
    headers = {"x-csrf-token": csrf_of(client)}
    r = await client.post(
        "/api/v1/admin/bot/try", json={"text": "sælger I gavekort?", "state": {}}, headers=headers
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["intent"] == "gift_cards" and "gavekort" in out["replies"][0]["text"]
    r = await client.post(
        "/api/v1/admin/bot/try",
        json={"text": "when are you open", "state": out["state"], "language": "en"},
        headers=headers,
    )
    assert r.json()["intent"] == "opening_hours" and r.json()["language"] == "en"
    # The live bot was never published, and no conversation was stored.
    assert (await client.get("/api/v1/admin/bot/draft")).json()["published_version"] is None
    async with admin_env.runtime.db.session() as s:
        stored = select(func.count()).select_from(Conversation)
        assert await s.scalar(stored.where(Conversation.tenant_id == admin_env.shop.id)) == 0
    # The agent may not try the admin's draft.
    agent = await admin_env.login("agent")
    r = await agent.post(
        "/api/v1/admin/bot/try",
        json={"text": "hej"},
        headers={"x-csrf-token": csrf_of(agent)},
    )
    assert r.status_code == 403


async def test_an_evaluation_a_restart_interrupts_is_resumed(bot_env: Any) -> None:
    """The version goes live, then the server stops while its evaluation runs: the evaluation
    waits in the database and the next start finishes it; a dead instance's lease runs out."""
    import asyncio

    from sqlalchemy import update

    from samtale.admin.publishing import EVALUATION_LEASE, Publisher
    from samtale.model import BotPublishJob

    rt, tenant = bot_env
    first = rt.admin.publisher
    async with rt.db.transaction() as s:
        version = (await Drafts(s, tenant, rt.clock).save_draft(small_bot())).version
    started = asyncio.Event()

    async def endless(*_a: Any) -> None:
        started.set()
        await asyncio.Event().wait()

    first._evaluate = endless  # type: ignore[method-assign]
    job = await first.start(tenant.id, version)
    await asyncio.wait_for(started.wait(), 120)

    async def state() -> BotPublishJob:
        async with rt.db.session() as s:
            row = await first.get(s, tenant.id, job.id)
            assert row is not None
            return row

    row = await state()
    assert (row.status, row.stage, row.evaluation_state) == ("running", "evaluating", "running")
    assert rt.responders.bot(tenant.id) is not None  # the version is live already
    await first.close()  # the server stops
    row = await state()
    assert (row.status, row.evaluation_state, row.evaluation) == ("running", "queued", None)

    # The next start (a new process: a new publisher on the same database) resumes it.
    def restart() -> Publisher:
        return Publisher(rt.db, rt.clock, rt.ids, rt.responders, first.data_dir)

    second = restart()
    assert await second.resume_evaluations() == 1
    await second.wait()
    row = await state()
    assert (row.status, row.stage, row.evaluation_state) == ("succeeded", "done", "done")
    assert row.evaluation and set(row.evaluation["languages"]) == {"da", "en"}
    assert await second.resume_evaluations() == 0

    # An instance that died mid-evaluation holds it only until its lease runs out.
    async with rt.db.transaction() as s:
        await s.execute(
            update(BotPublishJob)
            .where(BotPublishJob.id == job.id)
            .values(
                status="running",
                stage="evaluating",
                evaluation=None,
                evaluation_state="running",
                evaluation_lease=rt.clock.now() + EVALUATION_LEASE,
            )
        )
    third, fourth = restart(), restart()
    assert await third.resume_evaluations() == 0
    rt.clock.advance(EVALUATION_LEASE + EVALUATION_LEASE / 9)
    # Two instances look at once: one of them takes it.
    claims = await asyncio.gather(third._claim(job.id), fourth._claim(job.id))
    assert sorted(claims) == [False, True]
    rt.clock.advance(EVALUATION_LEASE * 2)
    assert await third.resume_evaluations() == 1
    await third.wait()
    row = await state()
    assert (row.status, row.evaluation_state) == ("succeeded", "done") and row.evaluation
