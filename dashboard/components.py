"""Reusable pieces of the pages: the search box, the customer header, enquiry tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard import state, widgets
from dashboard.formatting import money, time_left, when
from dashboard.services.customers import CustomerHeader
from dashboard.services.enquiries import EnquiryRow
from dashboard.services.search import SearchHit

PAGES = Path(__file__).resolve().parent.parent / "pages"
CUSTOMER_PAGE = PAGES / "customer.py"
STATUS_LABELS = {
    "new": "New", "open": "Open", "pending_customer": "Pending customer",
    "pending_internal": "Pending internal", "resolved": "Resolved", "closed": "Closed",
}
SEARCH_HELP = ("Customer number, company name, VAT number (any spelling), order, invoice or "
               "credit-note number, contract, serial, payment reference, e-mail or phone.")


def open_customer(customer_number: str, focus: tuple[str, int] | None = None) -> None:
    st.session_state[state.CUSTOMER_FOCUS] = focus
    st.switch_page(CUSTOMER_PAGE, query_params={"c": customer_number})


def search_box(key: str = "search", compact: bool = False) -> str:
    """A one-line search form; Enter submits. Returns the submitted query ('' when none)."""
    with st.form(f"{key}_form", border=False):
        if compact:
            query = st.text_input("Find a customer", key=f"{key}_query", help=SEARCH_HELP,
                                  placeholder="number, name, VAT, invoice…")
            submitted = st.form_submit_button("Search", width="stretch")
        else:
            cols = st.columns([6, 1], vertical_alignment="bottom")
            query = cols[0].text_input(
                "Find a customer", key=f"{key}_query", help=SEARCH_HELP,
                placeholder="e.g. BE 0403.019.261, C100042, INV-2026-000123")
            submitted = cols[1].form_submit_button("Search", type="primary", width="stretch")
    return query.strip() if submitted else ""


def sidebar_search() -> None:
    """Quick find on every page: Enter opens the best match."""
    from dashboard import ui
    from dashboard.services import search

    with st.sidebar:
        query = search_box("sidebar_search", compact=True)
        if query:
            with ui.session() as s:
                hits = search.search(session=s, query=query)
            search_results(hits, query)


def search_results(hits: list[SearchHit], query: str) -> None:
    """Enter opens the first hit; the others stay one click away on the customer page."""
    if not hits:
        st.info(f"Nothing found for “{query}”.")
        return
    st.session_state[state.SEARCH_RESULTS] = (query, hits)
    open_customer(hits[0].customer_number, _focus(hits[0]))


def other_matches(customer_id: int) -> None:
    """The rest of the last search's hits, when the customer shown is one of them."""
    query, hits = st.session_state.get(state.SEARCH_RESULTS, ("", []))
    others = [h for h in hits if h.customer_id != customer_id]
    if not others or all(h.customer_id != customer_id for h in hits):
        return
    with st.expander(f"{len(hits)} results for “{query}” — showing "
                     f"{next(h.customer_name for h in hits if h.customer_id == customer_id)}"):
        for i, hit in enumerate(others):
            cols = st.columns([6, 1], vertical_alignment="center")
            cols[0].markdown(f"**{hit.customer_name}** · {hit.customer_number} — "
                             f"{hit.matched}: {hit.detail}")
            if cols[1].button("Open", key=f"other_match_{i}"):
                open_customer(hit.customer_number, _focus(hit))


def _focus(hit: SearchHit) -> tuple[str, int] | None:
    if hit.document_kind and hit.document_id:
        return (hit.document_kind, hit.document_id)
    return None


def customer_header(h: CustomerHeader, side: st.delta_generator.DeltaGenerator | None = None
                    ) -> st.delta_generator.DeltaGenerator:
    """Name, facts, money and warnings; returns the column beside the name for actions."""
    left, right = st.columns([3, 2], vertical_alignment="top")
    left.title(h.name)
    place = f"{h.city} ({h.country})" if h.city else h.country
    facts = [h.customer_number, h.vat_number or "no VAT number", place,
             f"language {h.language.upper()}", h.segment.replace("_", " "),
             f"account manager {h.account_manager or '—'}"]
    left.caption(" · ".join(facts))
    cols = st.columns(4)
    cols[0].metric("Balance", money(h.balance_cents))
    cols[1].metric("Overdue", money(h.overdue_cents))
    cols[2].metric("Credit limit", money(h.credit_limit_cents))
    used = h.credit_used_pct
    cols[3].metric("Credit used", f"{used:.0f} %" if used is not None else "—")
    if h.warnings:
        st.warning(" · ".join(h.warnings))
    return right


def enquiry_frame(rows: list[EnquiryRow]) -> pd.DataFrame:
    return pd.DataFrame([
        {
            "SLA": r.sla.label,
            "Reference": r.reference,
            "Customer": r.customer_name or "—",
            "Subject": r.subject,
            "Priority": r.priority.capitalize(),
            "Status": STATUS_LABELS[r.status],
            "Channel": r.channel,
            "Due": when(r.sla.due_at),
            "Time left": time_left(r.sla.minutes_left),
            "Received": when(r.created_at),
        }
        for r in rows
    ])



def styled_enquiries(rows: list[EnquiryRow]) -> pd.DataFrame | Styler:
    """The enquiry table with its SLA column coloured by state."""
    return widgets.highlight(enquiry_frame(rows), "SLA",
                             lambda value: widgets.SLA_STYLES.get(str(value), ""))
