"""Administrators' command line for the Open311 door: issue a key to a partner system (shown once;
only its hash is kept), revoke one, list them, and mark which categories' cases may be listed publicly.

    python -m scripts.open311_clients issue "Trang city app" --by moi.admin
    python -m scripts.open311_clients revoke 3
    python -m scripts.open311_clients list
    python -m scripts.open311_clients public infrastructure on|off

It works on the read model of `DATABASE_URL` (as the app does)."""

from __future__ import annotations

import argparse
import sys

from db import open311
from db.session import database_url, make_engine, make_sessions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue", help="issue a key to a client")
    issue.add_argument("name")
    issue.add_argument("--by", required=True, help="the administrator issuing it")
    commands.add_parser("revoke", help="revoke a client's key").add_argument("id", type=int)
    commands.add_parser("list", help="list the clients")
    public = commands.add_parser("public", help="whether a category's cases may be listed publicly")
    public.add_argument("category")
    public.add_argument("state", choices=["on", "off"])
    args = parser.parse_args(argv)
    engine = make_engine(database_url())
    try:
        with make_sessions(engine).begin() as s:
            if args.command == "issue":
                client, key = open311.issue(s, args.name, args.by)
                print(f"client {client.id} ({client.name}): {key}\nthe key is shown only now; keep it safe")
            elif args.command == "revoke":
                if not open311.revoke(s, args.id):
                    print(f"no live client {args.id}", file=sys.stderr)
                    return 1
                print(f"client {args.id} revoked")
            elif args.command == "list":
                for c in open311.clients(s):
                    state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "live"
                    print(f"{c.id}\t{c.name}\tissued {c.issued_at:%Y-%m-%d} by {c.issued_by}\t{state}")
            elif not open311.set_public(s, args.category, args.state == "on"):
                print(f"no category {args.category}", file=sys.stderr)
                return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
