"""Connectors by name, as the directory's `agencies.connector` names them, and the agency row turned
into what a connector reads (`link`). An agency with no connector is reached by letter; an agency row
from before migration 0016 that is linked and has an API address speaks `damrongdham-json`, the only
protocol there was then."""

from __future__ import annotations

from collections.abc import Iterable

from connectors.base import MISCONFIGURED, AgencyLink, Connector, ConnectorError
from connectors.damrongdham_json import NAME as JSON_NAME
from db.models import Agency

POLLING = frozenset({"open311"})  # connectors whose agencies never call back: we ask them


class Registry:
    def __init__(self, connectors: Iterable[Connector]) -> None:
        self._by_name = {c.name: c for c in connectors}

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)

    @property
    def polling(self) -> list[str]:
        return [n for n in self.names if n in POLLING]

    def get(self, name: str) -> Connector:
        found = self._by_name.get(name)
        if found is None:
            raise ConnectorError(MISCONFIGURED, f"no connector named '{name}' (known: {', '.join(self.names)})")
        return found


def connector_name(agency: Agency) -> str:
    if agency.connector:
        return agency.connector
    return JSON_NAME if agency.linked and agency.api_base_url else ""


def link(agency: Agency) -> AgencyLink:
    settings = agency.connector_settings if isinstance(agency.connector_settings, dict) else {}
    return AgencyLink(
        code=agency.code,
        name_th=agency.name_th,
        name_en=agency.name_en,
        connector=connector_name(agency),
        settings=dict(settings),
        base_url=agency.api_base_url or "",
        # The directory feed carries the reference inside the settings (db/directory_records.py).
        credential_ref=agency.credential_ref or settings.get("credential_ref") or None,
        email=agency.email or "",
        postal_address=agency.postal_address or "",
    )
