"""What goes in and out of the dialogue engine, channel-neutral: bilingual text (`Bi`, a Thai and an
English side chosen at rendering), the citizen's inbound message (text, a quick-reply action, photos, a
shared location), the bot's replies (text, image, link, quick replies), the effects the engine asks the
service to carry out (file, track, signal, leave a question, note an FAQ answer's usefulness), and the
outcomes the service hands back. Plain dataclasses; `as_json` is the JSON endpoint's shape
`{"type": "text"|"image"|"link"|"quick_replies", ...}`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from workflows.contracts import AttachmentRef

MAX_QUICK_REPLIES = 13  # LINE's limit, and a sane one for a phone screen


MAX_BODY_TEXT = 100_000  # a message past this is refused at the door; the dialogue answers past 5,000


@dataclass(frozen=True)
class Bi:
    """A text in Thai and English; the chat picks a side when it renders, never by splitting a string."""

    th: str
    en: str

    def pick(self, lang: str | None) -> str:
        return self.en if lang == "en" else self.th

    @classmethod
    def same(cls, text: str) -> Bi:
        """A text that reads the same in both languages (a number, a name)."""
        return cls(text, text)

    @classmethod
    def from_pair(cls, message: str | Bi) -> Bi:
        """A message from outside the chat written "ไทย / English" (the domain errors and the door's
        refusals still are: workflows.errors, intake); read once here, where it enters the chat."""
        if isinstance(message, Bi):
            return message
        th, _, en = message.partition(" / ")
        return cls(th, en or th)

    def to_json(self) -> dict:
        return {"th": self.th, "en": self.en}

    @classmethod
    def from_json(cls, data) -> Bi:
        if isinstance(data, dict):
            return cls(str(data.get("th", "")), str(data.get("en", data.get("th", ""))))
        return cls.from_pair(str(data or ""))


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    address: str = ""


@dataclass(frozen=True)
class Inbound:
    """One message from the citizen. `action` is a quick reply's value; `event_id` the channel's id."""

    at: datetime
    event_id: str
    text: str = ""
    action: str = ""
    photos: tuple[AttachmentRef, ...] = ()
    location: Location | None = None
    problem: str | Bi = ""  # set by the front when an attached photo was refused (too big, not an image)
    channel: str = ""  # set by the service: the channel it came through (web, line)


# --- replies -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Image:
    url: str
    alt: str = ""


@dataclass(frozen=True)
class Link:
    url: str
    title: str


@dataclass(frozen=True)
class Choice:
    """A quick reply as sent: its label already in the chat's language."""

    label: str
    action: str


@dataclass(frozen=True)
class Option:
    """A quick reply as the dialogue offers it: a bilingual label and the action a tap sends."""

    label: Bi
    action: str

    def choice(self, lang: str | None) -> Choice:
        return Choice(self.label.pick(lang), self.action)


def option(th: str, en: str, action: str) -> Option:
    return Option(Bi(th, en), action)


@dataclass(frozen=True)
class QuickReplies:
    items: tuple[Choice, ...]

    def __post_init__(self) -> None:
        if len(self.items) > MAX_QUICK_REPLIES:
            object.__setattr__(self, "items", self.items[:MAX_QUICK_REPLIES])


Reply = Text | Image | Link | QuickReplies


def as_json(reply: Reply) -> dict:
    if isinstance(reply, Text):
        return {"type": "text", "text": reply.text}
    if isinstance(reply, Image):
        return {"type": "image", "url": reply.url, "alt": reply.alt}
    if isinstance(reply, Link):
        return {"type": "link", "url": reply.url, "title": reply.title}
    return {"type": "quick_replies", "items": [{"label": c.label, "action": c.action} for c in reply.items]}


def from_json(data: dict) -> Reply:
    """A reply as `as_json` wrote it (replies kept for a retried message come back this way)."""
    kind = data.get("type")
    if kind == "image":
        return Image(data["url"], data.get("alt", ""))
    if kind == "link":
        return Link(data["url"], data.get("title", ""))
    if kind == "quick_replies":
        return QuickReplies(tuple(Choice(c["label"], c["action"]) for c in data.get("items", [])))
    return Text(data.get("text", ""))


# --- effects the service carries out, and what comes back ---------------------------------------


@dataclass(frozen=True)
class FileComplaint:
    """Start the complaint's workflow; `key` (the confirming message's id) makes it idempotent."""

    key: str
    draft: dict  # chatbot.state.Draft as a dict


@dataclass(frozen=True)
class TrackWithPin:
    number: str
    pin: str


@dataclass(frozen=True)
class ShowCase:
    """Show a case this chat filed (no PIN needed: the channel identity proves it), or, `proven`, the
    case this chat already opened with its PIN (the engine sets it only from its own state)."""

    number: str
    proven: bool = False


@dataclass(frozen=True)
class ListMyComplaints:
    pass


@dataclass(frozen=True)
class AddInfo:
    number: str
    text: str
    photos: tuple[AttachmentRef, ...] = ()


@dataclass(frozen=True)
class Withdraw:
    number: str


@dataclass(frozen=True)
class LeaveQuestion:
    key: str
    text: str
    center: str | None = None  # the center that answers: the chat's door, else the citizen's area


@dataclass(frozen=True)
class NoteFaqFeedback:
    """The citizen said whether an FAQ answer helped: stored per entry for the staff's FAQ page."""

    key: str  # the message that carried the answer: a redelivered tap is counted once
    entry_id: str
    helpful: bool
    at: datetime
    lang: str = "th"


@dataclass(frozen=True)
class RateCase:
    """The citizen rates a resolved case 1-5 (`proven`: the chat opened it with its PIN)."""

    number: str
    score: int
    proven: bool = False


@dataclass(frozen=True)
class DisputeCase:
    """The citizen disputes a resolved case's result, with a reason: the case reopens."""

    number: str
    reason: str
    proven: bool = False


Effect = (
    FileComplaint
    | TrackWithPin
    | ShowCase
    | ListMyComplaints
    | AddInfo
    | Withdraw
    | LeaveQuestion
    | NoteFaqFeedback
    | RateCase
    | DisputeCase
)


@dataclass(frozen=True)
class Filed:
    number: str
    pin: str
    status_url: str = ""


@dataclass(frozen=True)
class CaseShown:
    """A case as the citizen sees it; `lines` already in the chat's language."""

    number: str
    lines: tuple[str, ...]
    open: bool
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class MyComplaints:
    items: tuple[tuple[str, Bi], ...]  # (tracking number, status label)


@dataclass(frozen=True)
class Done:
    """An effect that needs no more than a confirmation (info added, withdrawn)."""

    number: str


@dataclass(frozen=True)
class QuestionLeft:
    due: Bi  # when to expect the answer, as people read a date in each language
    center: Bi | None = None  # the center whose officers answer it (None: the ministry's, unnamed)


@dataclass(frozen=True)
class FeedbackNoted:
    """An FAQ answer's feedback was stored (or could not be: the chat carries on either way)."""

    stored: bool = True


@dataclass(frozen=True)
class Refused:
    """The effect failed in a way the citizen should hear about."""

    message: Bi
    throttled: bool = False
    not_found: bool = False


@dataclass(frozen=True)
class Answered:
    """A rating or a dispute reached the case (`kind`: rated | disputed)."""

    number: str
    kind: str
    score: int = 0


Outcome = Filed | CaseShown | MyComplaints | Done | QuestionLeft | FeedbackNoted | Answered | Refused


@dataclass
class Turn:
    state: dict
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
