"""The account balances page's pieces: filters, KPIs, the portfolio charts, and the lists
behind them (most overdue customers, disputed invoices, open items by age).

Results are cached for a minute (``db.RESULT_TTL_SECONDS``) per database and filter, so a
change to an invoice shows within that minute; ``clear_cache`` drops them at once.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.formatting import compact_money, day, money, number, signed
from dashboard.labels import COUNTRY_LABELS, SEGMENT_LABELS
from dashboard.services import portfolio, receivables
from dashboard.services.balances import Customers
from dashboard.services.statement import BUCKET_LABELS, BUCKETS
from dashboard.services.users import UserInfo
from dashboard.ui import db, search, text, widgets
from db.models import COUNTRIES, SEGMENTS

# Session-state keys of this page (widget keys included).
BALANCE_SEGMENT = "balances_segment"
BALANCE_COUNTRY = "balances_country"
BALANCE_MANAGER = "balances_manager"
BALANCE_TAB = "balances_tab"
BALANCE_BUCKET = "balances_bucket"        # the ageing bucket whose open items are listed
OPEN_CUSTOMER = "balances_open_customer"  # picked on the top-overdue chart
MONEY = widgets.MONEY


def clear_cache() -> None:
    """On this server only (every other one reads anew within ``db.RESULT_TTL_SECONDS``):
    call after a write that changes balances, to show it at once."""
    for cached in (_portfolio, _top_overdue, _disputed, _bucket_items, _managers):
        cached.clear()



@st.cache_data(ttl=db.RESULT_TTL_SECONDS, show_spinner=False, max_entries=32)
def _portfolio(url: str, customers: Customers, today: date) -> portfolio.Portfolio:
    with db.session() as s:
        return portfolio.portfolio(session=s, customers=customers, today=today)


@st.cache_data(ttl=db.RESULT_TTL_SECONDS, show_spinner=False, max_entries=32)
def _top_overdue(url: str, customers: Customers, today: date, limit: int
                 ) -> list[portfolio.OverdueCustomer]:
    with db.session() as s:
        return portfolio.top_overdue(session=s, customers=customers, today=today, limit=limit)


@st.cache_data(ttl=db.RESULT_TTL_SECONDS, show_spinner=False, max_entries=32)
def _disputed(url: str, customers: Customers, limit: int
              ) -> tuple[list[portfolio.DisputedInvoice], int]:
    with db.session() as s:
        return portfolio.disputed_invoices(session=s, customers=customers, limit=limit)


@st.cache_data(ttl=db.RESULT_TTL_SECONDS, show_spinner=False, max_entries=32)
def _bucket_items(url: str, customers: Customers, today: date, bucket: str, limit: int
                  ) -> portfolio.BucketItems:
    with db.session() as s:
        return portfolio.bucket_items(session=s, customers=customers, today=today,
                                      bucket=bucket, limit=limit)


@st.cache_data(ttl=db.RESULT_TTL_SECONDS, show_spinner=False, max_entries=8)
def _managers(url: str) -> list[portfolio.ManagerOption]:
    with db.session() as s:
        return portfolio.account_managers(session=s)


def balance_filters(user: UserInfo) -> Customers:
    """Segment, country and account manager; a representative starts on their own accounts."""
    managers = _managers(db.database_url())
    cols = st.columns(3)
    segments = cols[0].multiselect("Segment", SEGMENTS, key=BALANCE_SEGMENT, placeholder="All",
                                   format_func=SEGMENT_LABELS.__getitem__)
    countries = cols[1].multiselect("Country", COUNTRIES, key=BALANCE_COUNTRY,
                                    placeholder="Both", format_func=COUNTRY_LABELS.__getitem__)
    mine = next((m for m in managers if m.id == user.id and user.role == "rep"), None)
    manager = widgets.one_or_all(cols[2], "Account manager", managers, "All", key=BALANCE_MANAGER,
                         start=mine)
    return Customers(segments=tuple(segments), countries=tuple(countries),
                     account_manager_id=manager.id if manager else None)


def load_portfolio(customers: Customers, today: date) -> portfolio.Portfolio:
    # Only the first load after a month end is slow: it closes that month.
    with st.spinner("Reading the receivables… (the first load after a month end also closes "
                    "that month: a few seconds, once)"):
        return _portfolio(db.database_url(), customers, today)


def compact(cents: int) -> str:
    """Portfolio-sized money, short enough for a KPI: 1,35M €, 698,4K € (exact in the help)."""
    return compact_money(cents)


def _money_delta(now: int, before: int) -> str | None:
    change = now - before
    return ("+" if change > 0 else "-") + compact(abs(change)) if change else None


def balance_kpis(p: portfolio.Portfolio) -> None:
    """Today against the last month end."""
    now, before = p.now, p.ageing[-2]
    dso_now, dso_before = p.dso[-1].dso, p.dso[-2].dso
    over_90 = now.buckets["90+"]
    cols = st.columns(6)
    cols[0].metric("Receivables", compact(now.total_cents),
                   _money_delta(now.total_cents, before.total_cents), delta_color="off",
                   help=f"{money(now.total_cents)} open today, net of credit notes and money "
                        f"on account; the change is since {day(before.as_of)}.")
    cols[1].metric("Past due", compact(now.overdue_cents),
                   _money_delta(now.overdue_cents, before.overdue_cents), delta_color="inverse",
                   help=f"{money(now.overdue_cents)}: every ageing bucket after 'current', "
                        "once credits are set against the oldest amounts due.")
    cols[2].metric("More than 90 days", compact(over_90),
                   _money_delta(over_90, before.buckets["90+"]), delta_color="inverse",
                   help=money(over_90))
    cols[3].metric("DSO", f"{number(dso_now)} days" if dso_now is not None else "—",
                   widgets.delta(dso_now, dso_before, lambda c: f"{signed(c, 1)} days"),
                   delta_color="inverse",
                   help="Receivables ÷ sales of the last three months × their days.")
    cols[4].metric("Disputed", compact(p.disputed_cents),
                   help=f"{money(p.disputed_cents)} open on invoices marked disputed.")
    cols[5].metric("On account", compact(p.on_account_cents),
                   help=f"{money(p.on_account_cents)} received and not yet allocated.")


def _euros(cents: int) -> float:
    return cents / 100


def ageing_frame(p: portfolio.Portfolio) -> pd.DataFrame:
    return pd.DataFrame([{"as_of": a.as_of, **{name: _euros(a.buckets[b]) for b, name in
                                               zip(BUCKETS, charts.BUCKET_NAMES, strict=True)}}
                         for a in p.ageing])


def balance_charts(p: portfolio.Portfolio) -> None:
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.ageing_over_time(ageing_frame(p)), width="stretch",
                      key="balances_ageing", config=widgets.chart_config("receivables-by-age"))
    right.plotly_chart(charts.dso_trend(pd.DataFrame(
        {"as_of": [d.month_end for d in p.dso], "dso": [d.dso for d in p.dso]})),
        width="stretch", key="balances_dso", config=widgets.chart_config("dso"))
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.invoiced_vs_paid(pd.DataFrame([{
        "month": m.month, "invoiced": _euros(m.invoiced_cents),
        "credited": _euros(m.credited_cents), "paid": _euros(m.paid_cents)}
        for m in p.months])), width="stretch", key="balances_flows",
        config=widgets.chart_config("invoiced-and-received"))
    right.plotly_chart(charts.ageing_bars(pd.DataFrame({
        "bucket": list(charts.BUCKET_NAMES),
        "amount": [_euros(p.now.buckets[b]) for b in BUCKETS]}),
        title=f"Ageing today ({day(p.today)})"), width="stretch", key="balances_ageing_now",
        config=widgets.chart_config("ageing-today"), on_select=_on_ageing_bar,
        selection_mode="points")
    st.caption(receivables.HOW_CREDITS_APPLY)


BALANCE_TABS = ("Most overdue customers", "Disputed invoices", "Open items by age")
TOP_CHART = 10


def _on_ageing_bar() -> None:
    """A bar of today's ageing lists what is in that bucket."""
    point = widgets.picked_point("balances_ageing_now")
    if point is not None and point.get("point_index") is not None:
        st.session_state[BALANCE_BUCKET] = BUCKETS[int(point["point_index"])]
        st.session_state[BALANCE_TAB] = BALANCE_TABS[2]


def balance_lists(customers: Customers, today: date) -> None:
    tabs = st.tabs(BALANCE_TABS, key=BALANCE_TAB, on_change="rerun")
    if tabs[0].open:
        with tabs[0]:
            _overdue_list(customers, today)
    if tabs[1].open:
        with tabs[1]:
            _disputed_list(customers)
    if tabs[2].open:
        with tabs[2]:
            _bucket_list(customers, today)


def overdue_frame(rows: list[portfolio.OverdueCustomer]) -> pd.DataFrame:
    columns = ["Customer", "Number", "Segment", "Country", "Account manager", "Overdue",
               "Of which > 90 days", "Oldest due", "Balance", "Disputed"]
    return pd.DataFrame([{
        "Customer": r.name, "Number": r.customer_number,
        "Segment": SEGMENT_LABELS.get(r.segment, r.segment),
        "Country": COUNTRY_LABELS.get(r.country, r.country),
        "Account manager": r.account_manager or "—", "Overdue": _euros(r.overdue_cents),
        "Of which > 90 days": _euros(r.over_90_cents), "Oldest due": day(r.oldest_due),
        "Balance": _euros(r.balance_cents), "Disputed": _euros(r.disputed_cents),
    } for r in rows], columns=columns)


def _on_overdue_bar() -> None:
    # Switching pages is for the script run, not a callback: note the customer to open.
    point = widgets.picked_point("balances_top_chart")
    if point and point.get("customdata"):
        st.session_state[OPEN_CUSTOMER] = str(point["customdata"][0])


def _overdue_list(customers: Customers, today: date) -> None:
    rows = _top_overdue(db.database_url(), customers, today, portfolio.TOP_LIMIT)
    if not rows:
        st.success("No customer has an invoice past due.")
        return
    top = rows[:TOP_CHART]
    chart = pd.DataFrame({"customer": [text.plotly_text(r.name) for r in top],
                          "customer_number": [r.customer_number for r in top],
                          "overdue": [_euros(r.overdue_cents) for r in top],
                          "over_90": [_euros(r.over_90_cents) for r in top]})
    st.plotly_chart(charts.top_overdue(chart, f"The {len(top)} most overdue customers"),
                    width="stretch", key="balances_top_chart",
                    config=widgets.chart_config("most-overdue"), on_select=_on_overdue_bar,
                    selection_mode="points")
    if number := st.session_state.pop(OPEN_CUSTOMER, None):
        search.open_customer(number)
    st.caption("Click a bar or a row to open the customer.")
    frame = overdue_frame(rows)
    picked = widgets.picked_row(frame, "balances_top_table", Overdue=MONEY, Balance=MONEY,
                                Disputed=MONEY, **{"Of which > 90 days": MONEY})
    if picked is not None:
        search.open_customer(rows[picked].customer_number)
    widgets.export_buttons(
        "balances_top_export", "overdue-customers",
        lambda: overdue_frame(_top_overdue(db.database_url(), customers, today, 1000)),
        money_columns=("Overdue", "Of which > 90 days", "Balance", "Disputed"))


def disputed_frame(rows: list[portfolio.DisputedInvoice]) -> pd.DataFrame:
    columns = ["Invoice", "Customer", "Number", "Issued", "Due", "Open", "Reason"]
    return pd.DataFrame([{
        "Invoice": r.number, "Customer": r.customer_name, "Number": r.customer_number,
        "Issued": day(r.issue_date), "Due": day(r.due_date), "Open": _euros(r.open_cents),
        "Reason": r.reason or "—",
    } for r in rows], columns=columns)


def _disputed_list(customers: Customers) -> None:
    rows, total = _disputed(db.database_url(), customers, portfolio.TOP_LIMIT)
    if not rows:
        st.success("No open invoice is disputed.")
        return
    st.caption(f"{number(total)} open disputed invoices"
               + (f", the {len(rows)} largest shown" if len(rows) < total else "")
               + ". Click a row to open the customer on that invoice.")
    picked = widgets.picked_row(disputed_frame(rows), "balances_disputed_table", Open=MONEY)
    if picked is not None:
        search.open_customer(rows[picked].customer_number,
                                 ("invoice", rows[picked].invoice_id))
    widgets.export_buttons(
        "balances_disputed_export", "disputed-invoices",
        lambda: disputed_frame(_disputed(db.database_url(), customers, widgets.EXPORT_LIMIT)[0]),
        money_columns=("Open",))


def bucket_frame(rows: tuple[portfolio.OpenItem, ...]) -> pd.DataFrame:
    columns = ["Document", "Kind", "Customer", "Number", "Issued", "Due", "Days past due",
               "Open", "Disputed"]
    return pd.DataFrame([{
        "Document": r.number, "Kind": "Credit note" if r.kind == "credit_note" else "Invoice",
        "Customer": r.customer_name, "Number": r.customer_number, "Issued": day(r.issue_date),
        "Due": day(r.due_date), "Days past due": max(r.days_past_due, 0),
        "Open": _euros(r.open_cents), "Disputed": "yes" if r.is_disputed else "",
    } for r in rows], columns=columns)


def _bucket_list(customers: Customers, today: date) -> None:
    bucket = st.segmented_control("Ageing bucket", BUCKETS, default="90+", required=True,
                                  key=BALANCE_BUCKET, format_func=BUCKET_LABELS.__getitem__)
    items = _bucket_items(db.database_url(), customers, today, bucket or "90+", portfolio.TOP_LIMIT)
    name = BUCKET_LABELS[items.bucket]
    credits = money(items.credits_cents)
    if not items.count:
        if items.credits_cents:
            st.info(f"Nothing owed in “{name}”; {money(-items.total_cents)} of credit left "
                    "over once every invoice is covered is counted here.")
        else:
            st.success(f"Nothing open in “{name}”.")
        return
    documents = "1 open invoice" if items.count == 1 else f"{number(items.count)} open invoices"
    less = (f"; less {credits} of credit notes and money on account set against them = "
            f"{money(items.total_cents)}" if items.credits_cents else "")
    shown = (f"; the {len(items.rows)} largest shown" if len(items.rows) < items.count
             else "")
    st.caption(f"{documents}, {money(items.documents_cents)}{less}{shown}. "
               "Click a row to open the customer on that document.")
    picked = widgets.picked_row(bucket_frame(items.rows), "balances_bucket_table", Open=MONEY)
    if picked is not None:
        search.open_customer(items.rows[picked].customer_number,
                                 ("invoice", items.rows[picked].invoice_id))
    widgets.export_buttons(
        "balances_bucket_export", f"open-items-{items.bucket}",
        lambda: bucket_frame(_bucket_items(db.database_url(), customers, today, items.bucket,
                                           widgets.EXPORT_LIMIT).rows),
        money_columns=("Open",))
