"""The PDPA's contracts and rules (issue 15, item 5): how long each kind of data is kept, the 30-day
answer a data subject is owed (PDPA s.30 access, s.33 erasure), and the dataclasses the retention run
and `DataRequestWorkflow` exchange with their activities and the fronts. Deterministic and standard
library only, like `workflows.contracts` (whose habits it keeps: fields only added, with defaults).
No payload here ever carries a name, phone, ID or chat address: an access answer stays in the read
model, the workflow sees only how many items it holds."""

# No `from __future__ import annotations`: the payload converter reads these type hints (see contracts).
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DATA_REQUEST_WORKFLOW_NAME = "DataRequestWorkflow"
RETENTION_WORKFLOW_NAME = "RetentionWorkflow"
RETENTION_SCHEDULE_ID = "pdpa-retention"
RETENTION_EVERY = timedelta(hours=1)

# Activity names.
RECORD_DATA_REQUEST = "record_data_request"
CARRY_OUT_DATA_REQUEST = "carry_out_data_request"
ERASE_DUE = "erase_due"
RECORD_RETENTION_RUN = "record_retention_run"

ACCESS, ERASURE = "access", "erasure"
REQUEST_KINDS = (ACCESS, ERASURE)
OPEN, FULFILLED, REFUSED = "open", "fulfilled", "refused"
ANSWER_DAYS = 30  # PDPA s.30 para. 3 and s.33: the controller answers within 30 days of the request
TASK_DATA_REQUEST_OVERDUE = "data_request_overdue"
MAX_REASON_CHARS = 2000

# Each kind of data and how many days it is kept; "after closure" counts from the day the case closed.
# Overridden per kind with RETENTION_<KIND>_DAYS (e.g. RETENTION_PHOTOS_DAYS=365) when the schedule is made.
PERSONAL_DATA = "personal_data"  # name, phone, national ID, e-mail: 5 years after closure
COMPLAINT_TEXT = "complaint_text"  # the complaint and the citizen's words on the timeline: 5 years after closure
INTERNAL_NOTES = "internal_notes"  # officers' notes: 5 years after closure
PHOTOS = "photos"  # attachment rows and files in var/uploads: 2 years after closure
CHAT_REFERENCES = "chat_references"  # LINE user id / web chat session on cases and outbox, chat sessions: 180 days
OUTBOX_MESSAGES = "outbox_messages"  # messages to citizens: 1 year after they were written
SIGN_IN_LOGS = "sign_in_logs"  # staff sign-in attempts: 90 days
REVEAL_LOGS = "reveal_logs"  # staff reveals of masked personal data: 2 years
REQUEST_ANSWERS = "request_answers"  # an access request's answer (it holds personal data): 90 days after it
DEFAULT_RETENTION_DAYS = {
    PERSONAL_DATA: 5 * 365,
    COMPLAINT_TEXT: 5 * 365,
    INTERNAL_NOTES: 5 * 365,
    PHOTOS: 2 * 365,
    CHAT_REFERENCES: 180,
    OUTBOX_MESSAGES: 365,
    SIGN_IN_LOGS: 90,
    REVEAL_LOGS: 2 * 365,
    REQUEST_ANSWERS: 90,
}
RETENTION_KINDS = tuple(DEFAULT_RETENTION_DAYS)


def retention_days(overrides: dict[str, str]) -> dict[str, int]:
    """The schedule's periods: the defaults, with `RETENTION_<KIND>_DAYS` values from `overrides` (an
    environment) where they are whole numbers of days, at least one."""
    days = dict(DEFAULT_RETENTION_DAYS)
    for kind in RETENTION_KINDS:
        raw = (overrides.get(f"RETENTION_{kind.upper()}_DAYS") or "").strip()
        if raw.isdigit() and int(raw) >= 1:
            days[kind] = int(raw)
    return days


def answer_due(filed_at: datetime) -> datetime:
    return filed_at + timedelta(days=ANSWER_DAYS)


@dataclass
class RetentionRunInput:
    days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RETENTION_DAYS))
    batch: int = 500
    max_batches: int = 200  # per kind and run: a backlog is finished by the next runs, never one huge run


@dataclass
class ErasureBatch:
    kind: str
    days: int
    now: str  # ISO instant: the run's time, so the cut-off is the workflow's, not the worker's clock
    batch: int = 500


@dataclass
class ErasureCount:
    kind: str
    count: int = 0


@dataclass
class RetentionRunRecord:
    run_id: str
    started_at: str
    finished_at: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class DataRequestInput:
    request_id: str
    kind: str  # access | erasure
    tracking_number: str
    filed_by: str  # "citizen" (number and PIN) or the officer who checked the requester's identity
    identity_note: str = ""  # how the officer checked who asked (never the ID number itself)
    answer_days: int = ANSWER_DAYS


@dataclass
class DataRequestDecision:
    officer: str
    reason: str = ""  # required to refuse: the legal ground (e.g. PDPA s.33 para. 1 (5): legal claims)


@dataclass
class DataRequestView:
    request_id: str
    kind: str
    tracking_number: str
    status: str = OPEN
    due_at: str = ""
    overdue: bool = False
    decided_by: str = ""
    reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # what the answer listed or the erasure removed
    recorded: bool = False  # the request's row is in the read model (the staff page can show it)


@dataclass
class DataRequestRecord:
    """One transition of a request, projected into `data_requests` (`event`: filed | escalated |
    fulfilled | refused)."""

    request: DataRequestInput
    workflow_id: str
    event: str
    at: str
    view: DataRequestView
    run_id: str = ""  # a request is decided on its own run: a later request on the same case reuses the ID


@dataclass
class DataRequestWork:
    request_id: str
    kind: str
    tracking_number: str
    at: str


@dataclass
class DataRequestOutcome:
    counts: dict[str, int] = field(default_factory=dict)
