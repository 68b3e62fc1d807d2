"""Sub-districts (tambon) and local governments (issue 13, part 5): what people type resolves to a
tambon (name, code, postal code), routing gives a pothole to the local government serving its tambon
and to the provincial administration where none does, and the demo local governments are seeded as
demo records with their tambons and no invented contact details."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.directory import UnknownArea
from db.local_governments import demo_records
from db.models import Agency, AgencyArea
from db.routing import routing_options
from db.session import make_engine, make_sessions
from db.subdistricts import AmbiguousArea, area_label, in_address, resolve_place
from workflows.domain.routing import AgencyOption, RuleOption, decide_agency

# --- resolving what people type ----------------------------------------------------------------


@pytest.mark.parametrize(
    "province, district, subdistrict, postal_code, expected",
    [
        (None, None, "บ่อหิน", None, ("92", "9205", "920501")),
        (None, None, "ตำบลบ่อหิน", None, ("92", "9205", "920501")),
        (None, None, "ต. บ่อหิน", None, ("92", "9205", "920501")),
        (None, None, "Bo Hin", None, ("92", "9205", "920501")),
        (None, None, "Tambon Bo Hin", None, ("92", "9205", "920501")),
        (None, None, "bo hin subdistrict", None, ("92", "9205", "920501")),
        (None, None, "920501", None, ("92", "9205", "920501")),
        (None, None, "๙๒๐๕๐๑", None, ("92", "9205", "920501")),
        ("ตรัง", "สิเกา", "บ่อหิน", "92150", ("92", "9205", "920501")),
        ("Trang", None, "Thap Thiang", None, ("92", "9201", "920101")),
        # a name found in many provinces is unique once the district is known
        ("ตรัง", "เมืองตรัง", "ทับเที่ยง", None, ("92", "9201", "920101")),
        # a postal code covering one district's tambons gives that district
        (None, None, None, "92150", ("92", "9205", None)),
        # ... and with the district it narrows nothing further, but fits
        (None, "สิเกา", None, "92000", ("92", "9205", "920505")),
        # the postal code narrows a tambon name shared across the country
        (None, None, "นาเมืองเพชร", "92000", ("92", "9205", "920505")),
        # nothing of the tambon given: as resolve_area
        ("ตรัง", "สิเกา", None, None, ("92", "9205", None)),
        (None, None, None, None, (None, None, None)),
    ],
)
def test_a_tambon_resolves_from_its_name_code_or_postal_code(province, district, subdistrict, postal_code, expected):
    assert resolve_place(province, district, subdistrict, postal_code) == expected


def test_a_postal_code_covering_one_tambon_gives_the_tambon():
    # 10303 is Suan Chitlada's alone (Bangkok, Dusit)
    assert resolve_place(None, None, None, "10303") == ("10", "1002", "100203")
    assert resolve_place(None, None, None, "๑๐๓๐๓") == ("10", "1002", "100203")


def test_a_postal_code_across_districts_is_ambiguous_and_lists_the_tambons():
    with pytest.raises(AmbiguousArea) as err:
        resolve_place(None, None, None, "92000")
    assert err.value.field == "postal_code"
    assert {t.district_code for t in err.value.options} >= {"9201", "9205"}


def test_a_tambon_name_shared_by_many_needs_its_district():
    with pytest.raises(AmbiguousArea) as err:
        resolve_place(None, None, "ในเมือง")
    assert len(err.value.options) > 5 and err.value.field == "subdistrict"


@pytest.mark.parametrize(
    "province, district, subdistrict, postal_code, field",
    [
        (None, None, "ไม่มีตำบลนี้", None, "subdistrict"),
        (None, None, "999999", None, "subdistrict"),
        (None, "สิเกา", "ทับเที่ยง", None, "subdistrict"),  # a tambon of another district
        (None, None, "บ่อหิน", "10200", "subdistrict"),  # a postal code that is not the tambon's
        (None, None, None, "1234", "postal_code"),
        (None, None, None, "00000", "postal_code"),
        ("เชียงใหม่", None, None, "92150", "postal_code"),  # a Trang postal code in Chiang Mai
        ("ไม่มีจังหวัดนี้", None, "บ่อหิน", None, "province"),
    ],
)
def test_what_does_not_resolve_names_its_field(province, district, subdistrict, postal_code, field):
    with pytest.raises(UnknownArea) as err:
        resolve_place(province, district, subdistrict, postal_code)
    assert err.value.field == field


@pytest.mark.parametrize(
    "address, province, district, expected",
    [
        ("ตำบล บ่อหิน อำเภอสิเกา ตรัง 92150 ประเทศไทย", "92", "9205", "920501"),
        ("Bo Hin, Sikao District, Trang 92150, Thailand", "92", "9205", "920501"),
        ("สิเกา ตรัง 92000", "92", "9205", "920505"),  # the postal code fits one tambon of Sikao
        ("Sikao, Trang 92150, Thailand", "92", "9205", None),  # 92150 covers four of Sikao's tambons
        ("Trang, Thailand", None, None, None),
    ],
)
def test_a_shared_location_is_placed_by_its_address_text(address, province, district, expected):
    found = in_address(address, province, district)
    assert (found.code if found else None) == expected


def test_an_area_is_named_down_to_its_tambon():
    assert area_label("92", "9205", "920501") == "ต.บ่อหิน อ.สิเกา จ.ตรัง"
    assert area_label("92", "9205", "920501", "en") == "Bo Hin, Sikao, Trang"
    assert area_label("92", "9205", None) == "อ.สิเกา จ.ตรัง"
    assert area_label(None, None, None) == "-"


# --- the routing decision ----------------------------------------------------------------------

PAO = AgencyOption("PAO-92", "local_admin", False, "92", None)
BO_HIN = AgencyOption("LG-920501", "local_gov", False, "92", "9205", ("920501",))
RULES = [RuleOption("infrastructure", None, None, None, "local_admin"), RuleOption("debt", None, None, None, "police")]


def test_a_local_admin_matter_goes_to_the_local_government_of_its_tambon():
    assert decide_agency("infrastructure", "92", "9205", RULES, [PAO, BO_HIN], subdistrict_code="920501") == "LG-920501"


def test_a_tambon_no_local_government_serves_falls_back_to_the_provincial_administration():
    assert decide_agency("infrastructure", "92", "9205", RULES, [PAO, BO_HIN], subdistrict_code="920502") == "PAO-92"


def test_without_a_tambon_routing_is_as_before():
    assert decide_agency("infrastructure", "92", "9205", RULES, [PAO, BO_HIN]) == "PAO-92"


def test_a_local_government_serving_a_whole_district_serves_its_tambons_but_a_tambons_own_wins():
    district_wide = AgencyOption("LG-district", "local_gov", False, "92", "9205", ("9205",))
    agencies = [PAO, district_wide, BO_HIN]
    assert decide_agency("infrastructure", "92", "9205", RULES, agencies, subdistrict_code="920501") == "LG-920501"
    assert decide_agency("infrastructure", "92", "9205", RULES, agencies, subdistrict_code="920503") == "LG-district"


def test_other_categories_do_not_go_to_a_local_government():
    police = AgencyOption("POL-92", "police", False, "92", None)
    assert decide_agency("debt", "92", "9205", RULES, [PAO, BO_HIN, police], subdistrict_code="920501") == "POL-92"


# --- the directory: seeded demo records and the routing query ----------------------------------


def test_the_demo_local_governments_are_marked_demo_and_invent_no_contact():
    records = demo_records()
    assert [r["code"] for r in records] == [f"LG-92050{i}" for i in range(1, 6)]
    for r in records:
        assert r["demo"] is True and r["kind"] == "local_gov"
        assert r["email"] is None and "phone" not in r
        assert r["name_th"].startswith("องค์การบริหารส่วนตำบล")
        assert r["areas"] == [{"province": "92", "district": "9205", "subdistrict": r["code"][3:]}]


@pytest.fixture(params=["sqlite", "postgres"])
def directory(request):
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    sessions = make_sessions(engine)
    yield sessions
    engine.dispose()


def test_seeded_local_governments_serve_their_tambons(directory):
    with directory() as s:
        rows = s.execute(
            select(AgencyArea.agency_code, AgencyArea.subdistrict_code).where(AgencyArea.agency_code.like("LG-%"))
        ).all()
        assert set(rows) == {(f"LG-92050{i}", f"92050{i}") for i in range(1, 6)}
        bo_hin = s.get(Agency, "LG-920501")
        assert bo_hin.demo and bo_hin.active and bo_hin.email is None
        assert bo_hin.postal_address.endswith("92150")


def _routed(s, subdistrict: str | None, district: str = "9205") -> str | None:
    opts = routing_options(s, "infrastructure", "92", district, subdistrict_code=subdistrict)
    return decide_agency("infrastructure", "92", district, opts.rules, opts.agencies, subdistrict_code=subdistrict)


def test_the_routing_query_brings_the_tambons_local_government(directory):
    with directory() as s:
        opts = routing_options(s, "infrastructure", "92", "9205", subdistrict_code="920503")
        local = [a for a in opts.agencies if a.agency_type == "local_gov"]
        assert [(a.code, a.areas) for a in local] == [("LG-920503", ("920503",))]
        assert _routed(s, "920503") == "LG-920503"
        assert _routed(s, "920101", "9201") == "PAO-92"
        assert _routed(s, None) == "PAO-92"
        # other categories never load local governments
        debt = routing_options(s, "debt", "92", "9205", subdistrict_code="920503")
        assert not [a for a in debt.agencies if a.agency_type == "local_gov"]


def test_a_deactivated_local_government_is_no_longer_chosen(directory):
    with directory() as s:
        s.get(Agency, "LG-920504").active = False
        s.flush()
        assert _routed(s, "920504") == "PAO-92"
        s.rollback()
