"""The tour: every page of a role's navigation, and every tab and view reachable on it.

What to visit comes from the database (``sights``), never from fixed numbers, so the tour
keeps working while the seed changes: customers with disputes and credit notes, an enquiry of
each channel and status, a merged one, a phone number on file, a search with several hits.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.services.metrics import DRILL_LABELS, Drill
from dashboard.services.queue import VIEWS
from dashboard.services.statement import BUCKETS
from dashboard.ui import state
from dashboard.ui.balances import BALANCE_BUCKET, BALANCE_TAB, BALANCE_TABS
from dashboard.ui.customer import TABS
from dashboard.ui.metrics import DRILL, DRILL_KIND
from db.engine import make_engine
from db.migrate import upgrade
from db.models import (
    Attachment,
    Contact,
    Customer,
    Enquiry,
    InboundMessage,
    InstalledItem,
    Invoice,
    Team,
)
from seed.demo_accounts import DEMO_ACCOUNTS
from seed.generate import seed_database
from tests.app_support import new_app, select_row, select_rows, sign_in
from tests.walk_support import Walk

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
ROLES = ("rep", "lead", "admin")


# --------------------------------------------------------------------------- the database

@contextmanager
def demo_database(backend: str, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated, demo-seeded database: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'walk.db'}"
        engine = make_engine(url)
        upgrade(engine)
        seed_database(engine)
        yield url, engine
        engine.dispose()
        return
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        pytest.skip("TEST_POSTGRES_URL not set: PostgreSQL half skipped")
    schema = f"csol_walk_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    seed_database(engine)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def app_pointed_at(url: str, tmp_path: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        mp.setenv("CSOL_DEMO_MODE", "false")
        mp.setenv("CSOL_COOKIE_KEY", "test-cookie-key-" + "x" * 32)
        mp.setenv("CSOL_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
        yield


# --------------------------------------------------------------------------- what to visit

@dataclass
class Sights:
    customers: list[str] = field(default_factory=list)        # customer numbers
    disputed_invoice: tuple[str, int] | None = None           # (customer number, invoice id)
    credit_note: tuple[str, int] | None = None
    item: tuple[str, int] | None = None
    enquiries: list[str] = field(default_factory=list)        # references, one per kind
    few_enquiries: list[str] = field(default_factory=list)    # for the other roles
    phone: str | None = None                                  # a contact's number on file
    search: str = ""                                          # a query with several hits
    teams: int = 0
    intake: int = 0


def sights(engine: Engine, *, customers: list[str] | None = None,
           enquiries: list[str] | None = None) -> Sights:
    """What to visit, read from the database (and the given extras first)."""
    found = Sights()
    with Session(engine) as s:
        disputed = s.execute(
            select(Customer.customer_number, Invoice.id)
            .join(Invoice, Invoice.customer_id == Customer.id)
            .where(Invoice.is_disputed.is_(True),
                   Customer.id.in_(select(Invoice.customer_id)
                                   .where(Invoice.kind == "credit_note")))
            .order_by(Invoice.id).limit(1)).first()
        if disputed:
            found.disputed_invoice = (disputed[0], disputed[1])
        credit = s.execute(
            select(Customer.customer_number, Invoice.id)
            .join(Invoice, Invoice.customer_id == Customer.id)
            .where(Invoice.kind == "credit_note").order_by(Invoice.id).limit(1)).first()
        if credit:
            found.credit_note = (credit[0], credit[1])
        item = s.execute(
            select(Customer.customer_number, InstalledItem.id)
            .join(InstalledItem, InstalledItem.customer_id == Customer.id)
            .order_by(InstalledItem.id).limit(1)).first()
        if item:
            found.item = (item[0], item[1])
        busiest = s.scalar(
            select(Customer.customer_number).join(Enquiry, Enquiry.customer_id == Customer.id)
            .group_by(Customer.customer_number).order_by(func.count().desc()).limit(1))
        numbers = [*(customers or []), *(x[0] for x in (disputed, credit, item) if x), busiest]
        found.customers = list(dict.fromkeys(n for n in numbers if n))

        refs: list[str] = list(enquiries or [])
        kinds = s.execute(select(Enquiry.channel, Enquiry.status, func.min(Enquiry.id))
                          .where(Enquiry.merged_into_id.is_(None))
                          .group_by(Enquiry.channel, Enquiry.status)).all()
        ids = [k[2] for k in kinds]
        merged = s.scalar(select(func.min(Enquiry.id)).where(Enquiry.merged_into_id.is_not(None)))
        with_files = s.scalar(select(func.min(Attachment.enquiry_id)))
        unmatched = s.scalar(select(func.min(Enquiry.id)).where(Enquiry.customer_id.is_(None)))
        extra = [i for i in (merged, with_files, unmatched) if i]
        by_id = dict(s.execute(select(Enquiry.id, Enquiry.reference)
                               .where(Enquiry.id.in_(ids + extra))).all())
        refs += [by_id[i] for i in extra + ids]
        found.enquiries = list(dict.fromkeys(refs))
        statuses = {k[1]: by_id[k[2]] for k in kinds}
        found.few_enquiries = list(dict.fromkeys(
            [*(enquiries or []), *(by_id[i] for i in extra), *statuses.values()]))

        found.phone = s.scalar(select(Contact.phone).where(Contact.phone.is_not(None))
                               .order_by(Contact.id).limit(1))
        found.search = s.scalar(
            select(Contact.last_name).group_by(Contact.last_name)
            .having(func.count(func.distinct(Contact.customer_id)) > 1)
            .order_by(func.count().desc(), Contact.last_name).limit(1)) or "a"
        found.teams = s.scalar(select(func.count()).select_from(Team)) or 0
        found.intake = s.scalar(select(func.count()).select_from(InboundMessage)) or 0
    return found


# --------------------------------------------------------------------------- the tour

def go(at: AppTest, page: str, **params: str) -> AppTest:
    at.query_params.clear()
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(f"../pages/{page}.py")
    at.run()
    return at


def tour(walk: Walk, role: str, places: Sights, *, password: str | None = None,
         searches: tuple[str, ...] = ()) -> None:
    full = role == "rep"
    at = sign_in(new_app(), role, password or PASSWORDS[role])
    walk.look(at, "Today")
    today(walk, at, (places.search, *searches))
    queue(walk, at, role)
    for number in places.customers if full else places.customers[:2]:
        customer(walk, at, number)
    documents(walk, at, places)
    for reference in places.enquiries if full else places.few_enquiries:
        walk.look(go(at, "enquiry", e=reference), "Enquiry", reference)
    walk.look(go(at, "enquiry", e="ENQ-0000-000000"), "Enquiry", "not found")
    intake(walk, at)
    log_call(walk, at, places)
    balances(walk, at)
    if role in ("lead", "admin"):
        team(walk, at, places)
        metrics(walk, at)
    if role in ("lead", "admin"):
        walk.look(go(at, "canned_replies"), "Canned replies")
        at.selectbox(key=state.CANNED_PICK).select_index(1).run()
        walk.look(at, "Canned replies", "a reply open, with its preview")
    if role == "admin":
        walk.look(go(at, "users"), "Users & access")
        walk.look(go(at, "intake_settings"), "Intake settings")
        walk.look(go(at, "outbox"), "Outbox")
        at.multiselect(key="outbox_status").set_value([]).run()
        walk.look(at, "Outbox", "every status")
        walk.look(go(at, "audit_log"), "Audit log")


def today(walk: Walk, at: AppTest, queries: tuple[str, ...]) -> None:
    go(at, "today")
    for query in (*queries, "zzzz-nothing-like-this"):
        at.text_input(key="today_search_query").input(query)
        at.button(key="FormSubmitter:today_search_form-Search").click().run()
        walk.look(at, "Today", f"search {query!r}")
        if at.session_state["search_choice"] is False:  # one hit opened a page: back
            go(at, "today")
    # The sidebar search on another page echoes its query too.
    go(at, "queue")
    for query in queries:
        at.text_input(key="sidebar_search_query").input(query)
        at.button(key="FormSubmitter:sidebar_search_form-Search").click().run()
        walk.look(at, "Sidebar search", repr(query))
        go(at, "queue")


def queue(walk: Walk, at: AppTest, role: str) -> None:
    go(at, "queue")
    for view in VIEWS:
        at.session_state["queue_view"] = view
        at.run()
        walk.look(at, "Queue", view)
    if role == "rep":
        return
    at.session_state[state.QUEUE_SELECT_MODE] = True
    at.run()
    walk.look(at, "Queue", "select several")
    if _has_table(at, "queue_table"):
        select_rows(at, "queue_table", [0, 1])
        at.run()
        walk.look(at, "Queue", "two ticked")
        if "bulk_close" in [b.key for b in at.button]:
            at.button(key="bulk_close").click().run()
            walk.look(at, "Queue", "confirm bulk close")
            at.button(key="bulk_cancel").click().run()
    at.session_state[state.QUEUE_SELECT_MODE] = False
    at.run()


def _has_table(at: AppTest, table: str) -> bool:
    return any(str(k).startswith(f"{table}_") and len(str(k)) == len(table) + 13
               for k in at.session_state)


DETAIL_TABLES = {"Orders & delivery": "orders_table", "Invoices & credit notes": "invoices_table",
                 "Contracts": "contracts_table", "Installed base": "items_table"}


def customer(walk: Walk, at: AppTest, number: str) -> None:
    at.session_state[state.CUSTOMER_FOCUS] = None
    go(at, "customer", c=number)
    walk.look(at, f"Customer {number}", TABS[0])
    for tab in TABS:
        at.session_state["customer_tab"] = tab
        at.run()
        walk.look(at, f"Customer {number}", tab)
        table = DETAIL_TABLES.get(tab)
        if table and _has_table(at, table):
            select_row(at, table, 0)
            at.run()
            walk.look(at, f"Customer {number}", f"{tab}, first row")
    at.session_state["customer_tab"] = TABS[0]
    at.run()
    at.button(key="enquire_customer").click().run()
    walk.look(at, f"Customer {number}", "open an enquiry")


def documents(walk: Walk, at: AppTest, places: Sights) -> None:
    """A disputed invoice (with its e-mail form), a credit note and an item, opened by focus
    as a search hit opens them."""
    for what, found in (("invoice", places.disputed_invoice), ("invoice", places.credit_note),
                        ("item", places.item)):
        if found is None:
            continue
        number, document_id = found
        at.session_state[state.CUSTOMER_FOCUS] = (what, document_id)
        at.session_state[state.CUSTOMER_ID] = None
        go(at, "customer", c=number)
        walk.look(at, f"Customer {number}", f"{what} {document_id}")
        route = f"invoice_{document_id}_route"
        if what == "invoice" and route in [t.key for t in at.toggle]:
            at.toggle(key=route).set_value(True).run()
            walk.look(at, f"Customer {number}", f"{what} {document_id}, e-mail it")
    at.session_state[state.CUSTOMER_FOCUS] = None
    if places.disputed_invoice:
        number = places.disputed_invoice[0]
        go(at, "customer", c=number)
        at.session_state["customer_tab"] = "Statement"
        at.run()
        at.toggle(key="stmt_pdf_on").set_value(True).run()
        walk.look(at, f"Customer {number}", "Statement PDF")
        at.session_state["customer_tab"] = TABS[0]
    walk.look(go(at, "customer", c="C000000X"), "Customer", "not found")
    walk.look(go(at, "customer"), "Customer", "no number")


def intake(walk: Walk, at: AppTest) -> None:
    for kind in ("quarantined", "ignored"):
        at.session_state["intake_kind"] = kind
        go(at, "intake_problems")
        walk.look(at, "Intake problems", kind)
        table = f"intake_table_{kind}"
        if _has_table(at, table):
            select_row(at, table, 0)
            at.run()
            walk.look(at, "Intake problems", f"{kind}, first message")
    at.session_state["intake_kind"] = "quarantined"


def log_call(walk: Walk, at: AppTest, places: Sights) -> None:
    go(at, "log_call")
    walk.look(at, "Log a call")
    for number in (places.phone, "+32 9 999 99 99"):
        if number:
            at.text_input(key="call_phone").input(number).run()
            walk.look(at, "Log a call", f"number {number}")
    at.text_input(key="call_phone").input("").run()


def balances(walk: Walk, at: AppTest) -> None:
    go(at, "balances")
    walk.look(at, "Account balances", BALANCE_TABS[0])
    for tab in BALANCE_TABS[1:]:
        at.session_state[BALANCE_TAB] = tab
        at.run()
        walk.look(at, "Account balances", tab)
    for bucket in BUCKETS:
        at.session_state[BALANCE_BUCKET] = bucket
        at.run()
        walk.look(at, "Account balances", f"open items {bucket}")
    at.session_state[BALANCE_TAB] = BALANCE_TABS[0]


def team(walk: Walk, at: AppTest, places: Sights) -> None:
    go(at, "team")
    walk.look(at, "Team overview")
    for index in range(1, places.teams):
        at.selectbox(key="team_overview_team").select_index(index).run()
        walk.look(at, "Team overview", at.selectbox(key="team_overview_team").options[index])


def metrics(walk: Walk, at: AppTest) -> None:
    go(at, "metrics")
    walk.look(at, "Enquiry metrics", "last 30 days")
    drills = [Drill(kind) for kind in DRILL_LABELS if kind not in ("channel", "category",
                                                                   "heat", "person_open",
                                                                   "person_resolved")]
    drills += [Drill("channel", value="email"), Drill("category", value="invoices"),
               Drill("heat", weekday=0, hour=9), Drill("person_open", person_id=0),
               Drill("person_resolved", person_id=0)]
    for drill in drills:
        kind = drill.kind
        at.session_state[DRILL] = drill
        at.session_state[DRILL_KIND] = None
        at.run()
        walk.look(at, "Enquiry metrics", f"drill {kind}")
    at.session_state[DRILL] = None
    at.session_state["metrics_preset"] = "custom"
    at.run()
    walk.look(at, "Enquiry metrics", "custom range")
    at.session_state["metrics_preset"] = "last_30"
