"""An administrator's edits to the directory, the service the admin pages call: `edit_record` changes
fields of a center or an agency (the administrator's value then wins over the seed and the feed),
`release_field` hands a field back (the feed's or the seed's value returns), `history` lists a record's
audit rows. Every change is checked like a feed record (the same JSON Schema and area checks) and
audited with who and why. The caller owns the transaction: nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import directory_records as records
from db.directory_feed import area_errors, schema_errors, settings_errors
from db.models import Center, DirectoryChange
from db.queries import aware


class EditInvalid(ValueError):
    """An edit that cannot be made; `errors` lists why, each starting with the field's JSON path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class RecordNotFound(LookupError):
    pass


@dataclass
class Change:
    """One audit row as the pages show it."""

    at: datetime
    actor: str
    reason: str
    origin: str
    field: str | None  # None: the record was created
    before: Any
    after: Any


def _row(s: Session, kind: str, code: str):
    if kind not in records.MODELS:
        raise EditInvalid([f"$.kind: unknown record kind '{kind}' (center or agency)"])
    row = s.get(records.MODELS[kind], code)
    if row is None:
        raise RecordNotFound(f"ไม่พบรายการ / no {kind} '{code}'")
    return row


def check_record(s: Session, kind: str, record: dict[str, Any]) -> list[str]:
    """A whole record's errors: the feed schema's, its areas', and a parent that is not a center."""
    errors = schema_errors(record, kind)
    if kind == "center":
        errors += area_errors(record.get("area"), "$.area")
        parent = record.get("parent")
        if parent is not None and (parent == record["code"] or s.get(Center, parent) is None):
            errors.append(f"$.parent: unknown parent center '{parent}'")
        elif parent is not None and record["code"] in _ancestors(s, parent):
            errors.append(f"$.parent: '{parent}' is under '{record['code']}'; a center cannot be under itself")
    else:
        for i, area in enumerate(record.get("areas") or []):
            errors += area_errors(area, f"$.areas[{i}]")
        errors += settings_errors(record.get("connector_settings"), "$.connector_settings")
    return errors


def _ancestors(s: Session, code: str) -> set[str]:
    found: set[str] = set()
    at = s.get(Center, code)
    while at is not None and at.parent_code and at.parent_code not in found:
        found.add(at.parent_code)
        at = s.get(Center, at.parent_code)
    return found


def edit_record(s: Session, kind: str, code: str, changes: dict[str, Any], actor: str, reason: str) -> list[str]:
    """Set fields of a center or an agency as an administrator; returns the fields that changed.
    Raises EditInvalid (nothing changed) for an unknown field, a value the feed format refuses, or a
    missing reason; RecordNotFound for an unknown code."""
    row = _row(s, kind, code)
    if not (reason or "").strip():
        raise EditInvalid(["$.reason: a reason is required / ต้องระบุเหตุผล"])
    unknown = [f for f in changes if f not in records.FIELDS[kind]]
    if unknown:
        raise EditInvalid([f"$.{f}: not a field of a {kind} that can be edited" for f in unknown])
    if kind == "agency" and "connector" in changes and changes["connector"] is None:
        changes = {**changes, "connector_settings": None}  # an unlinked agency keeps no connector settings
    current = records.record_of(s, kind, row)
    proposed = {**current, **changes}
    proposed.pop("linked", None)
    errors = check_record(s, kind, proposed)
    if errors:
        raise EditInvalid(errors)
    at = records.now()
    changed = []
    for field, value in changes.items():
        if records.assign(s, kind, row, field, value, origin="admin", actor=actor, reason=reason.strip(),
                          current=current[field], at=at):  # fmt: skip
            changed.append(field)
    return changed


def release_field(s: Session, kind: str, code: str, field: str, actor: str, reason: str) -> Any:
    """Hand an administrator's field back: the value the feed (or the seed) set meanwhile returns and
    they own the field again. Returns the field's value now. Releasing a field an administrator does
    not own is an EditInvalid."""
    row = _row(s, kind, code)
    if not (reason or "").strip():
        raise EditInvalid(["$.reason: a reason is required / ต้องระบุเหตุผล"])
    if records.source_of(row, field) != "admin":
        raise EditInvalid([f"$.{field}: not held by an administrator, nothing to release"])
    current = records.record_of(s, kind, row)[field]
    held = dict(row.held or {})
    underneath = held.pop(field, None)
    sources = dict(row.sources or {})
    if underneath is None:
        sources.pop(field, None)  # nothing set it before the administrator: the next seed or feed may
        value = current
    else:
        sources[field] = underneath["source"]
        value = underneath["value"]
        if value != current:
            records.set_field(s, kind, row, field, value)
    row.sources, row.held = sources, held
    records.audit(s, origin="admin", actor=actor, reason=f"released: {reason.strip()}", kind=kind, code=code,
                  field=field, before=current, after=value)  # fmt: skip
    return value


def provenance(s: Session, kind: str, code: str) -> dict[str, str]:
    """Where each field of a record came from: seed, feed or admin."""
    row = _row(s, kind, code)
    return {f: records.source_of(row, f) for f in records.FIELDS[kind]}


def history(s: Session, kind: str, code: str, limit: int = 500) -> list[Change]:
    """A record's audit rows, newest first."""
    rows = s.scalars(
        select(DirectoryChange)
        .where(DirectoryChange.record_kind == kind, DirectoryChange.record_code == code)
        .order_by(DirectoryChange.id.desc())
        .limit(limit)
    )
    return [Change(aware(r.at), r.actor, r.reason, r.origin, r.field, r.before, r.after) for r in rows]
