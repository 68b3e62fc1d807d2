"""The chat evaluation behind ``python -m nlp chat-eval --data CSV``: each row (question, lang,
kind = question|complaint, expect = a regular expression) is sent as the first message of a new chat
to the real dialogue (``chatbot.dialogue.step``) with the real senses (the shipped classifier and FAQ
retriever, with its sentence encoder) over a temporary SQLite read model migrated and seeded with the
directory. A question is understood when the replies match ``expect`` and no filing started; a
complaint when the turn starts a filing (the dialogue moves to the filing flow's first step).

This module owns running and scoring; it lives outside ``nlp`` because it drives the chat front,
which ``nlp`` sits beneath. Prints ``{"n", "understood", "by_kind", "misses", "turn_ms"}``.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

KINDS = ("question", "complaint")


def read_rows(path: Path | str) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        if not (row.get("question") or "").strip():
            raise ValueError(f"{path}:{number}: the question is empty")
        if row.get("kind") not in KINDS:
            raise ValueError(f"{path}:{number}: kind must be one of {KINDS}, not {row.get('kind')!r}")
        if row["kind"] == "question":
            re.compile(row.get("expect") or "")
    return rows


def _strings(value) -> list[str]:
    """Every piece of text a reply carries (texts, link titles, quick-reply labels), whatever its shape."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0


def evaluate_chat(rows: list[dict], senses) -> dict:
    from chatbot.dialogue import step
    from chatbot.messages import Inbound
    from chatbot.steps import FLOW_START

    filing_step = FLOW_START["menu:file"]
    at = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # a Monday morning in Bangkok: office hours
    by_kind = {kind: {"n": 0, "understood": 0} for kind in KINDS}
    misses, took = [], []
    for number, row in enumerate(rows):
        started = time.perf_counter()
        turn = step({}, Inbound(at=at, event_id=f"chat-eval-{number}", text=row["question"]), senses)
        took.append((time.perf_counter() - started) * 1000)
        said = "\n".join(_strings(list(turn.replies)))
        started_filing = turn.state.get("step") == filing_step
        if row["kind"] == "complaint":
            ok = started_filing
        else:
            ok = not started_filing and re.search(row.get("expect") or "", said, re.IGNORECASE) is not None
        by_kind[row["kind"]]["n"] += 1
        by_kind[row["kind"]]["understood"] += ok
        if not ok:
            misses.append(
                {
                    "question": row["question"],
                    "kind": row["kind"],
                    "expect": row.get("expect", ""),
                    "step": turn.state.get("step"),
                    "got": said[:300],
                }
            )
    for figures in by_kind.values():
        figures["ratio"] = round(figures["understood"] / figures["n"], 4) if figures["n"] else 0.0
    n = len(rows)
    understood = sum(f["understood"] for f in by_kind.values())
    return {
        "n": n,
        "understood": round(understood / n, 4) if n else 0.0,
        "understood_count": understood,
        "by_kind": by_kind,
        "turn_ms": {"p50": _percentile(took, 0.5), "p99": _percentile(took, 0.99)},
        "misses": misses,
    }


def real_senses(database_url: str):
    """The chat's senses as the app builds them, over ``database_url`` (migrated and seeded)."""
    from chatbot.senses import ReadModelSenses
    from db.session import make_engine, make_sessions
    from nlp.classifier import load_default
    from nlp.faq import load_faq

    return ReadModelSenses(make_sessions(make_engine(database_url)), load_default(), load_faq())


def run(data: Path | str) -> dict:
    from scripts.stack import migrate_and_seed

    rows = read_rows(data)
    with tempfile.TemporaryDirectory(prefix="chat-eval-") as folder:
        url = f"sqlite:///{Path(folder) / 'read-model.db'}"
        migrate_and_seed(url, "http://127.0.0.1:9")  # agencies' API base: never called here
        senses = real_senses(url)
        try:
            return evaluate_chat(rows, senses)
        finally:
            senses.sessions.kw["bind"].dispose()
