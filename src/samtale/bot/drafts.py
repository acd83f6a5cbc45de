"""The bot builder's content: the draft an admin edits, on top of the published version.

Every save makes a draft; the live bot changes only when a version is published
(`admin.publishing`). There is at most one draft at a time, the newest version: a save updates
it in place while nobody is publishing it, and otherwise starts a new draft from it, so a version
being trained never changes under the trainer. Published versions before the live one are
archived and stay listed, restorable in one click (restoring copies one into a new draft and
publishes it).

A shop without any content starts from `starter_content`: the system texts in every language
and the intents every bot needs (greeting, thanks, goodbye, what-can-you-do, asking for a person,
order tracking through the shop's connector, complaints with an apology and a person), worded
for any shop. `publish_starter` publishes it when a shop is created, so a new shop's bot answers
from its first minute and the shop edits the starter content like any other.

Other features put content into the draft through `save_draft` too (the review inbox adds
confirmed examples there), so what reaches the live bot always goes through publishing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.bot.content import STARTER_CONTENT_DIR, Content, dump_content, load_content
from samtale.bot.store import ContentVersions, content_sha
from samtale.kernel.clock import Clock
from samtale.kernel.errors import Invalid
from samtale.kernel.languages import LANGUAGES
from samtale.model import BotContentVersion, BotPublishJob, Tenant

STARTER_INTENTS = (
    "greeting",
    "goodbye",
    "talk_to_person",
    "thanks",
    "what_can_you_do",
    "track_order",
    "complaint",
)


def starter_content(languages: Sequence[str], default_language: str) -> Content:
    """A new shop's first content: system texts and the intents every bot needs
    (`bot/starter/starter.yaml`), in the shop's languages."""
    return _starter(tuple(languages), default_language)


@cache
def _starter(languages: tuple[str, ...], default_language: str) -> Content:
    langs = [lang for lang in languages if lang in LANGUAGES] or list(LANGUAGES)
    base = load_content(STARTER_CONTENT_DIR)

    def only(value: Any) -> Any:
        """Every per-language text (a mapping keyed by language codes) in the shop's languages
        only, wherever it sits: examples, answers, buttons, messages, a flow's prompts."""
        if isinstance(value, list):
            return [only(v) for v in value]
        if not isinstance(value, dict):
            return value
        if value and set(value) <= set(LANGUAGES):
            return {lang: only(v) for lang, v in value.items() if lang in langs}
        return {key: only(v) for key, v in value.items()}

    data = only(base.model_dump(mode="json", exclude_defaults=True))
    data["languages"] = langs
    data["default_language"] = default_language if default_language in langs else langs[0]
    return Content.model_validate(data)


async def publish_starter(
    session: AsyncSession, tenant: Tenant, clock: Clock
) -> BotContentVersion | None:
    """Publish the starter content as a new shop's first version (nothing when it has any)."""
    versions = ContentVersions(session, tenant.id)
    if await versions.all():
        return None
    content = starter_content(tenant.languages, tenant.default_language)
    return await versions.save(content, "starter", clock, publish=True)


@dataclass
class Working:
    """What the builder shows: the content being edited and where it comes from."""

    content: Content
    draft: BotContentVersion | None  # the draft, if there is one
    published: BotContentVersion | None  # the live version, if any

    @property
    def version(self) -> int | None:
        row = self.draft or self.published
        return row.version if row else None

    @property
    def is_draft(self) -> bool:
        return self.draft is not None


class ContentError(Invalid):
    """Content that does not validate: `errors` are (location, message, type, ctx)."""

    code = "content_invalid"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("The content does not validate.")
        self.errors = errors


async def _busy(session: AsyncSession, version_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(BotPublishJob.id)
        .where(
            BotPublishJob.version_id == version_id,
            BotPublishJob.status.in_(("queued", "running", "succeeded")),
        )
        .limit(1)
    )
    return found is not None


class Drafts:
    """A tenant's draft and versions (tenant-scoped), for the admin pages."""

    def __init__(self, session: AsyncSession, tenant: Tenant, clock: Clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.versions = ContentVersions(session, tenant.id)

    async def newest(self) -> BotContentVersion | None:
        return await self.session.scalar(
            select(BotContentVersion)
            .where(BotContentVersion.tenant_id == self.tenant.id)
            .order_by(BotContentVersion.version.desc())
            .limit(1)
        )

    async def working(self) -> Working:
        published = await self.versions.published()
        newest = await self.newest()
        draft = newest if newest is not None and newest.status == "draft" else None
        if draft is not None and published is not None and draft.version < published.version:
            draft = None
        row = draft or published
        if row is not None:
            content = Content.model_validate(row.content)
        else:
            content = starter_content(self.tenant.languages, self.tenant.default_language)
        return Working(content, draft, published)

    async def save_draft(self, content: Content, source: str = "admin") -> BotContentVersion:
        """Save `content` as the draft: the current draft is updated unless it is being
        published; otherwise a new draft is made. Nothing changes when the content does not."""
        current = await self.working()
        sha = content_sha(content)
        draft = current.draft
        if draft is not None and draft.sha256 == sha:
            return draft
        if draft is None and current.published is not None and current.published.sha256 == sha:
            return current.published
        if draft is not None and not await _busy(self.session, draft.id):
            draft.content = content.model_dump(mode="json")
            draft.sha256 = sha
            draft.source = source
            draft.created_at = self.clock.now()
            await self.session.flush()
            return draft
        return await self.versions.save(content, source, self.clock)

    async def update(self, change: Callable[[dict[str, Any]], None]) -> BotContentVersion:
        """Apply `change` to the working content's JSON, validate, and save it as the draft."""
        current = await self.working()
        data = current.content.model_dump(mode="json")
        change(data)
        return await self.save_draft(validate_content(data))

    async def discard_draft(self) -> bool:
        current = await self.working()
        if current.draft is None or await _busy(self.session, current.draft.id):
            return False
        await self.session.delete(current.draft)
        await self.session.flush()
        return True

    async def all(self) -> Sequence[BotContentVersion]:
        return await self.versions.all()

    async def get(self, version: int) -> BotContentVersion | None:
        return await self.session.scalar(
            select(BotContentVersion).where(
                BotContentVersion.tenant_id == self.tenant.id,
                BotContentVersion.version == version,
            )
        )


def validate_content(data: Any) -> Content:
    try:
        return Content.model_validate(data)
    except ValidationError as exc:
        raise ContentError([dict(e) for e in exc.errors(include_url=False)]) from None


def content_from_yaml(text: str) -> Content:
    """Parse the YAML view (or an imported file) into the content model."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ContentError(
            [{"loc": (), "msg": f"{where}{problem}", "type": "yaml", "ctx": {}}]
        ) from None
    if not isinstance(data, dict):
        raise ContentError(
            [{"loc": (), "msg": "the content is a mapping (languages, intents …)", "type": "yaml"}]
        )
    return validate_content(data)


def content_to_yaml(content: Content) -> str:
    return dump_content(content)
