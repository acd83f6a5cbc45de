"""Benchmark: finding personal data in customer messages — Samtale's redactor and Microsoft
Presidio, side by side in the same run.

    .venv/bin/python bench/pii.py

Prints, for the machine it runs on:

1. precision, recall and F1 per kind on the labelled set `bench/data/pii/messages.jsonl`
   (650 messages, Danish, Swedish, Norwegian, Finnish, English). A found span counts when at
   least half of it lies on gold spans of the same kind; a gold span counts as found when at
   least half of it is covered by found spans of its kind.
2. redaction latency per message on the labelled set, p50 and p99.
3. the names table: the share of person-name tokens masked (recall) and the share of other
   words masked by mistake, on
   - the Danish named-entity set (`../shared/bench-data/danish-ner/`, dev split — the model is
     trained on the train split only), gold PER tokens;
   - `bench/data/pii/names_chat.txt`: chat messages in the five languages written for this
     benchmark apart from the training templates (lowercase names, a name alone, signatures,
     names in e-mail addresses, products, brands, carriers and places), with the shop's
     vocabulary passed as `keep`;
   a token counts as masked when any placeholder covers it (a name inside an e-mail address is
   masked as [EMAIL]); and the latency per message of those sets, p50 and p99, as the CPU time
   of the thread (`time.thread_time`), so that other work on a shared machine, which preempts
   the pinned core, does not count as the detector's.

Everything runs pinned to one CPU core. Presidio (`presidio-analyzer`) runs offline: no spaCy
model can be installed without downloading it, so a blank spaCy tokenizer stands in for the
NLP engine and it has no statistical PERSON or LOCATION recognizer. It gets its pattern
recognizers, a Danish CPR pattern, and — for the names table — a PERSON deny-list recognizer
holding the everyday Nordic and English given names and surnames that Samtale's own lists
start from (`lexicon.COMMON_FIRST`, `lexicon.SURNAMES_EXTRA`), with the shop's vocabulary as
its `allow_list`. Its entity types are mapped to Samtale's. The benchmark writes nothing.
"""

from __future__ import annotations

import os

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # nothing may be fetched

import json
import platform
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from samtale.privacy.pii import detect
from samtale.tenants.formats import DEMO_ORDER_NUMBER_PATTERN, DEMO_TRACKING_PATTERNS

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "bench" / "data" / "pii" / "messages.jsonl"
BENCH_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench-data"
DANISH_NER = BENCH_DATA / "danish-ner" / "da_ddt-ud-ner-dev.conll"
NAMES_CHAT = ROOT / "bench" / "data" / "pii" / "names_chat.txt"
TYPES = (
    "EMAIL", "PHONE", "NATIONAL_ID", "CARD", "IBAN", "BANK_ACCOUNT", "ADDRESS", "NAME",
    "ORDER_NUMBER", "TRACKING_NUMBER", "URL", "IP",
)  # fmt: skip
PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP",
    "URL": "URL",
    "PERSON": "NAME",
    "LOCATION": "ADDRESS",
    "DK_CPR": "NATIONAL_ID",
    "US_SSN": "NATIONAL_ID",
    "UK_NHS": "NATIONAL_ID",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
}

Spans = list[tuple[str, int, int]]
Detector = Callable[..., Spans]  # (text, lang, keep=()) -> spans


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.system()} {platform.machine()})"
    )


def samtale_detector() -> Detector:
    tracking = list(DEMO_TRACKING_PATTERNS.values())

    def run(text: str, lang: str, keep: tuple[str, ...] = ()) -> Spans:
        spans = detect(
            text,
            [lang],
            order_number_patterns=[DEMO_ORDER_NUMBER_PATTERN],
            tracking_number_patterns=tracking,
            keep=keep,
        )
        return [(s.type, s.start, s.end) for s in spans]

    return run


def presidio_detector() -> tuple[Detector, str]:
    from importlib.metadata import version

    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

    presidio_version = version("presidio-analyzer")

    class BlankNlpEngine(NlpEngine):
        """Tokens from a blank spaCy pipeline; no model, no named entities."""

        def __init__(self) -> None:
            self.nlp = spacy.blank("en")

        def load(self) -> None:
            pass

        def is_loaded(self) -> bool:
            return True

        def process_text(self, text: str, language: str) -> NlpArtifacts:
            doc = self.nlp(text)
            return NlpArtifacts(
                entities=[],
                tokens=doc,
                tokens_indices=[t.idx for t in doc],
                lemmas=[t.text.lower() for t in doc],
                nlp_engine=self,
                language=language,
            )

        def process_batch(self, texts: Iterable[str], language: str, **kwargs: object):  # type: ignore[override]
            for text in texts:
                yield text, self.process_text(text, language)

        def is_stopword(self, word: str, language: str) -> bool:
            return False

        def is_punct(self, word: str, language: str) -> bool:
            return not any(c.isalnum() for c in word)

        def get_supported_entities(self) -> list[str]:
            return []

        def get_supported_languages(self) -> list[str]:
            return ["en"]

    engine = BlankNlpEngine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    registry.add_recognizer(
        PatternRecognizer(
            supported_entity="DK_CPR",
            patterns=[Pattern("cpr", r"\b[0-3]\d[01]\d\d{2}-?\d{4}\b", 0.5)],
            context=["cpr", "cpr-nummer", "personnummer"],
            supported_language="en",
        )
    )
    from samtale.privacy.pii.lexicon import COMMON_FIRST, SURNAMES_EXTRA

    registry.add_recognizer(
        PatternRecognizer(
            supported_entity="PERSON",
            deny_list=sorted(w.title() for w in COMMON_FIRST | SURNAMES_EXTRA),
            supported_language="en",
        )
    )
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])

    def run(text: str, lang: str, keep: tuple[str, ...] = ()) -> Spans:
        allow = [w for phrase in keep for w in [phrase, *phrase.split()]]
        results = analyzer.analyze(
            text=text, language="en", score_threshold=0.3, allow_list=allow or None
        )
        return [
            (PRESIDIO_TYPES[r.entity_type], r.start, r.end)
            for r in results
            if r.entity_type in PRESIDIO_TYPES
        ]

    return run, str(presidio_version)


def _covered(start: int, end: int, spans: list[tuple[int, int]]) -> float:
    if end <= start:
        return 0.0
    covered = sum(max(0, min(end, e) - max(start, s)) for s, e in spans)
    return min(1.0, covered / (end - start))


def score(
    rows: list[dict[str, object]], detector: Detector
) -> tuple[dict[str, tuple[int, int, int, int]], list[float]]:
    """Per kind: (found that count, found, gold found, gold); and latencies in ms."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    latencies: list[float] = []
    for row in rows:
        text, lang = str(row["text"]), str(row["lang"])
        t0 = time.perf_counter()
        found = detector(text, lang)
        latencies.append((time.perf_counter() - t0) * 1000)
        gold = [(str(s["type"]), int(s["start"]), int(s["end"])) for s in row["spans"]]  # type: ignore[attr-defined]
        for kind in TYPES:
            g = [(s, e) for t, s, e in gold if t == kind]
            f = [(s, e) for t, s, e in found if t == kind]
            c = counts[kind]
            c[0] += sum(_covered(s, e, g) >= 0.5 for s, e in f)
            c[1] += len(f)
            c[2] += sum(_covered(s, e, f) >= 0.5 for s, e in g)
            c[3] += len(g)
    return {k: (v[0], v[1], v[2], v[3]) for k, v in counts.items()}, latencies


def prf(c: tuple[int, int, int, int]) -> tuple[float | None, float | None, float | None]:
    tp_found, found, tp_gold, gold = c
    p = tp_found / found if found else None
    r = tp_gold / gold if gold else None
    if p is None or r is None:
        return p, r, (0.0 if r == 0 else None) if p is None else None
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def _pct(x: float | None) -> str:
    return "    —" if x is None else f"{100 * x:5.1f}"


Sentence = tuple[str, str, list[tuple[int, int]], list[tuple[int, int]]]  # lang, text, words, names


def read_danish_ner() -> list[Sentence]:
    """Sentences of the dev split, tokens joined by spaces; the PER tokens as name spans."""
    out: list[Sentence] = []
    current: list[tuple[str, str]] = []
    lines = DANISH_NER.read_text(encoding="utf-8").splitlines()
    for line in [*lines, ""]:
        if line.strip():
            token, tag = line.split("\t")
            current.append((token, tag))
            continue
        if not current:
            continue
        text, words, names = "", [], []
        for token, tag in current:
            text += " " if text else ""
            span = (len(text), len(text) + len(token))
            text += token
            (names if tag.endswith("PER") else words).append(span)
        out.append(("da", text, words, names))
        current = []
    return out


_MARK = re.compile(r"\[\[(.+?)\]\]")
_WORD = re.compile(r"[^\W_]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def read_names_chat() -> tuple[list[Sentence], tuple[str, ...]]:
    """The chat messages (words and name spans) and the shop's vocabulary."""
    out: list[Sentence] = []
    keep: list[str] = []
    for line in NAMES_CHAT.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, _, marked = line.partition("\t")
        if lang == "keep:":
            keep.append(marked.strip())
            continue
        marked = marked.replace("\\n", "\n")
        text, names, pos = "", [], 0
        for m in _MARK.finditer(marked):
            text += marked[pos : m.start()]
            names.append((len(text), len(text) + len(m.group(1))))
            text += m.group(1)
            pos = m.end()
        text += marked[pos:]
        # the words of an e-mail address are personal data whatever they are
        mails = [(m.start(), m.end()) for m in _EMAIL.finditer(text)]
        tokens = [
            (m.start(), m.end())
            for m in _WORD.finditer(text)
            if any(m.start() < gold_e and gold_s < m.end() for gold_s, gold_e in names)
            or not any(s <= m.start() < e for s, e in mails)
        ]
        name_tokens = [t for t in tokens if any(s <= t[0] and t[1] <= e for s, e in names)]
        words = [t for t in tokens if t not in name_tokens]
        out.append((lang, text, words, name_tokens))
    return out, tuple(keep)


def name_scores(
    sentences: list[Sentence], detector: Detector, keep: tuple[str, ...] = ()
) -> tuple[int, int, int, int, list[float]]:
    """(name tokens masked, name tokens, other tokens masked, other tokens, latencies in ms)."""
    hit = names = fp = other = 0
    latencies: list[float] = []
    for lang, text, words, gold in sentences:
        t0 = time.thread_time()
        found = detector(text, lang, keep)
        latencies.append((time.thread_time() - t0) * 1000)
        masked = [(s, e) for _, s, e in found]
        for a, b in gold:
            names += 1
            hit += any(s < b and a < e for s, e in masked)
        for a, b in words:
            other += 1
            fp += any(s < b and a < e for s, e in masked)
    return hit, names, fp, other, latencies


def names_table(samtale: Detector, presidio: Detector, presidio_label: str) -> None:
    sets: list[tuple[str, list[Sentence], tuple[str, ...]]] = []
    if DANISH_NER.exists():
        sets.append((f"Danish news ({DANISH_NER.name})", read_danish_ner(), ()))
    else:
        print(f"(Danish NER set not found at {DANISH_NER}; skipped)", file=sys.stderr)
    chat, keep = read_names_chat()
    for lang in ("da", "sv", "nb", "fi", "en"):
        part = [s for s in chat if s[0] == lang]
        sets.append((f"chat {lang} ({NAMES_CHAT.name})", part, keep))
    sets.append((f"chat, all five ({NAMES_CHAT.name})", chat, keep))
    print("Person names — token recall and other words masked by mistake "
          "(targets: recall >= 95 %, other words <= 0.5 %, p99 <= 2 ms):")  # fmt: skip
    header = (f"{'set':<42} {'msgs':>5} {'names':>5} | {'Samtale R':>9} {'other':>6} "
              f"{'p50':>5} {'p99':>5} | {'Presidio R':>10} {'other':>6} {'p50':>5} {'p99':>5}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for det in (samtale, presidio):
        det("warm up: Anna Jensen", "da", keep)  # a shop's vocabulary is read once
    for label, sentences, k in sets:
        cells = []
        for det in (samtale, presidio):
            hit, n, fp, other, lat = name_scores(sentences, det, k)
            q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
            cells.append(f"{100 * hit / n:5.1f}%  {100 * fp / other:5.2f}% "
                         f"{statistics.median(lat):5.2f} {q[98]:5.2f}")  # fmt: skip
        print(f"{label:<42} {len(sentences):>5} {n:>5} |  {cells[0]} |   {cells[1]}")
    print(f"(R: name tokens masked; other: other tokens masked; p50/p99: ms of CPU time per "
          f"message, one core; Presidio: {presidio_label})")  # fmt: skip
    print()


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    by_lang: dict[str, int] = defaultdict(int)
    for row in rows:
        by_lang[row["lang"]] += 1
    samtale = samtale_detector()
    samtale("warm up: Anna Jensen, 22 33 44 55", "da")
    try:
        presidio, presidio_version = presidio_detector()
    except ImportError as exc:
        sys.exit(
            f"bench/pii.py needs the bench extras ({exc.name} is missing): make bench, or "
            ".venv/bin/pip install -e '.[bench]'"
        )
    presidio("warm up", "en")

    print("Personal-data detection — Samtale vs Microsoft Presidio", end="\n\n")
    print(f"machine: {machine()}")
    print(f"labelled set: {LABELLED.relative_to(ROOT)}, {len(rows)} messages "
          f"({', '.join(f'{k} {v}' for k, v in sorted(by_lang.items()))})")  # fmt: skip
    print(f"peer: presidio-analyzer {presidio_version}, pattern recognizers (no spaCy model: none "
          "installable offline), plus a Danish CPR pattern and a PERSON deny-list", end="\n\n")  # fmt: skip

    ours, our_lat = score(rows, samtale)
    theirs, their_lat = score(rows, presidio)
    header = f"{'kind':<16} {'gold':>5} | {'Samtale P':>9} {'R':>5} {'F1':>5} | {'Presidio P':>10} {'R':>5} {'F1':>5}"
    print(header)
    print("-" * len(header))
    for kind in TYPES:
        p1, r1, f1 = prf(ours[kind])
        p2, r2, f2 = prf(theirs[kind])
        print(f"{kind:<16} {ours[kind][3]:>5} | {_pct(p1):>9} {_pct(r1):>5} {_pct(f1):>5} | "
              f"{_pct(p2):>10} {_pct(r2):>5} {_pct(f2):>5}")  # fmt: skip
    total = lambda c: tuple(sum(v[i] for v in c.values()) for i in range(4))  # noqa: E731
    p1, r1, f1 = prf(total(ours))  # type: ignore[arg-type]
    p2, r2, f2 = prf(total(theirs))  # type: ignore[arg-type]
    print("-" * len(header))
    print(f"{'all kinds':<16} {total(ours)[3]:>5} | {_pct(p1):>9} {_pct(r1):>5} {_pct(f1):>5} | "
          f"{_pct(p2):>10} {_pct(r2):>5} {_pct(f2):>5}")  # fmt: skip
    print("(P, R, F1 in %; — where a tool found nothing of that kind)", end="\n\n")

    print("latency per message on the labelled set (ms, one core):")
    for label, lat in (("Samtale", our_lat), ("Presidio", their_lat)):
        q = statistics.quantiles(lat, n=100)
        print(f"  {label:<9} p50 {statistics.median(lat):6.2f}   p99 {q[98]:6.2f}   "
              f"mean {statistics.fmean(lat):6.2f}")  # fmt: skip
    print()

    names_table(
        samtale,
        presidio,
        "pattern recognizers + PERSON deny-list of everyday Nordic/English names, "
        "shop vocabulary as allow_list, no spaCy model",
    )


if __name__ == "__main__":
    main()
