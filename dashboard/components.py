"""Reusable pieces of the pages: the search box, the customer header, enquiry tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard import state, widgets
from dashboard.formatting import duration_minutes, money, when
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


def search_box(key: str = "search") -> str:
    """A one-line search form; Enter submits. Returns the submitted query ('' when none)."""
    with st.form(f"{key}_form", border=False):
        cols = st.columns([6, 1], vertical_alignment="bottom")
        query = cols[0].text_input("Find a customer", key=f"{key}_query",
                                   placeholder="e.g. BE 0403.019.261, C100042, INV-2026-000123",
                                   help=SEARCH_HELP)
        submitted = cols[1].form_submit_button("Search", type="primary", width="stretch")
    return query.strip() if submitted else ""


def search_results(hits: list[SearchHit], query: str) -> None:
    """Open the only (or exact) hit straight away; otherwise list them to pick from."""
    if not hits:
        st.info(f"Nothing found for “{query}”. {SEARCH_HELP}")
        return
    exact = hits[0].matched not in ("Name", "Name contains")
    if len(hits) == 1 or (exact and len({h.customer_id for h in hits}) == 1):
        hit = hits[0]
        open_customer(hit.customer_number, _focus(hit))
    st.caption(f"{len(hits)} result{'s' if len(hits) != 1 else ''} for “{query}”")
    for i, hit in enumerate(hits):
        label = f"**{hit.customer_name}** · {hit.customer_number} — {hit.matched}: {hit.detail}"
        cols = st.columns([8, 1], vertical_alignment="center")
        cols[0].markdown(label)
        if cols[1].button("Open", key=f"open_hit_{i}", type="primary" if i == 0 else "secondary"):
            open_customer(hit.customer_number, _focus(hit))


def _focus(hit: SearchHit) -> tuple[str, int] | None:
    if hit.document_kind and hit.document_id:
        return (hit.document_kind, hit.document_id)
    return None


def customer_header(h: CustomerHeader) -> None:
    st.title(h.name)
    facts = [h.customer_number, h.vat_number or "no VAT number", f"{h.city} ({h.country})",
             f"language {h.language.upper()}", h.segment.replace("_", " "),
             f"account manager {h.account_manager or '—'}"]
    st.caption(" · ".join(facts))
    cols = st.columns(4)
    cols[0].metric("Balance", money(h.balance_cents))
    cols[1].metric("Overdue", money(h.overdue_cents))
    cols[2].metric("Credit limit", money(h.credit_limit_cents))
    used = h.credit_used_pct
    cols[3].metric("Credit used", f"{used:.0f} %" if used is not None else "—")
    for warning in h.warnings:
        st.warning(warning)


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
            "Left (business)": duration_minutes(r.sla.minutes_left)
            if r.sla.minutes_left is not None else "",
            "Received": when(r.created_at),
        }
        for r in rows
    ])



def styled_enquiries(rows: list[EnquiryRow]) -> pd.DataFrame | Styler:
    """The enquiry table with its SLA column coloured by state."""
    return widgets.highlight(enquiry_frame(rows), "SLA",
                             lambda value: widgets.SLA_STYLES.get(str(value), ""))
