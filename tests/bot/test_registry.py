"""The bot registry: ready only when every tenant's bot is loaded, trained models persisted and
reloaded without training, and new content swapped in without interrupting the old bot."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from samtale.bot import model as bot_model
from samtale.bot.content import Content
from samtale.bot.registry import BotRegistry
from samtale.bot.store import ContentVersions
from samtale.conversations.responder import ConversationContext, IncomingMessage
from samtale.kernel.clock import ManualClock
from samtale.kernel.i18n import catalogue
from samtale.web.app import create_app
from tests.conftest import new_tenant


def small_content(greeting: str = "Hej! Hvad kan jeg hjælpe med?") -> Content:
    return Content.model_validate(
        {
            "languages": ["da", "en"],
            "default_language": "da",
            "intents": [
                {
                    "name": "greeting",
                    "kind": "greeting",
                    "examples": {
                        "da": ["hej", "goddag", "hejsa", "hallo", "god morgen", "hey"],
                        "en": ["hi", "hello", "good morning", "hey there", "howdy", "hiya"],
                    },
                    "answers": {"da": [greeting], "en": ["Hi! How can I help?"]},
                },
                {
                    "name": "returns",
                    "examples": {
                        "da": [
                            "hvordan returnerer jeg",
                            "retur",
                            "kan jeg sende varen tilbage",
                            "returnering af vare",
                            "fortryd køb",
                            "returret",
                        ],
                        "en": [
                            "how do I return",
                            "returns",
                            "can I send it back",
                            "return an item",
                            "return policy",
                            "send back my order",
                        ],
                    },
                    "answers": {
                        "da": ["Du returnerer på vores returside."],
                        "en": ["Use our returns page."],
                    },
                },
                {
                    "name": "delivery",
                    "examples": {
                        "da": [
                            "hvad koster fragt",
                            "levering",
                            "leveringstid",
                            "hvornår kommer varen",
                            "fragtpris",
                            "hvor hurtigt leverer i",
                        ],
                        "en": [
                            "shipping cost",
                            "delivery",
                            "delivery time",
                            "when will it arrive",
                            "how fast do you ship",
                            "shipping price",
                        ],
                    },
                    "answers": {
                        "da": ["Levering tager 1-3 dage."],
                        "en": ["Delivery takes 1-3 days."],
                    },
                },
            ],
            "messages": {"fallback_rephrase": {"da": "Prøv igen.", "en": "Try again."}},
        }
    )


async def _tenant_with(db: Any, content: Content) -> Any:
    clock = ManualClock()
    tenant = await new_tenant(db, clock, languages=["da", "en"])
    async with db.transaction() as s:
        await ContentVersions(s, tenant.id).save(content, "import", clock, publish=True)
    return tenant


async def ask(registry: BotRegistry, tenant_id: Any, text: str) -> str:
    import uuid

    conv = ConversationContext(uuid.uuid4(), tenant_id, "da", "bot", False, {}, ManualClock().now())
    replies = await registry.for_tenant(tenant_id).respond(
        conv, IncomingMessage(uuid.uuid4(), text, conv.created_at)
    )
    return replies[0].text


async def test_healthz_waits_until_every_bot_is_loaded(
    make_runtime, database_url: str, bot_data_dir: Path, monkeypatch
) -> None:
    gate = threading.Event()
    real = bot_model.load_or_train

    def slow_load(*args: Any, **kwargs: Any) -> Any:
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr("samtale.bot.registry.load_or_train", slow_load)
    probe = await make_runtime(database_url)
    tenant = await _tenant_with(probe.db, small_content())
    registry_box: dict[str, BotRegistry] = {}

    def registry(rt: Any) -> BotRegistry:
        # Every tenant of the shared test database is loaded: use the tests' model cache.
        registry_box["r"] = BotRegistry(rt.db, bot_data_dir / "models", fast_start=False)
        return registry_box["r"]

    rt = await make_runtime(database_url, registry=registry(probe))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(rt, manage_runtime=False)), base_url="http://t"
    ) as c:
        r = await c.get("/healthz")
        assert r.status_code == 503 and r.json()["checks"]["bot"] is False
        # A customer who writes meanwhile is told the assistant is starting, never that it is
        # not configured; one who writes just before the bot is there gets its answer.
        registry_box["r"].starting_wait = 0.3
        assert await ask(registry_box["r"], tenant.id, "hejsa") == catalogue("system").text(
            "starting", "da"
        )
        registry_box["r"].starting_wait = 120
        waiting = asyncio.create_task(ask(registry_box["r"], tenant.id, "hejsa"))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        gate.set()
        assert await waiting == "Hej! Hvad kan jeg hjælpe med?"
        await registry_box["r"].wait_ready(120)
        r = await c.get("/healthz")
        assert r.status_code == 200
    assert await ask(registry_box["r"], tenant.id, "hejsa") == "Hej! Hvad kan jeg hjælpe med?"


async def test_models_are_saved_and_loaded_without_training(
    make_runtime, database_url: str, tmp_path: Path, monkeypatch
) -> None:
    rt = await make_runtime(database_url)
    tenant = await _tenant_with(rt.db, small_content())
    first = BotRegistry(rt.db, tmp_path / "models")
    await first.refresh(tenant.id)
    await first.settled()  # the cascade, trained behind the fast path, is what is saved
    assert list((tmp_path / "models").glob("*.model"))
    expected = await ask(first, tenant.id, "hvad koster fragt")

    def no_training(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("trained again instead of loading the saved model")

    monkeypatch.setattr(bot_model, "train", no_training)
    second = BotRegistry(rt.db, tmp_path / "models")
    await second.refresh(tenant.id)
    assert (
        await ask(second, tenant.id, "hvad koster fragt") == expected == "Levering tager 1-3 dage."
    )


async def test_new_content_is_swapped_in_while_the_old_bot_keeps_answering(
    make_runtime, database_url: str, tmp_path: Path, monkeypatch
) -> None:
    rt = await make_runtime(database_url)
    tenant = await _tenant_with(rt.db, small_content())
    registry = BotRegistry(rt.db, tmp_path / "models", fast_start=False)
    await registry.refresh(tenant.id)
    assert await ask(registry, tenant.id, "hej") == "Hej! Hvad kan jeg hjælpe med?"

    async with rt.db.transaction() as s:
        await ContentVersions(s, tenant.id).save(
            small_content("Davs! Sig frem."), "admin", ManualClock(), publish=True
        )
    gate = threading.Event()
    real = bot_model.load_or_train

    def slow_load(*args: Any, **kwargs: Any) -> Any:
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr("samtale.bot.registry.load_or_train", slow_load)
    training = asyncio.create_task(registry.refresh(tenant.id))
    await asyncio.sleep(0.2)
    # Training runs in a worker thread: the old bot still answers meanwhile.
    assert not training.done()
    assert await ask(registry, tenant.id, "hej") == "Hej! Hvad kan jeg hjælpe med?"
    gate.set()
    await training
    assert await ask(registry, tenant.id, "hej") == "Davs! Sig frem."


@pytest.mark.parametrize("broken", ["not a model", ""])
async def test_an_unreadable_model_file_is_retrained(
    make_runtime, database_url: str, tmp_path: Path, broken: str
) -> None:
    rt = await make_runtime(database_url)
    content = small_content()
    tenant = await _tenant_with(rt.db, content)
    from samtale.bot.store import content_sha

    path = bot_model.model_path(tmp_path / "models", content_sha(content))
    path.parent.mkdir(parents=True)
    path.write_text(broken)
    registry = BotRegistry(rt.db, tmp_path / "models", fast_start=False)
    await registry.refresh(tenant.id)
    assert await ask(registry, tenant.id, "levering") == "Levering tager 1-3 dage."


async def test_the_fast_path_answers_while_the_cascade_trains(
    make_runtime, database_url: str, tmp_path: Path, monkeypatch
) -> None:
    rt = await make_runtime(database_url)
    tenant = await _tenant_with(rt.db, small_content())
    gate = threading.Event()
    real = bot_model.load_or_train

    def slow_cascade(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("fast_first"):
            gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr("samtale.bot.registry.load_or_train", slow_cascade)
    registry = BotRegistry(rt.db, tmp_path / "models")
    await registry.refresh(tenant.id)
    bot = registry.bot(tenant.id)
    assert bot is not None and not bot.classifier.has_e5  # the fast path alone, at once
    assert await ask(registry, tenant.id, "hvad koster fragt") == "Levering tager 1-3 dage."
    assert tenant.id in registry.completing
    assert not list((tmp_path / "models").glob("*.model"))
    gate.set()
    await registry.settled(120)
    assert registry.bot(tenant.id) is bot and bot.classifier.has_e5  # swapped in
    assert bot.classifier.has_fast_path
    assert list((tmp_path / "models").glob("*.model"))
    assert await ask(registry, tenant.id, "hvad koster fragt") == "Levering tager 1-3 dage."
