"""The directory built from geothai (centers, agencies, categories, rules), area resolution, seeding
it into SQLite twice without duplicates, and searching it by Thai or English name."""

import time
from collections import Counter

import geothai
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from db import directory
from db.directory import UnknownArea, resolve_area
from db.models import Agency, Base, Category, Center, RoutingRule
from db.search import search_directory
from db.seed import seed_directory
from workflows.domain.routing import AgencyOption, RuleOption, center_for_area, decide_agency

CENTERS = {c["code"]: c for c in directory.centers()}
AGENCIES = {a["code"]: a for a in directory.agencies()}


def test_there_is_one_center_per_level_area():
    levels = Counter(c["level"] for c in CENTERS.values())
    assert levels == {"ministry": 1, "dopa": 1, "province": 77, "district": 878}
    assert len(CENTERS) == len(directory.centers())  # codes are unique


def test_centers_report_to_the_level_above():
    assert CENTERS["MOI"]["parent_code"] is None
    assert CENTERS["DOPA"]["parent_code"] == "MOI"
    assert CENTERS["P92"]["parent_code"] == "MOI"
    assert CENTERS["D9205"]["parent_code"] == "P92"
    for c in CENTERS.values():
        if c["level"] == "district":
            assert c["parent_code"] == f"P{c['province_code']}"
            assert c["district_code"].startswith(c["province_code"])


def test_center_names_in_thai_and_english():
    assert CENTERS["MOI"]["name_th"] == "ศูนย์ดำรงธรรมกระทรวงมหาดไทย"
    assert CENTERS["DOPA"]["name_th"] == "ศูนย์ดำรงธรรมกรมการปกครอง"
    assert CENTERS["P92"]["name_th"] == "ศูนย์ดำรงธรรมจังหวัดตรัง"
    assert CENTERS["P92"]["name_en"] == "Trang Provincial Damrongdham Center"
    assert CENTERS["P10"]["name_th"] == "ศูนย์ดำรงธรรมกรุงเทพมหานคร"
    assert CENTERS["D9205"]["name_th"] == "ศูนย์ดำรงธรรมอำเภอสิเกา"
    assert CENTERS["D9205"]["name_en"] == "Sikao District Damrongdham Center"


def test_bangkok_khet_have_no_district_center():
    assert not [c for c in CENTERS.values() if c["district_code"] and c["province_code"] == "10"]


def test_every_area_is_filed_with_a_center_that_exists():
    for p in geothai.provinces():
        assert center_for_area(p.code, None) in CENTERS
        for d in geothai.districts(p.code):
            assert center_for_area(p.code, d.code) in CENTERS
    assert center_for_area(None, None) in CENTERS


def test_linked_agencies_have_an_endpoint_and_a_credential_reference():
    agencies = directory.agencies("https://agencies.test/")
    linked = {a["code"]: a for a in agencies if a["linked"]}
    assert set(linked) == {"opm1111", "ocpb", "lands", "dopa"}
    assert linked["ocpb"]["api_base_url"] == "https://agencies.test/ocpb"
    assert linked["ocpb"]["credential_ref"] == "AGENCY_SECRET_OCPB"
    assert linked["lands"]["name_th"] == "กรมที่ดิน"
    assert all(a["agency_type"] == code for code, a in linked.items())


def test_unlinked_agencies_have_a_postal_address_and_no_invented_email():
    types = Counter(a["agency_type"] for a in AGENCIES.values() if not a["linked"])
    # 878 amphoe offices and Bangkok's 50 khet offices
    assert types == {"provincial_hall": 77, "district_office": 928, "local_admin": 77, "police": 77}
    for a in AGENCIES.values():
        if not a["linked"]:
            # geothai has no e-mail addresses and none is made up: a directory feed provides them.
            assert a["postal_address"] and a["email"] is None
    assert AGENCIES["DO-9205"]["district_code"] == "9205"
    assert "สิเกา" in AGENCIES["DO-9205"]["postal_address"]
    assert AGENCIES["PAO-92"]["agency_type"] == "local_admin"
    assert AGENCIES["DO-1001"]["name_th"] == "สำนักงานเขตพระนคร"
    assert AGENCIES["DO-1001"]["name_en"] == "Phra Nakhon District Office"
    assert AGENCIES["BMA"]["name_th"] == "กรุงเทพมหานคร"
    assert AGENCIES["POL-10"]["name_th"] == "กองบัญชาการตำรวจนครบาล"
    assert "PAO-10" not in AGENCIES


def test_categories_and_one_nationwide_rule_each():
    cats = {c["code"]: c for c in directory.categories()}
    assert len(cats) == 18
    assert cats["land"]["name_th"] == "ที่ดิน" and cats["land"]["default_agency_type"] == "lands"
    assert cats["information"]["default_agency_type"] == "opm1111"
    assert all(15 <= c["resolution_business_days"] <= 60 for c in cats.values())
    rules = directory.routing_rules()
    assert sorted(r["category"] for r in rules) == sorted(cats)
    assert all(r["province_code"] is None and r["agency_type"] for r in rules)


def _routed(province: str, district: str) -> dict[str, str | None]:
    rules = [RuleOption(**r) for r in directory.routing_rules()]
    agencies = [
        AgencyOption(a["code"], a["agency_type"], a["linked"], a["province_code"], a["district_code"])
        for a in AGENCIES.values()
    ]
    return {c["code"]: decide_agency(c["code"], province, district, rules, agencies) for c in directory.categories()}


def test_every_category_routes_to_an_agency_in_sikao():
    routed = _routed("92", "9205")
    assert routed["land"] == "lands"
    assert routed["debt"] == "DO-9205"
    assert routed["infrastructure"] == "PAO-92"
    assert routed["drugs"] == "POL-92"
    assert routed["environment"] == "PH-92"
    assert None not in routed.values()


def test_every_category_routes_to_an_agency_in_a_bangkok_khet():
    routed = _routed("10", "1004")  # Bang Rak: no district center, but a khet office
    assert routed["debt"] == routed["welfare"] == routed["family"] == "DO-1004"
    assert routed["infrastructure"] == "BMA"
    assert routed["land"] == "lands"
    assert None not in routed.values()


@pytest.mark.parametrize(
    ("province", "district", "expected"),
    [
        ("ตรัง", "สิเกา", ("92", "9205")),
        ("Trang", "Sikao", ("92", "9205")),
        ("92", "9205", ("92", "9205")),
        ("จังหวัดตรัง", "อำเภอสิเกา", ("92", "9205")),
        ("TRANG", "sikao", ("92", "9205")),
        ("Trang Province", "Sikao District", ("92", "9205")),
        ("Bangkok", "Bang Rak", ("10", "1004")),
        ("กรุงเทพมหานคร", "เขตบางรัก", ("10", "1004")),
        ("กทม", "บางรัก", ("10", "1004")),
        ("ตรัง", "เมือง", ("92", "9201")),
        (None, "สิเกา", ("92", "9205")),
        ("ตรัง", None, ("92", None)),
        ("", "", (None, None)),
        (None, None, (None, None)),
    ],
)
def test_resolve_area_accepts_names_and_codes(province, district, expected):
    assert resolve_area(province, district) == expected


@pytest.mark.parametrize(
    ("province", "district", "field", "value"),
    [
        ("Atlantis", None, "province", "Atlantis"),
        ("99", "9205", "province", "99"),
        ("ตรัง", "บางรัก", "district", "บางรัก"),
        ("ตรัง", "1004", "district", "1004"),
        ("Trang", "Nowhere", "district", "Nowhere"),
        (None, "เมือง", "district", "เมือง"),
    ],
)
def test_resolve_area_names_the_field_it_cannot_resolve(province, district, field, value):
    with pytest.raises(UnknownArea) as error:
        resolve_area(province, district)
    assert (error.value.field, error.value.value) == (field, value)
    assert isinstance(error.value, ValueError)


def _session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'directory.db'}")
    Base.metadata.create_all(engine)
    return Session(engine)


def _counts(session):
    return {
        m.__tablename__: session.scalar(select(func.count()).select_from(m))
        for m in (Center, Agency, Category, RoutingRule)
    }


def test_seeding_twice_changes_nothing_and_is_fast(tmp_path):
    with _session(tmp_path) as session:
        started = time.perf_counter()
        first = seed_directory(session)
        session.commit()
        assert time.perf_counter() - started < 3
        # + 5: Sikao's demo local governments, db/local_governments.py
        assert _counts(session) == {
            "centers": 957, "agencies": 1163 + 5, "categories": 18, "routing_rules": 18,
        }  # fmt: skip
        assert first["inserted"] == 957 + 1163 + 5 + 18 + 18
        second = seed_directory(session)
        session.commit()
        assert (second["inserted"], second["updated"]) == (0, 0)
        assert _counts(session)["routing_rules"] == 18


def test_reseeding_keeps_what_an_administrator_changed_or_added(tmp_path):
    with _session(tmp_path) as session:
        seed_directory(session)
        session.commit()
        session.scalars(select(RoutingRule).where(RoutingRule.category == "land")).one().priority = 7
        session.get(Category, "land").resolution_business_days = 90
        session.add(RoutingRule(category="land", province_code="92", agency_code="PH-92"))
        session.add(Agency(code="TAO-920501", agency_type="local_admin", name_th="อบต.",
                           name_en="TAO", search_key="tao"))  # fmt: skip
        session.commit()
        result = seed_directory(session, agency_base_url="https://agencies.test")
        session.commit()
        land_rules = session.scalars(select(RoutingRule).where(RoutingRule.category == "land")).all()
        assert sorted(r.priority for r in land_rules) == [0, 7]
        assert session.get(Category, "land").resolution_business_days == 90
        assert session.get(Agency, "TAO-920501") is not None
        # Only the four linked agencies' endpoints moved to the new base URL.
        assert result["updated"] == 4 and result["inserted"] == 0
        assert session.get(Agency, "lands").api_base_url == "https://agencies.test/lands"


def test_search_finds_a_district_center_by_thai_or_english_name(tmp_path):
    with _session(tmp_path) as session:
        seed_directory(session)
        session.commit()
        thai = search_directory(session, "สิเกา", "center")
        english = search_directory(session, "sikao", "center")
        assert thai[0].code == "D9205" and english[0].code == "D9205"
        assert search_directory(session, "อำเภอสิเกา", "center")[0].code == "D9205"
        both = {h.code for h in search_directory(session, "Sikao", "all")}
        assert {"D9205", "DO-9205"} <= both
        assert {h.kind for h in search_directory(session, "สิเกา", "agency")} == {"agency"}


def test_search_puts_exact_names_and_wider_offices_first(tmp_path):
    with _session(tmp_path) as session:
        seed_directory(session)
        session.commit()
        assert search_directory(session, "กรมที่ดิน", "agency")[0].code == "lands"
        assert search_directory(session, "Trang", "center")[0].code == "P92"
        assert search_directory(session, "ตรัง", "all", limit=3)[0].code == "P92"
        assert len(search_directory(session, "ศูนย์ดำรงธรรม", "center", limit=5)) == 5
        assert search_directory(session, "   ", "all") == []
        assert search_directory(session, "100%_", "all") == []
