"""Two app servers behind nginx on one PostgreSQL, in a real browser.

Starts two ``streamlit run dashboard/app.py`` servers on a fresh PostgreSQL database of
their own and nginx in front of them, with the site snippets of ``deploy/nginx`` (the
upstream block of ``csol.conf`` with the test's ports; nginx runs as a child process with a
generated config in a temporary directory). Each browser gets the routing cookie of one
server. Through nginx: the lead signs in and downloads an invoice PDF (a session's media,
served by its own server); the lead and a representative, on different servers, claim next
and get different enquiries; the representative changes an enquiry the lead has open, and
the lead's older form is refused. Then the representative's server is killed: the page
reconnects through nginx to the other one, still signed in, and nothing saved is lost.
Screenshots: ``test-artifacts/deploy-*.png``.

Needs ``TEST_POSTGRES_URL`` and nginx (``apt-get install -y nginx``): skipped without them,
except under CI (``CI=true``), where that is an error.
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.browser_support import (
    ROUTE_COOKIE,
    TIMEOUT_MS,
    Server,
    console_page,
    launched_browser,
    nginx_in_front,
    require_browser,
    runs_finished,
    select_row,
    shot,
    streamlit_server,
    under_ci,
    wait_for_rerun,
    wait_for_settled,
)

require_browser()

from playwright.sync_api import Browser, Page, expect

from dashboard.services.sla import deadlines
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Enquiry, InvoiceLine
from tests import factories as f
from tests.conftest import postgres_url

# Two app servers, nginx and two browsers: beside another test process on two cores the
# sign-in's cookie frame was seen not to load within a minute.
pytestmark = [pytest.mark.browser, pytest.mark.alone]

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-1"
COOKIE_NAME = "csol_session"
HAS_COOKIE = "name => document.cookie.split('; ').some(c => c.startsWith(name + '='))"
INVOICE = "INV-2026-000555"
FIRST, SECOND = "ENQ-2026-000101", "ENQ-2026-000102"
expect.set_options(timeout=TIMEOUT_MS)
# What a dropped websocket says in the console while Streamlit reconnects.
RECONNECT_NOISE = ("WebSocket connection to", "Failed to load resource")


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        if under_ci():
            raise RuntimeError("CI=true but nginx is missing: apt-get install -y nginx")
        pytest.skip("nginx not found (apt-get install -y nginx)", allow_module_level=True)
    return found


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-deploy")


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A PostgreSQL database of its own: a lead and a rep, an invoice, two new enquiries."""
    base = postgres_url()
    if not base:
        pytest.skip("TEST_POSTGRES_URL not set: the deployment test needs PostgreSQL")
    name = f"csol_deploy_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    start = datetime.now(UTC) - timedelta(hours=1)
    with Session(engine) as s, s.begin():
        team = f.team(s, "Billing", categories=["invoices", "orders", "other"],
                      languages=["fr", "nl", "en"])
        f.user(s, "lead", PASSWORD, role="lead", team_id=team.id, full_name="Marc Dubois")
        f.user(s, "rep", PASSWORD, role="rep", team_id=team.id, full_name="Sofie Peeters")
        c = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042", language="fr")
        anne = f.contact(s, c, email="anne.dupre@dupre.be")
        invoice = f.invoice(s, c, 121_00, number=INVOICE)
        s.add(InvoiceLine(invoice_id=invoice.id, line_no=1, description="Support hours",
                          quantity=1, unit_price_cents=100_00, vat_rate_pct=21,
                          net_cents=100_00, vat_cents=21_00))
        policy = f.sla_policy(s)
        for reference, subject in ((FIRST, "Copie de facture"), (SECOND, "Livraison?")):
            f.enquiry(s, reference=reference, subject=subject, customer_id=c.id,
                      contact_id=anne.id, team_id=team.id, status="new",
                      category="invoices", language="fr", channel="email",
                      invoice_id=invoice.id, sla_policy_id=policy.id, created_at=start,
                      **deadlines(start, policy).values())
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def deployment(database: str, workdir: Path) -> Iterator[tuple[Server, list[Server]]]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": database, "CSOL_DEMO_MODE": "false",
                # One key on every server: a browser moved to another stays signed in.
                "CSOL_COOKIE_KEY": "test-cookie-key-" + "x" * 32,
                "CSOL_SECRETS_FILE": str(workdir / "no-secrets.toml"),
                "PYTHONUNBUFFERED": "1"})
    with ExitStack() as stack:
        apps = [stack.enter_context(streamlit_server(env, workdir / f"streamlit-{n}.log"))
                for n in (1, 2)]
        proxy = stack.enter_context(nginx_in_front(_nginx(), (apps[0].port, apps[1].port),
                                                   workdir))
        yield proxy, apps


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as chromium:
        yield chromium


# --------------------------------------------------------------------------- steps


def route_to(proxy: Server, app: Server) -> str:
    """A routing cookie value that nginx sends to ``app`` (nginx says which in X-Upstream)."""
    for _ in range(200):
        value = uuid.uuid4().hex
        request = urllib.request.Request(f"{proxy.url}/_stcore/health",
                                         headers={"Cookie": f"{ROUTE_COOKIE}={value}"})
        with urllib.request.urlopen(request, timeout=5) as resp:
            if resp.headers["X-Upstream"] == f"127.0.0.1:{app.port}":
                return value
    raise AssertionError(f"no routing cookie reaches port {app.port}")


def routed(page: Page, proxy: Server, value: str) -> None:
    page.context.add_cookies([{"name": ROUTE_COOKIE, "value": value, "url": proxy.url}])


def served_by(proxy: Server, value: str, path: str = "/") -> set[str]:
    """The servers nginx sent this browser's finished requests for ``path`` (a prefix) to;
    a websocket is logged when it closes. A request passed on after a failure names each
    server it tried."""
    log = (proxy.log.parent / "access.log").read_text()
    return {fields[1] for fields in (line.split("|", 3) for line in log.splitlines())
            if len(fields) == 4 and fields[0] == value and fields[3].startswith(path)}


# Generous: each server's first run imports the whole app, and CI runs two test processes.
FIRST_RUN_MS = 90_000
SLOW_MS = 60_000


def sign_in(page: Page, proxy: Server, username: str, full_name: str) -> None:
    wait_for_rerun(page, lambda: page.goto(proxy.url), timeout_ms=FIRST_RUN_MS)
    wait_for_settled(page, timeout_ms=FIRST_RUN_MS)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click(),
                   timeout_ms=SLOW_MS)
    # The remember-me cookie is written by the sign-in's component frame once it has loaded.
    page.wait_for_function(HAS_COOKIE, arg=COOKIE_NAME, timeout=SLOW_MS)
    wait_for_settled(page, timeout_ms=SLOW_MS)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text(full_name)


def claim_next(page: Page) -> str:
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Queue")
    wait_for_rerun(page, link.click)
    wait_for_settled(page)
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Claim next").click())
    wait_for_settled(page)
    expect(page).to_have_url(re.compile(r"/enquiry\?e=ENQ-"))
    return page.url.rsplit("e=", 1)[1]


def set_priority(page: Page, priority: str) -> None:
    """Status & details: another priority, Save."""
    page.get_by_role("tab", name="Status & details").click()
    form = page.get_by_role("tabpanel", name="Status & details")
    form.get_by_role("combobox", name="Priority").click()
    page.get_by_role("option", name=priority, exact=True).click()
    wait_for_rerun(page, form.get_by_role("button", name="Save").click)
    wait_for_settled(page)


def enquiry_row(database: str, reference: str) -> tuple[str | None, str]:
    engine = make_engine(database)
    try:
        with Session(engine) as s:
            e = s.scalars(select(Enquiry).where(Enquiry.reference == reference)).one()
            return (e.assignee.username if e.assignee else None), e.priority
    finally:
        engine.dispose()


def outbound_count(database: str) -> int:
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM outbound_messages")).scalar_one())
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the test


def test_two_servers_behind_nginx(browser: Browser, deployment: tuple[Server, list[Server]],
                                  database: str) -> None:
    proxy, (one, two) = deployment
    # A browser without the routing cookie is given one, once.
    with urllib.request.urlopen(f"{proxy.url}/", timeout=5) as first:
        given = first.headers.get_all("Set-Cookie") or []
    assert any(c.startswith(f"{ROUTE_COOKIE}=") and "HttpOnly" in c for c in given), given
    lead_route, rep_route = route_to(proxy, one), route_to(proxy, two)
    again = urllib.request.Request(f"{proxy.url}/",
                                   headers={"Cookie": f"{ROUTE_COOKIE}={lead_route}"})
    with urllib.request.urlopen(again, timeout=5) as resp:
        assert not resp.headers.get_all("Set-Cookie")
    with console_page(browser, proxy, "deploy-failure-lead.png") as lead, \
            console_page(browser, proxy, "deploy-failure-rep.png",
                         allowed_errors=RECONNECT_NOISE) as rep:
        routed(lead, proxy, lead_route)
        routed(rep, proxy, rep_route)

        # 1. The lead signs in through nginx (server one), the rep too (server two).
        sign_in(lead, proxy, "lead", "Marc Dubois")
        sign_in(rep, proxy, "rep", "Sofie Peeters")
        assert served_by(proxy, lead_route) == {f"127.0.0.1:{one.port}"}
        assert served_by(proxy, rep_route) == {f"127.0.0.1:{two.port}"}
        shot(lead, "deploy-01-signed-in.png", full_page=False)

        # 2. The lead downloads the invoice PDF: the session's media, from its server.
        search = lead.get_by_label("Find a customer", exact=True)
        search.fill("C100042")
        wait_for_rerun(lead, lambda: search.press("Enter"))
        wait_for_settled(lead)
        wait_for_rerun(lead, lambda: lead.get_by_role(
            "tab", name="Invoices & credit notes", exact=True).click())
        wait_for_settled(lead)
        select_row(lead, lead.locator("[class*=st-key-invoices_table_]")
                   .get_by_test_id("stDataFrame"), 0)
        expect(lead.get_by_role("heading", name=f"Invoice {INVOICE}")).to_be_visible()
        with lead.expect_download() as info:
            lead.get_by_role("button", name="Download PDF").click()
        download = info.value
        assert INVOICE in download.suggested_filename
        assert Path(download.path()).read_bytes().startswith(b"%PDF")
        assert served_by(proxy, lead_route, "/media/") == {f"127.0.0.1:{one.port}"}
        shot(lead, "deploy-02-invoice.png", full_page=False)

        # 3. Claim next on each server: two different enquiries, one each.
        leads = claim_next(lead)
        reps = claim_next(rep)
        assert {leads, reps} == {FIRST, SECOND}
        assert enquiry_row(database, leads)[0] == "lead"
        assert enquiry_row(database, reps)[0] == "rep"
        shot(rep, "deploy-03-rep-claimed.png", full_page=False)

        # 4. The lead opens the rep's enquiry; the rep then raises its priority on server
        # two; the lead's reply, written on the older page, is refused on server one.
        wait_for_rerun(lead, lambda: lead.goto(f"{proxy.url}/enquiry?e={reps}"))
        wait_for_settled(lead)
        set_priority(rep, "High")
        expect(rep.get_by_text("Saved.")).to_be_visible()
        assert enquiry_row(database, reps) == ("rep", "high")
        reply = lead.get_by_role("tabpanel", name="Reply")
        reply.get_by_label("Message", exact=True).fill("Bonjour, la livraison est prévue.")
        wait_for_rerun(lead, reply.get_by_role("button", name="Send reply").click)
        wait_for_settled(lead)
        refusal = lead.get_by_test_id("stAlert").filter(
            has_text=re.compile(r"Not saved: This enquiry was changed by Sofie Peeters at "))
        expect(refusal).to_be_visible()
        refusal.scroll_into_view_if_needed()
        assert enquiry_row(database, reps) == ("rep", "high")
        assert outbound_count(database) == 0
        shot(lead, "deploy-04-stale-refused.png", full_page=False)

        # 5. Server two dies. The rep's page reconnects through nginx to server one, still
        # signed in, on the same enquiry; what was saved is there.
        document_id, runs_before = runs_finished(rep)
        two.process.kill()
        two.process.wait(timeout=10)
        heading = rep.get_by_role("heading", name="Livraison?" if reps == SECOND
                                  else "Copie de facture")
        expect(rep.get_by_text("Connecting", exact=False).first).to_be_visible()
        shot(rep, "deploy-05-connection-lost.png", full_page=False)
        # Streamlit's frontend reconnects by itself; the new session's first run finishing
        # is the sign it is back (on server one: server two is gone).
        rep.wait_for_function("([doc, before]) => window.__csolDocument === doc"
                              " && window.__csolRuns > before",
                              arg=[document_id, runs_before], timeout=45_000)
        wait_for_settled(rep)
        expect(rep.get_by_text("Connecting", exact=False)).to_have_count(0)
        expect(heading).to_be_visible()
        expect(rep.get_by_test_id("stSidebar")).to_contain_text("Sofie Peeters")
        shot(rep, "deploy-06-reconnected.png", full_page=False)
        # A reload lands on the surviving server too, still signed in.
        wait_for_rerun(rep, rep.reload)
        wait_for_settled(rep)
        expect(heading).to_be_visible()
        expect(rep.get_by_test_id("stSidebar")).to_contain_text("Sofie Peeters")
        assert enquiry_row(database, reps) == ("rep", "high")
        assert enquiry_row(database, leads)[0] == "lead"
        # The reconnected websocket (logged once the reload closed it) was server one's.
        assert any(f"127.0.0.1:{one.port}" in up
                   for up in served_by(proxy, rep_route, "/_stcore/stream"))
        shot(rep, "deploy-07-after-reload.png", full_page=False)
