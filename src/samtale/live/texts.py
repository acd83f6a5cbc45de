"""What the handoff says to customers (system lines in the conversation, the bot's answer to
"talk to a person", labels of the standard pre-chat fields, the e-mail reply: the catalogue's
`handoff.yaml`) in the five languages, and the shop's local times in words."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, format_timedelta

from samtale.kernel.i18n import catalogue

LOCALES = {"da": "da_DK", "sv": "sv_SE", "nb": "nb_NO", "fi": "fi_FI", "en": "en_GB"}


def text(key: str, language: str, **values: object) -> str:
    """A text of `kernel/texts/handoff.yaml` in the customer's language."""
    return catalogue("handoff").text(key, language, **values)


def when(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A local time in words, e.g. `mandag 5. januar kl. 09.00`."""
    local = moment.astimezone(zone)
    locale = LOCALES.get(language, "en_GB")
    day = format_date(local, WHEN_DATE.get(language, "EEEE d MMMM"), locale=locale)
    clock = format_time(local, "short", locale=locale)
    return WHEN.get(language, "on {day} at {clock}").format(day=day, clock=clock)


def within(span: timedelta, language: str) -> str:
    """A duration in words for a promise, rounded up, never down: 7 minutes is "10 minutes",
    61 minutes "2 hours", 25 hours "2 days"."""
    seconds = span.total_seconds()
    unit: Literal["minute", "hour", "day"]
    if seconds <= 50 * 60:
        value, unit = max(5, 5 * math.ceil(seconds / 300)), "minute"
        rounded = timedelta(minutes=value)
    elif seconds <= 24 * 3600:
        value, unit = math.ceil(seconds / 3600), "hour"
        rounded = timedelta(hours=value)
    else:
        value, unit = math.ceil(seconds / 86400), "day"
        rounded = timedelta(days=value)
    locale = LOCALES.get(language, "en_GB")
    return format_timedelta(rounded, granularity=unit, threshold=1000, locale=locale)


def reply_estimate(span: timedelta | None, language: str) -> str:
    """ "We usually answer within 2 hours." — or nothing when there is no history to go by."""
    return text("reply_estimate", language, span=within(span, language)) if span else ""


WHEN_DATE = {"da": "EEEE d. MMMM", "nb": "EEEE d. MMMM", "fi": "EEEE d. MMMM"}
WHEN = {
    "da": "{day} kl. {clock}",
    "sv": "{day} kl. {clock}",
    "nb": "{day} kl. {clock}",
    "fi": "{day} klo {clock}",
    "en": "on {day} at {clock}",
}
