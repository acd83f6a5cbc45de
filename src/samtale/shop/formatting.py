"""Dates, times and prices the way each language writes them (Babel), in the shop's time zone.

A date ("onsdag 7. januar"), a moment ("5. jan. 14.32"), a price ("599 kr.", "4,90 €"): the
customer's language decides the words and separators, the tenant's time zone decides the clock,
and a price is shown in the currency it is in. Whole amounts drop their decimals.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, match_skeleton
from babel.numbers import format_currency

from samtale.shop.vocabulary import locale_for


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Copenhagen")


@cache
def _currency_pattern(locale: str, whole: bool) -> str:
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    if whole:
        pattern = pattern.replace(".00", "")
    if locale.startswith("en") and not pattern.startswith("¤\xa0"):
        # "DKK 599" reads better than "DKK599"; the euro sign stays glued ("€4.90").
        pattern = pattern.replace("¤", "¤\xa0", 1)
    return pattern


def money(amount: Decimal, currency: str, language: str) -> str:
    locale = locale_for(language)
    whole = amount == amount.to_integral_value()
    pattern = _currency_pattern(locale, whole)
    if currency == "EUR" and locale.startswith("en"):
        pattern = pattern.replace("¤\xa0", "¤")
    text: str = format_currency(
        amount, currency, format=pattern, locale=locale, currency_digits=False
    )
    return text


def local(moment: datetime, time_zone: str) -> datetime:
    return moment.astimezone(_zone(time_zone))


@cache
def _pattern(skeleton: str, locale: str) -> str:
    """The locale's pattern for a skeleton (Babel's matching is slow: done once)."""
    skeletons = Locale.parse(locale).datetime_skeletons
    matched = match_skeleton(skeleton, skeletons) or skeleton
    pattern = str(skeletons[matched]) if matched in skeletons else matched
    if locale.startswith(("nb", "nn", "no")):
        # Norwegian writes the day as an ordinal ("ons. 7. januar"); some CLDR skeletons drop
        # the period.
        pattern = re.sub(r"(?<![d'])d(?=\s+M)", "d.", pattern)
    return pattern


def _format(value: date, skeleton: str, locale: str) -> str:
    text: str = format_date(value, _pattern(skeleton, locale), locale=locale)
    return text


def day(value: date, language: str) -> str:
    """A date with its weekday: "ons. 7. januar", "Wednesday 7 January"."""
    return _format(value, "MMMMEEEEd", locale_for(language))


def moment(value: datetime, language: str, time_zone: str) -> str:
    """A moment in the shop's time zone: "5. jan. 14.32", "5 Jan 14:32"."""
    when = local(value, time_zone)
    locale = locale_for(language)
    date_text = _format(when.date(), "MMMd", locale)
    time_text = format_time(when, "short", locale=locale)
    return f"{date_text} {time_text}"
