"""Product search across the five languages: fuzzy words, sentence embeddings, stated filters.

A query is read three ways and the scores are added:

1. **Words** (lexical): the query's words are matched against every product's words — names in
   all five languages, the words customers use for the kind (`Product.keywords`), materials,
   category, description — exactly, as a typo (`rapidfuzz` ratio), or as part of a compound
   ("kashmirtröja" holds "kashmir" and "tröja"; "lampe" is the end of "bordlampe"). Rarer words
   weigh more (idf), names more than descriptions. The score is the share of the matched query
   words a product explains.
2. **Meaning** (semantic): the query's E5 embedding against the products' `search_text`
   passages (one per language; products that share a text share its vector, so the demo's 550
   products need about 250 vectors and a 20,000-product catalogue of the same kinds no more).
   This is what finds a wool coat for "something warm for winter walks".
3. **Filters** in words (`filters.py`): colours, sizes and a price limit remove what does not
   fit; if nothing fits all of them, the closest matches are shown and the caller says so.

The word index is built in milliseconds when a catalogue loads. The vectors take a few seconds
the first time (cached on disk afterwards, by text): `SemanticIndex.build` runs in a worker
thread and is attached when ready; until then search uses words alone.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from samtale.shop.filters import product_fits
from samtale.shop.lexicon import word_concepts
from samtale.shop.models import Product, SearchFilters
from samtale.shop.vocabulary import LANGUAGES, colour_matches, fold
from samtale.shop.wordforms import Splitter
from samtale.shop.wordforms import stems as snowball_stems

# Words that carry no product meaning in the five languages (questions, fillers, pronouns).
STOPWORDS = frozenset(
    """
    har i den det de der en et jeg du vi jer jeres til at af på med og eller som er kan man
    noget nogle hvad hvor hvilke hvilken findes fås gerne lige søger leder efter min mit mine
    sin også mere ikke om fra hvordan skal vil ville kunne godt lidt meget ny nye hej tak mig
    ni ett jag att av och något några vad var vilka finns söker letar mitt mina mer inte hur
    ska skulle lite mycket bra hej tack mej dere å noe noen hva hvilke finnes leter etter litt
    mye takk meg onko teillä on ja tai kuin joka jotka jotain jotakin mitä missä mikä etsin
    haluan olisi myös ei se ne tämä tuo minä sinä me kanssa mistä millä jolla joilla sopii
    löytyykö hei kiitos koko kaikki do you have the a an we for to of on with and or that is are can
    something some what where which any looking find my also more not about from how should
    would could little very new please hi thanks me your it its in at as be
    spørgsmål spørsmål fråga frågor kysymys question vare varer varen vara varor varan tuote
    tuotteesta tuotteet tuotetta product products item items produkt produkter produktet
    produkten artikel artikler
    """.split()
)

FIELD_WEIGHTS = {"name": 1.0, "keywords": 0.8, "material": 0.5, "category": 0.8, "text": 0.35}
MIN_PIECE = 4  # shortest part of a compound that counts
FUZZY_CUTOFF = 80
# Keys of the word index besides the words themselves: a Snowball stem, a lexicon concept.
STEM, CONCEPT = "~", "#"
SIM_STEM = 0.92
SIM_CONCEPT = 0.88
WEAK_WHEN_KNOWN = 0.6
# A product that explains every word of the query well (at least `SOLID` of the best match for
# each) keeps its whole word score; one that explains none of them keeps 1 - `ALL_WORDS` of it.
SOLID = 0.4
ALL_WORDS = 0.3
PART_WEIGHT = 0.6  # a modifier of a catalogue compound ("uld" in "uldfrakke") says less than a word
W_LEXICAL = 0.65
W_SEMANTIC = 0.45
NAMED_SHARE = 0.6  # of a message's words known, for it to be about the catalogue

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    """Folded words; hyphens inside words are dropped ("T-shirt" → "tshirt")."""
    text = re.sub(r"(?<=\w)-(?=\w)", "", fold(text))
    return _WORD.findall(text)


# Endings to try taking off a word the index does not know: plurals and definite forms of the
# Scandinavian languages, the commonest Finnish cases ("lautaset" → "lautanen").
_ENDINGS = (
    "erne", "arna", "ene", "ane", "er", "ar", "en", "et", "na", "ne", "e", "a",
    "ssa", "ssä", "sta", "stä", "lla", "llä", "lle", "ksi", "na", "nä", "ia", "iä", "in", "an",
    "ää", "aa", "ä", "t", "n",
)  # fmt: skip
_REPLACEMENTS = (
    ("set", "nen"), ("sen", "nen"), ("sia", "nen"), ("iset", "inen"), ("eja", "i"), ("eita", "i"),
)  # fmt: skip


def stems(token: str) -> list[str]:
    """Forms `token` may be an inflection of (longest first), at least four letters long."""
    found = [token[: -len(old)] + new for old, new in _REPLACEMENTS if token.endswith(old)]
    found += [token[: -len(e)] for e in _ENDINGS if token.endswith(e)]
    return [f for f in dict.fromkeys(found) if len(f) >= MIN_PIECE]


@lru_cache(maxsize=65536)
def query_stems(word: str) -> tuple[str, ...]:
    """The stems a query word is looked up by: the longest that differ from the word. The five
    stemmers cut "sweaters" to "sweater" (English) and "sweat" (Danish); the customer meant the
    one that takes least away."""
    cut = [s for s in snowball_stems(word) if s != word]
    if not cut:
        return ()
    longest = max(len(s) for s in cut)
    return tuple(sorted(s for s in cut if len(s) == longest))


@lru_cache(maxsize=65536)
def concepts_of(word: str) -> frozenset[str]:
    """The lexicon's concepts for a word or an inflection of one ("tröjor" → sweater)."""
    direct = word_concepts().get(word)
    if direct:
        return direct
    by_stem = _concepts_by_stem()
    found: set[str] = set()
    for stem in query_stems(word):
        found |= by_stem.get(stem, frozenset())
    return frozenset(found)


@cache
def _concepts_by_stem() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for word, names in word_concepts().items():
        for stem in snowball_stems(word):
            if len(stem) >= MIN_PIECE:
                index[stem] |= names
    return {stem: frozenset(names) for stem, names in index.items()}


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and not w.isdigit()]


@dataclass
class Hit:
    product: Product
    score: float
    lexical: float = 0.0
    semantic: float = 0.0


@dataclass
class SearchResult:
    hits: list[Hit]
    relaxed: bool = False  # no product fitted every filter: these are the closest
    total: int = 0  # how many fitted (before paging)


class SemanticIndex:
    """The vectors of the products' search texts, deduplicated."""

    def __init__(self, vectors: np.ndarray, passage_ids: np.ndarray, identity: str) -> None:
        self.vectors = vectors  # (passages, dim), L2-normalised
        self.passage_ids = passage_ids  # (products, languages) → row of `vectors`
        self.identity = identity

    @staticmethod
    def passages(products: Sequence[Product]) -> tuple[list[str], np.ndarray]:
        texts: dict[str, int] = {}
        ids = np.zeros((len(products), len(LANGUAGES)), dtype=np.int32)
        for i, p in enumerate(products):
            for j, lang in enumerate(LANGUAGES):
                text = p.search_text.get(lang) or (
                    f"{p.name(lang)}. {p.descriptions.get(lang) or p.descriptions.get('en', '')}"
                )
                ids[i, j] = texts.setdefault(text, len(texts))
        return list(texts), ids

    @classmethod
    def build(cls, products: Sequence[Product], embedder: Any) -> SemanticIndex:
        """Embed every distinct passage (slow the first time; `embedder` caches by text)."""
        texts, ids = cls.passages(products)
        vectors = embedder.embed(texts, remember=True) if texts else np.zeros((0, 384))
        return cls(np.asarray(vectors, dtype=np.float32), ids, getattr(embedder, "identity", ""))

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Per product: the best cosine similarity over its languages' passages."""
        sims = self.vectors @ query_vector.astype(np.float32)
        result: np.ndarray = sims[self.passage_ids].max(axis=1)
        return result


@dataclass
class _Postings:
    products: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)


class ProductIndex:
    """One catalogue, searchable. Build with the products; attach semantics when ready."""

    def __init__(
        self,
        products: Sequence[Product],
        semantic: SemanticIndex | None = None,
        query_embedder: Any = None,
    ) -> None:
        self.products = list(products)
        self.by_sku = {p.sku: p for p in self.products}
        self.semantic = semantic
        self.query_embedder = query_embedder
        self._build_words()

    def __len__(self) -> int:
        return len(self.products)

    def get(self, sku: str) -> Product | None:
        return self.by_sku.get(sku) or self.by_sku.get(sku.upper())

    def attach(self, semantic: SemanticIndex, query_embedder: Any) -> None:
        self.semantic = semantic
        self.query_embedder = query_embedder

    # -- the word index --------------------------------------------------------------------

    def _fields(self, p: Product) -> Iterable[tuple[str, str]]:
        for text in p.names.values():
            yield "name", text
        yield "keywords", p.keywords
        for text in p.materials.values():
            yield "material", text
        for text in p.category_names.values():
            yield "category", text
        yield "category", p.category
        for text in p.descriptions.values():
            yield "text", text

    def _build_words(self) -> None:
        weights: dict[str, dict[int, float]] = defaultdict(dict)
        seen: dict[str, list[str]] = {}  # texts repeat across products: split each once
        for i, p in enumerate(self.products):
            for kind, text in self._fields(p):
                w = FIELD_WEIGHTS[kind]
                split = seen.get(text)
                if split is None:
                    split = seen[text] = content_words(text)
                for word in split:
                    if len(word) < 2:
                        continue
                    if weights[word].get(i, 0.0) < w:
                        weights[word][i] = w
        self._vocab = list(weights)
        self._words = set(weights)
        self._known = {w for w in weights if len(w) >= MIN_PIECE} | set(word_concepts())
        self._known_stems = {s for w in self._known for s in snowball_stems(w)}
        self.splitter = Splitter(self._is_part, word_concepts().__contains__)
        # Each word also answers to its stems and concepts, and a compound to its parts'.
        keyed: dict[str, dict[int, float]] = defaultdict(dict)
        # Keys that come from what names a product (its name, kind, category, material), not
        # from a description's running text: what `names_products` accepts.
        self._label_keys: set[str] = set()
        for word, by_product in weights.items():
            keys = self._keys(word)
            if max(by_product.values()) > FIELD_WEIGHTS["text"]:
                self._label_keys.update(key for key, _ in keys)
            for key, factor in keys:
                postings = keyed[key]
                for i, w in by_product.items():
                    if postings.get(i, 0.0) < w * factor:
                        postings[i] = w * factor
        n = max(1, len(self.products))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._idf: dict[str, float] = {}
        for key, by_product in keyed.items():
            idx = np.fromiter(by_product.keys(), dtype=np.int32, count=len(by_product))
            wts = np.fromiter(by_product.values(), dtype=np.float32, count=len(by_product))
            self._postings[key] = (idx, wts)
            self._idf[key] = math.log(1 + n / len(by_product))
        # Prefixes and suffixes of the vocabulary's words, for "lampe" → "bordlampe".
        self._pieces: dict[str, list[str]] = defaultdict(list)
        for word in self._vocab:
            for k in range(MIN_PIECE, len(word)):
                self._pieces[word[:k]].append(word)
                self._pieces[word[-k:]].append(word)

    def _is_part(self, word: str) -> bool:
        """May `word` be a part of a compound: a known word, or an inflection of one."""
        return word in self._known or (
            len(word) >= MIN_PIECE and not snowball_stems(word).isdisjoint(self._known_stems)
        )

    @staticmethod
    def _forms(word: str, factor: float) -> list[tuple[str, float]]:
        keys = [(word, factor)]
        keys += [(STEM + s, factor) for s in snowball_stems(word)]
        keys += [(CONCEPT + c, factor) for c in concepts_of(word)]
        return keys

    def _keys(self, word: str) -> list[tuple[str, float]]:
        """The index keys of a catalogue word: itself, its stems and concepts, and its parts'."""
        keys = self._forms(word, 1.0)
        parts = self.splitter.split(word) or ()
        # "polotröja" is a thing of its own, not any "tröja"; "kökshanddukar" split before a
        # head of the lexicon ("köks" unknown) is less sure than one split into known parts.
        sure = word not in word_concepts() and all(self._is_part(p) for p in parts)
        for n, part in enumerate(parts, 1):
            # The last part is what the thing is ("genser" in "ullgenser"), the others say what
            # kind.
            head = n == len(parts) and sure
            keys += self._forms(part, 1.0 if head else PART_WEIGHT)
        return keys

    def _matches(self, token: str) -> dict[str, float]:
        """Index keys that `token` may mean, with a similarity in (0, 1]."""
        found: dict[str, float] = {}
        if token in self._postings:
            found[token] = 1.0
        if token not in self._words:
            # Neighbouring languages' false friends ("kjoler", dresses in Danish, shares its stem
            # with "kjol", a skirt in Swedish): stems only for a word the catalogue lacks (as a
            # word of its own; it may have it as a part of a compound).
            for stem in query_stems(token):
                if STEM + stem in self._postings:
                    found[STEM + stem] = SIM_STEM
        for concept in concepts_of(token):
            if CONCEPT + concept in self._postings:
                found[CONCEPT + concept] = SIM_CONCEPT
        if len(token) < MIN_PIECE:
            return found
        # Guesses from the letters: parts, endings, typos. They count less for a word the
        # catalogue knows.
        guessed: dict[str, float] = {}

        def note(word: str, sim: float) -> None:
            if sim > guessed.get(word, 0.0):
                guessed[word] = sim

        if not found:
            for stem in stems(token):
                if stem in self._postings:
                    note(stem, 0.95)
                for word in self._pieces.get(stem, ()):
                    note(word, 0.75 * math.sqrt(len(stem) / len(word)))
        # The token is part of a longer word ("lampe" in "bordlampe").
        for word in self._pieces.get(token, ()):
            note(word, 0.8 * math.sqrt(len(token) / len(word)))
        # A word is part of the token ("kashmir" in "kashmirtröja", "tallerken" in
        # "tallerkener").
        for k in range(MIN_PIECE, len(token)):
            for piece in (token[:k], token[-k:]):
                if piece in self._postings:
                    note(piece, 0.85 * math.sqrt(k / len(token)))
        for word, score, _ in process.extract(
            token, self._vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=8
        ):
            note(word, (score / 100) ** 2)
        factor = WEAK_WHEN_KNOWN if found else 1.0
        for word, sim in guessed.items():
            if word not in found:
                found[word] = sim * factor
        return found

    def query_words(self, query: str) -> list[str]:
        """The query's content words, a compound that is not a word of the catalogue replaced by
        its parts ("uldsweater" → "uld", "sweater"; "ullgenseren" → "ull", "genseren")."""
        out: list[str] = []
        for token in content_words(query):
            parts = None if self._whole(token) else self.splitter.split(token)
            if parts and any(CONCEPT + c in self._postings for c in concepts_of(token)):
                parts = (token, *parts)  # "torkkupeitto" means a throw, whatever its parts find
            out.extend(p for p in parts or (token,) if p not in STOPWORDS)
        return out

    def named_share(self, query: str) -> float:
        """The share of the query's words that name things in the catalogue: known as words of
        its names, kinds, categories or materials, as their inflections or as the lexicon's
        words for them — not merely guessed from their letters."""
        tokens = list(dict.fromkeys(self.query_words(query)))
        if not tokens:
            return 0.0
        return sum(1 for t in tokens if self._strong(t)) / len(tokens)

    def names_products(self, query: str) -> bool:
        """Do most of the query's words name things in the catalogue?"""
        share = self.named_share(query)
        return share > 0 and share >= NAMED_SHARE

    def _strong(self, token: str) -> bool:
        labels = self._label_keys
        return (
            token in labels
            or any(STEM + s in labels for s in query_stems(token))
            or any(CONCEPT + c in labels for c in concepts_of(token))
        )

    def _whole(self, token: str) -> bool:
        """Is `token` a word of the catalogue, or an inflection of one ("strikkjoler")?"""
        return token in self._postings or any(
            STEM + s in self._postings for s in query_stems(token)
        )

    def lexical(self, query: str) -> tuple[np.ndarray, float]:
        """Per product: the share of the query's known words it explains, less for a product
        that explains only some of them well ("wool socks" for "wool sweaters"); and the share
        of the query's words that are known at all."""
        tokens = list(dict.fromkeys(self.query_words(query)))
        total = np.zeros(len(self.products), dtype=np.float32)
        solid = np.zeros(len(self.products), dtype=np.float32)
        possible = 0.0
        known = 0
        for token in tokens:
            matches = self._matches(token)
            if not matches:
                continue
            known += 1
            best = np.zeros(len(self.products), dtype=np.float32)
            top = 0.0
            for word, sim in matches.items():
                idx, wts = self._postings[word]
                value = sim * self._idf[word]
                top = max(top, value)
                np.maximum.at(best, idx, wts * value)
            total += best
            solid += best >= SOLID * top
            possible += top
        if possible == 0:
            return total, 0.0
        share = total / possible
        if known > 1:
            share *= 1 - ALL_WORDS + ALL_WORDS * solid / known
        return share, known / max(1, len(tokens))

    # -- searching -------------------------------------------------------------------------

    def _semantic_scores(self, text: str) -> np.ndarray | None:
        if self.semantic is None or self.query_embedder is None or not text.strip():
            return None
        vector = self.query_embedder.embed_one(text)
        sims = self.semantic.scores(vector)
        top = float(sims.max())
        floor = float(np.median(sims))
        if top - floor < 1e-6:
            return None
        scaled: np.ndarray = np.clip((sims - floor) / (top - floor), 0, 1) ** 2
        # How far the best passage stands out says how much to trust meaning at all.
        confidence = min(1.0, max(0.0, (top - floor) / 0.08))
        return scaled * confidence

    def score(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lexical, coverage = self.lexical(text)
        semantic = self._semantic_scores(text)
        lex_part = lexical * (0.5 + 0.5 * coverage)
        if semantic is None:
            return lex_part, lex_part, np.zeros_like(lex_part)
        # Meaning is for what the words do not say. When the catalogue knows every word of the
        # query by name ("ylletröjor", "wool sweaters"), the words decide: a short query's
        # vector lies about as near to every passage (a plate came first for "ylletröjor"),
        # and would otherwise prefer wool socks or a turtleneck to the sweater the words name.
        weight = W_SEMANTIC * (1 - self.named_share(text))
        return W_LEXICAL * lex_part + weight * semantic, lex_part, semantic

    def _in_stock_bonus(self, p: Product, filters: SearchFilters) -> float:
        for variant in p.variants:
            if variant.stock <= 0:
                continue
            if filters.colours and not any(
                colour_matches(w, variant.colour or "") for w in filters.colours
            ):
                continue
            if filters.sizes and (variant.size or "").lower() not in {
                s.lower() for s in filters.sizes
            }:
                continue
            return 0.02
        return 0.0

    def search(
        self,
        text: str,
        language: str = "en",
        filters: SearchFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        min_score: float = 0.2,
    ) -> list[Hit]:
        return self.find(text, language, filters, limit, offset, min_score).hits

    def find(
        self,
        text: str,
        language: str = "en",
        filters: SearchFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        min_score: float = 0.2,
    ) -> SearchResult:
        """Products for `text` (filter words already taken out), best first."""
        filters = filters or SearchFilters()
        if not self.products:
            return SearchResult([])
        scores, lexical, semantic = self.score(text)
        best = float(scores.max()) if len(scores) else 0.0
        if best < min_score:
            return SearchResult([])
        threshold = max(min_score, best * 0.45)
        candidates = np.flatnonzero(scores >= threshold)
        candidates = candidates[np.argsort(-scores[candidates], kind="stable")][:400]
        fitting = [int(i) for i in candidates if product_fits(self.products[i], filters)]
        relaxed = False
        if not fitting and not filters.is_empty():
            fitting, relaxed = [int(i) for i in candidates], True
        ranked = sorted(
            fitting,
            key=lambda i: -(scores[i] + self._in_stock_bonus(self.products[i], filters)),
        )
        hits = [
            Hit(self.products[i], float(scores[i]), float(lexical[i]), float(semantic[i]))
            for i in ranked[offset : offset + limit]
        ]
        return SearchResult(hits, relaxed, len(ranked))
