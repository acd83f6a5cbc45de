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
from .name_model import CUES, mail_parts, marginals
from .names import _STRONG_SURNAME_SHAPE, CONTEXT, RUN, _Reader, _Token, prepare, rule_names
from .vocabulary import ShopVocabulary, places

MODEL = 41  # how a name found by the model alone ranks against the rules' findings
AGAIN = 41  # a word of a name found elsewhere in the same text
# The model's probability above which a word is part of a name: chosen by 5-fold
# cross-validation on the training sentences (`train_names --folds 5`), as the threshold of the
# highest recall that masks at most 0.4 % of the other words. Never tuned on a dev split.
THRESHOLD = 0.5
# Words that the lists call a place, and words in capitals (headlines, acronyms), need the
# model's plain majority whatever the threshold; so does a lone word opening a sentence.
SURE = 0.5
CONFIDENT = 0.7
_JOINS = (" ", "-", "\u00a0")


def _given(tok: _Token, reader: _Reader) -> bool:
    return reader.first(tok.low) == "core"


def _supported(
    toks: list[_Token], reader: _Reader, mail: set[str], probs: list[float] | None = None
) -> bool:
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
        tok = toks[0]
        if _given(tok, reader) or _STRONG_SURNAME_SHAPE.match(tok.low):
            return True
        # A given name of the wider lists ("Adolf", "Gheorge") when the model is confident of
        # it; not one that is also an everyday word ("Rose er en flot farve"): that needs more
        # evidence than its place (a surname, an introduction, a closing).
        kind = reader.first(tok.low)
        given = kind == "wide" or (not kind and reader.world(tok.low) == "first")
        return given and probs is not None and probs[0] >= CONFIDENT
    return True


def _opener(tok: _Token, nxt: _Token, reader: _Reader, prob: float) -> bool:
    """Whether the first word of a run, opening a sentence, is a capitalised everyday word
    rather than part of the name: no list knows it, and the model is not confident of it or
    the word after it is a given name (a name starts with its given name: "Voiko Arjun",
    "Mieheni Impi", "Spørg Karen")."""
    if not tok.sent_start:
        return False
    low = tok.low
    if reader.known(low) or reader.world(low) or _STRONG_SURNAME_SHAPE.match(low):
        return False
    return prob < CONFIDENT or bool(reader.first(nxt.low))


def _bar(tok: _Token, reader: _Reader, threshold: float) -> float:
    """The probability the model must give `tok` for it to be part of a name."""
    if tok.cap and len(tok.text) > 1 and tok.text.isupper():
        return max(threshold, SURE)
    if reader.city(tok.low):
        return max(threshold, SURE)
    return threshold


def model_names(
    text: str,
    tokens: list[_Token],
    reader: _Reader,
    rules: list[tuple[int, int, int]],
    *,
    threshold: float = THRESHOLD,
    tagger: object | None = None,
    zones: list[tuple[int, int]] = (),  # type: ignore[assignment]
) -> list[tuple[int, int]]:
    """Runs of words the model tags as a person, kept when the words can be a name. Words in
    `zones` (the shop's words, places) are never part of such a run: what is left of a run
    is judged on its own."""
    probs = marginals(text, tokens, reader, rules, tagger)
    for i, tok in enumerate(tokens):
        if tok.low.rstrip(".") in CUES or any(s < tok.end and tok.start < e for s, e in zones):
            probs[i] = 0.0  # "Mieheni Impi", "Direktør Hansen": the cue is not the name
    mail = mail_parts(text)
    out: list[tuple[int, int]] = []
    run: list[int] = []
    for i in range(len(tokens) + 1):
        inside = i < len(tokens) and probs[i] >= _bar(tokens[i], reader, threshold)
        if inside and (not run or text[tokens[run[-1]].end : tokens[i].start] in _JOINS):
            run.append(i)
            continue
        if len(run) > 1 and _opener(tokens[run[0]], tokens[run[1]], reader, probs[run[0]]):
            run = run[1:]  # "Mieheni Impi", "Voiko Leila": the sentence's first word is not
        if run:
            toks = [tokens[j] for j in run]
            if _supported(toks, reader, mail, [probs[j] for j in run]):
                out.append((toks[0].start, toks[-1].end))
        run = [i] if inside else []
    return out


def _untitled(start: int, end: int, how: int, tokens: list[_Token]) -> tuple[int, int, int]:
    """A run the rules found without the cue words it opens with: "Direktør Hansen"."""
    if how != RUN:
        return start, end, how
    inside = [t for t in tokens if start <= t.start and t.end <= end]
    while len(inside) > 1 and inside[0].low.rstrip(".") in CUES:
        inside = inside[1:]
    return (inside[0].start if inside else start), end, how


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
    text: str,
    languages: Sequence[str],
    keep: ShopVocabulary | None = None,
    *,
    threshold: float = THRESHOLD,
    tagger: object | None = None,
) -> Iterator[Finding]:
    """Person names in `text`, the shop's words in `keep` (and places) left out. `threshold`
    and `tagger` replace the shipped model's for cross-validation."""
    if not text:
        return
    tokens, reader = prepare(text, languages)
    if not tokens:
        return
    rules = rule_names(text, tokens, reader)
    zones = places().spans(text)
    if keep is not None:
        zones += keep.spans(text)
    found = [_untitled(s, e, how, tokens) for s, e, how in rules]
    found += [
        (s, e, MODEL)
        for s, e in model_names(
            text, tokens, reader, rules, threshold=threshold, tagger=tagger, zones=zones
        )
    ]
    kept: list[tuple[int, int, int]] = []
    for s, e, how in found:
        if how == CONTEXT or not zones:
            kept.append((s, e, how))
            continue
        kept += [(ps, pe, how) for ps, pe in _cut(s, e, zones, text)]
    kept += _again(tokens, reader, kept, zones)
    for s, e, how in kept:
        yield Finding(NAME, s, e, priority=how)


def _again(
    tokens: list[_Token],
    reader: _Reader,
    found: list[tuple[int, int, int]],
    zones: list[tuple[int, int]],
) -> list[tuple[int, int, int]]:
    """The other places in the text where a word of a name found stands again, capitalised as
    it was: a message that says "Diemar" once as a name means the same person the second time
    ("Sine Diemar har anket … Diemar siger …"). Common words and the shop's words stay."""
    if not found or len(tokens) < 3:
        return []
    inside = [t for t in tokens if any(s <= t.start and t.end <= e for s, e, _ in found)]
    names = {
        _stem(t.text)
        for t in inside
        if t.cap and len(t.text) >= 3 and not t.text.isupper() and not reader.is_stop(t.low)
    }
    if not names:
        return []
    out: list[tuple[int, int, int]] = []
    for t in tokens:
        if _stem(t.text) not in names or any(s < t.end and t.start < e for s, e, _ in found):
            continue
        if any(s < t.end and t.start < e for s, e in zones):
            continue
        out.append((t.start, t.end, AGAIN))
    return out


def _stem(word: str) -> str:
    """A name without its genitive ending: "Diemars", "Diemar's" -> "Diemar"."""
    word = word.replace("’", "'").removesuffix("'s").removesuffix("'")
    return word[:-1] if word.endswith("s") and len(word) > 4 else word
