"""Measuring a classifier: accuracy, macro-F1, top-3 accuracy, coverage and accuracy above the
"unsure" threshold, per-class figures, latency, and stratified k-fold cross-validation of the
whole train-then-evaluate cycle.

This module owns the definitions of the figures that the command line, the benchmark and the issue
note print, so they are computed one way everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from nlp.classifier import Classification, TrainedClassifier, train
from nlp.taxonomy import DEFAULT_AGENCY_TYPE, TRAFFY_CATEGORY
from nlp.training_data import LabelledText


def _percentile_ms(seconds: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.array(seconds) * 1000.0, q)), 3) if seconds else 0.0


def _calibration_error(confidences: Sequence[float], correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: how far stated confidence is from observed accuracy, weighted
    by how many results fall in each confidence bin (0 = perfectly calibrated)."""
    if not len(confidences):
        return 0.0
    conf = np.array(confidences, dtype=float)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(conf[mask].mean() - correct[mask].mean())
    return round(float(error), 4)


def _sure_curve(confidences: Sequence[float], correct: np.ndarray) -> dict:
    """Two points of the accuracy/coverage curve whatever the model's threshold: the share of cases
    that can be routed alone at 90% accuracy, and the accuracy when the 60% most confident are."""
    if not len(confidences):
        return {"coverage_at_accuracy_0_90": 0.0, "accuracy_at_coverage_0_60": 0.0}
    order = np.argsort(-np.array(confidences, dtype=float), kind="stable")
    running = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    reached = np.where(running >= 0.9)[0]
    return {
        "coverage_at_accuracy_0_90": round(float((reached.max() + 1) / len(order)), 4) if len(reached) else 0.0,
        "accuracy_at_coverage_0_60": round(float(running[max(int(np.ceil(0.6 * len(order))) - 1, 0)]), 4),
    }


def score_routing(truth: Sequence[str], predictions: Sequence[Classification]) -> dict:
    """Traffy labels and predictions mapped to our taxonomy (``TRAFFY_CATEGORY``) and its default
    agency type: how often a case would reach the right kind of office. A routing-level figure, not
    the category metric; on Bangkok's data nearly everything goes to the local administration."""
    ours = [TRAFFY_CATEGORY[t] for t in truth]
    predicted = [TRAFFY_CATEGORY.get(p.category, p.category) for p in predictions]
    same = np.array([a == b for a, b in zip(ours, predicted)])
    agency = np.array([DEFAULT_AGENCY_TYPE.get(a) == DEFAULT_AGENCY_TYPE.get(b) for a, b in zip(ours, predicted)])
    return {
        "n": len(ours),
        "taxonomy_accuracy": round(float(same.mean()), 4) if len(ours) else 0.0,
        "taxonomy_macro_f1": round(
            float(f1_score(ours, predicted, labels=sorted(set(ours)), average="macro", zero_division=0)), 4
        )
        if ours
        else 0.0,
        "agency_type_accuracy": round(float(agency.mean()), 4) if len(ours) else 0.0,
    }


def score(
    truth: Sequence[str],
    predictions: Sequence[Classification],
    latencies: Sequence[float] = (),
    *,
    target: str = "category",
) -> dict:
    """The evaluation figures for ``predictions`` against ``truth`` (target: category or agency).

    Coverage and accuracy-when-sure use the result's ``unsure`` flag for both targets: an unsure
    case goes to an officer for triage, who then checks the agency as well."""
    if target == "agency":
        predicted = [p.agency_type for p in predictions]
        tops = [[p.agency_type] for p in predictions]
        sure = [not p.unsure for p in predictions]
    else:
        predicted = [p.category for p in predictions]
        tops = [[label for label, _ in p.top] or [p.category] for p in predictions]
        sure = [not p.unsure for p in predictions]
    truth = list(truth)
    n = len(truth)
    correct = np.array([t == p for t, p in zip(truth, predicted)], dtype=bool)
    sure_arr = np.array(sure, dtype=bool)
    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_class = {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        if s > 0
    }
    return {
        "n": n,
        "accuracy": round(float(correct.mean()), 4) if n else 0.0,
        # Macro over the classes present in the truth: a label the model invents but nobody used
        # should not dilute the average.
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)), 4
        )
        if n
        else 0.0,
        "top3_accuracy": round(float(np.mean([t in top for t, top in zip(truth, tops)])), 4) if n else 0.0,
        "coverage_at_threshold": round(float(sure_arr.mean()), 4) if n else 0.0,
        "accuracy_when_sure": round(float(correct[sure_arr].mean()), 4) if sure_arr.any() else 0.0,
        "expected_calibration_error": _calibration_error([p.confidence for p in predictions], correct)
        if target == "category"
        else None,
        **(_sure_curve([p.confidence for p in predictions], correct) if target == "category" else {}),
        "per_class": per_class,
        "latency_ms": {"p50": _percentile_ms(latencies, 50), "p99": _percentile_ms(latencies, 99)},
    }


def evaluate(model: TrainedClassifier, examples: Sequence[LabelledText], *, target: str = "category") -> dict:
    """Classify each example one at a time (as the product does) and score the results."""
    predictions, latencies = [], []
    for ex in examples:
        started = time.perf_counter()
        predictions.append(model.classify(ex.text, ex.channel))
        latencies.append(time.perf_counter() - started)
    truth = [ex.agency_type if target == "agency" else ex.category for ex in examples]
    return score(truth, predictions, latencies, target=target)


def cross_validate(
    examples: Sequence[LabelledText],
    *,
    folds: int = 5,
    seed: int = 0,
    trainer: Callable[[Sequence[LabelledText]], TrainedClassifier] = train,
) -> dict:
    """Stratified k-fold CV of train + evaluate on the category; agency figures over the rows that
    carry an agency label. Returns pooled figures plus per-fold macro-F1 and training times."""
    examples = list(examples)
    y = np.array([ex.category for ex in examples])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    predictions: list[Classification | None] = [None] * len(examples)
    latencies: list[float] = []
    fold_f1, train_seconds = [], []
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        started = time.perf_counter()
        model = trainer([examples[i] for i in train_idx])
        train_seconds.append(round(time.perf_counter() - started, 2))
        fold_pred = []
        for i in test_idx:
            t0 = time.perf_counter()
            predictions[i] = model.classify(examples[i].text, examples[i].channel)
            latencies.append(time.perf_counter() - t0)
            fold_pred.append(predictions[i].category)
        fold_f1.append(round(float(f1_score(y[test_idx], fold_pred, average="macro", zero_division=0)), 4))
    category = score(list(y), predictions, latencies)
    category["fold_macro_f1"] = fold_f1
    if all(label in TRAFFY_CATEGORY for label in y):
        category["routing_level_not_the_category_metric"] = score_routing(list(y), predictions)
    category["train_seconds"] = train_seconds
    with_agency = [i for i, ex in enumerate(examples) if ex.agency_type]
    agency = (
        score([examples[i].agency_type for i in with_agency], [predictions[i] for i in with_agency], target="agency")
        if with_agency
        else None
    )
    if agency is not None:
        agency.pop("latency_ms")
    return {"folds": folds, "category": category, "agency": agency}
