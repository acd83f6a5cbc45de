"""Cleaning text at the edge, so that every store accepts what is valid JSON: no NUL or other
control characters (PostgreSQL refuses NUL), no lone surrogates (not encodable as UTF-8)."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str) -> str:
    value = _SURROGATE.sub("\ufffd", value)
    value = _CONTROL.sub("", value)
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


# A practical e-mail shape (what a shop can send to): local@domain.tld, no spaces. Special-use
# domains such as `.local` are accepted, since demo and intranet installations use them.
EMAIL_PATTERN = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
