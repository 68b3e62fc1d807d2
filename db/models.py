"""The read model's tables: the directory (centers, agencies, categories, routing rules, declared days
off), the projection of each complaint (case row, clocks, append-only timeline, open tasks, outbox of
messages to the citizen, attachments) and the citizen's personal data, kept in its own table so it can be
erased on its retention timer without touching the case history. Temporal owns every case's state; these
rows are written only by idempotent projection activities and read by the fronts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


Stamp = DateTime(timezone=True)


class Center(Base):
    """A Damrongdham center: ministry, DOPA, province (incl. Bangkok) or district (amphoe)."""

    __tablename__ = "centers"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))  # ministry | dopa | province | district
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("centers.code"), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    district_code: Mapped[str | None] = mapped_column(String(4), index=True)
    search_key: Mapped[str] = mapped_column(String(400), index=True)
    # Facts for citizens (migration 0014); null where no real value is known yet: a feed fills them.
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    office_hours: Mapped[dict | None] = mapped_column(JSON)  # {"mon": {"open", "close"}, ..., "text": ...}
    line_official_account: Mapped[str | None] = mapped_column(String(100))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Provenance (db/directory_fields.py): {field: "seed"|"feed"|"admin"}, and while an administrator's
    # value holds, what the seed or feed would have set ({field: {"source", "value"}}).
    sources: Mapped[dict | None] = mapped_column(JSON)
    held: Mapped[dict | None] = mapped_column(JSON)


class Agency(Base):
    """An agency that acts on complaints: linked ones take them over an API, unlinked ones by letter."""

    __tablename__ = "agencies"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    agency_type: Mapped[str] = mapped_column(String(32), index=True)
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    linked: Mapped[bool] = mapped_column(Boolean, default=False)
    api_base_url: Mapped[str | None] = mapped_column(String(300))
    credential_ref: Mapped[str | None] = mapped_column(String(100))
    postal_address: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(200))
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    district_code: Mapped[str | None] = mapped_column(String(4), index=True)
    search_key: Mapped[str] = mapped_column(String(600), index=True)
    # Deactivated, never deleted (migration 0014): open cases keep it, routing stops choosing it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sources: Mapped[dict | None] = mapped_column(JSON)  # as Center.sources
    held: Mapped[dict | None] = mapped_column(JSON)
    # How cases reach it (migration 0016): a connector's name (connectors/registry.py: damrongdham-json,
    # open311, email) or null for "by letter"; `linked` means it has one. Its settings never hold a
    # secret: those are looked up by `credential_ref` (db/credentials.agency_secret).
    connector: Mapped[str | None] = mapped_column(String(32))
    connector_settings: Mapped[dict | None] = mapped_column(JSON)


class AgencyArea(Base):
    """An area an agency serves (migration 0015), down to the sub-district: a null district means the
    whole province, a null sub-district the whole district. Local governments (เทศบาล, อบต.) serve
    tambons; a directory feed lists them (`areas` of an agency). Routing reads it
    (`db.routing.routing_options`)."""

    __tablename__ = "agency_areas"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2))  # null: nationwide
    district_code: Mapped[str | None] = mapped_column(String(4), index=True)
    subdistrict_code: Mapped[str | None] = mapped_column(String(6), index=True)
    __table_args__ = (
        UniqueConstraint("agency_code", "province_code", "district_code", "subdistrict_code", name="uq_agency_area"),
    )


# Categories whose cases may be listed publicly over Open311 (with the filer's consent): things in the
# street. Debts, officials, families, land, drugs, gambling... never.
PUBLIC_CATEGORIES = frozenset({"infrastructure", "nuisance", "traffic", "environment", "animals", "utilities"})


def _public_by_default(context) -> bool:
    return context.get_current_parameters().get("code") in PUBLIC_CATEGORIES


class Category(Base):
    __tablename__ = "categories"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    resolution_business_days: Mapped[int] = mapped_column(Integer, default=30)
    default_agency_type: Mapped[str] = mapped_column(String(32))
    # Cases of this category may appear in the public Open311 listing (migration 0018), when their
    # filer agreed: a broken road yes, a debt or a complaint about an official never. A new category
    # starts as `PUBLIC_CATEGORIES` says, whoever inserts it; administrators change it afterwards.
    public: Mapped[bool] = mapped_column(Boolean, default=_public_by_default, server_default=false())


class RoutingRule(Base):
    """category x area -> agency (by code, or by type resolved to the nearest one in the area).

    A row with no province applies nationwide; the most specific matching row wins, then priority."""

    __tablename__ = "routing_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    category: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(4))
    agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    agency_type: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # Deactivated, never deleted (migration 0014); `source` is seed | feed | admin.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    source: Mapped[str] = mapped_column(String(8), default="seed", server_default="seed")


class DayOff(Base):
    """An extra day off that an administrator declares (on top of the public holidays)."""

    __tablename__ = "days_off"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    declared_by: Mapped[str] = mapped_column(String(100), default="admin")


class Case(Base):
    __tablename__ = "cases"
    tracking_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(64), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    category_confidence: Mapped[float | None] = mapped_column(Float)
    agency_code: Mapped[str | None] = mapped_column(String(40), index=True)
    center_code: Mapped[str | None] = mapped_column(String(16), index=True)
    filed_with: Mapped[str | None] = mapped_column(String(40))
    province_code: Mapped[str | None] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(4))
    channel: Mapped[str] = mapped_column(String(16), default="api")
    channel_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    language: Mapped[str] = mapped_column(String(2), default="th", server_default="th")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_to: Mapped[str | None] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(100))  # the officer holding the case (staff front)
    forward_failure: Mapped[str | None] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    routed_at: Mapped[datetime | None] = mapped_column(Stamp)
    updated_at: Mapped[datetime] = mapped_column(Stamp)
    closed_at: Mapped[datetime | None] = mapped_column(Stamp)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(Stamp, index=True)
    # Some clock of the case was flagged overdue at some point: the SLA compliance figures read it here.
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The filer's consent to the public Open311 listing, and a map point rounded at the door (migration 0018).
    publish: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    coarse_lat: Mapped[float | None] = mapped_column(Float)
    coarse_long: Mapped[float | None] = mapped_column(Float)
    # The tambon the citizen named, 6-digit DOPA code (migration 0015).
    subdistrict_code: Mapped[str | None] = mapped_column(String(6))
    # The leading case this one follows (similar complaints, issue 14 part 5; migration 0023).
    lead_tracking_number: Mapped[str | None] = mapped_column(String(16), index=True)


class CaseClock(Base):
    __tablename__ = "case_clocks"
    tracking_number: Mapped[str] = mapped_column(ForeignKey("cases.tracking_number"), primary_key=True)
    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(12))  # running | paused | met | stopped
    due_at: Mapped[datetime | None] = mapped_column(Stamp, index=True)
    remaining_seconds: Mapped[int | None] = mapped_column(Integer)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseEvent(Base):
    """The append-only timeline. `event_key` is unique, so a retried projection adds nothing twice."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_key: Mapped[str] = mapped_column(String(100), unique=True)
    tracking_number: Mapped[str] = mapped_column(ForeignKey("cases.tracking_number"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(Stamp)
    __table_args__ = (Index("ix_case_events_case_seq", "tracking_number", "seq"),)


class Task(Base):
    """An open (or done) piece of officer work that a workflow is waiting on."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_key: Mapped[str] = mapped_column(String(100), unique=True)
    tracking_number: Mapped[str] = mapped_column(ForeignKey("cases.tracking_number"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    center_code: Mapped[str | None] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(8), default="open")  # open | done
    reason: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(Stamp)
    closed_at: Mapped[datetime | None] = mapped_column(Stamp)
    __table_args__ = (Index("ix_tasks_center_state", "center_code", "state"),)


class OutboxMessage(Base):
    """A message to the citizen; the chat channels deliver it and stamp `delivered_at`. Rows are
    found by (channel, channel_ref): the web chat session or the LINE user that filed or asked."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_key: Mapped[str] = mapped_column(String(100), unique=True)
    # A message is about a case or about a question left for an officer.
    tracking_number: Mapped[str | None] = mapped_column(ForeignKey("cases.tracking_number"), index=True)
    question_id: Mapped[str | None] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text_th: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    channel_ref: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="th", server_default="th")
    created_at: Mapped[datetime] = mapped_column(Stamp)
    delivered_at: Mapped[datetime | None] = mapped_column(Stamp, index=True)
    __table_args__ = (Index("ix_outbox_channel_ref", "channel", "channel_ref", "id"),)


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_number: Mapped[str] = mapped_column(ForeignKey("cases.tracking_number"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(Stamp)
    __table_args__ = (UniqueConstraint("tracking_number", "sha256"),)


class PersonalData(Base):
    """The complainant's personal data (PDPA): separate so that erasure leaves the case intact."""

    __tablename__ = "personal_data"
    # No key to `cases`: the intake writes this row before the case's workflow starts (migration 0010).
    tracking_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    national_id: Mapped[str | None] = mapped_column(String(13))
    email: Mapped[str | None] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    erase_after: Mapped[datetime | None] = mapped_column(Stamp)
    erased_at: Mapped[datetime | None] = mapped_column(Stamp)
    # Where the case's messages go back to (a LINE user id, a web chat session): the workflow never holds it.
    channel_ref: Mapped[str | None] = mapped_column(String(200))


class Filing(Base):
    """A complaint accepted at the front door and not yet (or already) handed to its workflow: the
    durable queue between a burst of filings and the workflow engine, and the one table tracking
    numbers are allocated from (unique here, whatever the door). The key fingerprint is the
    idempotency key scoped to its door and caller; the body hash tells a replay from a second
    complaint under the same key. A filing the dispatcher gives up on is dead-lettered: kept, with
    its error, for an administrator, and its personal data wiped."""

    __tablename__ = "filings"
    tracking_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    # "released:<number>" once the key has expired, so the key can be used again
    key_fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict] = mapped_column(JSON)
    accepted_at: Mapped[datetime] = mapped_column(Stamp)
    started_at: Mapped[datetime | None] = mapped_column(Stamp)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    door: Mapped[str] = mapped_column(String(16), default="", server_default="")
    body_hash: Mapped[str | None] = mapped_column(String(64))
    next_attempt_at: Mapped[datetime | None] = mapped_column(Stamp)
    dead_at: Mapped[datetime | None] = mapped_column(Stamp, index=True)
    __table_args__ = (Index("ix_filings_pending", "started_at", "accepted_at"),)


class Question(Base):
    """A question a citizen left for an officer: the projection of one `QuestionWorkflow`. The inbox
    lists the open ones; the workflow owns the state and the office-hours clock."""

    __tablename__ = "questions"
    question_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # open | answered | withdrawn
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="th")
    center_code: Mapped[str | None] = mapped_column(String(16), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    assignee: Mapped[str | None] = mapped_column(String(100))
    asked_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    due_at: Mapped[datetime | None] = mapped_column(Stamp, index=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_to: Mapped[str | None] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(Stamp)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class PinAttempt(Base):
    """Wrong tracking PINs of late, counted per client ("c:<address>") and per tracking number
    ("n:<number>"): the PIN throttle's shared store, so every app process sees every guess. A count
    starts again after a quiet window, and a row that quiet is pruned."""

    __tablename__ = "pin_attempts"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(Stamp, index=True)


class Upload(Base):
    """A photo stored at a door, issued to that door and caller (`scope`, e.g. `api:<client>` or
    `chat:web:<session>`). The file is content-addressed; a file whose uploads are old and that no
    attachment names is an orphan `db.photos.prune_orphans` deletes."""

    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    scope: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    stored_at: Mapped[datetime] = mapped_column(Stamp, index=True)


class DirectoryChange(Base):
    """The directory's audit log (migration 0014): one row per changed field of a center, an agency, a
    category or a routing rule, or one row with no field for a record created; who, when, why, where
    the change came from (seed | feed | admin), before and after. Append-only."""

    __tablename__ = "directory_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(Stamp, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(8))
    record_kind: Mapped[str] = mapped_column(String(16))
    record_code: Mapped[str] = mapped_column(String(120))
    field: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[object | None] = mapped_column(JSON)
    after: Mapped[object | None] = mapped_column(JSON)
    __table_args__ = (Index("ix_directory_changes_record", "record_kind", "record_code", "id"),)


class DirectorySyncRun(Base):
    """A directory feed loaded and compared (migration 0014): by the scheduled sync, or uploaded by an
    administrator. `pending` waits for review; applying it applies the feed stored here, exactly what
    was reviewed. `failed` keeps the validation errors."""

    __tablename__ = "directory_sync_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(500))
    fetched_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending | applied | dismissed | failed | superseded
    diff: Mapped[dict | None] = mapped_column(JSON)
    feed: Mapped[dict | None] = mapped_column(JSON)
    errors: Mapped[list | None] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(Stamp)
    reason: Mapped[str | None] = mapped_column(Text)


class Open311Client(Base):
    """A partner system allowed to file through Open311 (migration 0018): its key is kept only as a
    SHA-256 hash, issued and revoked by an administrator (`python -m scripts.open311_clients`)."""

    __tablename__ = "open311_clients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(Stamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Stamp)


class AgencyTransfer(Base):
    """A case a linked agency sent us (a 1111 transfer), under the sender's own reference: one case per
    (agency, reference), whenever it is sent again (migration 0018)."""

    __tablename__ = "agency_transfers"
    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    reference: Mapped[str] = mapped_column(String(200), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(16), index=True)
    received_at: Mapped[datetime] = mapped_column(Stamp)


class CallbackNonce(Base):
    """A nonce an agency signed a request with, kept until its timestamp can no longer pass the skew
    check: a replayed request finds it here and is refused (migration 0018; swept by the housekeeping)."""

    __tablename__ = "callback_nonces"
    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(Stamp, index=True)


class FaqFeedback(Base):
    """One "did this help?" answer about one FAQ entry, keyed by the chat message that gave it, so a
    redelivered tap counts once (migration 0019). No text of the question is kept: only which entry,
    the answer and the chat's language."""

    __tablename__ = "faq_feedback"
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    lang: Mapped[str] = mapped_column(String(2))
    at: Mapped[datetime] = mapped_column(Stamp)


class FaqProposal(Base):
    """An FAQ entry an officer proposed from a question they answered (migration 0020): paraphrases of
    the question and the answer in Thai and English (paraphrases one per line). An administrator edits,
    approves or rejects it; once approved the chat answers with it. `history` is its audit: who did
    what when, with the fields as they were before an edit."""

    __tablename__ = "faq_proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[str | None] = mapped_column(String(64), index=True)
    center_code: Mapped[str | None] = mapped_column(String(32))
    questions_th: Mapped[str] = mapped_column(Text)
    questions_en: Mapped[str] = mapped_column(Text)
    answer_th: Mapped[str] = mapped_column(Text)
    answer_en: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | approved | rejected
    proposed_by: Mapped[str] = mapped_column(String(128))
    proposed_at: Mapped[datetime] = mapped_column(Stamp)
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(Stamp)
    review_note: Mapped[str | None] = mapped_column(Text)
    history: Mapped[list | None] = mapped_column(JSON)


class StaffIntake(Base):
    """A case an officer filed for a citizen (migration 0022): the channel it came by is the case's own
    `channel` (counter, 1567, letter, email); this row holds the citizen's consent to processing as
    the officer recorded it: who gave it (the citizen or a representative), how, which officer at which
    center, and when. No personal data: the contact details are in `personal_data`."""

    __tablename__ = "staff_intakes"
    tracking_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    given_by: Mapped[str] = mapped_column(String(16))  # citizen | representative
    method: Mapped[str] = mapped_column(String(16))  # spoken | signed_form | by_phone | in_writing
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_center: Mapped[str] = mapped_column(String(16), index=True)
    consented_at: Mapped[datetime] = mapped_column(Stamp)
