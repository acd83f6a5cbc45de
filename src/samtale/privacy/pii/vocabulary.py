"""The shop's own words: what the name recognizers must leave alone.

A capitalised word in a shop chat is as often a product ("Dunjakke Nordlys"), a brand, a
category, a carrier or a place ("What's the capital of France?") as a person. The shop knows
its own words; the caller (the improvement sample) passes them as a `ShopVocabulary`, and
country and city names in the five languages come from `babel` (its territory names and the
exemplar cities of its time zones) and the zone database, so every caller gets them.

How a vocabulary is read:

* an entry is a phrase; wherever the whole phrase occurs in a message (any case), it is the
  shop's, so "Karen Blixen Kjole" stays intact while a customer called Karen does not;
* each word of an entry that is not a person's name in the lists is the shop's on its own too
  ("Nordlys", "Dunjakke"), so a customer who writes half the product name is understood;
* a place that is also a common given name (Victoria, Sydney, Jordan) is not kept alone.

Context still wins: after an introduction, a label or a closing ("jeg hedder Mette Hav",
"Navn: Mette Hav", "mvh Mette Hav") the words are the customer's name even if the shop sells a
"Hav" lamp. The redactor applies that rule (see `redactor`); this module only says which
stretches of a text are the shop's words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .lexicon import name_lists

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*")
_PLACE_LOCALES = ("da", "sv", "nb", "fi", "en")


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(m.group().lower() for m in _WORD.finditer(phrase))


@dataclass(frozen=True)
class ShopVocabulary:
    """A shop's product names, brands, categories and carriers, as phrases.

    Build it once per shop (`ShopVocabulary.from_words(names)`) and pass it to `redact(..., keep=...)`.
    """

    phrases: frozenset[tuple[str, ...]] = field(default_factory=frozenset)
    words: frozenset[str] = field(default_factory=frozenset)
    longest: int = 0

    @classmethod
    def from_words(cls, entries: Iterable[str]) -> ShopVocabulary:
        personal = _personal()
        phrases: set[tuple[str, ...]] = set()
        words: set[str] = set()
        for entry in entries:
            ws = _words(entry)
            if not ws:
                continue
            phrases.add(ws)
            words.update(w for w in ws if w not in personal and len(w) >= 2)
        return cls(frozenset(phrases), frozenset(words), max((len(p) for p in phrases), default=0))

    def __or__(self, other: ShopVocabulary) -> ShopVocabulary:
        return ShopVocabulary(
            self.phrases | other.phrases, self.words | other.words, max(self.longest, other.longest)
        )

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The stretches of `text` that are the shop's words: whole phrases, then single words.

        A word may carry an ending the entry lacks ("Ingrid strikkjolen" for the entry "Ingrid
        strikkjole", "dunjakken"): up to three letters, on words of four letters or more.
        """
        toks = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
        heads = self._heads()
        out: list[tuple[int, int]] = []
        i = 0
        while i < len(toks):
            for phrase in heads.get(toks[i][2], ()):
                n = len(phrase)
                if i + n <= len(toks) and all(
                    _same(toks[i + k][2], phrase[k]) for k in range(1, n)
                ):
                    out.append((toks[i][0], toks[i + n - 1][1]))
                    i += n
                    break
            else:
                if self._word(toks[i][2]):
                    out.append((toks[i][0], toks[i][1]))
                i += 1
        return out

    def _word(self, low: str) -> bool:
        if low in self.words or (low,) in self.phrases:
            return True
        if low in _personal():  # "Malin" is a person, not an inflected "Mali"
            return False
        return any(low[:-k] in self.words for k in (1, 2, 3) if len(low) - k >= 4)

    def _heads(self) -> dict[str, list[tuple[str, ...]]]:
        """Phrases of two words or more by their first word, longest first."""
        heads = self.__dict__.get("_heads_cache")
        if heads is None:
            heads = {}
            for p in sorted(self.phrases, key=len, reverse=True):
                if len(p) > 1:
                    heads.setdefault(p[0], []).append(p)
            object.__setattr__(self, "_heads_cache", heads)
        return heads


def _same(word: str, entry: str) -> bool:
    return word == entry or (
        len(entry) >= 4 and word.startswith(entry) and len(word) - len(entry) <= 3
    )


@functools.cache
def _personal() -> frozenset[str]:
    lists = name_lists()
    return lists.core_first | lists.wide_first | lists.surnames


EMPTY = ShopVocabulary()


@functools.cache
def places() -> ShopVocabulary:
    """Countries, regions and cities in the five languages (from babel and the zone names)."""
    from babel import Locale

    countries: set[str] = set()
    cities: set[str] = set()
    for code in _PLACE_LOCALES:
        loc = Locale.parse(code)
        countries.update(v for k, v in loc.territories.items() if not k.isdigit())
        for zone in loc.time_zones.values():
            city = zone.get("city")
            if isinstance(city, str):
                cities.add(city)
    try:
        import zoneinfo

        for zone_id in zoneinfo.available_timezones():
            if "/" in zone_id and not zone_id.startswith(("Etc/", "SystemV/")):
                cities.add(zone_id.rsplit("/", 1)[1].replace("_", " "))
    except Exception:  # the zone database is optional; babel's names are enough
        pass
    lists = name_lists()
    # A country is a place even when a surname shares it; a city that is also a person's name
    # in the lists (Davis, Johnston, Adelaide) is left to the name recognizers.
    personal = lists.core_first | lists.wide_first | lists.surnames
    phrases: set[tuple[str, ...]] = set()
    words: set[str] = set()
    for group, excluded in ((countries, lists.core_first), (cities, personal)):
        for name in group:
            ws = _words(name)
            if len(ws) > 1:
                phrases.add(ws)
            elif ws and ws[0] not in excluded and len(ws[0]) >= 3:
                words.add(ws[0])
    return ShopVocabulary(frozenset(phrases), frozenset(words), max(len(p) for p in phrases))


def as_vocabulary(keep: ShopVocabulary | Iterable[str] | None) -> ShopVocabulary:
    """`keep` as a vocabulary: a `ShopVocabulary` as is, words or phrases read with `of`."""
    if keep is None:
        return EMPTY
    if isinstance(keep, ShopVocabulary):
        return keep
    return _cached_of(frozenset(keep))


@functools.lru_cache(maxsize=64)
def _cached_of(entries: frozenset[str]) -> ShopVocabulary:
    return ShopVocabulary.from_words(entries)
