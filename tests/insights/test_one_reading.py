"""A turn reads its text for personal data once, off the event loop, before its transaction; the
identifier index and the improvement sample both use that one reading."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import select

import samtale.privacy.inspection as inspection
import samtale.privacy.pii.redactor as redactor
from samtale.model import SampleItem
from samtale.privacy.identifiers import find_conversations
from tests.admin.conftest import AdminEnv
from tests.conftest import start_conversation

TEXT = "my parcel never came, write to jens.hansen@example.com or call +45 22 33 44 55"


async def test_one_reading_serves_the_index_and_the_sample(
    env: AdminEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt, shop = env.runtime, env.shop
    readings: list[tuple[str, bool]] = []
    real = redactor.detect

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        # (text, on the event loop's thread)
        readings.append((text, threading.current_thread() is threading.main_thread()))
        return real(text, *args, **kwargs)

    # Every path to the detector: the inspection's own import and the package's `redact` /
    # `find_identifiers`, which the hooks would fall back to.
    monkeypatch.setattr(inspection, "detect", counting)
    monkeypatch.setattr(redactor, "detect", counting)

    api = env.anonymous()
    conv = await start_conversation(api, shop.widget_key, language="en")
    r = await api.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": TEXT},
        headers=conv["headers"],
    )
    assert r.status_code == 201, r.text

    ours = [r for r in readings if r[0] == TEXT]
    assert len(ours) == 1, readings
    assert ours[0][1] is False  # a worker thread, not the event loop

    async with rt.db.session() as session:
        items = (
            await session.scalars(
                select(SampleItem).where(
                    SampleItem.conversation_id == uuid.UUID(conv["conversation_id"])
                )
            )
        ).all()
        found = await find_conversations(
            session, rt.privacy.secret_key, shop, "email", "jens.hansen@example.com"
        )
    # The fallback question went into the sample, redacted by that one reading …
    assert len(items) == 1
    assert "[EMAIL]" in items[0].text and "jens.hansen" not in items[0].text
    assert "22 33 44 55" not in items[0].text
    # … and its identifiers into the index.
    assert str(conv["conversation_id"]) in {str(c) for c in found}


async def test_a_failing_reading_still_stores_the_turn(
    env: AdminEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hooks read the text themselves when the inspection fails: nothing is lost."""
    rt, shop = env.runtime, env.shop

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("detector down")

    monkeypatch.setattr(inspection, "detect", broken)
    api = env.anonymous()
    conv = await start_conversation(api, shop.widget_key, language="en")
    r = await api.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": TEXT},
        headers=conv["headers"],
    )
    assert r.status_code == 201, r.text
    async with rt.db.session() as session:
        found = await find_conversations(
            session, rt.privacy.secret_key, shop, "email", "jens.hansen@example.com"
        )
        items = (
            await session.scalars(
                select(SampleItem).where(
                    SampleItem.conversation_id == uuid.UUID(conv["conversation_id"])
                )
            )
        ).all()
    assert str(conv["conversation_id"]) in {str(c) for c in found}
    assert len(items) == 1 and "[EMAIL]" in items[0].text
