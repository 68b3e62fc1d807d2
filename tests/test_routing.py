"""Which agency acts on a complaint, and which Damrongdham center files it."""

from workflows.domain.routing import (
    AgencyOption,
    RuleOption,
    center_for_area,
    decide_agency,
)

AGENCIES = [
    AgencyOption("lands", "lands", True, None, None),
    AgencyOption("ocpb", "ocpb", True, None, None),
    AgencyOption("PAO-92", "local_admin", False, "92", None),
    AgencyOption("BMA", "local_admin", False, "10", None),
    AgencyOption("POL-92", "police", False, "92", None),
    AgencyOption("DO-9205", "district_office", False, "92", "9205"),
    AgencyOption("DO-9201", "district_office", False, "92", "9201"),
    AgencyOption("TAO-920501", "local_admin", False, "92", "9205"),
]

NATIONWIDE = [
    RuleOption("land", None, None, None, "lands"),
    RuleOption("consumer", None, None, None, "ocpb"),
    RuleOption("infrastructure", None, None, None, "local_admin"),
    RuleOption("debt", None, None, None, "district_office"),
    RuleOption("drugs", None, None, None, "police"),
]


def decide(category, province, district, rules=NATIONWIDE, agencies=AGENCIES):
    return decide_agency(category, province, district, rules, agencies)


def test_nationwide_rule_sends_a_land_dispute_to_the_department_of_lands():
    assert decide("land", "92", "9205") == "lands"
    assert decide("land", None, None) == "lands"


def test_agency_type_resolves_to_the_office_of_the_complaints_district():
    assert decide("debt", "92", "9205") == "DO-9205"
    assert decide("debt", "92", "9201") == "DO-9201"


def test_local_admin_in_a_district_with_its_own_office_beats_the_provincial_one():
    assert decide("infrastructure", "92", "9205") == "TAO-920501"
    assert decide("infrastructure", "92", "9202") == "PAO-92"
    assert decide("infrastructure", "92", None) == "PAO-92"


def test_bangkok_local_admin_is_the_bma():
    assert decide("infrastructure", "10", "1004") == "BMA"


def test_province_level_agency_is_used_when_the_district_has_none():
    assert decide("drugs", "92", "9205") == "POL-92"


def test_district_code_alone_implies_its_province():
    assert decide("drugs", None, "9205") == "POL-92"


def test_no_agency_of_the_type_in_the_area_means_manual_triage():
    assert decide("drugs", "10", "1004") is None
    assert decide("debt", None, None) is None


def test_unknown_category_has_no_route():
    assert decide("gambling", "92", "9205") is None


def test_more_specific_area_wins_over_priority():
    rules = NATIONWIDE + [
        RuleOption("land", None, None, "ocpb", None, priority=99),
        RuleOption("land", "92", None, "PH-92", None),
        RuleOption("land", "92", "9205", "DO-9205", None, priority=-5),
    ]
    assert decide("land", "92", "9205", rules) == "DO-9205"
    assert decide("land", "92", "9201", rules) == "PH-92"
    assert decide("land", "50", "5001", rules) == "ocpb"


def test_higher_priority_wins_within_the_same_area():
    rules = [
        RuleOption("consumer", "92", None, "PH-92", None, priority=1),
        RuleOption("consumer", "92", None, "PAO-92", None, priority=5),
    ]
    assert decide("consumer", "92", "9205", rules) == "PAO-92"


def test_rule_for_another_area_does_not_apply():
    rules = [RuleOption("consumer", "50", None, "PH-50", None), *NATIONWIDE]
    assert decide("consumer", "92", "9205", rules) == "ocpb"
    rules = [RuleOption("consumer", "92", "9201", "DO-9201", None), *NATIONWIDE]
    assert decide("consumer", "92", "9205", rules) == "ocpb"


def test_a_type_rule_with_no_agency_in_the_area_falls_back_to_the_next_rule():
    rules = [RuleOption("drugs", "10", None, None, "provincial_police"), *NATIONWIDE]
    agencies = AGENCIES + [AgencyOption("POL-10", "police", False, "10", None)]
    assert decide("drugs", "10", "1004", rules, agencies) == "POL-10"


def test_a_linked_agency_wins_a_tie_in_the_same_area():
    agencies = [
        AgencyOption("ocpb-b", "ocpb", False, None, None),
        AgencyOption("ocpb-a", "ocpb", True, None, None),
    ]
    assert decide("consumer", "92", None, agencies=agencies) == "ocpb-a"


def test_district_agency_of_another_district_is_not_near():
    agencies = [AgencyOption("DO-9201", "district_office", False, "92", "9201")]
    assert decide("debt", "92", "9205", agencies=agencies) is None


def test_center_is_the_district_center_outside_bangkok():
    assert center_for_area("92", "9205") == "D9205"
    assert center_for_area(None, "9205") == "D9205"


def test_bangkok_complaints_go_to_the_bangkok_provincial_center():
    assert center_for_area("10", "1004") == "P10"
    assert center_for_area("10", None) == "P10"


def test_center_is_the_province_without_a_district_and_the_ministry_without_an_area():
    assert center_for_area("92", None) == "P92"
    assert center_for_area(None, None) == "MOI"
