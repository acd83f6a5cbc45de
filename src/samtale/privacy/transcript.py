"""The customer's copy of a conversation: plain text, a printable HTML page, or JSON.

All three hold the whole conversation — every message, and the sections other features add
(the pre-chat answers, given by a `SectionProvider`) — in the customer's language, with times in
the shop's time zone. The HTML page is self-contained (inline CSS, no scripts, no external
resources; a Content-Security-Policy forbids both) and escapes all text. JSON is for machines
(data portability): stable English keys, ISO times with their offset.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime, format_time
from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.kernel.i18n import catalogue
from samtale.model import Conversation, Message, Tenant, User

Format = Literal["txt", "html", "json"]
FORMATS: tuple[Format, ...] = ("txt", "html", "json")
MEDIA_TYPES: dict[str, str] = {
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
JSON_FORMAT = "samtale-transcript"
JSON_VERSION = 1

LOCALES = {"da": "da_DK", "sv": "sv_SE", "nb": "nb_NO", "fi": "fi_FI", "en": "en_GB"}


@dataclass(frozen=True)
class SectionItem:
    label: str
    value: str


@dataclass(frozen=True)
class TranscriptSection:
    """A part of the conversation kept beside its messages (e.g. the pre-chat answers), with
    its title and labels already in the customer's language."""

    key: str
    title: str
    items: tuple[SectionItem, ...]


class SectionProvider(Protocol):
    """Adds sections to transcripts and access-request exports. The handoff registers one for
    the pre-chat answers; providers read inside the caller's session, scoped to the conversation."""

    async def __call__(
        self, session: AsyncSession, conversation: Conversation, language: str
    ) -> Sequence[TranscriptSection]: ...


@dataclass
class Line:
    cursor: int
    author: str
    name: str  # what the transcript calls the author, in the customer's language
    agent_name: str | None
    text: str
    payload: dict[str, Any] | None
    at: datetime  # local time (the shop's time zone)


@dataclass
class Transcript:
    conversation_id: uuid.UUID
    shop_name: str
    shop_slug: str
    language: str
    time_zone: str
    state: str
    person_involved: bool
    started_at: datetime
    last_activity_at: datetime
    generated_at: datetime
    lines: list[Line] = field(default_factory=list)
    sections: list[TranscriptSection] = field(default_factory=list)

    @property
    def texts(self) -> dict[str, str]:
        return catalogue("transcript").language(self.language)

    @property
    def locale(self) -> str:
        return LOCALES.get(self.language, "en_GB")

    @property
    def title(self) -> str:
        return self.texts["title"].format(shop=self.shop_name)

    def when(self, value: datetime) -> str:
        return format_datetime(value, "medium", locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, "full", locale=self.locale)

    def clock(self, value: datetime) -> str:
        return format_time(value, "short", locale=self.locale)

    def days(self) -> list[tuple[str, list[Line]]]:
        """The lines grouped by local day, each day with its heading."""
        out: list[tuple[str, list[Line]]] = []
        current: date | None = None
        for line in self.lines:
            if line.at.date() != current:
                current = line.at.date()
                out.append((self.day(current), []))
            out[-1][1].append(line)
        return out


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def build_transcript(
    session: AsyncSession,
    tenant: Tenant,
    conversation: Conversation,
    now: datetime,
    providers: Sequence[SectionProvider] = (),
) -> Transcript:
    """Read the whole conversation (and the providers' sections) into a `Transcript`."""
    if conversation.tenant_id != tenant.id:
        raise LookupError("conversation not found")
    zone = _zone(tenant.time_zone)
    language = conversation.language if conversation.language in LOCALES else "en"
    texts = catalogue("transcript").language(language)
    messages = (
        await session.scalars(
            select(Message)
            .where(Message.tenant_id == tenant.id, Message.conversation_id == conversation.id)
            .order_by(Message.seq)
        )
    ).all()
    agent_ids = {m.agent_id for m in messages if m.agent_id}
    names: dict[uuid.UUID, str] = {}
    if agent_ids:
        rows = await session.execute(
            select(User.id, User.display_name).where(
                User.tenant_id == tenant.id, User.id.in_(agent_ids)
            )
        )
        names = {r.id: r.display_name for r in rows}
    lines = []
    for m in messages:
        agent_name = names.get(m.agent_id) if m.agent_id else None
        lines.append(
            Line(
                cursor=m.seq,
                author=m.author,
                name=agent_name or texts.get(m.author, m.author),
                agent_name=agent_name,
                text=m.text,
                payload=m.payload,
                at=m.created_at.astimezone(zone),
            )
        )
    sections: list[TranscriptSection] = []
    for provider in providers:
        sections.extend(await provider(session, conversation, language))
    return Transcript(
        conversation_id=conversation.id,
        shop_name=tenant.name,
        shop_slug=tenant.slug,
        language=language,
        time_zone=str(zone.key),
        state=conversation.state,
        person_involved=conversation.person_involved,
        started_at=conversation.created_at.astimezone(zone),
        last_activity_at=conversation.last_activity_at.astimezone(zone),
        generated_at=now.astimezone(zone),
        lines=lines,
        sections=sections,
    )


# Plain text ------------------------------------------------------------------------------


def render_txt(t: Transcript) -> str:
    x = t.texts
    out = [
        t.title,
        "=" * len(t.title),
        f"{x['conversation']}: {t.conversation_id}",
        f"{x['started']}: {t.when(t.started_at)}",
        f"{x['downloaded']}: {t.when(t.generated_at)}",
        f"{x['time_zone']}: {t.time_zone}",
        "",
    ]
    for section in t.sections:
        out += [section.title, "-" * len(section.title)]
        out += [f"{item.label}: {item.value}" for item in section.items]
        out.append("")
    if not t.lines:
        out.append(x["empty"])
    for heading, lines in t.days():
        out += [heading, "-" * len(heading)]
        for line in lines:
            prefix = f"[{t.clock(line.at)}] {line.name}: "
            body = line.text.replace("\r\n", "\n").split("\n")
            out.append(prefix + body[0])
            out += [" " * len(prefix) + rest for rest in body[1:]]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# HTML ------------------------------------------------------------------------------------

_HTML = """<!doctype html>
<html lang="{{ t.language }}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }}</title>
<style>
  :root { color-scheme: light; }
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         color: #1d1d1f; background: #fff; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
  h2 { font-size: 1rem; margin: 1.5rem 0 .5rem; color: #555; border-bottom: 1px solid #ddd; }
  dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
            color: #555; font-size: .9rem; margin: 0 0 1rem; }
  dl.meta dt { font-weight: 600; }
  dl.meta dd { margin: 0; }
  ol.messages { list-style: none; margin: 0; padding: 0; }
  li.message { margin: .4rem 0; padding: .5rem .75rem; border-radius: .6rem;
               background: #f2f2f4; break-inside: avoid; page-break-inside: avoid; }
  li.visitor { background: #e3efff; margin-left: 3rem; }
  li.agent { background: #e8f6ea; }
  li.system { background: #fff6e0; }
  .who { font-weight: 600; font-size: .85rem; }
  time { color: #666; font-size: .8rem; margin-left: .5rem; }
  .text { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: .15rem; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11pt; }
    li.message { border: 1px solid #ccc; background: none; }
    li.visitor { margin-left: 2rem; }
  }
</style>
</head>
<body>
<header>
<h1>{{ t.title }}</h1>
<dl class="meta">
  <dt>{{ x.conversation }}</dt><dd>{{ t.conversation_id }}</dd>
  <dt>{{ x.started }}</dt><dd><time datetime="{{ t.started_at.isoformat() }}">{{ t.when(t.started_at) }}</time></dd>
  <dt>{{ x.downloaded }}</dt><dd><time datetime="{{ t.generated_at.isoformat() }}">{{ t.when(t.generated_at) }}</time></dd>
  <dt>{{ x.time_zone }}</dt><dd>{{ t.time_zone }}</dd>
</dl>
</header>
{% for section in t.sections %}
<section class="extra" data-key="{{ section.key }}">
<h2>{{ section.title }}</h2>
<dl class="meta">
{% for item in section.items %}  <dt>{{ item.label }}</dt><dd>{{ item.value }}</dd>
{% endfor %}</dl>
</section>
{% endfor %}
<main>
{% if not t.lines %}<p>{{ x.empty }}</p>{% endif %}
{% for heading, lines in t.days() %}
<h2>{{ heading }}</h2>
<ol class="messages">
{% for line in lines %}  <li class="message {{ line.author }}"><span class="who">{{ line.name }}</span><time datetime="{{ line.at.isoformat() }}">{{ t.clock(line.at) }}</time><div class="text">{{ line.text }}</div></li>
{% endfor %}</ol>
{% endfor %}
</main>
{% if nonce %}<script nonce="{{ nonce }}">addEventListener("load", function () { print(); });</script>
{% endif %}</body>
</html>
"""

# Nothing runs, nothing loads: only the inline style.
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"

_env = Environment(autoescape=True, trim_blocks=False, lstrip_blocks=False)
_template = _env.from_string(_HTML)


def print_csp(nonce: str) -> str:
    """The print view's policy: the file's, plus the one inline script that opens the print
    dialogue (allowed by its nonce, so nothing else can run)."""
    return f"{HTML_CSP}; script-src 'nonce-{nonce}'"


def render_html(t: Transcript, print_nonce: str | None = None) -> str:
    """The printable page; with `print_nonce`, the print view that opens the print dialogue
    as soon as it has loaded."""
    csp = print_csp(print_nonce) if print_nonce else HTML_CSP
    return _template.render(t=t, x=t.texts, csp=csp, nonce=print_nonce)


# JSON ------------------------------------------------------------------------------------


def transcript_dict(t: Transcript) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "shop": {"name": t.shop_name},
        "conversation": {
            "id": str(t.conversation_id),
            "language": t.language,
            "time_zone": t.time_zone,
            "state": t.state,
            "person_involved": t.person_involved,
            "started_at": t.started_at.isoformat(),
            "last_activity_at": t.last_activity_at.isoformat(),
        },
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "items": [{"label": i.label, "value": i.value} for i in s.items],
            }
            for s in t.sections
        ],
        "messages": [
            {
                "cursor": line.cursor,
                "author": line.author,
                "agent_name": line.agent_name,
                "text": line.text,
                "payload": line.payload,
                "created_at": line.at.isoformat(),
                "created_at_utc": line.at.astimezone(UTC).isoformat(),
            }
            for line in t.lines
        ],
        "generated_at": t.generated_at.isoformat(),
    }


def render_json(t: Transcript) -> str:
    return json.dumps(transcript_dict(t), ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"txt": render_txt, "html": render_html, "json": render_json}


def render(t: Transcript, fmt: str) -> str:
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return RENDERERS[fmt](t)


def filename(t: Transcript, fmt: str) -> str:
    """An ASCII file name: `chat-<shop>-<local date>.<format>`."""
    return f"chat-{t.shop_slug}-{t.started_at.date().isoformat()}.{fmt}"
