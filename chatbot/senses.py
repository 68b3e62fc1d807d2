"""What the dialogue may look up while it decides, without changing anything: what a message is (a
question, a complaint, both, tracking, ... : `Reading`, from nlp) and its language, the classifier's
suggestion for a complaint and the office it would go to (routing rules and agencies in the read
model, decided by `workflows.domain.routing`), FAQ answers, a search of the 956 centers and the
agencies, the list of centers (for finding the one a question names) and one center's facts for
citizens (phone, hours, address, e-mail, map) from its directory record. `Senses` is the interface
the engine sees; `ReadModelSenses` is the real one, built once at app start with the classifier and
the FAQ loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from chatbot.messages import Bi
from db import queries
from db.center_facts import center_facts as directory_facts
from db.models import Center
from db.routing import routing_options
from db.search import search_directory
from nlp.faq import FaqAnswer
from nlp.taxonomy import category_label
from nlp.text import detect_language, normalize
from nlp.understanding import understand
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
    entry_id: str = ""  # the knowledge base's entry, for "did this help?"
    center_fact: str | None = None  # phone|hours|address|email|map|all: completed from the directory


@dataclass(frozen=True)
class Reading:
    """What a message is (nlp.understanding): a question (answer it, never file it), a complaint (file
    it; `describes` when the text is the problem itself), both (answer and offer to file), tracking
    (with the number when typed), a menu choice (`action`), small talk, or unknown. `faq` is the
    answer the reading found; `faq_checked` says whether it looked (a complaint is not looked up)."""

    kind: str
    confidence: float
    intent: str = ""
    faq: FaqReply | None = None
    faq_checked: bool = False
    action: str = ""
    describes: bool = False
    tracking_number: str = ""


@dataclass(frozen=True)
class CenterRow:
    """A center as the chat's finder needs it: its code, level, names and area."""

    code: str
    level: str
    name: Bi
    province_code: str | None
    district_code: str | None


@dataclass(frozen=True)
class CenterFacts:
    """What a citizen may ask about one center, from its directory record; None where not known."""

    code: str
    name: Bi
    phone: str | None = None
    hours: Bi | None = None
    address: str | None = None
    email: str | None = None
    map_url: str | None = None
    line: str | None = None
    demo: bool = False  # the record's values are the directory's demo data, not the center's own
    active: bool = True  # False once the directory deactivated it (its chat door is closed)


class Senses(Protocol):
    def read(self, text: str) -> Reading: ...
    def language(self, text: str) -> str: ...
    def suggest(
        self, text: str, province: str | None, district: str | None, channel: str = "", subdistrict: str | None = None
    ) -> Suggestion: ...
    def faq(self, text: str) -> FaqReply | None: ...
    def search_offices(self, query: str, limit: int) -> list[Office]: ...
    def office(self, kind: str, code: str) -> Office | None: ...
    def centers(self) -> tuple[CenterRow, ...]: ...
    def center_facts(self, code: str) -> CenterFacts | None: ...


class ReadModelSenses:
    def __init__(self, sessions: sessionmaker[Session], classifier, faq) -> None:
        self.sessions, self.classifier, self.faq_retriever = sessions, classifier, faq

    def read(self, text: str) -> Reading:
        """What the message is; the FAQ's answer comes with it when the reading looked one up (the
        encoder runs once per message, however the dialogue then uses the answer)."""
        looked = _Looked(self.faq_retriever)
        got = understand(text, looked)
        return Reading(
            got.kind,
            got.confidence,
            got.intent,
            self._reply(got.faq),
            looked.looked,
            got.action,
            got.describes,
            got.tracking_number,
        )

    def language(self, text: str) -> str:
        try:
            return "en" if detect_language(normalize(text, max_chars=500)) == "en" else "th"
        except ValueError:
            return "th"

    def suggest(
        self, text: str, province: str | None, district: str | None, channel: str = "", subdistrict: str | None = None
    ) -> Suggestion:
        got = self.classifier.classify(text, channel)
        category = None if got.unsure else got.category
        with self.sessions() as s:
            center = self.office("center", center_for_area(province, district), s)
            agency = None
            if category:
                # The same query and decision as the workflow's, the tambon included: the office the
                # chat suggests is the office the case goes to.
                opts = routing_options(s, category, province, district, subdistrict_code=subdistrict)
                code = decide_agency(
                    category, province, district, opts.rules, opts.agencies, subdistrict_code=subdistrict
                )
                agency = self.office("agency", code, s) if code else None
        return Suggestion(
            category,
            category_label(category or "other", "th"),
            category_label(category or "other", "en"),
            center,
            agency,
        )

    def faq(self, text: str) -> FaqReply | None:
        return self._reply(self.faq_retriever.answer(text))

    @staticmethod
    def _reply(found: FaqAnswer | None) -> FaqReply | None:
        if found is None:
            return None
        image = f"/chat/faq-images/{found.image.rsplit('/', 1)[-1]}" if found.image else None
        return FaqReply(found.answer, list(found.links), image, found.id, found.center_fact)

    def search_offices(self, query: str, limit: int) -> list[Office]:
        with self.sessions() as s:
            return [Office(h.kind, h.code, h.name_th, h.name_en) for h in search_directory(s, query[:100], limit=limit)]

    def office(self, kind: str, code: str, s: Session | None = None) -> Office | None:
        if s is None:
            with self.sessions() as own:
                return self.office(kind, code, own)
        row = queries.center(s, code) if kind == "center" else queries.agency(s, code)
        return Office(kind, row.code, row.name_th, row.name_en) if row else None

    @cached_property
    def _centers(self) -> tuple[CenterRow, ...]:
        with self.sessions() as s:
            rows = s.query(Center).order_by(Center.code).all()
            return tuple(
                CenterRow(c.code, c.level, Bi(c.name_th, c.name_en), c.province_code, c.district_code)
                for c in rows
                if getattr(c, "active", True) is not False
            )

    def centers(self) -> tuple[CenterRow, ...]:
        """Every active center, read once (the 956 names change only with the directory's feed)."""
        return self._centers

    def center_facts(self, code: str) -> CenterFacts | None:
        with self.sessions() as s:
            row = directory_facts(s, code)
        if row is None:
            return None
        lat, lon = row.latitude, row.longitude
        return CenterFacts(
            code=row.code,
            name=Bi(row.name_th, row.name_en),
            phone=row.phone or None,
            hours=hours_text(row.office_hours),
            address=row.address or None,
            email=row.email or None,
            map_url=map_link(lat, lon) if lat is not None and lon is not None else None,
            line=row.line_official_account or None,
            demo=row.demo,
            active=row.active,
        )


class _Looked:
    """The FAQ retriever as one reading uses it, noting whether the reading looked an answer up (then
    the reading's `faq` is the answer, or None for no answer: the dialogue need not look again)."""

    def __init__(self, retriever) -> None:
        self.retriever, self.looked = retriever, False

    def answer(self, question: str):
        self.looked = True
        return self.retriever.answer(question)

    def answer_for(self, entry_id: str, question: str, score: float = 1.0):
        self.looked = True
        return self.retriever.answer_for(entry_id, question, score=score)

    def __getattr__(self, name: str):
        return getattr(self.retriever, name)


# --- a center's facts as people read them --------------------------------------------------------

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_TH = ("จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา.")
_DAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def hours_text(hours: dict | None) -> Bi | None:
    """Office hours from the directory's {"mon": {"open", "close"}, ..., "text_th", "text_en"}: days with
    the same hours run together ("จ.-ศ. 08:30-16:30 น."), a day not listed is closed, and the record's
    own note follows; a record with only a note gives the note."""
    if not isinstance(hours, dict):
        return None
    spans: list[tuple[int, int, str]] = []  # (first day, last day, "open-close")
    for i, day in enumerate(_DAYS):
        slot = hours.get(day)
        if not isinstance(slot, dict) or not slot.get("open") or not slot.get("close"):
            continue
        times = f"{slot['open']}-{slot['close']}"
        if spans and spans[-1][1] == i - 1 and spans[-1][2] == times:
            spans[-1] = (spans[-1][0], i, times)
        else:
            spans.append((i, i, times))

    def days(names: tuple[str, ...], a: int, b: int) -> str:
        return names[a] if a == b else f"{names[a]}-{names[b]}"

    note_th = str(hours.get("text_th") or hours.get("text") or "").strip()
    note_en = str(hours.get("text_en") or hours.get("text") or note_th).strip()
    th = ", ".join(f"{days(_DAY_TH, a, b)} {t} น." for a, b, t in spans)
    en = ", ".join(f"{days(_DAY_EN, a, b)} {t}" for a, b, t in spans)
    if not spans:
        return Bi(note_th, note_en) if note_th or note_en else None
    return Bi(f"{th} ({note_th})" if note_th else th, f"{en} ({note_en})" if note_en else en)


def map_link(latitude: float, longitude: float) -> str:
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}#map=17/{latitude:.6f}/{longitude:.6f}"
    )
