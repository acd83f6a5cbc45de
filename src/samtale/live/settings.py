"""A shop's settings for talking to a person, as stored in `tenant.settings["live"]`: the
pre-chat form, opening hours and holidays, canned replies, automatic assignment, the grace period
before a disconnected agent's chats go back to the queue, and the idle timeout.

`samtale tenant config` writes them (validated by `LiveConfigFile`, which also carries agents'
languages and capacity — those live on the users); the admin pages will edit the same model.
Invalid stored settings never break the chat: they are logged by tenant id and the defaults
serve instead.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from samtale.kernel.languages import LANGUAGES, Language
from samtale.kernel.logs import get_logger
from samtale.kernel.text import EMAIL_PATTERN
from samtale.model import Tenant

log = get_logger(__name__)

FieldKind = Literal["name", "email", "phone", "order_number", "text", "textarea", "choice"]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OUTCOMES = ("resolved", "follow_up", "not_resolved", "no_response", "spam")
RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]

# The widest an answer may be, per kind (a description is a few sentences, not an essay).
MAX_LENGTH: dict[str, int] = {
    "name": 100,
    "email": 254,
    "phone": 40,
    "order_number": 40,
    "text": 200,
    "textarea": 1000,
    "choice": 32,
}


class ChoiceOption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Code
    label: dict[Language, Label]


class PrechatField(BaseModel):
    """One field of the pre-chat form. Labels of the standard kinds have built-in texts in every
    language; a shop's own labels override them."""

    model_config = ConfigDict(extra="forbid")

    name: Code
    kind: FieldKind = "text"
    required: bool = False
    label: dict[Language, Label] = Field(default_factory=dict)
    options: list[ChoiceOption] = Field(default_factory=list)
    max_length: int | None = Field(default=None, ge=1, le=1000)

    @model_validator(mode="after")
    def _options(self) -> PrechatField:
        if self.kind == "choice" and not 2 <= len(self.options) <= 12:
            raise ValueError("a choice needs 2 to 12 options")
        if self.kind != "choice" and self.options:
            raise ValueError("only a choice has options")
        return self

    @property
    def limit(self) -> int:
        return min(self.max_length or MAX_LENGTH[self.kind], MAX_LENGTH[self.kind])


class Holiday(BaseModel):
    """A day the team is closed (no `hours`) or open other hours than usual."""

    model_config = ConfigDict(extra="forbid")

    date: date
    hours: list[str] = Field(default_factory=list)
    name: Label | None = None

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: list[str]) -> list[str]:
        return [check_range(r) for r in v]


class CannedReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Label
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    language: Language | None = None


def check_range(value: str) -> str:
    value = value.strip().replace("–", "-").replace(" ", "")
    m = RANGE.match(value)
    if not m:
        raise ValueError(f"opening hours are HH:MM-HH:MM, not {value!r}")
    start = (int(m.group(1)), int(m.group(2)))
    end = (int(m.group(3)), int(m.group(4)))
    if end == (24, 0):
        end = (23, 59)
    if end[0] == 24 or end <= start:
        raise ValueError(f"{value}: the end must come after the start (same day)")
    return value


def parse_range(value: str) -> tuple[time, time]:
    start, end = value.split("-")
    sh, sm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    return time(sh, sm), (time(23, 59, 59) if eh == 24 else time(eh, em))


DEFAULT_FIELDS: list[dict[str, Any]] = [
    {"name": "name", "kind": "name", "required": False},
    {"name": "email", "kind": "email", "required": True},
    {"name": "description", "kind": "textarea", "required": False},
]


class LiveSettings(BaseModel):
    """What `tenant.settings["live"]` holds."""

    model_config = ConfigDict(extra="forbid")

    prechat_fields: list[PrechatField] = Field(
        default_factory=lambda: [PrechatField.model_validate(f) for f in DEFAULT_FIELDS],
        max_length=8,
    )
    # Day → opening hours in the shop's time zone; None: open around the clock (people
    # permitting). A day left out is closed.
    opening_hours: dict[str, list[str]] | None = None
    holidays: list[Holiday] = Field(default_factory=list, max_length=400)
    canned_replies: list[CannedReply] = Field(default_factory=list, max_length=200)
    # Assign each queued conversation to the least busy fitting agent instead of waiting for a
    # claim.
    auto_assign: bool = False
    # How long an agent's console may be gone before their live chats go back to the queue.
    grace_seconds: int = Field(default=120, ge=10, le=3600)
    # How long a queued customer may be gone (no open widget connection, no poll) before they
    # leave the queue; back within it, they keep their place.
    customer_grace_seconds: int = Field(default=120, ge=30, le=3600)
    # A customer silent this long in a live chat is closed with a system line.
    idle_timeout_minutes: int = Field(default=30, ge=1, le=1440)

    @field_validator("prechat_fields")
    @classmethod
    def _unique(cls, v: list[PrechatField]) -> list[PrechatField]:
        names = [f.name for f in v]
        if len(set(names)) != len(names):
            raise ValueError("field names must be unique")
        return v

    @field_validator("opening_hours")
    @classmethod
    def _opening(cls, v: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if v is None:
            return None
        out: dict[str, list[str]] = {}
        for day, ranges in v.items():
            key = day.strip().lower()[:3]
            if key not in DAYS:
                raise ValueError(f"unknown day {day!r}; use {', '.join(DAYS)}")
            out[key] = [check_range(r) for r in ranges]
        return out


class AgentSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(strip_whitespace=True, pattern=EMAIL_PATTERN)]
    languages: list[Language] | None = None
    capacity: int | None = Field(default=None, ge=1, le=50)


class LiveConfigFile(LiveSettings):
    """The YAML file of `samtale tenant config`: the settings, plus the agents' languages and
    capacity (stored on the users) and optionally the shop's time zone."""

    agents: list[AgentSetting] = Field(default_factory=list)
    time_zone: str | None = None

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is None:
            return None
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    def settings(self) -> LiveSettings:
        data = self.model_dump(exclude={"agents", "time_zone"}, mode="json")
        return LiveSettings.model_validate(data)


def live_settings(tenant: Tenant) -> LiveSettings:
    raw = (tenant.settings or {}).get("live")
    if not raw:
        return LiveSettings()
    try:
        return LiveSettings.model_validate(raw)
    except ValidationError as exc:
        log.warning("live_settings_invalid", tenant_id=str(tenant.id), errors=exc.error_count())
        return LiveSettings()


def languages_of(tenant: Tenant) -> list[str]:
    return [lang for lang in tenant.languages if lang in LANGUAGES] or list(LANGUAGES)
