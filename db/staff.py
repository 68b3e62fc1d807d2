"""Staff accounts and what the staff front keeps about them: users (argon2 password hash, role, the
center they belong to), signed-in sessions (the cookie holds a random token; only its SHA-256 is
stored, beside the session's CSRF token), login attempts (counted for the sign-in delays, shared by
every app process), second factors (a sealed TOTP secret per enrolled user), half-done sign-ins
waiting for their code, and the log of every reveal of a complainant's personal data (PDPA). Also the
indexes the inbox and the board need on the projection's tables. Nothing here commits: the caller
owns the transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, delete, func, select, update
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


REVEAL_REASON_MAX = 200


class SecondFactor(Base):
    """A user's TOTP enrolment: the shared secret sealed with the app secret (`web.totp`), pending
    until confirmed with a code, and the last time step whose code was used (a code works once)."""

    __tablename__ = "staff_second_factors"
    username: Mapped[str] = mapped_column(ForeignKey("staff_users.username"), primary_key=True)
    sealed_secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Stamp)
    confirmed_at: Mapped[datetime | None] = mapped_column(Stamp, nullable=True)
    last_step: Mapped[int] = mapped_column(Integer, default=0)


class SignInChallenge(Base):
    """A sign-in half done: the password was right and the code is still to come. Its token (a cookie
    scoped to /login, only its SHA-256 stored) opens nothing but the code form."""

    __tablename__ = "staff_sign_in_challenges"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("staff_users.username"), index=True)
    next_path: Mapped[str] = mapped_column(String(300))
    wrong_codes: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(Stamp, index=True)


class PersonalDataReveal(Base):
    """Who saw which piece of a complainant's personal data, and when."""

    __tablename__ = "personal_data_reveals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_number: Mapped[str] = mapped_column(ForeignKey("cases.tracking_number"), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(16))  # phone | national_id | email | name
    at: Mapped[datetime] = mapped_column(Stamp)
    # Why the officer needed to see it ("letter: ..." for a name printed on a forwarding letter).
    reason: Mapped[str] = mapped_column(String(REVEAL_REASON_MAX), default="", server_default="")


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
    s.execute(delete(SignInChallenge).where(SignInChallenge.username == username))  # half-done ones too


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


# --- sign-in delays -------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInFailures:
    """Wrong passwords and codes since a moment, as (how many, the last one's time) per key: this
    client at this account (since the pair's last success), this client at any account, and anyone
    at this account."""

    pair: tuple[int, datetime | None]
    client: tuple[int, datetime | None]
    account: int


def record_attempt(s: Session, username: str, client: str, succeeded: bool) -> None:
    s.add(LoginAttempt(username=username.strip().lower()[:64], client=client[:64], at=now(), succeeded=succeeded))


def _failures(s: Session, *where) -> tuple[int, datetime | None]:
    count, last = s.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(LoginAttempt.succeeded.is_(False), *where)
    ).one()
    return count or 0, _aware(last) if last is not None else None


def sign_in_failures(s: Session, username: str, client: str, since: datetime) -> SignInFailures:
    username, client = username.strip().lower()[:64], client[:64]
    by_pair = (LoginAttempt.username == username, LoginAttempt.client == client)
    # The owner's own success from this client wipes the slate for the pair (not for the client or the
    # account: an attacker with one good account must not reset their count by signing in with it).
    succeeded = s.scalar(select(func.max(LoginAttempt.at)).where(*by_pair, LoginAttempt.succeeded.is_(True)))
    pair_since = max(since, _aware(succeeded)) if succeeded is not None else since
    return SignInFailures(
        pair=_failures(s, *by_pair, LoginAttempt.at > pair_since),
        client=_failures(s, LoginAttempt.client == client, LoginAttempt.at > since),
        account=_failures(s, LoginAttempt.username == username, LoginAttempt.at > since)[0],
    )


# --- second factor -------------------------------------------------------------------------

CHALLENGE_LIFETIME = timedelta(minutes=5)
WRONG_CODES_PER_CHALLENGE = 5


def second_factor(s: Session, username: str) -> SecondFactor | None:
    return s.get(SecondFactor, username)


def has_second_factor(s: Session, username: str) -> bool:
    row = s.get(SecondFactor, username)
    return row is not None and row.confirmed_at is not None


def start_enrolment(s: Session, username: str, sealed_secret: str) -> SecondFactor:
    """A new pending secret (replacing a pending one); an enrolled user must turn theirs off first."""
    row = s.get(SecondFactor, username)
    if row is not None and row.confirmed_at is not None:
        raise ValueError("already enrolled")
    if row is None:
        row = SecondFactor(username=username, last_step=0)
        s.add(row)
    row.sealed_secret, row.created_at, row.confirmed_at, row.last_step = sealed_secret, now(), None, 0
    return row


def spend_step(s: Session, row: SecondFactor, step: int) -> bool:
    """Marks a code's time step used, unless this or a later step already was: a code works once, even
    when two requests bring it at the same moment (the conditional update lets one through). The first
    code accepted confirms a pending enrolment."""
    spent = s.execute(
        update(SecondFactor)
        .where(SecondFactor.username == row.username, SecondFactor.last_step < step)
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        return False
    if row.confirmed_at is None:
        row.confirmed_at = now()
    return True


def remove_second_factor(s: Session, username: str) -> None:
    s.execute(delete(SecondFactor).where(SecondFactor.username == username))
    s.execute(delete(SignInChallenge).where(SignInChallenge.username == username))


def open_challenge(s: Session, username: str, next_path: str) -> str:
    """The token of a new half-done sign-in (goes into a cookie; never stored)."""
    token, at = secrets.token_urlsafe(32), now()
    s.execute(delete(SignInChallenge).where(SignInChallenge.expires_at < at))
    s.add(
        SignInChallenge(
            token_hash=_digest(token),
            username=username,
            next_path=next_path[:300],
            wrong_codes=0,
            expires_at=at + CHALLENGE_LIFETIME,
        )
    )
    return token


def challenge(s: Session, token: str) -> SignInChallenge | None:
    """A live half-done sign-in, or None (expired, used, or spent on too many wrong codes)."""
    if not token:
        return None
    row = s.get(SignInChallenge, _digest(token))
    if row is None or _aware(row.expires_at) <= now() or row.wrong_codes >= WRONG_CODES_PER_CHALLENGE:
        return None
    return row


def close_challenge(s: Session, token: str) -> None:
    s.execute(delete(SignInChallenge).where(SignInChallenge.token_hash == _digest(token)))


# --- personal data reveals ------------------------------------------------------------------


def log_reveal(s: Session, number: str, username: str, field: str, reason: str = "") -> None:
    s.add(
        PersonalDataReveal(
            tracking_number=number, username=username, field=field, at=now(), reason=reason[:REVEAL_REASON_MAX]
        )
    )


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
