"""The bot's content model: what a shop writes to configure its bot.

Content is data, not code. Every tenant has its own; the demo tenant's lives in
`samtale/content/demo/*.yaml` (several files are merged: `intents:` and `flows:` lists are
concatenated, `messages:` are merged). The admin pages will edit the same model.

An intent has training examples and answers per language. Answers are picked at random among
their variants (seeded, so tests are deterministic). An intent may start a flow (ordered slots the
bot asks for, then an action) or name an action that produces the answer from live data (the
shop integration registers actions such as `track_order`, `payment_methods`, `product_search`);
its own answers are then the text used when the action is unavailable.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from samtale.kernel.languages import LANGUAGES, Language
from samtale.kernel.patterns import pattern_problem

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Button(_Strict):
    """A quick reply. Clicking it sends `text` (or the label) as the customer's message, or,
    with `intent`, triggers that intent directly."""

    label: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    intent: Name | None = None
    text: Text | None = None


Label = Annotated[str, StringConstraints(min_length=1, max_length=120)]


class Intent(_Strict):
    name: Name
    # What the shop's staff read: the topic's name and a line about it, per language (the
    # console and admin show these; `name` is the id for YAML, the API and the classifier).
    title: dict[Language, Label] = Field(default_factory=dict)
    descriptions: dict[Language, Annotated[str, StringConstraints(max_length=500)]] = Field(
        default_factory=dict
    )
    # A note for whoever edits the content (any language; shown when `descriptions` is empty).
    description: str = ""
    examples: dict[Language, list[Text]] = Field(default_factory=dict)
    answers: dict[Language, list[Text]] = Field(default_factory=dict)
    buttons: dict[Language, list[Button]] = Field(default_factory=dict)
    flow: Name | None = None
    action: Name | None = None
    # "knowledge": answered from the shop's pages (the question as the customer wrote it); the
    # intent's own answers are used when the pages hold nothing good enough.
    # "text": the intent's own answers, even though it names an action — the shop's own text
    # in place of the answer from its data (payment methods, delivery prices).
    # None: the action's answer when there is one, else the intent's answers.
    answer_from: Literal["knowledge", "text"] | None = None
    # Built-in behaviour that the dialogue engine gives special meaning to.
    kind: Literal[
        "normal", "handoff", "greeting", "goodbye", "smalltalk", "privacy", "complaint"
    ] = "normal"


class Validator(_Strict):
    # "attachment": the slot is filled by a message that sends a file (a photo of the damage).
    type: Literal[
        "text",
        "regex",
        "email",
        "number",
        "choice",
        "order_number",
        "tracking_number",
        "attachment",
    ]
    pattern: str | None = None
    choices: dict[Language, list[str]] | None = None
    min: float | None = None
    max: float | None = None

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, v: str | None) -> str | None:
        # Checked when saved, run in RE2 (kernel/patterns.py): never a 500, never a stall.
        if v is not None and (problem := pattern_problem(v)):
            raise ValueError(problem)
        return v

    @model_validator(mode="after")
    def _check(self) -> Validator:
        if self.type == "regex" and not self.pattern:
            raise ValueError("a regex validator needs a pattern")
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice validator needs choices")
        return self


class Slot(_Strict):
    name: Name
    # What the staff read for the value the bot asked for (per language; else the catalogue's
    # name for common slots, else the id made readable).
    label: dict[Language, Label] = Field(default_factory=dict)
    prompt: dict[Language, Text]
    reprompt: dict[Language, Text]
    validator: Validator


# A flow whose action is this hands the case, with what the flow collected (the photo too), to
# a person: the bot confirms receipt and offers the handoff.
HANDOFF_ACTION = "handoff"


class Flow(_Strict):
    name: Name
    slots: list[Slot] = Field(min_length=1)
    action: Name
    max_reprompts: int = Field(default=2, ge=0, le=5)


class Content(_Strict):
    """A tenant's whole bot content."""

    languages: list[Language] = Field(default_factory=lambda: list(LANGUAGES))
    default_language: Language = "da"
    intents: list[Intent] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    # System texts per key and language: fallback_rephrase, fallback_offer_person, flow_cancelled,
    # not_configured, action_unavailable, ... (see the demo content for the keys in use).
    messages: dict[str, dict[Language, Text]] = Field(default_factory=dict)

    @field_validator("intents")
    @classmethod
    def _unique_intents(cls, v: list[Intent]) -> list[Intent]:
        names = [i.name for i in v]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"intent names must be unique: {sorted(dupes)}")
        return v

    @model_validator(mode="after")
    def _flows_exist(self) -> Content:
        flows = {f.name for f in self.flows}
        missing = {i.flow for i in self.intents if i.flow and i.flow not in flows}
        if missing:
            raise ValueError(f"intents refer to unknown flows: {sorted(missing)}")
        return self

    def intent(self, name: str) -> Intent | None:
        return next((i for i in self.intents if i.name == name), None)

    def flow(self, name: str) -> Flow | None:
        return next((f for f in self.flows if f.name == name), None)

    def message(self, key: str, language: str) -> str:
        return localized(self.messages.get(key, {}), language, self.default_language) or key

    def training_rows(self, language: str | None = None) -> list[tuple[str, str, str]]:
        """(text, intent, language) for every example, optionally of one language."""
        return [
            (text, intent.name, lang)
            for intent in self.intents
            for lang, texts in intent.examples.items()
            if language is None or lang == language
            for text in texts
        ]


T = TypeVar("T")


def localized(
    texts: Mapping[Any, T], language: str, fallback_language: str | None = None
) -> T | None:
    """The entry for `language`, else for `fallback_language`, else the first (keys are language
    codes; a plain `str` reads them)."""
    found = texts.get(language) or (texts.get(fallback_language) if fallback_language else None)
    return found if found is not None else next(iter(texts.values()), None)


def merge_documents(docs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"intents": [], "flows": [], "messages": {}}
    for doc in docs:
        for key, value in (doc or {}).items():
            if key in ("intents", "flows"):
                merged[key].extend(value or [])
            elif key == "messages":
                for msg_key, texts in (value or {}).items():
                    merged["messages"].setdefault(msg_key, {}).update(texts)
            else:
                merged[key] = value
    return merged


def load_content(path: Path) -> Content:
    """Load content from one YAML file or a folder of them (merged in name order)."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    docs = [yaml.safe_load(f.read_text(encoding="utf-8")) for f in files]
    return Content.model_validate(merge_documents(docs))


def dump_content(content: Content) -> str:
    return yaml.safe_dump(
        content.model_dump(mode="json", exclude_defaults=True),
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )


# A new shop's first content (greeting, goodbye, asking for a person, the system texts).
STARTER_CONTENT_DIR = Path(__file__).resolve().parent / "starter"
