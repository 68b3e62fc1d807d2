"""The connector interface and what passes through it. A connector gets the case as the workflow sent
it (`AgencySend`), the agency's directory row (`AgencyLink`) and what the activity looked up for this
send (`Parcel`: the contact details if the citizen consented, the photos with their signed links), and
returns a `Receipt` naming the agency's own reference. Connectors that learn of progress by asking
(Open311) also `poll` one reference. Failures are `ConnectorError`s whose `kind` says whether trying
again can help: the activity turns them into the workflow's retryable or final errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from db.credentials import agency_secret
from workflows import contracts as c

# Kinds of failure. Unreachable and unavailable are worth retrying within the send's budget; a refusal
# or a configuration the connector cannot use is not, and goes to manual forwarding at once.
UNREACHABLE = "AgencyUnreachable"
UNAVAILABLE = "AgencyUnavailable"
REJECTED = "AgencyRejected"
MISCONFIGURED = "AgencyMisconfigured"
RETRYABLE = frozenset({UNREACHABLE, UNAVAILABLE})


class ConnectorError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


@dataclass(frozen=True)
class AgencyLink:
    """An agency as its connector needs it: the directory row, copied out of the session."""

    code: str
    name_th: str
    name_en: str
    connector: str
    settings: dict = field(default_factory=dict)
    base_url: str = ""
    credential_ref: str | None = None
    email: str = ""
    postal_address: str = ""

    def secret(self) -> str:
        """The agency's credential (a bearer token, an Open311 api_key, an SMTP password)."""
        return agency_secret(self.credential_ref)

    def setting(self, name: str, default=None):
        return (self.settings or {}).get(name, default)

    def needs(self, name: str) -> str:
        """A setting the connector cannot work without, or a `MISCONFIGURED` error naming it."""
        value = self.setting(name) or ""
        if not isinstance(value, str) or not value.strip():
            raise ConnectorError(MISCONFIGURED, f"{self.code}: connector setting '{name}' is not set")
        return value.strip()


@dataclass(frozen=True)
class Photo:
    """A photo of the case: its signed, expiring link for the agency and a way to read its bytes."""

    sha256: str
    filename: str
    content_type: str
    size: int
    url: str
    expires_at: str
    read: Callable[[], bytes]


@dataclass(frozen=True)
class Parcel:
    """What the activity looked up for this send beside the case itself."""

    contact: c.Contact | None = None  # only when the citizen consented and did not file anonymously
    photos: tuple[Photo, ...] = ()
    category_name_th: str = ""
    category_name_en: str = ""
    area_name: str = ""  # the district and province in Thai, as a location for the agency


@dataclass(frozen=True)
class Receipt:
    reference: str


@dataclass(frozen=True)
class Status:
    """An agency's account of one case, as a poll found it; the activity turns it into an event."""

    kind: str  # acknowledged | progress | resolved | returned
    event_id: str  # the same account polled twice has the same id, so the workflow takes it once
    note: str = ""
    reference: str = ""


class Connector(Protocol):
    name: str

    def send(self, case: c.AgencySend, agency: AgencyLink, parcel: Parcel) -> Receipt: ...

    def poll(self, reference: str, agency: AgencyLink) -> list[Status]:
        """The agency's news on one case; a connector whose agency calls back returns []."""
        ...
