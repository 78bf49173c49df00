"""Time to content in Chromium against the real server, and the server's CPU per action.

    python -m bench.bench_browser --database-url sqlite:///data/large.db [--runs 5] [--quick]
    python -m bench.bench_browser --database-url sqlite:///data/csol.db \\
        --database-url sqlite:///data/large.db \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/csol_large

Starts ``streamlit run dashboard/app.py`` from the project folder (so with the shipped
``.streamlit/config.toml``) with demo mode off, and drives Debian's Chromium with Playwright
the way a representative and a team lead work: sign in, find a customer by number, VAT number
and name, open each tab of the customer page, claim the next enquiry, open one from the queue,
and (as the lead) the metrics and balances pages, first load and cached.

An action's time runs from the click or key press until the content it leads to is visible
and the script run it started has finished (``[data-testid="stApp"]`` back to
``data-test-script-state="notRunning"`` after "running", nothing stale or loading, charts
drawn). Its server CPU is the Streamlit process's own utime + stime (``/proc/<pid>/stat``,
children included), read before the action and again once the process has gone quiet after
it, so follow-up runs and the post-script garbage collection count. On PostgreSQL the CPU of
the server's database connections (their backends' ``/proc`` accounting) is shown beside it.

Datasette, installed only in ``.venv-bench`` (made from ``bench/requirements.txt`` when
missing), serves the same SQLite file for two reference tasks, timed in the same browser
until its table is visible, alternating with the console's equivalent in every run.

Targets differ per run and are drawn from the database with a fixed seed. A SQLite database is
copied to a temporary folder first: the bench signs in and claims enquiries, so it writes.
Benchmarks are not tests: figures on a shared machine move with its load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.common import BENCH_ENVIRONMENT, percentile, table
from db.config import ROOT, database_url
from db.engine import make_engine
from db.models import Customer, Invoice
from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RUN_COUNTER_SCRIPT,
    free_port,
    runs_finished,
    wait_for_settled,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

BENCH_VENV = ROOT / ".venv-bench"
BENCH_REQUIREMENTS = ROOT / "bench" / "requirements.txt"
PASSWORDS = {"rep": "demo-rep-2026", "lead": "demo-lead-2026", "admin": "demo-admin-2026"}
TABS = ("Orders & delivery", "Invoices & credit notes", "Statement", "Contracts",
        "Installed base", "Contacts", "Enquiries", "Timeline")
TIMEOUT_MS = 60_000  # per wait; --timeout changes it (a crowded machine needs more)
SERVER_START_S = 90.0

# Metrics ranges tried for a first load, heaviest first; then the lighter ones.
METRIC_PRESETS = ("Last 90 days", "This quarter", "Last 30 days", "Last 7 days", "This week",
                  "Today")

# --------------------------------------------------------------------------- budgets


@dataclass(frozen=True)
class Budget:
    p50_ms: float | None = None
    p95_ms: float | None = None
    cpu_ms: float | None = None  # mean server CPU per action


SEARCH = Budget(400, 700, 60)
TAB = Budget(250, None, 40)
BUDGETS: dict[str, Budget] = {
    "search (customer number) → customer": SEARCH,
    "search (VAT number) → customer": SEARCH,
    "search (name) → customer": SEARCH,
    **{f"tab: {t}": TAB for t in TABS},
    "tab switch (any tab)": TAB,
    "queue → enquiry": Budget(400),
    "metrics, first load": Budget(1200),
    "metrics, cached": Budget(400),
}
# Console time ÷ Datasette time, p50 against p50.
RATIO_BUDGETS = {"one customer's invoices, newest first": 2.0, "find by VAT number": 1.5}

# The order of the report.
ACTIONS = ("open the app (sign-in page)", "sign-in → Today",
           "search (customer number) → customer", "search (VAT number) → customer",
           "search (name) → customer", *(f"tab: {t}" for t in TABS), "tab switch (any tab)",
           "queue (sidebar) → queue", "claim next → enquiry", "queue → enquiry",
           "metrics, open (cold, once)", "metrics, first load", "metrics, cached",
           "balances, open (cold, once)", "balances, first load", "balances, cached")

# --------------------------------------------------------------------------- CPU accounting

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_ticks(pid: int, with_children: bool) -> int:
    """utime + stime (+ cutime + cstime: waited-for children) of one process, in ticks."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = raw[raw.rindex(")") + 2:].split()  # the name may hold spaces
    ticks = int(fields[11]) + int(fields[12])
    return ticks + int(fields[13]) + int(fields[14]) if with_children else ticks


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with suppress(OSError):
                children = [int(c) for c in (task / "children").read_text().split()]
                found += children
                todo += children
    return found


def process_cpu_ms(pid: int) -> float:
    """CPU of ``pid`` and of every process below it, alive or waited for."""
    ticks = _stat_ticks(pid, True) + sum(_stat_ticks(c, True) for c in _descendants(pid))
    return ticks * 1000 / CLOCK_TICKS


class DatabaseCpu:
    """CPU of the PostgreSQL backends serving our database, other than this one.

    The benchmark owns its database, so those are the app server's connections."""

    def __init__(self, url: str) -> None:
        import psycopg

        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(plain, autocommit=True)

    def ms(self) -> float:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchall()
        return sum(_stat_ticks(pid, False) for (pid,) in rows) * 1000 / CLOCK_TICKS

    def close(self) -> None:
        self.conn.close()


def quiet_cpu(read: Callable[[], float], quiet_s: float = 0.2, limit_s: float = 4.0) -> float:
    """The counter once it has not moved for ``quiet_s`` (work after the content showed:
    follow-up runs, the post-script garbage collection), or after ``limit_s``."""
    last, since, deadline = read(), time.monotonic(), time.monotonic() + limit_s
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = read()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
    return last


# --------------------------------------------------------------------------- samples


@dataclass
class Samples:
    ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    db_cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    reference: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    console: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)
    errors: int = 0


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    id: int
    number: str
    name: str
    vat: str
    invoices: int


def pick_targets(session: Session, n: int, seed: int) -> list[Target]:
    """``n`` customers with a VAT number and invoices, a different one for each use: half
    drawn evenly, half among the fifth with the most invoices (the accounts that call)."""
    counts = (select(Invoice.customer_id, func.count().label("n"))
              .group_by(Invoice.customer_id).subquery())
    rows = session.execute(
        select(Customer.id, Customer.customer_number, Customer.name, Customer.vat_number,
               counts.c.n)
        .join(counts, counts.c.customer_id == Customer.id)
        .where(Customer.vat_number.is_not(None), Customer.is_active)
        .order_by(Customer.id)).all()
    names: dict[str, int] = defaultdict(int)
    for r in rows:
        names[r.name.casefold()] += 1
    # A name typed in full should mean one company; names that end in spaces confuse typing.
    usable = [Target(r.id, r.customer_number, r.name, r.vat_number, int(r.n)) for r in rows
              if names[r.name.casefold()] == 1 and r.name == r.name.strip()]
    if len(usable) < n:
        raise SystemExit(f"only {len(usable)} customers with a VAT number and invoices")
    rng = random.Random(seed)
    busy = sorted(usable, key=lambda t: -t.invoices)[: max(n, len(usable) // 5)]
    chosen: list[Target] = []
    for i in range(n):
        pool = busy if i % 2 else usable
        while (t := rng.choice(pool)) in chosen:
            pass
        chosen.append(t)
    return chosen


# --------------------------------------------------------------------------- processes


def _wait_http(url: str, process: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}:\n"
                             f"{log.read_text(errors='replace')[-3000:]}")
        with suppress(urllib.error.URLError, OSError), \
                urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url} within {SERVER_START_S:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def cpu_ms(self) -> float:
        return process_cpu_ms(self.process.pid)


@contextmanager
def app_server(url: str, port: int, workdir: Path, live_seconds: str | None
               ) -> Iterator[Server]:
    """The console as shipped: ``streamlit run`` from the project folder, demo mode off."""
    env = dict(os.environ, DATABASE_URL=url, **BENCH_ENVIRONMENT,
               CSOL_SECRETS_FILE=str(workdir / "no-secrets.toml"), PYTHONUNBUFFERED="1")
    if live_seconds:
        env["CSOL_LIVE_SECONDS"] = live_seconds
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
               "--server.headless", "true", "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.port", str(port)]
    log = workdir / f"streamlit-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/_stcore/health", process, log, "streamlit")
        yield Server(process, base, log)
    finally:
        _stop(process)


def ensure_datasette() -> Path:
    """Datasette from ``.venv-bench``; the venv is made from bench/requirements.txt if needed.

    Kept out of the app's and the tests' environments on purpose."""
    exe = BENCH_VENV / "bin" / "datasette"
    if exe.exists():
        return exe
    print(f"Making {BENCH_VENV} for Datasette (once): python -m venv, pip install -r "
          f"{BENCH_REQUIREMENTS.relative_to(ROOT)}", flush=True)
    python = shutil.which("python3") or sys.executable
    subprocess.run([python, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "--quiet", "-r",
                    str(BENCH_REQUIREMENTS)], check=True)
    return exe


@contextmanager
def datasette_server(exe: Path, database: Path, port: int, workdir: Path) -> Iterator[str]:
    log = workdir / f"datasette-{port}.log"
    command = [str(exe), "serve", str(database), "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/-/versions.json", process, log, "datasette")
        yield base
    finally:
        _stop(process)


def copy_sqlite(url: str, workdir: Path) -> str:
    """A private copy (SQLite's backup API: consistent even with a WAL beside the file)."""
    source = make_url(url).database
    if not source or not Path(source).is_file():
        raise SystemExit(f"no SQLite file at {source}")
    target = workdir / Path(source).name
    started = time.monotonic()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    print(f"Copied {source} to {target} ({target.stat().st_size / 1e6:,.0f} MB, "
          f"{time.monotonic() - started:.0f} s)", flush=True)
    return f"sqlite:///{target}"


# --------------------------------------------------------------------------- the browser

# The run an action started is over and its page is complete: a run finished since the
# action (counted by RUN_COUNTER_SCRIPT), none running, nothing stale or loading, and (when
# asked) every plotly chart drawn.
_DONE = """
([documentId, before, charts]) => {
  const since = window.__csolDocument === documentId ? before : 0;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || (window.__csolRuns || 0) <= since
      || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (document.querySelector(
        '[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]'))
    return false;
  if (charts) {
    const all = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    if (!all.length || !all.every((c) => c.querySelector(".main-svg"))) return false;
  }
  return true;
}
"""


class Bench:
    """One server, one browser, one set of samples."""

    def __init__(self, server: Server, browser: Browser, samples: Samples,
                 db_cpu: DatabaseCpu | None) -> None:
        self.server, self.browser, self.samples, self.db_cpu = server, browser, samples, db_cpu
        self.recording = True
        self.contexts: dict[str, tuple[BrowserContext, Page]] = {}
        self.errors = 0

    # -- pages

    def page_for(self, username: str) -> Page:
        """One browser profile per person for the whole bench, as a rep keeps one browser:
        its cache holds the app's scripts after the first round."""
        if username not in self.contexts:
            self.contexts[username] = self.new_page()
        return self.contexts[username][1]

    def close(self) -> None:
        for context, _ in self.contexts.values():
            context.close()

    def attempt(self, username: str, run: int, flow: Callable[[], None]) -> None:
        """Run one person's round; a failure is noted (with a screenshot and the server's
        last words) and that person starts over in a new browser profile next round."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            flow()
        except (PlaywrightError, AssertionError) as exc:
            self.errors += 1
            shot = ROOT / "test-artifacts" / f"bench-browser-{username}-round{run + 1}.png"
            shot.parent.mkdir(exist_ok=True)
            context, page = self.contexts.pop(username)
            with suppress(PlaywrightError):
                page.screenshot(path=str(shot))
            context.close()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.samples.notes.append(f"ERROR in {username}'s round {run + 1}: {first} "
                                      f"(screenshot {shot.relative_to(ROOT)})")
            print(f"  {self.samples.notes[-1]}\n--- server log ---\n"
                  f"{self.server.log.read_text(errors='replace')[-1500:]}", flush=True)

    def new_page(self) -> tuple[BrowserContext, Page]:
        context = self.browser.new_context(viewport={"width": 1366, "height": 900},
                                           locale="en-GB", timezone_id="Europe/Brussels")
        context.set_default_timeout(TIMEOUT_MS)
        base = self.server.url
        # Offline machine: only our own server answers (fonts from elsewhere would hang).
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
                      else r.abort())
        context.add_init_script(RUN_COUNTER_SCRIPT)
        return context, context.new_page()

    # -- one timed action

    def timed(self, page: Page, name: str, action: Callable[[], object],
              content: Locator | None = None, *, charts: bool = False,
              then: Callable[[], object] | None = None, record: bool | None = None
              ) -> float:
        """Do ``action`` and wait for ``content`` and the end of the run; record it under
        ``name`` (unless in a warm-up round, or ``record`` says otherwise). ``then`` is a
        second step of the same action (a choice in a list)."""
        if page.url != "about:blank":  # a fresh page has nothing to settle
            wait_for_settled(page, timeout_ms=TIMEOUT_MS)
        cpu0 = quiet_cpu(self.server.cpu_ms)
        db0 = self.db_cpu.ms() if self.db_cpu else 0.0
        document_id, before = runs_finished(page)
        start = time.perf_counter()
        action()
        if then is not None:
            then()
        if content is not None:
            content.wait_for(state="visible", timeout=TIMEOUT_MS)
        page.wait_for_function(_DONE, arg=[document_id, before, charts], polling="raf",
                               timeout=TIMEOUT_MS)
        elapsed = (time.perf_counter() - start) * 1000
        wait_for_settled(page, timeout_ms=TIMEOUT_MS)
        cpu = quiet_cpu(self.server.cpu_ms) - cpu0
        if self.recording if record is None else record:
            self.samples.ms[name].append(elapsed)
            self.samples.cpu[name].append(cpu)
            if self.db_cpu:
                self.samples.db_cpu[name].append(self.db_cpu.ms() - db0)
        return elapsed

    def untimed(self, page: Page, action: Callable[[], object],
                content: Locator | None = None, *, charts: bool = False) -> None:
        self.timed(page, "", action, content, charts=charts, record=False)

    # -- steps

    def open_and_sign_in(self, page: Page, username: str, expect_heading: str = "Today"
                         ) -> None:
        """Sign out if signed in (not timed), open the app, sign in."""
        if page.url != "about:blank":
            self.untimed(page, page.get_by_role("button", name="Log out").click,
                         page.get_by_role("button", name="Sign in"))
        self.timed(page, "open the app (sign-in page)", lambda: page.goto(self.server.url),
                   page.get_by_role("button", name="Sign in"))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(PASSWORDS[username])
        self.timed(page, "sign-in → Today",
                   page.get_by_role("button", name="Sign in").click,
                   page.get_by_role("heading", name=expect_heading, exact=True))

    def search(self, page: Page, name: str, typed: str, target: Target) -> float:
        box = page.get_by_label("Find a customer", exact=True)
        box.fill(typed)
        heading = page.locator("h1").filter(has_text=target.name)

        def choose_if_listed() -> None:
            # A name can match several records: the rep picks the company from the list.
            listed = page.get_by_role("button", name=re.compile(
                rf"^{re.escape(target.name)} [·(]"))
            heading.or_(listed.first).first.wait_for(state="visible", timeout=TIMEOUT_MS)
            if not heading.is_visible():
                listed.first.click()

        elapsed = self.timed(page, name, lambda: box.press("Enter"), heading,
                             then=choose_if_listed)
        if f"c={target.number}" not in page.url:
            raise SystemExit(f"{name}: {typed!r} opened {page.url}, not {target.number}")
        return elapsed

    def tab(self, page: Page, tab: str) -> float:
        panel = page.get_by_role("tabpanel", name=tab)
        content = panel.locator('[data-testid="stDataFrame"], [data-testid="stPlotlyChart"], '
                                '[data-testid="stAlert"], [data-testid="stTable"]').first
        elapsed = self.timed(page, f"tab: {tab}",
                             page.get_by_role("tab", name=tab, exact=True).click, content,
                             charts=tab == "Statement")
        if self.recording:
            self.samples.ms["tab switch (any tab)"].append(elapsed)
            self.samples.cpu["tab switch (any tab)"].append(self.samples.cpu[f"tab: {tab}"][-1])
            if self.db_cpu:
                self.samples.db_cpu["tab switch (any tab)"].append(
                    self.samples.db_cpu[f"tab: {tab}"][-1])
        return elapsed

    def sidebar(self, page: Page, name: str, link: str, content: Locator, *,
                charts: bool = False, record: bool | None = None) -> None:
        """Open a page from the navigation; ``name`` "" (or ``record`` False): not a sample."""
        click = page.get_by_test_id("stSidebarNav").get_by_role("link", name=link,
                                                                exact=True).click
        self.timed(page, name, click, content, charts=charts,
                   record=False if not name else record)


# --------------------------------------------------------------------------- the flows


class Reference:
    """Datasette in its own browser context: the same task, until its table shows."""

    def __init__(self, bench: Bench, base: str, database: str) -> None:
        self.bench, self.base, self.database = bench, base, database
        self.context = bench.browser.new_context(viewport={"width": 1366, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
                           else r.abort())
        self.page = self.context.new_page()

    def invoices_url(self, t: Target) -> str:
        return f"{self.base}/{self.database}/invoices?customer_id={t.id}&_sort_desc=issue_date"

    def vat_url(self, t: Target) -> str:
        return f"{self.base}/{self.database}/customers?vat_number={t.vat}"

    def timed(self, task: str, url: str) -> None:
        self.page.bring_to_front()
        start = time.perf_counter()
        self.page.goto(url, wait_until="commit")
        self.page.locator("table.rows-and-columns").wait_for(state="visible")
        elapsed = (time.perf_counter() - start) * 1000
        if self.bench.recording:
            self.bench.samples.reference[task].append(elapsed)


def rep_round(bench: Bench, targets: list[Target], run: int, ref: Reference | None) -> None:
    """A representative's morning: sign in, three callers, every tab, the queue."""
    by_number, by_vat, by_name = targets
    page = bench.page_for("rep")
    bench.open_and_sign_in(page, "rep")
    invoices_task, vat_task = RATIO_BUDGETS
    # A before B on even runs, B before A on odd ones.
    if ref and run % 2:
        ref.timed(invoices_task, ref.invoices_url(by_number))
    page.bring_to_front()
    found = bench.search(page, "search (customer number) → customer", by_number.number,
                         by_number)
    opened = bench.tab(page, "Invoices & credit notes")
    if bench.recording:
        bench.samples.console[invoices_task].append(found + opened)
    if ref and not run % 2:
        ref.timed(invoices_task, ref.invoices_url(by_number))
        page.bring_to_front()
    for tab in (*TABS[2:], TABS[0]):
        bench.tab(page, tab)

    if ref and run % 2:
        ref.timed(vat_task, ref.vat_url(by_vat))
        page.bring_to_front()
    found = bench.search(page, "search (VAT number) → customer", spelled_vat(by_vat.vat, run),
                         by_vat)
    if bench.recording:
        bench.samples.console[vat_task].append(found)
    if ref and not run % 2:
        ref.timed(vat_task, ref.vat_url(by_vat))
        page.bring_to_front()

    bench.search(page, "search (name) → customer", by_name.name, by_name)

    heading = page.get_by_role("heading", name="Enquiry queue")
    bench.sidebar(page, "queue (sidebar) → queue", "Queue", heading)
    back = page.get_by_role("button", name="← Back to queue")
    bench.timed(page, "claim next → enquiry",
                page.get_by_role("button", name="Claim next").click,
                back.or_(page.get_by_text("Nothing is waiting unassigned")).first)
    if "/enquiry" not in page.url:
        bench.samples.notes.append("claim next: nothing was waiting unassigned")
    bench.sidebar(page, "", "Queue", heading)
    queue_table = page.locator("[class*=st-key-queue_pick_]").get_by_test_id(
        "stDataFrame")
    if queue_table.count():
        bench.timed(page, "queue → enquiry", lambda: click_row(page, queue_table, run % 3),
                    back)
    else:
        bench.samples.notes.append("queue → enquiry: the rep's queue view was empty")


def spelled_vat(vat: str, run: int) -> str:
    """As callers say it: BE 0403.019.261, 0403019261 or BE0403019261."""
    digits = vat[2:]
    spellings = [vat, digits,
                 f"{vat[:2]} {digits[:4]}.{digits[4:7]}.{digits[7:]}" if vat[:2] == "BE"
                 else f"{vat[:2]} {digits}"]
    return spellings[run % 3]


ROW_PX = 35  # st.dataframe's header and row height at the default theme


def click_row(page: Page, grid: Locator, row: int) -> None:
    """st.dataframe draws on a canvas: click the row's selection cell by position (the
    last row shown when there are fewer)."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    shown = max(1, int((box["height"] - ROW_PX) // ROW_PX))
    row = min(row, shown - 1)
    page.mouse.click(box["x"] + 15, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2)


@dataclass
class LeadState:
    seen_metrics: set[tuple[str, str]] = field(default_factory=set)
    seen_managers: set[str] = field(default_factory=set)
    cold_done: bool = False


def lead_round(bench: Bench, state: LeadState) -> None:
    """The lead's look at the numbers: metrics and balances, a new view and a cached one."""
    page = bench.page_for("lead")
    bench.open_and_sign_in(page, "lead")
    today = page.get_by_role("heading", name="Today", exact=True)

    heading = page.get_by_role("heading", name="Enquiry metrics")
    # Only the server's first open of the page is cold; it counts even in a warm-up.
    bench.sidebar(page, "metrics, open (cold, once)", "Enquiry metrics", heading,
                  charts=True, record=not state.cold_done)
    state.seen_metrics.add(metrics_view(page))
    fresh_metrics_view(bench, page, state)
    bench.sidebar(page, "", "Today", today)
    # Within the cache's minute of the views just computed.
    bench.sidebar(page, "metrics, cached", "Enquiry metrics", heading, charts=True)

    heading = page.get_by_role("heading", name="Account balances")
    bench.sidebar(page, "balances, open (cold, once)", "Account balances", heading,
                  charts=True, record=not state.cold_done)
    state.seen_managers.add(manager_value(page))
    fresh_balances_view(bench, page, state)
    bench.sidebar(page, "", "Today", today)
    bench.sidebar(page, "balances, cached", "Account balances", heading, charts=True)
    state.cold_done = True


def metrics_view(page: Page) -> tuple[str, str]:
    preset = page.get_by_role("radiogroup", name="Range").get_by_role(
        "radio", checked=True).inner_text()
    team = page.get_by_role("combobox", name="Team").input_value()
    return preset.strip(), team


def fresh_metrics_view(bench: Bench, page: Page, state: LeadState) -> None:
    """One change of range or team to a view this server has not computed yet (the results
    are cached per range and filter), so it is a first load."""
    preset, team = metrics_view(page)
    unseen = [p for p in METRIC_PRESETS if (p, team) not in state.seen_metrics]
    heading = page.get_by_role("heading", name="Enquiry metrics")
    if unseen:
        control = page.get_by_role("radiogroup", name="Range")
        bench.timed(page, "metrics, first load",
                    control.get_by_role("radio", name=unseen[0], exact=True).click, heading,
                    charts=True)
    else:
        box = page.get_by_role("combobox", name="Team")
        box.click()
        teams = [t.strip() for t in page.get_by_role("option").all_inner_texts()]
        other = [t for t in teams if (preset, t) not in state.seen_metrics]
        if not other:
            page.keyboard.press("Escape")
            bench.samples.notes.append("metrics: every range and team already computed")
            return
        bench.timed(page, "metrics, first load",
                    page.get_by_role("option", name=other[0], exact=True).click, heading,
                    charts=True)
    state.seen_metrics.add(metrics_view(page))


def manager_value(page: Page) -> str:
    return page.get_by_role("combobox", name="Account manager").input_value()


def fresh_balances_view(bench: Bench, page: Page, state: LeadState) -> None:
    """Another account manager's portfolio, not computed yet in this server: a first load."""
    box = page.get_by_role("combobox", name="Account manager")
    box.click()
    names = [t.strip() for t in page.get_by_role("option").all_inner_texts()]
    other = [n for n in names if n not in state.seen_managers]
    if not other:
        page.keyboard.press("Escape")
        bench.samples.notes.append("balances: every account manager already computed")
        return
    bench.timed(page, "balances, first load",
                page.get_by_role("option", name=other[0], exact=True).click,
                page.get_by_role("heading", name="Account balances"), charts=True)
    state.seen_managers.add(manager_value(page))


# --------------------------------------------------------------------------- one database


def run_database(url: str, args: Any, workdir: Path) -> Samples:
    samples = Samples()
    backend = make_url(url).get_backend_name()
    shown = make_url(url).render_as_string(hide_password=True)
    if backend == "sqlite" and not args.in_place:
        url = copy_sqlite(url, workdir)
    rounds = args.runs + args.warmup
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            targets = pick_targets(session, 3 * rounds, args.seed)
    finally:
        engine.dispose()
    print(f"Benchmarking {shown}: {args.warmup} warm-up round(s), then {args.runs}; "
          f"customers: {', '.join(t.number for t in targets[3 * args.warmup:])}", flush=True)

    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        server = stack.enter_context(app_server(url, args.port or free_port(), workdir,
                                        args.live_seconds))
        db_cpu = DatabaseCpu(url) if backend == "postgresql" else None
        if db_cpu:
            stack.callback(db_cpu.close)
        reference_base = None
        if backend == "sqlite" and not args.no_datasette:
            exe = ensure_datasette()
            path = Path(make_url(url).database or "")
            reference_base = stack.enter_context(datasette_server(exe, path, free_port(), workdir))
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        bench = Bench(server, browser, samples, db_cpu)
        ref = (Reference(bench, reference_base, Path(make_url(url).database or "").stem)
               if reference_base else None)
        lead = LeadState()
        started = time.monotonic()
        for run in range(rounds):
            bench.recording = run >= args.warmup
            if ref and run == 0:  # Datasette's first page compiles its templates
                ref.page.goto(ref.invoices_url(targets[0]))
            bench.attempt("rep", run, lambda run=run: rep_round(  # type: ignore[misc]
                bench, targets[3 * run: 3 * run + 3], run, ref))
            if not args.no_lead:
                bench.attempt("lead", run, lambda: lead_round(bench, lead))
            print(f"  round {run + 1}/{rounds} done after {time.monotonic() - started:.0f} s",
                  flush=True)
        bench.close()
        if ref:
            ref.context.close()
        samples.errors = bench.errors
        samples.notes.append(f"server pid {server.process.pid}")
    return samples


# --------------------------------------------------------------------------- the report


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(shown: str, samples: Samples, load: str) -> tuple[str, int]:
    """The table for one database, and how many budgets failed."""
    failed = 0
    rows = []
    pg = bool(samples.db_cpu)
    for name in ACTIONS:
        ms = samples.ms.get(name)
        if not ms:
            continue
        cpu = statistics.fmean(samples.cpu[name])
        budget = BUDGETS.get(name, Budget())
        p50, p95 = percentile(ms, 0.5), percentile(ms, 0.95)
        checks = []
        if budget.p50_ms is not None:
            checks.append((f"p50≤{budget.p50_ms:.0f}", p50 <= budget.p50_ms))
        if budget.p95_ms is not None:
            checks.append((f"p95≤{budget.p95_ms:.0f}", p95 <= budget.p95_ms))
        if budget.cpu_ms is not None:
            checks.append((f"cpu≤{budget.cpu_ms:.0f}", cpu <= budget.cpu_ms))
        failed += sum(not ok for _, ok in checks)
        row: list[object] = [name, len(ms), p50, p95, max(ms), cpu]
        if pg:
            row.append(statistics.fmean(samples.db_cpu[name]))
        row += [" ".join(c for c, _ in checks) or "—",
                " ".join(verdict(ok) for _, ok in checks) or ""]
        rows.append(tuple(row))
    headers = ("action", "n", "p50 ms", "p95 ms", "max ms", "server CPU ms")
    headers += ("db CPU ms",) if pg else ()
    headers += ("budget", "verdict")
    lines = [f"Time to content in Chromium, {shown} ({load})",
             table(rows, headers)]
    if samples.reference:
        ref_rows = []
        for task, limit in RATIO_BUDGETS.items():
            ours, theirs = samples.console.get(task), samples.reference.get(task)
            if not ours or not theirs:
                continue
            ratio = percentile(ours, 0.5) / percentile(theirs, 0.5)
            failed += ratio > limit
            ref_rows.append((task, len(ours), percentile(ours, 0.5), percentile(theirs, 0.5),
                             f"{ratio:.1f}×", f"≤{limit:g}×", verdict(ratio <= limit)))
        lines += ["", "Against Datasette on the same file, alternating A/B (p50 ms)",
                  table(ref_rows, ("task", "n", "console", "Datasette", "ratio", "budget",
                                   "verdict"))]
        lines.append("  console: search by customer number → customer page, plus the Invoices "
                     "tab; search by VAT number → customer page. Datasette: the invoices table "
                     "filtered on the customer, newest first; the customers table filtered on "
                     "the VAT number.")
    lines += [f"  note: {n}" for n in dict.fromkeys(samples.notes)]
    return "\n".join(lines), failed


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f}/{five:.1f} on {os.cpu_count()} cores at the end"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", action="append", dest="database_urls", default=None,
                   help="repeat for several databases, one after the other "
                        "(default: DATABASE_URL, secrets.toml or data/csol.db)")
    p.add_argument("--runs", type=int, default=5, help="measured rounds per database")
    p.add_argument("--warmup", type=int, default=1, help="rounds before, not measured")
    p.add_argument("--quick", action="store_true",
                   help="2 measured rounds and no lead pages: a check that it all works")
    p.add_argument("--seed", type=int, default=14, help="which customers are called")
    p.add_argument("--port", type=int, default=None, help="the app server's port (default: "
                   "a free one)")
    p.add_argument("--no-datasette", action="store_true", help="skip the Datasette reference")
    p.add_argument("--no-lead", action="store_true", help="skip the metrics and balances pages")
    p.add_argument("--in-place", action="store_true",
                   help="use the SQLite file itself, not a copy (it gets written to)")
    p.add_argument("--timeout", type=float, default=60, help="seconds any one wait may take")
    p.add_argument("--json", type=Path, default=None,
                   help="also write every sample to this file (to compare runs later)")
    p.add_argument("--live-seconds", default=None,
                   help="CSOL_LIVE_SECONDS for the server (default: the app's own, 30 s)")
    args = p.parse_args()
    global TIMEOUT_MS  # one setting for every wait of the run
    TIMEOUT_MS = int(args.timeout * 1000)
    if args.quick:
        args.runs, args.no_lead = min(args.runs, 2), True
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    urls = args.database_urls or [database_url()]
    started = time.monotonic()
    reports, failed, errors = [], 0, 0
    raw: dict[str, object] = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "databases": {}}
    for url in urls:
        shown = make_url(url).render_as_string(hide_password=True)
        with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
            samples = run_database(url, args, Path(folder))
        text, bad = report(shown, samples, machine_load())
        raw["databases"][shown] = {  # type: ignore[index]
            "load": machine_load(), "ms": samples.ms, "server_cpu_ms": samples.cpu,
            "db_cpu_ms": samples.db_cpu, "datasette_ms": samples.reference,
            "console_ms": samples.console, "notes": samples.notes}
        if args.json:
            args.json.write_text(json.dumps(raw, indent=1, ensure_ascii=False))
        reports.append(text)
        failed += bad
        errors += samples.errors
        print("\n" + text + "\n", flush=True)
    if len(reports) > 1:
        print("\n\n".join(reports))
    print(f"\n{failed} budget(s) failed, {errors} round(s) broke off; "
          f"{time.monotonic() - started:.0f} s in all. Figures move with the machine's load: "
          "compare runs taken under the same load.")
    if errors:  # a measurement that missed budgets is still a measurement; a broken one not
        raise SystemExit(1)


if __name__ == "__main__":
    main()
