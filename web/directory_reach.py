"""Who may keep which directory records (issue 13 §4). An administrator of the ministry or DOPA keeps
every center, agency and routing rule, and alone may load a feed; an administrator or a supervisor of
a provincial center keeps the records of that province (its own center, its district centers, the
agencies whose area is in it, and the rules for it) and nothing nationwide; an administrator of a
district center keeps its province's records too. Everyone else is refused with a 403. Unlike a case
(web.scope answers 404 so tracking numbers do not leak), a directory record is a public fact, so a
record outside one's province is refused plainly: 403 with a message in Thai and English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException
from sqlalchemy.orm import Session

from db.models import Center
from web.auth import ActingStaff, StaffUser
from web.deps import DbSession
from web.scope import NATIONWIDE

NOT_KEEPER = "หน้านี้สำหรับผู้ดูแลระบบและหัวหน้าศูนย์จังหวัด / for administrators and provincial supervisors"
OTHER_PROVINCE = "ข้อมูลนี้อยู่นอกจังหวัดที่คุณดูแล / this record belongs to a province you do not keep"
NATIONWIDE_ONLY = "เฉพาะผู้ดูแลระบบระดับกระทรวงหรือกรมการปกครอง / for administrators of the ministry or DOPA only"


@dataclass(frozen=True)
class DirectoryReach:
    """`everything`, or the one province whose records the user keeps."""

    user: StaffUser
    everything: bool
    province: str | None

    def covers(self, province_code: str | None) -> bool:
        return self.everything or (province_code is not None and province_code == self.province)

    def ensure(self, province_code: str | None) -> None:
        if not self.covers(province_code):
            raise HTTPException(403, OTHER_PROVINCE)

    def ensure_nationwide(self) -> None:
        if not self.everything:
            raise HTTPException(403, NATIONWIDE_ONLY)


def reach_of(s: Session, user: StaffUser) -> DirectoryReach:
    center = s.get(Center, user.center_code)
    if center is not None and user.role == "admin":
        if center.level in NATIONWIDE:
            return DirectoryReach(user, True, None)
        if center.province_code:
            return DirectoryReach(user, False, center.province_code)
    if center is not None and user.role == "supervisor" and center.level == "province" and center.province_code:
        return DirectoryReach(user, False, center.province_code)
    raise HTTPException(403, NOT_KEEPER)


def _keeper(s: DbSession, user: ActingStaff) -> DirectoryReach:
    return reach_of(s, user)


Keeper = Annotated[DirectoryReach, Depends(_keeper)]
