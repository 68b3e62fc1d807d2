"""The citizen's answer to a result, as the chats offer it: quick replies to rate 1 to 5 or to dispute,
each an action naming the case (`rate:<number>:<score>`, `dispute:<number>`), so a tap on an older
message still says which case it is about. Pure data shared by the chat (web and JSON) and the LINE
push relay, which must offer the same buttons; the workflow decides whether the answer still counts."""

from __future__ import annotations

import re

SCORES = range(1, 6)
RATE = re.compile(r"rate:(?P<number>[0-9]{4}-?[0-9A-Z]{6}):(?P<score>[1-5])")
DISPUTE = re.compile(r"dispute:(?P<number>[0-9]{4}-?[0-9A-Z]{6})")


def result_choices(number: str, lang: str | None) -> list[tuple[str, str]]:
    """(label, action) pairs: five scores, then a dispute; labels in the chat's language (LINE's
    quick replies hold 20 characters)."""
    en = lang == "en"
    rate = [(f"{'★' * n} {n}", f"rate:{number}:{n}") for n in SCORES]
    return rate + [("Dispute result" if en else "โต้แย้งผล", f"dispute:{number}")]
