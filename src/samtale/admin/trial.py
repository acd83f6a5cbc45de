"""The bot builder's "try it" chat: the draft content answers, not the live bot.

The draft is trained in a worker thread the first time it is tried and kept by its content's
SHA-256 (the trained model is saved like a published one's, so publishing the same content later
trains nothing). A few bots are kept in memory, least recently used first out. Nothing of the
test chat is stored: the dialogue state travels with each request, and asking for a person
answers with the content's text for that instead of queueing anybody.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samtale.bot.actions import ActionRegistry
from samtale.bot.content import Content
from samtale.bot.dialogue import Bot
from samtale.bot.profile import profile_of
from samtale.bot.store import content_sha
from samtale.conversations.notes import TurnNotes
from samtale.conversations.responder import ConversationContext, IncomingMessage
from samtale.kernel.clock import Clock
from samtale.model import Tenant

KEEP = 6


@dataclass
class TrialTurn:
    replies: list[dict[str, Any]]
    state: dict[str, Any]
    language: str
    notes: TurnNotes = field(default_factory=TurnNotes)


class TrialBots:
    def __init__(self, clock: Clock, models_dir: Path, actions: ActionRegistry) -> None:
        self.clock = clock
        self.models_dir = models_dir
        self.actions = actions
        self._bots: OrderedDict[tuple[uuid.UUID, str], Bot] = OrderedDict()
        self._locks: dict[tuple[uuid.UUID, str], asyncio.Lock] = {}

    def is_ready(self, tenant_id: uuid.UUID, content: Content) -> bool:
        return (tenant_id, content_sha(content)) in self._bots

    async def bot(self, tenant: Tenant, content: Content) -> Bot:
        from samtale.bot.model import load_or_train

        key = (tenant.id, content_sha(content))
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            bot = self._bots.get(key)
            if bot is None:
                classifier = await asyncio.to_thread(
                    load_or_train, content, key[1], self.models_dir
                )
                # A try-it bot answers from the shop's data but hands nobody to a person.
                bot = Bot(content, classifier, profile_of(tenant), self.actions, None, "draft")
                self._bots[key] = bot
                while len(self._bots) > KEEP:
                    self._bots.popitem(last=False)
            self._bots.move_to_end(key)
        self._locks.pop(key, None)
        return bot

    async def turn(
        self,
        tenant: Tenant,
        content: Content,
        text: str,
        *,
        state: dict[str, Any],
        language: str | None,
        intent: str | None = None,
        trial_id: uuid.UUID | None = None,
    ) -> TrialTurn:
        bot = await self.bot(tenant, content)
        now = self.clock.now()
        conv = ConversationContext(
            id=trial_id or uuid.uuid4(),
            tenant_id=tenant.id,
            language=language or content.default_language,
            state="bot",
            person_involved=False,
            bot_state=dict(state),
            created_at=now,
            page_language=language,
        )
        replies = await bot.respond(
            conv, IncomingMessage(id=uuid.uuid4(), text=text, created_at=now, intent=intent)
        )
        return TrialTurn(
            replies=[
                {"text": r.text, "buttons": (r.payload or {}).get("buttons", [])} for r in replies
            ],
            state=conv.bot_state,
            language=conv.language,
            notes=conv.notes,
        )
