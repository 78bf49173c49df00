"""Every page in a real browser on the hostile database: no request leaves the app (issue 13.2).

The demo seed with payloads planted in every text people fill (tests/test_walk_payloads.py)
is served by a real Streamlit server; Chromium signs in as admin (who sees every page) and
opens each page of the navigation and each tab of the customer page. Every request to a host
other than the app's own is recorded (and refused): an image in a subject, a tracking pixel,
a font from the internet. There must be none.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RUN_COUNTER_SCRIPT,
    Server,
    app_server,
    is_local,
    require_browser,
    shot,
    wait_for_rerun,
)

require_browser()

from playwright.sync_api import Page, Route, expect, sync_playwright

from dashboard.ui.customer import TABS
from tests.test_walk_payloads import PAYLOAD, plant
from tests.walk_tour import PASSWORDS, Sights, demo_database, sights

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000
expect.set_options(timeout=TIMEOUT_MS)

_QUIET = """
(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const quiet = app !== null && app.getAttribute("data-test-script-state") === "notRunning"
      && document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]') === null;
  const now = performance.now();
  if (!quiet) { window.__quietSince = undefined; return false; }
  if (window.__quietSince === undefined) window.__quietSince = now;
  return now - window.__quietSince >= quietMs;
}
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Sights]]:
    workdir = tmp_path_factory.mktemp("browser-requests")
    with demo_database("sqlite", workdir) as (url, engine):
        places = sights(engine)
        plant(engine, places)
        engine.dispose()
        with app_server(Path(url.removeprefix("sqlite:///")), workdir) as server:
            yield server, places


# Markup that renders without fetching anything: a link to a payload's host, maths, an emoji
# from a shortcode, a Material icon from ``:material/home:``.
_RENDERED_MARKUP = r"""
() => {
  const found = [];
  for (const a of document.querySelectorAll('a[href*="evil.example"], a[href*="127.0.0.2"]'))
    found.push("link " + a.getAttribute("href"));
  if (document.querySelector(".katex")) found.push("maths");
  if (document.body.innerText.includes("\u{1F604}")) found.push("emoji from :smile:");
  for (const icon of document.querySelectorAll('[data-testid="stIconMaterial"]'))
    if (icon.textContent === "home") found.push("material icon home");
  return found;
}
"""


def quiet(page: Page, quiet_ms: float = 750) -> None:
    page.wait_for_function(_QUIET, arg=quiet_ms, timeout=TIMEOUT_MS, polling=50)


def open_url(page: Page, server: Server, path: str) -> None:
    wait_for_rerun(page, lambda: page.goto(f"{server.url}/{path}"), timeout_ms=TIMEOUT_MS)
    quiet(page)


def test_no_page_requests_another_host(hostile_server: tuple[Server, Sights]) -> None:
    server, places = hostile_server
    elsewhere: list[str] = []
    seen_on: dict[str, str] = {}
    where = {"page": "sign-in"}

    rendered: list[str] = []

    def look() -> None:
        rendered.extend(f"{what} on {where['page']}" for what in page.evaluate(_RENDERED_MARKUP))

    def record(route: Route) -> None:
        url = route.request.url
        if is_local(url, server.port):
            route.continue_()
            return
        elsewhere.append(url)
        seen_on.setdefault(url, where["page"])
        route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000},
                                      locale="en-GB", timezone_id="Europe/Brussels")
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", record)
        context.add_init_script(RUN_COUNTER_SCRIPT)
        page = context.new_page()
        try:
            open_url(page, server, "")
            page.get_by_label("Username").fill("admin")
            page.get_by_label("Password", exact=True).fill(PASSWORDS["admin"])
            wait_for_rerun(page, lambda: page.get_by_role("button", name="Sign in").click(),
                           timeout_ms=TIMEOUT_MS)
            quiet(page)
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            paths = ["", "queue", "balances", "log-call", "intake", "team", "metrics", "users",
                     f"enquiry?e={quote(PAYLOAD)}", f"customer?c={quote(PAYLOAD)}"]
            # The merged one, one with attachments, one not matched to a customer.
            paths += [f"enquiry?e={reference}" for reference in places.few_enquiries[:3]]
            for path in paths:
                where["page"] = path or "today"
                open_url(page, server, path)
                look()
            for number in places.customers:
                where["page"] = f"customer {number}"
                open_url(page, server, f"customer?c={number}")
                look()
                for tab in TABS[1:] if number == places.customers[0] else ():
                    where["page"] = f"customer {number} › {tab}"
                    wait_for_rerun(page, lambda t=tab: page.get_by_role("tab", name=t).click(),
                                   timeout_ms=TIMEOUT_MS)
                    quiet(page)
                    look()
            shot(page, "requests-last-page.png")
        except BaseException:
            shot(page, "requests-failure.png")
            print(f"--- streamlit log ---\n{server.log_tail()}")
            raise
        finally:
            context.close()
            browser.close()
    assert not rendered, "markup rendered from people's text:\n" + "\n".join(rendered)
    assert not elsewhere, "requests to other hosts:\n" + "\n".join(
        f"  {url} (first on {seen_on[url]})" for url in dict.fromkeys(elsewhere))
