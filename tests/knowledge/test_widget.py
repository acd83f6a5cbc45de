"""Done when: after `samtale tenant create` and `samtale knowledge add TENANT SITE/sitemap.xml`
against a local site that is not the demo's (Fjellbu), that tenant's widget answers questions
about delivery, returns, payment, warranty and stores from the pages, with a link, through the
visitor API and the real bot (the starter content published at creation). Out-of-scope
questions are not answered from a page; "Did this help?" is counted, with no text."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from samtale.app.container import Container
from samtale.cli.main import app as cli
from samtale.kernel.config import Settings
from samtale.model import InsightEvent, SampleItem
from samtale.tenants.service import tenant_by_slug
from samtale.web.app import create_app
from tests.knowledge.site import Site

runner = CliRunner()

QUESTIONS = {
    "how much does shipping cost": "/help/shipping",
    "can i send back a jacket i don't want": "/help/returns",
    "can I pay with vipps": "/help/payment",
    "how long is the warranty on boots": "/help/warranty",
    "where is your shop in bergen": "/help/stores",
}


@pytest.fixture
def env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, bot_data_dir: Path
) -> Path:
    # The trained starter model and the embeddings are shared with the other bot tests.
    (bot_data_dir / "models").mkdir(parents=True, exist_ok=True)  # a first run has none yet
    (tmp_path / "models").symlink_to(bot_data_dir / "models", target_is_directory=True)
    monkeypatch.setenv("SAMTALE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAMTALE_DATABASE_URL", database_url)
    monkeypatch.setenv("SAMTALE_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("SAMTALE_SHOP_PRIVATE_ADDRESSES", "true")  # the site is on loopback
    monkeypatch.setenv("SAMTALE_BOT_FAST_START", "false")  # the whole model from the start
    return tmp_path


async def _chat(slug: str) -> list[dict[str, Any]]:
    settings = Settings()
    runtime = Container.build(settings)
    await runtime.start()
    try:
        await runtime.responders.wait_ready()
        async with runtime.db.session() as session:
            tenant = await tenant_by_slug(session, slug)
        assert tenant is not None
        transport = httpx.ASGITransport(app=create_app(runtime, manage_runtime=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            r = await c.post(
                f"/api/v1/widget/{tenant.widget_key}/conversations", json={"language": "en"}
            )
            assert r.status_code == 201, r.text
            conv = r.json()
            headers = {"authorization": f"Bearer {conv['token']}"}
            turns = []
            embedder: Any = runtime.knowledge.query_embedder
            for question in [*QUESTIONS, "what is the capital of france"]:
                before = embedder.computed
                r = await c.post(
                    f"/api/v1/conversations/{conv['conversation_id']}/messages",
                    json={"text": question},
                    headers=headers,
                )
                assert r.status_code == 201, r.text
                turns.append(r.json())
                # One embedding per question: the pages are searched with the classifier's.
                assert embedder.computed - before <= 1, question
            # "Did this help?" under the first answer from knowledge: counted, no text.
            answer = next(
                t["replies"][0] for t in turns if (t["replies"][0]["payload"] or {}).get("feedback")
            )
            r = await c.post(
                f"/api/v1/conversations/{conv['conversation_id']}/feedback",
                json={"message_id": answer["id"], "helpful": True},
                headers=headers,
            )
            assert r.status_code == 204, r.text
            async with runtime.db.session() as session:
                kinds = [
                    (e.kind, e.outcome)
                    for e in await session.scalars(
                        select(InsightEvent).where(InsightEvent.tenant_id == tenant.id)
                    )
                ]
                samples = [
                    (item.text, item.page_url)
                    for item in await session.scalars(
                        select(SampleItem).where(SampleItem.tenant_id == tenant.id)
                    )
                ]
            turns.append({"events": kinds, "samples": samples})
            return turns
    finally:
        await runtime.close()


@pytest.mark.slow
def test_after_knowledge_add_the_widget_answers_from_the_shops_pages(env: Path) -> None:
    slug = f"fjellbu-{uuid.uuid4().hex[:6]}"
    r = runner.invoke(
        cli, ["tenant", "create", "--name", "Fjellbu", "--slug", slug, "--language", "en",
              "--language", "nb", "--default-language", "en"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    with Site() as site:
        r = runner.invoke(cli, ["knowledge", "add", slug, f"{site.url}/sitemap.xml"])
        assert r.exit_code == 0, r.output
        assert "pages indexed: 7" in r.output and "passages indexed:" in r.output
        r = runner.invoke(cli, ["knowledge", "list", slug])
        assert r.exit_code == 0 and "sitemap" in r.output and "partial" in r.output, r.output
        r = runner.invoke(cli, ["knowledge", "ask", slug, "can I pay with vipps", "--json"])
        assert r.exit_code == 0, r.output
        asked = json.loads(r.output)
        assert asked["answered"] and asked["url"] == f"{site.url}/help/payment"

        turns = asyncio.run(_chat(slug))
    last = turns.pop()
    events, samples = last["events"], last["samples"]
    for (question, path), turn in zip(QUESTIONS.items(), turns, strict=False):
        [reply] = turn["replies"]
        payload = reply["payload"] or {}
        [card] = payload.get("cards") or [{}]
        assert card.get("url") == site.url + path, (question, reply["text"])
        assert card["type"] == "page" and card["title"] and site.url + path in reply["text"]
        assert payload["feedback"] is True
    off_topic = turns[len(QUESTIONS)]["replies"][0]
    assert "cards" not in (off_topic["payload"] or {}), off_topic
    assert any(outcome == "knowledge" for _kind, outcome in events), events
    assert ("feedback", "helpful") in events
    # The improvement sample keeps the (redacted) question and which page answered it.
    assert ("can I pay with vipps", f"{site.url}/help/payment") in samples, samples
