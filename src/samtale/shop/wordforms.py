"""The forms of a word the product search compares: Snowball stems in the five languages, and the
parts of a compound.

**Stems.** A customer writes "trøjer", "tröjor", "genseren", "villapaidat", "sweaters"; the
catalogue says "trøje", "tröja", "genser", "villapaita", "sweater". Each word is cut by the Snowball
stemmer (`PyStemmer`) of every one of the five languages — not only the conversation's, because a
Swede writes Swedish to a Danish shop — and two words match when they share a stem in a language.

**Compounds.** Danish, Swedish and Norwegian write compounds as one word: "uldsweater",
"ylletröja", "ullgenser", "sengetøjssæt". `Splitter.split` cuts a word into parts it knows (the
catalogue's words and the shared lexicon's, `lexicon.py`), allowing a linking "s" or "e" between
parts ("julemarkedsplaid", "sengeteppe"), the last part inflected ("ullgenseren"). The fewest
parts win, then the longest last part (the head of a Nordic compound is its last word). A word that
is itself known is not split.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

import Stemmer

STEMMERS = {"da": "danish", "sv": "swedish", "nb": "norwegian", "fi": "finnish", "en": "english"}
MIN_STEM = 3
MIN_PART = 3  # "uld", "ull" and "lin" are parts of compounds
MIN_HEAD = 4  # a head found at the end of an unknown word: "krus", "lampe"
MAX_WORD = 40  # longer "words" are not split (an URL, a code)
LINKS = ("s", "e")


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMERS[language])


@lru_cache(maxsize=65536)
def stems(word: str) -> frozenset[str]:
    """The word's stems in the five languages (at least three letters; the word itself when a
    stemmer leaves it as it is)."""
    found = {_stemmer(lang).stemWord(word) for lang in STEMMERS}
    return frozenset(s for s in found if len(s) >= MIN_STEM)


class Splitter:
    """Splits compounds into the parts `known` accepts. When no split into known parts exists,
    a word that ends in a `head` (a word of the shared lexicon: "kaffekrus" ends in "krus") is
    split before it, whatever the rest is."""

    def __init__(
        self, known: Callable[[str], bool], head: Callable[[str], bool] | None = None
    ) -> None:
        self.known = known
        self.head = head
        self._memo: dict[str, tuple[str, ...] | None] = {}

    def split(self, word: str) -> tuple[str, ...] | None:
        """The parts of `word` (two or more), or None when it is not a compound of known parts."""
        if word in self._memo:
            return self._memo[word]
        parts = None
        if 2 * MIN_PART <= len(word) <= MAX_WORD and word.isalpha():
            parts = self._split(word, 0, {}) or self._headed(word)
        self._memo[word] = parts if parts and len(parts) > 1 else None
        return self._memo[word]

    def _headed(self, word: str) -> tuple[str, ...] | None:
        if self.head is None:
            return None
        for start in range(MIN_PART, len(word) - MIN_HEAD + 1):  # the longest head first
            if self.head(word[start:]):
                return (word[:start], word[start:])
        return None

    def _split(
        self, word: str, start: int, memo: dict[int, tuple[str, ...] | None]
    ) -> tuple[str, ...] | None:
        """The best split of `word[start:]`: fewest parts, then the longest last part."""
        if start in memo:
            return memo[start]
        rest = word[start:]
        best: tuple[str, ...] | None = (rest,) if start > 0 and self.known(rest) else None
        for end in range(start + MIN_PART, len(word) - MIN_PART + 1):
            head = word[start:end]
            if not self.known(head):
                continue
            nexts = [end] + [end + 1 for link in LINKS if word.startswith(link, end)]
            for after in nexts:
                if len(word) - after < MIN_PART:
                    continue
                tail = self._split(word, after, memo)
                if tail is None:
                    continue
                candidate = (head, *tail)
                if best is None or _better(candidate, best):
                    best = candidate
        memo[start] = best
        return best


def _better(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return (len(a), -len(a[-1])) < (len(b), -len(b[-1]))
