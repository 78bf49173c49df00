"""The enquiry page's pieces: header, presence, links, timeline, attachments and actions;
and the enquiry table that other pages list enquiries in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.documents import preview
from dashboard.formatting import money, time_left, when
from dashboard.labels import CATEGORY_LABELS, EVENT_LABELS, label
from dashboard.services import customers, enquiries, enquiry_detail, queue, templates, workflow
from dashboard.services import search as search_service
from dashboard.services.customers import CustomerHeader
from dashboard.services.enquiries import EnquiryRow
from dashboard.services.enquiry_detail import EnquiryDetail
from dashboard.services.users import UserInfo
from dashboard.ui import db, keys, live, search, state, text, widgets
from db.models import CATEGORIES, PRIORITIES

PAGES = Path(__file__).resolve().parent.parent.parent / "pages"
ENQUIRY_PAGE = PAGES / "enquiry.py"


def open_enquiry(reference: str) -> None:
    st.switch_page(ENQUIRY_PAGE, query_params={"e": reference})


def account_flags(rows: list[EnquiryRow]) -> dict[int, customers.AccountFlags]:
    """Overdue and coverage of the customers behind ``rows``, for their badges."""
    with db.session() as s:
        return customers.account_flags(session=s, customer_ids=[
            r.customer_id for r in rows if r.customer_id is not None], today=db.today())


def enquiry_frame(rows: list[EnquiryRow],
                  flags: dict[int, customers.AccountFlags] | None = None) -> pd.DataFrame:
    """One row per enquiry; with ``flags``, an Account column of overdue/coverage badges."""
    frame = pd.DataFrame([
        {
            "SLA": r.sla.label,
            "Time left": time_left(r.sla.minutes_left),
            "Reference": r.reference,
            "Customer": r.customer_name or "—",
            "Subject": r.subject,
            "Priority": label("priority", r.priority),
            "Status": label("status", r.status),
            "Channel": label("channel", r.channel),
            "Due": when(r.sla.due_at),
            "Received": when(r.created_at),
        }
        for r in rows
    ])
    if flags is not None and not frame.empty:
        frame.insert(4, "Account", [
            " · ".join(flags[r.customer_id].badges) if r.customer_id in flags else ""
            for r in rows])
    return frame


def marked_enquiries(rows: list[EnquiryRow], flags: dict[int, customers.AccountFlags] | None
                     = None) -> pd.DataFrame:
    """The enquiry table for the screen: the SLA state and the account badges with their
    signs."""
    return mark_badges(widgets.marked(enquiry_frame(rows, flags), "SLA", widgets.sla_mark))


def mark_badges(frame: pd.DataFrame) -> pd.DataFrame:
    return widgets.marked(frame, "Account", lambda v: widgets.ALERT if v else "")


# --- the enquiry page --------------------------------------------------------------------

def _seen_key(enquiry_id: int) -> str:
    return f"{state.SEEN_VERSION}_{enquiry_id}"


def as_seen(d: EnquiryDetail) -> EnquiryDetail:
    """The detail with the version this representative has seen; warns when it moved on."""
    from dataclasses import replace

    seen = st.session_state.setdefault(_seen_key(d.row.id), d.version)
    if seen != d.version:
        with db.session() as s:
            message = workflow.stale_message(s, d.row.id)
        cols = st.columns([5, 1], vertical_alignment="center")
        cols[0].warning(message.replace("— reload.", "since you opened it: reload to see "
                                        "the change before editing."))
        if cols[1].button("Reload", key="reload_enquiry", type="primary"):
            st.session_state.pop(_seen_key(d.row.id), None)
            st.rerun()
    return replace(d, version=seen)


def navigation(user: UserInfo, d: EnquiryDetail) -> None:
    """Back to the queue, or on to my next most urgent enquiry."""
    with db.session() as s:
        following = queue.next_in_queue(session=s, user=user, after_id=d.row.id, now=db.now())
    cols = st.columns([1, 1, 4])
    if cols[0].button("← Back to queue", key="back_to_queue", width="stretch",
                      help=f"Back to the queue ({keys.hint('back_to_queue')})"):
        st.switch_page(PAGES / "queue.py")
    if cols[1].button("Next in queue →", key="next_in_queue", width="stretch",
                      disabled=following is None,
                      help=(f"Open {following}, my most urgent other enquiry "
                            f"({keys.hint('next_in_queue')})" if following
                            else "Nothing else is waiting in my queue: claim the next one.")):
        open_enquiry(str(following))


def header(d: EnquiryDetail, customer: CustomerHeader | None = None) -> None:
    r = d.row
    st.title(text.plain(r.subject))
    if customer is not None and (customer.overdue_cents > 0 or customer.items_uncovered):
        badges = st.columns([1, 1, 3])
        if customer.overdue_cents > 0:
            with badges[0]:
                st.badge(f"Overdue {money(customer.overdue_cents)}", color="red")
        if customer.items_uncovered:
            with badges[1]:
                st.badge(f"{customer.items_uncovered} items not covered", color="orange")
    facts = [r.reference, label("channel", r.channel), label("category", r.category),
             f"{label('priority', r.priority)} priority", label("status", r.status),
             f"assigned to {text.plain(d.assignee)}" if d.assignee else "unassigned",
             f"received {when(r.created_at)}"]
    if d.reopen_count:
        facts.append(f"reopened {d.reopen_count}×")
    st.caption(" · ".join(facts))
    if d.merged_into:
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].info(f"Merged into {text.plain(d.merged_into)}: the conversation goes on "
                     "there, and so do its clocks.")
        if cols[1].button(f"Open {d.merged_into}", key="to_merged_into", width="stretch"):
            open_enquiry(d.merged_into)


def latest_message(d: EnquiryDetail) -> None:
    """What the customer last said, first: read it before answering."""
    last = next((ev for ev in reversed(d.events) if ev.kind in ("message_in", "call")), None)
    if last is None:
        return
    with st.container(border=True):
        who = d.contact_name or d.from_address or "the customer"
        st.markdown(f"**Latest from {text.plain(who)}** · {when(last.at)}")
        st.text(last.body[:4000] if last.body else "(no text)")


def context(d: EnquiryDetail, customer: CustomerHeader | None,
            open_others: list[EnquiryRow]) -> None:
    """Beside the conversation: the clocks, the caller, and where the account stands."""
    r = d.row
    for title, clock in (("First response", r.first_response), ("Resolution", r.resolution)):
        left = f" — {time_left(clock.minutes_left)}" if clock.minutes_left is not None else ""
        st.markdown(f"**{title}**  \n{clock.label}{left}  \n"
                    + (f"due {when(clock.due_at)}" if clock.due_at else "no target"))
    who = d.contact_name or d.from_address or "unknown sender"
    st.markdown(f"**From** {text.plain(who)}  \n"
                f"{text.plain(label('verification', d.verification))}")
    if customer is None:
        st.warning("Not matched to a customer yet: link it from “Link or merge”.")
        return
    st.markdown(f"**{text.plain(customer.name)}** · {customer.customer_number}  \n"
                f"Balance {money(customer.balance_cents)} · overdue "
                f"{money(customer.overdue_cents)}")
    for warning in customer.warnings:
        st.caption(f"⚠ {text.plain(warning)}")
    links(d)
    if open_others:
        st.markdown(f"**Other open enquiries ({len(open_others)})**")
        for other in open_others[:5]:
            if st.button(f"{other.reference} · {text.plain(other.subject)[:40]}",
                         key=f"other_{other.id}", width="stretch"):
                open_enquiry(other.reference)


@st.fragment(run_every=live.EVERY)
def presence(user: UserInfo, enquiry_id: int) -> None:
    """Who else has this enquiry open, kept current; each tick also says I am still here."""
    now = db.now()
    with db.session() as s:
        enquiry_detail.note_viewing(session=s, enquiry_id=enquiry_id, user=user, now=now)
        names = enquiry_detail.others_viewing(session=s, enquiry_id=enquiry_id, user=user,
                                              now=now)
    if names:
        verb = "has" if len(names) == 1 else "have"
        st.warning(f"{text.plain(', '.join(names))} also {verb} this enquiry open — agree who "
                   "answers before replying.")


def links(d: EnquiryDetail) -> None:
    if not d.customer_number:
        return
    if st.button("Open the customer", key="to_customer", width="stretch"):
        search.open_customer(d.customer_number)
    for link in d.links:
        if st.button(text.plain(link.label), key=f"to_{link.kind}_{link.id}", width="stretch"):
            search.open_customer(d.customer_number, (link.kind, link.id))


def timeline(d: EnquiryDetail) -> None:
    """Everything said and done, newest first, scrolling in its own box."""
    st.subheader("Conversation")
    box = st.container(height=360) if len(d.events) > 3 else st.container()
    for ev in reversed(d.events):
        timeline_event(box, ev)


def timeline_event(box: Any, ev: enquiry_detail.TimelineEvent) -> None:
    with box, st.container(border=ev.kind in ("message_in", "reply", "call", "note")):
        title = EVENT_LABELS.get(ev.kind, ev.kind)
        detail = _event_detail(ev)
        st.markdown(f"**{title}** · {when(ev.at)}"
                    + (f" · {text.plain(ev.actor)}" if ev.actor else "")
                    + (f" — {text.plain(detail)}" if detail else ""))
        if ev.body:
            st.text(ev.body[:4000])
        if ev.delivery is not None:
            state_text = {"queued": "queued for sending", "sending": "sending",
                          "sent": f"sent {when(ev.delivery.sent_at)}",
                          "failed": f"FAILED: {ev.delivery.last_error}"}[ev.delivery.status]
            st.caption(text.plain(f"E-mail to {ev.delivery.to_address}: {state_text}"))


def _event_detail(ev: enquiry_detail.TimelineEvent) -> str:
    data = ev.data
    if ev.kind == "status":
        return (f"{label('status', str(data.get('from')))} → "
                f"{label('status', str(data.get('to')))}")
    if ev.kind in ("priority", "category"):
        return f"{label(ev.kind, str(data.get('from')))} → {label(ev.kind, str(data.get('to')))}"
    if ev.kind == "assignment":
        return "claimed" if data.get("claimed") else "reassigned"
    if ev.kind == "merge":
        return str(data.get("reference", ""))
    if ev.kind == "link":
        what = {"order": "Order", "invoice": "Invoice", "contract": "Contract",
                "item": "Item"}.get(str(data.get("kind")), "Document")
        return f"{what} {data['number']}" if data.get("number") else what
    if ev.kind == "sla":
        return f"{str(data.get('clock', '')).replace('_', ' ')} target missed"
    return ""


def attachments(d: EnquiryDetail) -> None:
    if not d.attachments:
        return
    st.subheader(f"Attachments ({len(d.attachments)})")
    for a in d.attachments:
        cols = st.columns([4, 1, 1], vertical_alignment="center")
        cols[0].markdown(text.plain(f"{a.filename} · {a.content_type} · "
                                    f"{a.size_bytes / 1024:.0f} KB"))
        with db.session() as s:
            found = enquiry_detail.attachment(session=s, attachment_id=a.id, enquiry_id=d.row.id)
        if found is None:
            continue
        name, mime, content = found
        cols[1].download_button("Download", data=content, file_name=name, mime=mime,
                                key=f"att_{a.id}", on_click="ignore")
        if cols[2].toggle("Preview", key=f"att_preview_{a.id}",
                          disabled=not preview.offered(mime)):
            shown = preview.prepare(content, mime)
            if shown.kind == "pdf":
                st.pdf(shown.data, height=500, key=f"att_pdf_{a.id}")
            elif shown.kind == "image":
                st.image(shown.data)
            else:
                st.info(shown.message)


# --- actions -------------------------------------------------------------------------------

def actions(user: UserInfo, d: EnquiryDetail) -> None:
    reply_tab, note_tab, details_tab, assign_tab, more_tab = st.tabs(
        ["Reply", "Internal note", "Status & details", "Assign", "Link or merge"])
    with reply_tab:
        reply_form(user, d)
    with note_tab, st.form(f"note_{d.row.id}", clear_on_submit=True):
        body = st.text_area("Note (only colleagues see it)", height=120)
        if st.form_submit_button("Add note"):
            _apply(lambda s: workflow.add_note(session=s, enquiry_id=d.row.id, body=body,
                                               by=user, now=db.now()), "Note added.")
    with details_tab:
        details_form(user, d)
    with assign_tab:
        assign_form(user, d)
    with more_tab:
        link_and_merge(user, d)


THEN_LABELS = {"pending_customer": "Wait for the customer (SLA clock paused)",
               "open": "Keep it open", "resolved": "Mark it resolved"}


def reply_form(user: UserInfo, d: EnquiryDetail) -> None:
    """Compose a reply: a canned reply filled from the enquiry, the exact text that will go,
    and Send refused while any {placeholder} is left."""
    with db.session() as s:
        canned = enquiry_detail.canned_replies(session=s, language=d.language,
                                               category=d.row.category)
        values = templates.values_for(session=s, enquiry_id=d.row.id, agent=user)
    template = st.selectbox(
        f"Canned reply ({d.language.upper()})", [None, *canned], key=f"canned_{d.row.id}",
        format_func=lambda c: "— write your own —" if c is None else c.name)
    subject = (templates.render(template.subject, values).text if template
               else f"Re: {d.row.subject}")
    body = templates.render(template.body, values).text if template else ""
    key = f"reply_{d.row.id}_{d.version}_{template.id if template else 0}"
    to = st.text_input("To", value=d.reply_to or "", placeholder="name@company.be",
                       key=f"{key}_to")
    subject = st.text_input("Subject", value=subject, key=f"{key}_subject")
    body = st.text_area("Message", value=body, height=220, key=f"{key}_body")
    then = st.selectbox("Then", tuple(THEN_LABELS), format_func=THEN_LABELS.__getitem__,
                        key=f"{key}_then")
    gaps = templates.holes(subject, body)
    with st.container(border=True):
        st.caption(f"What will be sent — the subject carries [{d.row.reference}] so the "
                   "answer threads back here.")
        st.text(f"To: {to}\nSubject: {subject}\n\n{body}")
    if gaps:
        st.warning("Not ready to send:\n" + "\n".join(
            f"- {text.plain(m)}" for m in templates.hole_messages(gaps)))
    if st.button("Send reply", type="primary", key=f"{key}_send", disabled=bool(gaps)):
        _apply(lambda s: workflow.reply(
            session=s, enquiry_id=d.row.id, to_address=to, subject=subject, body=body,
            by=user, expected_version=d.version, now=db.now(), then_status=then),
            "Reply queued for sending.")


def details_form(user: UserInfo, d: EnquiryDetail) -> None:
    r = d.row
    with st.form(f"details_{r.id}_{d.version}"):
        cols = st.columns(3)
        targets = [r.status, *workflow.TRANSITIONS[r.status]]
        status = cols[0].selectbox("Status", targets, format_func=lambda v: label("status", v))
        priority = cols[1].selectbox("Priority", PRIORITIES, index=PRIORITIES.index(r.priority),
                                     format_func=lambda v: label("priority", v))
        category = cols[2].selectbox("Category", CATEGORIES,
                                     index=CATEGORIES.index(r.category),
                                     format_func=CATEGORY_LABELS.__getitem__)
        note = st.text_input("Why (optional, kept with the status change)")
        if st.form_submit_button("Save", type="primary"):
            unchanged = (status, priority, category) == (r.status, r.priority, r.category)
            _apply(lambda s: _save_details(s, user, d, status, priority, category, note),
                   "Nothing changed: status, priority and category are as they were."
                   if unchanged else "Saved.")


def _save_details(s: Any, user: UserInfo, d: EnquiryDetail, status: str, priority: str,
                  category: str, note: str) -> None:
    # Refused when the enquiry moved on since this page was opened, even if the choices
    # now equal what is stored: they were made against what the rep saw then.
    workflow.load_for_change(s, d.row.id, d.version)
    version = d.version
    now = db.now()
    if priority != d.row.priority:
        version = workflow.set_priority(session=s, enquiry_id=d.row.id, priority=priority,
                                        by=user, expected_version=version, now=now).version
    if category != d.row.category:
        version = workflow.set_category(session=s, enquiry_id=d.row.id, category=category,
                                        by=user, expected_version=version, now=now).version
    if status != d.row.status:
        workflow.change_status(session=s, enquiry_id=d.row.id, to=status, by=user,
                               expected_version=version, now=now, note=note)


def assign_form(user: UserInfo, d: EnquiryDetail) -> None:
    may_take = d.assignee_id != user.id and (d.assignee_id is None or user.has_role("lead"))
    if may_take and st.button("Take it", key=f"take_{d.row.id}", type="primary"):
        _apply(lambda s: workflow.assign(session=s, enquiry_id=d.row.id,
                                         assignee_id=user.id, by=user,
                                         expected_version=d.version, now=db.now()),
               "It is yours.")
    release = d.assignee_id == user.id
    if release and st.button("Give back to the queue", key=f"release_{d.row.id}"):
        _apply(lambda s: workflow.assign(session=s, enquiry_id=d.row.id, assignee_id=None,
                                         by=user, expected_version=d.version, now=db.now()),
               "Back in the queue.")
    if not user.has_role("lead"):
        if d.assignee_id not in (None, user.id):
            st.caption(f"{text.plain(d.assignee)} holds this enquiry; a team lead can reassign it.")
        return
    with db.session() as s:
        people = queue.colleagues(session=s)
    with st.form(f"reassign_{d.row.id}_{d.version}"):
        person = st.selectbox("Reassign to", people, index=None, placeholder="Choose someone",
                              format_func=lambda p: f"{p.name} ({p.team or 'no team'}, "
                              f"{p.open_enquiries} open)")
        if st.form_submit_button("Reassign"):
            _apply(lambda s: workflow.assign(
                session=s, enquiry_id=d.row.id, assignee_id=person.id if person else None,
                by=user, expected_version=d.version, now=db.now()), "Reassigned.")


def link_and_merge(user: UserInfo, d: EnquiryDetail) -> None:
    with st.form(f"link_{d.row.id}_{d.version}"):
        number = st.text_input("Link a document (order, invoice, contract or serial number)")
        if st.form_submit_button("Link"):
            with db.session() as s:
                hits = [h for h in search_service.search(session=s, query=number)
                        if h.document_kind in ("order", "invoice", "contract", "item")]
            if not hits:
                st.error(f"No order, invoice, contract or item “{text.plain(number)}”.")
            else:
                hit = hits[0]
                _apply(lambda s: workflow.link_document(
                    session=s, enquiry_id=d.row.id, kind=str(hit.document_kind),
                    document_id=int(hit.document_id or 0), by=user,
                    expected_version=d.version, now=db.now()), f"Linked {hit.detail}.")
    with db.session() as s:
        candidates = enquiries.likely_duplicates(session=s, enquiry_id=d.row.id, now=db.now())
    with st.form(f"merge_{d.row.id}_{d.version}"):
        suggested = st.selectbox(
            "Likely duplicates (same customer or sender, last 14 days)", candidates,
            index=None, key=f"merge_pick_{d.row.id}",
            format_func=lambda r: (f"{r.reference} · {label('status', r.status)} · "
                                   f"{when(r.created_at)} · {text.plain(r.subject)}"),
            placeholder="Pick one" if candidates else "No likely duplicates")
        typed = st.text_input("or merge into (reference)", placeholder="ENQ-2026-000123")
        st.caption("This enquiry is closed as a duplicate; both keep their history.")
        if st.form_submit_button("Merge"):
            target = typed.strip() or (suggested.reference if suggested else "")
            with db.session() as s:
                target_id = (enquiry_detail.find_id(session=s, reference=target)
                             if target else None)
            if not target:
                st.error("Pick a likely duplicate or type the reference to merge into.")
            elif target_id is None:
                st.error(f"No enquiry “{text.plain(target)}”.")
            else:
                _apply(lambda s: workflow.merge(session=s, source_id=d.row.id,
                                                target_id=target_id, by=user,
                                                expected_version=d.version, now=db.now()),
                       f"Merged into {target.strip().upper()}.")


def _apply(change: Callable[[Any], object], done: str) -> None:
    try:
        with db.session() as s:
            change(s)
    except (ValueError, RuntimeError) as exc:
        widgets.show_problems(exc)
    else:
        for key in [k for k in st.session_state if str(k).startswith(state.SEEN_VERSION)]:
            del st.session_state[key]  # our own change: the fresh version is the one seen
        st.session_state[state.FLASH] = done
        st.rerun()
