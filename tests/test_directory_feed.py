"""The directory feed's checks on their own (no database): the format and version, the JSON Schema's
errors with their JSON paths, areas geothai does not know, secrets in connector settings, what cannot
be read at all (not JSON, a missing file, a URL that answers 404), and the published schema compiling
as JSON Schema 2020-12."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema_rs
import pytest

from db.directory_feed import FeedInvalid, area_errors, load_feed, parse_feed, schema, settings_errors

MINIMAL = {"format": "damrongdham-directory", "version": 1}
SIKAO = {
    "code": "D9205", "level": "district", "parent": "P92", "name_th": "ศูนย์ดำรงธรรมอำเภอสิเกา",
    "name_en": "Sikao District Damrongdham Center", "area": {"province": "92", "district": "9205"},
}  # fmt: skip
TRANG = {"code": "P92", "level": "province", "parent": None, "name_th": "ศูนย์ดำรงธรรมจังหวัดตรัง", "name_en": "Trang"}


def errors_of(doc) -> list[str]:
    with pytest.raises(FeedInvalid) as refusal:
        parse_feed(doc)
    return refusal.value.errors


def test_the_published_schema_is_json_schema_2020_12():
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema_rs.Draft202012Validator(schema())  # raises on a schema that is not valid
    feed = parse_feed({**MINIMAL, "centers": [TRANG, SIKAO]}, "test")
    assert [c["code"] for c in feed.centers] == ["P92", "D9205"]
    assert feed.agencies is None and feed.routing_rules is None  # sections not given are left alone


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"format": "something-else", "version": 1}, "$.format:"),
        ({**MINIMAL, "version": 2}, "$.version:"),
        ({**MINIMAL, "centers": [{**SIKAO, "level": "village"}]}, "$.centers[0].level:"),
        ({**MINIMAL, "centers": [{**SIKAO, "email": "sikao at dopa"}]}, "$.centers[0].email:"),
        ({**MINIMAL, "centers": [{**SIKAO, "office_hours": {"mon": {"open": "8:30", "close": "16:30"}}}]},
         "$.centers[0].office_hours.mon.open:"),
        ({**MINIMAL, "centers": [{**SIKAO, "map": {"lat": 97.5, "lon": 99.3}}]}, "$.centers[0].map.lat:"),
        ({**MINIMAL, "agencies": [{"code": "X", "kind": "police", "name_th": "x", "name_en": "x",
                                   "connector": "fax"}]}, "$.agencies[0].connector:"),
        ({**MINIMAL, "routing_rules": [{"category": "land", "agency": "lands", "agency_kind": "lands"}]},
         "$.routing_rules[0]:"),
        ({**MINIMAL, "surprise": True}, "$:"),
        # what the tables cannot hold is refused before anything is written
        ({**MINIMAL, "centers": [{**SIKAO, "code": "D" * 17}]}, "$.centers[0].code:"),
        ({**MINIMAL, "centers": [{**SIKAO, "name_th": "ศ" * 201}]}, "$.centers[0].name_th:"),
    ],
)  # fmt: skip
def test_the_schema_names_the_path_of_each_error(doc, expected):
    assert any(e.startswith(expected) for e in errors_of(doc)), errors_of(doc)


def test_every_error_is_reported_not_only_the_first():
    doc = {**MINIMAL, "centers": [{**SIKAO, "email": "x"}, {**TRANG, "level": "x"}], "agencies": [{"code": "A"}]}
    paths = {e.split(":")[0] for e in errors_of(doc)}
    assert {"$.centers[0].email", "$.centers[1].level", "$.agencies[0]"} <= paths


def test_areas_must_exist_and_nest():
    assert area_errors({"province": "92", "district": "9205", "subdistrict": "920501"}, "$") == []
    assert area_errors({"province": "99"}, "$.a") == ["$.a.province: unknown province code '99'"]
    assert area_errors({"province": "92", "district": "1004"}, "$.a") == [
        "$.a.district: district '1004' is not in province '92'"
    ]
    assert area_errors({"district": "9205", "subdistrict": "920101"}, "$.a") == [
        "$.a.subdistrict: sub-district '920101' is not in the area named with it"
    ]


def test_connector_settings_never_hold_a_secret():
    assert settings_errors({"base_url": "https://x", "credential_ref": "AGENCY_SECRET_X", "token_url": "u"}, "$") == []
    bad = settings_errors({"api_key": "k", "client_secret": "s", "smtp_password": "p", "access_token": "t"}, "$")
    assert len(bad) == 4 and all("name one by credential_ref" in e for e in bad)


def test_a_linked_flag_must_agree_with_the_connector():
    agency = {"code": "A", "kind": "police", "name_th": "ก", "name_en": "A", "linked": True, "connector": None}
    assert errors_of({**MINIMAL, "agencies": [agency]}) == [
        "$.agencies[0].linked: linked must be true exactly when a connector is named"
    ]


def test_what_cannot_be_read_is_refused_with_a_reason(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(FeedInvalid) as not_json:
        load_feed(str(broken))
    assert not_json.value.errors[0].startswith("$: not a JSON document")
    with pytest.raises(FeedInvalid) as missing:
        load_feed(str(tmp_path / "nowhere.json"))
    assert missing.value.errors[0].startswith("$: cannot read")


def test_a_feed_is_fetched_over_http_and_a_404_is_an_error():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.dumps({**MINIMAL, "centers": [TRANG]}).encode()
            self.send_response(200 if self.path == "/feed.json" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert load_feed(f"{base}/feed.json").centers == [TRANG]
        with pytest.raises(FeedInvalid) as gone:
            load_feed(f"{base}/old.json")
        assert gone.value.errors == [f"$: {base}/old.json answered HTTP 404"]
    finally:
        server.shutdown()
        server.server_close()
