"""Benchmark: finding personal data in customer messages — Samtale's redactor and Microsoft
Presidio, side by side in the same run.

    .venv/bin/python bench/pii.py

Prints, for the machine it runs on:

1. precision, recall and F1 per kind on the labelled set `bench/data/pii/messages.jsonl`
   (650 messages, Danish, Swedish, Norwegian, Finnish, English). A found span counts when at
   least half of it lies on gold spans of the same kind; a gold span counts as found when at
   least half of it is covered by found spans of its kind.
2. on the Danish named-entity set (`../shared/bench-data/danish-ner/`, dev file): the share of
   gold PER tokens masked as NAME, and the share of other tokens masked by mistake.
3. redaction latency per message, p50 and p99.

Presidio (`presidio-analyzer`) runs offline with its pattern recognizers only — no spaCy model
is loaded: a blank spaCy tokenizer stands in for the NLP engine, so it has no PERSON or
LOCATION recognizer, and a Danish CPR pattern recognizer is added. Its entity types are mapped
to Samtale's. The benchmark writes nothing.
"""

from __future__ import annotations

import os

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # nothing may be fetched

import json
import platform
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
Detector = Callable[[str, str], Spans]


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

    def run(text: str, lang: str) -> Spans:
        spans = detect(
            text,
            [lang],
            order_number_patterns=[DEMO_ORDER_NUMBER_PATTERN],
            tracking_number_patterns=tracking,
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
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])

    def run(text: str, lang: str) -> Spans:
        results = analyzer.analyze(text=text, language="en", score_threshold=0.3)
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


def danish_ner(detector: Detector) -> tuple[int, int, int, int]:
    """(PER tokens masked as NAME, PER tokens, other tokens masked, other tokens)."""
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in DANISH_NER.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        token, tag = line.split("\t")
        current.append((token, tag))
    if current:
        sentences.append(current)
    per = per_hit = other = other_hit = 0
    for sentence in sentences:
        text = ""
        offsets = []
        for token, _ in sentence:
            if text:
                text += " "
            offsets.append((len(text), len(text) + len(token)))
            text += token
        found = detector(text, "da")
        for (_, tag), (a, b) in zip(sentence, offsets, strict=True):
            hits = [t for t, s, e in found if s < b and a < e]
            if tag.endswith("PER"):
                per += 1
                per_hit += "NAME" in hits
            else:
                other += 1
                other_hit += bool(hits)
    return per_hit, per, other_hit, other


def main() -> None:
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
    print(f"peer: presidio-analyzer {presidio_version}, pattern recognizers only (no spaCy model),"
          " plus a Danish CPR pattern", end="\n\n")  # fmt: skip

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

    if DANISH_NER.exists():
        print(f"Danish names, {DANISH_NER.name} (UD Danish-DDT NER annotations):")
        for label, det in (("Samtale", samtale), ("Presidio", presidio)):
            hit, per, fp, other = danish_ner(det)
            print(f"  {label:<9} PER tokens masked as NAME {hit}/{per} = {100 * hit / per:5.1f}%   "
                  f"other tokens masked {fp}/{other} = {100 * fp / other:4.2f}%")  # fmt: skip
        print()
    else:
        print(f"(Danish NER set not found at {DANISH_NER}; skipped)\n", file=sys.stderr)

    print("latency per message on the labelled set (ms):")
    for label, lat in (("Samtale", our_lat), ("Presidio", their_lat)):
        q = statistics.quantiles(lat, n=100)
        print(f"  {label:<9} p50 {statistics.median(lat):6.2f}   p99 {q[98]:6.2f}   "
              f"mean {statistics.fmean(lat):6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
