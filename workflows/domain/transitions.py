"""Which action is allowed in which status: the case's state machine as data. The workflow's update
validators and signal handlers ask `refusal` before touching anything, so an invalid action is refused
with a reason (in Thai and English) before it reaches the case's history."""

from __future__ import annotations

from workflows.contracts import (
    CLOSED,
    FORWARDED,
    IN_PROGRESS,
    NEEDS_INFO,
    RECEIVED,
    REJECTED,
    RESOLVED,
    RETURNED,
    TRIAGE,
    WITHDRAWN,
)

OPEN = frozenset({RECEIVED, TRIAGE, FORWARDED, IN_PROGRESS, NEEDS_INFO, RETURNED})
ACTIVE = OPEN | {RESOLVED}

ALLOWED: dict[str, frozenset[str]] = {
    # officers
    "triage": frozenset({TRIAGE, RETURNED}),
    "forward": frozenset({RECEIVED, TRIAGE, RETURNED}),
    "progress": frozenset({FORWARDED, IN_PROGRESS}),
    "request_info": frozenset({RECEIVED, TRIAGE, FORWARDED, IN_PROGRESS, RETURNED}),
    "clock": OPEN,
    "transfer": OPEN,
    "resolve": frozenset({FORWARDED, IN_PROGRESS}),
    "reject": OPEN,
    "reply": ACTIVE,
    "assign": ACTIVE,
    "note": ACTIVE,
    "escalate": OPEN,
    "link": OPEN,
    "unlink": ACTIVE,
    # citizens
    "add_info": OPEN,
    "withdraw": OPEN,
    "rate": frozenset({RESOLVED}),
    "dispute": frozenset({RESOLVED}),
    # agencies
    "acknowledged": frozenset({FORWARDED}),
    "agency_progress": frozenset({FORWARDED, IN_PROGRESS}),
    "agency_resolved": frozenset({FORWARDED, IN_PROGRESS}),
    "returned": frozenset({FORWARDED, IN_PROGRESS}),
    # the leading case, for the cases linked to it: its progress reaches a case the agency has not
    # acknowledged separately, and its result resolves any open follower (one problem, one fix)
    "lead_progress": frozenset({RECEIVED, TRIAGE, FORWARDED, IN_PROGRESS, RETURNED}),
    "lead_resolved": OPEN,
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    RECEIVED: ("รับเรื่องแล้ว", "Received"),
    TRIAGE: ("รอคัดกรอง", "Awaiting screening"),
    FORWARDED: ("ส่งต่อหน่วยงานแล้ว", "Forwarded to the agency"),
    IN_PROGRESS: ("กำลังดำเนินการ", "In progress"),
    NEEDS_INFO: ("รอข้อมูลเพิ่มเติม", "Waiting for more information"),
    RESOLVED: ("ดำเนินการแล้ว", "Resolved"),
    CLOSED: ("ปิดเรื่อง", "Closed"),
    WITHDRAWN: ("ถอนเรื่องแล้ว", "Withdrawn"),
    REJECTED: ("ไม่รับเรื่อง", "Rejected"),
    RETURNED: ("หน่วยงานส่งเรื่องคืน", "Returned by the agency"),
}


def refusal(action: str, status: str) -> str | None:
    """Why `action` cannot be taken in `status` (Thai / English), or None when it can."""
    allowed = ALLOWED[action]
    if status in allowed:
        return None
    th, en = STATUS_LABELS[status]
    return f"ทำรายการ '{action}' ไม่ได้เมื่อเรื่องอยู่ในสถานะ {th} / '{action}' is not allowed while the case is {en}"
