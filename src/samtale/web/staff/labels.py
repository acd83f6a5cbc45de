"""What the staff read instead of ids: topics, their descriptions, slots, flows, outcomes and
carriers, named in the staff page's language.

Ids (`track_order`, `follow_up`, `gls`) are for the YAML, the API and the classifier; a shop's
people see names. Names come from the shop's own content (each intent's `title` and
`descriptions` per language, each slot's `label`), then from the catalogue
(`kernel/texts/staff.yaml`: `outcome.*`, `slot.*`), then from the carriers' display names; a
shop's own new topic without a name is shown as its id made readable ("Gift wrapping" for
`gift_wrapping`) rather than as the id itself.

The content is the tenant's live bot's (the registry holds it in memory) unless a page passes
the one it shows (a draft)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from samtale.bot.content import Content
from samtale.bot.store import ContentVersions
from samtale.kernel.i18n import catalogue
from samtale.shop.carriers.names import NAMES as CARRIER_NAMES


def humanise(name: str) -> str:
    """`gift_wrapping` → "Gift wrapping" (the last resort for a name nobody wrote)."""
    words = name.replace("_", " ").replace("-", " ").split()
    if not words:
        return name
    text = " ".join(words)
    return text[0].upper() + text[1:]


class StaffLabels:
    def __init__(self, content: Content | None, language: str) -> None:
        self.content = content
        self.language = language
        self._texts = catalogue("staff")

    def _pick(self, names: Mapping[Any, str]) -> str | None:
        return names.get(self.language) or names.get("en") or next(iter(names.values()), None)

    def _text(self, key: str) -> str | None:
        return self._texts.text(key, self.language) if key in self._texts else None

    def topic(self, name: str | None) -> str:
        """A topic (intent) by its name; none is "not understood"."""
        if not name:
            return self._text("labels.no_topic") or "–"
        intent = self.content.intent(name) if self.content else None
        if intent is not None and intent.title and (title := self._pick(intent.title)):
            return title
        return self._text(f"topic.{name}") or humanise(name)

    def topic_description(self, name: str) -> str:
        intent = self.content.intent(name) if self.content else None
        if intent is None:
            return ""
        if intent.descriptions:
            return dict(intent.descriptions).get(self.language, "")  # type: ignore[call-overload]
        return intent.description

    def flow(self, name: str) -> str:
        """A flow by the topic that starts it (flows are the topics' question sequences)."""
        if self.content is not None:
            starter = next((i for i in self.content.intents if i.flow == name), None)
            if starter is not None:
                return self.topic(starter.name)
        return self.topic(name)

    def slot(self, name: str) -> str:
        if self.content is not None:
            for flow in self.content.flows:
                for slot in flow.slots:
                    if slot.name == name and slot.label and (label := self._pick(slot.label)):
                        return label
        return self._text(f"slot.{name}") or humanise(name)

    def outcome(self, code: str | None) -> str:
        if not code:
            return ""
        return self._text(f"outcome.{code}") or humanise(code)

    def message(self, key: str) -> str:
        """One of the bot's system messages (welcome, fallback, …) by its key."""
        return self._text(f"message.{key}") or humanise(key)

    def action(self, name: str) -> str:
        """A shop action (what a flow does at its end), named like the topic of that name."""
        return self.topic(name)

    def validator(self, kind: str) -> str:
        """How a flow's slot checks its answer (text, e-mail, order number, …)."""
        return self._text(f"validator.{kind}") or humanise(kind)

    def prechat_kind(self, kind: str) -> str:
        """A kind of pre-chat field (name, e-mail, order number, …)."""
        return self._text(f"prechat_kind.{kind}") or humanise(kind)

    def carrier(self, code: str | None) -> str:
        if not code:
            return ""
        return CARRIER_NAMES.get(code.lower(), code if not code.islower() else code.upper())

    def context_rows(self, context: Mapping[str, Any] | None) -> list[dict[str, str]]:
        """What the bot found (its flows' results), as (label, value) rows for the console."""
        rows: list[dict[str, str]] = []
        for flow, found in (context or {}).items():
            if not isinstance(found, Mapping):
                continue
            for key, value in found.items():
                if value in (None, "", [], {}):
                    continue
                if isinstance(value, list | tuple) and value and all(map(_is_id, value)):
                    # Files the customer sent (a flow's photo): they are in the transcript;
                    # here only how many, never their ids.
                    n = len(value)
                    shown = self._texts.text("labels.files", self.language, count=n)
                elif isinstance(value, list | tuple):
                    shown = ", ".join(str(v) for v in value if not isinstance(v, dict | list))
                elif isinstance(value, Mapping):
                    continue
                else:
                    shown = str(value)
                if key == "carrier":
                    shown = self.carrier(shown)
                if shown:
                    rows.append(
                        {"topic": self.flow(str(flow)), "label": self.slot(key), "value": shown}
                    )
        return rows[:30]


def _is_id(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def live_content(request: Request, tenant_id: uuid.UUID | None) -> Content | None:
    """The tenant's live bot's content, when this instance has it loaded."""
    if tenant_id is None:
        return None
    runtime = getattr(request.app.state, "runtime", None)
    registry = getattr(runtime, "responders", None)
    bot = getattr(registry, "bot", None)
    if bot is None:
        return None
    found = bot(tenant_id)
    content = getattr(found, "content", None)
    return content if isinstance(content, Content) else None


async def published_content(runtime: Any, tenant_id: uuid.UUID) -> Content | None:
    """The tenant's published content, read from the database (an instance that has not
    loaded the tenant's bot, or runs without the trained bots)."""
    async with runtime.db.session() as session:
        row = await ContentVersions(session, tenant_id).published()
    if row is None:
        return None
    try:
        return Content.model_validate(row.content)
    except ValueError:
        return None


async def labels_of(request: Request, tenant_id: uuid.UUID, language: str) -> StaffLabels:
    """Labels from the live bot's content, else the published content in the database."""
    content = live_content(request, tenant_id)
    if content is None:
        content = await published_content(request.app.state.runtime, tenant_id)
    return StaffLabels(content, language)


def labels_for(
    request: Request, tenant_id: uuid.UUID | None, language: str, content: Content | None = None
) -> StaffLabels:
    return StaffLabels(content or live_content(request, tenant_id), language)
