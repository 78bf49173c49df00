"""Command line: ``python -m dashboard db upgrade``, ``python -m dashboard users create|update …``,
``python -m dashboard outbox send [--loop]``, ``python -m dashboard intake smtp|import|…``,
``python -m dashboard balances close [--recompute]``,
``python -m dashboard peppol export --since DATE DIR``,
``python -m dashboard notify invoices|statements``,
``python -m dashboard enquiries auto-close``, ``python -m dashboard retention purge``,
``python -m dashboard privacy export|erase|confirm|pending``."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dashboard.business_calendar import BRUSSELS
from dashboard.config import ConfigError, load_smtp_settings
from dashboard.intake import cli as intake_cli
from dashboard.mail import sender
from dashboard.services import auto_close, closes, portfolio, retention, teams, users
from dashboard.vendor import Vendor
from db.config import database_url
from db.engine import make_engine
from db.locks import SCHEMA_LOCK, database_lock
from db.migrate import downgrade, upgrade
from db.models import LANGUAGES, ROLES

N = TypeVar("N", int, float)


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
    create.add_argument("--team", default=None, help="the team's name")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input")
    change = user_cmd.add_parser("update", help="change an account: only the options given")
    change.add_argument("username")
    change.add_argument("--role", choices=ROLES)
    change.add_argument("--name", help="full name")
    change.add_argument("--email")
    change.add_argument("--language", choices=LANGUAGES)
    team_choice = change.add_mutually_exclusive_group()
    team_choice.add_argument("--team", help="the team's name")
    team_choice.add_argument("--no-team", action="store_true", help="in no team")
    active_choice = change.add_mutually_exclusive_group()
    active_choice.add_argument("--active", action="store_true", dest="activate",
                               help="reactivate the account")
    active_choice.add_argument("--inactive", action="store_true", dest="deactivate",
                               help="deactivate the account: its sessions end")
    unlock = user_cmd.add_parser("unlock", help="lift a sign-in lockout")
    unlock.add_argument("username")

    outbox_cmd = areas.add_parser("outbox", help="outgoing e-mail").add_subparsers(
        dest="action", required=True)
    send = outbox_cmd.add_parser("send", help="deliver the e-mails that are due over SMTP "
                                 "(CSOL_SMTP_* or [smtp] in secrets.toml)")
    send.add_argument("--loop", action="store_true",
                      help="keep delivering until Ctrl-C or SIGTERM")
    send.add_argument("--interval", type=positive(float), default=30.0, metavar="SECONDS",
                      help="pause between rounds with --loop (default 30)")
    send.add_argument("--limit", type=positive(int), default=sender.DEFAULT_LIMIT, metavar="N",
                      help=f"at most N e-mails per round (default {sender.DEFAULT_LIMIT})")

    balances_cmd = areas.add_parser("balances", help="account balances").add_subparsers(
        dest="action", required=True)
    close = balances_cmd.add_parser(
        "close", help="work out and keep the past months' receivables (run after each month "
        "end, e.g. from cron; the balances page closes what is missing itself)")
    close.add_argument("--months", type=positive(int), default=portfolio.HISTORY_MONTHS,
                       metavar="N", help="the N months before this one "
                       f"(default {portfolio.HISTORY_MONTHS}, what the balances page shows)")
    close.add_argument("--recompute", action="store_true",
                       help="work out months already closed again, e.g. after payments were "
                       "booked into a closed month")

    peppol_cmd = areas.add_parser("peppol", help="Peppol e-invoices").add_subparsers(
        dest="action", required=True)
    export = peppol_cmd.add_parser(
        "export", help="write the Peppol BIS 3.0 UBL file of every invoice and credit note "
        "issued since DATE into DIR")
    export.add_argument("--since", type=date.fromisoformat, required=True, metavar="DATE",
                        help="first issue date, YYYY-MM-DD")
    export.add_argument("--until", type=date.fromisoformat, default=None, metavar="DATE",
                        help="last issue date (default: today)")
    export.add_argument("directory", type=Path, metavar="DIR")

    notify_cmd = areas.add_parser(
        "notify", help="e-mail documents to subscribed contacts (for cron or a timer)"
    ).add_subparsers(dest="action", required=True)
    notify_cmd.add_parser("invoices", help="queue each newly released invoice and credit "
                          "note for the contacts subscribed to invoice e-mails")
    notify_cmd.add_parser("statements", help="queue last month's statement of account for "
                          "the contacts subscribed to it")
    enquiries_cmd = areas.add_parser("enquiries", help="enquiries").add_subparsers(
        dest="action", required=True)
    enquiries_cmd.add_parser(
        "auto-close", help="close resolved enquiries the customer left unanswered for the "
        "auto-close period (settings page; run from cron, e.g. hourly)")

    retention_cmd = areas.add_parser("retention", help="keeping records").add_subparsers(
        dest="action", required=True)
    retention_cmd.add_parser("purge", help="delete audit rows older than the retention "
                             "period (settings page; run from cron, e.g. daily)")

    privacy_cmd = areas.add_parser(
        "privacy", help="a contact's personal data: export, erasure by two administrators"
    ).add_subparsers(dest="action", required=True)
    p_export = privacy_cmd.add_parser("export", help="write everything held about a contact "
                                      "to a ZIP file")
    p_export.add_argument("contact_id", type=positive(int), metavar="CONTACT_ID")
    p_export.add_argument("file", type=Path, metavar="FILE.zip")
    p_export.add_argument("--by", required=True, metavar="USERNAME", help="an administrator")
    p_erase = privacy_cmd.add_parser("erase", help="ask for a contact's personal data to be "
                                     "erased (another administrator confirms)")
    p_erase.add_argument("contact_id", type=positive(int), metavar="CONTACT_ID")
    p_erase.add_argument("--by", required=True, metavar="USERNAME", help="an administrator")
    p_erase.add_argument("--reason", required=True, help="the person's request: its date and "
                         "how it came")
    p_confirm = privacy_cmd.add_parser("confirm", help="carry out an erasure another "
                                       "administrator asked for; cannot be undone")
    p_confirm.add_argument("request_id", type=positive(int), metavar="REQUEST_ID")
    p_confirm.add_argument("--by", required=True, metavar="USERNAME", help="an administrator")
    p_confirm.add_argument("--yes", action="store_true", help="erase for good (without it, "
                           "only shows what would be erased)")
    privacy_cmd.add_parser("pending", help="list the erasures waiting for confirmation")

    intake_cli.add_commands(areas)

    args = parser.parse_args(argv)
    # Account commands never show statement parameters: they hold password hashes.
    engine = make_engine(args.database_url or database_url(),
                         hide_parameters=args.area == "users")
    if args.area == "outbox":
        return send_outbox(engine, args)
    if args.area == "intake":
        return intake_cli.run(engine, args)
    if args.area == "balances":
        return close_months(engine, args)
    if args.area == "peppol":
        return export_e_invoices(engine, args)
    if args.area == "notify":
        return notify_contacts(engine, args)
    if args.area == "enquiries":
        return auto_close_enquiries(engine)
    if args.area == "privacy":
        return privacy_command(engine, args)
    if args.area == "retention":
        with Session(engine) as session, session.begin():
            deleted = retention.purge(session=session, now=datetime.now(UTC))
        print(f"Deleted {deleted} audit rows older than the retention period.")
        return 0
    if args.area == "db":
        # Under the schema lock: app servers starting meanwhile wait instead of migrating too.
        with database_lock(engine, SCHEMA_LOCK):
            if args.action == "upgrade":
                upgrade(engine, args.revision)
            else:
                downgrade(engine, args.revision)
        print(f"Database at revision {args.revision}.")
        return 0
    if args.action == "create":
        return create_user(engine, args)
    if args.action == "update":
        return update_user(engine, args)
    with Session(engine) as session, session.begin():
        try:
            users.unlock_by_username(session=session, username=args.username)
        except LookupError as exc:
            print(exc, file=sys.stderr)
            return 2
    print(f"Unlocked {args.username}: its sign-in waits are lifted.")
    return 0


def create_user(engine: Engine, args: argparse.Namespace) -> int:
    """Whatever fails, nothing printed carries the password or its hash: the engine hides
    statement parameters (see ``main``) and a database refusal is told by its kind alone."""
    password = (sys.stdin.readline().rstrip("\n") if args.password_stdin
                else getpass.getpass("Password: "))
    try:
        with Session(engine) as session, session.begin():
            team = getattr(args, "team", None)
            users.create_user(session=session, username=args.username, full_name=args.name,
                              email=args.email, role=args.role, language=args.language,
                              password=password,
                              team_id=teams.team_id_by_name(session=session, name=team)
                              if team else None)
    except (ValueError, LookupError) as exc:
        print(f"Not created: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"Not created: the database refused the account ({type(exc).__name__}"
              f"{': ' + type(exc.orig).__name__ if getattr(exc, 'orig', None) else ''}).",
              file=sys.stderr)
        return 1
    print(f"Created {args.role} {args.username}.")
    return 0


def _company(engine: Engine) -> Vendor:
    """The company as the documents print it (the settings page, else the secrets file)."""
    from dashboard.services import settings

    with Session(engine) as session:
        return settings.company(session=session)


def notify_contacts(engine: Engine, args: argparse.Namespace) -> int:
    from dashboard import notify  # PDF libraries load only for this command

    now = datetime.now(BRUSSELS)
    vendor = _company(engine)
    if args.action == "invoices":
        report = notify.notify_invoices(engine=engine, vendor=vendor, now=now)
    else:
        report = notify.notify_statements(engine=engine, vendor=vendor, today=now.date(),
                                          now=now)
    print(report.summary("invoice" if args.action == "invoices" else "statement")
          + " The outbox sender delivers them (python -m dashboard outbox send).")
    return 0


def export_e_invoices(engine: Engine, args: argparse.Namespace) -> int:
    """One file per document; a customer without a Peppol address is reported, not fatal."""
    from dashboard.documents import ubl  # the XML writer loads only for this command
    from dashboard.services import einvoices

    vendor = _company(engine)
    args.directory.mkdir(parents=True, exist_ok=True)
    written, skipped = 0, []
    with Session(engine) as session:
        for invoice_id in einvoices.issued_between(session=session, since=args.since,
                                                   until=args.until):
            try:
                source = einvoices.e_invoice_source(session=session, invoice_id=invoice_id)
            except einvoices.NoPeppolAddress as exc:
                skipped.append(str(exc))
                continue
            if source is None:
                continue
            detail, _ = source
            path = args.directory / ubl.file_name(detail.number, detail.issue_date)
            path.write_bytes(ubl.e_invoice(*source, vendor))
            written += 1
    print(f"Wrote {written} e-invoices to {args.directory}.")
    for reason in skipped:
        print(f"Skipped: {reason}", file=sys.stderr)
    return 0


def auto_close_enquiries(engine: Engine) -> int:
    # One host at a time: a second run started meanwhile waits, then finds nothing to close
    # instead of failing on the enquiries the first one just closed.
    with database_lock(engine, "csol-auto-close"), Session(engine) as session, \
            session.begin():
        closed = auto_close.close_resolved(session=session, now=datetime.now(UTC))
    print(f"Closed {len(closed)} resolved enquiries" + (f": {', '.join(closed)}." if closed
                                                        else "."))
    return 0


def privacy_command(engine: Engine, args: argparse.Namespace) -> int:
    """The privacy page's actions, for an administrator named by ``--by``; audited the same."""
    from dashboard.services import privacy
    from dashboard.services.errors import StaleEditError, ValidationError

    now = datetime.now(UTC)
    if args.action == "pending":
        with Session(engine) as session:
            waiting = privacy.requests(session=session, status="pending")
        for r in waiting:
            print(f"{r.id}\tcontact {r.contact_id} {r.contact_name} of {r.customer_name} "
                  f"({r.customer_number})\tasked by {r.requested_by} at "
                  f"{r.requested_at:%Y-%m-%d %H:%M} UTC: {r.reason}")
        print(f"{len(waiting)} erasures waiting for confirmation.")
        return 0
    try:
        with Session(engine) as session, session.begin():
            by = users.get_user(session=session, username=args.by)
            if by is None or not by.has_role("admin"):
                print(f"{args.by} is not an active administrator.", file=sys.stderr)
                return 2
            if args.action == "export":
                data = privacy.export_contact(session=session, contact_id=args.contact_id,
                                              by=by, now=now)
                args.file.write_bytes(data)
                print(f"Wrote {args.file} ({len(data)} bytes).")
                return 0
            if args.action == "erase":
                request_id = privacy.request_erasure(session=session,
                                                     contact_id=args.contact_id,
                                                     reason=args.reason, by=by, now=now)
                print(f"Erasure requested as number {request_id}: another administrator "
                      f"confirms it with `privacy confirm {request_id} --by USERNAME --yes`.")
                return 0
            pending = [r for r in privacy.requests(session=session, status="pending")
                       if r.id == args.request_id]
            if not pending:
                print(f"No erasure {args.request_id} is waiting for confirmation.",
                      file=sys.stderr)
                return 2
            request = pending[0]
            if not args.yes:
                print(f"Would erase contact {request.contact_id} {request.contact_name} of "
                      f"{request.customer_name}:")
                for held in privacy.holdings(session=session, contact_id=request.contact_id):
                    print(f"  {held.count}\t{held.title}")
                print("Run again with --yes to erase for good.")
                return 1
            erased = privacy.confirm_erasure(session=session, request_id=request.id,
                                             expected_version=request.version, by=by, now=now)
    except (ValidationError, StaleEditError, LookupError) as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 2
    print("Erased. Rows changed or removed per table: "
          + ", ".join(f"{k} {v}" for k, v in erased.items()) + ".")
    return 0


def update_user(engine: Engine, args: argparse.Namespace) -> int:
    """Change what the options name, leave the rest; audited like a change in the UI."""
    try:
        with Session(engine) as session, session.begin():
            found = users.get_user_any(session=session, username=args.username)
            if found is None:
                raise LookupError(f"No user named {args.username}.")
            team_id = (None if args.no_team else
                       teams.team_id_by_name(session=session, name=args.team) if args.team
                       else found.team_id)
            changed = users.update_user(
                session=session, user_id=found.id, version=None,
                full_name=args.name if args.name is not None else found.full_name,
                email=args.email if args.email is not None else found.email,
                role=args.role or found.role, language=args.language or found.language,
                team_id=team_id, by=None)
            if (args.activate or args.deactivate) and users.set_active(
                    session=session, user_id=found.id, active=args.activate, by=None):
                changed.append("is_active")
    except (ValueError, LookupError) as exc:
        print(f"Not changed: {exc}", file=sys.stderr)
        return 2
    print(f"Updated {found.username}: {', '.join(changed)}." if changed
          else f"Nothing to change for {found.username}.")
    return 0


def close_months(engine: Engine, args: argparse.Namespace) -> int:
    with Session(engine) as session, session.begin():
        report = closes.close_before(session=session, today=datetime.now(BRUSSELS).date(),
                                     count=args.months, recompute=args.recompute)
    if report is None:
        print(f"The {args.months} months before this one were closed already.")
        return 0
    first, last = report.months[0], report.months[-1]
    print(f"Closed {len(report.months)} months ({first:%B %Y} to {last:%B %Y}), "
          f"{report.slices} slices of the portfolio, in {report.seconds:.1f} s"
          + ("." if report.stored else "; another process had just closed them."))
    return 0


def send_outbox(engine: Engine, args: argparse.Namespace) -> int:
    try:
        smtp = load_smtp_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not args.loop:
        report = sender.deliver(engine=engine, smtp=smtp, limit=args.limit)
        print(report.summary())
        return 1 if report.relay_error else 0
    stop = threading.Event()
    print(f"Delivering through {smtp.host}:{smtp.port} every {args.interval:g} s; "
          "Ctrl-C to stop.", flush=True)
    with sender.stop_on_signals(stop):
        sender.deliver_until_stopped(
            engine=engine, smtp=smtp, stop=stop, interval_seconds=args.interval,
            limit=args.limit, on_report=_print_if_busy)
    print("Stopped.")
    return 0


def positive(kind: Callable[[str], N]) -> Callable[[str], N]:
    def parse(text: str) -> N:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
        return value
    return parse


def _print_if_busy(report: sender.DeliveryReport) -> None:
    if report.attempted or report.relay_error:
        print(report.summary(), flush=True)


if __name__ == "__main__":
    sys.exit(main())
