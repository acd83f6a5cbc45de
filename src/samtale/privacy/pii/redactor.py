"""Redaction: run every recognizer, settle overlaps, replace each finding by its placeholder.

Overlaps are settled in one pass: findings of the same kind that overlap are joined, then the
more specific kind wins (see `model.PRIORITY`), and between equals the longer finding. A link
that carries a person outranks everything inside it; a plain link shields its inside and
survives. A name that a stronger finding cut into keeps what is left of it.

`find_identifiers` reads the same findings for the identifier index: e-mails, phone numbers and
order numbers in a normalized form, which `normalize_identifier` also gives to what a customer
or agent types into a search.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from .addresses import find_addresses
from .contact import EMAIL_RE, find_emails, find_ips, find_urls, unspell_email
from .context import read_languages
from .lexicon import name_lists
from .model import (
    EMAIL,
    NAME,
    ORDER_NUMBER,
    PHONE,
    PLACEHOLDERS,
    URL,
    Finding,
    Redaction,
    Span,
)
from .name_finder import find_person_names
from .name_model import model_available
from .national_ids import find_national_ids
from .payment import find_bank_accounts, find_cards, find_ibans
from .phones import e164, find_phones, parse_phone, regions_for
from .shop_numbers import find_shop_numbers
from .vocabulary import ShopVocabulary, as_vocabulary, places
from .word_classes import word_classes

_PERSONAL_URL_RANK = 101


def _findings(
    text: str,
    languages: Sequence[str],
    order_number_patterns: Sequence[str],
    tracking_number_patterns: Sequence[str],
    keep: ShopVocabulary | None = None,
) -> list[Finding]:
    out: list[Finding] = []
    out.extend(find_emails(text))
    for f in find_urls(text):
        out.append(f if f.keep else Finding(URL, f.start, f.end, priority=_PERSONAL_URL_RANK))
    out.extend(find_ips(text))
    out.extend(find_shop_numbers(text, order_number_patterns, tracking_number_patterns))
    out.extend(find_ibans(text))
    out.extend(find_national_ids(text))
    out.extend(find_cards(text))
    out.extend(find_bank_accounts(text))
    out.extend(find_phones(text, languages))
    out.extend(find_addresses(text))
    out.extend(find_person_names(text, languages, keep))
    return out


def _join_same_kind(findings: list[Finding]) -> list[Finding]:
    joined: list[Finding] = []
    by_kind: dict[tuple[str, bool], list[Finding]] = {}
    for f in findings:
        by_kind.setdefault((f.type, f.keep), []).append(f)
    for group in by_kind.values():
        group.sort(key=lambda f: (f.start, -f.end))
        cur = group[0]
        for f in group[1:]:
            if f.start < cur.end:
                if f.end > cur.end or f.rank > cur.rank:
                    cur = Finding(
                        cur.type, cur.start, max(cur.end, f.end), max(cur.rank, f.rank), cur.keep
                    )
            else:
                joined.append(cur)
                cur = f
        joined.append(cur)
    return joined


def resolve(findings: Iterable[Finding], text: str) -> list[Finding]:
    """The findings that stand after overlaps are settled, in text order."""
    candidates = _join_same_kind([f for f in findings if f.end > f.start])
    candidates.sort(key=lambda f: (-f.rank, -(f.end - f.start), f.start))
    taken: list[Finding] = []
    for f in candidates:
        overlapping = [t for t in taken if f.start < t.end and t.start < f.end]
        if not overlapping:
            taken.append(f)
            continue
        if f.type != NAME:
            continue
        # Keep the parts of a name that the stronger findings left.
        pieces = [(f.start, f.end)]
        for t in overlapping:
            pieces = [
                p
                for s, e in pieces
                for p in ((s, min(e, t.start)), (max(s, t.end), e))
                if p[1] > p[0]
            ]
        for s, e in pieces:
            part = text[s:e]
            lead = len(part) - len(part.lstrip(" ,.-"))
            trail = len(part) - len(part.rstrip(" ,.-"))
            s, e = s + lead, e - trail
            if e - s >= 2 and re.search(r"[^\W\d_]{2}", text[s:e]):
                taken.append(Finding(NAME, s, e, f.rank))
    return sorted((t for t in taken if not t.keep), key=lambda f: f.start)


@functools.cache
def warm_up() -> None:
    """Load once what the first message would otherwise wait for: the name lists, model and
    word classes, the place names, the phone metadata of the regions tried and the IBAN
    registry."""
    name_lists()
    places()
    model_available()
    word_classes()
    for sample in ("+4522334455", "+46701234567", "+4791234567", "+358401234567", "+447911123456"):
        parse_phone(sample, ())
    find_ibans("DK5000400440116243 SE4550000000058398257466 NO9386011117947 FI2112345600000785")


def detect(
    text: str,
    languages: Iterable[str] | None = None,
    *,
    order_number_patterns: Sequence[str] = (),
    tracking_number_patterns: Sequence[str] = (),
    keep: ShopVocabulary | Iterable[str] | None = None,
) -> tuple[Span, ...]:
    """The personal data in `text`, as spans of the original text.

    `keep` is the shop's own vocabulary (product names, brands, categories, carriers), a
    `ShopVocabulary` or plain words and phrases: those are never taken for a person's name
    unless the customer introduces them as one. Country and city names are always kept.
    """
    warm_up()
    langs = read_languages(languages)
    vocabulary = as_vocabulary(keep)
    found = resolve(
        _findings(text, langs, order_number_patterns, tracking_number_patterns, vocabulary), text
    )
    return tuple(Span(f.type, f.start, f.end, text[f.start : f.end]) for f in found)


def redact(
    text: str,
    languages: Iterable[str] | None = None,
    *,
    order_number_patterns: Sequence[str] = (),
    tracking_number_patterns: Sequence[str] = (),
    keep: ShopVocabulary | Iterable[str] | None = None,
) -> Redaction:
    """Replace every piece of personal data in `text` by its typed placeholder (`[EMAIL]` …).

    `languages` are codes `da`, `sv`, `nb` (`no`), `fi`, `en`; None means all five. The order
    and tracking patterns are the tenant's formats, as regular expressions; `keep` is the
    shop's vocabulary (see `detect`).
    """
    spans = detect(
        text,
        languages,
        order_number_patterns=order_number_patterns,
        tracking_number_patterns=tracking_number_patterns,
        keep=keep,
    )
    return redact_spans(text, spans)


def redact_spans(text: str, spans: Sequence[Span]) -> Redaction:
    """`text` with the spans `detect` found in it replaced by their placeholders: one detection
    serves both the redaction and the identifiers (`identifiers_in`)."""
    parts: list[str] = []
    pos = 0
    for span in spans:
        parts.append(text[pos : span.start])
        parts.append(PLACEHOLDERS[span.type])
        pos = span.end
    parts.append(text[pos:])
    return Redaction("".join(parts), tuple(spans))


_KINDS = {"email": EMAIL, "phone": PHONE, "order_number": ORDER_NUMBER}


def normalize_identifier(
    kind: str, value: str, languages: Iterable[str] | None = None
) -> str | None:
    """The normalized form of an e-mail, phone number or order number, or None if `value` is
    not one: e-mails lowercased and trimmed, phone numbers in E.164, order numbers uppercase
    without spaces and a leading `#`."""
    key = kind.strip().lower()
    value = value.strip()
    if key == "email":
        value = re.sub(r"^mailto:", "", value, flags=re.I)
        m = EMAIL_RE.fullmatch(value) or EMAIL_RE.fullmatch(unspell_email(value))
        if not m:
            return None
        return f"{m.group('local')}@{m.group('domain')}".lower()
    if key == "phone":
        number = parse_phone(value, regions_for(read_languages(languages)))
        return e164(number) if number is not None else None
    if key == "order_number":
        normalized = re.sub(r"\s+", "", value).lstrip("#").upper()
        return normalized or None
    raise ValueError(f"unknown identifier kind: {kind!r} (email, phone, order_number)")


def find_identifiers(
    text: str,
    languages: Iterable[str] | None = None,
    *,
    order_number_patterns: Sequence[str] = (),
    tracking_number_patterns: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """The e-mails, phone numbers and order numbers in `text`, as (kind, normalized value),
    each once, in order of appearance; kinds are `email`, `phone`, `order_number`."""
    spans = detect(
        text,
        languages,
        order_number_patterns=order_number_patterns,
        tracking_number_patterns=tracking_number_patterns,
    )
    return identifiers_in(spans, languages)


def identifiers_in(
    spans: Sequence[Span], languages: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """The (kind, normalized value) pairs of the e-mails, phone numbers and order numbers among
    spans `detect` found, each once, in order of appearance."""
    out: list[tuple[str, str]] = []
    for span in spans:
        for key, kind in _KINDS.items():
            if span.type != kind:
                continue
            value = normalize_identifier(key, span.value, languages)
            if value and (key, value) not in out:
                out.append((key, value))
    return out
