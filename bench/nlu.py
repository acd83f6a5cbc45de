"""Intent classification: Samtale's fast path, its cascade and its e5 model alone, against a
plain TF-IDF + LinearSVC baseline.

Samtale's classifier is trained once (both of its models) and measured three ways, side by side:
the fast path alone (TF-IDF and distilled static word vectors, no transformer), the cascade (e5
only for the messages the fast path is unsure of; the share that went to e5 is reported) and
the e5 model alone (the classifier as it was before the fast path).

All are trained in this process on the same rows, saved, and each loaded again in a fresh child
process pinned to one core (`OMP_NUM_THREADS=1`, CPU affinity) that predicts every test message
alone, as in a chat: so the latencies are single-message, single-core ones with the embedding
included, and the memory is the resident size of a process that holds the model and nothing
else. Training uses every core (the embedding engine batches across them) and, unless
`--cache-dir` is given, embeds every training text from scratch.

- Banking77: train on `train`, accuracy on `test`.
- CLINC150: train on the in-scope `train` rows; one threshold chosen on `validation`; on `test`
  the in-scope accuracy (4,500 queries, a rejection is an error) and the out-of-scope recall
  (1,000 `oos` queries rejected). The threshold rule is the classifier's own: reject at most 1 %
  of the correctly classified in-scope validation rows (the `oos` validation rows are not used).
  The row "+ oos rows" also learns the 100 `oos` training rows as a class that is never answered.
  The baseline's score is its largest decision value, thresholded by the same rule.

Data: `<repo>/../shared/bench-data` (see its README). Nothing is written into the repository:
models go to a temporary folder, the optional embedding cache wherever `--cache-dir` says.

    .venv/bin/python bench/nlu.py [--quick] [--cache-dir .cache/bench-nlu] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench.common` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED_DATA, machine, table

TARGETS = {
    "banking77": "accuracy ≥ 93.5 %",
    "clinc150": "in-scope ≥ 95.0 % and oos recall ≥ 75 %",
    "latency": "p99 ≤ 15 ms with the cascade, ≤ 1 ms on the fast path",
    "train": "≤ 180 s on Banking77",
    "memory": "≤ 300 MB",
}
REJECTION_RATE = 0.01
MODE_NAMES = {"fast": "fast path", "cascade": "cascade", "e5": "e5 alone", "-": "-"}
LENGTHS = [
    ("1-5 words", 1, 5),
    ("6-10 words", 6, 10),
    ("11-20 words", 11, 20),
    ("21+ words", 21, 10_000),
]


def read_rows(path: Path) -> list[tuple[str, str]]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                item = json.loads(line)
                rows.append((item["text"], item["label"]))
    return rows


def sample(rows: list[tuple[str, str]], per_label: int, seed: int = 0) -> list[tuple[str, str]]:
    """At most `per_label` rows of every label, in the original order."""
    rng = random.Random(seed)
    keep: set[int] = set()
    by_label: dict[str, list[int]] = {}
    for i, (_, label) in enumerate(rows):
        by_label.setdefault(label, []).append(i)
    for idx in by_label.values():
        keep.update(rng.sample(idx, min(per_label, len(idx))))
    return [r for i, r in enumerate(rows) if i in keep]


def load_average() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# --------------------------------------------------------------------- the two systems


def baseline_model() -> Any:
    """TF-IDF word 1–2-grams and character 2–5-grams, LinearSVC: the usual strong baseline."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        ),
        LinearSVC(C=0.5),
    )


def baseline_threshold(model: Any, rows: list[tuple[str, str]]) -> float:
    import numpy as np

    known = [(t, y) for t, y in rows if y in set(model.classes_)]
    scores = model.decision_function([t for t, _ in known])
    correct = model.classes_[scores.argmax(axis=1)] == np.array([y for _, y in known])
    return float(np.quantile(scores.max(axis=1)[correct], REJECTION_RATE))


def train_system(
    system: str,
    train: list[tuple[str, str]],
    validation: list[tuple[str, str]] | None,
    folder: Path,
    embedder: Any,
    oos_label: str | None,
) -> dict[str, Any]:
    """Train one system, choose its threshold on `validation`, save it; seconds and file."""
    import joblib

    path = folder / f"{system}.joblib"
    started = time.perf_counter()
    if system == "baseline":
        rows = [r for r in train if r[1] != oos_label]
        model = baseline_model().fit([t for t, _ in rows], [y for _, y in rows])
        seconds = time.perf_counter() - started
        threshold = baseline_threshold(model, validation) if validation else None
        joblib.dump({"model": model, "threshold": threshold}, path)
        return {"seconds": seconds, "path": str(path), "threshold": threshold, "rows": len(rows)}

    from samtale.bot.classifier import IntentClassifier

    use_oos = system == "samtale+oos"
    rows = [r for r in train if use_oos or r[1] != oos_label]
    clf = IntentClassifier(embedder, rejection_rate=REJECTION_RATE, mode="cascade")
    clf.fit([t for t, _ in rows], [y for _, y in rows], oos_label=oos_label if use_oos else None)
    seconds = time.perf_counter() - started
    if validation:
        clf.calibrate_threshold([t for t, _ in validation], [y for _, y in validation])
    clf.save(path)
    return {
        "seconds": seconds,
        "path": str(path),
        "threshold": clf.threshold,
        "embedding_seconds": clf.info["embedding_seconds"],
        "rows": len(rows),
        "e5_fraction_oof": clf.info.get("e5_fraction_oof"),
    }


# --------------------------------------------------------------------- the child process


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Load one model, predict every test row alone on one core; accuracy, latency, memory."""
    import numpy as np

    with open(spec["test"], encoding="utf-8") as f:
        test = [tuple(json.loads(line)) for line in f]
    oos = spec["oos_label"]
    if spec["system"] == "baseline":
        import joblib

        state = joblib.load(spec["path"])
        model, threshold = state["model"], state["threshold"]

        def predict(text: str) -> tuple[str, bool]:
            scores = model.decision_function([text])[0]
            best = int(scores.argmax())
            return str(model.classes_[best]), threshold is None or scores[best] >= threshold
    else:
        from samtale.bot.classifier import IntentClassifier

        clf = IntentClassifier.load(spec["path"]).with_mode(spec.get("mode", "cascade"))

        def predict(text: str) -> tuple[str, bool]:
            p = clf.predict(text)
            return str(p.best), p.label is not None

    for text, _ in test[:20]:  # warm up: page in the model, fill the CPU caches
        predict(text)
    if spec["system"] != "baseline":
        clf.counts = {"fast": 0, "e5": 0}
    latencies, answers = [], []
    for text, _ in test:
        t0 = time.perf_counter()
        answers.append(predict(text))
        latencies.append((time.perf_counter() - t0) * 1000.0)
    status = Path("/proc/self/status").read_text()
    rss = int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1]) / 1024
    result: dict[str, Any] = {
        "p50_ms": float(np.percentile(latencies, 50)),
        "p99_ms": float(np.percentile(latencies, 99)),
        "rss_mb": rss,
        "by_length": {},
    }
    words = np.array([len(text.split()) for text, _ in test])
    lat = np.array(latencies)
    for name, lo, hi in LENGTHS:
        chosen = lat[(words >= lo) & (words <= hi)]
        if len(chosen):
            result["by_length"][name] = [
                len(chosen),
                float(np.percentile(chosen, 50)),
                float(np.percentile(chosen, 99)),
            ]
    if spec["system"] != "baseline":
        result["e5_fraction"] = clf.e5_fraction
    if spec["system"] != "baseline" and spec.get("mode") == "e5":
        # the embedding alone, on a sample of the same messages
        sample_texts = [text for text, _ in test[:: max(1, len(test) // 500)]]
        alone = []
        for text in sample_texts:
            t0 = time.perf_counter()
            clf.embedder.embed_one(text)
            alone.append((time.perf_counter() - t0) * 1000.0)
        result["embedding_p50_ms"] = float(np.percentile(alone, 50))
        result["embedding_p99_ms"] = float(np.percentile(alone, 99))
    if oos is None:
        result["accuracy"] = float(
            np.mean([a == y for (a, _), (_, y) in zip(answers, test, strict=True)])
        )
    else:
        inside = [(a, ok, y) for (a, ok), (_, y) in zip(answers, test, strict=True) if y != oos]
        outside = [ok for (_, ok), (_, y) in zip(answers, test, strict=True) if y == oos]
        result["in_scope_accuracy"] = float(np.mean([ok and a == y for a, ok, y in inside]))
        result["oos_recall"] = float(np.mean([not ok for ok in outside]))
    return result


def run_child(
    system: str, path: str, test_file: Path, oos_label: str | None, mode: str = "cascade"
) -> dict[str, Any]:
    spec = {
        "system": system,
        "path": path,
        "test": str(test_file),
        "oos_label": oos_label,
        "mode": mode,
    }
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    if shutil.which("taskset"):  # pinned before the interpreter starts, as `taskset -c N`
        command = ["taskset", "-c", str(max(os.sched_getaffinity(0))), *command]
    out = subprocess.run(
        command,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="30 training rows per intent, 600 test rows: a fast subset run",
    )
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="the bench-data folder")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="reuse embeddings from this folder (training then excludes them)",
    )
    parser.add_argument("--only", choices=["banking77", "clinc150"], default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        print(json.dumps(child(json.loads(args.child))))
        return

    from samtale.bot.embeddings import Embedder

    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")
    rows: list[list[object]] = []
    length_rows: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="samtale-bench-nlu-") as tmp:
        folder = Path(tmp)
        datasets = ["banking77", "clinc150"] if args.only is None else [args.only]
        for name in datasets:
            train = read_rows(args.data / name / "train.jsonl")
            test = read_rows(args.data / name / "test.jsonl")
            oos = "oos" if name == "clinc150" else None
            validation = (
                read_rows(args.data / name / "validation.jsonl") if name == "clinc150" else None
            )
            if args.quick:
                train = sample(train, 30)
                test = random.Random(1).sample(test, min(600, len(test)))
                validation = random.Random(2).sample(validation, 600) if validation else None
            test_file = folder / f"{name}-test.json"
            test_file.write_text("\n".join(json.dumps(r) for r in test), encoding="utf-8")
            systems = ["baseline", "samtale"] + (["samtale+oos"] if oos else [])
            embedder = Embedder(args.cache_dir)  # shared: the second Samtale row reuses vectors
            for system in systems:
                trained = train_system(system, train, validation, folder, embedder, oos)
                # Samtale: the fast path, the cascade and e5 alone, of the one trained model;
                # with the oos rows only the cascade.
                modes = {"baseline": ["-"], "samtale": ["fast", "cascade", "e5"]}.get(
                    system, ["cascade"]
                )
                for mode in modes:
                    measured = run_child(system, trained["path"], test_file, oos, mode)
                    label = {
                        "baseline": "TF-IDF + LinearSVC",
                        "samtale": f"Samtale {MODE_NAMES.get(mode, mode)}",
                        "samtale+oos": f"Samtale {MODE_NAMES[mode]} + oos rows",
                    }[system]
                    cached = args.cache_dir is not None or system == "samtale+oos"
                    train_note = f"{trained['seconds']:.1f}"
                    if system != "baseline":
                        train_note += (
                            " (embeddings cached)"
                            if cached
                            else f" (embedding {trained['embedding_seconds']:.0f})"
                        )
                    quality = (
                        f"{measured['accuracy']:.2%}"
                        if oos is None
                        else f"{measured['in_scope_accuracy']:.2%} / {measured['oos_recall']:.2%}"
                    )
                    fraction = measured.get("e5_fraction")
                    rows.append(
                        [
                            name + (" (quick)" if args.quick else ""),
                            label,
                            trained["rows"],
                            len(test),
                            quality,
                            "" if fraction is None else f"{fraction:.1%}",
                            f"{measured['p50_ms']:.2f}",
                            f"{measured['p99_ms']:.2f}",
                            train_note,
                            f"{measured['rss_mb']:.0f}",
                        ]
                    )
                    print(" | ".join(str(c) for c in rows[-1]), flush=True)
                    if system == "samtale":
                        for bucket, (count, p50, p99) in measured["by_length"].items():
                            length_rows.append(
                                [name, MODE_NAMES[mode], bucket, count, f"{p50:.2f}", f"{p99:.2f}"]
                            )
                    if system == "samtale" and mode == "e5":
                        length_rows.append(
                            [
                                name,
                                "",
                                "embedding alone (sample)",
                                "",
                                f"{measured['embedding_p50_ms']:.1f}",
                                f"{measured['embedding_p99_ms']:.1f}",
                            ]
                        )
    print()
    print(
        table(
            [
                "data",
                "system",
                "train",
                "test",
                "accuracy, or in-scope / oos recall",
                "to e5",
                "p50 ms",
                "p99 ms",
                "train s",
                "RSS MB",
            ],
            rows,
        )
    )
    print()
    print("Samtale's latency by message length (one core):")
    print(table(["data", "path", "messages", "count", "p50 ms", "p99 ms"], length_rows))
    print()
    print(f"load average at end: {load_average()}")
    print(
        "latency: one message at a time, one core, embedding included; RSS: a process that "
        "loaded the model and predicted the test set; to e5: share of test messages the "
        "cascade sent to the e5 model."
    )
    print("targets: " + "; ".join(f"{k} {v}" for k, v in TARGETS.items()))
    print(
        "Samtale uses the multilingual embedding model (Danish, Swedish, Norwegian, Finnish); "
        "CLINC150 threshold: at most 1 % of correct in-scope validation answers rejected."
    )


if __name__ == "__main__":
    main()
