"""A directory record as the administrators' form shows it and reads it back: every field of the feed
record (`db.directory_records.record_of`, the same shape the feed and the export use), its source
(seed, feed or administrator), the value the feed or seed would set while an administrator's holds,
and the input it takes: a line of text, a checkbox, or JSON for structured fields (area, office hours,
map point, connector settings). `changes_from_form` turns a posted form into the fields that really
changed, typed as the feed types them, or refuses bad JSON with a message in Thai and English."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from db.directory_records import FIELDS, record_of, source_of
from web.pages import templates
from workflows.errors import InvalidInput

BOOLEANS = frozenset({"active", "demo"})
STRUCTURED = frozenset({"area", "areas", "office_hours", "map", "connector_settings"})
LONG_TEXT = frozenset({"address", "postal_address"})
MAX_VALUE = 4000


@dataclass(frozen=True)
class FieldView:
    name: str
    value: Any
    shown: str  # the value as text (JSON for structured fields)
    widget: str  # text | textarea | json | checkbox
    source: str  # seed | feed | admin
    held: dict | None  # {"source", "value"}: what a release brings back


def as_text(value: Any) -> str:
    """A value for people: text as it is, anything else as JSON with Thai left readable."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


templates.env.filters["directory_value"] = as_text  # history's before and after on the record page


def _shown(name: str, value: Any) -> str:
    if name in STRUCTURED:
        return "" if value in (None, {}, []) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def _widget(name: str) -> str:
    if name in BOOLEANS:
        return "checkbox"
    if name in STRUCTURED:
        return "json"
    return "textarea" if name in LONG_TEXT else "text"


def field_views(s, kind: str, row) -> list[FieldView]:
    record = record_of(s, kind, row)
    held = row.held or {}
    return [
        FieldView(
            name, record.get(name), _shown(name, record.get(name)), _widget(name), source_of(row, name), held.get(name)
        )  # fmt: skip
        for name in FIELDS[kind]
    ]


def _parse(name: str, raw: str, lang: str) -> Any:
    if name in BOOLEANS:
        return raw == "on"
    text = raw.strip()
    if len(text) > MAX_VALUE:
        raise InvalidInput(f"ข้อความยาวเกินไป / too long: {name}")
    if name in STRUCTURED:
        if not text:
            return [] if name == "areas" else None
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidInput(f"JSON ไม่ถูกต้อง / invalid JSON in {name}: {err.msg} ({err.lineno}:{err.colno})") from err
    return text or None


def changes_from_form(s, kind: str, row, form, lang: str) -> dict[str, Any]:
    """{field: new value} for the fields the form changed (a field the form lacks is left alone, but a
    checkbox the form shows and leaves unticked is False: the form marks its checkboxes in `fields`)."""
    record = record_of(s, kind, row)
    shown = set(form.getlist("fields"))
    changes: dict[str, Any] = {}
    for name in FIELDS[kind]:
        if name in BOOLEANS:
            if name not in shown:
                continue
            value = _parse(name, str(form.get(name, "")), lang)
        elif name in form:
            value = _parse(name, str(form.get(name)), lang)
        else:
            continue
        if value != record.get(name) and not (value is None and record.get(name) in ("", None, {}, [])):
            changes[name] = value
    return changes
