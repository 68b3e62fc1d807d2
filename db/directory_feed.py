"""The directory feed (docs/directory-feed.md, docs/directory-feed.schema.json): reading one from a URL
or a file, and checking it, first against the JSON Schema and then for what a schema cannot say
(a duplicate code, a parent or an agency or a category that is not there, an area code that does not
exist, a secret in connector settings). Every error names its JSON path; a feed with any error is
refused whole (`FeedInvalid`), so nothing of it is applied."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import geothai
import httpx
import jsonschema_rs

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "directory-feed.schema.json"
FORMAT, VERSION = "damrongdham-directory", 1
SECTIONS = ("centers", "agencies", "categories", "routing_rules")
MAX_FEED_BYTES = 64 * 1024 * 1024
# Names a connector setting must not have: secrets are referenced by `credential_ref`, never carried.
SECRET_WORDS = ("secret", "password", "passwd", "token", "api_key", "apikey", "private_key", "client_key")


class FeedInvalid(ValueError):
    """A feed that cannot be applied; `errors` says what is wrong, each line starting with a JSON path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s) in the directory feed: " + "; ".join(errors[:5]))
        self.errors = errors


@dataclass
class Feed:
    """A checked feed. A section that is None was not in the feed and is left as it is; a section that
    is there is the whole list of its kind (a record missing from it is deactivated)."""

    source: str
    document: dict[str, Any]
    centers: list[dict] | None = None
    agencies: list[dict] | None = None
    categories: list[dict] | None = None
    routing_rules: list[dict] | None = None
    errors: list[str] = field(default_factory=list)


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator(definition: str | None = None):
    root = schema()
    if definition is None:
        return jsonschema_rs.validator_for(root)
    return jsonschema_rs.validator_for(
        {"$schema": root["$schema"], "$defs": root["$defs"], "$ref": f"#/$defs/{definition}"}
    )


def json_path(parts) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def schema_errors(document: Any, definition: str | None = None, prefix: str = "$") -> list[str]:
    """The JSON Schema's complaints about a whole feed, or about one record (`definition`: center,
    agency, category, routing_rule), each as "<path>: <message>"."""
    errors = []
    for e in _validator(definition).iter_errors(document):
        path = json_path(list(e.instance_path))
        errors.append(f"{prefix}{path[1:]}: {e.message[:300]}")
    return sorted(set(errors))


def area_errors(area: dict | None, path: str) -> list[str]:
    """A province, district or sub-district code that geothai does not know, or that is not inside
    the larger area named with it."""
    if not area:
        return []
    p, d, t = area.get("province"), area.get("district"), area.get("subdistrict")
    errors = []
    if p and geothai.province(p) is None:
        errors.append(f"{path}.province: unknown province code '{p}'")
    if d:
        found = geothai.district(d)
        if found is None:
            errors.append(f"{path}.district: unknown district code '{d}'")
        elif p and found.province_code != p:
            errors.append(f"{path}.district: district '{d}' is not in province '{p}'")
    if t:
        found = geothai.subdistrict(t)
        if found is None:
            errors.append(f"{path}.subdistrict: unknown sub-district code '{t}'")
        elif (d and not t.startswith(d)) or (p and not t.startswith(p)):
            errors.append(f"{path}.subdistrict: sub-district '{t}' is not in the area named with it")
    return errors


def settings_errors(settings: dict | None, path: str) -> list[str]:
    errors = []
    for key in settings or {}:
        if key.lower().replace("-", "_").endswith(SECRET_WORDS):
            errors.append(f"{path}.{key}: connector settings must not hold secrets; name one by credential_ref")
    return errors


def _duplicates(records: list[dict], section: str, key) -> list[str]:
    seen: dict[Any, int] = {}
    errors = []
    for i, r in enumerate(records):
        k = key(r)
        if k in seen:
            errors.append(f"$.{section}[{i}]: duplicate {k!r} (also at $.{section}[{seen[k]}])")
        else:
            seen[k] = i
    return errors


def _cycles(centers: list[dict]) -> list[str]:
    """Centers whose chain of parents comes back to them (every chain must end at the ministry)."""
    parent = {c["code"]: c.get("parent") for c in centers}
    errors = []
    for i, c in enumerate(centers):
        seen, at = {c["code"]}, parent.get(c["code"])
        while at is not None and at in parent:
            if at in seen:
                if at == c["code"] and at != parent[at]:
                    errors.append(f"$.centers[{i}].parent: the chain of parents of '{at}' comes back to it")
                break
            seen.add(at)
            at = parent[at]
    return errors


def rule_key(r: dict) -> tuple:
    area = r.get("area") or {}
    return (
        r["category"], area.get("province"), area.get("district"), area.get("subdistrict"),
        r.get("agency"), r.get("agency_kind"),
    )  # fmt: skip


def semantic_errors(doc: dict) -> list[str]:
    """What the schema cannot check, within the feed itself (`diff` checks the rest against the
    database when a section the feed refers to is not in it)."""
    errors: list[str] = []
    centers, agencies = doc.get("centers"), doc.get("agencies")
    categories, rules = doc.get("categories"), doc.get("routing_rules")
    if centers is not None:
        errors += _duplicates(centers, "centers", lambda r: r["code"])
        codes = {c["code"] for c in centers}
        for i, c in enumerate(centers):
            parent = c.get("parent")
            if parent is not None and parent not in codes:
                errors.append(f"$.centers[{i}].parent: unknown parent center '{parent}'")
            if parent == c["code"]:
                errors.append(f"$.centers[{i}].parent: a center cannot be its own parent")
            errors += area_errors(c.get("area"), f"$.centers[{i}].area")
        errors += _cycles(centers)
    if agencies is not None:
        errors += _duplicates(agencies, "agencies", lambda r: r["code"])
        for i, a in enumerate(agencies):
            for j, area in enumerate(a.get("areas") or []):
                errors += area_errors(area, f"$.agencies[{i}].areas[{j}]")
            errors += settings_errors(a.get("connector_settings"), f"$.agencies[{i}].connector_settings")
            if "linked" in a and "connector" in a and a["linked"] != (a["connector"] is not None):
                errors.append(f"$.agencies[{i}].linked: linked must be true exactly when a connector is named")
    if categories is not None:
        errors += _duplicates(categories, "categories", lambda r: r["code"])
    if rules is not None:
        errors += _duplicates(rules, "routing_rules", rule_key)
        agency_codes = {a["code"] for a in agencies} if agencies is not None else None
        category_codes = {c["code"] for c in categories} if categories is not None else None
        for i, r in enumerate(rules):
            if agency_codes is not None and r.get("agency") and r["agency"] not in agency_codes:
                errors.append(f"$.routing_rules[{i}].agency: unknown agency '{r['agency']}'")
            if category_codes is not None and r["category"] not in category_codes:
                errors.append(f"$.routing_rules[{i}].category: unknown category '{r['category']}'")
            errors += area_errors(r.get("area"), f"$.routing_rules[{i}].area")
    return errors


def parse_feed(document: Any, source: str = "") -> Feed:
    """A checked `Feed` from a parsed JSON document; raises FeedInvalid with every error found."""
    errors = schema_errors(document)
    if errors:
        raise FeedInvalid(errors)
    errors = semantic_errors(document)
    if errors:
        raise FeedInvalid(errors)
    return Feed(source=source, document=document, **{k: document.get(k) for k in SECTIONS})


def read_source(source: str, http: httpx.Client | None = None) -> bytes:
    """The feed's bytes from an http(s) URL or a file path."""
    if source.startswith(("http://", "https://")):
        client = http or httpx.Client(timeout=60.0, follow_redirects=True)
        try:
            with client.stream("GET", source) as resp:
                if resp.status_code != 200:
                    raise FeedInvalid([f"$: {source} answered HTTP {resp.status_code}"])
                body = bytearray()
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) > MAX_FEED_BYTES:
                        raise FeedInvalid([f"$: the feed is larger than {MAX_FEED_BYTES} bytes"])
                return bytes(body)
        except httpx.HTTPError as err:
            raise FeedInvalid([f"$: cannot fetch {source}: {type(err).__name__}: {err}"]) from err
        finally:
            if http is None:
                client.close()
    path = Path(source)
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise FeedInvalid([f"$: the feed is larger than {MAX_FEED_BYTES} bytes"])
        return path.read_bytes()
    except OSError as err:
        raise FeedInvalid([f"$: cannot read {source}: {err.strerror or err}"]) from err


def load_feed(source: str, http: httpx.Client | None = None) -> Feed:
    """Fetch (URL) or read (file path) a feed and check it; raises FeedInvalid(errors)."""
    raw = read_source(source, http)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FeedInvalid([f"$: not a JSON document in UTF-8: {err}"]) from err
    return parse_feed(document, source)
