"""The directory administration's phrases in Thai and English (issue 13 §4): the search, a record with
its sources and history, the feed upload and its difference, the routing rules and the "where would
this complaint go?" box. Added to `web.texts.TEXTS` through `web.i18n.add_texts` on import."""

from __future__ import annotations

from web import i18n

REASON_MAX = 500
ROW_ID_MAX = 2**31 - 1  # ids are 32-bit integers: past them PostgreSQL refuses the query

i18n.add_texts(
    {
        "nav_directory": ("ทำเนียบหน่วยงาน", "Directory"),
        "directory_title": ("ทำเนียบศูนย์และหน่วยงาน", "Centers and agencies"),
        "directory_search_hint": ("ชื่อ (ไทย/อังกฤษ) รหัส หรือพื้นที่", "Name (Thai or English), code or area"),
        "directory_reach_all": ("คุณดูแลข้อมูลทั้งประเทศ", "You keep the records of the whole country"),
        "directory_reach_province": ("คุณดูแลข้อมูลของจังหวัดรหัส", "You keep the records of province"),
        "kind": ("ประเภท", "Kind"),
        "kind_center": ("ศูนย์ดำรงธรรม", "Center"),
        "kind_agency": ("หน่วยงาน", "Agency"),
        "group": ("ระดับ/ชนิด", "Level or type"),
        "code": ("รหัส", "Code"),
        "area": ("พื้นที่", "Area"),
        "nationwide": ("ทั่วประเทศ", "Nationwide"),
        "inactive": ("ยกเลิกแล้ว", "Inactive"),
        "demo_record": ("ข้อมูลตัวอย่าง ไม่ใช่ข้อมูลจริง", "Demo record, not real"),
        "directory_more": (
            "แสดง 50 รายการแรก พิมพ์คำค้นให้เจาะจงขึ้นเพื่อดูรายการอื่น",
            "The first 50 are shown; narrow the search to find the others",
        ),
        "no_records": ("ไม่พบข้อมูลที่ตรงกับคำค้น", "No record matches"),
        "record_fields": ("ข้อมูล", "Fields"),
        "field": ("รายการ", "Field"),
        "value": ("ค่า", "Value"),
        "source": ("ที่มา", "Source"),
        "source_seed": ("ข้อมูลตั้งต้น", "Seed"),
        "source_feed": ("ข้อมูลจากแหล่งกลาง", "Feed"),
        "source_admin": ("ผู้ดูแลแก้ไข", "Administrator"),
        "held_back": ("ค่าจากแหล่งข้อมูลที่รออยู่", "Value the feed or seed would set"),
        "release": ("คืนค่าให้แหล่งข้อมูล", "Release to the feed"),
        "released": ("คืนค่าให้แหล่งข้อมูลแล้ว", "Released to the feed"),
        "edit_record": ("แก้ไขข้อมูล", "Edit the record"),
        "edit_hint": (
            "ค่าที่ผู้ดูแลแก้ไขจะไม่ถูกแหล่งข้อมูลเขียนทับจนกว่าจะคืนค่า",
            "An administrator's value holds against the seed and the feed until it is released",
        ),
        "reason_required": ("ต้องระบุเหตุผล", "A reason is required"),
        "reason_for_change": ("เหตุผลของการเปลี่ยนแปลง", "Reason for the change"),
        "record_saved": ("บันทึกการแก้ไขแล้ว", "Changes saved"),
        "nothing_changed": ("ไม่มีค่าที่เปลี่ยน", "Nothing changed"),
        "history": ("ประวัติการเปลี่ยนแปลง", "Change history"),
        "history_none": ("ยังไม่มีการเปลี่ยนแปลง", "No change recorded yet"),
        "when": ("เมื่อ", "When"),
        "who": ("ผู้ทำ", "Who"),
        "before": ("ก่อน", "Before"),
        "after": ("หลัง", "After"),
        "record_created": ("สร้างข้อมูล", "Record created"),
        "back_to_directory": ("กลับไปที่ทำเนียบ", "Back to the directory"),
        "record_not_found": ("ไม่พบข้อมูลนี้ในทำเนียบ", "No such record in the directory"),
        "edits_unavailable": (
            "ยังแก้ไขข้อมูลผ่านหน้านี้ไม่ได้ (ส่วนบันทึกประวัติยังไม่พร้อม)",
            "Editing is not available yet (the directory's edit service is missing)",
        ),
        # a record's fields (named as in the feed format, docs/directory-feed.md)
        "field_level": ("ระดับศูนย์", "Level"),
        "field_parent": ("ศูนย์ต้นสังกัด", "Parent center"),
        "field_kind": ("ชนิดหน่วยงาน", "Kind of agency"),
        "field_name_th": ("ชื่อภาษาไทย", "Thai name"),
        "field_name_en": ("ชื่อภาษาอังกฤษ", "English name"),
        "field_area": ("พื้นที่", "Area"),
        "field_areas": ("พื้นที่ที่รับผิดชอบ", "Areas served"),
        "field_address": ("ที่อยู่", "Address"),
        "field_phone": ("โทรศัพท์", "Phone"),
        "field_email": ("อีเมล", "E-mail"),
        "field_office_hours": ("เวลาทำการ", "Office hours"),
        "field_line_official_account": ("LINE Official Account", "LINE Official Account"),
        "field_map": ("พิกัดแผนที่", "Map point"),
        "field_connector": ("ช่องทางเชื่อมต่อระบบ", "Connector"),
        "field_connector_settings": ("ค่าตั้งช่องทางเชื่อมต่อ (ไม่มีความลับ)", "Connector settings (no secrets)"),
        "field_postal_address": ("ที่อยู่สำหรับส่งหนังสือ", "Postal address"),
        "field_priority": ("ลำดับความสำคัญ", "Priority"),
        "field_category": ("หมวดเรื่อง", "Category"),
        "field_province_code": ("จังหวัด", "Province"),
        "field_district_code": ("อำเภอ/เขต", "District"),
        "field_agency_code": ("รหัสหน่วยงาน", "Agency code"),
        "field_agency_type": ("ชนิดหน่วยงาน", "Agency type"),
        "field_active": ("ใช้งานอยู่", "Active"),
        "field_demo": ("ข้อมูลตัวอย่าง", "Demo record"),
        # feed
        "nav_directory_feed": ("นำเข้าข้อมูลทำเนียบ", "Load a feed"),
        "feed_title": ("นำเข้าไฟล์ทำเนียบ", "Load a directory feed"),
        "feed_file": ("ไฟล์ทำเนียบ (JSON)", "Directory feed file (JSON)"),
        "feed_upload": ("ตรวจสอบความแตกต่าง", "Compare with the directory"),
        "feed_invalid": ("ไฟล์ไม่ถูกต้อง ไม่มีการเปลี่ยนแปลงใด ๆ", "The feed is invalid; nothing was changed"),
        "feed_too_big": ("ไฟล์ใหญ่เกินไป", "The file is too large"),
        "feed_missing": ("กรุณาเลือกไฟล์", "Choose a file"),
        "feed_diff": ("ความแตกต่างจากทำเนียบปัจจุบัน", "Difference from the current directory"),
        "feed_added": ("เพิ่มใหม่", "Added"),
        "feed_changed": ("เปลี่ยนแปลง", "Changed"),
        "feed_deactivated": ("ยกเลิก", "Deactivated"),
        "feed_unchanged": ("ไม่เปลี่ยน", "Unchanged"),
        "feed_apply": ("นำไปใช้", "Apply"),
        "feed_applied": ("นำข้อมูลไปใช้แล้ว", "The feed was applied"),
        "feed_dismiss": ("ไม่นำไปใช้", "Dismiss"),
        "feed_dismissed": ("ยกเลิกรายการนี้แล้ว ไม่มีการเปลี่ยนแปลง", "Dismissed; nothing was changed"),
        "feed_held": (
            "ค่าที่ผู้ดูแลแก้ไขไว้ ซึ่งแหล่งข้อมูลจะไม่เขียนทับ",
            "Administrators' values the feed will not overwrite",
        ),
        "feed_run_gone": (
            "รายการนี้ถูกดำเนินการไปแล้วหรือไม่มีอยู่",
            "This difference was already decided or does not exist",
        ),
        "feed_recent": ("การตรวจสอบล่าสุด (รวมที่ระบบตรวจตามกำหนดเวลา)", "Recent checks (the scheduled sync's too)"),
        "feed_pending": ("รอการตรวจสอบ", "Waiting for review"),
        "feed_none_pending": ("ไม่มีรายการรอตรวจสอบ", "Nothing waits for review"),
        # rules
        "nav_rules": ("กฎการส่งต่อ", "Routing rules"),
        "rules_title": ("กฎการส่งต่อเรื่อง", "Routing rules"),
        "rules_hint": (
            "กฎของพื้นที่ที่เจาะจงที่สุดใช้ก่อน (อำเภอ จังหวัด ทั่วประเทศ) แล้วจึงตามลำดับความสำคัญ",
            "The most specific area's rules come first (district, province, nationwide), then priority",
        ),
        "add_rule": ("เพิ่มกฎ", "Add a rule"),
        "edit_rule": ("แก้ไขหรือยกเลิกกฎ", "Change or deactivate"),
        "province": ("จังหวัด", "Province"),
        "district": ("อำเภอ/เขต", "District"),
        "agency_type": ("ชนิดหน่วยงาน (ใกล้พื้นที่ที่สุด)", "Agency type (the nearest one)"),
        "priority": ("ลำดับความสำคัญ", "Priority"),
        "rule_added": ("เพิ่มกฎแล้ว", "Rule added"),
        "rule_saved": ("บันทึกกฎแล้ว", "Rule saved"),
        "rule_exists": ("มีกฎนี้อยู่แล้ว ให้แก้ไขหรือเปิดใช้กฎเดิม", "That rule exists already; change or reactivate it"),
        "rule_not_found": ("ไม่พบกฎนี้", "No such rule"),
        "rule_unknown_category": ("ไม่พบหมวดเรื่องนี้", "Unknown category"),
        "rule_unknown_agency": ("ไม่พบรหัสหน่วยงาน", "No agency has that code"),
        "rule_unknown_type": ("ไม่มีหน่วยงานชนิดนี้", "No agency is of that type"),
        "rule_agency_or_type": (
            "ระบุรหัสหน่วยงานหรือชนิดหน่วยงาน อย่างใดอย่างหนึ่ง",
            "Give an agency code or an agency type, not both",
        ),
        "rule_bad_priority": (
            "ลำดับความสำคัญต้องเป็นเลขจำนวนเต็ม -1000 ถึง 1000",
            "Priority is a whole number, -1000 to 1000",
        ),
        "rule_outside_reach": (
            "กฎนี้อยู่นอกจังหวัดที่คุณดูแล / กฎทั่วประเทศแก้ได้เฉพาะผู้ดูแลระดับประเทศ",
            "This rule is outside your province; nationwide rules are for nationwide administrators",
        ),
        "area_province_unknown": ("ไม่พบจังหวัด", "Unknown province"),
        "area_district_unknown": ("ไม่พบอำเภอ/เขต หรือไม่อยู่ในจังหวัดนี้", "Unknown district, or not in that province"),
        "area_subdistrict_unknown": (
            "ไม่พบตำบล/แขวง หรือมีหลายแห่งที่ตรงกัน (ระบุอำเภอด้วย)",
            "Unknown or ambiguous sub-district (give the district too)",
        ),
        "area_postal_code_unknown": ("รหัสไปรษณีย์ไม่ตรงกับพื้นที่", "The postal code does not fit the area"),
        "subdistrict": ("ตำบล/แขวง (ถ้าทราบ)", "Sub-district (tambon), if known"),
        "route_tambon": ("ตำบล", "Tambon"),
        "rule_source": ("ที่มาของกฎ", "Rule from"),
        # the box
        "route_title": ("เรื่องนี้จะไปที่ไหน", "Where would this complaint go?"),
        "route_text": ("ข้อความเรื่องร้องเรียน (ให้ระบบจัดหมวด)", "Complaint text (the classifier reads it)"),
        "route_category_or_text": (
            "หมวดเรื่อง (หรือเว้นว่างเพื่อให้ระบบจัดหมวดจากข้อความ)",
            "Category (or leave blank to classify the text)",
        ),
        "route_go": ("ทดสอบเส้นทาง", "Show the route"),
        "route_needs_text": ("ระบุหมวดเรื่องหรือข้อความ", "Give a category or some text"),
        "route_classified": ("ระบบจัดหมวดเป็น", "The classifier reads it as"),
        "route_chosen_category": ("หมวดที่เลือก", "Category chosen"),
        "route_confidence": ("ความมั่นใจ", "confidence"),
        "route_agency": ("หน่วยงานที่รับเรื่อง", "Agency that acts on it"),
        "route_center": ("ศูนย์ที่รับเรื่อง", "Center that files it"),
        "route_unsure": (
            "ระบบไม่มั่นใจหมวดเรื่อง: เจ้าหน้าที่จะคัดกรองเอง",
            "The classifier is unsure: officers screen it by hand",
        ),
        "route_unroutable": (
            "ไม่มีกฎที่นำไปสู่หน่วยงานที่ใช้งานได้: เจ้าหน้าที่จะคัดกรองเอง",
            "No rule leads to an active agency here: officers screen it by hand",
        ),
        "route_why": (
            "เหตุผล: กฎที่ใช้กับพื้นที่นี้ ตามลำดับที่ระบบพิจารณา",
            "Why: the rules that apply here, in the order the decision tries them",
        ),
        "route_decided": ("กฎที่ตัดสิน", "Deciding rule"),
        "route_leads_nowhere": ("ไม่มีหน่วยงานชนิดนี้ใกล้พื้นที่", "No agency of that type near this area"),
        "route_considered": ("กฎของหมวดนี้ทั้งหมด", "Rules for this category in all"),
        "area_district_rule": ("อำเภอ", "District"),
        "area_province_rule": ("จังหวัด", "Province"),
        "area_nationwide_rule": ("ทั่วประเทศ", "Nationwide"),
    }
)


def both(key: str) -> str:
    """A refusal in both languages ("ไทย / English"), as every 4xx of the codebase says it."""
    th, en = i18n.TEXTS[key]
    return f"{th} / {en}"
