"""The complaint workflow's activities: projection into the read model, classification, routing
options, the business calendar's days off, and the send to a linked agency over its connector (and the
polling of agencies whose connector polls), which `agency_links.py` does. One object holds the heavy
dependencies (database sessions, classifier, HTTP client, connectors) that `worker.py` builds once; the
activities are synchronous and run on the worker's thread pool, off the event loop."""

from __future__ import annotations

import time
from datetime import date

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.agency_links import AgencyLinks, build_agency_links
from activities.days_off import load_days_off
from activities.messages import render
from db.models import CaseEvent
from db.projection import apply_event
from db.routing import routing_options
from workflows import contracts as c


class CaseActivities:
    DAYS_OFF_TTL = 300.0  # seconds: declared days off reach new cases within five minutes

    def __init__(
        self, sessions: sessionmaker[Session], classifier, http: httpx.Client, agencies: AgencyLinks | None = None
    ) -> None:
        self.sessions = sessions
        self.classifier = classifier
        self.http = http
        self.agencies = agencies or build_agency_links(sessions, http)
        self._days_off: dict[tuple[int, int], tuple[float, c.DaysOff]] = {}

    @activity.defn(name=c.PROJECT_CASE_EVENT)
    def project_case_event(self, record: c.CaseEventRecord) -> None:
        try:
            with self.sessions.begin() as s:
                apply_event(s, record, render)
        except IntegrityError:
            # A concurrent attempt of the same event committed first: the projection is already there.
            with self.sessions() as s:
                key = f"{record.tracking_number}:{record.seq}"
                if s.scalar(select(CaseEvent.id).where(CaseEvent.event_key == key)) is None:
                    raise

    @activity.defn(name=c.CLASSIFY_COMPLAINT)
    def classify_complaint(self, req: c.ClassifyRequest) -> c.ClassifyResult:
        got = self.classifier.classify(req.text, req.channel)
        return c.ClassifyResult(
            category=got.category,
            confidence=float(got.confidence),
            unsure=bool(got.unsure),
            top=[[k, float(p)] for k, p in got.top],
            agency_type=got.agency_type,
        )

    @activity.defn(name=c.LOAD_ROUTING_OPTIONS)
    def load_routing_options(self, req: c.RoutingRequest) -> c.RoutingOptions:
        with self.sessions() as s:
            return routing_options(
                s, req.category, req.province_code, req.district_code, req.agency_code, req.subdistrict_code
            )

    @activity.defn(name=c.LOAD_DAYS_OFF)
    def load_days_off(self, req: c.DaysOffRequest) -> c.DaysOff:
        # Building the holiday calendar costs more than the rest of a case's intake; every case of a
        # burst asks for the same years, so the answer is kept for a few minutes.
        span, now = (req.from_year, req.to_year), time.monotonic()
        cached = self._days_off.get(span)
        if cached is not None and now - cached[0] < self.DAYS_OFF_TTL:
            return cached[1]
        with self.sessions() as s:
            days = load_days_off(s, range(req.from_year, req.to_year + 1))
        answer = c.DaysOff(days=sorted(d.isoformat() for d in days if isinstance(d, date)))
        self._days_off[span] = (now, answer)
        return answer

    @activity.defn(name=c.SEND_TO_AGENCY)
    def send_to_agency(self, send: c.AgencySend) -> c.AgencyReceipt:
        return self.agencies.send(send)

    @activity.defn(name=c.POLL_AGENCIES)
    def poll_agencies(self, req: c.AgencyPollRequest) -> c.AgencyPollResult:
        return self.agencies.poll(req)

    def all(self) -> list:
        return [
            self.project_case_event,
            self.classify_complaint,
            self.load_routing_options,
            self.load_days_off,
            self.send_to_agency,
            self.poll_agencies,
        ]
