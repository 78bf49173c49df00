"""The customer portal: a customer contact's sign-in, the e-mailed link that sets their
password, and their pages (my orders, invoices, statement of account).

Portal sign-ins are not staff sign-ins: their own cookie (signed with a key of their own),
their own server-side sessions (``services.portal``) and their own session-state keys. A
portal user is shown only the portal's pages; a staff user never gets them. Every page checks
again (``require``) and every query takes the signed-in ``PortalUser``, so the customer comes
from the session, never from the address bar or a form.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import extra_streamlit_components as stx
import pandas as pd
import streamlit as st

from dashboard import i18n, labels
from dashboard.business_calendar import BRUSSELS
from dashboard.documents import ubl
from dashboard.documents.invoice_pdf import invoice_pdf
from dashboard.documents.statement_pdf import statement_pdf
from dashboard.documents.tables import statement_csv, statement_xlsx
from dashboard.formatting import LOCALES, day, money
from dashboard.intake import webform
from dashboard.services import einvoices, portal, session_tokens, settings, tiers
from dashboard.services import public as public_service
from dashboard.services.errors import ValidationError
from dashboard.services.inventory import ItemRow
from dashboard.services.login_throttle import ClientIdentity
from dashboard.services.portal import PortalUser
from dashboard.services.public import TrackedOrder, TrackedStep
from dashboard.ui import auth, db, public, state, text, widgets
from dashboard.ui.documents import PRINT_SCRIPT

PAGES = Path(__file__).resolve().parent.parent.parent / "pages"
PORTAL_COOKIE = "csol_portal"  # never the staff's cookie name
COOKIE_SCOPE = b"customer portal session"
STATUS = public.STATUS
INVOICE_KINDS = {"invoice": "Invoice", "credit_note": "Credit note"}
INVOICE_STATUSES = {"open": "Open", "partially_paid": "Partially paid", "paid": "Paid",
                    "cancelled": "Cancelled"}
AREA_TITLES = {"orders": "My orders", "invoices": "Invoices and credit notes",
               "statement": "Statement of account", "contracts": "Contracts",
               "inventory": "Installed inventory"}
SET_PASSWORD_PATH = portal.SET_PASSWORD_PATH
# The portal's page for each area of the rule table (services.tiers) that has one.
PAGE_FILES = {"orders": ("portal_orders.py", "my-orders"),
              "invoices": ("portal_invoices.py", "invoices"),
              "statement": ("portal_statement.py", "statement"),
              "contracts": ("portal_contracts.py", "contracts"),
              "inventory": ("portal_inventory.py", "installed-inventory")}
PORTAL_AREAS = tuple(PAGE_FILES)
COVERAGE = {"Contract": "Contract", "Warranty": "Warranty", "Not covered": "Not covered",
            "Removed": "Removed"}


def cookie_key() -> str:
    """The portal cookie's signing key: derived from, and never equal to, the staff's."""
    return hmac.new(db.settings().cookie_key.encode("utf-8"), COOKIE_SCOPE,
                    hashlib.sha256).hexdigest()


def bind_cookies(cookies: stx.CookieManager) -> None:
    """This run's cookie component (the sign-in's, already on the page): the portal writes
    its own cookie through it. A component of its own would mount on the sign-in's run, and
    its first answer reruns the script before the cookie it was to write had been set."""
    st.session_state[state.PORTAL_COOKIES] = cookies


def _cookies() -> stx.CookieManager:
    cookies = st.session_state.get(state.PORTAL_COOKIES)
    if not isinstance(cookies, stx.CookieManager):
        raise RuntimeError("The portal's pages run from dashboard/app.py, which binds the "
                           "cookie component.")
    return cookies


def _policy() -> portal.SessionPolicy:
    return auth.policy(db.settings())


# --- Who is signed in ---------------------------------------------------------------------

def restore() -> PortalUser | None:
    """The signed-in customer contact: this browser session's, or one restored from the
    portal cookie, as long as the portal session it names still holds."""
    if st.session_state.get(state.PORTAL_LOGOUT_REQUESTED):
        st.session_state.pop(state.PORTAL_LOGOUT_REQUESTED, None)
        _logout()
        return None
    session_id = st.session_state.get(state.PORTAL_SESSION_ID)
    if isinstance(session_id, str):
        user = _holding(session_id)
        if user is None:
            _forget()
            return None
        st.session_state[state.PORTAL_USER] = user
        return user
    if st.session_state.get(state.PORTAL_SIGNED_OUT):
        return None
    token = st.context.cookies.get(PORTAL_COOKIE)
    if not token:
        return None
    claims = session_tokens.verify(token, cookie_key(), now=db.now())
    user = _holding(claims.session_id) if claims else None
    if claims is None or user is None or claims.username != _claim_name(user):
        _forget()
        return None
    _signed_in(user, claims.session_id)
    return user


def _claim_name(user: PortalUser) -> str:
    return f"portal:{user.account_id}"


def _holding(session_id: str) -> PortalUser | None:
    with db.session() as s:
        return portal.check_session(session=s, session_id=session_id, policy=_policy(),
                                    now=db.now())


def _signed_in(user: PortalUser, session_id: str) -> None:
    st.session_state[state.PORTAL_USER] = user
    st.session_state[state.PORTAL_SESSION_ID] = session_id
    st.session_state[state.PORTAL_SIGNED_OUT] = None
    st.session_state.setdefault(state.PUBLIC_LANGUAGE, user.language)


def _forget(*, drop_cookie: bool = False) -> None:
    """Signed out in this browser session; the browser is told to drop the portal cookie
    when it sent one, or (``drop_cookie``) when it may have been set since it connected."""
    st.session_state[state.PORTAL_USER] = None
    st.session_state[state.PORTAL_SESSION_ID] = None
    st.session_state[state.PORTAL_SIGNED_OUT] = True
    if drop_cookie or st.context.cookies.get(PORTAL_COOKIE):
        with contextlib.suppress(KeyError):  # the browser had already dropped it
            _cookies().delete(PORTAL_COOKIE, key="portal_cookie_delete")


def _logout() -> None:
    user = st.session_state.get(state.PORTAL_USER)
    if isinstance(user, PortalUser):
        with db.session() as s:
            portal.logout(session=s, session_id=st.session_state.get(state.PORTAL_SESSION_ID),
                          user=user, now=db.now())
    _forget(drop_cookie=True)  # the session is over on the server already
    st.query_params.clear()


def current() -> PortalUser | None:
    user = st.session_state.get(state.PORTAL_USER)
    if not isinstance(user, PortalUser) or not st.session_state.get(state.PORTAL_SESSION_ID):
        return None
    return user


def require(area: str) -> tuple[PortalUser, i18n.Translate]:
    """Second line of defence on every portal page: a signed-in customer contact whose tier
    sees ``area``; a staff sign-in never passes."""
    tr = i18n.translator(public.language())
    user = current()
    if auth.current_user() is not None or user is None:
        st.warning(tr("Please sign in to the customer portal."))
        st.stop()
    if not user.sees(area):  # type: ignore[union-attr]
        st.error(tr("Your account does not give access to this page. Your account manager "
                    "can give you access."))
        st.stop()
    return user, tr  # type: ignore[return-value]


def navigation(user: PortalUser, pages: Path, *, picker: bool = True) -> None:
    """The portal's menu for the contact's tier, and the page asked for; nothing else.
    ``picker``: show the language switch (not when the sign-in page of this run did)."""
    tr = public.language_picker() if picker else i18n.translator(public.language())
    entries = [st.Page(pages / "portal_home.py", title=tr("My account"), default=True)]
    entries += [st.Page(pages / PAGE_FILES[area][0], title=tr(AREA_TITLES[area]),
                        url_path=PAGE_FILES[area][1])
                for area in PORTAL_AREAS if user.sees(area)]
    page = st.navigation({tr("Customer portal"): entries}, expanded=True)
    with st.sidebar:
        st.markdown(f"**{text.plain(user.name)}**  \n{text.plain(user.customer_name)} · "
                    f"{text.plain(user.customer_number)}")
        st.button(tr("Sign out"), key="portal_logout",
                  on_click=lambda: st.session_state.update({state.PORTAL_LOGOUT_REQUESTED:
                                                            True}))
    page.run()


# --- Sign-in, the link, the password ------------------------------------------------------

def sign_in_page() -> PortalUser | None:
    """The portal's sign-in and the form that e-mails a set-password link; returns the
    contact when this run signed them in."""
    tr = public.language_picker()
    box = st.empty()
    with box.container():
        st.title(tr("Customer portal"))
        st.write(tr("Your company's orders, and for entitled users their invoices and "
                    "statement of account."))
        done = st.session_state.pop(state.PORTAL_PASSWORD_SET, None)
        if done:
            st.success(tr("Your password is saved. Sign in with {email}.").format(
                email=text.plain(done)))
        left, right = st.columns(2)
        with left, st.form("portal_sign_in", enter_to_submit=True):
            st.subheader(tr("Sign in"))
            email = st.text_input(tr("E-mail address"), key="portal_email", max_chars=254,
                                  autocomplete="username")
            password = st.text_input(tr("Password"), type="password", key="portal_password",
                                     autocomplete="current-password")
            submitted = st.form_submit_button(tr("Sign in"), type="primary")
        with right:
            _link_form(tr)
        signed = _sign_in(tr, email, password) if submitted else None
    if signed is not None:
        box.empty()
        user, token, expires = signed
        # No rerun after this: the cookie component has to render in this run to be set
        # (outside the emptied box, or it would be gone before it ran).
        _cookies().set(PORTAL_COOKIE, token, key="portal_cookie_set", expires_at=expires)
        return user
    public.footer(tr)
    return None


def _sign_in(tr: i18n.Translate, email: str, password: str
             ) -> tuple[PortalUser, str, datetime] | None:
    client = auth.client_identity()
    with db.session() as s:
        result = portal.attempt_login(
            session=s, email=email, password=password,
            client=ClientIdentity(client_id=None, address=client.address),
            policy=_policy(), now=db.now())
    if not result.ok:
        st.error(tr(result.message))
        return None
    assert result.user and result.session_id and result.expires_at
    _signed_in(result.user, result.session_id)  # in the language chosen on this page
    cfg = db.settings()
    expires = min(result.expires_at, datetime.now(UTC) + timedelta(days=cfg.cookie_expiry_days))
    token = session_tokens.issue(username=_claim_name(result.user),
                                 session_id=result.session_id, expires_at=expires,
                                 key=cookie_key())
    return result.user, token, expires


def _link_form(tr: i18n.Translate) -> None:
    with st.form("portal_register", enter_to_submit=True):
        st.subheader(tr("First visit, or forgot your password?"))
        st.caption(tr("Enter the e-mail address we have on file for you. We send a link to "
                      "set your password; it works once, within 24 hours."))
        email = st.text_input(tr("E-mail address"), key="portal_register_email",
                              max_chars=254, autocomplete="email")
        asked = st.form_submit_button(tr("Send me the link"))
    if asked:
        if "@" not in email or len(email.strip()) < 3:
            st.error(tr("Enter your e-mail address."))
            return
        with db.session() as s:
            within = portal.request_link(session=s, email=email,
                                         client=public_service.client_key(s, _address()),
                                         portal_url=db.settings().portal_url, now=db.now())
        if not within:
            st.error(tr("Too many requests from your connection. Please try again in an hour, "
                        "or call us."))
            return
        st.session_state[state.PORTAL_LINK_ASKED] = email.strip()
    asked_for = st.session_state.get(state.PORTAL_LINK_ASKED)
    if asked_for:
        # The same words whether or not the address is on file.
        st.success(tr("If {email} is the address of a contact on file, a link to set your "
                      "password is on its way. Check your mailbox.").format(
                          email=text.plain(asked_for)))


def _address() -> str | None:
    return auth.client_identity().address


def set_password_page() -> None:
    tr = public.language_picker()
    token = st.query_params.get("token") or ""
    st.title(tr("Set your portal password"))
    with db.session() as s:
        holder = portal.link_holder(session=s, token=token, now=db.now())
    if holder is None:
        st.error(tr(portal.LINK_INVALID))
        st.page_link(PAGES / "portal_sign_in.py", label=tr("Ask for a new link"))
        public.footer(tr)
        return
    st.write(tr("For {email}. At least 10 characters; a few unrelated words work well.")
             .format(email=text.plain(holder.email)))
    with st.form("portal_set_password", enter_to_submit=True):
        new = st.text_input(tr("New password"), type="password", key="portal_new_password",
                            autocomplete="new-password")
        repeat = st.text_input(tr("New password again"), type="password",
                               key="portal_new_password_repeat", autocomplete="new-password")
        saved = st.form_submit_button(tr("Save password"), type="primary")
    if saved:
        try:
            with db.session() as s:
                email = portal.set_password(session=s, token=token, password=new,
                                            repeat=repeat, now=db.now())
        except ValueError as exc:
            st.error(tr(str(exc)))
        else:
            st.session_state[state.PORTAL_PASSWORD_SET] = email
            st.query_params.clear()
            st.switch_page(PAGES / "portal_sign_in.py")
    public.footer(tr)


# --- The portal's pages -------------------------------------------------------------------

def locale() -> str:
    return LOCALES.get(public.language(), "en_BE")


def home_page(user: PortalUser) -> None:
    tr = i18n.translator(public.language())
    st.title(text.plain(user.customer_name))
    st.caption(f"{tr('Customer number')} {text.plain(user.customer_number)} · "
               f"{text.plain(user.name)} · {text.plain(user.email)}")
    if user.sees("orders"):
        with db.session() as s:
            figures = portal.overview(session=s, user=user)
        cols = st.columns(3)
        cols[0].metric(tr("Orders under way"), figures.orders_under_way)
        if figures.open_documents is not None and figures.open_cents is not None:
            cols[1].metric(tr("Open invoices and credit notes"), figures.open_documents)
            cols[2].metric(tr("Open in all"), money(figures.open_cents, locale()))
    st.subheader(tr("What your account shows"))
    for area in PORTAL_AREAS:
        if user.sees(area):
            st.page_link(PAGES / PAGE_FILES[area][0], label=tr(AREA_TITLES[area]))
    if not user.sees("invoices"):
        st.info(tr("Invoices, credit notes and the statement of account are for entitled "
                   "users. Your account manager can give you access."))
    rule = tiers.RULES.get(user.tier)
    if rule is not None and not rule.sees - {"order_status"}:
        st.info(tr("Your account shows no company documents yet."))


def _start_of_day(value: date) -> datetime:
    return datetime.combine(value, datetime.min.time(), BRUSSELS).astimezone(UTC)


def orders_page(user: PortalUser) -> None:
    tr = i18n.translator(public.language())
    loc = locale()
    st.title(tr("My orders"))
    detail = st.container()  # the picked order shows here, above the list
    with st.form("portal_order_search", enter_to_submit=True):
        cols = st.columns([2, 1, 1, 2])
        wanted = cols[0].text_input(tr("Order number or your PO reference"), max_chars=40,
                                    key="portal_order_text")
        since = cols[1].date_input(tr("Ordered from"), value=None, format="DD/MM/YYYY",
                                   key="portal_order_from")
        until = cols[2].date_input(tr("Ordered until"), value=None, format="DD/MM/YYYY",
                                   key="portal_order_to")
        statuses = cols[3].multiselect(tr("Status"), list(STATUS),
                                       format_func=lambda s: tr(STATUS[s]),
                                       key="portal_order_status")
        st.form_submit_button(tr("Search"))
    asked = st.query_params.get("order")
    if since and until and since > until:
        st.error(tr("The first date is after the second."))
        return
    with db.session() as s:
        rows = portal.my_orders(session=s, user=user, search=portal.OrderSearch(
            text=wanted, ordered_from=since, ordered_to=until, statuses=tuple(statuses)),
            start_of_day=_start_of_day)
    picked = None
    if not rows:
        st.info(tr("No orders match."))
    else:
        frame = pd.DataFrame([{
            tr("Order"): r.order_number, tr("Your reference"): r.customer_po or "—",
            tr("Ordered on"): day(r.ordered_at.date(), loc), tr("Status"): tr(STATUS[r.status]),
            tr("Expected delivery"): day(r.promised_date, loc) if r.promised_date else "—",
            tr("Delivered on"): day(r.delivered_on, loc) if r.delivered_on else "—",
            tr("Carrier"): r.carrier or "—", tr("Tracking number"): r.tracking_number or "—",
        } for r in rows])
        chosen = widgets.selectable(frame, "portal_orders_table", [r.id for r in rows])
        picked = next((r.order_number for r in rows if r.id == chosen), None)
        st.caption(tr("Newest first, at most {count} shown. Select an order to follow it.")
                   .format(count=portal.ORDER_LIMIT))
    number = picked or (asked[:30] if asked else None)
    if number:
        with detail:
            _order_detail(user, number, tr, loc)


def _order_detail(user: PortalUser, number: str, tr: i18n.Translate, loc: str) -> None:
    with db.session() as s:
        found = portal.order_steps(session=s, user=user, order_number=number)
    if found is None:
        st.warning(tr("We could not find an order with this number in your account."))
        return
    order, steps = found
    public.tracked(public_order(order, steps), tr, loc)


def public_order(order: portal.PortalOrder, steps: tuple[portal.PortalOrderStep, ...]
                 ) -> TrackedOrder:
    return TrackedOrder(order.order_number, order.status, order.ordered_at.date(),
                        order.promised_date, order.delivered_on, order.carrier,
                        order.tracking_number, order.tracking_url,
                        tuple(TrackedStep(step.at, step.status) for step in steps))


def invoices_page(user: PortalUser) -> None:
    tr = i18n.translator(public.language())
    loc = locale()
    st.title(tr("Invoices and credit notes"))
    detail = st.container()  # the picked document shows here, above the list
    asked = st.query_params.get("invoice")
    with db.session() as s:
        rows = portal.my_invoices(session=s, user=user, today=db.today())
    picked = None
    if not rows:
        st.info(tr("No invoices yet."))
    else:
        today = db.today()
        frame = pd.DataFrame([{
            tr("Number"): r.number, tr("Kind"): tr(INVOICE_KINDS[r.kind]),
            tr("Issued on"): day(r.issue_date, loc), tr("Due on"): day(r.due_date, loc),
            tr("Total"): money(r.total_cents, loc), tr("Open"): money(r.open_cents, loc),
            tr("Status"): tr("Overdue") if r.is_overdue(today)
            else tr(INVOICE_STATUSES.get(r.status, r.status)),
            tr("Order"): r.order_number or "—"} for r in rows])
        chosen = widgets.selectable(frame, "portal_invoices_table", [r.id for r in rows])
        picked = next((r.number for r in rows if r.id == chosen), None)
        st.caption(tr("Newest first. Select a document to view, print or download it."))
    number = picked or (asked[:30] if asked else None)
    if number:
        with detail:
            _invoice_detail(user, number, tr, loc)


def _invoice_detail(user: PortalUser, number: str, tr: i18n.Translate, loc: str) -> None:
    with db.session() as s:
        detail = portal.invoice_detail(session=s, user=user, number=number)
        vendor = settings.company(session=s)
    if detail is None:
        st.warning(tr("We could not find a document with this number in your account."))
        return
    with st.container(border=True):
        st.subheader(f"{tr(INVOICE_KINDS[detail.kind])} {text.plain(detail.number)}")
        cols = st.columns(4)
        cols[0].metric(tr("Issued on"), day(detail.issue_date, loc))
        cols[1].metric(tr("Due on"), day(detail.due_date, loc))
        cols[2].metric(tr("Total"), money(detail.total_cents, loc))
        cols[3].metric(tr("Open"), money(detail.open_cents, loc))
        if detail.structured_reference and detail.open_cents > 0:
            st.text(f"{tr('Pay with the structured reference')} {detail.structured_reference}")
        pdf = invoice_pdf(detail, vendor)
        buttons = st.columns(4)
        viewing = buttons[0].toggle(tr("View"), key=f"portal_view_{detail.id}")
        if buttons[1].download_button(tr("Download PDF"), data=pdf,
                                      file_name=f"{detail.number}.pdf", mime="application/pdf",
                                      key=f"portal_pdf_{detail.id}", width="stretch"):
            _noted(user, "invoice_pdf", detail.number)
        with buttons[2]:
            # Our own script and base64 text only; nothing a user typed goes into this HTML.
            st.iframe(PRINT_SCRIPT.replace("PDF_BASE64", base64.b64encode(pdf).decode("ascii"))
                      .replace(">Print<", f">{_html_safe(tr('Print'))}<"), height=44)
        with buttons[3]:
            _e_invoice_button(user, detail.number, tr)
        if viewing:
            st.pdf(pdf, height=640, key=f"portal_viewer_{detail.id}")


def _html_safe(words: str) -> str:
    return "".join(ch for ch in words if ch.isalnum() or ch in " -'éèêëàâäôöûüçÉ")


def _e_invoice_button(user: PortalUser, number: str, tr: i18n.Translate) -> None:
    with db.session() as s:
        try:
            source = portal.e_invoice(session=s, user=user, number=number)
        except einvoices.NoPeppolAddress:
            st.caption(tr("No e-invoice: your company has no Peppol address on file."))
            return
        vendor = settings.company(session=s)
    if source is None:
        return
    if st.download_button(tr("Download e-invoice (UBL)"),
                          data=lambda: ubl.e_invoice(*source, vendor),
                          file_name=ubl.file_name(source[0].number, source[0].issue_date),
                          mime="application/xml", key=f"portal_ubl_{source[0].id}",
                          width="stretch"):
        _noted(user, "invoice_ubl", number)


def _noted(user: PortalUser, what: str, key: str) -> None:
    with db.session() as s:
        portal.audit_download(session=s, user=user, what=what, key=key)


def statement_page(user: PortalUser) -> None:
    tr = i18n.translator(public.language())
    loc = locale()
    st.title(tr("Statement of account"))
    as_of = st.columns([1, 3])[0].date_input(tr("On"), value=db.today(), max_value=db.today(),
                                             format="DD/MM/YYYY", key="portal_statement_date")
    with db.session() as s:
        stmt = portal.my_statement(session=s, user=user, as_of=as_of)
        vendor = settings.company(session=s)
    if stmt is None:
        st.info(tr("Nothing to show."))
        return
    cols = st.columns(2)
    cols[0].metric(tr("Balance"), money(stmt.total_cents, loc))
    cols[1].metric(tr("Overdue"), money(stmt.overdue_cents, loc))
    language = public.language()
    base = f"statement-{user.customer_number}-{stmt.as_of.isoformat()}"
    buttons = st.columns(3)
    if buttons[0].download_button(tr("Download PDF"), data=lambda: statement_pdf(stmt, vendor),
                                  file_name=f"{base}.pdf", mime="application/pdf",
                                  key="portal_stmt_pdf", width="stretch"):
        _noted(user, "statement_pdf", stmt.as_of.isoformat())
    if buttons[1].download_button(tr("Download CSV"),
                                  data=lambda: statement_csv(stmt, language),
                                  file_name=f"{base}.csv", mime="text/csv",
                                  key="portal_stmt_csv", width="stretch"):
        _noted(user, "statement_csv", stmt.as_of.isoformat())
    if buttons[2].download_button(
            tr("Download Excel"), data=lambda: statement_xlsx(stmt, language),
            file_name=f"{base}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="portal_stmt_xlsx", width="stretch"):
        _noted(user, "statement_xlsx", stmt.as_of.isoformat())
    if not stmt.items:
        st.info(tr("Nothing open on this date."))
        return
    kinds = {**INVOICE_KINDS, "payment": "Payment"}
    st.dataframe(pd.DataFrame([{
        tr("Kind"): tr(kinds.get(i.kind, i.kind)), tr("Number"): i.number,
        tr("Date"): day(i.document_date, loc), tr("Due on"): day(i.due_date, loc),
        tr("Amount"): money(i.original_cents, loc), tr("Open"): money(i.open_cents, loc),
        tr("Balance"): money(i.balance_cents, loc),
        tr("Days past due"): i.days_past_due or "",
    } for i in stmt.items]), hide_index=True, width="stretch")



def contracts_page(user: PortalUser) -> None:
    tr = i18n.translator(public.language())
    loc = locale()
    st.title(tr("Contracts"))
    with db.session() as s:
        rows = portal.my_contracts(session=s, user=user)
    if not rows:
        st.info(tr("No contracts on file."))
        return
    today = db.today()
    st.dataframe(pd.DataFrame([{
        tr("Contract"): c.contract_number,
        tr("Type"): tr(labels.label("contract_type", c.type)),
        tr("Service level"): tr(labels.label("service_level", c.service_level)),
        tr("Starts on"): day(c.start_date, loc), tr("Ends on"): day(c.end_date, loc),
        tr("Annual value"): money(c.annual_value_cents, loc),
        tr("Billing"): tr(labels.label("billing", c.billing_frequency)),
        tr("Covered items"): c.covered_items, tr("State"): tr(c.state(today)),
    } for c in rows]), hide_index=True, width="stretch")


def inventory_page(user: PortalUser) -> None:
    tr = i18n.translator(public.language())
    loc = locale()
    st.title(tr("Installed inventory"))
    with db.session() as s:
        rows = portal.my_installed_items(session=s, user=user, today=db.today())
    if not rows:
        st.info(tr("No installed items on file."))
        return
    st.dataframe(pd.DataFrame([{
        tr("Site"): i.site, tr("Product"): i.product, tr("Serial number"): i.serial_number,
        tr("Installed on"): day(i.installed_on, loc),
        tr("Covered by"): tr(COVERAGE.get(i.coverage, i.coverage))
        + (f" {i.contract_number}" if i.covered_by == "contract" and i.contract_number
           else ""),
        tr("Covered until"): day(i.covered_until, loc) if i.covered_until else "—",
    } for i in rows]), hide_index=True, width="stretch")
    _change_request(user, tr, [i for i in rows if i.status == "installed"])
    st.caption(tr("To add, move or remove an item, send us a message from the contact page "
                  "or call us."))


CHANGE_KINDS = {"relocate": "Move it to another site", "remove": "Remove it",
                "other": "Something else"}


def _change_request(user: PortalUser, tr: i18n.Translate, items: list[ItemRow]) -> None:
    """Ask for a change to one of the company's items: it reaches the queue as a web
    enquiry about that item, acknowledged by e-mail, like the public inventory form."""
    sent = st.session_state.get(state.PORTAL_CHANGE_SENT)
    if sent:
        st.success(tr("Thank you. Your question has reference {reference}; we have sent a "
                      "confirmation to {email}.").format(reference=sent,
                                                         email=text.plain(user.email)))
    if not items:
        return
    by_id = {i.id: i for i in items}
    with st.expander(tr("Ask for a change to an item")), \
            st.form("portal_change_request", enter_to_submit=False):
        picked = st.selectbox(tr("Item"), list(by_id), key="portal_change_item",
                              format_func=lambda i: f"{by_id[i].serial_number} — "
                              f"{by_id[i].product}, {by_id[i].site}")
        kind = st.radio(tr("What should change"), list(CHANGE_KINDS), horizontal=True,
                        format_func=lambda k: tr(CHANGE_KINDS[k]), key="portal_change_kind")
        details = st.text_area(tr("Details: where to, when, why"), key="portal_change_details",
                               max_chars=webform.MAX_CHANGE, height=80)
        asked = st.form_submit_button(tr("Send the request"), type="primary")
    if not asked or picked not in by_id:
        return
    item = by_id[picked]
    form = webform.OnlineForm(
        topic="inventory", name=user.name, email=user.email, phone="",
        customer_number=user.customer_number,
        subject=f"{tr(CHANGE_KINDS[kind])}: {item.serial_number}",
        message=details, document=item.serial_number,
        change=f"{tr(CHANGE_KINDS[kind])} — {details.strip()}")
    problems = webform.validate_online_form(form, tr)
    if problems:
        st.error("\n\n".join(text.plain(p) for p in problems))
        return
    with db.session() as s:
        within = public_service.allowed(session=s, scope="form",
                                        client=public_service.client_key(s, _address()),
                                        now=db.now())
    if not within:
        st.error(tr("Too many messages from your connection. Please try again in an hour, "
                    "or call us."))
        return
    try:
        with db.plain_session() as s:
            reference = webform.submit_online_form(s, form, public.language(), db.now(), tr)
    except ValidationError as exc:
        st.error("\n\n".join(text.plain(p) for p in exc.problems))
        return
    except webform.SubmissionDeferred:
        st.success(tr("Thank you. Your question was received and will be answered."))
        return
    st.session_state[state.PORTAL_CHANGE_SENT] = reference
    for key in ("portal_change_details",):
        st.session_state.pop(key, None)
    st.rerun()
