"""Helpers for the browser tests: a real Streamlit server, Chromium, and waiting for reruns.

Kept apart from the tests so the flow in each ``test_browser*.py`` reads as what a user does.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # test_browser.py skips (or, under CI, fails) with a clear message
    PlaywrightTimeoutError = TimeoutError  # type: ignore[misc,assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Error, Locator, Page, Route

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 # Several pages share one browser in the live tests: a page that is not in
                 # front must keep its timers (fragment refreshes) running at full rate.
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
SERVER_START_TIMEOUT = 30.0
SERVER_STOP_TIMEOUT = 10.0
TIMEOUT_MS = 20_000  # generous: a loaded machine (xdist, CI) makes runs slow


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")

def require_browser() -> None:
    """Skip the calling test module when Chromium or Playwright is missing; under CI fail
    instead, so the browser tests can never be skipped there unnoticed."""
    import pytest

    if not CHROMIUM.exists():
        if under_ci():
            raise RuntimeError(f"CI=true but {CHROMIUM} is missing: the browser tests must "
                               "run (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} not found (apt-get install -y chromium); browser tests "
                    "skipped", allow_module_level=True)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # the dev requirements install it
        if under_ci():
            raise
        pytest.skip(f"playwright is not installed: {exc}", allow_module_level=True)


@contextmanager
def launched_browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, with the flags this offline machine needs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)



def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no server log)"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as resp:
            return bool(resp.status == 200 and resp.read().strip() == b"ok")
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def streamlit_server(env: dict[str, str], log: Path) -> Iterator[Server]:
    """Start ``streamlit run dashboard/app.py`` on a free port; end exactly that process."""
    port = free_port()
    python = Path(sys.executable)  # the virtualenv running pytest
    command = [str(python), "-m", "streamlit", "run", str(APP.relative_to(ROOT)),
               "--server.headless", "true", "--server.address", "127.0.0.1",
               "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(server.url):
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}:\n"
                                   f"{server.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer /_stcore/health within "
                                   f"{SERVER_START_TIMEOUT:.0f} s:\n{server.log_tail()}")
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=SERVER_STOP_TIMEOUT)


# --------------------------------------------------------------------------- nginx

NGINX_DIR = ROOT / "deploy" / "nginx"
ROUTE_COOKIE = "csol_route"


def upstream_block(ports: Sequence[int]) -> str:
    """The upstream of deploy/nginx/csol.conf with one server line per port given."""
    site = (NGINX_DIR / "csol.conf").read_text()
    block = re.search(r"upstream csol_app \{.*?\n\}", site, re.S)
    assert block, "deploy/nginx/csol.conf has no upstream csol_app block"
    lines = block.group(0).splitlines()
    template = next(line for line in lines if re.match(r"\s*server 127\.0\.0\.1:\d+", line))
    servers = [re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", template) for port in ports]
    kept = [line for line in lines if not re.match(r"\s*server 127\.0\.0\.1:\d+", line)]
    at = lines.index(template)
    return "\n".join(kept[:at] + servers + kept[at:])


@contextmanager
def nginx_in_front(nginx: str, ports: Sequence[int], workdir: Path) -> Iterator[Server]:
    """nginx (the binary ``nginx``) on a free port with the deploy snippets in front of the
    app servers on ``ports``; ends exactly the process it started. Its access log notes which
    server each request reached."""
    home = workdir / "nginx"
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    port = free_port()
    (home / "nginx.conf").write_text(f"""
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/error.log info;
events {{ worker_connections 1024; }}
http {{
    log_format routed '$cookie_{ROUTE_COOKIE}|$upstream_addr|$status|$request_uri';
    access_log {home}/access.log routed;
    client_body_temp_path {home}/tmp/body;
    proxy_temp_path {home}/tmp/proxy;
    fastcgi_temp_path {home}/tmp/fastcgi;
    uwsgi_temp_path {home}/tmp/uwsgi;
    scgi_temp_path {home}/tmp/scgi;
    include {NGINX_DIR}/csol-maps.conf;
    {upstream_block(ports)}
    server {{
        listen 127.0.0.1:{port};
        add_header X-Upstream $upstream_addr always;
        include {NGINX_DIR}/csol-locations.conf;
    }}
}}
""")
    command = [nginx, "-p", str(home), "-e", str(home / "error.log"),
               "-c", str(home / "nginx.conf"), "-g", "daemon off;"]
    with (home / "stderr.log").open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    proxy = Server(process, port, home / "error.log")
    try:
        deadline = time.monotonic() + 15
        while not _healthy(proxy.url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nginx did not start:\n"
                                   + (home / "stderr.log").read_text(errors="replace")
                                   + proxy.log_tail())
            time.sleep(0.1)
        yield proxy
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def app_server(database: Path, workdir: Path, extra_env: dict[str, str] | None = None
               ) -> Iterator[Server]:
    """The app on the SQLite file ``database``: demo mode off, a fixed cookie key, and a
    secrets file that does not exist, so no local settings leak in. Its log goes to
    ``workdir``."""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"sqlite:///{database}",
        "CSOL_DEMO_MODE": "false",
        "CSOL_COOKIE_KEY": "test-cookie-key-" + "x" * 32,
        "CSOL_SECRETS_FILE": str(workdir / "no-secrets.toml"),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra_env or {})
    with streamlit_server(env, workdir / "streamlit.log") as server:
        yield server


# --------------------------------------------------------------------------- tables

GRID_HEADER_PX = 35  # st.dataframe's header and row heights at the default theme
GRID_ROW_PX = 35


def select_row(page: Page, table: Locator, row: int) -> None:
    """Tick a row's selection checkbox (the grid's first column) and wait for the rerun."""
    from playwright.sync_api import expect

    expect(table).to_be_visible()
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None
    y = box["y"] + GRID_HEADER_PX + GRID_ROW_PX * row + GRID_ROW_PX / 2
    wait_for_rerun(page, lambda: page.mouse.click(box["x"] + 15, y))
    wait_for_settled(page)



# --------------------------------------------------------------------------- reruns

# Counts finished script runs in the page, from the server's own "script finished" messages
# on the websocket. The frontend's data-test-script-state is not enough: React batches its
# updates, so a run shorter than a frame never shows "running" in the DOM (seen with a form
# submit on a quiet server). A run ended early for a rerun does not count: another follows.
# It also notes the values custom components send (each one makes Streamlit rerun): the
# remember-me cookie manager is a component that answers once its frame has loaded, so a page
# is only settled once that answer has been followed by a finished run.
RUN_COUNTER_SCRIPT = """
(() => {
  if (window !== window.top) return;  // component frames
  window.__csolRuns = 0;
  window.__csolDocument = Math.random().toString(36).slice(2);
  window.__csolRunFinishedAt = -1;
  window.__csolValueAt = -1;
  window.__csolValues = 0;
  window.__csolAnswered = new WeakSet();
  const SCRIPT_FINISHED = 6, FINISHED_EARLY_FOR_RERUN = 2;  // ForwardMsg.script_finished
  // The top-level fields of a protobuf message: [field number, varint value or null].
  const fields = (bytes) => {
    const out = [];
    let i = 0;
    const varint = () => {
      let value = 0, shift = 0, b;
      do { b = bytes[i++]; value += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) out.push([field, varint()]);
      else if (wire === 2) { const n = varint(); i += n; out.push([field, null]); }
      else if (wire === 1) { i += 8; out.push([field, null]); }
      else if (wire === 5) { i += 4; out.push([field, null]); }
      else break;
    }
    return out;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        for (const [field, value] of fields(new Uint8Array(event.data))) {
          if (field === SCRIPT_FINISHED && value !== FINISHED_EARLY_FOR_RERUN) {
            window.__csolRuns += 1;
            window.__csolRunFinishedAt = performance.now();
          }
        }
      });
    }
  };
  window.addEventListener("message", (event) => {
    if (event.data && event.data.type === "streamlit:setComponentValue") {
      window.__csolValueAt = performance.now();
      window.__csolValues += 1;
      if (event.source) window.__csolAnswered.add(event.source);
    }
  });
})();
"""

_RUN_FINISHED = """
([documentId, before]) => {
  // After a reload or navigation this is a new document: every run in it counts.
  const since = window.__csolDocument === documentId ? before : 0;
  const app = document.querySelector('[data-testid="stApp"]');
  return (window.__csolRuns || 0) > since && app !== null
      && app.getAttribute("data-test-script-state") === "notRunning";
}
"""


def runs_finished(page: Page) -> tuple[str | None, int]:
    """(this document's id, runs finished in it so far)."""
    document_id, runs = page.evaluate("[window.__csolDocument ?? null, window.__csolRuns ?? 0]")
    return document_id, int(runs)


def wait_for_rerun(page: Page, action: Callable[[], object], timeout_ms: float = 60_000
                   ) -> None:
    """Do ``action``, then wait until a script run has finished after it.

    ``page`` is a Playwright Page with RUN_COUNTER_SCRIPT as an init script. More runs may
    follow (a page switch, a component answering); ``wait_for_settled`` waits those out.
    """
    document_id, before = runs_finished(page)
    action()
    try:
        page.wait_for_function(_RUN_FINISHED, arg=[document_id, before], timeout=timeout_ms)
    except PlaywrightTimeoutError as exc:
        now = runs_finished(page)
        raise AssertionError(f"no script run finished after the action (runs before: "
                             f"{before}, now: {now[1]})") from exc


COOKIE_MANAGER_FRAME = 'iframe[title*="CookieManager"]'

_SETTLED = """
([quietMs, frames]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const settled = app !== null
      && app.getAttribute("data-test-script-state") === "notRunning"
      // a run finished after the last component value (a value sent during a run restarts
      // it without leaving "running"; one that comes as a run ends starts another at once,
      // which the quiet time below catches)
      && (window.__csolRunFinishedAt > window.__csolValueAt
          // a value Streamlit already had (the cookie manager repeats itself) starts no run
          || performance.now() - window.__csolValueAt > 1500)
      // components not yet loaded show a skeleton; stale elements wait for a run
      && document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')
         === null
      && document.querySelector('[data-stale="true"]') === null
      // every cookie manager frame has loaded and answered (its answer makes a rerun)
      && [...document.querySelectorAll(frames)]
           .every((f) => f.contentWindow && window.__csolAnswered.has(f.contentWindow));
  const now = performance.now();
  if (!settled) { window.__csolSettledSince = undefined; return false; }
  if (window.__csolSettledSince === undefined) window.__csolSettledSince = now;
  return now - window.__csolSettledSince >= quietMs;
}
"""


def wait_for_settled(page: Page, timeout_ms: float = 60_000, quiet_ms: float = 150) -> None:
    """The page is done: no run in progress or due, nothing loading, no stale elements.

    A run can be followed by others (the cookie manager's frame answering after it loads,
    a page switch); acting in between races them. The state has to hold for ``quiet_ms``
    (a couple of polls) so a component message still on its way is not missed.
    """
    try:
        page.wait_for_function(_SETTLED, arg=[quiet_ms, COOKIE_MANAGER_FRAME],
                               timeout=timeout_ms, polling=50)
    except PlaywrightTimeoutError as exc:
        why = page.evaluate(_WHY_NOT_SETTLED, COOKIE_MANAGER_FRAME)
        raise AssertionError(f"the page did not settle: {why}") from exc


_WHY_NOT_SETTLED = """
(frames) => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {
    state: app && app.getAttribute("data-test-script-state"),
    lastRunFinishedAt: window.__csolRunFinishedAt, lastComponentValueAt: window.__csolValueAt,
    skeletons: document.querySelectorAll(
        '[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]').length,
    stale: document.querySelectorAll('[data-stale="true"]').length,
    cookieManagerFramesAnswered: [...document.querySelectorAll(frames)].map(
        (f) => !!f.contentWindow && window.__csolAnswered.has(f.contentWindow)),
  };
}
"""


# --------------------------------------------------------------------------- races


class ComponentGate:
    """Holds back the requests of the cookie manager's frame, as a slow connection would.

    Use ``handle`` in the context's route handler for local requests; ``close`` to start
    holding, ``open`` to let the held requests (and later ones) through.
    """

    def __init__(self) -> None:
        self.closed = False
        self.held: list[Route] = []

    def handle(self, route: Route) -> None:
        if self.closed and "CookieManager" in route.request.url:
            self.held.append(route)
        else:
            route.continue_()

    def close(self) -> None:
        self.closed = True

    def open(self) -> None:
        self.closed = False
        held, self.held = self.held, []
        for route in held:
            route.continue_()


@contextmanager
def sqlite_write_lock(path: Path) -> Iterator[None]:
    """Hold SQLite's write lock: the server's next write waits (busy timeout) until exit."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


# --------------------------------------------------------------------------- console


def is_local(url: str, port: int) -> bool:
    parts = urlsplit(url)
    return parts.hostname in ("127.0.0.1", "localhost") and parts.port == port


# Opened directly at a page's URL (/customer?c=…, as after a reload), Streamlit's frontend
# first looks for its endpoints under that page path, gets 404, then uses the root ones:
# streamlit/streamlit#7074. Only these two probes, one path level deep, are ignored.
_SUBPAGE_PROBE = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")


@dataclass
class ConsoleLog:
    """Error-level console messages and uncaught page errors; the ignored ones kept apart."""

    port: int
    errors: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    allowed: tuple[str, ...] = ()  # messages a test provokes on purpose (their openings)

    def on_console(self, msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        text = msg.text
        where = (msg.location or {}).get("url", "")
        line = f"{text} @ {where}"
        if text.startswith(self.allowed) and self.allowed:
            self.ignored.append(line)
            return
        if text.startswith("Failed to load resource") and where and self._expected(text, where):
            self.ignored.append(line)
            return
        self.errors.append(line)

    def _expected(self, text: str, where: str) -> bool:
        """Failed loads that are not the app's fault. Ignored, and why:

        - a URL that is not our server: the test aborts every request to another host (the
          machine is offline; Material icon fonts and the like would come from Google), so
          those loads fail on purpose. A failed load from the app's own server still counts,
        - except the 404 of Streamlit's subpage endpoint probe (see _SUBPAGE_PROBE).
        """
        if not is_local(where, self.port):
            return True
        return "404" in text and _SUBPAGE_PROBE.match(urlsplit(where).path) is not None

    def on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught: {error}")


@contextmanager
def console_page(browser: Browser, server: Server, failure_shot: str, *,
                 timeout_ms: float = TIMEOUT_MS, viewport: tuple[int, int] = (1366, 900),
                 gate: ComponentGate | None = None,
                 failed: Callable[[], bool] = lambda: False,
                 locale: str = "en-GB", allowed_errors: tuple[str, ...] = ()
                 ) -> Iterator[Page]:
    """A fresh browser profile (no cookies) on the app; fails on app errors in the console.

    When the test fails, the page is saved as ``failure_shot`` and the server's log printed.
    A failure inside the ``with`` block is seen here; a fixture's test fails outside it, so a
    fixture passes ``failed`` to tell. ``gate`` can hold back the cookie manager's requests.
    """
    console = ConsoleLog(server.port, allowed=allowed_errors)
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                  timezone_id="Europe/Brussels", accept_downloads=True)
    context.set_default_timeout(timeout_ms)

    def offline(route: Route) -> None:
        # Only our server is reachable; anything else would wait on a network we do not have.
        if not is_local(route.request.url, server.port):
            route.abort()
        elif gate is not None:
            gate.handle(route)
        else:
            route.continue_()

    context.route("**/*", offline)
    context.add_init_script(RUN_COUNTER_SCRIPT)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)

    def report_failure() -> None:
        shot(page, failure_shot)
        print(f"--- streamlit log ---\n{server.log_tail()}")
        print("--- console errors ---", *console.errors, sep="\n")

    try:
        yield page
    except BaseException:
        report_failure()
        raise
    else:
        if failed():
            report_failure()
    finally:
        context.close()
    print("--- ignored console messages ---", *console.ignored, sep="\n")
    assert not console.errors, "errors in the browser console:\n" + "\n".join(console.errors)
