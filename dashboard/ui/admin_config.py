"""Admin pages for the SLA policies, the business calendar and the settings: the forms, and
the "work the due times out again" panel both the policy and the calendar pages offer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import streamlit as st

from dashboard import labels
from dashboard.business_calendar import WEEKDAY_NAMES, BusinessCalendar
from dashboard.formatting import count, day, duration_minutes, when_short
from dashboard.services import calendar as calendar_service
from dashboard.services import settings as settings_service
from dashboard.services import sla, sla_admin
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.sla_admin import Policy, Preview
from dashboard.services.users import UserInfo
from dashboard.ui import db, state, text, widgets
from db.models import CHANNELS, PRIORITIES, SEGMENTS

ANY = ""
MOVES_SHOWN = 50


def refused(exc: Exception) -> None:
    """A refused save: the problems, or who changed it in between."""
    if isinstance(exc, StaleEditError):
        st.error(f"Not saved: {text.plain(exc)}")
    else:
        widgets.show_problems(exc)


def seen(form: str, version: int) -> int:
    """The version the person saw when the form was first shown (not the one re-read on
    each rerun), so a change saved by someone else in between is refused."""
    return int(st.session_state.setdefault(f"{state.SEEN_SETTING}_{form}", version))


def forget(form: str) -> None:
    st.session_state.pop(f"{state.SEEN_SETTING}_{form}", None)


# --- recompute ------------------------------------------------------------------------------

def moves_table(preview: Preview) -> None:
    if not preview.moves:
        return
    shown = preview.moves[:MOVES_SHOWN]
    widgets.table(pd.DataFrame([{
        "Enquiry": m.reference, "Subject": m.subject,
        "SLA state": sla.LABELS[m.state_before] if m.state_before == m.state_after
        else f"{sla.LABELS[m.state_before]} → {sla.LABELS[m.state_after]}",
        "Policy": m.policy_after or "— (no SLA)",
        "First response due": _moved(m.first_response_due_before, m.first_response_due_after),
        "Resolution due": _moved(m.resolution_due_before, m.resolution_due_after),
    } for m in shown]))
    if len(preview.moves) > MOVES_SHOWN:
        st.caption(f"The first {MOVES_SHOWN} of {count(len(preview.moves))} shown.")


def _moved(before: datetime | None, after: datetime | None) -> str:
    if before == after:
        return when_short(after) or "—"
    return f"{when_short(before) or '—'} → {when_short(after) or '—'}"


def preview_summary(preview: Preview) -> None:
    cols = st.columns(5)
    cols[0].metric("Open enquiries checked", count(preview.checked))
    cols[1].metric("Due times move", count(len(preview.moves)))
    cols[2].metric("Become at risk", count(preview.becoming(sla.AT_RISK)))
    cols[3].metric("Become breached", count(preview.becoming(sla.BREACHED)))
    cols[4].metric("No longer at risk or breached",
                   count(preview.leaving(sla.AT_RISK) + preview.leaving(sla.BREACHED)))


def recompute_panel(user: UserInfo, key: str, reason: str) -> None:
    """Offer to work the open enquiries' due times out again with what is saved now: a
    preview first (nothing written), then one transaction."""
    st.subheader("Due times of open enquiries")
    st.caption("Open enquiries keep the due times worked out when they arrived. After a change "
               "to the policies or the calendar, work them out again: preview first, then "
               "apply (one change, recorded in the audit log).")
    if st.button("Preview the new due times", key=f"{key}_preview"):
        with db.session() as s:
            st.session_state[state.RECOMPUTE_PREVIEW] = (
                key, sla_admin.preview(session=s, now=db.now()))
    held = st.session_state.get(state.RECOMPUTE_PREVIEW)
    if not held or held[0] != key:
        return
    preview: Preview = held[1]
    preview_summary(preview)
    moves_table(preview)
    if not preview.moves:
        st.success("Every open enquiry's due times already follow the saved policies and "
                   "calendar.")
        return
    if st.button(f"Apply to {count(len(preview.moves))} enquiries", key=f"{key}_apply",
                 type="primary"):
        try:
            with db.session() as s:
                done = sla_admin.recompute(session=s, now=db.now(), by=user, reason=reason)
        except (StaleEditError, ValidationError) as exc:
            refused(exc)
            return
        st.session_state.pop(state.RECOMPUTE_PREVIEW, None)
        st.session_state[state.FLASH] = (f"Due times worked out again for "
                                         f"{count(len(done.moves))} enquiries")
        st.rerun()


# --- SLA policies ---------------------------------------------------------------------------

def policies_table(policies: list[Policy], open_now: dict[int, int], default: int) -> None:
    if not policies:
        st.info("No policies yet: new enquiries get no SLA clock until one covers their "
                "priority. Start with Normal below, then the other priorities.")
        return
    widgets.table(pd.DataFrame([{
        "Policy": p.name, "Priority": labels.label("priority", p.priority),
        "Channel": labels.label("channel", p.channel) if p.channel else "Any",
        "Segment": labels.label("segment", p.segment) if p.segment else "Any",
        "First response": duration_minutes(p.first_response_minutes),
        "Resolution": duration_minutes(p.resolution_minutes),
        "At risk under": (f"{p.at_risk_percent} %" if p.at_risk_percent is not None
                          else f"{default} % (default)"),
        "Open enquiries": open_now.get(p.id or 0, 0),
        "Active": p.is_active,
    } for p in policies]))


def _pick(options: tuple[str, ...], current: str | None, kind: str, key: str,
          label: str) -> str | None:
    choices = (ANY, *options)
    picked = st.selectbox(label, choices, index=choices.index(current or ANY), key=key,
                          format_func=lambda v: f"Any {kind}" if v == ANY
                          else labels.label(kind, v))
    return picked or None


def policy_form(policy: Policy, key: str, default_percent: int) -> tuple[Policy, str] | None:
    """The policy as edited, and which button was pressed ("preview" or "save")."""
    with st.form(key):
        name = st.text_input("Name", value=policy.name, max_chars=80)
        cols = st.columns(3)
        with cols[0]:
            priority = st.selectbox("Priority", PRIORITIES,
                                    index=PRIORITIES.index(policy.priority),
                                    format_func=lambda v: labels.label("priority", v))
        with cols[1]:
            channel = _pick(CHANNELS, policy.channel, "channel", f"{key}_channel", "Channel")
        with cols[2]:
            segment = _pick(SEGMENTS, policy.segment, "segment", f"{key}_segment",
                            "Customer segment")
        cols = st.columns(3)
        first = cols[0].number_input("First response within (business minutes)", step=15,
                                     value=policy.first_response_minutes, format="%d")
        resolution = cols[1].number_input("Resolution within (business minutes)", step=30,
                                          value=policy.resolution_minutes, format="%d")
        own = cols[2].number_input(
            "At risk under this share left (%)", step=5, value=policy.at_risk_percent,
            format="%d", placeholder=f"{default_percent} (default)",
            help="Empty: the default on the settings page.")
        active = st.checkbox("Active", value=policy.is_active)
        buttons = st.columns([1, 1, 4])
        previewed = buttons[0].form_submit_button("Preview")
        saved = buttons[1].form_submit_button("Save", type="primary")
    if not (previewed or saved):
        return None
    edited = replace(policy, name=name, priority=priority, channel=channel, segment=segment,
                     first_response_minutes=int(first), resolution_minutes=int(resolution),
                     at_risk_percent=None if own is None else int(own), is_active=active)
    return edited, "save" if saved else "preview"


def policy_preview(policy: Policy) -> None:
    """Which open enquiries the edit (not saved yet) would move, and how."""
    try:
        with db.session() as s:
            checked = sla_admin.check(session=s, policy=policy)
            preview = sla_admin.effect_of(session=s, now=db.now(), policy=checked)
    except ValidationError as exc:
        refused(exc)
        return
    st.markdown("**This change, once saved and applied, would move:**")
    preview_summary(preview)
    moves_table(preview)


# --- the business calendar ------------------------------------------------------------------

def _hhmm(value: object) -> str:
    return value.strftime("%H:%M") if hasattr(value, "strftime") else ""


def calendar_form(calendar: BusinessCalendar) -> BusinessCalendar | None:
    """Opening hours, time zone and holiday country; the parsed calendar when saved."""
    with st.form("calendar_hours"):
        widths = [2, 1, 2, 2]
        for col, title in zip(st.columns(widths), ("**Weekday**", "**Open**", "**Opens**",
                                                    "**Closes**"), strict=True):
            col.markdown(title)
        rows: list[tuple[str, str] | None] = []
        for index, name in enumerate(WEEKDAY_NAMES):
            hours = calendar.hours[index]
            cols = st.columns(widths, vertical_alignment="center")
            cols[0].markdown(name)
            is_open = cols[1].checkbox(f"{name} open", value=hours is not None,
                                       key=f"cal_open_{index}", label_visibility="collapsed")
            opens = cols[2].text_input(f"{name} opens", max_chars=5, key=f"cal_opens_{index}",
                                       value=_hhmm(hours[0]) if hours else "08:30",
                                       label_visibility="collapsed")
            closes = cols[3].text_input(f"{name} closes", max_chars=5,
                                        key=f"cal_closes_{index}",
                                        value=_hhmm(hours[1]) if hours else "17:00",
                                        label_visibility="collapsed")
            rows.append((opens, closes) if is_open else None)
        where = st.columns(2)
        zones = calendar_service.time_zones()
        zone = where[0].selectbox("Time zone", zones, index=zones.index(calendar.time_zone)
                                 if calendar.time_zone in zones else None)
        countries = ("", *calendar_service.holiday_countries())
        country = where[1].selectbox(
            "Public holidays of", countries,
            index=countries.index(calendar.holiday_country)
            if calendar.holiday_country in countries else 0,
            format_func=lambda c: c or "No public holidays")
        if not st.form_submit_button("Save the calendar", type="primary"):
            return None
    return calendar_service.parse(hours=rows, time_zone=zone or "", holiday_country=country,
                                  closures=calendar.closures)


def upcoming_days_off(calendar: BusinessCalendar, today: date,
                      closures: list[calendar_service.Closure], days: int = 120
                      ) -> pd.DataFrame:
    names = {c.day: c.name for c in closures}
    return pd.DataFrame([{"Day": day(d), "Weekday": WEEKDAY_NAMES[d.weekday()], "Why": why}
                         for d, why in calendar_service.days_off(calendar, today, days,
                                                                 names)],
                        columns=["Day", "Weekday", "Why"])


def settings_number(label: str, value: int, key: str) -> int:
    return int(st.number_input(label, value=value, step=1, format="%d", key=key))


def _clock_minutes(minutes: int) -> str:
    """Wall-clock minutes (not business ones): '5 min', '2 h', '1 h 30 min'."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def retry_example(retry: settings_service.OutboxRetry) -> str:
    waits = [retry.delay(n) for n in range(1, retry.max_attempts)]
    words = ", ".join(_clock_minutes(int(w.total_seconds() // 60)) for w in waits)
    return (f"A failing e-mail is tried {retry.max_attempts} times"
            + (f", waiting {words} in between." if words else "."))
