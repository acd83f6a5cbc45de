"""The review inbox: what a shop's admin does with the improvement sample.

For each item (a redacted customer question with the bot's guess) the admin confirms the
intent, picks another, creates a new intent, or discards the item. A confirmed item becomes a
training example of its intent, in its language, in the bot's **draft** (`bot.drafts.Drafts`,
the same path the bot builder saves through); publishing the draft (`admin.publishing`) retrains
the classifier in the background and switches the live bot when training succeeded. The bot
learns from the examples like from any other: there is no look-up of reviewed texts, so what it
learns must carry over to new wordings.

Every query is scoped to the tenant; items are found by id and tenant.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.bot.drafts import Drafts, validate_content
from samtale.infra.database import Database
from samtale.kernel.clock import Clock
from samtale.kernel.errors import Conflict, DomainError, Invalid, NotFound
from samtale.model import SampleItem, Tenant

STATUSES = ("new", "confirmed", "discarded")
BANDS = ("high", "medium", "low")
PAGE_SIZE = 50
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class ReviewError(DomainError):
    """A review refused: `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class ReviewItemMissing(ReviewError, NotFound):
    pass


class IntentExists(ReviewError, Conflict):
    pass


class ReviewInvalid(ReviewError, Invalid):
    pass


@dataclass(frozen=True)
class InboxFilter:
    status: str = "new"
    language: str | None = None
    intent: str | None = None  # the bot's guess; "-" for "not understood"
    band: str | None = None
    page: int = 1


@dataclass
class InboxPage:
    items: Sequence[SampleItem]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # per status


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


async def reviewed_texts(db: Database, tenant_id: uuid.UUID) -> set[str]:
    """The texts of the tenant's confirmed items (training examples that came from customers)."""
    async with db.session() as session:
        rows = await session.scalars(
            select(SampleItem.text).where(
                SampleItem.tenant_id == tenant_id, SampleItem.status == "confirmed"
            )
        )
        return set(rows.all())


class Review:
    """A tenant's review inbox (tenant-scoped)."""

    def __init__(self, session: AsyncSession, tenant: Tenant, clock: Clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock

    def _scope(self, f: InboxFilter) -> list[Any]:
        s = SampleItem
        cond: list[Any] = [s.tenant_id == self.tenant.id, s.expires_at > self.clock.now()]
        if f.status in STATUSES:
            cond.append(s.status == f.status)
        if f.language:
            cond.append(s.language == f.language)
        if f.intent == "-":
            cond.append(s.intent.is_(None))
        elif f.intent:
            cond.append(s.intent == f.intent)
        if f.band in BANDS:
            cond.append(s.band == f.band)
        return cond

    async def inbox(self, f: InboxFilter, page_size: int = PAGE_SIZE) -> InboxPage:
        s = SampleItem
        cond = self._scope(f)
        total = int(await self.session.scalar(select(func.count()).where(*cond)) or 0)
        pages = max(1, (total + page_size - 1) // page_size)
        page = min(max(1, f.page), pages)
        order = (
            [s.created_at.desc(), s.id]
            if f.status != "new"
            else [s.confidence, s.created_at.desc(), s.id]
        )
        items = (
            await self.session.scalars(
                select(s)
                .where(*cond)
                .order_by(*order)
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        ).all()
        counted = await self.session.execute(
            select(s.status, func.count())
            .where(s.tenant_id == self.tenant.id, s.expires_at > self.clock.now())
            .group_by(s.status)
        )
        counts = {status: 0 for status in STATUSES}
        counts.update({status: int(n) for status, n in counted})
        return InboxPage(items, total, page, pages, counts)

    async def facets(self) -> tuple[list[str], list[str]]:
        """The languages and the bot's guessed intents among the items (for the filters)."""
        s = SampleItem
        base = [s.tenant_id == self.tenant.id, s.expires_at > self.clock.now()]
        languages = (await self.session.scalars(select(s.language).where(*base).distinct())).all()
        intents = (
            await self.session.scalars(
                select(s.intent).where(*base, s.intent.is_not(None)).distinct()
            )
        ).all()
        return sorted(languages), sorted(i for i in intents if i)

    async def get(self, item_id: uuid.UUID) -> SampleItem:
        item = await self.session.scalar(
            select(SampleItem).where(
                SampleItem.id == item_id,
                SampleItem.tenant_id == self.tenant.id,
                SampleItem.expires_at > self.clock.now(),
            )
        )
        if item is None:
            raise ReviewItemMissing("not_found", "No such item in the review inbox.")
        return item

    async def confirm(self, item_id: uuid.UUID, intent: str | None = None) -> SampleItem:
        """The item is an example of `intent` (by default the bot's guess): add it to the draft."""
        item = await self.get(item_id)
        label = intent or item.intent
        if not label:
            raise ReviewInvalid("intent_required", "Pick the intent this question belongs to.")
        drafts = Drafts(self.session, self.tenant, self.clock)
        working = await drafts.working()
        if working.content.intent(label) is None:
            raise ReviewInvalid("unknown_intent", f"The bot has no intent {label!r}.")
        data = working.content.model_dump(mode="json")
        _add_example(data, label, item.language, item.text)
        await drafts.save_draft(validate_content(data), source="review")
        return self._done(item, "confirmed", label)

    async def create_intent(
        self,
        item_id: uuid.UUID,
        name: str,
        answers: Mapping[str, str],
        description: str = "",
    ) -> SampleItem:
        """A new intent with this question as its first example and the given answers."""
        item = await self.get(item_id)
        name = name.strip().lower()
        if not INTENT_NAME.match(name):
            raise ReviewInvalid(
                "invalid_name",
                "An intent's name is 2–64 lowercase letters, digits and _ (starting with a letter).",
            )
        drafts = Drafts(self.session, self.tenant, self.clock)
        working = await drafts.working()
        if working.content.intent(name) is not None:
            raise IntentExists("intent_exists", f"The bot has an intent {name!r} already.")
        data = working.content.model_dump(mode="json")
        data["intents"].append(
            {
                "name": name,
                "description": description.strip()[:500],
                "examples": {},
                "answers": {
                    lang: [text.strip()]
                    for lang, text in answers.items()
                    if text.strip() and lang in data["languages"]
                },
            }
        )
        _add_example(data, name, item.language, item.text)
        await drafts.save_draft(validate_content(data), source="review")
        return self._done(item, "confirmed", name)

    async def discard(self, item_id: uuid.UUID) -> SampleItem:
        return self._done(await self.get(item_id), "discarded", None)

    async def reopen(self, item_id: uuid.UUID) -> SampleItem:
        """Back to the inbox (an example already added stays in the draft)."""
        return self._done(await self.get(item_id), "new", None)

    def _done(self, item: SampleItem, status: str, label: str | None) -> SampleItem:
        item.status = status
        item.label = label
        item.reviewed_at = self.clock.now() if status != "new" else None
        return item

    async def accuracy(self) -> tuple[int, int]:
        """(reviewed items the bot had guessed right, reviewed items with a label)."""
        s = SampleItem
        rows = await self.session.execute(
            select(s.intent == s.label, func.count())
            .where(s.tenant_id == self.tenant.id, s.status == "confirmed", s.label.is_not(None))
            .group_by(s.intent == s.label)
        )
        right = total = 0
        for same, n in rows:
            total += int(n)
            if same:
                right += int(n)
        return right, total


def _add_example(data: dict[str, Any], intent: str, language: str, text: str) -> None:
    """Add `text` to the intent's examples in `language`, unless some intent has it already
    (then it moves: the same text under two intents would teach the bot nothing)."""
    key = _normal(text)
    for other in data["intents"]:
        for lang, texts in list(other.get("examples", {}).items()):
            kept = [t for t in texts if _normal(t) != key]
            if len(kept) != len(texts):
                other["examples"][lang] = kept
    target = next(i for i in data["intents"] if i["name"] == intent)
    target.setdefault("examples", {}).setdefault(language, []).append(text)
