"""Document actions on the customer page: view, print and download PDFs, and e-mail them."""

from __future__ import annotations

import base64
from collections.abc import Callable

import streamlit as st

from dashboard.documents import ubl
from dashboard.documents.invoice_pdf import invoice_pdf
from dashboard.documents.statement_pdf import statement_pdf
from dashboard.documents.tables import statement_csv, statement_xlsx
from dashboard.formatting import when
from dashboard.labels import label
from dashboard.services import customers, einvoices, outbox, routing, settings
from dashboard.services.customers import Caller, CustomerHeader
from dashboard.services.invoices import InvoiceDetail
from dashboard.services.statement import Statement
from dashboard.services.users import UserInfo
from dashboard.ui import db, state, text, widgets
from dashboard.vendor import Vendor

PRINT_SCRIPT = """
<button id="print" style="font:14px sans-serif;padding:.45rem .9rem;border:1px solid #c8d1da;
 border-radius:.5rem;background:#fff;cursor:pointer;width:100%">Print</button>
<script>
document.getElementById("print").onclick = () => {
  const bytes = Uint8Array.from(atob("PDF_BASE64"), c => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], {type: "application/pdf"}));
  const win = window.open(url, "_blank");
  if (win) { win.addEventListener("load", () => win.print()); }
};
</script>
"""


def _pdf_buttons(key: str, filename: str, pdf: bytes) -> bool:
    cols = st.columns(4)
    viewing = cols[0].toggle("View", key=f"{key}_view")
    cols[1].download_button("Download PDF", data=pdf, file_name=filename, mime="application/pdf",
                            key=f"{key}_pdf", width="stretch", on_click="ignore")
    with cols[2]:
        # Opens the PDF in the browser's own viewer and asks it to print.
        # Our own script and base64 text only; nothing a user typed goes into this HTML.
        st.iframe(PRINT_SCRIPT.replace("PDF_BASE64", base64.b64encode(pdf).decode("ascii")),
                  height=44)
    routing_open = cols[3].toggle("E-mail", key=f"{key}_route")
    if viewing:
        st.pdf(pdf, height=640, key=f"{key}_viewer")
    return routing_open


def invoice_actions(user: UserInfo, header: CustomerHeader, detail: InvoiceDetail,
                    who: Caller) -> None:
    with db.session() as s:
        vendor = settings.company(session=s)
    pdf = invoice_pdf(detail, vendor)
    key = f"invoice_{detail.id}"
    if _pdf_buttons(key, f"{detail.number}.pdf", pdf):
        _route_form(key, user, header, who, "invoice", f"{detail.number}.pdf", pdf,
                    lambda name: routing.invoice_email(detail, name, user.full_name,
                                                       vendor.name))
    e_invoice_button(detail, vendor, key)


def e_invoice_button(detail: InvoiceDetail, vendor: Vendor, key: str) -> None:
    """The Peppol BIS 3.0 UBL file, as the customer's access point receives it."""
    with db.session() as s:
        try:
            source = einvoices.e_invoice_source(session=s, invoice_id=detail.id)
        except einvoices.NoPeppolAddress as exc:
            st.caption(str(exc))
            return
    if source is None:
        return
    # Written when clicked, not on every rerun of the invoice's detail.
    st.download_button("Download e-invoice (Peppol UBL)",
                       data=lambda: ubl.e_invoice(*source, vendor),
                       file_name=ubl.file_name(detail.number, detail.issue_date),
                       mime="application/xml", key=f"{key}_ubl", on_click="ignore")


def statement_actions(user: UserInfo, header: CustomerHeader, stmt: Statement,
                      who: Caller) -> None:
    with db.session() as s:
        vendor = settings.company(session=s)
    stamp = stmt.as_of.isoformat()
    base = f"statement-{header.customer_number}-{stamp}"
    cols = st.columns(3)
    make_pdf = st.toggle("Prepare the statement PDF (view, print, e-mail)", key="stmt_pdf_on")
    cols[0].download_button("Download CSV", data=lambda: statement_csv(stmt),
                            file_name=f"{base}.csv", mime="text/csv", key="stmt_csv",
                            help=widgets.CSV_HELP,
                            width="stretch", on_click="ignore")
    cols[1].download_button(
        "Download Excel", data=lambda: statement_xlsx(stmt), file_name=f"{base}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="stmt_xlsx", width="stretch", on_click="ignore")
    cols[2].download_button("Download PDF", data=lambda: statement_pdf(stmt, vendor),
                            file_name=f"{base}.pdf", mime="application/pdf", key="stmt_pdf_dl",
                            width="stretch", on_click="ignore")
    if make_pdf:
        pdf = statement_pdf(stmt, vendor)
        if _pdf_buttons("statement", f"{base}.pdf", pdf):
            _route_form("statement", user, header, who, "statement", f"{base}.pdf", pdf,
                        lambda name: routing.statement_email(stmt, name, user.full_name,
                                                             vendor.name))


def _route_form(key: str, user: UserInfo, header: CustomerHeader, who: Caller, kind: str,
                filename: str, pdf: bytes, compose: Callable[[str], tuple[str, str]]) -> None:
    """E-mail the document to a contact on file; another address only for an entitled,
    verified caller and with a reason. What the caller allows is said before the form."""
    with db.session() as s:
        contacts = [c for c in customers.list_contacts(session=s, customer_id=header.id)
                    if c.email]
    blocked = routing.refusal(caller=who, on_file=True, reason="")
    if blocked:
        st.warning(text.plain(blocked))
    else:
        st.caption(text.plain(f"Requested by {who.name} ({label('tier', who.tier)}, verified). "
                              "Documents go "
                              "to a contact on file; another address needs a reason."))
    caller_index = next((i + 1 for i, c in enumerate(contacts) if c.id == who.contact_id), 1)
    with st.form(f"{key}_route_form"):
        cols = st.columns(2)
        contact = cols[0].selectbox(
            "Send to contact", [None, *contacts], key=f"{key}_to_contact",
            format_func=lambda c: "— an address not on file —" if c is None
            else f"{c.name} <{c.email}> ({label('contact_role', c.role)})",
            index=caller_index if contacts else 0)
        other = cols[1].text_input("…or this address", key=f"{key}_to_other",
                                   placeholder="name@company.be", disabled=bool(blocked))
        reason = st.text_input("Why this address (when it is not on file)",
                               key=f"{key}_reason", disabled=bool(blocked),
                               placeholder="e.g. the caller's accountant, asked by Anne Dupré")
        name = contact.name.split()[0] if contact else "Madam, Sir"
        subject, body = compose(name)
        subject = st.text_input("Subject", value=subject, key=f"{key}_subject")
        body = st.text_area("Message", value=body, height=200, key=f"{key}_body")
        st.caption(text.plain(f"Attachment: {filename}"))
        sent = st.form_submit_button("Send", type="primary", disabled=bool(blocked))
    if sent:
        address = other.strip() or (contact.email if contact else "")
        try:
            with db.session() as s:
                routing.send_document(session=s, kind=kind, customer_id=header.id,
                                      to_address=address or "", subject=subject, body=body,
                                      filename=filename, pdf=pdf, by=user, caller=who,
                                      reason=reason)
        except ValueError as exc:
            widgets.show_problems(exc)
        else:
            st.session_state[state.FLASH] = f"{filename} queued for {address}."
            st.rerun()
    with db.session() as s:
        sent_before = outbox.list_for_customer(session=s, customer_id=header.id, limit=10)
    if sent_before:
        st.caption(text.plain("Recent e-mails to this customer: " + "; ".join(
            f"{m.subject} to {m.to_address}: {label('outbound_status', m.status)}"
            + (f" {when(m.sent_at)}" if m.sent_at else "")
            + (f" ({m.last_error})" if m.last_error and m.status != "sent" else "")
            for m in sent_before)))
