"""Person names in Danish, Swedish, Norwegian, Finnish and English text.

In these five languages a capital letter inside a sentence marks a proper noun, so capitals,
position and context carry most of the decision; the name lists (see `lexicon`) say which
proper nouns are people rather than places or brands.

A name is found:

1. after an introduction or a label: "jeg hedder …", "mit navn er …", "jag heter …",
   "navnet mitt er …", "nimeni on …", "my name is …", "Navn: …", "c/o …" — there the words
   may be unknown, and even lowercase if the lists know them. Weak openers ("I'm …", "olen …",
   "jeg er …") need a known given name after them.
2. after a closing ("mvh", "med venlig hilsen", "vänliga hälsningar", "terveisin",
   "regards" …), on the same line or the next, and as a signature on the last line.
3. as a run of capitalised words that holds a known given name, or a given name and a
   surname (known, or shaped like one: -sen, -son, -nen …): "Anna Jensen", "Per Løkkegaard",
   "H. C. Andersen". A single known given name or surname inside a sentence counts too.

Given names that are everyday words (`Bo`, `Per`, `Mark`, `Sol`, `Hans`, `Will` …) count only
with more evidence: a surname next to them, an introduction, a closing or a signature.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .lexicon import AMBIGUOUS_FIRST, BRANDS, COMMON_WORDS, MONTHS_AND_DAYS, NOT_NAMES, name_lists
from .model import NAME, Finding

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*")
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "der",
        "den",
        "af",
        "la",
        "le",
        "di",
        "da",
        "del",
        "dos",
        "du",
        "ten",
        "ter",
        "bin",
        "al",
        "el",
        "zu",
    ]
)
_SENTENCE_END = '.!?:;\n"“”«»()[]•*>|'
_SURNAME_SHAPE = re.compile(
    r"(?:[^\W\d_]{2,}(?:sen|søn|ssen|sson|son|zon|nen|inen|ström|strom|qvist|kvist|gren|"
    r"berg|lund|holm|dahl|gaard|gård|bæk|bäck|rup|strup|skov|mann|feldt|stedt|ius|ski|ska|"
    r"wicz|ović|ovic|ić|enko|ová|ová|oglu|oğlu))$"
)
_STRONG_SURNAME_SHAPE = re.compile(r"[^\W\d_]{3,}(?:sen|søn|ssen|sson|nen|inen)$")
_FI_CASES = ("lle", "lta", "ltä", "lla", "llä", "sta", "stä", "ssa", "ssä", "ksi", "n")

# Phrases after which a name follows; (pattern, strength). Strong: the words after it are a
# name whatever they are. Weak: only a known given name counts.
_INTRO = [
    r"jeg hedder",
    r"jeg heder",
    r"mit (?:fulde )?navn er",
    r"navnet er",
    r"jag heter",
    r"mitt (?:fullständiga )?namn är",
    r"namnet är",
    r"jeg heter",
    r"navnet mitt er",
    r"mitt navn er",
    r"(?:minun )?nimeni on",
    r"nimi on",
    r"my (?:full )?name is",
    r"my name's",
    r"the name is",
    r"name's",
]
_WEAK_INTRO = [
    r"jeg er",
    r"det er",
    r"her er",
    r"jag är",
    r"det är",
    r"här är",
    r"olen",
    r"tässä on",
    r"täällä",
    r"i'm",
    r"i am",
    r"this is",
    r"it's",
]
_LABELS = [
    r"(?:fulde |fullt |fullständigt |full |koko )?(?:navn|name|namn|nimi)",
    r"(?:for|efter|etter|sukunimi|etunimi|för|efter)navn",
    r"för(?:namn)|efternamn|etternavn|etunimi|sukunimi|first name|last name|surname",
    r"kontaktperson|contact person|modtager|mottaker|mottagare|vastaanottaja|recipient",
    r"afsender|avsender|avsändare|lähettäjä|sender|kunde|kund|asiakas|customer",
    r"att|attn",
]
_RELATIONS = [
    r"min (?:mand|kone|kæreste|søn|datter|mor|far|bror|søster|veninde|ven|kollega|chef|nabo)",
    r"min (?:man|fru|sambo|son|dotter|mamma|pappa|bror|syster|vän|kollega|granne|kompis)",
    r"(?:mannen|kona|kjæresten|sønnen|datteren|moren|faren|broren|søsteren|venninnen) mi[n]?",
    r"(?:mieheni|vaimoni|poikani|tyttäreni|äitini|isäni|veljeni|siskoni|ystäväni)",
    r"my (?:husband|wife|partner|son|daughter|mother|mum|mom|father|dad|brother|sister|friend"
    r"|colleague|boss|neighbour|neighbor)",
    r"c/o",
    r"på vegne af|på vegne av|på uppdrag av|on behalf of|puolesta",
    r"spørg efter|spør etter|fråga efter|ask for|tal med|snakk med|prata med|talk to",
]
_CLOSINGS = [
    r"(?:med )?venlig(?:st)? hilsen",
    r"venlige hilsner",
    r"(?:de )?bedste hilsner",
    r"kærlig hilsen",
    r"mange hilsner",
    r"hilsen",
    r"hilsner",
    r"m\.?v\.?h\.?",
    r"v\.?h\.?",
    r"(?:med )?vennlig(?:st)? hilsen",
    r"(?:med )?vänlig(?:a)? hälsning(?:ar)?",
    r"bästa hälsningar",
    r"hälsningar",
    r"hälsning",
    r"(?:ystävällisin |parhain |lämpimin )?terveisin",
    r"terv\.?",
    r"(?:best |kind |warm )?regards",
    r"best wishes",
    r"(?:yours )?sincerely",
    r"cheers",
]
_THANKS = [
    r"(?:på )?forhånd tak",
    r"tak(?: for hjælpen)?",
    r"takk(?: for hjelpen)?",
    r"tack(?: för hjälpen)?",
    r"kiitos(?: avusta)?",
    r"thanks?(?: you)?",
]


def _alternation(items: Sequence[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


_INTRO_RE = re.compile(rf"(?<![^\W\d_])(?:{_alternation(_INTRO)})\s*:?\s+", re.I)
_WEAK_RE = re.compile(rf"(?<![^\W\d_])(?:{_alternation(_WEAK_INTRO)})\s+", re.I)
_LABEL_RE = re.compile(rf"(?<![^\W\d_])(?:{_alternation(_LABELS)})\s*[:.]\s*", re.I)
_RELATION_RE = re.compile(rf"(?<![^\W\d_])(?:{_alternation(_RELATIONS)})\s*[,:]?\s*", re.I)
_CLOSING_RE = re.compile(
    rf"(?:^|(?<=[\s.!,;:]))(?:{_alternation(_CLOSINGS)})(?:[ \t]*[,.!:;-]?)[ \t]*\n?[ \t]*",
    re.I,
)
_THANKS_RE = re.compile(
    rf"(?:^|(?<=[\s.!,;:]))(?:{_alternation(_THANKS)})(?:[ \t]*[,.!:;-]?)[ \t]*\n?[ \t]*",
    re.I,
)
_BRAND_RE = re.compile(
    r"(?<![\w])(?:"
    + "|".join(re.escape(b) for b in sorted(BRANDS, key=len, reverse=True))
    + r")(?![\w])",
    re.I,
)
_SIGN_PREFIX = re.compile(r"^[\s\-–—/~*]*")


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str
    low: str
    cap: bool  # starts with a capital (Title or ALL CAPS)
    initial: bool  # one capital letter and a dot: "H."
    sent_start: bool
    after_article: bool = False


_ARTICLES = frozenset(
    [
        "en",
        "et",
        "ett",
        "ei",
        "a",
        "an",
        "the",
        "den",
        "det",
        "denne",
        "dette",
        "this",
        "that",
        "min",
        "mit",
        "mitt",
        "din",
        "dit",
        "ditt",
    ]
)


# Lowercase particles joined to a capitalised name: "al-Assad", "el-Sisi", "d'Artagnan".
_JOINED_PARTICLES = ("al-", "el-", "ul-", "ad-", "as-", "bin-", "ibn-", "abu-", "d'", "d’", "l'")


def _particle_cap(word: str) -> bool:
    for p in _JOINED_PARTICLES:
        if word.startswith(p) and len(word) > len(p) + 1:
            return word[len(p)].isupper()
    return False


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _WORD.finditer(text):
        s, e = m.start(), m.end()
        word = m.group()
        if text[s - 1 : s].isdigit() or text[e : e + 1].isdigit():
            continue  # part of a code: "SOMMER25", "A4"
        initial = len(word) == 1 and word.isupper() and text[e : e + 1] == "."
        if initial:
            e += 1
        j = s - 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        prev = text[j] if j >= 0 else "\n"
        sent_start = prev in _SENTENCE_END
        if prev == "." and out and out[-1].initial and out[-1].end == j + 1:
            sent_start = False
        after_article = bool(out) and out[-1].low in _ARTICLES and text[out[-1].end : s] == " "
        joined = "-" in word or "'" in word or "’" in word
        cap = word[0].isupper() or (joined and _particle_cap(word))
        out.append(_Token(s, e, word, word.lower(), cap, initial, sent_start, after_article))
    return out


class _Reader:
    """Classifies the words of one text against the name lists."""

    def __init__(self, languages: Sequence[str]) -> None:
        self.lists = name_lists()
        self.finnish = "fi" in languages

    def _base(self, low: str) -> str:
        return low.replace("’", "'").removesuffix("'s").removesuffix("'")

    def _variants(self, low: str) -> Iterator[str]:
        base = self._base(low)
        yield base
        if base.endswith("s") and len(base) > 3:
            yield base[:-1]  # Danish/Swedish/Norwegian genitive: "Kelds", "Clintons"
        if self.finnish:
            for case in _FI_CASES:
                if base.endswith(case) and len(base) - len(case) >= 3:
                    stem = base[: -len(case)]
                    yield stem
                    if stem.endswith("se"):  # Virtanen -> Virtasen, Virtaselle
                        yield stem[:-2] + "nen"

    def is_stop(self, low: str) -> bool:
        base = self._base(low)
        return base in COMMON_WORDS or base in MONTHS_AND_DAYS or base in NOT_NAMES

    def first(self, low: str) -> str:
        """'core', 'wide', 'ambiguous' or ''."""
        for i, v in enumerate(self._variants(low)):
            if v in AMBIGUOUS_FIRST:
                return "ambiguous" if i == 0 else ""
            if v in self.lists.core_first:
                return "core"
            if v in self.lists.wide_first:
                return "wide"
        return ""

    def surname(self, low: str, shape: bool = True) -> bool:
        if self.is_stop(low):
            return False
        for v in self._variants(low):
            if v in self.lists.surnames:
                return True
        base = self._base(low)
        return shape and bool(_SURNAME_SHAPE.match(base)) and base not in self.lists.cities

    def world(self, low: str) -> str:
        """'first' or 'surname' when only the lists of the world's other locales know the word."""
        base = self._base(low)
        if base in self.lists.world_first:
            return "first"
        if base in self.lists.world_surnames:
            return "surname"
        return ""

    def city(self, low: str) -> bool:
        return self._base(low) in self.lists.cities

    def strong_surname(self, low: str) -> bool:
        base = self._base(low)
        if self.is_stop(base) or self.city(base):
            return False
        return (base in self.lists.surnames and len(base) >= 4) or bool(
            _STRONG_SURNAME_SHAPE.match(base)
        )

    def known(self, low: str) -> bool:
        return bool(self.first(low)) or self.surname(low, shape=False)


def _name_token(tok: _Token) -> bool:
    if tok.initial:
        return True
    # Short words in capitals are acronyms (EU, SAS, DHL), not names.
    return tok.cap and not (len(tok.text) <= 3 and tok.text.isupper())


def _take_after(
    tokens: list[_Token],
    text: str,
    pos: int,
    reader: _Reader,
    *,
    strong: bool,
    allow_newline: bool = False,
    limit: int = 4,
    closing: bool = False,
) -> tuple[int, int] | None:
    """The name that starts at text position `pos`: (start, end) or None."""
    idx = next((i for i, t in enumerate(tokens) if t.start >= pos), None)
    if idx is None:
        return None
    gap = text[pos : tokens[idx].start]
    if gap.strip() or (gap.count("\n") > (1 if allow_newline else 0)):
        return None
    chosen: list[_Token] = []
    i = idx
    while i < len(tokens) and len(chosen) < limit:
        tok = tokens[i]
        if chosen:
            between = text[chosen[-1].end : tok.start]
            if between.strip(" \t") not in ("", "-") and not (
                chosen[-1].initial and between.strip() == ""
            ):
                break
            if "\n" in between:
                break
        low = tok.low
        if tok.low in _PARTICLES and chosen and i + 1 < len(tokens) and tokens[i + 1].cap:
            chosen.append(tok)
            i += 1
            continue
        if reader.is_stop(low) and not tok.initial:
            break
        if tok.cap or tok.initial:
            if not chosen and not strong and not reader.first(low):
                # "Takk Torleif!": a capitalised word alone between a thank-you and the end of
                # the sentence is a name too.
                after = text[tok.end : tok.end + 1]
                if closing and after in ("", "!", ",", ".", "\n") and not reader.city(low):
                    return tok.start, tok.end
                return None
            if not strong and chosen and not (reader.known(low) or reader.surname(low)):
                break
            chosen.append(tok)
        elif reader.known(low) or (chosen and reader.surname(low)):
            if reader.first(low) == "ambiguous" and not strong and not chosen:
                return None
            chosen.append(tok)
        elif strong and closing and _rest_is_signature(tokens, i, text, reader):
            # a lowercase signature on the last line: "med vennlig hilsen\nngozi skjeldal"
            chosen.extend(tokens[i:])
            break
        else:
            break
        i += 1
    while chosen and chosen[-1].low in _PARTICLES:
        chosen.pop()
    if not chosen:
        return None
    if reader.city(chosen[0].low) and len(chosen) == 1 and not strong:
        return None
    return chosen[0].start, chosen[-1].end


def _rest_is_signature(tokens: list[_Token], i: int, text: str, reader: _Reader) -> bool:
    rest = tokens[i:]
    if not rest or len(rest) > 3 or text[rest[-1].end :].strip(" .!\n\t"):
        return False
    if "\n" in text[rest[0].start : rest[-1].end]:
        return False
    return not any(reader.is_stop(t.low) for t in rest)


def _runs(tokens: list[_Token], text: str) -> Iterator[list[_Token]]:
    run: list[_Token] = []
    for tok in tokens:
        if run:
            prev = run[-1]
            between = text[prev.end : tok.start]
            joined = (between in (" ", "\u00a0") or (prev.initial and between.strip() == "")) and (
                "\n" not in between
            )
            if joined and (_name_token(tok) or (tok.low in _PARTICLES)):
                run.append(tok)
                continue
            yield run
            run = []
        if _name_token(tok):
            run.append(tok)
    if run:
        yield run


def _judge_run(run: list[_Token], reader: _Reader) -> list[tuple[int, int]]:
    # Strip particles at the edges and common words at the start ("Hej Anna" -> "Anna").
    while run and (run[0].low in _PARTICLES or (reader.is_stop(run[0].low) and not run[0].initial)):
        run = run[1:]
    while run and (run[-1].low in _PARTICLES or reader.is_stop(run[-1].low)):
        run = run[:-1]
    if not run:
        return []
    words = [t for t in run if not t.initial]
    if not words:
        return []
    phrase = " ".join(t.text for t in run).lower()
    if any(phrase == b or phrase.startswith(b + " ") or phrase.endswith(" " + b) for b in BRANDS):
        return []
    if any(reader.is_stop(t.low) for t in words):
        # A common word inside the run: judge the parts on either side separately.
        out: list[tuple[int, int]] = []
        part: list[_Token] = []
        for t in run:
            if reader.is_stop(t.low) and not t.initial:
                if part:
                    out += _judge_run(part, reader)
                part = []
            else:
                part.append(t)
        if part:
            out += _judge_run(part, reader)
        return out
    # Titles and other words before a given name: "Direktør Henrik Klæbel", "Kronprins Frederik".
    while len(run) > 1 and not run[0].initial:
        head = run[0].low
        if reader.first(head) or reader.surname(head, shape=False):
            break
        if not any(reader.first(t.low) for t in run[1:]):
            break
        run = run[1:]
    words = [t for t in run if not t.initial]
    if not words:
        return []
    firsts = [reader.first(t.low) for t in words]
    surnames = [reader.surname(t.low) for t in words]
    cities = [reader.city(t.low) for t in words]
    has_initial = len(words) < len(run)
    if len(words) >= 2 or has_initial:
        core = "core" in firsts
        other_first = any(f in ("wide", "ambiguous") for f in firsts) or (
            has_initial and run[0].initial
        )
        last_strong = reader.strong_surname(words[-1].low)
        if all(cities) and not last_strong:
            return []
        wide_then_unknown = (
            firsts[0] == "wide"
            and len(words) <= 3
            and not any(cities[1:])
            and not words[0].sent_start
        )
        if (
            core
            or wide_then_unknown
            or (
                other_first
                and any(
                    sur and first != "ambiguous"
                    for sur, first in zip(surnames[1:], firsts[1:], strict=True)
                )
            )
            or (last_strong and len(words) >= 2 and not cities[0])
            or sum(surnames) >= 2
            or (has_initial and any(surnames))
        ):
            return [(run[0].start, run[-1].end)]
        return []
    tok = words[0]
    kind = firsts[0]
    if cities[0] or len(tok.text) < 2:
        return []
    if tok.sent_start:
        if kind == "core" and len(tok.text) >= 3:
            return [(tok.start, tok.end)]
        return []
    if tok.after_article:
        return []  # "en Rose parfume", "the Jack hoodie": a product, not a person
    if kind or reader.strong_surname(tok.low):
        return [(tok.start, tok.end)]
    return []


def _signature(text: str, tokens: list[_Token], reader: _Reader) -> Iterator[tuple[int, int]]:
    """A name alone on the last line, or closing the message after a comma or a full stop."""
    stripped = text.rstrip()
    if not stripped:
        return
    line_start = stripped.rfind("\n") + 1
    line = stripped[line_start:]
    prefix = _SIGN_PREFIX.match(line)
    offset = line_start + (prefix.end() if prefix else 0)
    last = [t for t in tokens if t.start >= offset]
    if (
        last
        and len(last) <= 4
        and line_start > 0
        and all(_name_token(t) for t in last)
        and not any(reader.is_stop(t.low) for t in last)
    ):
        gaps_ok = all(
            text[a.end : b.start] in (" ", "-") or a.initial for a, b in itertools.pairwise(last)
        )
        if gaps_ok and (any(reader.known(t.low) for t in last) or reader.surname(last[-1].low)):
            yield last[0].start, last[-1].end
            return
    # "... tak for hjælpen, Mark" / "Thanks. Anna"
    if tokens:
        tok = tokens[-1]
        before = text[: tok.start].rstrip(" \t")
        tail = text[tok.end :].strip()
        if (
            tail in ("", ".", "!")
            and before.endswith((",", ".", "!", "\n", "-", "/"))
            and tok.cap
            and not reader.is_stop(tok.low)
            and reader.first(tok.low)
        ):
            yield tok.start, tok.end


# How the rules found a name: after an introduction, label or closing; as a signature; as a
# run of capitalised words judged on the name lists.
CONTEXT = 45
SIGNATURE = 42
RUN = 40


_READERS: dict[bool, _Reader] = {}


def reader_for(languages: Sequence[str]) -> _Reader:
    """The reader of the lists for `languages` (one with Finnish cases, one without)."""
    finnish = "fi" in languages
    reader = _READERS.get(finnish)
    if reader is None:
        reader = _READERS[finnish] = _Reader(("fi",) if finnish else ())
    return reader


def prepare(text: str, languages: Sequence[str]) -> tuple[list[_Token], _Reader]:
    """The words of `text` that may be names (brands taken out) and the reader of the lists."""
    reader = reader_for(languages)
    brands = [(m.start(), m.end()) for m in _BRAND_RE.finditer(text)]
    tokens = [t for t in _tokens(text) if not any(s <= t.start < e for s, e in brands)]
    return tokens, reader


def rule_names(text: str, tokens: list[_Token], reader: _Reader) -> list[tuple[int, int, int]]:
    """The names the rules find: (start, end, how) with `how` one of CONTEXT, SIGNATURE, RUN."""
    found: list[tuple[int, int, int]] = []
    if not tokens:
        return found
    for regex, strong, newline in (
        (_INTRO_RE, True, False),
        (_LABEL_RE, True, False),
        (_RELATION_RE, True, False),
        (_WEAK_RE, False, False),
        (_CLOSING_RE, True, True),
        (_THANKS_RE, False, True),
    ):
        for m in regex.finditer(text):
            span = _take_after(
                tokens, text, m.end(), reader, strong=strong, allow_newline=newline, closing=newline
            )
            if span:
                found.append((span[0], span[1], CONTEXT))
    for run in _runs(tokens, text):
        for s, e in _judge_run(run, reader):
            found.append((s, e, RUN))
    for s, e in _signature(text, tokens, reader):
        found.append((s, e, SIGNATURE))
    return found


def find_names(text: str, languages: Sequence[str]) -> Iterator[Finding]:
    """The names the rules alone find (see `name_finder` for the detector the redactor uses)."""
    if not text:
        return
    tokens, reader = prepare(text, languages)
    for s, e, p in rule_names(text, tokens, reader):
        yield Finding(NAME, s, e, priority=p)
