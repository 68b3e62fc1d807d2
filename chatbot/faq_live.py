"""The chat's FAQ retriever, kept current with the entries administrators approve (db.faq_proposals):
the shipped knowledge base (nlp/data/faq.yaml) merged with the approved entries of the read model.

Each app process holds one `LiveFaq`. Before answering it compares the read model's stamp of the
approved set (a count and the latest review: one small query, at most every `check_every` seconds)
with the stamp it was built from, and rebuilds when they differ; the approval page also calls
`invalidate()` so the process that approved answers with the entry at once, while other processes
follow within `check_every`. A rebuild encodes only new wordings: the sentence encoder's vectors are
remembered per text. A read model that cannot be read leaves the last retriever in service."""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db import faq_proposals
from nlp.faq import FaqEntry, FaqRetriever

log = logging.getLogger("chat.faq")


class _RememberingEncoder:
    """The sentence encoder with its vectors remembered per text, so a rebuild encodes only what is new."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self._known: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self._known]
        if new:
            for text, vector in zip(new, self.encoder.encode(new), strict=True):
                self._known[text] = vector
        return np.vstack([self._known[t] for t in texts]) if texts else np.zeros((0, 0))

    def __getattr__(self, name: str):  # encode_one, similarities, ...: the encoder's own
        return getattr(self.encoder, name)


def entry_of(row) -> FaqEntry:
    """An approved proposal as a knowledge-base entry."""
    return FaqEntry(
        id=faq_proposals.entry_id(row),
        questions={
            "th": list(faq_proposals.paraphrases(row.questions_th)),
            "en": list(faq_proposals.paraphrases(row.questions_en)),
        },
        answer={"th": row.answer_th, "en": row.answer_en},
        links=[],
        image=None,
    )


class LiveFaq:
    """Answers like `FaqRetriever` (answer, answer_for, entries, ...) over the shipped and approved entries."""

    def __init__(self, sessions: sessionmaker[Session], shipped: FaqRetriever, check_every: float = 5.0) -> None:
        self.sessions, self.shipped, self.check_every = sessions, shipped, check_every
        self._encoder = _RememberingEncoder(shipped.encoder) if shipped.encoder is not None else None
        self._current, self._stamp = shipped, (0, "")
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Look at the read model before the next answer (called when an entry was just approved)."""
        self._checked_at = float("-inf")

    def current(self) -> FaqRetriever:
        if time.monotonic() - self._checked_at < self.check_every:
            return self._current
        with self._lock:
            if time.monotonic() - self._checked_at < self.check_every:
                return self._current
            try:
                with self.sessions() as s:
                    stamp = faq_proposals.version(s)
                    if stamp != self._stamp:
                        rows = faq_proposals.approved(s)
                        self._current = self._build([entry_of(r) for r in rows])
                        self._stamp = stamp
            except SQLAlchemyError:  # the database restarting: answer from what we have, look again soon
                log.exception("reading the approved FAQ entries failed")
            self._checked_at = time.monotonic()
            return self._current

    def _build(self, approved: list[FaqEntry]) -> FaqRetriever:
        if not approved:
            return self.shipped
        base = self.shipped
        return FaqRetriever(
            base.entries + approved,
            threshold=base.threshold,
            encoder=self._encoder,
            semantic_weight=base.semantic_weight if base.encoder is not None else 0.5,
        )

    def answer(self, question: str):
        return self.current().answer(question)

    def answer_for(self, entry_id: str, question: str, score: float = 1.0):
        return self.current().answer_for(entry_id, question, score=score)

    def __getattr__(self, name: str):
        return getattr(self.current(), name)
