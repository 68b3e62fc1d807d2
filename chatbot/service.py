"""The chat service: one turn of one chat, for every channel. It takes the channel event once (a
redelivered event id is dropped), loads the chat's state, runs the dialogue engine, carries out the
effect the engine asked for through the gateway or a read of the read model (filing, tracking with
the PIN throttle, "my complaints", adding information, withdrawing, leaving a question), lets the
engine settle on the outcome, and saves the state. Turns of one chat run one at a time.

It also reads the messages pushed to a chat (the outbox rows for its channel and identity) in the
chat's language and stamps them delivered: that is how the web chat and the JSON API receive
status changes, officers' replies and answers to questions."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from chatbot import dialogue
from chatbot.case_text import case_lines
from chatbot.messages import (
    AddInfo,
    Answered,
    Bi,
    CaseShown,
    Choice,
    DisputeCase,
    Done,
    Effect,
    FeedbackNoted,
    FileComplaint,
    Filed,
    Inbound,
    LeaveQuestion,
    ListMyComplaints,
    MyComplaints,
    NoteFaqFeedback,
    Outcome,
    QuestionLeft,
    RateCase,
    Refused,
    Reply,
    ShowCase,
    TrackWithPin,
    Withdraw,
    as_json,
    from_json,
)
from chatbot.senses import Senses
from chatbot.state import Draft
from db import chat as store
from db import faq_feedback
from db.center_facts import WEEKDAYS
from db.center_facts import CenterFacts as CenterRecord
from db.center_facts import center_facts as center_record
from db.chat_photos import photos_of_messages
from db.models import Case, CaseClock
from db.tracking import track_with_pin, tracking_view
from intake import desk
from intake.backoff import KeyedGates
from intake.desk import Receipt
from intake.filing import ComplaintFiling, Door
from intake.rates import FILING, TRACKING, RateLimits, Throttled
from workflows import contracts as c
from workflows.client import QUESTION_ID
from workflows.domain.calendar import format_datetime_en, format_datetime_th
from workflows.domain.rating import result_choices
from workflows.domain.routing import center_for_area
from workflows.domain.transitions import STATUS_LABELS
from workflows.errors import CaseError, CaseNotFound

log = logging.getLogger("chat")
PIN_MARK = "\u2063PIN\u2063"  # invisible separators: no reply text contains them
WRONG_PIN = Bi("เลขที่เรื่องหรือ PIN ไม่ถูกต้อง", "The tracking number or PIN is wrong.")
NOT_YOURS = Bi("ไม่พบเรื่องนี้ในเรื่องที่ยื่นจากแชตนี้", "This chat did not file that complaint.")


@dataclass(frozen=True)
class Pushed:
    id: int
    text: str
    kind: str
    at: str
    photos: tuple[str, ...] = ()  # signed links to the photos that came with it (an officer's, a result's)
    quick: tuple[Choice, ...] = ()  # a result's rating and dispute buttons


def week_of(facts: CenterRecord | None) -> list[str]:
    """A center's opening hours as the question's clock takes them: seven "HH:MM-HH:MM" from Monday,
    "" for a closed day; empty when its record has no hours (the government week then)."""
    hours = facts.office_hours if facts is not None else None
    if not isinstance(hours, dict) or not any(isinstance(hours.get(d), dict) for d in WEEKDAYS):
        return []
    week = []
    for day in WEEKDAYS:
        slot = hours.get(day)
        ok = isinstance(slot, dict) and slot.get("open") and slot.get("close")
        week.append(f"{slot['open']}-{slot['close']}" if ok else "")
    return week


class ChatService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        filing_sessions: sessionmaker[Session],
        gateway,
        senses: Senses,
        throttle,
        secret: str,
        public_base_url: str = "",
        rates: RateLimits | None = None,
        on_filed: Callable[[], None] | None = None,
        photo_key: bytes | None = None,
    ) -> None:
        self.sessions, self.filing_sessions = sessions, filing_sessions
        self.gateway, self.senses, self.throttle = gateway, senses, throttle
        self.rates = rates or RateLimits("off", "off", "off")  # the door's per-client limits (intake.rates)
        self.secret, self.public_base_url = secret, public_base_url
        self.on_filed = on_filed  # wakes the in-app dispatcher, when there is one
        self.photo_key = photo_key  # signs the links to photos in pushed messages (db.chat_photos)
        self._turns = KeyedGates(1)

    # --- a turn -------------------------------------------------------------------------------

    async def handle(
        self, channel: str, ref: str, inbound: Inbound, client: str = "", claim: bool = True
    ) -> list[Reply] | None:
        """The replies to one message; None when this event was handled before (a redelivery)."""
        key = store.session_key(channel, ref)
        async with self._turns.hold(key):  # one turn at a time per chat
            first = await asyncio.to_thread(self._begin, channel, ref, inbound, claim)
            if first is None:
                return None
            turn = first
            replies, pin = list(turn.replies), ""
            # Settling may ask for one more effect (a refusal re-prompts a step that lists something);
            # two rounds are the most any step needs.
            for _ in range(2):
                if not turn.effects:
                    break
                lang = turn.state.get("lang") or "th"
                outcome = await self._carry_out(turn.effects[0], channel, ref, lang, client or key)
                pin = outcome.pin if isinstance(outcome, Filed) else pin
                turn = await asyncio.to_thread(dialogue.settle, turn.state, outcome)
                replies += turn.replies
            kept = _event_key(channel, ref, inbound.event_id) if claim else ""
            await asyncio.to_thread(self._save, channel, ref, turn.state, kept, replies, pin)
            return replies

    def _begin(self, channel: str, ref: str, inbound: Inbound, claim: bool):
        with self.sessions.begin() as s:
            event = _event_key(channel, ref, inbound.event_id)
            if claim and inbound.event_id and not store.claim_event(s, channel, event, ref):
                return None
            row = store.load_session(s, channel, ref)
            state = dict(row.state) if row is not None else {}
        return dialogue.step(state, replace(inbound, channel=channel), self.senses)

    def _save(
        self, channel: str, ref: str, state: dict, event_id: str = "", replies: list[Reply] = (), pin: str = ""
    ) -> None:
        with self.sessions.begin() as s:
            store.save_session(s, channel, ref, state, state.get("lang"))
            if event_id:
                # Kept for a retry of this message; a PIN is never stored, only where it goes.
                answer = json.dumps([as_json(r) for r in replies], ensure_ascii=False)
                store.keep_replies(s, channel, event_id, json.loads(answer.replace(pin, PIN_MARK) if pin else answer))

    def replayed(self, channel: str, ref: str, event_id: str) -> list[Reply] | None:
        """The replies a message of this chat already got (a retry after a lost response): the same
        words, and a filing's number and PIN again, shown to the same chat only."""
        with self.sessions() as s:
            kept = store.kept_replies(s, channel, _event_key(channel, ref, event_id), ref)
        if kept is None:
            return None
        answer = json.dumps(kept, ensure_ascii=False)
        if PIN_MARK in answer:
            with self.filing_sessions() as queue:
                filed = desk.replay(queue, Door(channel, ref, ref), event_id, self.secret)
            answer = answer.replace(PIN_MARK, filed.pin if filed is not None and filed.pin else "")
        return [from_json(r) for r in json.loads(answer)]

    async def prune_forever(self, every_seconds: float = 3600.0) -> None:
        """Forget old channel events and idle chats, now and then every hour, while the app runs."""
        while True:
            try:
                await asyncio.to_thread(self._prune)
            except Exception:  # the database may be restarting; try again next round
                log.exception("pruning chat sessions failed")
            await asyncio.sleep(every_seconds)

    def _prune(self) -> None:
        with self.sessions.begin() as s:
            store.prune(s)

    def claim(self, channel: str, event_id: str, ref: str, payload: dict | None = None) -> bool:
        """Take a channel event once (the LINE webhook does this before answering 200); with its
        payload it stays unfinished until `finished`, so a restart can complete it."""
        with self.sessions.begin() as s:
            return store.claim_event(s, channel, event_id, ref, payload=payload)

    def finished(self, channel: str, event_id: str) -> None:
        with self.sessions.begin() as s:
            store.event_done(s, channel, event_id)

    def unfinished(self, channel: str, within: timedelta) -> list[dict]:
        with self.sessions() as s:
            return store.unfinished_events(s, channel, datetime.now(UTC) - within)

    # --- effects --------------------------------------------------------------------------------

    async def _carry_out(self, effect: Effect, channel: str, ref: str, lang: str, client: str) -> Outcome:
        try:
            if isinstance(effect, FileComplaint):
                self.rates.hit(FILING, client)  # over the rate: Throttled, a CaseError, refused politely below
                return await self._file(effect, channel, ref, lang)
            if isinstance(effect, TrackWithPin):
                return await self._track(effect, lang, client)
            if isinstance(effect, ShowCase):
                return await asyncio.to_thread(self._show, effect, channel, ref, lang)
            if isinstance(effect, ListMyComplaints):
                return await asyncio.to_thread(self._mine, channel, ref, lang)
            if isinstance(effect, AddInfo):
                ended = await asyncio.to_thread(self._ended, effect.number)
                if ended is not None:
                    return Refused(ended)
                await self.gateway.signal(effect.number, "add_info", c.CitizenInfo(effect.text, list(effect.photos)))
                return Done(effect.number)
            if isinstance(effect, RateCase | DisputeCase):
                return await self._answer(effect, channel, ref)
            if isinstance(effect, Withdraw):
                await self.gateway.signal(
                    effect.number, "withdraw", c.Withdrawal("ถอนเรื่องทางแชต / withdrawn in the chat")
                )
                return Done(effect.number)
            if isinstance(effect, LeaveQuestion):
                return await self._ask(effect, channel, ref, lang)
            if isinstance(effect, NoteFaqFeedback):
                return await asyncio.to_thread(self._note_feedback, effect, channel, ref)
        except CaseError as err:
            return Refused(Bi.from_pair(err.message), not_found=isinstance(err, CaseNotFound))
        raise TypeError(f"unknown effect {effect!r}")

    def _ended(self, number: str) -> Bi | None:
        """Why information can no longer be added to this case (it has ended), else None."""
        with self.sessions() as s:
            case = s.get(Case, number)
            if case is None or case.status not in c.TERMINAL_STATUSES:
                return None
            th, en = STATUS_LABELS.get(case.status, (case.status, case.status))
        return Bi(
            f"เรื่อง {number} ยุติแล้ว ({th}) จึงเพิ่มข้อมูลไม่ได้ หากมีปัญหาใหม่ โปรดยื่นเรื่องใหม่",
            f"Complaint {number} has ended ({en}), so nothing more can be added. Please file a new complaint "
            "for a new problem.",
        )

    async def _answer(self, effect: RateCase | DisputeCase, channel: str, ref: str) -> Outcome:
        """A rating or a dispute from this chat: only for its own case (or one it opened with the PIN),
        resolved and within the rating window; else a polite refusal, and nothing is signalled."""
        refusal = await asyncio.to_thread(self._answerable, effect.number, effect.proven, channel, ref)
        if refusal is not None:
            return refusal
        if isinstance(effect, RateCase):
            await self.gateway.signal(effect.number, "rate", c.Rating(effect.score))
            return Answered(effect.number, "rated", effect.score)
        await self.gateway.signal(effect.number, "dispute", c.Dispute(effect.reason))
        return Answered(effect.number, "disputed")

    def _answerable(self, number: str, proven: bool, channel: str, ref: str) -> Refused | None:
        with self.sessions() as s:
            case = s.get(Case, number) if proven else store.case_of_chat(s, number, channel, ref)
            if case is None:
                return Refused(NOT_YOURS, not_found=True)
            rating = s.get(CaseClock, (number, c.RATING))
            open_window = (
                case.status == c.RESOLVED
                and rating is not None
                and rating.state == "running"
                and (rating.due_at is None or _aware(rating.due_at) > datetime.now(UTC))
            )
        if open_window:
            return None
        return Refused(
            Bi(
                f"ขออภัย เรื่อง {number} ไม่อยู่ในช่วงประเมินหรือโต้แย้งผลแล้ว ประเมินหรือโต้แย้งได้ภายใน 7 วัน"
                "หลังแจ้งผลเท่านั้น หากยังมีปัญหา โปรดยื่นเรื่องใหม่หรือติดต่อศูนย์ดำรงธรรม",
                f"Sorry, complaint {number} can no longer be rated or disputed: that is possible within 7 days "
                "of its result only. If the problem remains, please file a new complaint or contact the center.",
            )
        )

    async def _file(self, effect: FileComplaint, channel: str, ref: str, lang: str) -> Outcome:
        known = {f.name for f in fields(Draft)}
        d = Draft(**{k: v for k, v in effect.draft.items() if k in known})
        text = d.text + (f"\n\nตำแหน่ง / location: {d.location}" if d.location else "")
        contact = None if d.anonymous else c.Contact(name=d.name, phone=d.phone, national_id=d.national_id)
        filing = ComplaintFiling(
            text=text,
            province=d.province_code,
            district=d.district_code,
            subdistrict=d.subdistrict_code,
            category=d.category,
            center=d.center_code,
            agency=d.agency_code,
            contact=contact,
            anonymous=d.anonymous,
            attachments=tuple(d.attachments()),
            language=lang,
        )
        filed = await asyncio.to_thread(self._file_at_desk, filing, Door(channel, ref, ref), effect.key)
        if self.on_filed is not None:
            self.on_filed()
        return self._filed(filed, channel)

    def _file_at_desk(self, filing: ComplaintFiling, door: Door, key: str) -> Receipt:
        with self.sessions() as directory, self.filing_sessions() as queue:
            return desk.file(directory, queue, filing, door, key, self.secret)

    def _filed(self, filed: Receipt, channel: str) -> Filed:
        link = (
            f"{self.public_base_url}/chat?track={filed.tracking_number}"
            if (self.public_base_url or channel == "web")
            else ""
        )
        return Filed(filed.tracking_number, filed.pin or "", link)

    async def _track(self, effect: TrackWithPin, lang: str, client: str) -> Outcome:
        """Track with the PIN: `client` is the caller's address (or its LINE user), never a chat
        session, which the caller names; its wrong PINs and those at the number are counted in the
        read model (`intake.pins`), so every app process and every chat of one client share them."""
        try:
            self.rates.hit(TRACKING, client)
            async with self.throttle.checking(client, effect.number):
                view = await track_with_pin(
                    self.sessions,
                    self.filing_sessions,
                    effect.number,
                    effect.pin,
                    self.secret,
                    self.gateway.pin_matches,
                )
        except Throttled as err:
            return Refused(Bi.from_pair(err.message), throttled=True)
        except CaseNotFound:
            return Refused(WRONG_PIN, not_found=True)
        return self._shown(view, lang)

    def _show(self, effect: ShowCase, channel: str, ref: str, lang: str) -> Outcome:
        with self.sessions() as s:
            if effect.proven:
                case = s.get(Case, effect.number)
            else:
                case = store.case_of_chat(s, effect.number, channel, ref)
                if case is None:
                    return Refused(NOT_YOURS, not_found=True)
            return self._shown(tracking_view(s, case, effect.number), lang)

    def _shown(self, view, lang: str) -> CaseShown:
        lines, is_open = case_lines(view, lang)
        return CaseShown(view.tracking_number, tuple(lines), is_open)

    def _mine(self, channel: str, ref: str, lang: str) -> Outcome:
        with self.sessions() as s:
            cases = store.cases_of_chat(s, channel, ref)
            return MyComplaints(
                tuple((k.tracking_number, Bi(*STATUS_LABELS.get(k.status, (k.status,) * 2))) for k in cases)
            )

    async def _ask(self, effect: LeaveQuestion, channel: str, ref: str, lang: str) -> Outcome:
        facts = await asyncio.to_thread(self._answering_center, effect.center, channel, ref)
        view = await self.gateway.ask_question(
            c.QuestionInput(
                question_id=question_id(channel, effect.key),
                text=effect.text,
                asked_at=datetime.now(UTC).isoformat(),
                language=lang,
                channel=channel,
                channel_ref=ref,
                center_code=facts.code if facts is not None else None,
                opening_hours=week_of(facts),
            )
        )
        due = datetime.fromisoformat(view.due_at)
        name = Bi(facts.name_th, facts.name_en) if facts is not None else None
        return QuestionLeft(Bi(format_datetime_th(due), format_datetime_en(due)), name)

    def _answering_center(self, code: str | None, channel: str, ref: str) -> CenterRecord | None:
        """The center whose officers answer a question: the one the chat names (its door, or the area
        it knows), else the area of the last complaint this chat filed; while that center is open in
        the directory. None: the ministry's center answers."""
        with self.sessions() as s:
            if not code:
                last = next(iter(store.cases_of_chat(s, channel, ref, limit=1)), None)
                if last is None or not (last.province_code or last.district_code):
                    return None
                code = center_for_area(last.province_code, last.district_code)
            facts = center_record(s, code)
        return facts if facts is not None and facts.active else None

    def _note_feedback(self, effect: NoteFaqFeedback, channel: str, ref: str) -> Outcome:
        """Keep a "did this help?" answer for the staff's FAQ page; a failure is logged, never shown."""
        try:
            with self.sessions.begin() as s:
                faq_feedback.record(
                    s,
                    event_id=_event_key(channel, ref, effect.key),
                    entry_id=effect.entry_id,
                    helpful=effect.helpful,
                    lang=effect.lang,
                    at=effect.at,
                )
        except (SQLAlchemyError, ValueError):  # the database restarting, or an answer with no entry
            log.exception("storing FAQ feedback for %s failed", effect.entry_id)
            return FeedbackNoted(stored=False)
        return FeedbackNoted()

    # --- pushed messages ------------------------------------------------------------------------

    def pushed(self, channel: str, ref: str, after: int = 0, limit: int = 50) -> list[Pushed]:
        """Messages pushed to this chat after `after`, in its language; stamped delivered."""
        with self.sessions.begin() as s:
            row = store.load_session(s, channel, ref)
            lang = row.language if row is not None else None
            rows = store.pushed_messages(s, channel, ref, after, limit)
            store.mark_delivered(s, [r.id for r in rows if r.delivered_at is None])
            photos = photos_of_messages(s, rows, self.photo_key, time.time())
            return [
                Pushed(
                    r.id,
                    r.text_en if (lang or r.language) == "en" else r.text_th,
                    r.kind,
                    r.created_at.isoformat(),
                    tuple(p.path for p in photos.get(r.id, ())),
                    _result_choices(r, lang or r.language),
                )
                for r in rows
            ]

    def last_delivered(self, channel: str, ref: str) -> int:
        with self.sessions() as s:
            return store.last_delivered_id(s, channel, ref)

    def language(self, channel: str, ref: str) -> str | None:
        with self.sessions() as s:
            row = store.load_session(s, channel, ref)
            return row.language if row is not None else None


def _result_choices(row, lang: str | None) -> tuple[Choice, ...]:
    """A case's result comes with the buttons to rate it or dispute it (the service checks the window)."""
    if row.kind != "result" or not row.tracking_number:
        return ()
    return tuple(Choice(label, action) for label, action in result_choices(row.tracking_number, lang))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite gives naive UTC stamps


def _event_key(channel: str, ref: str, event_id: str) -> str:
    """A channel event's key: LINE's ids are LINE's own and unique; a web client names its message ids
    itself, so they count within its own chat only (another chat's id is never a "duplicate")."""
    return event_id if channel == "line" else f"{ref}/{event_id}"


def question_id(channel: str, event_id: str) -> str:
    """The question's id from the channel's event id: readable when it fits, else its digest."""
    raw = f"{channel}:{event_id}"
    if QUESTION_ID.fullmatch(raw):
        return raw
    return f"{channel[:4]}:{hashlib.sha256(raw.encode()).hexdigest()[:32]}"
