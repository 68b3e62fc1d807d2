"""The contracts between the fronts, the workflows and the activities: one dataclass for every workflow
input, signal, update, query and activity, plus the names everything is called by. Read this file first.
Fields are only ever added, with defaults; none is renamed or retyped, because running workflows and
recorded histories carry these shapes. Durations are int seconds, instants ISO-8601 strings in UTC."""

# No `from __future__ import annotations` here: the payload converter reads these dataclasses' type
# hints for every payload, and string annotations made it compile them again each time (1.9 ms of
# CPU to decode one projection record, 0.8 ms with real annotations).
from dataclasses import dataclass, field

from workflows.domain.routing import AgencyOption, RuleOption

TASK_QUEUE = "complaints"
WORKFLOW_NAME = "ComplaintWorkflow"
QUESTION_WORKFLOW_NAME = "QuestionWorkflow"
AGENCY_POLL_WORKFLOW_NAME = "AgencyPollWorkflow"

# Activity names: workflows call activities by these constants, never by importing them.
RECORD_INTAKE = "record_intake"
CLASSIFY_COMPLAINT = "classify_complaint"
LOAD_ROUTING_OPTIONS = "load_routing_options"
LOAD_DAYS_OFF = "load_days_off"
SEND_TO_AGENCY = "send_to_agency"
POLL_AGENCIES = "poll_agencies"  # agencies whose connector polls (Open311): their open cases' statuses
PROJECT_CASE_EVENT = "project_case_event"
PROJECT_QUESTION_EVENT = "project_question_event"

# Statuses (DESIGN §5). Overdue is a flag on a clock, never a status.
RECEIVED = "RECEIVED"
TRIAGE = "TRIAGE"
FORWARDED = "FORWARDED"
IN_PROGRESS = "IN_PROGRESS"
NEEDS_INFO = "NEEDS_INFO"
RESOLVED = "RESOLVED"
CLOSED = "CLOSED"
WITHDRAWN = "WITHDRAWN"
REJECTED = "REJECTED"
RETURNED = "RETURNED"
TERMINAL_STATUSES = frozenset({CLOSED, WITHDRAWN, REJECTED})

# Clock names.
SCREENING = "screening"
STATUTORY = "statutory"
RESOLUTION = "resolution"
PROGRESS = "progress"
RATING = "rating"

# Task kinds an officer acts on.
TASK_TRIAGE = "triage"
TASK_FORWARD_LETTER = "forward_letter"
TASK_FORWARD_MANUAL = "forward_manual"
TASK_FOLLOW_UP = "follow_up"
TASK_REVIEW_DISPUTE = "review_dispute"
# A step the system itself could not finish (the read model, the calendar): the reason names the error.
# A parked projection's task closes by itself once the writes go through; a calendar's stays open (the
# case's clocks count weekends only) until the case ends.
TASK_SYSTEM_FAULT = "system_fault"

# Error types carried in ApplicationError.type from workflows to the gateway.
ERR_INVALID_TRANSITION = "InvalidTransition"
ERR_INVALID_INPUT = "InvalidInput"


@dataclass
class ClockPolicy:
    """Clock lengths; configurable per category and deployment (DESIGN §5 defaults)."""

    screening_business_days: int = 1
    statutory_days: int = 15
    resolution_business_days: int = 30
    stale_reminder_days: int = 15
    stale_escalation_days: int = 30
    rating_window_days: int = 7
    agency_send_budget_seconds: int = 3600
    days_off_years_ahead: int = 2


@dataclass
class Contact:
    name: str = ""
    phone: str = ""
    national_id: str = ""
    email: str = ""


@dataclass
class IntakeConsent:
    """The citizen's consent to processing, as the officer who filed for them recorded it."""

    given_by: str  # citizen | representative
    method: str  # spoken | signed_form | by_phone | in_writing
    recorded_by: str  # the officer's username
    recorded_center: str  # the officer's center
    at: str = ""  # ISO time; the intake sets it to the filing's time


@dataclass
class AttachmentRef:
    """A stored file, content-addressed so that a retried upload is the same attachment."""

    sha256: str
    filename: str
    content_type: str
    size: int


@dataclass
class ClockState:
    name: str
    state: str = "running"  # running | paused | met | stopped
    due_at: str | None = None
    remaining_seconds: int | None = None  # while paused; office seconds when `business`
    business: bool = False
    overdue: bool = False
    stage: int = 0  # how many of the clock's escalation steps have fired


@dataclass
class TaskState:
    key: str
    kind: str
    center_code: str | None
    reason: str = ""
    opened_at: str = ""


@dataclass
class CaseState:
    """Everything the workflow knows about its case; carried across continue-as-new."""

    status: str = RECEIVED
    category: str | None = None
    category_confidence: float | None = None
    agency_code: str | None = None
    agency_linked: bool = False
    center_code: str | None = None
    clocks: list[ClockState] = field(default_factory=list)
    tasks: list[TaskState] = field(default_factory=list)
    seq: int = 0
    status_before_info: str | None = None
    routed_at: str | None = None
    resolved_at: str | None = None
    last_progress_at: str | None = None
    escalated_to: str | None = None
    forward_failure: str | None = None
    route_pending: bool = False
    days_off: list[str] = field(default_factory=list)
    seen_event_ids: list[str] = field(default_factory=list)
    disputes: int = 0
    assignee: str | None = None  # the officer holding the case (update `assign`)
    told_status: str | None = None  # the status the citizen last heard of (None: before intake)
    faults: dict[str, str] = field(default_factory=dict)  # what keeps failing (projection, calendar): why
    lead: str | None = None  # the leading case this one is linked to (similar complaints, issue 14 part 5)
    followers: list[str] = field(default_factory=list)  # the cases linked to this one as their lead
    covered_tasks: list[str] = field(default_factory=list)  # task kinds the lead took over while linked


@dataclass
class ComplaintInput:
    tracking_number: str
    pin_hash: str
    text: str
    filed_at: str
    channel: str = "api"
    channel_ref: str = ""
    province_code: str | None = None
    district_code: str | None = None
    category: str | None = None
    center_code: str | None = None
    agency_code: str | None = None
    contact: Contact | None = None
    anonymous: bool = False
    attachments: list[AttachmentRef] = field(default_factory=list)
    policy: ClockPolicy = field(default_factory=ClockPolicy)
    carried: CaseState | None = None
    language: str = "th"  # the citizen's language (th | en): which text of each message a channel sends
    # The read model's personal_data row (its tracking number) holding the contact and chat address:
    # set by the intake, which then leaves `contact` and `channel_ref` empty (DESIGN §4.9). Inputs
    # recorded before it carry them themselves.
    personal_data_ref: str = ""
    # The sub-district (tambon, 6-digit DOPA code) when the citizen named it: routing prefers the local
    # government serving it. Inputs recorded before it have none and route as they did.
    subdistrict_code: str | None = None
    # The citizen agreed, when filing, that the responsible agency may have their contact details; the
    # details themselves stay in personal_data and the connector reads them at send time.
    share_contact_with_agency: bool = False
    # The citizen agreed, when filing, that the case may appear in the public Open311 listing (only if
    # its category is public, and then with names and numbers stripped and the place coarsened). Where
    # a door had a map point, it keeps only this rounded one (0.01 degree, about 1 km): never the spot.
    publish: bool = False
    coarse_lat: float | None = None
    coarse_long: float | None = None
    # An officer filed it for a citizen at the counter, on the 1567 line, from a letter or an e-mail, and
    # recorded the citizen's consent to processing (who gave it, how, which officer, when). No personal
    # data in it; inputs recorded before it, and chat or API filings, have none.
    consent: IntakeConsent | None = None


@dataclass
class CaseOutcome:
    tracking_number: str
    status: str


# --- citizen and agency events (signals) -------------------------------------------------------


@dataclass
class CitizenInfo:
    text: str
    attachments: list[AttachmentRef] = field(default_factory=list)


@dataclass
class Withdrawal:
    reason: str = ""


@dataclass
class Rating:
    score: int
    comment: str = ""


@dataclass
class Dispute:
    reason: str


@dataclass
class AgencyEvent:
    """An event a linked agency reports through its callback; `event_id` makes redelivery harmless."""

    event_id: str
    kind: str  # acknowledged | progress | resolved | returned
    note: str = ""
    reference: str = ""
    agency_code: str = ""
    # Files the agency sent with the event (a status link's result photo), stored before the signal.
    attachments: list[AttachmentRef] = field(default_factory=list)


AGENCY_EVENT_KINDS = frozenset({"acknowledged", "progress", "resolved", "returned"})


# --- officer actions (updates) ---------------------------------------------------------------


@dataclass
class TriageDecision:
    officer: str
    category: str
    agency_code: str | None = None
    center_code: str | None = None
    note: str = ""


@dataclass
class ForwardRecord:
    officer: str
    reference: str
    sent_on: str  # ISO date of the letter or e-mail
    method: str = "letter"  # letter | email
    note: str = ""


@dataclass
class ProgressRecord:
    officer: str
    note: str


@dataclass
class InfoRequest:
    officer: str
    question: str


@dataclass
class ClockChange:
    officer: str
    clock: str
    action: str  # extend | pause | resume
    reason: str
    seconds: int = 0
    business_days: int = 0


@dataclass
class Transfer:
    officer: str
    center_code: str
    reason: str


@dataclass
class ResolutionRecord:
    officer: str
    result: str


@dataclass
class Rejection:
    officer: str
    reason: str


@dataclass
class CitizenReply:
    officer: str
    text: str
    # Photos the officer sends with the reply (stored by the case page before the update; since 2026-12-05).
    attachments: list[AttachmentRef] = field(default_factory=list)


@dataclass
class Assignment:
    """Who holds the case from now on (`assign`): claiming is assigning to oneself; an empty
    assignee releases the case."""

    officer: str
    assignee: str
    note: str = ""


@dataclass
class InternalNote:
    """A note for colleagues (`note`); it never reaches the citizen."""

    officer: str
    text: str


@dataclass
class Escalation:
    """An officer or supervisor sends the case up to the center above (`escalate`)."""

    officer: str
    reason: str


@dataclass
class LeadLink:
    """An officer links this case to a leading case about the same problem (`link_lead`): the lead's
    progress and result reach this case's citizen, under this case's own tracking number."""

    officer: str
    lead: str
    note: str = ""


@dataclass
class LeadUnlink:
    """An officer unlinks this case from its lead (`unlink_lead`); it goes on by itself."""

    officer: str
    reason: str


@dataclass
class FollowerLink:
    """Between workflows: a case tells its lead that it follows it, or no longer does."""

    follower: str
    officer: str = ""


@dataclass
class LeadUpdate:
    """Between workflows: what happened on the lead that its followers share (`kind`: progress,
    resolved, or ended when the lead closed without a result)."""

    lead: str
    kind: str
    note: str = ""
    attachments: list[AttachmentRef] = field(default_factory=list)


@dataclass
class ActionResult:
    status: str
    seq: int


@dataclass
class QuestionInput:
    """A question a citizen leaves for an officer. `question_id` comes from the channel's event id,
    so a redelivered event starts nothing twice."""

    question_id: str
    text: str
    asked_at: str
    language: str = "th"
    channel: str = "web"  # web | line | api
    channel_ref: str = ""  # web chat session id or LINE user id
    center_code: str | None = None  # the center asked; none = the ministry's center
    answer_business_days: int = 1
    # The asked center's week from its directory record: seven "HH:MM-HH:MM" (Monday first, "" closed);
    # empty = the government week. The answer clock counts that center's office time.
    opening_hours: list[str] = field(default_factory=list)


@dataclass
class QuestionView:
    question_id: str
    status: str  # open | answered | withdrawn
    due_at: str | None = None
    overdue: bool = False
    answer: str | None = None
    answered_by: str | None = None
    answered_at: str | None = None
    escalated_to: str | None = None


@dataclass
class QuestionAnswer:
    """An officer's answer to a question a citizen left (update `answer` on QuestionWorkflow)."""

    officer: str
    text: str


# --- the live view (query) -------------------------------------------------------------------


@dataclass
class CaseView:
    tracking_number: str
    status: str
    category: str | None
    agency_code: str | None
    center_code: str | None
    clocks: list[ClockState]
    tasks: list[TaskState]
    escalated_to: str | None
    forward_failure: str | None
    seq: int
    unprojected: int = 0  # transitions the read model has not taken yet (parked after failing)
    lead: str | None = None
    followers: list[str] = field(default_factory=list)


# --- activities ------------------------------------------------------------------------------


@dataclass
class ClassifyRequest:
    text: str
    category_hint: str | None = None
    channel: str = ""  # the intake's channel: a model trained with channels weighs words per channel


@dataclass
class ClassifyResult:
    category: str
    confidence: float
    unsure: bool
    top: list[list] = field(default_factory=list)  # [[category, probability], ...]
    agency_type: str | None = None


@dataclass
class RoutingRequest:
    category: str
    province_code: str | None
    district_code: str | None
    agency_code: str | None = None
    subdistrict_code: str | None = None


@dataclass
class RoutingOptions:
    rules: list[RuleOption]
    agencies: list[AgencyOption]
    resolution_business_days: int | None = None


@dataclass
class DaysOffRequest:
    from_year: int
    to_year: int


@dataclass
class DaysOff:
    days: list[str]  # ISO dates


@dataclass
class AgencySend:
    tracking_number: str
    agency_code: str
    idempotency_key: str
    text: str
    category: str | None
    province_code: str | None
    district_code: str | None
    anonymous: bool
    attachments: list[AttachmentRef] = field(default_factory=list)
    subdistrict_code: str | None = None  # the tambon, for an agency that files by it
    # Contact details go to the agency only with the citizen's consent; the connector reads them from
    # personal_data by this key at send time, so they never enter the workflow's history.
    share_contact: bool = False
    personal_data_ref: str = ""
    language: str = "th"


@dataclass
class AgencyReceipt:
    agency_code: str
    reference: str
    connector: str = ""  # which connector took the case: damrongdham-json | open311 | email


@dataclass
class AgencyPollRequest:
    """One round of polling the agencies whose connector polls (Open311) for their open cases."""

    batch: int = 200  # cases per activity (one page); a round pages through all of them
    after: str = ""  # the page starts after this tracking number
    max_pages: int = 100


@dataclass
class PolledEvent:
    """An agency event found by polling, for the case's workflow (signalled as `agency_event`)."""

    workflow_id: str
    event: AgencyEvent


@dataclass
class AgencyPollResult:
    events: list[PolledEvent] = field(default_factory=list)
    polled: int = 0
    failed: int = 0  # cases whose agency could not be asked this round (the next round asks again)
    next_after: str = ""  # the next page starts after this tracking number; "" when this was the last
    delivered: int = 0  # a round's total of events signalled to their cases (its events stay empty)


@dataclass
class CitizenMessage:
    """What to tell the citizen; the projection renders it in Thai and English into the outbox."""

    kind: str  # acknowledgement | progress_notice | info_request | result | reply | status
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class CaseEventRecord:
    """One transition, projected into the read model. `seq` makes the projection idempotent."""

    tracking_number: str
    workflow_id: str
    seq: int
    kind: str
    at: str
    actor: str
    state: CaseState
    note: str = ""
    public: bool = True
    data: dict[str, str] = field(default_factory=dict)
    message: CitizenMessage | None = None
    intake: ComplaintInput | None = None
    attachments: list[AttachmentRef] = field(default_factory=list)


@dataclass
class QuestionEventRecord:
    """One transition of a question left for an officer, projected into `questions` (and, for an
    answer, into the outbox towards the citizen's chat)."""

    question: QuestionInput
    workflow_id: str
    seq: int
    kind: str  # asked | escalated | answered | withdrawn
    at: str
    view: QuestionView
