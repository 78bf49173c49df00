"""The Streamlit side of the database: one engine per process, short sessions per use."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.business_calendar import BRUSSELS
from dashboard.config import ConfigError, Settings, load_settings
from dashboard.services import sla
from dashboard.ui import first_run

# How long the metrics and balances pages keep a result before reading it again. Each app
# server keeps its own results, so this is also the longest a write made through another
# server takes to show there (docs/deploy.md, "Caches"). CSOL_RESULT_TTL_SECONDS changes it.
DEFAULT_RESULT_TTL_SECONDS = 60


def _result_ttl() -> int:
    raw = os.environ.get("CSOL_RESULT_TTL_SECONDS", "").strip()
    if not raw:
        return DEFAULT_RESULT_TTL_SECONDS
    try:
        seconds = int(raw)
    except ValueError:
        raise ConfigError(f"CSOL_RESULT_TTL_SECONDS must be a whole number of seconds, "
                          f"not {raw!r}") from None
    if not 1 <= seconds <= 3600:
        raise ConfigError("CSOL_RESULT_TTL_SECONDS must be between 1 and 3600 seconds")
    return seconds


RESULT_TTL_SECONDS = _result_ttl()


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    from db.engine import make_engine

    return make_engine(url)


@st.cache_resource(show_spinner=False)
def _preparation(url: str) -> dict[str, object]:
    """Per database: whether it was checked, and a lock so only one session of this process
    prepares it (other processes wait on the database's own lock, ``db.locks``)."""
    return {"done": False, "lock": threading.Lock()}


def settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        st.error(str(exc))
        st.stop()
        raise  # unreachable; st.stop raises


def database_url() -> str:
    return settings().database_url


def engine() -> Engine:
    """The shared engine; on the first request the database is migrated (and demo-seeded)."""
    cfg = settings()
    eng = _engine(cfg.database_url)
    state = _preparation(cfg.database_url)
    if not state["done"]:
        with state["lock"]:  # type: ignore[attr-defined]
            if not state["done"]:
                _prepare(eng, cfg)
                state["done"] = True
    return eng


def _prepare(eng: Engine, cfg: Settings) -> None:
    """Migrate and, in demo mode, seed an empty database; other servers starting at the same
    time wait on the database's lock meanwhile (see ``first_run.prepare``)."""
    box = st.empty()

    def seeding() -> first_run.Progress:
        with box.container():
            st.info("First start: filling the database with demo data…")
            bar = st.progress(0.0, text="Starting")
        return lambda share, text: bar.progress(min(max(share, 0.0), 1.0), text=text)

    try:
        first_run.prepare(eng, demo_mode=cfg.demo_mode, seeding=seeding)
    finally:
        box.empty()


# What the pages load on first use; imported before the freeze below so their objects are
# frozen too instead of being walked by every later full collection.
_PAGE_MODULES = ("dashboard.ui.customer", "dashboard.ui.queue", "dashboard.ui.enquiry",
                 "dashboard.ui.metrics", "dashboard.ui.balances", "dashboard.charts")


@st.cache_resource(show_spinner=False)
def _settled() -> bool:
    import gc
    import importlib

    for name in _PAGE_MODULES:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
    return True


def settle_memory() -> None:
    """Once per process, after start-up: move the ~hundreds of thousands of long-lived
    objects (modules, plotly's validators, the engine) into the collector's permanent
    generation, so the full collections Python still runs do not walk them each time."""
    _settled()


def refresh_config() -> None:
    """Put the saved business calendar and at-risk default in force for this run: a change
    an admin saves reaches every page at its next rerun, without a restart."""
    with session() as s:
        sla.refresh(session=s)


@contextmanager
def session() -> Iterator[Session]:
    """A short transaction: committed when the block ends, rolled back on error."""
    with Session(engine(), expire_on_commit=False) as s, s.begin():
        yield s


@contextmanager
def plain_session() -> Iterator[Session]:
    """A session whose caller commits, for services that commit in steps (intake)."""
    with Session(engine(), expire_on_commit=False) as s:
        yield s


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(BRUSSELS).date()
