"""Every service function that writes leaves an audit row.

``write_functions`` reads the source of the service, intake and mail modules and lists each
public function that writes to the database: directly (``session.add``, ``add_all``,
``delete``, an ``insert``/``update``/``delete`` statement, a versioned write, an audit row)
or through a helper of its module or a writing function of another module. The test checks
that this list is exactly ``RUNS`` plus ``NOT_AUDITED`` (with the reason each of those is
bookkeeping rather than a change), then runs each function of ``RUNS`` on a small world and
checks that the audit log has grown. A new writing function fails the first check until it
is listed here, and the second until it is audited.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("dashboard/services", "dashboard/intake", "dashboard/mail")
SESSION_WRITES = {"add", "add_all", "delete", "merge", "bulk_save_objects",
                  "bulk_insert_mappings", "bulk_update_mappings"}
STATEMENTS = {"insert", "update", "delete"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _imports(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Names bound to dashboard modules or functions (alias -> qualified name), and the
    names bound to SQLAlchemy's insert/update/delete."""
    bound: dict[str, str] = {}
    statements: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                name = alias.asname or alias.name
                if node.module.startswith("dashboard"):
                    bound[name] = f"{node.module}.{alias.name}"
                elif node.module.startswith("sqlalchemy") and alias.name in STATEMENTS:
                    statements.add(name)
    return bound, statements


LOADS = {"get", "get_one", "scalar", "scalars", "execute", "merge"}


def _row_names(fn: ast.FunctionDef, models: set[str]) -> set[str]:
    """Names in ``fn`` that hold mapped rows: parameters typed with a model, and names bound
    from the session (``session.get(...)``, ``session.scalars(...)``…), loops over them too."""
    rows = {a.arg for a in [*fn.args.args, *fn.args.kwonlyargs]
            if isinstance(a.annotation, ast.Name) and a.annotation.id in models}

    def loaded(value: ast.AST) -> bool:
        return any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                   and c.func.attr in LOADS and "session" in _receiver(c.func.value)
                   for c in ast.walk(value))

    def from_rows(value: ast.AST) -> bool:
        return loaded(value) or (isinstance(value, ast.Name) and value.id in rows)

    size = -1
    while size != len(rows):  # ``found = session.execute(…).first(); row, … = found``
        size = len(rows)
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and from_rows(node.value):
                rows |= {t.id for target in node.targets for t in ast.walk(target)
                         if isinstance(t, ast.Name)}
            elif isinstance(node, ast.For) and (loaded(node.iter) or any(
                    isinstance(n, ast.Name) and n.id in rows for n in ast.walk(node.iter))):
                rows |= {t.id for t in ast.walk(node.target) if isinstance(t, ast.Name)}
    return rows


def _facts(path: Path) -> dict[str, tuple[bool, set[str]]]:
    """Per top-level function: whether it writes itself, and what it calls (qualified)."""
    tree = ast.parse(path.read_text())
    module = _module_name(path)
    bound, statements = _imports(tree)
    models = {alias.asname or alias.name for node in tree.body
              if isinstance(node, ast.ImportFrom) and node.module == "db.models"
              for alias in node.names}
    local = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    facts: dict[str, tuple[bool, set[str]]] = {}
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        writes, calls = False, set()
        rows = _row_names(fn, models)
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign | ast.AugAssign):  # a loaded row's attribute set
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for part in ast.walk(target):
                        if (isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name)
                                and part.value.id in rows):
                            writes = True
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = _receiver(func.value)
                if func.attr in SESSION_WRITES and ("session" in owner or owner == "s"):
                    writes = True
                elif owner in bound:
                    calls.add(f"{bound[owner]}.{func.attr}")
            elif isinstance(func, ast.Name):
                if func.id in statements:
                    writes = True
                elif func.id in local:
                    calls.add(f"{module}.{func.id}")
                elif func.id in bound:
                    calls.add(bound[func.id])
        facts[f"{module}.{fn.name}"] = (writes, calls)
    return facts


def write_functions() -> set[str]:
    facts: dict[str, tuple[bool, set[str]]] = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).glob("*.py")):
            facts.update(_facts(path))
    writing = {name for name, (writes, _) in facts.items() if writes}
    changed = True
    while changed:  # a function that calls a writing one writes
        changed = False
        for name, (_, calls) in facts.items():
            if name not in writing and calls & writing:
                writing.add(name)
                changed = True
    return {name for name in writing if not name.rsplit(".", 1)[1].startswith("_")}


# --- what is not audited, and why ---------------------------------------------------------

NOT_AUDITED = {
    "dashboard.services.audit.record": "it writes the audit row itself",
    "dashboard.services.versioned.write_if_unchanged":
        "the versioned write inside every edit; the edit that calls it is audited",
    "dashboard.services.enquiries.insert_with_reference":
        "numbers a new enquiry inside open_enquiry and intake, which audit it",
    "dashboard.intake.pipeline.store_raw":
        "keeps the bytes as received before anything reads them; what becomes of the "
        "message (an enquiry, set aside, quarantine) is audited when it is processed",
    "dashboard.services.outbox.claim_due":
        "the sender's lease on a message; the outcome (sent, retried, failed) is audited",
    "dashboard.services.login_throttle.count_failure":
        "sign-in counters; the refusal itself is audited by users.attempt_login",
    "dashboard.services.login_throttle.clear": "sign-in counters, cleared on a sign-in "
                                               "(audited) or an unlock (audited)",
    "dashboard.services.login_throttle.clear_user": "as clear",
    "dashboard.services.login_throttle.delete_scope": "as clear",
    "dashboard.services.sessions.start": "the session of a sign-in, which is audited",
    "dashboard.services.sessions.check": "notes a session's last use, or ends an expired one",
    "dashboard.services.sessions.revoke": "ends the session of a sign-out, which is audited",
    "dashboard.services.sessions.revoke_all":
        "ends the sessions of a deactivated or changed account, which is audited",
    "dashboard.services.closes.close_months":
        "closed receivable months: figures worked out again from the ledger, no decision",
    "dashboard.services.closes.closed_months": "as close_months",
    "dashboard.services.closes.close_before": "as close_months",
    "dashboard.services.portfolio.portfolio": "reads the portfolio, closing months as above",
    "dashboard.services.notifications.claim":
        "claims a document for a contact inside the notification job; the e-mail it queues "
        "is audited (record_queued, outbox.enqueue)",
    "dashboard.services.portal.check_session":
        "notes a portal session's last use, or ends an expired one (as sessions.check)",
    "dashboard.services.public.allowed":
        "counts a request to a public page; a refusal is audited, and so is each lookup "
        "(public.track) and form (the intake)",
}
# Loops and command lines that only call the writing functions listed in RUNS.
DRIVERS = {
    "dashboard.intake.cli.run", "dashboard.intake.smtp.listening", "dashboard.intake.smtp.serve",
    "dashboard.mail.sender.deliver_until_stopped",
}


# --- running each writing function --------------------------------------------------------

# ruff: noqa: E402  (the scan above needs nothing of the app; the runs below need all of it)
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.config import SmtpSettings
from dashboard.intake import pipeline, sources, webform
from dashboard.mail import sender
from dashboard.services import (
    canned_replies,
    customers,
    enquiries,
    enquiry_detail,
    intake_settings,
    inventory,
    notifications,
    outbox,
    public,
    routing,
    users,
    workflow,
)
from dashboard.services.canned_replies import ReplyText
from dashboard.services.customers import Caller
from dashboard.services.users import UserInfo
from db.models import AuditLog, Enquiry, OutboundMessage, User
from tests import factories as f
from tests.browser_support import free_port

NOW = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)
MAIL = (b"From: Anne Dupre <anne@dupre.be>\r\nTo: support@csol.example\r\n"
        b"Subject: Invoice question\r\nMessage-ID: <%s@dupre.be>\r\n\r\n"
        b"About invoice INV-2026-000001, please.\r\n")
PASSWORD = "correct-horse-1"


@dataclass
class World:
    engine: Engine
    s: Session
    tmp: Path
    rep: UserInfo
    lead: UserInfo
    admin: UserInfo
    ids: dict[str, int]


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.username, u.full_name, u.email, u.role, u.team_id, None)


def _outbound(s: Session, status: str, **kw: Any) -> int:
    message_id = outbox.enqueue(session=s, kind="reply", to_address="anne@dupre.be",
                                subject="Re: invoice", body_text="Paid, thank you.", now=NOW)
    s.flush()
    row = s.get_one(OutboundMessage, message_id)
    row.status = status
    for key, value in kw.items():
        setattr(row, key, value)
    return message_id


def build(engine: Engine, tmp: Path) -> World:
    with Session(engine) as s, s.begin():
        billing = f.team(s, "Billing", categories=["invoices", "orders", "contracts",
                                                   "inventory", "other"],
                         languages=["nl", "fr", "en", "de"])
        rep = f.user(s, "rep", team_id=billing.id)
        other = f.user(s, "rep2", team_id=billing.id)
        lead = f.user(s, "lead", role="lead", team_id=billing.id)
        admin = f.user(s, "admin", role="admin")
        cust = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100001",
                          email="info@dupre.be")
        anne = f.contact(s, cust, email="anne@dupre.be", fax="+3225551234")
        site = f.site(s, cust)
        other_site = f.site(s, cust, "Warehouse")
        product = f.product(s)
        order = f.order(s, cust)
        invoice = f.invoice(s, cust, number="INV-2026-000001")
        contract = f.contract(s, cust)
        item = f.item(s, cust, site, product)
        f.sla_policy(s)
        enquiry = f.enquiry(s, customer_id=cust.id, contact_id=anne.id, status="open",
                            assignee_id=rep.id, team_id=billing.id, category="invoices",
                            language="fr", created_at=NOW - timedelta(hours=3))
        duplicate = f.enquiry(s, customer_id=cust.id, status="new", team_id=billing.id,
                              category="invoices", language="fr",
                              created_at=NOW - timedelta(hours=2))
        f.enquiry(s, status="new", team_id=billing.id, category="invoices", language="en",
                  created_at=NOW - timedelta(hours=1))
        quarantined, _ = pipeline.store_raw(s, MAIL % b"q1", "smtp", received_at=NOW)
        quarantined.status, quarantined.error = "quarantined", "RuntimeError: test"
        received, _ = pipeline.store_raw(s, MAIL % b"r1", "smtp", received_at=NOW)
        by = _info(lead)
        reply = canned_replies.create_reply(
            session=s, name="Invoice copy", category="invoices", by=by,
            texts={c: ReplyText("Invoice {invoice_number}", "Dear {contact_name},")
                   for c in ("en", "fr", "nl", "de")})
        ids = {
            "customer": cust.id, "contact": anne.id, "site": site.id,
            "other_site": other_site.id, "product": product.id, "order": order.id,
            "invoice": invoice.id, "contract": contract.id, "item": item.id,
            "enquiry": enquiry.id, "duplicate": duplicate.id, "other_rep": other.id,
            "quarantined": quarantined.id, "received": received.id, "reply": reply,
            "failed": _outbound(s, "failed", attempts=5, last_error="550 no such user"),
            "sending": _outbound(s, "sending", next_attempt_at=NOW + timedelta(minutes=5)),
            "stalled": _outbound(s, "sending", next_attempt_at=NOW - timedelta(minutes=5)),
            "due": _outbound(s, "queued", next_attempt_at=NOW - timedelta(minutes=1)),
        }
        world = (_info(rep), _info(lead), _info(admin))
        s.execute(AuditLog.__table__.delete())  # what building the world recorded
    session = Session(engine)
    return World(engine, session, tmp, *world, ids=ids)


def _enquiry_version(w: World, key: str = "enquiry") -> int:
    version: int = w.s.scalar(select(Enquiry.version).where(Enquiry.id == w.ids[key])) or 0
    return version


def _new_enquiry(w: World) -> enquiries.NewEnquiry:
    return enquiries.NewEnquiry(customer_id=w.ids["customer"], subject="Copy of invoice",
                                body="Please send a copy.", category="invoices",
                                contact_id=w.ids["contact"])


def _caller(w: World) -> Caller:
    return Caller(w.ids["contact"], "Anne Dupré", "entitled", "customer_number")


def _smtp() -> Iterator[SmtpSettings]:
    class Accept:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 OK"

    port = free_port()
    controller = Controller(Accept(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpSettings(host="127.0.0.1", port=port, timeout_seconds=5)
    finally:
        controller.stop()


def _deliver(w: World) -> None:
    for smtp in _smtp():
        assert sender.deliver(engine=w.engine, smtp=smtp, now=NOW).sent >= 1


def _import(w: World) -> None:
    path = w.tmp / "one.eml"
    path.write_bytes(MAIL % b"imported")
    sources.import_paths(w.engine, [path], now=NOW)


def _web_form(w: World) -> None:
    with Session(w.engine) as s:
        webform.submit_web_form(s, "Anne Dupré", "anne@dupre.be", None, "C100001",
                                "Invoice question", "Please send invoice INV-2026-000001.",
                                NOW)


def _online_form(w: World) -> None:
    with Session(w.engine) as s:
        webform.submit_online_form(s, webform.OnlineForm(
            topic="invoices", name="Anne Dupré", email="anne@dupre.be", phone="",
            customer_number="C100001", subject="Invoice question",
            message="Please send the invoice again.", document="INV-2026-000001"),
            "fr", NOW)


def _notified(w: World) -> None:
    due = notifications.Due("invoice", w.ids["contact"], w.ids["customer"], "anne@dupre.be",
                            "Anne Dupré", "fr", "INV-2026-000001", w.ids["invoice"])
    claim = notifications.claim(session=w.s, due=due, now=NOW)
    assert claim is not None
    notifications.record_queued(session=w.s, claim_id=claim, outbound_message_id=w.ids["due"],
                                due=due)


def _intake_save(w: World) -> None:
    form = intake_settings.load_form(session=w.s)
    from dataclasses import replace
    intake_settings.save(session=w.s, form=replace(form, intake_address="help@csol.example"),
                         by=w.admin)


def _login(w: World) -> None:
    assert users.attempt_login(session=w.s, username="rep", password=PASSWORD, now=NOW).ok


RUNS: dict[str, Callable[[World], Any]] = {
    # intake
    "dashboard.intake.pipeline.process": lambda w: pipeline.process(
        w.s, w.ids["received"], NOW),
    "dashboard.intake.pipeline.process_one": lambda w: pipeline.process_one(
        w.engine, w.ids["received"], NOW),
    "dashboard.intake.pipeline.receive": lambda w: pipeline.receive(
        w.engine, MAIL % b"new", "smtp", now=NOW),
    "dashboard.intake.pipeline.reprocess": lambda w: pipeline.reprocess(
        w.s, w.ids["quarantined"], w.rep, NOW),
    "dashboard.intake.pipeline.quarantine": lambda w: pipeline.quarantine(
        w.s, w.ids["received"], RuntimeError("cannot read")),
    "dashboard.intake.pipeline.make_enquiry_by_hand": lambda w: pipeline.make_enquiry_by_hand(
        w.s, w.ids["quarantined"], w.ids["customer"], "Invoice question", "invoices", w.rep,
        NOW),
    "dashboard.intake.sources.import_paths": _import,
    "dashboard.intake.sources.process_pending": lambda w: sources.process_pending(
        w.engine, now=NOW),
    "dashboard.intake.webform.submit_web_form": _web_form,
    # mail
    "dashboard.mail.sender.deliver": _deliver,
    # services
    "dashboard.services.canned_replies.create_reply": lambda w: canned_replies.create_reply(
        session=w.s, name="Thanks", category=None, by=w.admin,
        texts={c: ReplyText("Thanks", "Thank you.") for c in ("en", "fr", "nl", "de")}),
    "dashboard.services.canned_replies.update_reply": lambda w: canned_replies.update_reply(
        session=w.s, reply_id=w.ids["reply"], expected_version=1, name="Invoice copies",
        category="invoices", by=w.admin,
        texts={c: ReplyText("Invoice {invoice_number}", "Dear {contact_name},")
               for c in ("en", "fr", "nl", "de")}),
    "dashboard.services.canned_replies.set_retired": lambda w: canned_replies.set_retired(
        session=w.s, reply_id=w.ids["reply"], expected_version=1, retired=True, by=w.admin),
    "dashboard.services.customers.record_caller": lambda w: customers.record_caller(
        session=w.s, customer_id=w.ids["customer"], contact_id=w.ids["contact"],
        verification="customer_number", by_user_id=w.rep.id, by_username=w.rep.username),
    "dashboard.services.notifications.set_statement_notifications":
        lambda w: notifications.set_statement_notifications(
            session=w.s, contact_id=w.ids["contact"], enabled=True, by_user_id=w.rep.id,
            by_username=w.rep.username),
    "dashboard.services.notifications.record_queued": _notified,
    "dashboard.services.public.track": lambda w: public.track(
        session=w.s, order_number="SO-2026-000001", customer_number_or_postcode="C100001",
        client="test-client"),
    "dashboard.intake.webform.submit_online_form": _online_form,
    "dashboard.services.customers.set_invoice_notifications":
        lambda w: customers.set_invoice_notifications(
            session=w.s, contact_id=w.ids["contact"], enabled=True, by_user_id=w.rep.id,
            by_username=w.rep.username),
    "dashboard.services.enquiries.open_enquiry": lambda w: enquiries.open_enquiry(
        session=w.s, new=_new_enquiry(w), by=w.rep, now=NOW),
    "dashboard.services.enquiry_detail.note_viewing": lambda w: enquiry_detail.note_viewing(
        session=w.s, enquiry_id=w.ids["enquiry"], user=w.rep, now=NOW),
    "dashboard.services.intake_settings.save": _intake_save,
    "dashboard.services.inventory.add_item": lambda w: inventory.add_item(
        session=w.s, customer_id=w.ids["customer"], site_id=w.ids["site"],
        product_id=w.ids["product"], serial_number="SN99887766", installed_on=date(2026, 11, 1),
        warranty_end=None, contract_id=None, reason="Delivered and installed",
        enquiry_id=None, by=w.rep, today=date(2026, 11, 17)),
    "dashboard.services.inventory.relocate_item": lambda w: inventory.relocate_item(
        session=w.s, item_id=w.ids["item"], to_site_id=w.ids["other_site"],
        reason="Moved to the warehouse", enquiry_id=None, expected_version=1, by=w.rep),
    "dashboard.services.inventory.remove_item": lambda w: inventory.remove_item(
        session=w.s, item_id=w.ids["item"], removed_on=date(2026, 11, 16),
        reason="Returned at end of lease", enquiry_id=None, expected_version=1, by=w.rep,
        today=date(2026, 11, 17)),
    "dashboard.services.outbox.enqueue": lambda w: outbox.enqueue(
        session=w.s, kind="reply", to_address="anne@dupre.be", subject="Hello",
        body_text="Text", now=NOW),
    "dashboard.services.outbox.record_sent": lambda w: outbox.record_sent(
        session=w.s, outbound_message_id=w.ids["sending"], now=NOW),
    "dashboard.services.outbox.record_failure": lambda w: outbox.record_failure(
        session=w.s, outbound_message_id=w.ids["sending"], now=NOW, error="451 later",
        permanent=False),
    "dashboard.services.outbox.requeue_interrupted": lambda w: outbox.requeue_interrupted(
        session=w.s, now=NOW),
    "dashboard.services.outbox.resend": lambda w: outbox.resend(
        session=w.s, outbound_message_id=w.ids["failed"], by_id=w.admin.id,
        by_username=w.admin.username, now=NOW),
    "dashboard.services.outbox.cancel": lambda w: outbox.cancel(
        session=w.s, outbound_message_id=w.ids["failed"], by_id=w.admin.id,
        by_username=w.admin.username),
    "dashboard.services.routing.send_document": lambda w: routing.send_document(
        session=w.s, kind="invoice", customer_id=w.ids["customer"], to_address="anne@dupre.be",
        subject="Invoice INV-2026-000001", body="Attached.", filename="INV-2026-000001.pdf",
        pdf=b"%PDF-1.4 test", by=w.rep, caller=_caller(w)),
    "dashboard.services.users.attempt_login": _login,
    "dashboard.services.users.record_cookie_login": lambda w: users.record_cookie_login(
        session=w.s, user=w.rep),
    "dashboard.services.users.record_logout": lambda w: users.record_logout(
        session=w.s, user=w.rep, session_id=None, now=NOW),
    "dashboard.services.users.unlock": lambda w: users.unlock(
        session=w.s, user_id=w.rep.id, by=w.admin),
    "dashboard.services.users.unlock_by_username": lambda w: users.unlock_by_username(
        session=w.s, username="rep"),
    "dashboard.services.users.create_user": lambda w: users.create_user(
        session=w.s, username="newrep", full_name="New Rep", email="newrep@csol.example",
        role="rep", password="Vlaamse-frieten-2026!", by=w.admin),
    "dashboard.services.users.set_active": lambda w: users.set_active(
        session=w.s, user_id=w.rep.id, active=False, by=w.admin, now=NOW),
    "dashboard.services.users.set_role": lambda w: users.set_role(
        session=w.s, user_id=w.rep.id, role="lead", by=w.admin, now=NOW),
    "dashboard.services.users.set_password": lambda w: users.set_password(
        session=w.s, user_id=w.rep.id, password="Brusselse-wafels-2026!", by=w.admin,
        now=NOW),
    "dashboard.services.workflow.add_note": lambda w: workflow.add_note(
        session=w.s, enquiry_id=w.ids["enquiry"], body="Called her back.", by=w.rep, now=NOW),
    "dashboard.services.workflow.change_status": lambda w: workflow.change_status(
        session=w.s, enquiry_id=w.ids["enquiry"], to="pending_internal", by=w.rep,
        expected_version=_enquiry_version(w), now=NOW),
    "dashboard.services.workflow.change_status_of_many":
        lambda w: workflow.change_status_of_many(
            session=w.s, targets=[(w.ids["enquiry"], _enquiry_version(w))], to="resolved",
            by=w.lead, now=NOW),
    "dashboard.services.workflow.assign": lambda w: workflow.assign(
        session=w.s, enquiry_id=w.ids["enquiry"], assignee_id=w.ids["other_rep"], by=w.lead,
        expected_version=_enquiry_version(w), now=NOW),
    "dashboard.services.workflow.assign_many": lambda w: workflow.assign_many(
        session=w.s, targets=[(w.ids["enquiry"], _enquiry_version(w))],
        assignee_id=w.ids["other_rep"], by=w.lead, now=NOW),
    "dashboard.services.workflow.set_priority": lambda w: workflow.set_priority(
        session=w.s, enquiry_id=w.ids["enquiry"], priority="high", by=w.rep,
        expected_version=_enquiry_version(w), now=NOW),
    "dashboard.services.workflow.set_category": lambda w: workflow.set_category(
        session=w.s, enquiry_id=w.ids["enquiry"], category="orders", by=w.rep,
        expected_version=_enquiry_version(w), now=NOW),
    "dashboard.services.workflow.record_customer_message":
        lambda w: workflow.record_customer_message(
            session=w.s, enquiry_id=w.ids["enquiry"], inbound_message_id=w.ids["received"],
            body="Any news?", now=NOW),
    "dashboard.services.workflow.reply": lambda w: workflow.reply(
        session=w.s, enquiry_id=w.ids["enquiry"], to_address="anne@dupre.be",
        subject="Your invoice", body="Attached again.", by=w.rep,
        expected_version=_enquiry_version(w), now=NOW, then_status="pending_customer"),
    "dashboard.services.workflow.claim_next": lambda w: workflow.claim_next(
        session=w.s, user=w.rep, now=NOW),
    "dashboard.services.workflow.merge": lambda w: workflow.merge(
        session=w.s, source_id=w.ids["duplicate"], target_id=w.ids["enquiry"], by=w.rep,
        expected_version=_enquiry_version(w, "duplicate"), now=NOW),
    "dashboard.services.workflow.link_document": lambda w: workflow.link_document(
        session=w.s, enquiry_id=w.ids["enquiry"], kind="invoice", document_id=w.ids["invoice"],
        by=w.rep, expected_version=_enquiry_version(w), now=NOW),
}


# Administration writes whose audit rows, before and after, their own tests check.
PROVED_ELSEWHERE = {
    name: "tests/test_config_admin.py" for name in (
        "dashboard.services.auto_close.close_resolved",
        "dashboard.services.calendar.add_closure", "dashboard.services.calendar.remove_closure",
        "dashboard.services.calendar.save", "dashboard.services.retention.purge",
        "dashboard.services.settings.save", "dashboard.services.settings.save_at_risk_percent",
        "dashboard.services.settings.save_audit_retention_months",
        "dashboard.services.settings.save_auto_close_days",
        "dashboard.services.settings.save_company",
        "dashboard.services.settings.save_outbox_retry",
        "dashboard.services.sla_admin.recompute", "dashboard.services.sla_admin.save")
} | {
    name: "tests/test_privacy.py" for name in (
        "dashboard.services.privacy.export_contact",
        "dashboard.services.privacy.request_erasure",
        "dashboard.services.privacy.confirm_erasure",
        "dashboard.services.privacy.withdraw_erasure")
} | {
    name: "tests/test_user_admin.py" for name in (
        "dashboard.services.teams.create_team", "dashboard.services.teams.update_team",
        "dashboard.services.teams.retire_team", "dashboard.services.teams.reinstate_team",
        "dashboard.services.users.change_own_password",
        "dashboard.services.users.create_with_temporary_password",
        "dashboard.services.users.reset_password", "dashboard.services.users.update_user")
} | {
    name: "tests/test_portal.py" for name in (
        "dashboard.services.portal.attempt_login", "dashboard.services.portal.audit_download",
        "dashboard.services.portal.close_account", "dashboard.services.portal.logout",
        "dashboard.services.portal.request_link", "dashboard.services.portal.set_entitled",
        "dashboard.services.portal.set_password")
}


def test_every_writing_function_is_listed() -> None:
    found = write_functions()
    listed = set(RUNS) | set(NOT_AUDITED) | DRIVERS | set(PROVED_ELSEWHERE)
    assert sorted(found - listed) == [], "writes without being listed here"
    assert sorted(listed - found) == [], "listed here but no longer found writing"


def test_the_drivers_only_call_listed_functions() -> None:
    """A loop or command line that wrote by itself would escape the runs below."""
    facts: dict[str, tuple[bool, set[str]]] = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).glob("*.py")):
            facts.update(_facts(path))
    for driver in DRIVERS:
        writes, _ = facts[driver]
        assert not writes, driver


@pytest.mark.parametrize("name", sorted(RUNS))
def test_each_write_leaves_an_audit_row(engine: Engine, tmp_path: Path, name: str) -> None:
    world = build(engine, tmp_path)
    try:
        RUNS[name](world)
        world.s.commit()
    finally:
        world.s.close()
    with Session(engine) as s:
        rows = s.execute(select(AuditLog.action, AuditLog.entity_type)).all()
        assert rows, f"{name} left no audit row"
        assert s.scalar(select(func.count()).select_from(AuditLog)
                        .where(AuditLog.action == "")) == 0
