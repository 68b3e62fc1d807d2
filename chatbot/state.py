"""The dialogue's state for one chat identity, and the complaint draft inside it: which step the
citizen is on, the steps behind it (for "back"), the language, and what has been gathered so far.
Stored as JSON in `chat_sessions` (db/chat.py), so it survives an app restart; `from_json` tolerates
rows written by an older version (unknown keys dropped, missing ones defaulted)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta

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


@dataclass
class ChatState:
    step: str = MENU
    lang: str | None = None
    history: list[str] = field(default_factory=list)
    draft: Draft | None = None
    case: str | None = None  # the complaint this chat may act on now (after its PIN, or its own)
    scratch: dict = field(default_factory=dict)  # what the current step needs: a number, choices, ...
    last_at: str | None = None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> ChatState:
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in known and k != "draft"})
        raw = data.get("draft")
        if isinstance(raw, dict):
            draft_known = {f.name for f in fields(Draft)}
            state.draft = Draft(**{k: v for k, v in raw.items() if k in draft_known})
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
        self.step, self.history, self.draft, self.scratch = MENU, [], None, {}
