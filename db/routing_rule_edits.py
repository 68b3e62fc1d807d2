"""An administrator's changes to the routing rules (category x area -> agency or agency type, with a
priority): add a rule, change one, deactivate or reactivate it. Rules are never deleted. Every change
writes the directory's audit log (`directory_changes`, record kind "rule", named as the feed sync
names rules, `db.directory_sync.rule_code`, e.g. "land@92/9205->PH-92", as the rule stands after the
change, so the rules page finds a rule's latest changes under its present name): one row with no
field for a rule created, one row per field changed, with who, when, why, before and after; a rule an
administrator touched says so (`source = "admin"`), so a feed does not undo it. The caller validates
the values (codes that exist, an area that resolves) and owns the transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.directory_sync import rule_code
from db.models import DirectoryChange, RoutingRule

KIND = "rule"
FIELDS = ("category", "province_code", "district_code", "agency_code", "agency_type", "priority", "active")


class DuplicateRule(Exception):
    """Another rule already says this; the feed sync would take the two for one rule."""

    def __init__(self, rule_id: int) -> None:
        super().__init__(f"rule #{rule_id} says this already")
        self.rule_id = rule_id


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


def code_of(rule: RoutingRule) -> str:
    """The rule's name in the audit log (its key as the feed sync builds it)."""
    return rule_code(
        (rule.category, rule.province_code, rule.district_code, getattr(rule, "subdistrict_code", None),
         rule.agency_code, rule.agency_type)
    )  # fmt: skip


def _audit(s: Session, code: str, field: str | None, before, after, actor: str, reason: str, at: datetime):
    s.add(
        DirectoryChange(
            at=at,
            actor=actor,
            reason=reason,
            origin="admin",
            record_kind=KIND,
            record_code=code,
            field=field,
            before=before,
            after=after,
        )
    )


def same_rule(s: Session, values: RuleValues, other_than: int | None = None) -> RoutingRule | None:
    """A rule that already says this (category, area, agency or type), active or not: the feed sync
    knows a rule by exactly that, so two of them would be one rule to it."""
    stmt = select(RoutingRule).where(RoutingRule.category == values.category)
    for column, value in (
        (RoutingRule.province_code, values.province_code),
        (RoutingRule.district_code, values.district_code),
        (RoutingRule.agency_code, values.agency_code),
        (RoutingRule.agency_type, values.agency_type),
    ):
        stmt = stmt.where(column.is_(None) if value is None else column == value)
    if other_than is not None:
        stmt = stmt.where(RoutingRule.id != other_than)
    return s.scalars(stmt.limit(1)).first()


def _refuse_twin(s: Session, values: RuleValues, other_than: int | None = None) -> None:
    if (twin := same_rule(s, values, other_than)) is not None:
        raise DuplicateRule(twin.id)


def add_rule(s: Session, values: RuleValues, actor: str, reason: str) -> RoutingRule:
    """A new rule, unless one says this already (DuplicateRule)."""
    _refuse_twin(s, values)
    rule = RoutingRule(**asdict(values), source="admin")
    s.add(rule)
    s.flush()
    _audit(s, code_of(rule), None, None, asdict(values), actor, reason, datetime.now(UTC))
    return rule


def change_rule(s: Session, rule: RoutingRule, values: RuleValues, actor: str, reason: str) -> list[str]:
    """Set the rule to `values`; the names of the fields that changed (none: nothing written). Refused
    (DuplicateRule) when another rule says what this one would."""
    _refuse_twin(s, values, other_than=rule.id)
    now, changed = datetime.now(UTC), []
    for field, after in asdict(values).items():
        before = getattr(rule, field)
        if before != after:
            setattr(rule, field, after)
            changed.append((field, before, after))
    code = code_of(rule)
    for field, before, after in changed:
        _audit(s, code, field, before, after, actor, reason, now)
    if changed:
        rule.source = "admin"
    return [field for field, _, _ in changed]
