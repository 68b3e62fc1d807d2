"""Text at the door: the one cleaner every door runs a citizen's or an officer's words through before
anything is stored or signalled. It refuses NUL and the other C0/C1 control characters (tab, newline
and carriage return are words' business) and lone surrogates (PostgreSQL cannot store either: they
used to break the write with a 500), normalises Unicode to NFC (so the same Thai word typed on two
keyboards is one string), and enforces each field's length. A refusal is an `InvalidInput` naming the
field in Thai and English; it is also a `ValueError`, so a pydantic validator can raise it as is. The
JSON reader here refuses nesting deeper than `MAX_DEPTH` before the parser can recurse into a 500."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from workflows.errors import InvalidInput

# Per field, in characters (after NFC). Complaint text, names, notes and the citizen's add-info.
LIMITS = {
    "text": 10_000,
    "name": 200,
    "note": 5_000,
    "add_info": 5_000,
    "reply": 5_000,
    "reason": 5_000,
    "short": 200,
}
LABELS = {
    "text": "รายละเอียดเรื่อง",
    "name": "ชื่อ",
    "note": "บันทึก",
    "add_info": "ข้อมูลเพิ่มเติม",
    "reply": "ข้อความตอบ",
    "reason": "เหตุผล",
}
MAX_DEPTH = 32
# C0 but tab, LF and CR; DEL and C1; UTF-16 surrogates (only reachable through JSON's \ud800 escapes).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class Refused(InvalidInput, ValueError):
    """A field the door will not take; a `ValueError` too, for pydantic validators."""


def clean(value: str, field: str, limit: int | None = None) -> str:
    """`value` in NFC, or `Refused` naming `field` when it holds a control character or is too long.
    `limit` defaults to the field's own in `LIMITS` (the short-field limit for unnamed fields)."""
    label = LABELS.get(field, field)
    if FORBIDDEN.search(value):
        raise Refused(f"{label} มีอักขระควบคุมที่ไม่อนุญาต / {field} contains a control character that is not allowed")
    value = unicodedata.normalize("NFC", value)
    limit = limit or LIMITS.get(field, LIMITS["short"])
    if len(value) > limit:
        raise Refused(f"{label} ยาวเกิน {limit:,} ตัวอักษร / {field} is longer than {limit:,} characters")
    return value


def clean_all(values: dict[str, Any], limits: dict[str, int] | None = None) -> dict[str, Any]:
    """Every string in a flat body (an officer's action, a citizen's event) cleaned under its own key:
    the field's limit from `limits`, else from `LIMITS`, else the note limit (free text by default)."""
    limits = limits or {}
    out = {}
    for key, value in values.items():
        if isinstance(value, str):
            value = clean(value, key, limits.get(key) or LIMITS.get(key) or LIMITS["note"])
        elif isinstance(value, list):
            value = [clean(v, key, limits.get(key) or LIMITS["short"]) if isinstance(v, str) else v for v in value]
        out[key] = value
    return out


def Clean(field: str, limit: int | None = None):  # noqa: N802 (reads as a type in a model)
    """A pydantic string type cleaned at the door: `name: Clean("name")`; the limit shows in the schema."""
    limit = limit or LIMITS.get(field, LIMITS["short"])
    return Annotated[str, AfterValidator(partial(clean, field=field, limit=limit)), Field(max_length=limit)]


def depth(raw: str) -> int:
    """How deeply a JSON text nests, with strings left out; counting stops past `MAX_DEPTH`."""
    brackets = _BRACKETS.findall(_STRINGS.sub("", raw))
    level = deepest = 0
    for ch in brackets:
        if ch in "[{":
            level += 1
            if level > deepest:
                deepest = level
                if deepest > MAX_DEPTH:
                    break
        elif ch in "]}":
            level -= 1
    return deepest


def load_json(raw: bytes) -> Any:
    """A body parsed as JSON, or `InvalidInput` in Thai and English: not UTF-8, not JSON, too deep."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidInput("ข้อมูลไม่ใช่ UTF-8 / the body is not valid UTF-8") from err
    if depth(text) > MAX_DEPTH:
        raise InvalidInput(f"ข้อมูล JSON ซ้อนกันลึกเกิน {MAX_DEPTH} ชั้น / the JSON body nests deeper than {MAX_DEPTH} levels")
    try:
        parsed = json.loads(text or "null")
    except (ValueError, RecursionError) as err:
        raise InvalidInput("ข้อมูลไม่ใช่ JSON ที่ถูกต้อง / the body is not valid JSON") from err
    if "\\u" in text:
        _no_lone_surrogates(parsed, "body")
    return parsed


def _no_lone_surrogates(value: Any, field: str) -> None:
    """JSON's `\\ud800` escapes decode to halves of a UTF-16 pair no database can store; named here,
    where the field is still known (pydantic would only say "invalid string")."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            clean(value, field)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_lone_surrogates(key, field)
            _no_lone_surrogates(item, str(key))
    elif isinstance(value, list):
        for item in value:
            _no_lone_surrogates(item, field)
