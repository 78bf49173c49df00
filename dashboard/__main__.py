"""Command line: ``python -m dashboard db upgrade``, ``python -m dashboard users create …``."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.orm import Session

from dashboard.services import users
from db.config import database_url
from db.engine import make_engine
from db.migrate import downgrade, upgrade
from db.models import LANGUAGES, ROLES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    parser.add_argument("--database-url", default=None,
                        help="default: DATABASE_URL, secrets.toml, or data/csol.db")
    areas = parser.add_subparsers(dest="area", required=True)

    db_cmd = areas.add_parser("db", help="schema migrations").add_subparsers(
        dest="action", required=True)
    up = db_cmd.add_parser("upgrade", help="migrate to the newest schema (or REVISION)")
    up.add_argument("revision", nargs="?", default="head")
    down = db_cmd.add_parser("downgrade", help="migrate back to REVISION")
    down.add_argument("revision")

    user_cmd = areas.add_parser("users", help="accounts").add_subparsers(
        dest="action", required=True)
    create = user_cmd.add_parser("create", help="create an account (password asked for)")
    create.add_argument("username")
    create.add_argument("--role", choices=ROLES, required=True)
    create.add_argument("--name", required=True, help="full name")
    create.add_argument("--email", required=True)
    create.add_argument("--language", choices=LANGUAGES, default="en")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input")
    unlock = user_cmd.add_parser("unlock", help="lift a sign-in lockout")
    unlock.add_argument("username")

    args = parser.parse_args(argv)
    engine = make_engine(args.database_url or database_url())
    if args.area == "db":
        if args.action == "upgrade":
            upgrade(engine, args.revision)
        else:
            downgrade(engine, args.revision)
        print(f"Database at revision {args.revision}.")
        return 0
    with Session(engine) as session, session.begin():
        if args.action == "create":
            password = (sys.stdin.readline().rstrip("\n") if args.password_stdin
                        else getpass.getpass("Password: "))
            try:
                users.create_user(session=session, username=args.username, full_name=args.name,
                                  email=args.email, role=args.role, language=args.language,
                                  password=password)
            except ValueError as exc:
                print(f"Not created: {exc}", file=sys.stderr)
                return 2
            print(f"Created {args.role} {args.username}.")
        else:
            try:
                users.unlock_by_username(session=session, username=args.username)
            except LookupError as exc:
                print(exc, file=sys.stderr)
                return 2
            print(f"Unlocked {args.username}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
