"""The chain of Damrongdham centers a case escalates along: district -> province -> ministry. Pure,
from the center codes alone ("D9205" -> "P92" -> "MOI"; "DOPA" -> "MOI"), so the workflow needs no
lookup to know whom to escalate to."""

from __future__ import annotations

MINISTRY = "MOI"


def center_above(code: str | None) -> str:
    if code and code.startswith("D") and len(code) == 5 and code[1:].isdigit():
        return "P" + code[1:3]
    return MINISTRY
