"""Many representatives at once, without a browser: Streamlit's own websocket protocol.

    python -m bench.load --database-url sqlite:///data/large.db [--users 10,25,50,100]
        [--duration 120] [--think 10] [--server-arg=--runner.postScriptGC=false]
    python -m bench.load --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB ...
    python -m bench.load --url http://127.0.0.1:8501 --server-pid PID ...   (a running server)
    python -m bench.load --url https://support.example.be --server-pid PID1,PID2 ...
        (app servers behind nginx, deploy/nginx: each representative keeps its own routing
        cookie, so they spread over the servers and each stays on one)
    python -m bench.load --database-url ... --soak 20 --users 25          (memory under load)

Starts ``streamlit run dashboard/app.py`` with the shipped ``.streamlit/config.toml`` (demo mode
off), or attaches to one with ``--url``. Each simulated representative is one websocket on
``/_stcore/stream`` sending ``BackMsg`` protobufs and reading ``ForwardMsg``s, as the frontend
does: it signs in through the real form (username, password, Sign in, by widget id), then
alternates a call flow (search a customer by number, VAT number or name -> customer page -> a
tab -> Log a call -> Save call) and a queue flow (Queue -> Claim next -> read -> type a reply ->
Send reply), thinking ``--think`` s (+-50 %) before each step. The refresh timers the server
asks for (``auto_rerun``, the live fragments) fire as in a browser.

An action's time runs from sending its ``BackMsg`` to the server's ``script_finished`` for the
run it caused (after any ``st.switch_page``). Errors: an exception element in the reply, a
run that ends somewhere else than the step expects, a timeout, a dropped connection.

CPU comes from ``/proc``: the server process's utime+stime; on PostgreSQL also every backend
connected to the database (sampled each second, so a connection's CPU counts until it closes);
on SQLite the database runs inside the server process. The load client's own CPU is shown as
well: it shares the machine.

Writes: calls are logged, enquiries claimed and replied to. Run it on a copy of the database.
Budget: one server holds 50 representatives at 10 s think time with p95 <= 1 s for every
action and 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench.common import BENCH_ENVIRONMENT, parser, percentile, table, url
from db.config import ROOT

BUDGET_USERS = 50
BUDGET_THINK = 10.0
BUDGET_P95_MS = 1000.0
# Steps of the flows; what the server does by itself on a timer is reported apart.
AUTO = "auto refresh"
SIGN_IN = "sign in"
CUSTOMER_TABS = ("Orders & delivery", "Invoices & credit notes", "Statement", "Contracts",
                 "Installed base", "Contacts", "Enquiries", "Timeline")
CLK_TCK = os.sysconf("SC_CLK_TCK")
# A dataframe's selection as the frontend reports it: the first row picked.
PICK_FIRST_ROW = {"selection": {"rows": [0], "columns": [], "cells": []}}


class TimeUp(Exception):
    """The level is over: the representative stops at the next pause."""


class ActionError(Exception):
    """A step did not end as it should; ``kind`` names how."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.recorded = False  # counted against its step already


# --------------------------------------------------------------------------- the protocol


@dataclass(eq=False)  # a key by identity: one widget of one run
class Widget:
    id: str
    kind: str
    label: str
    form_id: str
    fragment_id: str
    value: str = ""  # a text input's value as the server sent it


Value = str | bool | dict[str, object]


@dataclass
class Run:
    """What one rerun sent back: its end status and anything that went wrong in it."""

    done: asyncio.Future[int]
    exceptions: list[str] = field(default_factory=list)


class Client:
    """One browser tab, as far as the server can tell."""

    def __init__(self, base: str, timeout: float) -> None:
        self.base, self.timeout = base, timeout
        self.ws: object = None
        self.reader: asyncio.Task[None] | None = None
        self.page_hash = ""
        self.query = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.widgets: dict[str, Widget] = {}
        # fragment id -> (seconds between its reruns, when the timer was set)
        self.timers: dict[str, tuple[float, float]] = {}
        self.run: Run | None = None
        self.lock = asyncio.Lock()  # one rerun at a time, as in the browser
        self.closed = False
        # Behind nginx (deploy/nginx) the routing cookie keeps a tab on one app server, as a
        # browser's does; a server reached directly ignores it.
        self.route = os.urandom(8).hex()

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        ws_url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        # The frontend repurposes the subprotocol list: "streamlit", then an XSRF token
        # (a placeholder without one), then the session to resume (none here).
        self.ws = await connect(ws_url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
                                max_size=None, open_timeout=self.timeout, ping_interval=None,
                                compression=None,
                                additional_headers={"Cookie": f"csol_route={self.route}"})
        self.reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        self.closed = True
        if self.ws is not None:
            await self.ws.close()  # type: ignore[attr-defined]
        if self.reader is not None:
            self.reader.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self.reader

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            async for data in self.ws:  # type: ignore[attr-defined]
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
        except Exception as exc:  # the connection dropped
            if self.run is not None and not self.run.done.done():
                self.run.done.set_exception(ActionError("disconnect", str(exc)[:80]))
        else:
            if self.run is not None and not self.run.done.done():
                self.run.done.set_exception(ActionError("disconnect", "closed by server"))
        self.closed = True

    def _handle(self, msg: object) -> None:
        kind = msg.WhichOneof("type")  # type: ignore[attr-defined]
        if kind == "delta":
            self._delta(msg.delta)  # type: ignore[attr-defined]
        elif kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash  # type: ignore[attr-defined]
            if not msg.metadata.run.fragment_ids:  # type: ignore[attr-defined]
                # A full run: the page is built afresh, with its own timers. A fragment's
                # run replaces only the fragment's widgets.
                self.widgets.clear()
                self.timers.clear()
        elif kind == "navigation":
            nav = msg.navigation  # type: ignore[attr-defined]
            self.page_hash = nav.page_script_hash
            self.pages = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string  # type: ignore[attr-defined]
        elif kind == "auto_rerun":
            timer = msg.auto_rerun  # type: ignore[attr-defined]
            self.timers[timer.fragment_id] = (timer.interval, time.monotonic())
        elif kind == "script_finished":
            status = msg.script_finished  # type: ignore[attr-defined]
            if status == 2:  # FINISHED_EARLY_FOR_RERUN: the run it gave way to follows
                return
            if self.run is not None and not self.run.done.done():
                self.run.done.set_result(status)

    def _delta(self, delta: object) -> None:
        which = delta.WhichOneof("type")  # type: ignore[attr-defined]
        fragment = delta.fragment_id  # type: ignore[attr-defined]
        if which == "add_block":
            block = delta.add_block  # type: ignore[attr-defined]
            if block.id:
                self.widgets[block.id] = Widget(block.id, block.WhichOneof("type") or "",
                                                "", "", fragment)
            return
        if which != "new_element":
            return
        element = delta.new_element  # type: ignore[attr-defined]
        etype = element.WhichOneof("type")
        if etype is None:
            return
        if etype == "exception":
            if self.run is not None:
                self.run.exceptions.append(
                    f"{element.exception.type}: {element.exception.message}"[:200])
            return
        proto = getattr(element, etype)
        wid = getattr(proto, "id", "") if etype != "markdown" else ""
        if not wid or not isinstance(wid, str):
            return
        value = ""
        if etype in ("text_input", "text_area"):
            value = proto.value if proto.set_value else proto.default
        self.widgets[wid] = Widget(wid, etype, getattr(proto, "label", ""),
                                   getattr(proto, "form_id", ""), fragment, value)

    # ----------------------------------------------------------------- what a page offers

    def keyed(self, key: str) -> Widget | None:
        """The widget with the user key ``key`` (its id ends with ``-key``)."""
        return next((w for w in self.widgets.values() if w.id.endswith("-" + key)), None)

    def keyed_like(self, start: str, end: str) -> Widget | None:
        return next((w for w in self.widgets.values()
                     if w.id.rsplit("-", 1)[-1].startswith(start) and w.id.endswith(end)),
                    None)

    def submitter(self, form_id: str) -> Widget | None:
        return next((w for w in self.widgets.values()
                     if w.kind == "button" and w.form_id == form_id
                     and "FormSubmitter:" in w.id), None)

    def labelled(self, kind: str, label: str, form_id: str | None = None) -> Widget | None:
        return next((w for w in self.widgets.values() if w.kind == kind and w.label == label
                     and (form_id is None or w.form_id == form_id)), None)

    # ----------------------------------------------------------------- sending

    async def rerun(self, values: dict[Widget, Value] | None = None, *,
                    page: str | None = None, query: str | None = None,
                    fragment_id: str = "", auto: bool = False) -> float:
        """Send one rerun (widget values, or a page to go to); return its milliseconds."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if self.closed:
            raise ActionError("disconnect", "connection closed")
        if query is not None:  # going to another page: its own address
            self.query = query
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash if page is None else page
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "Europe/Brussels", -60, "en-GB"
        info.url = self.base + "/"
        for widget, value in (values or {}).items():
            ws = state.widget_states.widgets.add()
            ws.id = widget.id
            if value is True and widget.kind == "button":
                ws.trigger_value = True
            elif isinstance(value, dict):  # a selection travels as JSON in a string
                ws.string_value = json.dumps(value)
            else:
                ws.string_value = str(value)
        loop = asyncio.get_running_loop()
        self.run = Run(loop.create_future())
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())  # type: ignore[attr-defined]
        try:
            status = await asyncio.wait_for(self.run.done, self.timeout)
        except TimeoutError:
            raise ActionError("timeout", f"no script_finished within {self.timeout:g} s"
                              ) from None
        elapsed = (time.perf_counter() - start) * 1000
        if self.run.exceptions:
            raise ActionError("exception", self.run.exceptions[0])
        if status == 1:
            raise ActionError("compile error")
        return elapsed


# --------------------------------------------------------------------------- the people


@dataclass(frozen=True)
class Target:
    customer_number: str
    vat_number: str | None
    name: str


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def ok(self, action: str, ms: float) -> None:
        self.times[action].append(ms)

    def failed(self, action: str, error: ActionError) -> None:
        self.errors[action].append(str(error))

    def count(self) -> int:
        return sum(len(v) for v in self.times.values())

    def error_count(self, include_auto: bool = True) -> int:
        return sum(len(v) for k, v in self.errors.items() if include_auto or k != AUTO)


def spelled_vat(vat: str | None) -> str:
    """A VAT number as people read it out: BE0403019261 -> BE 0403.019.261."""
    if vat and vat.startswith("BE") and len(vat) == 12:
        return f"BE {vat[2:6]}.{vat[6:9]}.{vat[9:]}"
    return vat or ""


class Representative:
    def __init__(self, base: str, username: str, password: str, targets: list[Target],
                 think: float, timeout: float, results: Results, rng: random.Random,
                 auto_rerun: bool) -> None:
        self.base, self.username, self.password = base, username, password
        self.targets, self.think_s, self.timeout = targets, think, timeout
        self.results, self.rng, self.auto_rerun = results, rng, auto_rerun
        self.client = Client(base, timeout)
        self.refresh: asyncio.Task[None] | None = None
        self.until = float("inf")
        self.signed_in = False

    async def think(self) -> None:
        pause = self.think_s * self.rng.uniform(0.5, 1.5)
        if time.monotonic() + pause >= self.until:
            raise TimeUp
        await asyncio.sleep(pause)

    async def step(self, action: str, send: Callable[[], object],
                   check: Callable[[], bool] | None = None, what: str = "") -> None:
        try:
            async with self.client.lock:
                ms = await send()  # type: ignore[misc]
            if check is not None and not check():
                raise ActionError("unexpected", f"{what} (page {self._where()})")
        except ActionError as exc:
            self.results.failed(action, exc)
            exc.recorded = True
            raise
        self.results.ok(action, ms)

    def _where(self) -> str:
        by_hash = {h: path for path, h in self.client.pages.items()}
        return f"/{by_hash.get(self.client.page_hash, '?')}?{self.client.query}"

    def on(self, path: str) -> bool:
        return self.client.pages.get(path) == self.client.page_hash

    async def sign_in(self) -> None:
        c = self.client
        await c.connect()
        await self.step("open app", lambda: c.rerun(page="", query=""),
                        lambda: c.keyed("login_username") is not None, "no sign-in form")
        user, password = c.keyed("login_username"), c.keyed("login_password")
        button = c.submitter("login")
        assert user and password and button
        await self.step(SIGN_IN, lambda: c.rerun({user: self.username, password: self.password,
                                                  button: True}),
                        lambda: c.keyed("logout_button") is not None, "still signed out")
        self.signed_in = True
        if self.auto_rerun:
            self.refresh = asyncio.create_task(self._refresh())

    async def _refresh(self) -> None:
        """Fire each live fragment on its timer while nothing else runs, as the browser does;
        a full run sets the timers afresh."""
        fired: dict[str, float] = {}
        c = self.client
        while not c.closed:
            await asyncio.sleep(1)
            for fragment, (every, since) in list(c.timers.items()):
                if time.monotonic() < max(since, fired.get(fragment, 0.0)) + every:
                    continue
                fired[fragment] = time.monotonic()
                try:
                    async with c.lock:
                        if c.timers.get(fragment, (0, 0))[1] != since:
                            continue  # a full run meanwhile set the timers afresh
                        ms = await c.rerun(fragment_id=fragment, auto=True)
                    self.results.ok(AUTO, ms)
                except ActionError as exc:
                    self.results.failed(AUTO, exc)
                    return

    async def search(self) -> None:
        c = self.client
        target = self.rng.choice(self.targets)
        how = self.rng.choice(("number", "vat", "name") if target.vat_number
                              else ("number", "name"))
        query = {"number": target.customer_number, "vat": spelled_vat(target.vat_number),
                 "name": target.name}[how]
        box = c.keyed("sidebar_search_query") or c.keyed("today_search_query")
        assert box is not None, "no search box"
        form = "sidebar_search_form" if box.id.endswith("sidebar_search_query") \
            else "today_search_form"
        button = c.submitter(form)
        assert button is not None
        action = f"search by {how}"
        await self.step(action, lambda: c.rerun({box: query, button: True}))
        if not self.on("customer"):  # several matches: pick the caller's company
            pick = next((w for w in c.widgets.values() if w.kind == "button"
                         and "_match_" in w.id and target.customer_number in w.label), None)
            if pick is None:
                pick = next((w for w in c.widgets.values() if w.kind == "button"
                             and "_match_" in w.id), None)
            if pick is None:
                raise ActionError("unexpected", f"{action} {query!r}: no customer, no list")
            await self.think()
            await self.step("pick a match", lambda: c.rerun({pick: True}),
                            lambda: self.on("customer"), "no customer page")

    async def call_flow(self) -> None:
        c = self.client
        await self.search()
        await self.think()
        tabs = c.keyed("customer_tab")
        assert tabs is not None, "no customer tabs"
        tab = self.rng.choice(CUSTOMER_TABS[1:])
        await self.step("customer tab", lambda: c.rerun({tabs: tab}),
                        lambda: self.on("customer"), "left the customer page")
        await self.think()
        log = c.keyed("log_call_here")
        assert log is not None
        await self.step("open log a call", lambda: c.rerun({log: True}),
                        lambda: self.on("log-call"), "no call form")
        await self.think()
        subject = c.labelled("text_input", "Subject", "log_call")
        notes = c.labelled("text_area", "Notes", "log_call")
        save = c.submitter("log_call")
        assert subject and notes and save
        await self.step("save call", lambda: c.rerun({
            subject: "Question about the latest invoice",
            notes: "Caller asked when the invoice falls due; explained the terms.",
            save: True}), lambda: self.on("enquiry"), "call not saved")

    async def queue_flow(self) -> None:
        c = self.client
        if "queue" not in c.pages:
            raise ActionError("unexpected", f"no Queue in the menu (page {self._where()})")
        await self.step("open queue", lambda: c.rerun(page=c.pages["queue"], query=""),
                        lambda: self.on("queue"), "no queue")
        await self.think()
        claim = c.keyed("claim_next")
        assert claim is not None
        await self.step("claim next", lambda: c.rerun({claim: True},
                                                      fragment_id=claim.fragment_id))
        if not self.on("enquiry"):  # nothing unassigned in the team: take one of mine
            mine = c.keyed_like("queue_pick_", "")
            if mine is None:
                return
            await self.think()
            await self.step("open from queue", lambda: c.rerun(
                {mine: PICK_FIRST_ROW}, fragment_id=mine.fragment_id), lambda: self.on("enquiry"),
                "no enquiry")
        await self.think()  # reading the enquiry
        body = c.keyed_like("reply_", "_body")
        to = c.keyed_like("reply_", "_to")
        assert body and to, "no reply form"
        values: dict[Widget, Value] = {body: "Thank you for your message. The credit "
                                            "note was issued today and is attached."}
        if not to.value:
            values[to] = "accounts@example.be"
        await self.step("type reply", lambda: c.rerun(values))
        send = c.keyed_like("reply_", "_send")
        assert send is not None
        await self.step("send reply", lambda: c.rerun({send: True}),
                        lambda: self.on("enquiry"), "left the enquiry")

    async def live(self, until: float, rounds: int | None = None, first: int = 0) -> None:
        """Flows until ``until`` (or ``rounds`` of them), starting with the call flow (0) or
        the queue flow (1); after a failure, start again as a new tab."""
        self.until = until
        flows = [self.call_flow, self.queue_flow]
        turn = first
        while time.monotonic() < until and (rounds is None or turn - first < rounds):
            try:
                if self.client.closed or not self.signed_in:
                    await self.restart()
                await flows[turn % 2]()
                turn += 1
                if rounds is None or turn - first < rounds:
                    await self.think()
            except TimeUp:
                break
            except (ActionError, AssertionError, KeyError) as exc:
                if not isinstance(exc, ActionError):  # a widget the step needs is missing
                    exc = ActionError("unexpected", f"{type(exc).__name__} {exc}")
                if not exc.recorded:
                    self.results.failed("between steps", exc)
                turn += 1
                if time.monotonic() < until:
                    await self.restart(reconnect=exc.kind in ("timeout", "disconnect"))
        await self.stop()

    async def restart(self, reconnect: bool = True) -> None:
        if reconnect or self.client.closed or not self.signed_in:
            await self.stop()
            self.client = Client(self.base, self.timeout)
            self.signed_in = False
            try:
                await self.sign_in()
            except (ActionError, OSError, AssertionError) as exc:
                if not isinstance(exc, ActionError) or not exc.recorded:
                    self.results.failed(SIGN_IN, ActionError("disconnect", str(exc)))
                await asyncio.sleep(self.think_s)
        else:  # back to Today, as a representative would after a surprise
            try:
                await self.step("back to Today", lambda: self.client.rerun(
                    page=self.client.pages.get("", ""), query=""))
            except ActionError:
                await self.restart(reconnect=True)

    async def stop(self) -> None:
        if self.refresh is not None:
            self.refresh.cancel()
        await self.client.close()


# --------------------------------------------------------------------------- CPU, memory


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _cpu(pids: tuple[int, ...]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def _rss(pids: tuple[int, ...], field: str = "VmRSS") -> float:
    return sum(rss_mb(pid, field) for pid in pids)


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


class DatabaseCpu(threading.Thread):
    """CPU of the PostgreSQL backends connected to the database: sampled every second, so a
    backend's CPU counts up to its last sample even once it has closed."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.running = database_url, True
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.error: str | None = None

    def run(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(self.url)
        try:
            with psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432,
                                 user=u.username or "postgres", password=u.password,
                                 dbname=u.database, autocommit=True) as conn:
                while self.running:
                    rows = conn.execute(
                        "select pid from pg_stat_activity where datname = current_database()"
                        " and pid <> pg_backend_pid()").fetchall()
                    for (pid,) in rows:
                        try:
                            seconds = cpu_seconds(pid)
                        except OSError:  # another host, or gone already
                            continue
                        self.first.setdefault(pid, seconds)
                        self.last[pid] = seconds
                    time.sleep(1)
        except Exception as exc:
            self.error = str(exc)[:120]

    def reset(self) -> None:
        self.first = dict(self.last)

    def seconds(self) -> float:
        return sum(self.last[p] - self.first.get(p, 0.0) for p in self.last)


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, process: subprocess.Popen[bytes] | None, seconds: float = 60
                 ) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as resp:
                if resp.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"streamlit at {base} did not answer within {seconds:.0f} s")


@contextmanager
def app_server(database: str, port: int = 0, server_args: tuple[str, ...] = (),
               log: Path | None = None) -> Iterator[tuple[str, int]]:
    """``streamlit run dashboard/app.py`` on ``database`` with the shipped config; yields its
    address and pid, and ends exactly that process."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, DATABASE_URL=database, **BENCH_ENVIRONMENT,
                   CSOL_SECRETS_FILE=str(Path(folder) / "none.toml"))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
                   "--server.headless", "true", "--server.address", "127.0.0.1",
                   "--server.port", str(port), "--browser.gatherUsageStats", "false",
                   *server_args]
        out = log.open("wb") if log else subprocess.DEVNULL
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
        try:
            wait_healthy(base, process)
            yield base, process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if log:
                out.close()  # type: ignore[union-attr]


# --------------------------------------------------------------------------- data


def people_and_targets(database: str, count: int = 2000, seed: int = 14
                       ) -> tuple[list[tuple[str, str]], list[Target]]:
    """Active representatives (with the seeded passwords) and distinct customers to call
    about, drawn at random from the database."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from db.engine import make_engine
    from db.models import Customer, User
    from seed.demo_accounts import DEMO_ACCOUNTS
    from seed.staff import STAFF_PASSWORD

    passwords = {a.username: a.password for a in DEMO_ACCOUNTS}
    engine = make_engine(database)
    with Session(engine) as s:
        people = [(name, passwords.get(name, STAFF_PASSWORD)) for name in s.scalars(
            select(User.username).where(User.is_active.is_(True), User.role.in_(("rep", "lead")))
            .order_by(User.id))]
        rows = s.execute(select(Customer.customer_number, Customer.vat_number, Customer.name)
                         .order_by(Customer.id)).all()
    engine.dispose()
    rng = random.Random(seed)
    chosen = rng.sample(rows, min(count, len(rows)))
    return people, [Target(r[0], r[1], r[2]) for r in chosen]


# --------------------------------------------------------------------------- a level


@dataclass(frozen=True)
class Plan:
    """Who signs in, whom they call about, and how they pace themselves."""

    people: list[tuple[str, str]]
    targets: list[Target]
    think: float = BUDGET_THINK
    timeout: float = 60.0
    ramp: float = 30.0
    auto_rerun: bool = True
    rounds: int | None = None  # flows per representative, whatever the duration


@dataclass
class Level:
    users: int
    seconds: float
    results: Results
    server_cpu: float
    db_cpu: float | None
    client_cpu: float
    rss_mb: list[tuple[str, float, int]]  # (when, server RSS, steps done by then)
    peak_mb: float | None = None


async def run_users(base: str, users: int, duration: float, plan: Plan, seed: int = 1,
                    on_minute: Callable[[int, Results], None] | None = None) -> Results:
    """``users`` representatives for ``duration`` s, signing in one after the other over the
    first ``plan.ramp`` s (a morning's sign-ins are spread, not one burst)."""
    results = Results()
    until = time.monotonic() + duration
    rng = random.Random(seed)

    async def one(i: int) -> None:
        name, password = plan.people[i % len(plan.people)]
        rep = Representative(base, name, password, plan.targets, plan.think, plan.timeout,
                             results, random.Random(rng.random()), plan.auto_rerun)
        await asyncio.sleep(plan.ramp * i / max(users, 1))
        try:
            await rep.sign_in()
        except (ActionError, OSError, AssertionError) as exc:
            if not isinstance(exc, ActionError) or not exc.recorded:
                results.failed(SIGN_IN, ActionError("disconnect", str(exc)))
        await rep.live(until, plan.rounds, first=i % 2)  # half start on the phone

    async def minutes() -> None:
        minute = 0
        while on_minute is not None:
            await asyncio.sleep(60)
            minute += 1
            on_minute(minute, results)

    ticker = asyncio.create_task(minutes())
    await asyncio.gather(*(one(i) for i in range(users)))
    ticker.cancel()
    return results


def measure(base: str, pids: tuple[int, ...], database: str, users: int, duration: float,
            plan: Plan, soak: bool = False) -> Level:
    """One level: its results, and the CPU the servers (summed over ``pids``), the database and
    this client used."""
    db_cpu = DatabaseCpu(database) if database.startswith("postgresql") else None
    if db_cpu is not None:
        db_cpu.start()
        time.sleep(1.5)
        db_cpu.reset()
    rss: list[tuple[str, float, int]] = [("start", _rss(pids), 0)] if pids else []

    def minute(n: int, results: Results) -> None:
        if pids:
            rss.append((f"minute {n}", _rss(pids), results.count()))
            if soak:
                print(f"  minute {n}: server RSS {rss[-1][1]:.0f} MB, "
                      f"{results.count()} steps, {results.error_count()} errors", flush=True)

    server_start = _cpu(pids) if pids else 0.0
    client_start = resource.getrusage(resource.RUSAGE_SELF)
    start = time.monotonic()
    results = asyncio.run(run_users(base, users, duration, plan, on_minute=minute))
    seconds = time.monotonic() - start
    client_end = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = _cpu(pids) - server_start if pids else float("nan")
    if pids:
        rss.append(("end", _rss(pids), results.count()))
    database_cpu = None
    if db_cpu is not None:
        time.sleep(1.2)
        db_cpu.running = False
        db_cpu.join()
        database_cpu = db_cpu.seconds() if db_cpu.error is None else float("nan")
    client_cpu = (client_end.ru_utime + client_end.ru_stime
                  - client_start.ru_utime - client_start.ru_stime)
    return Level(users, seconds, results, server_cpu, database_cpu, client_cpu, rss,
                 _rss(pids, "VmHWM") if pids else None)


# --------------------------------------------------------------------------- reporting


def action_rows(level: Level) -> list[tuple[object, ...]]:
    rows = []
    names = sorted(set(level.results.times) | set(level.results.errors),
                   key=lambda a: (a == AUTO, a))
    for action in names:
        times = level.results.times.get(action, [])
        errors = len(level.results.errors.get(action, []))
        rows.append((f"N={level.users}", action, len(times),
                     percentile(times, 0.5) if times else "—",
                     percentile(times, 0.95) if times else "—", errors))
    return rows


def level_row(level: Level) -> tuple[object, ...]:
    done = level.results.count()
    user_actions = done - len(level.results.times.get(AUTO, []))
    cpu_per = level.server_cpu * 1000 / done if done else float("nan")
    return (level.users, f"{level.seconds:.0f}", user_actions, done - user_actions,
            level.results.error_count(),
            f"{level.server_cpu:.1f} ({level.server_cpu / level.seconds:.2f})",
            f"{cpu_per:.0f}",
            "in server" if level.db_cpu is None
            else f"{level.db_cpu:.1f} ({level.db_cpu / level.seconds:.2f})",
            f"{level.client_cpu:.1f}",
            f"{level.rss_mb[0][1]:.0f} → {level.rss_mb[-1][1]:.0f}" if level.rss_mb else "—")


def budget(level: Level) -> tuple[bool, str]:
    """p95 of every step a representative waits for (sign-in included), and no errors."""
    worst = max(((percentile(t, 0.95), a) for a, t in level.results.times.items()
                 if a != AUTO and t), default=(float("nan"), "—"))
    errors = level.results.error_count()
    ok = worst[0] <= BUDGET_P95_MS and errors == 0
    return ok, (f"N={level.users}: worst p95 {worst[0]:.0f} ms ({worst[1]}), {errors} errors")


LEVEL_HEADERS = ("users", "s", "actions", "auto", "errors", "server CPU s (cores)",
                 "server CPU ms/action", "db CPU s (cores)", "client CPU s", "RSS MB")


def print_level(level: Level) -> None:
    print(table(action_rows(level), ("users", "action", "done", "p50 ms", "p95 ms", "errors")))
    print(table([level_row(level)], LEVEL_HEADERS))
    shown = [(a, e) for a, errs in level.results.errors.items() for e in errs[:2]]
    for action, error in shown[:6]:
        print(f"  error in {action}: {error}")
    print(flush=True)


def pids_of(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of process ids: {text!r}") from None


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--url", help="attach to this running server instead of starting one")
    p.add_argument("--server-pid", type=pids_of, default=(), metavar="PID[,PID…]",
                   help="with --url: the server's pid, for its CPU; behind nginx, every app "
                   "server's on this machine, comma-separated (CPU and memory are summed)")
    p.add_argument("--port", type=int, default=0, help="port for the server started here")
    p.add_argument("--users", default="10,25,50,100", help="levels, comma-separated")
    p.add_argument("--duration", type=float, default=120, help="seconds per level")
    p.add_argument("--think", type=float, default=BUDGET_THINK,
                   help="seconds between steps, randomised +-50%%")
    p.add_argument("--timeout", type=float, default=60, help="seconds before a step fails")
    p.add_argument("--ramp", type=float, default=30,
                   help="seconds over which the representatives sign in, one after another")
    p.add_argument("--soak", type=float, default=0, metavar="MINUTES",
                   help="one level (the first of --users) this long; RSS every minute")
    p.add_argument("--no-auto-rerun", action="store_true",
                   help="do not fire the live fragments' refresh timers")
    p.add_argument("--server-arg", action="append", default=[],
                   help="an argument for the started server, e.g. "
                   "--server-arg=--runner.postScriptGC=false")
    p.add_argument("--log", type=Path, help="write the started server's output here")
    args = p.parse_args()
    database = url(args)
    levels = [int(n) for n in args.users.split(",")]
    people, targets = people_and_targets(database)
    if not people or not targets:
        raise SystemExit(f"No representatives or customers in {database}")
    plan = Plan(people, targets, args.think, args.timeout, args.ramp, not args.no_auto_rerun)
    server_args = tuple(a for arg in args.server_arg for a in arg.split("=", 1))

    def run_all(base: str, pids: tuple[int, ...]) -> list[Level]:
        done = []
        shown = ",".join(map(str, pids)) or "?"
        print(f"server {base} (pid {shown}) on {database}; {len(people)} accounts, "
              f"{len(targets)} customers; think {args.think:g} s ±50 %", flush=True)
        # A fresh server imports each page's modules on its first run: one representative
        # walks both flows first, unmeasured, so the levels see a warm server.
        warm = asyncio.run(run_users(base, 1, 600, replace(plan, think=0.2, rounds=2)))
        print(f"warm-up: {warm.count()} steps, {warm.error_count()} errors", flush=True)
        if args.soak:
            level = measure(base, pids, database, levels[0], args.soak * 60, plan, soak=True)
            print_level(level)
            return [level]
        for users in levels:
            level = measure(base, pids, database, users, args.duration, plan)
            print_level(level)
            done.append(level)
        return done

    if args.url:
        levels_done = run_all(args.url.rstrip("/"), args.server_pid)
    else:
        with app_server(database, args.port, server_args, args.log) as (base, pid):
            levels_done = run_all(base, (pid,))

    print(table([level_row(lv) for lv in levels_done], LEVEL_HEADERS))
    if args.soak:
        level = levels_done[0]
        print(table(level.rss_mb, ("when", "server RSS MB", "steps so far")))
        if level.peak_mb is not None:
            print(f"server peak RSS (VmHWM, since it started) {level.peak_mb:.0f} MB")
    for level in levels_done:
        if level.users == BUDGET_USERS and args.think == BUDGET_THINK:
            ok, line = budget(level)
            print(f"budget 50 reps @ 10 s think, p95 <= {BUDGET_P95_MS:.0f} ms, 0 errors: "
                  f"{'PASS' if ok else 'FAIL'} — {line}")
            break
    else:
        print(f"budget: not measured (needs N={BUDGET_USERS} at --think {BUDGET_THINK:g})")


if __name__ == "__main__":
    main()
