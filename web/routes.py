"""The staff front: login, the officers' inbox, the case page and the supervisors' board, served as
Jinja pages and htmx fragments. `router` gathers the front's routers (each built with
`web.pages.WebRoute`); `start(app)` and `stop(app)` run in the app's lifespan, after the read model and
the gateway are open."""

from __future__ import annotations

import os

from fastapi import APIRouter, FastAPI

from web import (
    account,
    admin,
    board,
    case_actions,
    case_conversation,
    case_letter,
    cases,
    codec,
    data_requests,
    directory_admin,
    directory_feed_admin,
    directory_routing_admin,
    faq_admin,
    faq_proposals,
    filings_admin,
    inbox,
    login,
    questions,
    similar,
    status_link,
    walk_in,
)

router = APIRouter()
for part in (login, account, inbox, cases, case_actions, questions, admin, filings_admin, board, data_requests):
    router.include_router(part.router)
# The rules and the feed before the records: "/admin/directory/rules/7" is not a record's kind and code.
for part in (directory_routing_admin, directory_feed_admin, directory_admin):
    router.include_router(part.router)
router.include_router(codec.router)  # the Temporal UI's codec server (administrators only)
router.include_router(faq_admin.router)  # "did this help?" per FAQ entry (supervisors, administrators)
router.include_router(faq_proposals.router)  # FAQ entries proposed from answered questions, reviewed
router.include_router(case_letter.router)  # the forwarding letter, its PDF, the status link's revoke/reissue
router.include_router(status_link.router)  # the agencies' status-link page (no staff sign-in)
router.include_router(walk_in.router)  # filing for a citizen at the counter, 1567, letter, e-mail; the receipt
router.include_router(similar.router)  # similar cases on the case page, linking to a lead; clusters on the board
router.include_router(case_conversation.router)  # the case conversation fragment the case page polls


async def start(app: FastAPI) -> None:
    # Session cookies are Secure everywhere but on a developer's plain-HTTP laptop (see web.auth).
    app.state.staff_secure_cookies = os.environ.get("APP_ENV", "development") == "production"


async def stop(app: FastAPI) -> None:
    return None
