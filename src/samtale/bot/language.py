"""Which language a customer writes in.

The detector (`lingua`, restricted to the shop's languages) is only one voice. The conversation
already has a language — from the page the widget sits on, or from earlier messages — and a short
message ("ok", "tak", "hej", an order number) says almost nothing about language, so it never
flips it. A switch needs real evidence: several words, a clear winner, and a wide margin over the
current language; Danish and Norwegian Bokmål (and Swedish), which share most short words, need a
wider margin than languages that are far apart.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from samtale.kernel.languages import LANGUAGES

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# What says nothing about language: e-mail addresses, links, and tokens with digits (order and
# tracking numbers, sizes, prices).
_NOT_LANGUAGE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\S*\d\S*", re.UNICODE)
_SCANDINAVIAN = {"da", "nb", "sv"}

# Spellings that settle the Scandinavian siblings, which share most short words.
_MARKERS: dict[str, frozenset[str]] = {
    "da": frozenset(
        "hvad gerne tak købt kobt nogen meget hjælp hjaelp sådan sadan ikk bestilt bestilte mig dig sig også ogsa skal spørgsmål hvornår hvornar".split()
    ),
    "nb": frozenset(
        "hva gjerne takk kjøpt kjopt noen mye hjelp sånn ikkje meg deg seg også fått fatt bestilte kjøpte hvorfor".split()
    ),
    "sv": frozenset(
        "jag och inte mitt min är ar vad hur tack köpt kopt någon mycket hjälp hjalp sådan mig dig också fått fatt paketet beställde varför".split()
    ),
    "fi": frozenset(
        "on ei ja se mitä mita missä missa miten kiitos minun pakettini tilaukseni voinko onko".split()
    ),
    "en": frozenset("the is my i you where what how thanks thank please order parcel can".split()),
}
# Words shared by two siblings count for neither.
_SHARED = {w for a in _MARKERS for b in _MARKERS if a < b for w in _MARKERS[a] & _MARKERS[b]}

# Everyday words that only one of the five languages writes (greetings, thanks, the small words
# of a request). A short first message made of them ("hello", "kiitos", "I want to talk to a
# human") is clear even when the detector is not; words two languages share count for neither.
_LEXICON: dict[str, frozenset[str]] = {
    "da": frozenset(
        "hvad hvorfor gerne jeres tak hejsa halløj goddag davs mojn nogen noget meget hjælp hjælpe købt købe spørgsmål hvornår hvordan snakke tale kunne bestilling pakken venlig hilsen desværre nej også mit min bare".split()
    ),
    "nb": frozenset(
        "hva hvorfor gjerne deres takk hei heisann hallo noen noe mye hjelp hjelpe kjøpt kjøpe spørsmål når hvordan snakke kunne bestillingen pakken nei også mitt min bare ikkje dere".split()
    ),
    "sv": frozenset(
        "jag och inte är mitt min vad hur tack tackar hejsan tjena hallå någon något mycket hjälp hjälpa köpt köpa fråga när prata kunna beställning paketet nej också bara ni er varför".split()
    ),
    "fi": frozenset(
        "moi moikka terve hei kiitos kiitti minä mitä missä miten milloin miksi voinko onko haluan tilaus paketti kyllä joo ei ole olen apua puhua ihmisen kanssa hyvää huomenta päivää iltaa auttaa voisitteko voitteko".split()
    ),
    "en": frozenset(
        "hello hi thanks thank please the you your yours want would like talk speak human where what when why how does do is are can could my with about cheers yes nope good morning evening afternoon someone anyone somebody anybody help need get got just know tell which there this that they from will should been our we it its of if not sorry".split()
    ),
}
_EXCLUSIVE: dict[str, frozenset[str]] = {
    lang: frozenset(w for w in words if not any(w in o for k, o in _LEXICON.items() if k != lang))
    for lang, words in _LEXICON.items()
}

_CODES = {"da": "DANISH", "sv": "SWEDISH", "nb": "BOKMAL", "fi": "FINNISH", "en": "ENGLISH"}
_lock = threading.Lock()


@lru_cache(maxsize=32)
def _detector(languages: tuple[str, ...]) -> Any:
    from lingua import Language, LanguageDetectorBuilder

    langs = [getattr(Language, _CODES[c]) for c in languages]
    if len(langs) == 1:
        return None
    return LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models().build()


def warm_up(languages: Iterable[str] = LANGUAGES) -> None:
    """Load the language models now rather than on the first message."""
    with _lock:
        _detector(tuple(sorted(set(languages))))


def confidences(text: str, languages: Iterable[str]) -> dict[str, float]:
    """The detector's confidence for each of `languages` (summing to 1)."""
    langs = tuple(sorted(set(languages)))
    if len(langs) == 1:
        return {langs[0]: 1.0}
    with _lock:
        detector = _detector(langs)
    code_of = {v: k for k, v in _CODES.items()}
    return {
        code_of[c.language.name]: float(c.value)
        for c in detector.compute_language_confidence_values(text)
    }


def _adjust(text: str, scores: dict[str, float]) -> dict[str, float]:
    """Lean the detector's scores on letters and words that only some of the languages use."""
    lower = text.lower()
    adjusted = dict(scores)
    if ("ä" in lower or "ö" in lower) and not ("æ" in lower or "ø" in lower):
        for lang in ("da", "nb"):
            if lang in adjusted:
                adjusted[lang] *= 0.2
    if "æ" in lower or "ø" in lower:
        for lang in ("sv", "fi"):
            if lang in adjusted:
                adjusted[lang] *= 0.2
    for word in _WORD.findall(lower):
        if word in _SHARED:
            continue
        for lang, markers in _MARKERS.items():
            if lang in adjusted and word in markers:
                adjusted[lang] += 0.3
    total = sum(adjusted.values()) or 1.0
    return {k: v / total for k, v in adjusted.items()}


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _exclusive_hits(text: str, langs: Iterable[str]) -> dict[str, int]:
    hits: dict[str, int] = {}
    for word in _WORD.findall(text.lower()):
        for lang in langs:
            if word in _EXCLUSIVE.get(lang, ()):
                hits[lang] = hits.get(lang, 0) + 1
    return hits


def decide_language(
    text: str,
    current: str | None,
    languages: Iterable[str],
    page_language: str | None = None,
    settled: bool = True,
) -> str:
    """The language to answer `text` in, given the conversation's current language.

    `settled` says the current language comes from the customer's own earlier messages; until
    then (the page's or the browser's language) a short message made only of one language's own
    words ("hello", "kiitos") is clear enough to switch."""
    langs = [lang for lang in LANGUAGES if lang in set(languages)]
    if not langs:
        raise ValueError("no languages")
    base = current if current in langs else (page_language if page_language in langs else langs[0])
    text = _NOT_LANGUAGE.sub(" ", text)
    words = word_count(text)
    if len(langs) == 1 or words == 0:
        return base
    hits = _exclusive_hits(text, langs)
    if len(hits) == 1:
        ((only, n),) = hits.items()
        if only != base and (n >= 3 or (not settled and n >= 1 and n * 2 >= words)):
            return only
    scores = _adjust(text, confidences(text, langs))
    best = max(scores, key=lambda k: scores[k])
    if best == base:
        return base
    if hits and hits.get(best, 0) < max(hits.values()):
        return base  # the words say another language than the detector's guess
    if {best, base} == {"da", "nb"} and not hits.get(best):
        return base  # Danish and Norwegian write most sentences alike: only their own words tell
    p, margin = scores[best], scores[best] - scores.get(base, 0.0)
    close_relatives = best in _SCANDINAVIAN and base in _SCANDINAVIAN
    if close_relatives:
        # Danish and Norwegian split the vote on text Swedish does not write like: leaving
        # Swedish (or arriving from it) looks at the pair together.
        siblings = {"da", "nb"}
        pair = sum(scores.get(lang, 0.0) for lang in siblings)
        if (
            best in siblings
            and base == "sv"
            and words >= 3
            and pair >= 0.75
            and scores.get("sv", 0.0) <= 0.2
        ):
            return page_language if page_language in siblings and page_language in langs else best
        switch = words >= 3 and p >= 0.55 and margin >= 0.3
    else:
        switch = (words >= 3 and p >= 0.5 and margin >= 0.3) or (
            words >= 2 and p >= 0.8 and margin >= 0.6
        )
    return best if switch else base
