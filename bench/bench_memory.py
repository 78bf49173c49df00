"""Peak memory of the Streamlit server while it serves the metrics and balances pages (MB).

    python -m bench.bench_memory --database-url sqlite:///data/large.db [--loads 4]

Starts ``streamlit run dashboard/app.py`` and reads the resident size of exactly that process
once it answers.
Then headless Chromium signs in (as the admin: every team) and loads each page ``--loads``
times; the metrics page alternates between the last 90 and the last 30 days, so each load
computes afresh rather than reading the cache. The process's resident size is sampled every
50 ms, and its high-water mark (VmHWM) read at the end. Budget: peak <= idle + 400 MB.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.common import parser, table, url
from db.config import ROOT

BUDGET_MB = 400.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class Sampler(threading.Thread):
    """Reads VmRSS of one process every 50 ms and keeps the largest."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak_kb = max(self.peak_kb, status_kb(self.pid, "VmRSS"))
            time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("streamlit did not start within 60 s")


def settle(page: object, quiet_ms: int = 1000) -> None:
    """No script run for ``quiet_ms`` and nothing stale on the page."""
    page.wait_for_function(  # type: ignore[attr-defined]
        """(quietMs) => {
          const app = document.querySelector('[data-testid="stApp"]');
          const quiet = app && app.getAttribute("data-test-script-state") === "notRunning"
              && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]');
          const now = performance.now();
          if (!quiet) { window.__quietSince = undefined; return false; }
          if (window.__quietSince === undefined) window.__quietSince = now;
          return now - window.__quietSince >= quietMs;
        }""", arg=quiet_ms, timeout=300_000, polling=100)


def load_pages(base: str, username: str, password: str, loads: int) -> list[tuple[str, float]]:
    from playwright.sync_api import sync_playwright

    seconds = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
                   else r.abort())
        page.goto(base)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Log out").wait_for(timeout=120_000)
        settle(page)
        for i in range(loads):
            for path in ("metrics", "balances"):
                start = time.perf_counter()
                page.goto(f"{base}/{path}")
                page.get_by_test_id("stMetric").first.wait_for(timeout=300_000)
                if path == "metrics":
                    settle(page)
                    page.get_by_test_id("stButtonGroup").first.get_by_text(
                        "Last 90 days" if i % 2 == 0 else "Last 30 days", exact=True).click()
                settle(page)
                seconds.append((path, time.perf_counter() - start))
        browser.close()
    return seconds


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--loads", type=int, default=4)
    p.add_argument("--username", default="admin")
    p.add_argument("--password", default="demo-admin-2026")
    args = p.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, DATABASE_URL=url(args), CSOL_DEMO_MODE="false",
                   CSOL_COOKIE_KEY="bench-cookie-key-" + "x" * 32,
                   CSOL_SECRETS_FILE=str(Path(folder) / "none.toml"))
        command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
                   "--server.headless", "true", "--server.address", "127.0.0.1",
                   "--server.port", str(port), "--browser.gatherUsageStats", "false"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            wait_healthy(base, process)
            time.sleep(2)
            idle_kb = status_kb(process.pid, "VmRSS")
            sampler = Sampler(process.pid)
            sampler.start()
            loads = load_pages(base, args.username, args.password, args.loads)
            sampler.running = False
            sampler.join()
            hwm_kb = status_kb(process.pid, "VmHWM")
            end_kb = status_kb(process.pid, "VmRSS")
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    peak_mb = max(hwm_kb, sampler.peak_kb) / 1024
    idle_mb = idle_kb / 1024
    print(f"Streamlit server (pid {process.pid}) on {url(args)}")
    print(table([(path, f"{s:.1f} s") for path, s in loads], ("page load", "seconds")))
    print(table([("idle", idle_mb), ("peak (VmHWM / sampled)", peak_mb),
                 ("after the loads", end_kb / 1024), ("peak above idle", peak_mb - idle_mb)],
                ("resident memory", "MB")))
    above = peak_mb - idle_mb
    print(f"{above:.0f} MB above idle — {'within' if above <= BUDGET_MB else 'OVER'} the "
          f"{BUDGET_MB:.0f} MB budget")


if __name__ == "__main__":
    main()
