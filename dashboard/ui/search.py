"""Universal search: the search box on Today and in the sidebar, and what a search opens."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.services.search import SearchHit
from dashboard.ui import keys, state, text

PAGES = Path(__file__).resolve().parent.parent.parent / "pages"
CUSTOMER_PAGE = PAGES / "customer.py"
SEARCH_HELP = ("Customer number, company or contact name, VAT number (any spelling), order, "
               "invoice, credit-note or enquiry number (prefix and leading zeros optional), "
               "contract, serial, tracking number, payment or bank reference, e-mail address "
               "or domain, or phone. Alt+K comes here from any page.")


def open_customer(customer_number: str, focus: tuple[str, int] | None = None) -> None:
    """The customer page on ``focus`` (document kind, id) when given, on its tab."""
    st.session_state[state.CUSTOMER_FOCUS] = focus
    st.session_state[state.CUSTOMER_ID] = None  # the page then starts on the focus's tab
    st.switch_page(CUSTOMER_PAGE, query_params={"c": customer_number})


def search_box(key: str = "search", compact: bool = False) -> str:
    """A one-line search form; Enter submits. Returns the submitted query ('' when none)."""
    with st.container(key=keys.FIND), st.form(f"{key}_form", border=False):
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
    """Quick find on every page: one match opens, several are listed to choose from."""
    with st.sidebar:
        query = search_box("sidebar_search", compact=True)
        if query:
            run_search(query)
        matches("sidebar")


def run_search(query: str) -> None:
    """Search; open the hit when there is no doubt which one is meant, else list them."""
    from dashboard.services import search
    from dashboard.ui import db

    with db.session() as s:
        hits = search.search(session=s, query=query)
    st.session_state[state.SEARCH_RESULTS] = (query, hits)
    st.session_state[state.SEARCH_CHOICE] = True
    if (hit := search.opens_directly(hits)) is not None:
        open_hit(hit)


def matches(where: str) -> None:
    """The last search's matches while a choice is to be made (shown until one is opened)."""
    if not st.session_state.get(state.SEARCH_CHOICE):
        return
    query, hits = st.session_state.get(state.SEARCH_RESULTS, ("", []))
    if not hits:
        st.info(f"Nothing found for “{text.plain(query)}”.")
        return
    st.markdown(f"**{len(hits)} matches for “{text.plain(query)}”** — which one?")
    for i, hit in enumerate(hits):
        label = (f"{hit.customer_name or 'No customer yet'} · {hit.matched}: {hit.detail}"
                 if where == "sidebar" else
                 f"{hit.customer_name or 'No customer yet'} ({hit.customer_number or '—'}) — "
                 f"{hit.matched}: {hit.detail}")
        if st.button(text.plain(label), key=f"{where}_match_{i}", width="stretch"):
            open_hit(hit)


def open_hit(hit: SearchHit) -> None:
    st.session_state[state.SEARCH_CHOICE] = False
    if hit.document_kind == "enquiry":
        st.switch_page(PAGES / "enquiry.py", query_params={"e": hit.detail})
    if hit.customer_number is not None:
        open_customer(hit.customer_number, _focus(hit))


def other_matches(customer_id: int) -> None:
    """The rest of the last search's hits, when the customer shown is one of them."""
    query, hits = st.session_state.get(state.SEARCH_RESULTS, ("", []))
    others = [h for h in hits if h.customer_id != customer_id]
    if not others or all(h.customer_id != customer_id for h in hits):
        return
    shown = next(h.customer_name for h in hits if h.customer_id == customer_id)
    with st.expander(text.plain(f"{len(hits)} results for “{query}” — showing {shown}")):
        for i, hit in enumerate(others):
            cols = st.columns([6, 1], vertical_alignment="center")
            cols[0].markdown(text.plain(f"{hit.customer_name or 'No customer yet'} · "
                                        f"{hit.customer_number or '—'} — {hit.matched}: "
                                        f"{hit.detail}"))
            if cols[1].button("Open", key=f"other_match_{i}"):
                open_hit(hit)


def _focus(hit: SearchHit) -> tuple[str, int] | None:
    if hit.document_kind and hit.document_id:
        return (hit.document_kind, hit.document_id)
    return None
