"""The JSON API's request and response shapes, with the checks a citizen's input must pass: text
length, a Thai phone number, a national ID's check digit, contact or anonymity. Messages are in Thai
and English because they reach the person who typed the input."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from db.tracking import AgencyOut, ClockOut, EventOut, MessageOut, TrackingOut  # noqa: F401 (the API's schema)
from intake.text import Clean
from workflows.domain.identity import valid_national_id, valid_thai_phone


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Clean("name") = Field(min_length=1)
    phone: Clean("phone", 40) | None = None
    national_id: Clean("national_id", 40) | None = None
    email: Clean("email") | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return valid_thai_phone(v) if v else None

    @field_validator("national_id")
    @classmethod
    def _national_id(cls, v: str | None) -> str | None:
        return valid_national_id(v) if v else None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError("อีเมลไม่ถูกต้อง / not a valid e-mail address")
        return v or None


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Clean("text") = Field(min_length=1)
    category: Clean("category") | None = None
    center: Clean("center") | None = Field(default=None, description="center code, e.g. D9205, P92, MOI")
    agency: Clean("agency") | None = Field(default=None, description="agency code, e.g. lands, ocpb, DO-9205")
    province: Clean("province") | None = Field(default=None, description="Thai or English name, or DOPA code")
    district: Clean("district") | None = None
    subdistrict: Clean("subdistrict") | None = Field(
        default=None, description="sub-district (tambon, khwaeng): Thai or English name, or 6-digit DOPA code"
    )
    postal_code: Clean("postal_code", 20) | None = Field(
        default=None, description="5-digit postal code: its tambon, or its district when it covers several"
    )
    contact: ContactIn | None = None
    anonymous: bool = False
    share_contact_with_agency: bool = Field(
        default=False,
        description="the complainant agrees that the agency acting on the case may have their contact details",
    )
    publish: bool = Field(
        default=False,
        description="the complainant agrees that the case may appear in the public Open311 listing (public "
        "categories only, names and numbers stripped, the place coarsened)",
    )

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        v = v.strip()
        if len(v) < 10:
            raise ValueError("กรุณาเล่าปัญหาอย่างน้อย 10 ตัวอักษร / describe the problem in at least 10 characters")
        return v

    @model_validator(mode="after")
    def _contact_or_anonymous(self) -> ComplaintIn:
        if self.contact is None and not self.anonymous:
            raise ValueError("กรุณาให้ข้อมูลติดต่อ หรือเลือกไม่ประสงค์ออกนาม / give a contact or set anonymous")
        if self.contact is not None and not (self.contact.phone or self.contact.email):
            raise ValueError("กรุณาให้เบอร์โทรศัพท์หรืออีเมล / give a phone number or an e-mail")
        return self


class FiledOut(BaseModel):
    tracking_number: str
    pin: str | None = Field(description="the PIN to track the case; null on a replay to an anonymous caller")
    status: str
    status_url: str
    created: bool


class CallbackIn(BaseModel):
    event_id: Clean("event_id", 100) = Field(min_length=1)
    tracking_number: Clean("tracking_number", 40)
    kind: Clean("kind", 40)
    note: Clean("note") = ""
    reference: Clean("reference") = ""
