"""An administrator's changes to the routing rules (category x area -> agency or agency type, with a
priority): add a rule, change one, deactivate or reactivate it. Rules are never deleted. Every change
writes the directory's audit log (`directory_changes`, record kind "rule", the rule's id as its code):
one row with no field for a rule created, one row per field changed, with who, when, why, before and
after; a rule an administrator touched says so (`source = "admin"`). The caller validates the values
(codes that exist, an area that resolves) and owns the transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from db.models import DirectoryChange, RoutingRule

KIND = "rule"
FIELDS = ("category", "province_code", "district_code", "agency_code", "agency_type", "priority", "active")


@dataclass(frozen=True)
class RuleValues:
    """What a rule says. Exactly one of `agency_code` and `agency_type` is set (the caller checks)."""

    category: str
    province_code: str | None
    district_code: str | None
    agency_code: str | None
    agency_type: str | None
    priority: int = 0
    active: bool = True


def values_of(rule: RoutingRule) -> RuleValues:
    return RuleValues(**{f: getattr(rule, f) for f in FIELDS})


def _audit(s: Session, rule_id: int, field: str | None, before, after, actor: str, reason: str, at: datetime):
    s.add(
        DirectoryChange(
            at=at,
            actor=actor,
            reason=reason,
            origin="admin",
            record_kind=KIND,
            record_code=str(rule_id),
            field=field,
            before=before,
            after=after,
        )
    )


def add_rule(s: Session, values: RuleValues, actor: str, reason: str) -> RoutingRule:
    rule = RoutingRule(**asdict(values), source="admin")
    s.add(rule)
    s.flush()  # the id is the audit row's record code
    _audit(s, rule.id, None, None, asdict(values), actor, reason, datetime.now(UTC))
    return rule


def change_rule(s: Session, rule: RoutingRule, values: RuleValues, actor: str, reason: str) -> list[str]:
    """Set the rule to `values`; the names of the fields that changed (none: nothing written)."""
    now, changed = datetime.now(UTC), []
    for field, after in asdict(values).items():
        before = getattr(rule, field)
        if before == after:
            continue
        setattr(rule, field, after)
        _audit(s, rule.id, field, before, after, actor, reason, now)
        changed.append(field)
    if changed:
        rule.source = "admin"
    return changed
