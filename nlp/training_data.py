"""The labelled complaint texts the classifier learns from: the shipped set in
``nlp/data/complaints/*.txt`` (written for this project, Thai and English) and any CSV a deployment
brings (its own case history, optionally with the channel each complaint came through), read into
one shape.

This module owns file formats only; it knows nothing about models.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from nlp.taxonomy import CATEGORIES, DEFAULT_AGENCY_TYPE

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "complaints"


@dataclass(frozen=True)
class LabelledText:
    text: str
    category: str
    agency_type: str = ""  # empty when the source does not say who acts
    channel: str = ""  # how the complaint came in (line, web, a call centre...); empty when unknown


def load_shipped(directory: Path = SHIPPED_DIR) -> list[LabelledText]:
    """Every example of the shipped training set, in a stable order (files sorted by name)."""
    examples: list[LabelledText] = []
    for path in sorted(directory.glob("*.txt")):
        category = path.stem
        if category not in CATEGORIES:
            raise ValueError(f"{path.name}: not a category code from nlp.taxonomy")
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            agency = DEFAULT_AGENCY_TYPE[category]
            if line.startswith("@"):
                agency, _, line = line[1:].partition(" ")
            examples.append(LabelledText(line.strip(), category, agency))
    return examples


def shipped_fingerprint(directory: Path = SHIPPED_DIR) -> str:
    """A hash of the shipped set's bytes, so a cached default model is retrained when it changes."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.txt")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_csv(
    path: Path | str,
    text_col: str = "text",
    label_col: str = "category",
    agency_col: str | None = None,
    channel_col: str | None = None,
) -> list[LabelledText]:
    """Rows of a labelled CSV; rows with an empty text or label are skipped (they teach nothing)."""
    csv.field_size_limit(sys.maxsize)  # complaint texts can be long; the default limit is 128 KB
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for needed in (text_col, label_col):
            if needed not in columns:
                raise ValueError(f"{path}: no column {needed!r} (columns: {', '.join(columns)})")
        for optional in (agency_col, channel_col):
            if optional and optional not in columns:
                raise ValueError(f"{path}: no column {optional!r} (columns: {', '.join(columns)})")
        rows = []
        for row in reader:
            text, label = (row.get(text_col) or "").strip(), (row.get(label_col) or "").strip()
            if text and label:
                agency = (row.get(agency_col) or "").strip() if agency_col else ""
                channel = (row.get(channel_col) or "").strip() if channel_col else ""
                rows.append(LabelledText(text, label, agency, channel))
        return rows


def write_csv(examples: list[LabelledText], path: Path | str) -> None:
    """Write examples as ``text,category,agency_type`` (what ``python -m nlp train`` reads)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "category", "agency_type"])
        for ex in examples:
            writer.writerow([ex.text, ex.category, ex.agency_type])
