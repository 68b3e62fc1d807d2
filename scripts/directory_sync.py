"""`make directory-sync SOURCE=<url or path> [APPLY=1] [REASON=...]`: compare the directory at
DATABASE_URL with a feed (docs/directory-feed.md) and print the difference as JSON on stdout. Without
`--apply` nothing changes; with it the difference is applied in one transaction and audited under
`--actor` (default: the operating system user) and `--reason`. A feed that fails its checks changes
nothing: its errors go to stderr as JSON and the exit status is 1."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from db.directory_sync import FeedInvalid, apply, diff, load_feed
from db.session import database_url, make_engine, make_sessions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="directory-sync", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="the feed's URL (http/https) or file path")
    parser.add_argument("--apply", action="store_true", help="apply the difference (default: dry run)")
    parser.add_argument("--actor", default="", help="who applies it, for the audit log")
    parser.add_argument("--reason", default="", help="why, for the audit log")
    args = parser.parse_args(argv)
    try:
        feed = load_feed(args.source)
    except FeedInvalid as err:
        print(json.dumps({"errors": err.errors}, ensure_ascii=False, indent=2), file=sys.stderr)
        return 1
    engine = make_engine(database_url())
    try:
        sessions = make_sessions(engine)
        if args.apply:
            actor = args.actor or f"cli:{getpass.getuser()}"
            reason = args.reason or f"make directory-sync SOURCE={args.source}"
            with sessions.begin() as s:
                found = apply(s, feed, actor, reason)
        else:
            with sessions() as s:
                found = diff(s, feed)
                s.rollback()
    except FeedInvalid as err:
        print(json.dumps({"errors": err.errors}, ensure_ascii=False, indent=2), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
