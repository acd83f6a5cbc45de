"""The one person-name detector: rules, the sequence model, and the shop's own words.

Every caller of this package (the improvement sample, the identifier index, the `samtale pii`
command, the leak scan's expectations) goes through `redactor.detect`, which asks this module
for names, so they all mask the same words.

1. The rules (`names`) find what explicit evidence shows: introductions, labels, closings,
   signatures, and runs of capitalised words the name lists recognise.
2. The CRF (`name_model`) reads every word with its shape, the lists, its neighbours and what
   the rules said, and adds the names that have no explicit anchor.
3. The shop's words (`vocabulary`: its products, brands, categories and carriers, and every
   country and city) are cut out of what 1 and 2 found, unless the name was introduced as one
   ("jeg hedder Mette Hav", "Navn: …", "mvh …"): there the context outweighs the vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .model import NAME, Finding
from .name_model import mail_parts, marginals
from .names import _STRONG_SURNAME_SHAPE, CONTEXT, _Reader, _Token, prepare, rule_names
from .vocabulary import ShopVocabulary, places

MODEL = 41  # how a name found by the model alone ranks against the rules' findings
THRESHOLD = 0.5  # the model's probability above which a word is part of a name
_JOINS = (" ", "-", "\u00a0")


def _given(tok: _Token, reader: _Reader) -> bool:
    return reader.first(tok.low) == "core"


def _supported(toks: list[_Token], reader: _Reader, mail: set[str]) -> bool:
    """Whether the words of a run the model tagged can be a name without the rules' help.

    A capitalised word inside a sentence can. A lowercase word needs the lists: a given name,
    of the Nordic or English lists, or a listed surname next to one ("karen holm"). A
    capitalised word alone at the start of a sentence needs such a given name or a surname of
    an unmistakable shape (-sen, -son, -nen): there, every noun has a capital. Words of the message's e-mail addresses always can.
    """
    if any(reader.is_stop(t.low) for t in toks):
        return False
    if all(t.low in mail for t in toks):
        return True
    lower = [t for t in toks if not t.cap]
    if lower:
        named = any(_given(t, reader) for t in toks)
        listed = all(_given(t, reader) or reader.surname(t.low, shape=False) for t in lower)
        return named and listed
    if len(toks) == 1 and toks[0].sent_start:
        return _given(toks[0], reader) or bool(_STRONG_SURNAME_SHAPE.match(toks[0].low))
    return True


def model_names(
    text: str, tokens: list[_Token], reader: _Reader, rules: list[tuple[int, int, int]]
) -> list[tuple[int, int]]:
    """Runs of words the model tags as a person, kept when the words can be a name."""
    probs = marginals(text, tokens, reader, rules)
    mail = mail_parts(text)
    out: list[tuple[int, int]] = []
    run: list[int] = []
    for i in range(len(tokens) + 1):
        inside = i < len(tokens) and probs[i] >= THRESHOLD
        if inside and (not run or text[tokens[run[-1]].end : tokens[i].start] in _JOINS):
            run.append(i)
            continue
        if run:
            toks = [tokens[j] for j in run]
            if _supported(toks, reader, mail):
                out.append((toks[0].start, toks[-1].end))
        run = [i] if i < len(tokens) and probs[i] >= THRESHOLD else []
    return out


def _cut(start: int, end: int, zones: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    pieces = [(start, end)]
    for zs, ze in zones:
        if zs >= end or ze <= start:
            continue
        pieces = [p for s, e in pieces for p in ((s, min(e, zs)), (max(s, ze), e)) if p[1] > p[0]]
    out = []
    for s, e in pieces:
        part = text[s:e]
        s += len(part) - len(part.lstrip(" ,.-'’"))
        e -= len(part) - len(part.rstrip(" ,.-'’"))
        if e - s >= 2 and any(c.isalpha() for c in text[s:e]):
            out.append((s, e))
    return out


def find_person_names(
    text: str, languages: Sequence[str], keep: ShopVocabulary | None = None
) -> Iterator[Finding]:
    """Person names in `text`, the shop's words in `keep` (and places) left out."""
    if not text:
        return
    tokens, reader = prepare(text, languages)
    if not tokens:
        return
    rules = rule_names(text, tokens, reader)
    found = list(rules)
    found += [(s, e, MODEL) for s, e in model_names(text, tokens, reader, rules)]
    zones = places().spans(text)
    if keep is not None:
        zones += keep.spans(text)
    for s, e, how in found:
        if how == CONTEXT or not zones:
            yield Finding(NAME, s, e, priority=how)
            continue
        for ps, pe in _cut(s, e, zones, text):
            yield Finding(NAME, ps, pe, priority=how)
