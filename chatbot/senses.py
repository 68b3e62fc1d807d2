"""What the dialogue may look up while it decides, without changing anything: the intent and language
of a message (nlp), the classifier's suggestion for a complaint and the office it would go to
(routing rules and agencies in the read model, decided by `workflows.domain.routing`), FAQ answers,
and a search of the 956 centers and the agencies. `Senses` is the interface the engine sees;
`ReadModelSenses` is the real one, built once at app start with the classifier and the FAQ loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from db import queries
from db.routing import routing_options
from db.search import search_directory
from nlp.intents import detect_intent
from nlp.taxonomy import category_label
from nlp.text import detect_language, normalize
from workflows.domain.routing import center_for_area, decide_agency


@dataclass(frozen=True)
class Office:
    kind: str  # center | agency
    code: str
    name_th: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_th


@dataclass(frozen=True)
class Suggestion:
    """Where the classifier's reading of the complaint would send it."""

    category: str | None  # None when the classifier is unsure: officers screen it
    category_th: str
    category_en: str
    center: Office
    agency: Office | None


@dataclass(frozen=True)
class FaqReply:
    answer: str
    links: list[dict] = field(default_factory=list)
    image: str | None = None


class Senses(Protocol):
    def intent(self, text: str) -> tuple[str, float]: ...
    def language(self, text: str) -> str: ...
    def suggest(self, text: str, province: str | None, district: str | None, channel: str = "") -> Suggestion: ...
    def faq(self, text: str) -> FaqReply | None: ...
    def search_offices(self, query: str, limit: int) -> list[Office]: ...
    def office(self, kind: str, code: str) -> Office | None: ...


class ReadModelSenses:
    def __init__(self, sessions: sessionmaker[Session], classifier, faq) -> None:
        self.sessions, self.classifier, self.faq_retriever = sessions, classifier, faq

    def intent(self, text: str) -> tuple[str, float]:
        found = detect_intent(text)
        return found.name, found.confidence

    def language(self, text: str) -> str:
        try:
            return "en" if detect_language(normalize(text, max_chars=500)) == "en" else "th"
        except ValueError:
            return "th"

    def suggest(self, text: str, province: str | None, district: str | None, channel: str = "") -> Suggestion:
        got = self.classifier.classify(text, channel)
        category = None if got.unsure else got.category
        with self.sessions() as s:
            center = self.office("center", center_for_area(province, district), s)
            agency = None
            if category:
                opts = routing_options(s, category, province, district)
                code = decide_agency(category, province, district, opts.rules, opts.agencies)
                agency = self.office("agency", code, s) if code else None
        return Suggestion(
            category,
            category_label(category or "other", "th"),
            category_label(category or "other", "en"),
            center,
            agency,
        )

    def faq(self, text: str) -> FaqReply | None:
        found = self.faq_retriever.answer(text)
        if found is None:
            return None
        image = f"/chat/faq-images/{found.image.rsplit('/', 1)[-1]}" if found.image else None
        return FaqReply(found.answer, list(found.links), image)

    def search_offices(self, query: str, limit: int) -> list[Office]:
        with self.sessions() as s:
            return [Office(h.kind, h.code, h.name_th, h.name_en) for h in search_directory(s, query[:100], limit=limit)]

    def office(self, kind: str, code: str, s: Session | None = None) -> Office | None:
        if s is None:
            with self.sessions() as own:
                return self.office(kind, code, own)
        row = queries.center(s, code) if kind == "center" else queries.agency(s, code)
        return Office(kind, row.code, row.name_th, row.name_en) if row else None
