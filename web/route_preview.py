"""The "where would this complaint go?" answer for the routing rules page: the same steps a complaint's
workflow takes, with the same code. A category chosen is taken as the workflow takes a citizen's or
officer's category; free text goes through the product's classifier (`nlp.classifier.load_default`, the
model the worker and the chat use), and an unsure reading or "other" goes to screening by officers, as
in `ComplaintWorkflow._classified`. Then `db.routing.routing_options` and
`workflows.domain.routing.decide_agency` pick the agency, an agency the options do not hold sends the
case to screening (`_route`), and `center_for_area` names the center that files it.

The "why" is told with the same function: each rule alone is put to `decide_agency`, once with a
stand-in agency of its type everywhere (does the rule apply to this area at all?) and once with the
real candidates (where would it lead?); the deciding rule is the first applicable one, in the
decision's own order (district, province, nationwide; higher priority first), that leads to the
chosen agency."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from db.models import Agency, Category, Center
from db.routing import routing_options
from workflows.domain.routing import AgencyOption, RuleOption, center_for_area, decide_agency

PROBE = "\x00any"  # a stand-in agency code no record can have


@dataclass(frozen=True)
class RuleStep:
    rule: RuleOption
    area: str  # district | province | nationwide
    leads_to: str | None  # the agency this rule alone gives here, None: no such agency near
    decided: bool = False


@dataclass
class Preview:
    category: str | None
    category_name: tuple[str, str] | None  # (Thai, English)
    classified: bool  # True when the category came from the classifier
    confidence: float | None
    screening: str | None  # None, or why officers would screen it: "unsure" | "unroutable"
    agency: Agency | None
    center: Center | None
    center_code: str
    steps: list[RuleStep] = field(default_factory=list)
    considered: int = 0  # the rules for the category, applicable or not


def _area(rule: RuleOption) -> tuple[int, str]:
    if rule.district_code:
        return 2, "district"
    if rule.province_code:
        return 1, "province"
    return 0, "nationwide"


def _applies(rule: RuleOption, category: str, province: str | None, district: str | None, tambon: str | None) -> bool:
    probe = AgencyOption(PROBE, rule.agency_type or "", False, None, None)
    return decide_agency(category, province, district, [rule], [probe], subdistrict_code=tambon) is not None


def explain(
    s: Session,
    category: str,
    province: str | None,
    district: str | None,
    tambon: str | None = None,
) -> tuple[str | None, list[RuleStep], int, object]:
    """(agency code or None, the applicable rules in the decision's order, rules considered, options)."""
    opts = routing_options(s, category, province, district, subdistrict_code=tambon)
    chosen = decide_agency(category, province, district, opts.rules, opts.agencies, subdistrict_code=tambon)
    applicable = [r for r in opts.rules if _applies(r, category, province, district, tambon)]
    applicable.sort(key=lambda r: (-_area(r)[0], -r.priority))
    steps, decided = [], False
    for rule in applicable:
        leads_to = decide_agency(category, province, district, [rule], opts.agencies, subdistrict_code=tambon)
        mark = not decided and chosen is not None and leads_to == chosen
        decided = decided or mark
        steps.append(RuleStep(rule, _area(rule)[1], leads_to, mark))
    return chosen, steps, len(opts.rules), opts


def preview(
    s: Session,
    classifier,
    text: str,
    category: str | None,
    province: str | None,
    district: str | None,
    tambon: str | None = None,
) -> Preview:
    confidence, classified = None, False
    if not category:
        got = classifier.classify(text)
        category, confidence, classified = got.category, float(got.confidence), True
        if got.unsure or got.category == "other":
            return _done(s, category, classified, confidence, "unsure", None, province, district)
    chosen, steps, considered, opts = explain(s, category, province, district, tambon)
    known = {a.code for a in opts.agencies}
    screening = None if chosen in known else "unroutable"
    found = _done(
        s, category, classified, confidence, screening, chosen if chosen in known else None, province, district
    )
    found.steps, found.considered = steps, considered
    return found


def _done(s, category, classified, confidence, screening, agency_code, province, district) -> Preview:
    row = s.get(Category, category) if category else None
    center_code = center_for_area(province, district)
    return Preview(
        category=category,
        category_name=(row.name_th, row.name_en) if row else None,
        classified=classified,
        confidence=confidence,
        screening=screening,
        agency=s.get(Agency, agency_code) if agency_code else None,
        center=s.get(Center, center_code),
        center_code=center_code,
    )
