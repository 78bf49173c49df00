"""The metrics page in a real browser: a lead opens it, changes the range, clicks a day's bar
and gets the enquiries received that day, and leaves their team for all teams; the balances
page opens a customer from a bar. Screenshots of each step go to ``test-artifacts/``.
Skipped without Chromium or Playwright, except under CI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.browser_support import (
    Server,
    app_server,
    console_page,
    launched_browser,
    require_browser,
    select_row,
    shot,
    wait_for_rerun,
    wait_for_settled,
)

require_browser()

from playwright.sync_api import Browser, Page, expect

from dashboard.business_calendar import BRUSSELS, is_business_day
from db.engine import make_engine
from db.migrate import upgrade
from tests import factories as f

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)

PASSWORD = "correct-horse-1"
TIMEOUT_MS = 30_000
def last_business_day() -> date:
    day = datetime.now(BRUSSELS).date() - timedelta(days=1)
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-metrics")


@pytest.fixture(scope="module")
def database(workdir: Path) -> Path:
    """Billing with a lead and a representative, a customer, and enquiries on the last
    business day and the week before; one for Logistics."""
    path = workdir / "metrics.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    busy, earlier = last_business_day(), last_business_day() - timedelta(days=7)
    with Session(engine) as s, s.begin():
        billing = f.team(s, "Billing")
        rep = f.user(s, "rep", PASSWORD, full_name="Sofie Peeters", team_id=billing.id)
        f.user(s, "lead", PASSWORD, role="lead", full_name="Marc Dubois", team_id=billing.id)
        cust = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042")
        f.invoice(s, cust, 1210_00, issue_date=earlier - timedelta(days=60),
                  due_date=earlier - timedelta(days=30))
        for day, hours in ((busy, (9, 10, 11)), (earlier, (14,))):
            for hour in hours:
                created = datetime.combine(day, time(hour), tzinfo=BRUSSELS).astimezone(UTC)
                f.enquiry(s, subject=f"Invoice copy {day:%d/%m} {hour}h", customer_id=cust.id,
                          assignee_id=rep.id, team_id=billing.id, status="resolved",
                          category="invoices", channel="email", created_at=created,
                          first_response_at=created + timedelta(minutes=20),
                          resolved_at=created + timedelta(hours=1))
        logistics = f.team(s, "Logistics")
        created = datetime.combine(earlier, time(10), tzinfo=BRUSSELS).astimezone(UTC)
        f.enquiry(s, subject="Where is my order?", customer_id=cust.id, team_id=logistics.id,
                  category="orders", channel="phone", created_at=created)
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def server(database: Path, workdir: Path) -> Iterator[Server]:
    with app_server(database, workdir) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as chromium:
        yield chromium


def metrics_page(browser: Browser, server: Server, name: str) -> AbstractContextManager[Page]:
    """A console-checked page in a larger window, with this module's longer timeout."""
    return console_page(browser, server, f"metrics-failure-{name}.png",
                        timeout_ms=TIMEOUT_MS, viewport=(1440, 1000))


def sign_in_as_lead(page: Page, server: Server) -> None:
    wait_for_rerun(page, lambda: page.goto(server.url))
    wait_for_settled(page)
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click())
    wait_for_settled(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


_QUIET = """
(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const quiet = app !== null && app.getAttribute("data-test-script-state") === "notRunning"
      && document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]') === null;
  const now = performance.now();
  if (!quiet) { window.__metricsQuietSince = undefined; return false; }
  if (window.__metricsQuietSince === undefined) window.__metricsQuietSince = now;
  return now - window.__metricsQuietSince >= quietMs;
}
"""


def wait_for_quiet(page: Page, quiet_ms: float = 750) -> None:
    """No run going and nothing stale for a while. After opening a page by its address the
    cookie component may answer with the value it had, which starts no run, so
    ``wait_for_settled`` (which waits for a run after each answer) can wait in vain."""
    page.wait_for_function(_QUIET, arg=quiet_ms, timeout=60_000, polling=50)


def open_page(page: Page, server: Server, path: str, heading: str) -> None:
    wait_for_rerun(page, lambda: page.goto(f"{server.url}/{path}"), timeout_ms=60_000)
    wait_for_quiet(page)
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def metric(page: Page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return str(box.get_by_test_id("stMetricValue").inner_text())


def click_bar(page: Page, chart_title: str, index: int) -> None:
    """Click one bar of the plotly chart titled ``chart_title``; waits for the rerun."""
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text=chart_title)
    # Every point has a path, an empty day too: the n-th path is the n-th day's bar.
    bar = chart.locator("g.trace.bars g.point path").nth(index)
    expect(bar).to_be_visible()
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    # Plotly's drag layer lies over the bars and takes the click where the bar is.
    wait_for_rerun(page, lambda: page.mouse.click(box["x"] + box["width"] / 2,
                                                  box["y"] + box["height"] / 2))
    wait_for_settled(page)


# --------------------------------------------------------------------------- tests


def test_lead_changes_the_range_and_drills_into_a_day(browser: Browser,
                                                      server: Server) -> None:
    busy = last_business_day()
    with metrics_page(browser, server, "drill") as page:
        sign_in_as_lead(page, server)
        open_page(page, server, "metrics", "Enquiry metrics")
        assert metric(page, "Received") == "4"              # last 30 days
        shot(page, "metrics-01-last-30-days.png")

        # The range: only the last seven days, so only the busy day's three remain.
        range_control = page.get_by_test_id("stButtonGroup").first
        wait_for_rerun(page, lambda: range_control.get_by_text("Last 7 days",
                                                               exact=True).click())
        wait_for_settled(page)
        expect(page.get_by_test_id("stMetric").filter(has_text="Received")
               .get_by_test_id("stMetricValue")).to_have_text("3")
        shot(page, "metrics-02-last-7-days.png")

        # A click on the busy day's "received" bar lists its enquiries.
        chart = page.get_by_test_id("stPlotlyChart").filter(
            has_text="Received and resolved per day")
        chart.scroll_into_view_if_needed()
        today = datetime.now(BRUSSELS).date()
        click_bar(page, "Received and resolved per day", 6 - (today - busy).days)
        title = page.get_by_text(f"Received on {busy:%a} {busy:%d/%m/%Y}")
        expect(title).to_be_visible()
        table = page.get_by_test_id("stDataFrame").last
        expect(table).to_be_visible()
        expect(page.get_by_text("3 enquiries", exact=False).first).to_be_visible()
        table.scroll_into_view_if_needed()
        shot(page, "metrics-03-drill-down.png")

        # A row of the list opens that enquiry, not only its customer.
        select_row(page, table, 0)
        expect(page).to_have_url(re.compile(r"/enquiry\?e=ENQ-\d{4}-\d{6}$"))
        expect(page.get_by_role("button", name="← Back to queue")).to_be_visible()


def test_balances_bar_opens_the_customer(browser: Browser, server: Server) -> None:
    with metrics_page(browser, server, "balances") as page:
        sign_in_as_lead(page, server)
        open_page(page, server, "balances", "Account balances")
        assert metric(page, "Past due") == "1,2K\xa0€"
        shot(page, "balances-01.png")
        click_bar(page, "most overdue customers", 0)
        expect(page.get_by_role("heading", name="Brasserie Dupré & Fils")).to_be_visible()
        expect(page).to_have_url(f"{server.url}/customer?c=C100042")
        shot(page, "balances-02-customer.png")


def test_lead_switches_from_their_team_to_all_teams(browser: Browser, server: Server) -> None:
    with metrics_page(browser, server, "teams") as page:
        sign_in_as_lead(page, server)
        open_page(page, server, "metrics", "Enquiry metrics")
        team = page.get_by_role("combobox", name="Team")
        expect(team).to_have_value("Billing")
        assert metric(page, "Received") == "4"
        team.click()
        wait_for_rerun(page, lambda: page.get_by_role("option", name="All teams").click())
        wait_for_settled(page)
        expect(team).to_have_value("All teams")
        expect(page.get_by_test_id("stMetric").filter(has_text="Received")
               .get_by_test_id("stMetricValue")).to_have_text("5")
        shot(page, "metrics-04-all-teams.png")


def test_an_ageing_bar_lists_its_open_items(browser: Browser, server: Server) -> None:
    with metrics_page(browser, server, "ageing") as page:
        sign_in_as_lead(page, server)
        open_page(page, server, "balances", "Account balances")
        # The only open invoice fell due some 40 days ago: the third bar, 31–60 days.
        click_bar(page, "Ageing today", 2)
        tab = page.get_by_role("tab", name="Open items by age")
        expect(tab).to_have_attribute("aria-selected", "true")
        expect(page.get_by_text("1 open invoice,", exact=False)).to_be_visible()
        table = page.get_by_test_id("stDataFrame").last
        table.scroll_into_view_if_needed()
        expect(table).to_be_visible()
        shot(page, "balances-03-open-items.png")
