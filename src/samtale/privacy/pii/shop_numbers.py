"""Order numbers and tracking numbers.

The shop declares its own formats (one regular expression per format, matched without regard to
case); those are the surest reading. Without them, a number that the words before it call an
order (`ordrenummer`, `beställning`, `tilausnumero`, `order #`) or a parcel (`sporingsnummer`,
`kolli`, `seurantakoodi`, `tracking`) is one too, and a UPU S10 parcel id (`RB123456785SE`,
with its check digit) is a tracking number wherever it stands.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import re2

from .model import ORDER_NUMBER, TRACKING_NUMBER, Finding

_ORDER_WORDS = (
    r"ordre(?:nummer|nr|n\.?r\.?|\s?nr\.?|\s?nummer|\s?no\.?)?|order(?:nummer|nr)?"
    r"(?:\s?(?:number|no\.?|nr\.?|id|#))?|bestilling(?:snummer|snr|s\s?nr\.?)?|"
    r"beställning(?:snummer|snr)?|ordernummer|ordernr|tilaus(?:numero|nro|\s?nro)?|"
    r"tilauksen(?:\s?numero)?|tilausnumeroni|kjøp|köp|purchase"
)
_TRACK_WORDS = (
    r"tracking(?:\s?(?:number|no\.?|nr\.?|id|code|kode|nummer))?|track\s?(?:&|and)\s?trace|"
    r"trackingnummer|sporing(?:snummer|snr|s\s?nr\.?|skode)?|spårning(?:snummer|snr)?|"
    r"sändnings(?:nummer|id)|kolli(?:nummer|nr|-?id)?|kollinummer|pakke(?:nummer|nr|id)|"
    r"forsendelse(?:snummer|snr)?|försändelse(?:nummer|id)?|seuranta(?:koodi|numero|tunnus)|"
    r"lähetys(?:tunnus|numero)|lähetystunnus|shipment(?:\s?(?:number|id))?|parcel(?:\s?(?:number|id))?"
)
_NUMBER = r"(?:#\s?)?(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,30}[A-Z0-9]"
_FILLER = (
    r"(?:\s?(?:er|är|on|is|was|var|lyder|:|=|-|#|nr\.?|no\.?|nummer|numero|number)\s?){0,3}\s?"
)
_ORDER_CTX = re.compile(
    rf"(?<![^\W\d_])(?:{_ORDER_WORDS})\b{_FILLER}(?P<num>{_NUMBER})(?![\w])", re.IGNORECASE
)
_TRACK_CTX = re.compile(
    rf"(?<![^\W\d_])(?:{_TRACK_WORDS})\b{_FILLER}(?P<num>{_NUMBER})(?![\w])", re.IGNORECASE
)
_S10_RE = re.compile(r"(?<![\w])[A-Z]{2}\s?\d{3}\s?\d{3}\s?\d{3}\s?[A-Z]{2}(?![\w])")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def valid_s10(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if len(digits) != 9:
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits[:8], _S10_WEIGHTS, strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return check == int(digits[8])


@functools.lru_cache(maxsize=256)
def _compile(patterns: tuple[str, ...]) -> tuple[Any, ...]:
    """The shop's own patterns in RE2 (linear time: a shop's pattern cannot stall the
    instance); one that does not compile is skipped."""
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = False
    options.max_mem = 1 << 20
    out = []
    for p in patterns:
        try:
            out.append(re2.compile(p, options))
        except (re2.error, TypeError):
            continue
    return tuple(out)


def find_shop_numbers(
    text: str,
    order_number_patterns: Sequence[str] = (),
    tracking_number_patterns: Sequence[str] = (),
) -> Iterator[Finding]:
    for kind, patterns in (
        (ORDER_NUMBER, order_number_patterns),
        (TRACKING_NUMBER, tracking_number_patterns),
    ):
        for pattern in _compile(tuple(patterns)):
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    yield Finding(kind, m.start(), m.end())
    for m in _S10_RE.finditer(text):
        if valid_s10(m.group()):
            yield Finding(TRACKING_NUMBER, m.start(), m.end(), priority=80)
    # Read from the words before: weaker than a declared format or a checksum.
    for kind, ctx in ((ORDER_NUMBER, _ORDER_CTX), (TRACKING_NUMBER, _TRACK_CTX)):
        for m in ctx.finditer(text):
            num = m.group("num")
            if sum(c.isdigit() for c in num) < 4:
                continue
            yield Finding(kind, m.start("num"), m.end("num"), priority=60)
