"""The content side of administration: canned replies, intake settings, the outbox and the
audit log. Each page function reads its widgets, calls the services and renders."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.business_calendar import BRUSSELS
from dashboard.formatting import count, when
from dashboard.intake import trial
from dashboard.labels import LANGUAGE_LABELS, NONE, entity_label, field_label, label
from dashboard.services import audit, canned_replies, intake_settings, outbox, templates
from dashboard.services.canned_replies import REPLY_LANGUAGES, Reply, ReplyText
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.intake_settings import AUTOMATIC_CHECKS, STRATEGIES, AutomaticMail
from dashboard.services.users import UserInfo
from dashboard.ui import db, state, text, widgets
from db.models import CATEGORIES, OUTBOUND_STATUSES

# --- shared -------------------------------------------------------------------------------


def _period(key: str, days: int) -> tuple[datetime | None, datetime | None]:
    """A date range picked in Brussels days, as UTC bounds [since, until)."""
    today = db.today()
    picked = st.date_input("Period", value=(today - timedelta(days=days), today),
                           key=key, format="DD/MM/YYYY")
    dates = list(picked) if isinstance(picked, tuple | list) else [picked]
    start = dates[0] if dates and isinstance(dates[0], date) else None
    end = dates[-1] if dates and isinstance(dates[-1], date) else None

    def at(d: date | None) -> datetime | None:
        return datetime.combine(d, time(0), BRUSSELS) if d else None

    return at(start), at(end + timedelta(days=1)) if end else None


def _reply_prefix(reply_id: int | str, version: int) -> str:
    return f"canned_{reply_id}_v{version}"


# --- canned replies -----------------------------------------------------------------------

NEW = "new"
PENDING_PICK = f"{state.CANNED_PICK}_next"


def canned_replies_page(user: UserInfo) -> None:
    widgets.show_flash()
    with db.session() as s:
        replies = canned_replies.list_replies(session=s)
    by_id = {r.id: r for r in replies}
    if (pending := st.session_state.pop(PENDING_PICK, None)) is not None:
        st.session_state[state.CANNED_PICK] = pending
    if st.session_state.get(state.CANNED_PICK) not in (NEW, *by_id):
        st.session_state.pop(state.CANNED_PICK, None)
    picked = st.selectbox(
        "Reply", [NEW, *by_id], key=state.CANNED_PICK, index=None,
        placeholder="Choose a reply to edit, or start a new one",
        format_func=lambda rid: "＋ New reply" if rid == NEW else (
            f"{by_id[rid].name}" + ("" if by_id[rid].is_active else " (retired)")))
    if picked is not None:
        with st.container(border=True):
            _reply_editor(user, by_id.get(picked) if isinstance(picked, int) else None)
    st.subheader("All replies")
    st.caption("Retired replies are kept for the history and no longer offered to "
               "representatives.")
    if not replies:
        st.info("No canned replies yet: choose \"New reply\" above to write the first, "
                "in English, French, Dutch and German.")
        return
    widgets.table(pd.DataFrame([{
        "Name": r.name, "Category": label("category", r.category),
        "Offered": "Yes" if r.is_active else "Retired",
        "Languages": " ".join(code.upper() for code in REPLY_LANGUAGES if code in r.texts),
        "Subject (EN)": r.texts["en"].subject if "en" in r.texts else NONE,
    } for r in replies], columns=["Name", "Category", "Offered", "Languages", "Subject (EN)"]))


def _seen_version(reply: Reply) -> int:
    seen: dict[int, int] = st.session_state.setdefault(state.CANNED_SEEN, {})
    return seen.setdefault(reply.id, reply.version)


def _forget(reply_id: int | str) -> None:
    st.session_state.setdefault(state.CANNED_SEEN, {}).pop(reply_id, None)
    for key in [k for k in st.session_state if str(k).startswith(f"canned_{reply_id}_v")]:
        del st.session_state[key]


def _insert(key: str, name: str) -> None:
    current = st.session_state.get(key) or ""
    separator = "" if not current or current.endswith((" ", "\n")) else " "
    st.session_state[key] = f"{current}{separator}{{{name}}}"


def _reply_editor(user: UserInfo, reply: Reply | None) -> None:
    version = _seen_version(reply) if reply else 0
    rid: int | str = reply.id if reply else NEW
    prefix = _reply_prefix(rid, version)
    defaults: dict[str, Any] = {f"{prefix}_name": reply.name if reply else "",
                                f"{prefix}_category": reply.category if reply else None}
    for code in REPLY_LANGUAGES:
        existing = reply.texts.get(code) if reply else None
        defaults[f"{prefix}_subject_{code}"] = existing.subject if existing else ""
        defaults[f"{prefix}_body_{code}"] = existing.body if existing else ""
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)

    if reply is not None and reply.version != version:
        st.warning("Someone saved this reply after you opened it. Reload to see their "
                   "version; saving now is refused.")
    if reply is not None and not reply.is_active:
        st.info("This reply is retired: representatives are not offered it.")
    top = st.columns([3, 2])
    name = top[0].text_input("Name", key=f"{prefix}_name", max_chars=80)
    category = top[1].selectbox("Category", [None, *CATEGORIES], key=f"{prefix}_category",
                                format_func=lambda c: "Any category" if c is None
                                else label("category", c))

    with st.container(border=True):
        st.caption("Placeholders are filled from the enquiry when a representative uses the "
                   "reply. Choose one and where it goes:")
        row = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
        placeholder = row[0].selectbox(
            "Placeholder", list(templates.PLACEHOLDERS), key=f"{prefix}_placeholder",
            format_func=lambda p: f"{{{p}}} — {templates.PLACEHOLDERS[p]}")
        into = row[1].selectbox("Language", REPLY_LANGUAGES, key=f"{prefix}_into",
                                format_func=lambda c: LANGUAGE_LABELS[c])
        part = row[2].selectbox("In", ("body", "subject"), key=f"{prefix}_part",
                                format_func=lambda p: "Text" if p == "body" else "Subject")
        row[3].button("Insert", key=f"{prefix}_insert", on_click=_insert,
                      args=(f"{prefix}_{part}_{into}", placeholder), width="stretch")

    texts: dict[str, ReplyText] = {}
    for code, tab in zip(REPLY_LANGUAGES, st.tabs([LANGUAGE_LABELS[c] for c in
                                                    REPLY_LANGUAGES]), strict=True):
        with tab:
            subject = st.text_input("Subject", key=f"{prefix}_subject_{code}", max_chars=200)
            body = st.text_area("Text", key=f"{prefix}_body_{code}", height=180)
            texts[code] = ReplyText(subject, body)
            unknown = canned_replies.unknown_placeholders(subject, body)
            if unknown:
                st.error("\n".join(
                    f"- {text.plain('{' + u + '}')} is not a placeholder any enquiry can "
                    "fill: choose placeholders from the list." for u in unknown))

    _preview(user, texts, prefix, category)

    buttons = st.columns([1, 1, 1, 3])
    if buttons[0].button("Save reply" if reply else "Create reply", type="primary",
                         key=f"{prefix}_save", width="stretch"):
        _save_reply(user, reply, version, name, category, texts)
    if reply is not None:
        retire = reply.is_active
        if buttons[1].button("Retire" if retire else "Offer again", key=f"{prefix}_retire",
                             width="stretch"):
            _apply(lambda s: canned_replies.set_retired(
                session=s, reply_id=reply.id, expected_version=version, retired=retire,
                by=user), reply.id, reply.id,
                f"“{reply.name}” retired" if retire else f"“{reply.name}” is offered again")
        if buttons[2].button("Reload", key=f"{prefix}_reload", width="stretch"):
            _forget(reply.id)
            st.rerun()


def _preview(user: UserInfo, texts: dict[str, ReplyText], prefix: str,
             category: str | None) -> None:
    st.markdown("**Preview on a real enquiry**")
    with db.session() as s:
        enquiries = canned_replies.preview_enquiries(session=s, category=category)
    if not enquiries:
        st.caption("There are no enquiries yet to preview the reply on.")
        return
    chosen = st.selectbox("Enquiry", enquiries, key=f"{prefix}_preview",
                          format_func=lambda e: e.label)
    if chosen is None:
        return
    with db.session() as s:
        rendered = canned_replies.preview(session=s, texts=texts, enquiry_id=chosen.id,
                                          agent=user)
    language = chosen.language if chosen.language in rendered else "en"
    st.caption(f"In {LANGUAGE_LABELS[language]}, the enquiry's language, as it would be "
               "sent:")
    result = rendered[language]
    st.text(result.text)
    if result.missing:
        st.warning("This enquiry leaves these unfilled — a representative could not send "
                   "the reply until they are:\n" + "\n".join(
                       f"- {text.plain(m)}" for m in templates.hole_messages(result.missing)))


def _save_reply(user: UserInfo, reply: Reply | None, version: int, name: str,
                category: str | None, texts: dict[str, ReplyText]) -> None:
    if reply is None:
        def create(s: Any) -> int:
            return canned_replies.create_reply(session=s, name=name, category=category,
                                               texts=texts, by=user)
        _apply(create, NEW, None, f"“{name.strip()}” created")
    else:
        _apply(lambda s: canned_replies.update_reply(
            session=s, reply_id=reply.id, expected_version=version, name=name,
            category=category, texts=texts, by=user), reply.id, reply.id,
            f"“{name.strip()}” saved")


def _apply(write: Callable[[Any], Any], forget: int | str, pick: int | None,
           done: str) -> None:
    try:
        with db.session() as s:
            result = write(s)
    except (ValidationError, StaleEditError, ValueError) as exc:
        widgets.show_problems(exc)
        return
    _forget(forget)
    st.session_state[PENDING_PICK] = result if isinstance(result, int) else pick
    st.session_state[state.FLASH] = done
    st.rerun()


# --- intake settings ----------------------------------------------------------------------

GATEWAY_COLUMNS = {"name": "Name", "from": "Sender pattern", "subject": "Subject pattern",
                   "body": "Body pattern (optional)"}


def intake_settings_page(user: UserInfo) -> None:
    widgets.show_flash()
    with db.session() as s:
        saved = intake_settings.load_form(session=s)
    seen = st.session_state.setdefault(state.INTAKE_SEEN, saved.version)
    if seen != saved.version:
        st.warning("Someone saved the intake settings after you opened them. Reload to "
                   "see their version; saving now is refused.")
        if st.button("Reload", key="intake_reload"):
            _forget_intake()
            st.rerun()
    k = f"intake_v{seen}"

    st.subheader("Mail in")
    address = st.text_input("Intake address", value=saved.intake_address, key=f"{k}_address",
                            help="Mail to this address becomes enquiries; mail from it is "
                                 "never taken for a customer's.")
    st.subheader("Assignment")
    cols = st.columns([1, 2])
    enabled = cols[0].toggle("Assign new enquiries automatically", value=saved.auto_assign,
                             key=f"{k}_auto")
    strategy = cols[1].radio("How", list(STRATEGIES), format_func=STRATEGIES.__getitem__,
                             index=list(STRATEGIES).index(saved.strategy),
                             key=f"{k}_strategy", disabled=not enabled)
    st.caption("Either way the enquiry goes to the team its category and language route to; "
               "without automatic assignment it waits there, unassigned.")

    st.subheader("Fax gateways")
    st.caption("A message is a fax when its sender and subject match a gateway. Name the "
               "fax number with a group named “number” in the subject or body pattern. "
               "Patterns are regular expressions, matched without regard to case.")
    edited = st.data_editor(
        pd.DataFrame([{GATEWAY_COLUMNS[c]: g.get(c, "") for c in GATEWAY_COLUMNS}
                      for g in saved.fax_gateways], columns=list(GATEWAY_COLUMNS.values())),
        num_rows="dynamic", width="stretch", key=f"{k}_gateways", hide_index=True,
        column_config={v: st.column_config.TextColumn(v, width="medium")
                       for v in GATEWAY_COLUMNS.values()})
    gateways = tuple(
        {c: str(row.get(GATEWAY_COLUMNS[c]) or "") for c in GATEWAY_COLUMNS}
        for row in edited.to_dict("records")
        if any(str(row.get(v) or "").strip() for v in GATEWAY_COLUMNS.values()))
    if not gateways:
        st.warning("No gateway: no message will be taken for a fax.")

    st.subheader("Automatic mail")
    st.caption("Auto-replies, out-of-office notices, bounces and read receipts never become "
               "enquiries and are never answered. A message is automatic when any check "
               "that is on finds it so.")
    checks = {}
    check_cols = st.columns(2)
    for position, (check, words) in enumerate(AUTOMATIC_CHECKS.items()):
        checks[check] = check_cols[position % 2].checkbox(
            words, value=saved.automatic.checks.get(check, True), key=f"{k}_check_{check}")
    lists = st.columns(2)
    subjects = lists[0].text_area(
        "Also automatic: subjects starting with (one per line)",
        value="\n".join(saved.automatic.extra_subjects), key=f"{k}_subjects", height=100,
        help="After Re:/Fwd:, compared without regard to case or accents.")
    senders = lists[1].text_area(
        "Also automatic: senders (one per line)", value="\n".join(saved.automatic.extra_senders),
        key=f"{k}_senders", height=100, help="An address (noreply@portal.be) or the part "
                                              "before the @ (no-reply).")
    note = st.checkbox("When automatic mail answers an enquiry, note it on the enquiry",
                       value=saved.automatic.note_on_enquiry, key=f"{k}_note")
    form = intake_settings.IntakeForm(
        intake_address=address, auto_assign=enabled, strategy=str(strategy),
        fax_gateways=gateways,
        automatic=AutomaticMail(checks=checks,
                                extra_subjects=tuple(subjects.splitlines()),
                                extra_senders=tuple(senders.splitlines()),
                                note_on_enquiry=note),
        version=seen)
    st.caption("The web form files its messages to the intake address above; it has no "
               "settings of its own.")
    if st.button("Save intake settings", type="primary", key=f"{k}_save"):
        try:
            with db.session() as s:
                intake_settings.save(session=s, form=form, by=user)
        except (ValidationError, StaleEditError) as exc:
            widgets.show_problems(exc)
        else:
            _forget_intake()
            st.session_state[state.FLASH] = "Intake settings saved; the next message uses them."
            st.rerun()

    st.subheader("Try a message")
    st.caption("Paste a message with its headers (from your mail program's “show original” "
               "or an .eml file). It is run through intake with the settings above, as "
               "edited, and nothing is stored.")
    pasted = st.text_area("Message", key="intake_try_message", height=160,
                          placeholder="From: …\nSubject: …\n\n…")
    if st.button("Try it", key="intake_try"):
        try:
            with db.session() as s:
                verdict = trial.try_message(s, pasted, form)
        except ValidationError as exc:
            st.error("\n".join(f"- {text.plain(p)}" for p in exc.problems))
        else:
            _show_verdict(verdict)


def _forget_intake() -> None:
    st.session_state.pop(state.INTAKE_SEEN, None)
    for key in [k for k in st.session_state if str(k).startswith("intake_v")]:
        del st.session_state[key]


def _show_verdict(v: Any) -> None:
    with st.container(border=True, key="intake_verdict"):
        if v.fax_gateway:
            st.success(f"A fax, through {text.plain(v.fax_gateway)}, from "
                       f"{text.plain(v.fax_number or 'a number that could not be read')}.")
        elif v.automatic:
            st.info(f"Automatic mail: {text.plain(v.automatic)}. It would not become an "
                    "enquiry.")
        else:
            st.info("An e-mail, not a fax.")
        lines = [("Sender", v.sender), ("Subject", v.subject),
                 ("Contact", v.contact or "none found"),
                 ("Customer", v.customer or "none found"),
                 ("Found by", v.matched_by or NONE)]
        if v.thread_reference:
            lines.append(("Would join", v.thread_reference))
        outcome = {"created": "a new enquiry", "threaded": f"added to {v.thread_reference}",
                   "ignored": "set aside as automatic mail"
                   + (f", noted on {v.thread_reference}" if v.thread_reference else "")}
        lines.append(("Would become", outcome.get(v.result, v.result)))
        if v.result == "created":
            lines += [("Channel", label("channel", v.channel)),
                      ("Category", label("category", v.category)),
                      ("Language", label("language", v.language)),
                      ("Team", v.team or "none (no team routes it)"),
                      ("Links", ", ".join(v.links) or NONE)]
        st.dataframe(pd.DataFrame(lines, columns=["", "What intake would do"]),
                     hide_index=True, width="stretch", height="content",
                     column_config={"": st.column_config.TextColumn(width="small")})


# --- outbox -------------------------------------------------------------------------------

def outbox_page(user: UserInfo) -> None:
    widgets.show_flash()
    cols = st.columns([2, 2, 2])
    statuses = cols[0].multiselect("Status", OUTBOUND_STATUSES, default=["failed"],
                                   key="outbox_status",
                                   format_func=lambda v: label("outbound_status", v))
    with cols[1]:
        since, until = _period("outbox_period", 30)
    recipient = cols[2].text_input("Recipient", key="outbox_recipient",
                                   placeholder="part of the address")
    filters = outbox.OutboxFilter(statuses=tuple(statuses), since=since, until=until,
                                  recipient=recipient)
    with db.session() as s:
        rows, total = outbox.list_outbox(session=s, filters=filters)
    st.caption(f"{count(total)} e-mail(s)" + (f", the newest {count(len(rows))} shown"
                                             if total > len(rows) else ""))
    if not rows:
        st.info("No e-mail matches these filters.")
        return
    detail = st.container()
    picked = widgets.selectable(pd.DataFrame([{
        "Created": when(r.created_at), "To": r.to_address, "Subject": r.subject,
        "Status": label("outbound_status", r.status),
        "Problem": (r.error_in_words or "").split(" (")[0],
        "Attempts": r.attempts, "Kind": label("outbound_kind", r.kind),
        "Enquiry": r.enquiry_reference or NONE,
        "Sent": when(r.sent_at) if r.sent_at else NONE,
    } for r in rows]), "outbox_table", ids=[r.id for r in rows])
    with detail:
        if picked is None:
            st.caption("Select an e-mail to see what went wrong and to send it again or "
                       "cancel it.")
        else:
            _outbox_detail(user, next(r for r in rows if r.id == picked))


def _outbox_detail(user: UserInfo, r: outbox.OutboxRow) -> None:
    with st.container(border=True, key="outbox_detail"):
        st.markdown(f"**{text.plain(r.subject)}** → {text.plain(r.to_address)}")
        st.caption(f"{label('outbound_status', r.status)} · {count(r.attempts)} attempt(s) · "
                   f"created {when(r.created_at)}"
                   + (f" · sent {when(r.sent_at)}" if r.sent_at else "")
                   + (f" · next try {when(r.next_attempt_at)}" if r.status == "queued"
                      and r.next_attempt_at else ""))
        if r.error_in_words:
            st.error(text.plain(r.error_in_words))
        if r.status != "failed":
            return
        cols = st.columns([1, 1, 4])
        if cols[0].button("Send again", type="primary", key=f"outbox_resend_{r.id}"):
            _outbox_write(lambda s: outbox.resend(
                session=s, outbound_message_id=r.id, by_id=user.id,
                by_username=user.username, now=db.now()),
                "Queued again: the sender delivers it on its next run.")
        if cols[1].button("Cancel it", key=f"outbox_cancel_{r.id}"):
            _outbox_write(lambda s: outbox.cancel(
                session=s, outbound_message_id=r.id, by_id=user.id,
                by_username=user.username), "Cancelled: it will not be sent.")


def _outbox_write(write: Callable[[Any], None], done: str) -> None:
    try:
        with db.session() as s:
            write(s)
    except ValueError as exc:
        widgets.show_problems(exc)
        return
    st.session_state[state.FLASH] = done
    st.rerun()


# --- audit log ----------------------------------------------------------------------------

LABELLED_FIELDS = {"category": "category", "status": "status", "priority": "priority",
                   "channel": "channel", "role": "role", "kind": "outbound_kind"}


def shown(field: str, value: Any) -> str:
    """A before/after value as a person reads it."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field in LABELLED_FIELDS and isinstance(value, str):
        return label(LABELLED_FIELDS[field], value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


def audit_page(user: UserInfo) -> None:
    with db.session() as s:
        people, actions, entities = audit.filter_options(session=s)
    names = dict(people)
    row1 = st.columns([2, 2, 1])
    who = row1[0].multiselect("Who", list(names), key="audit_who",
                              format_func=names.__getitem__)
    what = row1[1].multiselect("What", actions, key="audit_what",
                               format_func=lambda a: label("audit", a))
    entity = row1[2].selectbox("Entity", [None, *entities], key="audit_entity",
                               format_func=lambda e: "Any" if e is None else entity_label(e))
    row2 = st.columns([1, 1, 2])
    entity_id = row2[0].number_input("Entity id", min_value=1, value=None, step=1,
                                     key="audit_entity_id")
    number = row2[1].text_input("Customer number", key="audit_customer",
                                placeholder="C100123")
    with row2[2]:
        since, until = _period("audit_period", 7)
    customer_id = None
    if number.strip():
        with db.session() as s:
            customer_id = audit.customer_id_for(session=s, customer_number=number)
        if customer_id is None:
            st.error(f"No customer has the number {text.plain(number.strip())}.")
            return
    filters = audit.AuditFilter(user_ids=tuple(who), actions=tuple(what), entity_type=entity,
                                entity_id=int(entity_id) if entity_id else None,
                                customer_id=customer_id, since=since, until=until)
    with db.session() as s:
        rows, total = audit.search(session=s, filters=filters)
    st.caption(f"{count(total)} change(s)" + (f", the newest {count(len(rows))} shown; the "
                                             "export has them all" if total > len(rows)
                                             else ""))
    widgets.export_buttons("audit_export", "audit-log", lambda: _export(filters))
    if not rows:
        st.info("Nothing was recorded that matches these filters.")
        return
    detail = st.container()
    picked = widgets.selectable(pd.DataFrame([{
        "When": when(r.occurred_at), "Who": r.who, "Username": r.username or NONE,
        "What": label("audit", r.action),
        "Entity": entity_label(r.entity_type) if r.entity_type else NONE,
        "Id": str(r.entity_id) if r.entity_id is not None else NONE,
        "Changed": ", ".join(field_label(c.field) for c in audit.changes(r.before, r.after)
                             if c.before != c.after)[:120] or NONE,
    } for r in rows]), "audit_table", ids=[r.id for r in rows])
    with detail:
        if picked is None:
            st.caption("Select a row to read its before and after.")
        else:
            _audit_detail(next(r for r in rows if r.id == picked))


def _audit_detail(r: audit.AuditRow) -> None:
    with st.container(border=True, key="audit_detail"):
        entity = (f" · {entity_label(r.entity_type)} {r.entity_id}"
                  if r.entity_type and r.entity_id is not None
                  else f" · {entity_label(r.entity_type)}" if r.entity_type else "")
        st.markdown(f"**{text.plain(label('audit', r.action))}** by {text.plain(r.who)}, "
                    f"{when(r.occurred_at)}{text.plain(entity)}")
        diff = audit.changes(r.before, r.after)
        if not diff:
            st.caption("Nothing more was recorded with this event.")
            return
        st.dataframe(pd.DataFrame([{
            "Field": field_label(c.field), "Before": shown(c.field, c.before),
            "After": shown(c.field, c.after),
            "": "changed" if c.before != c.after and r.before is not None else "",
        } for c in diff]), hide_index=True, width="stretch",
            column_config={"Before": st.column_config.TextColumn(width="large"),
                           "After": st.column_config.TextColumn(width="large")})


def _export(filters: audit.AuditFilter) -> pd.DataFrame:
    with db.session() as s:
        rows, _ = audit.search(session=s, filters=filters, limit=audit.EXPORT_LIMIT)
    out = []
    for r in rows:
        base = {"When": when(r.occurred_at), "Who": r.who, "Username": r.username or "",
                "What": label("audit", r.action),
                "Entity": entity_label(r.entity_type) if r.entity_type else "",
                "Id": r.entity_id}
        diff = audit.changes(r.before, r.after) or [audit.Change("", None, None)]
        for c in diff:
            out.append({**base, "Field": field_label(c.field) if c.field else "",
                        "Before": shown(c.field, c.before) if c.field else "",
                        "After": shown(c.field, c.after) if c.field else ""})
    return pd.DataFrame(out, columns=["When", "Who", "Username", "What", "Entity", "Id",
                                      "Field", "Before", "After"])
