"""The public pages, for customers without a sign-in: track an order and the online forms.

Everything here is in the visitor's language (the browser's by default, switchable) through
the catalogues of ``dashboard.i18n``; nothing a visitor typed is rendered as markup.
"""

from __future__ import annotations

import streamlit as st

from dashboard import i18n
from dashboard.formatting import LOCALES, day, when
from dashboard.intake import webform
from dashboard.services import public, settings
from dashboard.services.errors import ValidationError
from dashboard.ui import auth, db, state, text

STATUS = {"received": "Received", "confirmed": "Confirmed", "picking": "Being picked",
          "shipped": "Shipped", "in_transit": "In transit", "delivered": "Delivered",
          "cancelled": "Cancelled"}
TOPIC_NAMES = {"orders": "Orders and delivery", "invoices": "Invoices and payments",
               "contracts": "Contracts", "inventory": "Installed inventory and maintenance",
               "other": "Something else"}


def language() -> str:
    """?lang=…, else the visitor's last choice, else the browser's language."""
    asked = st.query_params.get("lang")
    if asked in i18n.LANGUAGES:
        st.session_state[state.PUBLIC_LANGUAGE] = asked
    chosen = st.session_state.get(state.PUBLIC_LANGUAGE)
    if chosen in i18n.LANGUAGES:
        return str(chosen)
    accept = st.context.headers.get("Accept-Language")
    return i18n.browser_language(accept if isinstance(accept, str) else None)


def language_picker() -> i18n.Translate:
    """The language switch in the sidebar; returns the page's translator."""
    current = language()
    with st.sidebar:
        picked = st.segmented_control(
            "Language · Langue · Taal · Sprache", options=list(i18n.LANGUAGES), default=current,
            format_func=lambda code: i18n.NAMES[code], key=state.PUBLIC_LANGUAGE_PICKER)
    if picked and picked != current:
        st.session_state[state.PUBLIC_LANGUAGE] = picked
        st.query_params["lang"] = picked
        current = picked
    return i18n.translator(current)


def footer(tr: i18n.Translate) -> None:
    with db.session() as s:
        vendor = settings.company(session=s)
    st.divider()
    st.caption(text.plain(tr("Phone {phone}, Monday to Friday 08:30–17:00 · Fax {fax} · "
                             "E-mail {email}").format(phone=vendor.phone, fax=vendor.fax,
                                                      email=vendor.email)))


def _client() -> str:
    """The visitor's connection, as the limits count it (the address the server sees)."""
    address = auth.client_identity().address
    with db.session() as s:
        return public.client_key(s, address)


# --- Track an order ------------------------------------------------------------------------

def track_form(tr: i18n.Translate) -> None:
    st.title(tr("Track an order"))
    st.write(tr("Enter your order number and your customer number or the delivery postcode."))
    with st.form("track_form", enter_to_submit=True):
        left, right = st.columns(2)
        number = left.text_input(tr("Order number"), key="track_order_number",
                                 placeholder="SO-2026-000123", max_chars=30)
        proof = right.text_input(tr("Customer number or delivery postcode"),
                                 key="track_proof", placeholder="C100123 / 1000", max_chars=20)
        submitted = st.form_submit_button(tr("Track"), type="primary")
    if not submitted:
        return
    if not number.strip() or not proof.strip():
        st.error(tr("Enter the order number and your customer number or postcode."))
        return
    client = _client()
    with db.session() as s:
        if not public.allowed(session=s, scope="track", client=client, now=db.now()):
            refused = True
            found = None
        else:
            refused = False
            found = public.track(session=s, order_number=number,
                                 customer_number_or_postcode=proof, client=client)
    if refused:
        st.error(tr("Too many lookups from your connection. Please wait a few minutes and "
                    "try again."))
    elif found is None:
        st.warning(tr("We could not find an order with these details. Check the order "
                      "number and your customer number or postcode."))
    else:
        tracked(found, tr, LOCALES.get(language(), "en_BE"))


def tracked(order: public.TrackedOrder, tr: i18n.Translate, locale: str) -> None:
    with st.container(border=True):
        st.subheader(tr("Order {number}").format(number=order.order_number))
        cols = st.columns(3)
        cols[0].metric(tr("Status"), tr(STATUS.get(order.status, order.status)))
        cols[1].metric(tr("Ordered on"), day(order.ordered_on, locale))
        if order.delivered_on:
            cols[2].metric(tr("Delivered on"), day(order.delivered_on, locale))
        else:
            cols[2].metric(tr("Expected delivery"),
                           day(order.expected, locale) if order.expected else "—")
        if order.carrier:
            line = f"{tr('Carrier')}: {order.carrier}"
            if order.tracking_number:
                line += f" · {tr('Tracking number')}: {order.tracking_number}"
            st.text(line)
        if order.tracking_url:
            st.link_button(tr("Follow the parcel at the carrier"), order.tracking_url)
        st.markdown(f"**{tr('History')}**")
        for step in reversed(order.steps):
            st.text(f"{when(step.at, locale)} — {tr(STATUS.get(step.status, step.status))}")


# --- Online forms --------------------------------------------------------------------------

def contact_form(tr: i18n.Translate) -> None:
    st.title(tr("Contact us"))
    st.write(tr("Choose what your question is about; it goes straight to our "
                "representatives."))
    sent = st.session_state.get(state.PUBLIC_SENT)
    if sent:
        st.success(tr("Thank you. Your question has reference {reference}; we have sent a "
                      "confirmation to {email}.").format(reference=sent[0],
                                                         email=text.plain(sent[1])))
    topic = st.radio(tr("Your question is about"), webform.TOPICS, horizontal=True,
                     format_func=lambda t: tr(TOPIC_NAMES[t]), key=state.PUBLIC_TOPIC)
    with st.form(f"contact_form_{topic}", clear_on_submit=False):
        left, right = st.columns(2)
        name = left.text_input(tr("Your name"), max_chars=webform.MAX_NAME)
        email = right.text_input(tr("E-mail"), max_chars=254)
        phone = left.text_input(tr("Phone (optional)"), max_chars=30)
        customer_number = right.text_input(tr("Customer number (optional)"), max_chars=12)
        document = change = ""
        if topic in webform.DOCUMENT_FIELD:
            document = st.text_input(tr(webform.DOCUMENT_FIELD[topic]), max_chars=40)
        if topic == "inventory":
            change = st.text_area(tr("What should change in your installed inventory?"),
                                  max_chars=webform.MAX_CHANGE, height=80)
        subject = st.text_input(tr("Subject"), max_chars=webform.MAX_SUBJECT)
        message = st.text_area(tr("Your question"), max_chars=webform.MAX_MESSAGE, height=140)
        with st.container(key="contact_website"):  # a field people never see: bots fill it
            website = st.text_input("Website", key="contact_website_field",
                                    autocomplete="off")
        submitted = st.form_submit_button(tr("Send"), type="primary")
    if submitted:
        _submit(tr, website, webform.OnlineForm(
            topic=topic, name=name, email=email, phone=phone, customer_number=customer_number,
            subject=subject, message=message, document=document, change=change))


def _submit(tr: i18n.Translate, website: str, form: webform.OnlineForm) -> None:
    client = _client()
    with db.session() as s:
        within = public.allowed(session=s, scope="form", client=client, now=db.now())
    if not within:
        st.error(tr("Too many messages from your connection. Please try again in an hour, "
                    "or call us."))
        return
    if website.strip():  # a script: it is told nothing different, and nothing is filed
        st.session_state[state.PUBLIC_SENT] = ("ENQ-0000-000000", form.email)
        st.rerun()
    problems = webform.validate_online_form(form, tr)
    if problems:
        st.error("\n\n".join(text.plain(p) for p in problems))
        return
    try:
        with db.plain_session() as s:
            reference = webform.submit_online_form(s, form, language(), db.now(), tr)
    except ValidationError as exc:
        st.error("\n\n".join(text.plain(p) for p in exc.problems))
        return
    except webform.SubmissionDeferred:
        st.success(tr("Thank you. Your question was received and will be answered."))
        return
    st.session_state[state.PUBLIC_SENT] = (reference, form.email.strip())
    st.rerun()
