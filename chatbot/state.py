"""The dialogue's state for one chat identity, and the complaint draft inside it: which step the
citizen is on, the steps behind it (for "back"), the language, what has been gathered so far, the
office the classifier suggested (a `Suggested`, not positional lists), and the center this chat talks
about. Stored as JSON in `chat_sessions` (db/chat.py), so it survives an app restart; `from_json`
tolerates rows written by an older version (unknown keys dropped, missing ones defaulted, and the
suggestion that versions before 2026-12-05 kept in `scratch` as lists taken over)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta

from chatbot.messages import Bi
from workflows.contracts import AttachmentRef

DRAFT_EXPIRES = timedelta(minutes=60)
MENU = "menu"


@dataclass
class Draft:
    """A complaint being written. Personal data (name, phone, ID) only after `consent`."""

    consent: bool = False
    text: str = ""
    links: list[str] = field(default_factory=list)
    photos: list[dict] = field(default_factory=list)  # AttachmentRef as dicts
    location: str = ""  # "lat,lon address" when the citizen shared a location
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None  # the tambon, when the citizen named it (chatbot.flows_place)
    category: str | None = None
    center_code: str | None = None
    agency_code: str | None = None
    office_th: str = ""  # how the chosen office is named in the summary
    office_en: str = ""
    anonymous: bool = False
    name: str = ""
    phone: str = ""
    national_id: str = ""

    def attachments(self) -> list[AttachmentRef]:
        return [AttachmentRef(**p) for p in self.photos]


@dataclass(frozen=True)
class OfficeRef:
    """A center or an agency as the chat names it."""

    code: str
    name: Bi

    def to_json(self) -> dict:
        return {"code": self.code, "name": self.name.to_json()}

    @classmethod
    def from_json(cls, data) -> OfficeRef | None:
        if isinstance(data, dict) and data.get("code"):
            return cls(str(data["code"]), Bi.from_json(data.get("name")))
        if isinstance(data, list | tuple) and len(data) == 3 and data[0]:  # [code, th, en] before 2026-12-05
            return cls(str(data[0]), Bi(str(data[1]), str(data[2])))
        return None


@dataclass(frozen=True)
class Suggested:
    """Where the classifier's reading of the draft would send it: a category (None when unsure, so
    officers screen it), the center that files it, and the agency that acts on it, when one is known."""

    category: str | None
    category_label: Bi
    center: OfficeRef
    agency: OfficeRef | None = None

    def to_json(self) -> dict:
        return {
            "category": self.category,
            "category_label": self.category_label.to_json(),
            "center": self.center.to_json(),
            "agency": self.agency.to_json() if self.agency else None,
        }

    @classmethod
    def from_json(cls, data) -> Suggested | None:
        if not isinstance(data, dict):
            return None
        center = OfficeRef.from_json(data.get("center"))
        if center is None:
            return None
        label = data.get("category_label")
        if label is None:  # the older shape: category_th / category_en side by side
            label = {"th": data.get("category_th", ""), "en": data.get("category_en", "")}
        return cls(data.get("category"), Bi.from_json(label), center, OfficeRef.from_json(data.get("agency")))


@dataclass
class ChatState:
    step: str = MENU
    lang: str | None = None
    history: list[str] = field(default_factory=list)
    draft: Draft | None = None
    case: str | None = None  # the complaint this chat may act on now (after its PIN, or its own)
    scratch: dict = field(default_factory=dict)  # what the current step needs: a number, choices, ...
    last_at: str | None = None
    suggestion: Suggested | None = None  # the office suggested for the draft
    center: str | None = None  # the center this chat last asked about (its phone, hours, ...)
    door: str | None = None  # the center whose chat door this chat came in by (chatbot.flows_door)
    door_name: dict | None = None  # its name as Bi JSON, for the greeting (settling has no senses)

    def to_json(self) -> dict:
        data = asdict(self)
        data["suggestion"] = self.suggestion.to_json() if self.suggestion else None
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> ChatState:
        data = dict(data or {})
        known = {f.name for f in fields(cls)} - {"draft", "suggestion"}
        state = cls(**{k: v for k, v in data.items() if k in known})
        state.scratch = dict(state.scratch or {})
        raw = data.get("draft")
        if isinstance(raw, dict):
            draft_known = {f.name for f in fields(Draft)}
            state.draft = Draft(**{k: v for k, v in raw.items() if k in draft_known})
        state.suggestion = Suggested.from_json(data.get("suggestion"))
        if state.suggestion is None and "suggestion" in state.scratch:
            state.suggestion = Suggested.from_json(state.scratch.pop("suggestion"))
        return state

    def silent_for(self, now: datetime) -> timedelta:
        if not self.last_at:
            return timedelta(0)
        return now - datetime.fromisoformat(self.last_at)

    def go(self, step: str, remember: bool = True) -> None:
        """Move to `step`; the step left behind is where "back" returns to."""
        if remember and self.step != step:
            self.history = (self.history + [self.step])[-20:]
        self.step = step

    def reset(self) -> None:
        self.step, self.history, self.draft, self.scratch, self.suggestion = MENU, [], None, {}, None
