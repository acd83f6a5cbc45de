"""Opening hours: is the team there now, and when is it back — in the shop's time zone, with its
holidays (closed days, or days with other hours) taking precedence over the week's hours.

Pure functions of the settings, the zone and a time, so that the clock is the caller's (a test's
`ManualClock`) and daylight-saving changes are the zone database's business.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from samtale.live.settings import DAYS, LiveSettings, parse_range

ALWAYS = ["00:00-24:00"]
HORIZON_DAYS = 60


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def ranges_on(settings: LiveSettings, day: date) -> list[str]:
    """The opening hours of one local day (empty: closed)."""
    for holiday in settings.holidays:
        if holiday.date == day:
            return list(holiday.hours)
    if settings.opening_hours is None:
        return ALWAYS
    return list(settings.opening_hours.get(DAYS[day.weekday()], []))


def intervals_on(
    settings: LiveSettings, day: date, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The day's opening intervals as UTC instants, in order."""
    out = []
    for r in ranges_on(settings, day):
        start, end = parse_range(r)
        a = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
        b = datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
        if end == time(23, 59, 59):
            b += timedelta(seconds=1)
        out.append((a, b))
    return sorted(out)


def is_open(settings: LiveSettings, zone: ZoneInfo, now: datetime) -> bool:
    local = now.astimezone(zone).date()
    # An interval may only be open "now" on the local day itself (ranges never cross midnight).
    return any(a <= now < b for a, b in intervals_on(settings, local, zone))


def next_opening(settings: LiveSettings, zone: ZoneInfo, now: datetime) -> datetime | None:
    """When the team is next there: `now` if open now, else the start of the next interval
    (None if no opening within two months)."""
    today = now.astimezone(zone).date()
    for offset in range(HORIZON_DAYS + 1):
        for a, b in intervals_on(settings, today + timedelta(days=offset), zone):
            if a <= now < b:
                return now
            if a > now:
                return a
    return None
