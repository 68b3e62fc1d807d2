"""The local governments (เทศบาล, อบต.) the directory ships with, and the tambons each one serves.

No package or offline public source available here lists Thailand's ~7,850 local governments with the
tambons they serve (geothai has the 7,436 tambons, not their local governments), so what ships is a
demo set for the project's demo district, Sikao (Trang, 9205): one sub-district administrative
organisation (อบต.) per tambon, named by the official pattern "องค์การบริหารส่วนตำบล<tambon>" and
marked `demo`. Whether each tambon is in fact served by an อบต. or by a municipality (เทศบาล) is not
checked here. No phone number or e-mail is given (none is known here); the postal address is only
the office's name, its tambon, district and province and the tambon's postal code from geothai, the
way a letter to a government office is addressed. A directory feed (docs/directory-feed.md,
docs/local-governments.md) brings the real list: its agencies of kind `local_gov` with their `areas`
replace or deactivate these records, and an administrator's edit wins over both. `db/seed.py` merges
them with the rest of the seed, so they carry the seed's provenance and audit rows."""

from __future__ import annotations

import geothai

DEMO_DISTRICTS = ("9205",)  # Sikao, Trang: the district the project's demo and tests use


def code_for(subdistrict_code: str) -> str:
    """A demo local government's code: LG- and the tambon it serves."""
    return f"LG-{subdistrict_code}"


def demo_records() -> list[dict]:
    """The demo local governments as directory-feed agency records, one per tambon of each demo district."""
    rows = []
    for district_code in DEMO_DISTRICTS:
        district = geothai.district(district_code)
        province = geothai.province(district.province_code)
        for t in geothai.subdistricts(district_code):
            name_th = f"องค์การบริหารส่วนตำบล{t.name_th}"
            postcode = t.postal_codes[0] if t.postal_codes else ""
            rows.append(
                {
                    "code": code_for(t.code),
                    "kind": "local_gov",
                    "name_th": name_th,
                    "name_en": f"{t.name_en} Subdistrict Administrative Organization",
                    "areas": [{"province": t.province_code, "district": t.district_code, "subdistrict": t.code}],
                    "connector": None,
                    "connector_settings": None,
                    "postal_address": (
                        f"{name_th} ตำบล{t.name_th} อำเภอ{district.name_th} จังหวัด{province.name_th} {postcode}"
                    ).strip(),
                    "email": None,
                    "active": True,
                    "demo": True,
                }
            )
    return rows
