"""Staff accounts and what the staff front keeps about them: users (argon2 password hash, role, the
center they belong to), signed-in sessions (the cookie holds a random token; only its SHA-256 is
stored, beside the session's CSRF token), login attempts (for the login throttle, shared by every app
process) and the log of every reveal of a complainant's personal data (PDPA). Also the indexes the
inbox and the board need on the projection's tables. Nothing here commits: the caller owns the
transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.models import Base, Case, Stamp, Task

ROLES = ("officer", "supervisor", "admin")
SESSION_LIFETIME = timedelta(hours=10)
_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check: no user probing.
_DUMMY_HASH = _hasher.hash("not a password")


class StaffAccount(Base):
    __tablename__ = "staff_users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # officer | supervisor | admin
    center_code: Mapped[str] = mapped_column(ForeignKey("centers.code"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    password_changed_at: Mapped[datetime] = mapped_column(Stamp)


class StaffSession(Base):
    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("staff_users.username"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Stamp)
    expires_at: Mapped[datetime] = mapped_column(Stamp, index=True)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(Stamp)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )


class PersonalDataReveal(Base):
    """Who saw which piece of a complainant's personal data, and when."""

    __tablename__ = "personal_data_reveals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_number: Mapped[str] = mapped_column(ForeignKey("cases.tracking_number"), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(16))  # phone | national_id | email | name
    at: Mapped[datetime] = mapped_column(Stamp)


# The inbox pages through open tasks in (opened_at, task_key) order straight off an index, finds the
# cases filed with a center as well as those routed to it, and filters by holder. Declared here, on the
# projection's tables, because they serve this front.
Index("ix_tasks_state_opened", Task.state, Task.opened_at, Task.task_key)
Index("ix_cases_filed_with", Case.filed_with)
Index("ix_cases_assignee", Case.assignee)


def now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(account: StaffAccount | None, password: str) -> bool:
    try:
        return _hasher.verify(account.password_hash if account else _DUMMY_HASH, password) and account is not None
    except (VerificationError, InvalidHashError):
        return False


# --- accounts -------------------------------------------------------------------------------


def account(s: Session, username: str) -> StaffAccount | None:
    return s.get(StaffAccount, username.strip().lower())


def accounts(s: Session) -> list[StaffAccount]:
    return list(s.scalars(select(StaffAccount).order_by(StaffAccount.center_code, StaffAccount.username)))


def usernames_at(s: Session, center_codes: list[str] | None, limit: int = 500) -> list[StaffAccount]:
    """Active staff at these centers (all centers when None): whom a case can be assigned to."""
    q = (
        select(StaffAccount)
        .where(StaffAccount.active.is_(True))
        .order_by(StaffAccount.center_code, StaffAccount.username)
        .limit(limit)
    )
    if center_codes is not None:
        q = q.where(StaffAccount.center_code.in_(center_codes))
    return list(s.scalars(q))


def add_account(
    s: Session, username: str, display_name: str, role: str, center_code: str, password: str
) -> StaffAccount:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    at = now()
    row = StaffAccount(
        username=username.strip().lower(),
        display_name=display_name.strip(),
        role=role,
        center_code=center_code,
        password_hash=hash_password(password),
        active=True,
        created_at=at,
        password_changed_at=at,
    )
    s.add(row)
    return row


def set_password(s: Session, row: StaffAccount, password: str) -> None:
    row.password_hash = hash_password(password)
    row.password_changed_at = now()
    close_sessions(s, row.username)  # a new password signs the user out everywhere


def close_sessions(s: Session, username: str) -> None:
    s.execute(delete(StaffSession).where(StaffSession.username == username))


# --- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenSession:
    token: str  # goes into the cookie; never stored
    csrf_token: str


def open_session(s: Session, username: str) -> OpenSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    at = now()
    s.execute(delete(StaffSession).where(StaffSession.expires_at < at))  # sweep the expired ones
    s.add(
        StaffSession(
            token_hash=_digest(token),
            username=username,
            csrf_token=csrf,
            created_at=at,
            expires_at=at + SESSION_LIFETIME,
        )
    )
    return OpenSession(token, csrf)


def session_account(s: Session, token: str) -> tuple[StaffAccount, str] | None:
    """The account and CSRF token of a live session, or None."""
    if not token:
        return None
    row = s.get(StaffSession, _digest(token))
    if row is None or _aware(row.expires_at) <= now():
        return None
    user = s.get(StaffAccount, row.username)
    if user is None or not user.active:
        return None
    return user, row.csrf_token


def close_session(s: Session, token: str) -> None:
    s.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)


# --- login throttle -------------------------------------------------------------------------


def record_attempt(s: Session, username: str, client: str, succeeded: bool) -> None:
    s.add(LoginAttempt(username=username.strip().lower()[:64], client=client[:64], at=now(), succeeded=succeeded))


def recent_failures(s: Session, username: str, client: str, window: timedelta) -> tuple[int, int]:
    """Failed attempts within the window, for this username and from this client."""
    since = now() - window
    by_user = (
        s.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.username == username.strip().lower()[:64],
                LoginAttempt.at >= since,
                LoginAttempt.succeeded.is_(False),
            )
        )
        or 0
    )
    by_client = (
        s.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.client == client[:64], LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
        )
        or 0
    )
    return by_user, by_client


# --- personal data reveals ------------------------------------------------------------------


def log_reveal(s: Session, number: str, username: str, field: str) -> None:
    s.add(PersonalDataReveal(tracking_number=number, username=username, field=field, at=now()))


def reveals(s: Session, number: str) -> list[PersonalDataReveal]:
    return list(
        s.scalars(
            select(PersonalDataReveal)
            .where(PersonalDataReveal.tracking_number == number)
            .order_by(PersonalDataReveal.id)
        )
    )


# --- demo accounts (make run) ---------------------------------------------------------------

DEMO_PASSWORD = "damrongdham-demo"
DEMO_ACCOUNTS = (
    ("sikao.officer", "เจ้าหน้าที่ศูนย์ดำรงธรรมอำเภอสิเกา / Sikao officer", "officer", "D9205"),
    ("trang.supervisor", "หัวหน้าศูนย์ดำรงธรรมจังหวัดตรัง / Trang supervisor", "supervisor", "P92"),
    ("moi.admin", "ผู้ดูแลระบบ กระทรวงมหาดไทย / Ministry admin", "admin", "MOI"),
)


def seed_demo_accounts(s: Session, password: str = DEMO_PASSWORD) -> list[tuple[str, str, str]]:
    """Adds the demo accounts that are missing (never resets a changed password)."""
    for username, name, role, center in DEMO_ACCOUNTS:
        if s.get(StaffAccount, username) is None:
            add_account(s, username, name, role, center, password)
    return [(u, r, c) for u, _, r, c in DEMO_ACCOUNTS]
