"""Benchmark of the nlp package: prints the issue's figures as JSON.

Owns nothing but measuring. On the shared development data (``../shared/data``; skipped with a note
when absent), from the text alone, never its ``source`` column (where a ticket was collected, not an
intake channel): 5-fold stratified cross-validation of the product's classifier (lexical + sentence
encoder), of the lexical model alone, and of the product's classifier with the extra single-label
tickets of ``complaints_extra.csv`` added to every training fold; a routing-level figure (both
sides mapped to our taxonomy) printed apart from the category metric; English and code-switched
complaints written by us (``nlp/data/bangkok_topics_en_mixed*.csv``) scored by a model trained on the
Thai tickets only. Also English routing on the shipped set (with and without the gazetteer),
one-text latency, model load time, training time. Run: ``.venv/bin/python bench/nlp_bench.py [--quick]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nlp import classifier as clf  # noqa: E402
from nlp.evaluation import cross_validate, evaluate  # noqa: E402
from nlp.training_data import LabelledText, load_shipped, read_csv  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
WRITTEN = {
    "development": REPO / "nlp" / "data" / "bangkok_topics_en_mixed.csv",  # the lexicon was extended on it
    "held_out": REPO / "nlp" / "data" / "bangkok_topics_en_mixed_heldout.csv",  # never tuned against
}
KEEP = ("n", "accuracy", "macro_f1", "top3_accuracy")


def english_routing() -> dict:
    """Train on Thai shipped examples only; score the English ones, with and without the gazetteer."""
    shipped = load_shipped()
    thai = [ex for ex in shipped if not ex.text.isascii()]
    english = [ex for ex in shipped if ex.text.isascii()]
    with_gazetteer = evaluate(clf.train(thai), english)
    original = clf.expansion
    clf.expansion = lambda text: ""  # the same pipeline without the bilingual layer
    try:
        without = evaluate(clf.train(thai), english)
    finally:
        clf.expansion = original
    return {"with_gazetteer": {k: with_gazetteer[k] for k in KEEP}, "without_gazetteer": {k: without[k] for k in KEEP}}


def written_languages(thai: list[LabelledText]) -> dict:
    """English and code-switched complaints about Bangkok's topics, scored by models trained on the
    Thai tickets only (the product's, and the lexical model alone for comparison)."""
    models = {"product": clf.train(thai), "lexical_only": clf.train(thai, semantic=False)}
    report: dict = {}
    for name, path in WRITTEN.items():
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for lang in ("en", "mixed"):
            examples = [LabelledText(r["text"], r["category"]) for r in rows if r["lang"] == lang]
            for model_name, model in models.items():
                figures = evaluate(model, examples)
                report.setdefault(name, {}).setdefault(lang, {})[model_name] = {k: figures[k] for k in KEEP}
    return report


def extra_single_label() -> list[LabelledText]:
    """Tickets of complaints_extra.csv with exactly one category, when it is one of the 15."""
    known = {ex.category for ex in read_csv(SHARED / "complaints_train.csv", "text", "category")}
    with open(SHARED / "complaints_extra.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        LabelledText(r["text"].strip(), r["categories"]) for r in rows if r["categories"] in known and r["text"].strip()
    ]


def timings(examples: list[LabelledText]) -> dict:
    pool = (examples * (2000 // max(len(examples), 1) + 1))[:2000]
    started = time.perf_counter()
    model = clf.train(pool)
    train_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        model.save(tmp)
        loads = []
        for _ in range(3):
            started = time.perf_counter()
            clf.load(tmp)
            loads.append(time.perf_counter() - started)
    latencies = []
    for ex in examples[:500]:
        started = time.perf_counter()
        model.classify(ex.text)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    pct = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 3)  # noqa: E731
    return {
        "train_seconds_2000_texts": round(train_seconds, 2),
        "load_seconds": round(min(loads), 3),
        "classify_ms": {"p50": pct(0.5), "p99": pct(0.99), "max": round(latencies[-1], 3)},
    }


def _category(figures: dict) -> dict:
    category = dict(figures["category"])
    category.pop("per_class", None)
    return category


def goals(report: dict) -> dict:
    """The issue's targets as booleans (None when the figure was not measured)."""
    cv = report.get("cross_validation_text_only")
    product = cv["product"] if isinstance(cv, dict) else None
    written = report.get("english_and_code_switched_trained_on_thai_only")
    held = written["held_out"] if isinstance(written, dict) else None
    t = report["timings"]
    return {
        "cv_macro_f1_ge_0_75": product["macro_f1"] >= 0.75 if product else None,
        "cv_top3_accuracy_ge_0_93": product["top3_accuracy"] >= 0.93 if product else None,
        "english_held_out_macro_f1_ge_0_70": held["en"]["product"]["macro_f1"] >= 0.70 if held else None,
        "code_switched_held_out_macro_f1_ge_0_75": held["mixed"]["product"]["macro_f1"] >= 0.75 if held else None,
        "accuracy_when_sure_ge_0_90_at_coverage_ge_0_60": (
            product["accuracy_at_coverage_0_60"] >= 0.90 if product else None
        ),
        "classify_p99_lt_30ms": t["classify_ms"]["p99"] < 30,
        "load_lt_1s": t["load_seconds"] < 1,
        "default_model_train_lt_10s": report["default_model_train_seconds"] < 10,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip cross-validation on the shared data")
    args = parser.parse_args()
    report: dict = {}
    started = time.perf_counter()
    clf.train(load_shipped())
    report["default_model_train_seconds"] = round(time.perf_counter() - started, 2)
    report["english_routing_shipped_set_trained_on_thai_only"] = english_routing()
    shared = SHARED / "complaints_train.csv"
    if shared.is_file():
        # Text only: no channel column is read (the file's `source` is not one).
        data = read_csv(shared, "text", "category", "agency_group")
        report["timings"] = timings(data)
        report["english_and_code_switched_trained_on_thai_only"] = written_languages(data)
        if not args.quick:
            extra = extra_single_label()
            report["cross_validation_text_only"] = {
                "product": _category(cross_validate(data, folds=args.folds)),
                "lexical_only": _category(
                    cross_validate(data, folds=args.folds, trainer=lambda ex: clf.train(ex, semantic=False))
                ),
                f"product_plus_{len(extra)}_extra_single_label_tickets_per_fold": _category(
                    cross_validate(data, folds=args.folds, trainer=lambda ex: clf.train([*ex, *extra]))
                ),
            }
    else:
        report["timings"] = timings(load_shipped())
        report["cross_validation_text_only"] = f"skipped: {shared} not found"
    report["goals"] = goals(report)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
