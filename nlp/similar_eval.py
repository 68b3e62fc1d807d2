"""How well "similar" (`nlp.similar`) finds complaints about the same spot and problem, measured on the
shared Traffy Fondue tickets (`../shared/data`, read by path, never copied).

What is compared: every pair of tickets in the same Bangkok khet and the same (first) category, as the
case page compares a case with the open cases of its area and category; the scores of a group come
from one fit, as in production. There is no ground truth for "same spot" in the data (no coordinates),
so pairs were labelled by hand: a pair is the same when both tickets name the same place (soi, road,
landmark, building) and the same problem; different when the place or the problem differs; unknown
when a ticket names no place (left out). The labelled pairs are a sample stratified by score band
(`BANDS`), drawn with a fixed seed; their labels live in `bench/similar_labels.csv` as ticket ids
only. Precision and recall at the threshold are estimated by weighting each band's labelled share by
the number of pairs in that band, so a band of 30,000 low-scoring pairs counts for what it is."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.similar import THRESHOLD, similarity_matrix

BANDS = (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.8, 1.01)
FILES = (("complaints_train.csv", "category"), ("complaints_extra.csv", "categories"))


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    score: float
    district: str
    category: str


def read_tickets(folder: Path) -> dict[str, tuple[str, str, str]]:
    """ticket id -> (khet, first category, text), the first file's row winning."""
    tickets: dict[str, tuple[str, str, str]] = {}
    for name, column in FILES:
        path = folder / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                category = (row.get(column) or "").split("|")[0].strip()
                if row.get("district") and category:
                    tickets.setdefault(row["ticket_id"], (row["district"], category, row["text"]))
    return tickets


def scored_pairs(tickets: dict[str, tuple[str, str, str]]) -> Iterator[Pair]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ticket, (district, category, _) in sorted(tickets.items()):
        groups[(district, category)].append(ticket)
    for (district, category), ids in sorted(groups.items()):
        if len(ids) < 2:
            continue
        matrix = similarity_matrix([tickets[t][2] for t in ids])
        for i, j in zip(*np.triu_indices(len(ids), 1), strict=True):
            yield Pair(ids[i], ids[j], float(matrix[i, j]), district, category)


def band(score: float) -> int:
    return next(k for k in range(len(BANDS) - 1) if score < BANDS[k + 1])


def sample(pairs: list[Pair], per_band: int, seed: int = 14) -> list[Pair]:
    rng = random.Random(seed)
    by_band: dict[int, list[Pair]] = defaultdict(list)
    for p in pairs:
        by_band[band(p.score)].append(p)
    chosen: list[Pair] = []
    for k in sorted(by_band):
        members = by_band[k]
        chosen.extend(rng.sample(members, min(per_band, len(members))))
    return chosen


def read_labels(path: Path) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {(r["ticket_a"], r["ticket_b"]): r["label"].strip() for r in csv.DictReader(handle)}


def evaluate(pairs: list[Pair], labels: dict[tuple[str, str], str], threshold: float | None = None) -> dict:
    """Band-weighted precision and recall at `threshold` (a band boundary) from the labelled sample."""
    threshold = THRESHOLD if threshold is None else threshold
    if threshold not in BANDS:
        raise ValueError(f"the threshold must be a band boundary, one of {BANDS}")
    total: dict[int, int] = defaultdict(int)
    same: dict[int, int] = defaultdict(int)
    known: dict[int, int] = defaultdict(int)
    for p in pairs:
        k = band(p.score)
        total[k] += 1
        label = labels.get((p.a, p.b))
        if label in ("1", "0"):
            known[k] += 1
            same[k] += label == "1"
    est_same = {k: total[k] * same[k] / known[k] for k in total if known[k]}
    unlabelled = [k for k in total if not known[k]]
    above = [k for k in total if BANDS[k] >= threshold]
    found = sum(est_same.get(k, 0.0) for k in above)
    flagged = sum(total[k] for k in above if known[k])
    all_same = sum(est_same.values())
    return {
        "threshold": threshold,
        "pairs": len(pairs),
        "pairs_flagged": sum(total[k] for k in above),
        "labelled": sum(known.values()),
        "labelled_same": sum(same.values()),
        "precision": round(found / flagged, 3) if flagged else None,
        "recall": round(found / all_same, 3) if all_same else None,
        "estimated_same_pairs": round(all_same, 1),
        "bands": [
            {
                "from": BANDS[k],
                "to": min(BANDS[k + 1], 1.0),
                "pairs": total[k],
                "labelled": known[k],
                "same": same[k],
            }
            for k in sorted(total)
        ],
        "bands_without_labels": [BANDS[k] for k in sorted(unlabelled)],
    }
