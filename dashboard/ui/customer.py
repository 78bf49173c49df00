"""The customer page's header, caller panel and tabs. Each reads its own widgets, calls
services, renders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, labels
from dashboard.formatting import count, day, money, percent, when
from dashboard.labels import CATEGORY_LABELS, VERIFICATION_LABELS
from dashboard.services import (
    balances,
    contracts,
    customers,
    einvoices,
    enquiries,
    inventory,
    invoices,
    notifications,
    orders,
    portal,
    receivables,
    statement,
    tiers,
    timeline,
)
from dashboard.services.customers import UNKNOWN_CALLER, Caller, ContactRow, CustomerHeader
from dashboard.services.users import UserInfo
from dashboard.ui import db, search, state, text, widgets
from dashboard.ui.enquiry import enquiry_frame, marked_enquiries, open_enquiry
from db.models import CATEGORIES, ORDER_STATUSES, PRIORITIES, VERIFICATION_METHODS

PAGE_SIZE = 25
TABS = ("Orders & delivery", "Invoices & credit notes", "Statement", "Contracts",
        "Installed base", "Contacts", "Enquiries", "Timeline")
TAB_FOR_DOCUMENT = {"order": TABS[0], "invoice": TABS[1], "payment": TABS[2],
                    "contract": TABS[3],
                    "item": TABS[4], "contact": TABS[5], "enquiry": TABS[6]}
MONEY = widgets.MONEY


def customer_header(h: CustomerHeader, side: st.delta_generator.DeltaGenerator | None = None
                    ) -> st.delta_generator.DeltaGenerator:
    """Name, facts, money and warnings; returns the column beside the name for actions."""
    left, right = st.columns([3, 2], vertical_alignment="top")
    left.title(text.plain(h.name))
    country = labels.label("country", h.country)
    place = f"{h.city}, {country}" if h.city else country
    facts = [h.customer_number, h.vat_number or "no VAT number", place,
             labels.label("language", h.language), labels.label("segment", h.segment),
             f"account manager {h.account_manager or '—'}"]
    left.caption(text.plain(" · ".join(facts)))
    cols = st.columns(4)
    cols[0].metric("Balance", money(h.balance_cents))
    cols[1].metric("Overdue", money(h.overdue_cents), help=receivables.HOW_CREDITS_APPLY)
    cols[2].metric("Credit limit", money(h.credit_limit_cents))
    used = h.credit_used_pct
    cols[3].metric("Credit used", percent(used, 0))
    if h.warnings:
        st.warning(" · ".join(h.warnings))
    return right


def euros(cents: int) -> float:
    return cents / 100


# --- Caller -------------------------------------------------------------------------------

def caller(customer_id: int) -> Caller:
    return st.session_state.get(state.CALLERS, {}).get(customer_id, UNKNOWN_CALLER)


def caller_panel(user: UserInfo, header: CustomerHeader, contacts: list[ContactRow]) -> Caller:
    """Who is on the line and how they were verified; what may be disclosed to them."""
    current = caller(header.id)
    with st.expander(f"Caller: **{text.plain(current.name)}** · {_tier_label(current.tier)}"):
        options: list[ContactRow | None] = [None, *contacts]
        index = next((i for i, c in enumerate(options) if c and c.id == current.contact_id), 0)
        with st.form(f"caller_{header.id}", border=False):
            picked = st.selectbox(
                "Who is calling", options, index=index, key=f"caller_contact_{header.id}",
                format_func=lambda c: "Unknown caller" if c is None else
                f"{c.name} — {labels.label('contact_role', c.role)}, "
                f"{labels.label('tier', c.portal_tier)}")
            method = st.selectbox(
                "Verified by", VERIFICATION_METHODS,
                index=VERIFICATION_METHODS.index(current.verification),
                format_func=VERIFICATION_LABELS.__getitem__, key=f"caller_method_{header.id}")
            confirmed = st.form_submit_button("Confirm caller")
        if confirmed:
            chosen = (Caller(picked.id, picked.name, picked.portal_tier, method) if picked
                      else Caller(None, "Unknown caller", "unknown", method))
            if chosen.contact_id is not None and method == "none":
                chosen = Caller(chosen.contact_id, chosen.name, "guest", method)
            with db.session() as s:
                customers.record_caller(session=s, customer_id=header.id,
                                        contact_id=chosen.contact_id, verification=method,
                                        by_user_id=user.id, by_username=user.username)
            st.session_state.setdefault(state.CALLERS, {})[header.id] = chosen
            st.rerun()  # the panel's title, the tabs' warnings and the actions follow at once
        st.info(customers.DISCLOSURE[current.tier])
        if current.contact_id is not None and current.verification == "none":
            st.caption("Not verified yet: treated as a guest until verified.")
    return current


def _tier_label(tier: str) -> str:
    return {"unknown": "nothing may be disclosed", "guest": "basic order status only",
            "registered": "orders and delivery, no money", "entitled": "everything"}[tier]


def disclosure_warning(who: Caller, needs: str) -> None:
    """A visible reminder when the caller may not hear what this tab shows."""
    allowed = tiers.tiers_seeing({"orders": "orders", "finance": "invoices"}[needs])
    if who.tier not in allowed:
        st.warning(f"{text.plain(who.name)} may not be told this ({_tier_label(who.tier)}).")


# --- Open an enquiry about this -----------------------------------------------------------

@dataclass(frozen=True)
class EnquiryDraft:
    customer_id: int
    about: str
    link: dict[str, int]
    category: str


def _discard_draft() -> None:
    st.session_state.pop(state.ENQUIRY_DRAFT, None)


def open_pending_enquiry(user: UserInfo) -> None:
    """Keep the "open an enquiry" dialog open across reruns until it is saved or dismissed."""
    draft = st.session_state.get(state.ENQUIRY_DRAFT)
    if isinstance(draft, EnquiryDraft):
        enquiry_dialog(user, draft.customer_id, draft.about, draft.link, draft.category,
                       caller(draft.customer_id))


@st.dialog("Open an enquiry", width="large", on_dismiss=_discard_draft)
def enquiry_dialog(user: UserInfo, customer_id: int, about: str, link: dict[str, int],
                   category: str, who: Caller) -> None:
    st.caption(text.plain(f"About {about}") if about else "About this customer")
    with st.form("new_enquiry"):
        subject = st.text_input("Subject", value=f"About {about}" if about else "",
                                max_chars=200)
        body = st.text_area("What the caller asked", height=120)
        cols = st.columns(3)
        chosen_category = cols[0].selectbox("Category", CATEGORIES,
                                            index=CATEGORIES.index(category),
                                            format_func=CATEGORY_LABELS.__getitem__)
        priority = cols[1].selectbox("Priority", PRIORITIES, index=PRIORITIES.index("normal"),
                                     format_func=lambda p: labels.label("priority", p))
        channel = cols[2].selectbox("Channel", ("phone", "email", "fax", "web"),
                                    format_func=lambda c: labels.label("channel", c))
        resolved = st.checkbox("Resolved on the call")
        st.caption(f"Caller: {text.plain(who.name)} "
                   f"({VERIFICATION_LABELS[who.verification].lower()}). "
                   "Assigned to you; SLA clocks start now.")
        saved = st.form_submit_button("Save enquiry", type="primary")
    if saved:
        new = enquiries.NewEnquiry(
            customer_id=customer_id, subject=subject, body=body, category=chosen_category,
            priority=priority, channel=channel, contact_id=who.contact_id,
            verification=who.verification, resolved_on_first_contact=resolved, **link)
        try:
            with db.session() as s:
                created = enquiries.open_enquiry(session=s, new=new, by=user, now=db.now())
                reference = created.reference
        except ValueError as exc:
            widgets.show_problems(exc)
            return
        _discard_draft()
        st.session_state[state.FLASH] = f"Enquiry {reference} saved."
        st.rerun()


def enquiry_button(customer_id: int, about: str, link: dict[str, int], kind: str,
                   key: str) -> None:
    label = "Open an enquiry about this" if about else "Open an enquiry"
    if st.button(label, key=key):
        st.session_state[state.ENQUIRY_DRAFT] = EnquiryDraft(
            customer_id, about, link, enquiries.CATEGORY_FOR_DOCUMENT.get(kind, "other"))


# --- Orders ------------------------------------------------------------------------------

def orders_frame(rows: list[orders.OrderRow], today: date) -> pd.DataFrame:
    return pd.DataFrame([{
        "Order": o.order_number, "PO": o.customer_po or "", "Ordered": when(o.ordered_at),
        "Status": labels.label("order_status", o.status), "Promised": day(o.promised_date),
        "Delivered": day(o.delivered_on), "Late": "late" if o.is_late(today) else "",
        "Carrier": o.carrier or "", "Tracking": o.tracking_number or "",
        "Total": euros(o.total_cents)} for o in rows],
        columns=["Order", "PO", "Ordered", "Status", "Promised", "Delivered", "Late", "Carrier",
                 "Tracking", "Total"])


def orders_tab(user: UserInfo, customer_id: int, today: date, who: Caller) -> None:
    disclosure_warning(who, "orders")
    cols = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    statuses = cols[0].multiselect("Status", ORDER_STATUSES, key="orders_status",
                                   format_func=lambda s: labels.label("order_status", s),
                                   on_change=widgets.reset_pager, args=("orders",))
    late = cols[1].toggle("Late only", key="orders_late", on_change=widgets.reset_pager,
                          args=("orders",))
    since = cols[2].date_input("Ordered from", value=None, key="orders_from", format="DD/MM/YYYY")
    until = cols[3].date_input("to", value=None, key="orders_to", format="DD/MM/YYYY")
    flt = orders.OrderFilter(tuple(statuses), late, since, until)
    with db.session() as s:
        page = orders.list_orders(session=s, customer_id=customer_id, flt=flt, today=today,
                                  limit=PAGE_SIZE, offset=widgets.pager_offset("orders"))
    if page.total == 0:
        st.info("No orders" + (" match these filters." if flt != orders.OrderFilter() else "."))
        return
    detail = st.container()  # above the table, where the eye is
    picked = widgets.selectable(
        widgets.marked(orders_frame(page.rows, today), "Late",
                       lambda v: widgets.ALERT if v else ""), "orders_table",
        ids=[r.id for r in page.rows], Total=MONEY)
    widgets.pager("orders", page.total, PAGE_SIZE)

    def everything() -> pd.DataFrame:
        with db.session() as s:
            rows = orders.list_orders(session=s, customer_id=customer_id, flt=flt, today=today,
                                      limit=widgets.EXPORT_LIMIT).rows
        return orders_frame(rows, today)

    widgets.export_buttons("orders_export", "orders", everything, money_columns=("Total",))
    focus = _focus_id("order")
    order_id = picked if picked is not None else focus
    if order_id is not None:
        with detail:
            order_detail(user, customer_id, order_id, today)


def order_detail(user: UserInfo, customer_id: int, order_id: int, today: date) -> None:
    with db.session() as s:
        detail = orders.get_order(session=s, order_id=order_id)
    if detail is None:
        return
    o = detail.order
    with st.container(border=True):
        st.subheader(f"Order {o.order_number}")
        cols = st.columns(4)
        cols[0].metric("Status", labels.label("order_status", o.status))
        cols[1].metric("Promised", day(o.promised_date) or "—")
        cols[2].metric("Delivered", day(o.delivered_on) or "—",
                       delta="late" if o.is_late(today) else None, delta_color="inverse")
        cols[3].metric("Total", money(o.total_cents))
        facts = [f"PO {o.customer_po}" if o.customer_po else "",
                 f"ship to {detail.ship_to}" if detail.ship_to else ""]
        st.caption(text.plain(" · ".join(f for f in facts if f)))
        if o.carrier:
            tracking = (f"[{text.plain(o.tracking_number)}]({o.tracking_url})" if o.tracking_url
                        else text.plain(o.tracking_number or "no tracking number yet"))
            st.markdown(f"**Carrier:** {text.plain(o.carrier)} · **Tracking:** {tracking}")
        left, right = st.columns([3, 2])
        with left:
            widgets.table(pd.DataFrame([{
                "#": ln.line_no, "SKU": ln.sku, "Description": ln.description,
                "Qty": ln.quantity, "Unit price": euros(ln.unit_price_cents),
                "Line total": euros(ln.line_total_cents)} for ln in detail.lines]),
                **{"Unit price": MONEY, "Line total": MONEY})
        with right:
            st.markdown("**Timeline**")
            for event in detail.events:
                st.markdown(f"- {when(event.occurred_at)} — "
                            f"**{labels.label('order_status', event.status)}**"
                            + (f": {text.plain(event.note)}" if event.note else ""))
        enquiry_button(customer_id, f"order {o.order_number}", {"order_id": o.id},
                       "order", f"enquire_order_{o.id}")


# --- Invoices ----------------------------------------------------------------------------

def invoices_frame(rows: list[invoices.InvoiceRow], today: date) -> pd.DataFrame:
    return pd.DataFrame([{
        "Number": i.number, "Kind": labels.label("invoice_kind", i.kind),
        "Issued": day(i.issue_date), "Due": day(i.due_date),
        "Status": (f"Overdue {i.days_overdue(today)} d" if i.is_overdue(today)
                   else labels.label("invoice_status", i.status))
        + (" · Disputed" if i.is_disputed else ""),
        "Total": euros(i.total_cents), "Open": euros(i.open_cents),
        "Order": i.order_number or "",
        "Reference": invoices.structured_reference(i.payment_reference)} for i in rows],
        columns=["Number", "Kind", "Issued", "Due", "Status", "Total", "Open", "Order",
                 "Reference"])


def invoices_tab(user: UserInfo, header: CustomerHeader, today: date, who: Caller) -> None:
    disclosure_warning(who, "finance")
    cols = st.columns([2, 2, 1, 1], vertical_alignment="bottom")
    kinds = cols[0].multiselect("Kind", ("invoice", "credit_note"), key="inv_kind",
                                format_func=lambda k: "Invoices" if k == "invoice"
                                else "Credit notes", on_change=widgets.reset_pager,
                                args=("invoices",))
    statuses = cols[1].multiselect("Status", invoices.STATUS_FILTERS, key="inv_status",
                                   format_func=lambda s: labels.label("invoice_status", s),
                                   on_change=widgets.reset_pager, args=("invoices",))
    since = cols[2].date_input("Issued from", value=None, key="inv_from", format="DD/MM/YYYY")
    until = cols[3].date_input("to", value=None, key="inv_to", format="DD/MM/YYYY")
    flt = invoices.InvoiceFilter(tuple(kinds), tuple(statuses), since, until)
    with db.session() as s:
        page = invoices.list_invoices(session=s, customer_id=header.id, flt=flt, today=today,
                                      limit=PAGE_SIZE, offset=widgets.pager_offset("invoices"))
    if page.total == 0:
        st.info("No invoices or credit notes"
                + (" match these filters." if flt != invoices.InvoiceFilter() else "."))
        return
    detail = st.container()  # above the table, where the eye is
    picked = widgets.selectable(
        widgets.marked(invoices_frame(page.rows, today), "Status",
                       lambda v: widgets.ALERT if str(v).startswith("Overdue") else ""),
        "invoices_table", ids=[r.id for r in page.rows], Total=MONEY, Open=MONEY)
    widgets.pager("invoices", page.total, PAGE_SIZE)

    def everything() -> pd.DataFrame:
        with db.session() as s:
            rows = invoices.list_invoices(session=s, customer_id=header.id, flt=flt,
                                          today=today, limit=widgets.EXPORT_LIMIT).rows
        return invoices_frame(rows, today)

    widgets.export_buttons("invoices_export", "invoices", everything,
                           money_columns=("Total", "Open"))
    focus = _focus_id("invoice")
    invoice_id = picked if picked is not None else focus
    if invoice_id is not None:
        with detail:
            invoice_detail(user, header, invoice_id, today, who)


def invoice_detail(user: UserInfo, header: CustomerHeader, invoice_id: int,
                   today: date, who: Caller) -> None:
    from dashboard.ui import documents as documents_ui  # PDF libraries load on first use

    with db.session() as s:
        detail = invoices.get_invoice(session=s, invoice_id=invoice_id)
        delivery = einvoices.delivery(session=s, invoice_id=invoice_id) if detail else None
        mailed = notifications.sent_for_invoice(session=s, invoice_id=invoice_id)
    if detail is None or detail.customer_id != header.id or delivery is None:
        return
    label = "Invoice" if detail.kind == "invoice" else "Credit note"
    with st.container(border=True):
        st.subheader(f"{label} {detail.number}")
        cols = st.columns(4)
        cols[0].metric("Total", money(detail.total_cents))
        cols[1].metric("Open", money(detail.open_cents))
        cols[2].metric("Issued", day(detail.issue_date))
        overdue = detail.kind == "invoice" and detail.open_cents > 0 and detail.due_date < today
        cols[3].metric("Due", day(detail.due_date),
                       delta=f"{(today - detail.due_date).days} days overdue" if overdue else None,
                       delta_color="inverse")
        facts = [f"Pay with **{detail.structured_reference}**" if detail.kind == "invoice"
                 else "", f"order {detail.order_number}" if detail.order_number else "",
                 f"contract {detail.contract_number}" if detail.contract_number else "",
                 f"credits {detail.credited_invoice}" if detail.credited_invoice else "",
                 ("credited by " + ", ".join(detail.credit_notes)) if detail.credit_notes else ""]
        st.markdown(" · ".join(f for f in facts if f))
        if detail.is_disputed:
            st.warning(f"Disputed: {text.plain(detail.dispute_reason or 'no reason recorded')}")
        einvoice_state(delivery)
        if mailed:
            st.caption("E-mailed on release to " + "; ".join(
                f"{text.plain(m.contact_name)} ({text.plain(m.email)}) {when(m.queued_at)}, "
                f"{labels.label('outbound_status', m.status).lower()}" for m in mailed))
        widgets.table(pd.DataFrame([{
            "#": ln.line_no, "Description": ln.description, "Qty": ln.quantity,
            "Unit price": euros(ln.unit_price_cents), "VAT rate": percent(ln.vat_rate_pct, 0),
            "Net": euros(ln.net_cents), "VAT": euros(ln.vat_cents)} for ln in detail.lines]),
            **{"Unit price": MONEY, "Net": MONEY, "VAT": MONEY})
        left, right = st.columns(2)
        left.markdown("**VAT breakdown**")
        with left:
            widgets.table(pd.DataFrame([{"Rate": percent(g.rate_pct, 0), "Net": euros(g.net_cents),
                                         "VAT": euros(g.vat_cents)} for g in detail.vat_groups]),
                          Net=MONEY, VAT=MONEY)
        right.markdown("**Settled by**" if detail.kind == "invoice" else "**Used against**")
        if detail.settlements:
            with right:
                widgets.table(pd.DataFrame([{
                    "Date": day(x.on), "By": "Payment" if x.source == "payment" else "Credit note",
                    "Reference": x.reference, "Amount": euros(x.amount_cents)}
                    for x in detail.settlements]), Amount=MONEY)
        else:
            right.caption("Nothing yet.")
        documents_ui.invoice_actions(user, header, detail, who)
        enquiry_button(header.id, f"{label.lower()} {detail.number}",
                       {"invoice_id": detail.id}, "invoice", f"enquire_invoice_{detail.id}")


def einvoice_state(delivery: einvoices.Delivery) -> None:
    """Where the Peppol e-invoice is, in words: what a rep answers to "did it arrive?"."""
    if delivery.state is None:
        st.caption("E-invoice (Peppol): not sent — issued before the e-invoicing mandate or "
                   "not released yet.")
        return
    said = f"E-invoice (Peppol): {labels.label('einvoice_state', delivery.state)}"
    if delivery.at is not None:
        said += f" · {when(delivery.at)}"
    if delivery.state == "rejected":
        reason = labels.label("einvoice_reason", delivery.reason)
        st.warning(f"{said} — {reason}" + (f": “{text.plain(delivery.note)}”"
                                           if delivery.note else ""))
    else:
        st.caption(said)


# --- Statement and balance ---------------------------------------------------------------

def statement_tab(user: UserInfo, header: CustomerHeader, today: date, who: Caller) -> None:
    from dashboard.ui import documents as documents_ui  # PDF libraries load on first use

    disclosure_warning(who, "finance")
    as_of = st.date_input("As of", value=today, max_value=today, key="statement_as_of",
                          format="DD/MM/YYYY") or today
    with db.session() as s:
        stmt = statement.statement(session=s, customer_id=header.id, as_of=as_of)
        history = balances.balance_history(session=s, customer_id=header.id, today=today)
    if stmt is None:
        return
    cols = st.columns([1, 1, 3])
    cols[0].metric("Total open", money(stmt.total_cents))
    cols[1].metric("Overdue", money(stmt.overdue_cents))
    with cols[2]:
        widgets.table(pd.DataFrame([{statement.BUCKET_LABELS[b]: euros(stmt.ageing[b])
                                     for b in statement.BUCKETS}]), key="ageing_table",
                      **{statement.BUCKET_LABELS[b]: MONEY for b in statement.BUCKETS})
    frame = pd.DataFrame([{
        "Date": day(i.document_date),
        "Document": {"invoice": "Invoice", "credit_note": "Credit note",
                     "payment": "Payment"}[i.kind] + " " + i.number,
        "Due": day(i.due_date),
        "Days past due": str(i.days_past_due) if i.days_past_due else "",
        "Original": euros(i.original_cents), "Open": euros(i.open_cents),
        "Balance": euros(i.balance_cents)} for i in stmt.items],
        columns=["Date", "Document", "Due", "Days past due", "Original", "Open", "Balance"])
    widgets.table(frame, Original=MONEY, Open=MONEY, Balance=MONEY)
    st.caption(f"{count(len(stmt.items))} open items on {day(as_of)}, aged from their due "
               "date. " + receivables.HOW_CREDITS_APPLY)
    documents_ui.statement_actions(user, header, stmt, who)
    left, right = st.columns(2)
    left.plotly_chart(charts.ageing_bars(pd.DataFrame({
        "bucket": [statement.BUCKET_LABELS[b] for b in statement.BUCKETS],
        "amount": [euros(stmt.ageing[b]) for b in statement.BUCKETS]}),
        title=f"Ageing on {day(as_of)}"), width="stretch", key="ageing_chart")
    right.plotly_chart(charts.balance_over_time(pd.DataFrame([{
        "month": m.month, "invoiced": euros(m.invoiced_cents),
        "credited": euros(m.credited_cents), "paid": euros(m.paid_cents),
        "balance": euros(m.balance_cents)} for m in history])),
        width="stretch", key="balance_chart")


# --- Contracts ---------------------------------------------------------------------------

def contracts_tab(user: UserInfo, customer_id: int, today: date, who: Caller) -> None:
    disclosure_warning(who, "finance")
    with db.session() as s:
        rows = contracts.list_contracts(session=s, customer_id=customer_id)
    if not rows:
        st.info("No contracts.")
        return
    due = [c for c in rows if c.renewal_due(today)]
    if due:
        st.warning(f"Up for renewal within 90 days: {', '.join(c.contract_number for c in due)}",)
    frame = pd.DataFrame([{
        "Contract": c.contract_number, "Type": labels.label("contract_type", c.type),
        "State": c.state(today), "Start": day(c.start_date), "End": day(c.end_date),
        "Notice by": day(c.notice_deadline()), "Annual value": euros(c.annual_value_cents),
        "Billing": labels.label("billing", c.billing_frequency),
        "Service level": labels.label("service_level", c.service_level),
        "Auto-renew": c.auto_renew, "Covered items": c.covered_items} for c in rows])
    detail = st.container()  # above the table, where the eye is
    picked = widgets.selectable(frame, "contracts_table", ids=[c.id for c in rows],
                                **{"Annual value": MONEY})
    widgets.export_buttons("contracts_export", "contracts", lambda: frame,
                           money_columns=("Annual value",))
    contract_id = picked if picked is not None else _focus_id("contract")
    chosen = next((c for c in rows if c.id == contract_id), None)
    if chosen is not None:
        with detail, st.container(border=True):
            st.subheader(f"Contract {chosen.contract_number}")
            st.caption(f"{labels.label('contract_type', chosen.type)} · "
                       f"{labels.label('service_level', chosen.service_level)} service · "
                       f"{day(chosen.start_date)} – {day(chosen.end_date)} · "
                       f"{money(chosen.annual_value_cents)} a year, billed "
                       f"{labels.label('billing', chosen.billing_frequency).lower()}")
            with db.session() as s:
                items = inventory.list_items(session=s, customer_id=customer_id,
                                             flt=inventory.ItemFilter(), today=today,
                                             limit=500).rows
            covered = [i for i in items if i.contract_number == chosen.contract_number]
            st.markdown(f"**Covered items ({len(covered)})**")
            if covered:
                st.dataframe(pd.DataFrame([{"Serial": i.serial_number, "Product": i.product,
                                            "Site": i.site} for i in covered]),
                             hide_index=True, width="stretch")
            enquiry_button(customer_id, f"contract {chosen.contract_number}",
                           {"contract_id": chosen.id}, "contract",
                           f"enquire_contract_{chosen.id}")


# --- Contacts, enquiries, timeline -------------------------------------------------------

def contacts_tab(user: UserInfo, customer_id: int, contacts: list[ContactRow]) -> None:
    if not contacts:
        st.info("No contacts on file.")
        return
    frame = pd.DataFrame([{
        "id": c.id, "Name": c.name + (" ★" if c.is_primary else ""),
        "Role": labels.label("contact_role", c.role),
        "Language": labels.label("language", c.language),
        "E-mail": c.email or "", "Phone": c.phone or "", "Mobile": c.mobile or "",
        "Fax": c.fax or "", "Portal tier": labels.label("tier", c.portal_tier),
        "Invoice e-mails": c.invoice_notifications,
        "Monthly statement": c.statement_notifications} for c in contacts])
    subscriptions = {"Invoice e-mails": customers.set_invoice_notifications,
                     "Monthly statement": notifications.set_statement_notifications}
    edited = st.data_editor(
        frame, hide_index=True, width="stretch", key="contacts_editor",
        disabled=[c for c in frame.columns if c not in subscriptions],
        column_config={"id": None, "Invoice e-mails": st.column_config.CheckboxColumn(
            help="Send newly released invoices and credit notes to this contact by e-mail"),
            "Monthly statement": st.column_config.CheckboxColumn(
                help="Send the statement of account after each month end")})
    st.caption("★ primary contact. Tick “Invoice e-mails” or “Monthly statement” to "
               "subscribe a contact; the change is saved at once.")
    for column, subscribe in subscriptions.items():
        changed = edited[edited[column] != frame[column]]
        for _, row in changed.iterrows():
            try:
                with db.session() as s:
                    subscribe(session=s, contact_id=int(row["id"]), enabled=bool(row[column]),
                              by_user_id=user.id, by_username=user.username)
            except ValueError as exc:
                st.error(text.plain(exc))
            else:
                st.toast(text.plain(f"Saved for {row['Name']}"))
    widgets.export_buttons("contacts_export", "contacts", lambda: frame.drop(columns=["id"]))
    portal_access(user, customer_id, contacts)


PORTAL_STATE_WORDS = {"none": "no portal account", "pending": "registration not finished",
                      "active": "signed up", "closed": "portal account closed"}


def portal_access(user: UserInfo, customer_id: int, contacts: list[ContactRow]) -> None:
    """Entitle a contact to the portal's invoices and statement, or take it back."""
    with db.session() as s:
        accounts = portal.account_states(session=s, customer_id=customer_id)
    st.markdown("**Customer portal access**")
    by_id = {c.id: c for c in contacts}
    picked = st.selectbox(
        "Contact", list(by_id), key=f"portal_access_contact_{customer_id}",
        format_func=lambda cid: f"{by_id[cid].name} — "
        f"{labels.label('contact_role', by_id[cid].role)}")
    if picked is None:
        return
    contact = by_id[picked]
    account = accounts.get(picked)
    seen_key = f"portal_seen_tier_{picked}"
    seen = st.session_state.setdefault(seen_key, contact.portal_tier)
    st.markdown(f"Portal tier: **{labels.label('tier', contact.portal_tier)}** · "
                f"{PORTAL_STATE_WORDS[account.state if account else 'none']}"
                + (f" · last signed in {when(account.last_login_at)}"
                   if account and account.last_login_at else ""))
    st.caption(text.plain(customers.DISCLOSURE.get(contact.portal_tier, "")))
    cols = st.columns(3)
    active = account is not None and account.state == "active"
    entitle = cols[0].button("Entitle to the company's documents",
                             key=f"portal_entitle_{picked}",
                             disabled=not active or contact.portal_tier == "entitled",
                             help="Invoices, statement, contracts and installed inventory in "
                                  "the portal. Needs a portal account: the contact registers "
                                  "with their e-mail address on the public pages.")
    withdraw = cols[1].button("Withdraw the entitlement", key=f"portal_withdraw_{picked}",
                              disabled=contact.portal_tier != "entitled")
    close = cols[2].button("Close the portal account", key=f"portal_close_{picked}",
                           disabled=account is None or account.state == "closed")
    if not (entitle or withdraw or close):
        return
    try:
        with db.session() as s:
            if close:
                portal.close_account(session=s, customer_id=customer_id, contact_id=picked,
                                     by=user, now=db.now())
            else:
                portal.set_entitled(session=s, customer_id=customer_id, contact_id=picked,
                                    entitled=entitle, seen_tier=seen, by=user)
    except (ValueError, RuntimeError) as exc:
        widgets.show_problems(exc)
        st.session_state.pop(seen_key, None)
        return
    st.session_state.pop(seen_key, None)
    st.session_state[state.FLASH] = f"Portal access saved for {contact.name}"
    st.rerun()


def enquiries_tab(customer_id: int) -> None:
    with db.session() as s:
        rows = enquiries.customer_enquiries(session=s, customer_id=customer_id, now=db.now(),
                                            limit=200)
    if not rows:
        st.info("No enquiries from this customer yet.")
        return
    frame = enquiry_frame(rows)
    picked = widgets.picked_row(marked_enquiries(rows), "customer_enquiries")
    if picked is not None:
        open_enquiry(rows[picked].reference)
    st.caption(f"Newest first; {len(rows)} shown. Select one to open it.")
    widgets.export_buttons("enquiries_export", "enquiries", lambda: frame)


def timeline_tab(customer_id: int, customer_number: str) -> None:
    cols = st.columns([3, 1], vertical_alignment="bottom")
    kinds = cols[0].multiselect("Show", timeline.KINDS, default=list(timeline.KINDS),
                                format_func=timeline.KIND_LABELS.__getitem__,
                                key="timeline_kinds")
    since = cols[1].date_input("Since", value=db.today() - timedelta(days=365),
                               key="timeline_since", format="DD/MM/YYYY")
    with db.session() as s:
        entries = timeline.timeline(session=s, customer_id=customer_id, kinds=tuple(kinds),
                                    since=since)
    frame = pd.DataFrame([{
        "When": when(e.at) if e.kind in ("order", "delivery", "inventory", "enquiry")
        else day(e.at.date()), "What": timeline.KIND_LABELS[e.kind], "": e.title,
        "Detail": e.detail,
        "Amount": euros(e.amount_cents) if e.amount_cents is not None else None}
        for e in entries], columns=["When", "What", "", "Detail", "Amount"])
    picked = widgets.picked_row(frame, "timeline_table", Amount=MONEY)
    st.caption("Select an entry to open its enquiry or document.")
    if picked is not None:
        entry = entries[picked]
        if entry.reference:
            open_enquiry(entry.reference)
        elif entry.document_kind and entry.document_id:
            kind = "order" if entry.document_kind == "delivery" else entry.document_kind
            search.open_customer(customer_number, (kind, entry.document_id))
    widgets.export_buttons("timeline_export", "timeline", lambda: frame,
                           money_columns=("Amount",))


def _focus_id(kind: str) -> int | None:
    focus = st.session_state.get(state.CUSTOMER_FOCUS)
    if focus and focus[0] == kind:
        return int(focus[1])
    return None
