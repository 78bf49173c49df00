"""Admin pages for people: accounts (create, edit, deactivate, temporary passwords) and teams
(members, lead, routing). Each form edits over the version it was opened on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import pandas as pd
import streamlit as st

from dashboard import labels
from dashboard.formatting import number, when
from dashboard.services import teams, users
from dashboard.services.errors import StaleEditError
from dashboard.services.teams import Person, TeamRow
from dashboard.services.users import UserInfo, UserRow
from dashboard.ui import db, state, text, widgets
from db.models import CATEGORIES, LANGUAGES, ROLES

NO_TEAM = "No team"
NOBODY = 0  # "no team" / "no lead" in a selectbox: a None option reads as no choice at all


# --- shared ------------------------------------------------------------------------------

def _seen(prefix: str, entity_id: int, version: int) -> int:
    """The version this admin opened the form on; forms of other rows are forgotten."""
    key = f"{prefix}_{entity_id}"
    for other in [k for k in st.session_state if str(k).startswith(prefix + "_") and k != key]:
        del st.session_state[other]
    return int(st.session_state.setdefault(key, version))


def _stale_warning(prefix: str, entity_id: int, version: int, seen: int,
                   message: Callable[[], str]) -> None:
    if seen == version:
        return
    cols = st.columns([5, 1], vertical_alignment="center")
    cols[0].warning(text.plain(message().replace(
        "— reload.", "since you opened it: reload to see the change before editing.")))
    if cols[1].button("Reload", key=f"reload_{prefix}", type="primary"):
        st.session_state.pop(f"{prefix}_{entity_id}", None)
        st.rerun()


def _save(change: Callable[[Any], object], done: str, prefix: str,
          after: Callable[[object], None] | None = None) -> None:
    """Run ``change`` in one transaction; say what is wrong, or confirm and rerun."""
    try:
        with db.session() as s:
            result = change(s)
    except StaleEditError as exc:
        st.error(f"Not saved: {text.plain(exc)}")
    except (ValueError, LookupError) as exc:
        widgets.show_problems(exc)
    else:
        for key in [k for k in st.session_state if str(k).startswith(prefix + "_")]:
            del st.session_state[key]  # our own change: the fresh version is the one seen
        st.session_state[state.FLASH] = done
        if after is not None:  # may say more than ``done``
            after(result)
        st.rerun()


def _team_name(options: dict[int, str]) -> Callable[[int], str]:
    return lambda team_id: options.get(team_id, NO_TEAM)


# --- users -------------------------------------------------------------------------------

def temporary_password_notice() -> None:
    """The temporary password the last create or reset made, shown this once only."""
    handed = st.session_state.pop(state.ADMIN_TEMPORARY_PASSWORD, None)
    if not handed:
        return
    name, username, password = handed
    with st.container(border=True):
        st.success(f"Temporary password for **{text.plain(name)}** (signs in as "
                   f"{text.plain(username)}). It is shown only this once: pass it on now. "
                   f"It signs in for {users.TEMPORARY_VALID.days} days; at the first sign-in "
                   "they choose their own password.")
        st.code(password, language=None)


def user_status(u: UserRow, now: datetime) -> str:
    if not u.is_active:
        return "Deactivated"
    if u.locked_until and u.locked_until > now:
        return f"Waits until {when(u.locked_until)}"
    if u.must_change_password:
        if u.temporary_expires_at is not None and u.temporary_expires_at <= now:
            return "Temporary password expired: reset it"
        if u.temporary_expires_at is not None:
            return f"Temporary password until {when(u.temporary_expires_at)}"
        return "Temporary password"
    return "Active"


def users_table(accounts: list[UserRow], now: datetime) -> int | None:
    """All accounts; returns the id of the one picked for editing."""
    frame = pd.DataFrame([
        {"Name": u.full_name, "Username": u.username, "Role": labels.label("role", u.role),
         "Team": (f"{u.team} · team lead" if u.is_team_lead else u.team) if u.team else "—",
         "Language": labels.label("language", u.language),
         "Status": user_status(u, now), "Last sign-in": when(u.last_login_at),
         "E-mail": u.email}
        for u in accounts
    ], columns=["Name", "Username", "Role", "Team", "Language", "Status", "Last sign-in",
                "E-mail"])
    # A sign before the words, not a styled cell (no pandas Styler on tables people wait for).
    marked = widgets.marked(frame, "Status", lambda v: "⚪" if v == "Deactivated"
                            else "🟠" if str(v).startswith(("Waits", "Temp")) else "")
    return widgets.selectable(marked, "admin_users_table", [u.id for u in accounts],
                              Language=st.column_config.TextColumn(width="small"))


def new_user_form(admin: UserInfo, team_options: dict[int, str]) -> None:
    with st.expander("New user"), st.form("admin_new_user", border=False):
        cols = st.columns(2)
        full_name = cols[0].text_input("Full name", key="admin_new_name")
        username = cols[1].text_input("Username", key="admin_new_username",
                                      help="Letters, digits, dots and hyphens, e.g. "
                                           "lena.schmit. What the person types to sign in.")
        email = cols[0].text_input("E-mail", key="admin_new_email")
        role = cols[1].selectbox("Role", ROLES, format_func=lambda r: labels.label("role", r),
                                 key="admin_new_role")
        team_id = cols[0].selectbox("Team", list(team_options), key="admin_new_team",
                                    format_func=_team_name(team_options))
        language = cols[1].selectbox("Language", LANGUAGES, index=LANGUAGES.index("en"),
                                     format_func=lambda c: labels.label("language", c),
                                     key="admin_new_language")
        st.caption("The account gets a one-time temporary password, shown once after "
                   "saving; the person chooses their own at the first sign-in.")
        if st.form_submit_button("Create user", type="primary"):
            def create(s: Any) -> tuple[UserInfo, str]:
                return users.create_with_temporary_password(
                    session=s, username=username, full_name=full_name, email=email,
                    role=role, language=language, team_id=team_id or None, by=admin)

            def hand_over(result: object) -> None:
                info, password = cast(tuple[UserInfo, str], result)
                st.session_state[state.ADMIN_TEMPORARY_PASSWORD] = (
                    info.full_name, info.username, password)
                for key in ("admin_new_name", "admin_new_username", "admin_new_email"):
                    st.session_state.pop(key, None)

            _save(create, f"{full_name.strip()} can now sign in", state.ADMIN_USER_SEEN,
                  hand_over)


def edit_user(admin: UserInfo, u: UserRow, team_options: dict[int, str]) -> None:
    """The picked account: its details, and deactivate / reactivate / reset password."""
    seen = _seen(state.ADMIN_USER_SEEN, u.id, u.version)

    def stale() -> str:
        with db.session() as s:
            return users.stale_message(s, u.id)

    with st.container(border=True):
        st.markdown(f"**{text.plain(u.full_name)}** · signs in as {text.plain(u.username)}"
                    + ("" if u.is_active else " · **deactivated**"))
        _stale_warning(state.ADMIN_USER_SEEN, u.id, u.version, seen, stale)
        key = f"admin_user_{u.id}_{seen}"
        with st.form(key, border=False):
            cols = st.columns([3, 3, 2.5, 2.5, 2])
            full_name = cols[0].text_input("Full name", u.full_name, key=f"{key}_name")
            email = cols[1].text_input("E-mail", u.email, key=f"{key}_email")
            role = cols[2].selectbox("Role", ROLES, index=ROLES.index(u.role),
                                     format_func=lambda r: labels.label("role", r),
                                     key=f"{key}_role")
            teams_ = list(team_options)
            team_id = cols[3].selectbox("Team", teams_, key=f"{key}_team",
                                        index=teams_.index(u.team_id or NOBODY)
                                        if (u.team_id or NOBODY) in teams_ else 0,
                                        format_func=_team_name(team_options))
            language = cols[4].selectbox("Language", LANGUAGES,
                                         index=LANGUAGES.index(u.language),
                                         format_func=lambda c: labels.label("language", c),
                                         key=f"{key}_language")
            saved = st.form_submit_button("Save changes", type="primary")
        if saved:
            _save(lambda s: users.update_user(
                session=s, user_id=u.id, version=seen, full_name=full_name, email=email,
                role=role, language=language, team_id=team_id or None, by=admin,
                now=db.now()),
                f"{u.username} saved", state.ADMIN_USER_SEEN)
        cols = st.columns([2, 2, 5], vertical_alignment="center")
        if u.is_active:
            if cols[0].button("Deactivate", key=f"admin_deactivate_{u.id}", width="stretch",
                              help="They cannot sign in any more; a session they have open "
                                   "ends at their next click. Reversible."):
                _save(lambda s: users.set_active(session=s, user_id=u.id, active=False,
                                                 by=admin, version=seen, now=db.now()),
                      f"{u.username} deactivated", state.ADMIN_USER_SEEN)
            if cols[1].button("Reset password", key=f"admin_reset_{u.id}", width="stretch",
                              help="A one-time temporary password, shown to you once; they "
                                   "must choose a new one when they sign in with it. Their "
                                   "open sessions end."):
                def handed(password: object) -> None:
                    st.session_state[state.ADMIN_TEMPORARY_PASSWORD] = (
                        u.full_name, u.username, str(password))

                _save(lambda s: users.reset_password(session=s, user_id=u.id, by=admin,
                                                     version=seen, now=db.now()),
                      f"{u.username} has a temporary password", state.ADMIN_USER_SEEN,
                      handed)
            cols[2].caption("A new role or a deactivation signs the person out everywhere.")
        elif cols[0].button("Reactivate", key=f"admin_reactivate_{u.id}", width="stretch",
                            type="primary"):
            _save(lambda s: users.set_active(session=s, user_id=u.id, active=True, by=admin,
                                             version=seen, now=db.now()),
                  f"{u.username} reactivated", state.ADMIN_USER_SEEN)


def waits(admin: UserInfo, accounts: list[UserRow], now: datetime, hint: str) -> None:
    """Accounts made to wait after failed sign-ins, each with "Lift the wait"."""
    locked = [u for u in accounts if u.locked_until and u.locked_until > now]
    if not locked:
        return
    st.subheader("Accounts made to wait")
    st.caption("Failed sign-ins from browsers the account has not used make the next ones "
               "wait. The person's own browser is not held back. " + hint)
    for u in locked:
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].markdown(f"**{text.plain(u.full_name)}** ({text.plain(u.username)}) — waits "
                         f"until {when(u.locked_until)}")
        if cols[1].button("Lift the wait", key=f"unlock_{u.id}"):
            with db.session() as s:
                users.unlock(session=s, user_id=u.id, by=admin)
            st.session_state[state.FLASH] = f"{u.username} can sign in again"
            st.rerun()


# --- teams -------------------------------------------------------------------------------

def _person(everyone: dict[int, Person], team_names: dict[int | None, str], team_id: int
            ) -> Callable[[int], str]:
    """A name, and where they are now when that is another team."""
    def shown(person_id: int) -> str:
        p = everyone[person_id]
        notes = [f"in {team_names[p.team_id]}"] if p.team_id not in (None, team_id) else []
        notes += [] if p.is_active else ["deactivated"]
        return p.full_name + (f" ({', '.join(notes)})" if notes else "")
    return shown


def teams_table(rows: list[TeamRow]) -> int | None:
    frame = pd.DataFrame([
        {"Team": t.name + (" (retired)" if t.retired_at else ""), "Lead": t.lead_name or "—",
         "Members": number(sum(1 for m in t.members if m.is_active)),
         "Categories routed here": ", ".join(labels.label("category", c)
                                             for c in t.categories) or "—",
         "Languages preferred": ", ".join(labels.label("language", c)
                                          for c in t.languages) or "—"}
        for t in rows
    ], columns=["Team", "Lead", "Members", "Categories routed here", "Languages preferred"])
    return widgets.selectable(frame, "admin_teams_table", [t.id for t in rows],
                              Members=st.column_config.TextColumn(alignment="right"))


ROUTING_NOTE = ("A new enquiry goes to the team whose categories include its category, "
                "preferring one that speaks the customer's language; \"Claim next\" takes "
                "from the claimer's team.")


def routing_gaps(unrouted: list[str]) -> None:
    if unrouted:
        st.warning("No team answers " + ", ".join(labels.label("category", c)
                                                   for c in unrouted)
                   + ": new enquiries of these go to no team's queue until a team takes them.")


def new_team_form(admin: UserInfo) -> None:
    with st.expander("New team"), st.form("admin_new_team", border=False):
        name = st.text_input("Name", key="admin_new_team_name")
        cols = st.columns(2)
        categories = cols[0].multiselect("Categories routed here", CATEGORIES,
                                         format_func=lambda c: labels.label("category", c),
                                         key="admin_new_team_categories")
        languages = cols[1].multiselect("Languages preferred", LANGUAGES,
                                        format_func=lambda c: labels.label("language", c),
                                        key="admin_new_team_languages")
        st.caption("Members and the lead are chosen once the team exists.")
        if st.form_submit_button("Create team", type="primary"):
            def forget(_: object) -> None:
                for key in ("admin_new_team_name", "admin_new_team_categories",
                            "admin_new_team_languages"):
                    st.session_state.pop(key, None)

            _save(lambda s: teams.create_team(session=s, name=name, categories=categories,
                                              languages=languages, by=admin),
                  f"Team {name.strip()} created", state.ADMIN_TEAM_SEEN, forget)


def retired_team(admin: UserInfo, t: TeamRow) -> None:
    """A retired team: when, and the way back."""
    seen = _seen(state.ADMIN_TEAM_SEEN, t.id, t.version)
    with st.container(border=True):
        st.markdown(f"**{text.plain(t.name)}** · retired on {when(t.retired_at)}")
        st.caption("It routes nothing and takes no members; its past enquiries keep its "
                   "name. Reinstated, it routes its categories again from then on.")
        if st.button("Reinstate team", key=f"admin_team_{t.id}_reinstate"):
            _save(lambda s: teams.reinstate_team(session=s, team_id=t.id, version=seen,
                                                 by=admin),
                  f"Team {t.name} reinstated", state.ADMIN_TEAM_SEEN)


def _drop_retiring() -> None:
    st.session_state.pop(state.ADMIN_TEAM_RETIRING, None)


@st.dialog("Retire team", on_dismiss=_drop_retiring)
def _confirm_retire(admin: UserInfo, t: TeamRow, seen: int) -> None:
    st.markdown(f"Retire **{text.plain(t.name)}**? It routes nothing from now on; its open "
                "enquiries go to the teams that answer their category, or to no team's "
                "queue. Its past enquiries keep its name, and it can be reinstated.")
    left, right = st.columns(2)
    if left.button("Retire team", type="primary", key=f"admin_team_{t.id}_retire_yes"):
        _drop_retiring()

        def moved_note(count: object) -> None:
            st.session_state[state.FLASH] = (f"Team {t.name} retired; {number(count)} open "
                                             "enquiries moved")  # type: ignore[arg-type]
        _save(lambda s: teams.retire_team(session=s, team_id=t.id, version=seen, by=admin,
                                          now=db.now()),
              f"Team {t.name} retired", state.ADMIN_TEAM_SEEN, moved_note)
    if right.button("Keep it", key=f"admin_team_{t.id}_retire_no"):
        _drop_retiring()
        st.rerun()


def edit_team(admin: UserInfo, t: TeamRow, everyone: list[Person],
              team_names: dict[int | None, str]) -> None:
    if t.retired_at is not None:
        retired_team(admin, t)
        return
    seen = _seen(state.ADMIN_TEAM_SEEN, t.id, t.version)

    def stale() -> str:
        with db.session() as s:
            return teams.stale_message(s, t.id)

    by_id = {p.id: p for p in everyone}
    current = [m.id for m in t.members]
    # Members to choose from: everyone active, and whoever is in the team now.
    choices = [p.id for p in everyone if p.is_active or p.id in current]
    shown = _person(by_id, team_names, t.id)
    with st.container(border=True):
        st.markdown(f"**{text.plain(t.name)}** · {text.plain(teams.describe_routing(t))}")
        _stale_warning(state.ADMIN_TEAM_SEEN, t.id, t.version, seen, stale)
        key = f"admin_team_{t.id}_{seen}"
        with st.form(key, border=False):
            cols = st.columns([3, 3, 5])
            name = cols[0].text_input("Name", t.name, key=f"{key}_name")
            lead_options = [NOBODY, *choices]
            lead = cols[1].selectbox(
                "Lead", lead_options, key=f"{key}_lead",
                index=lead_options.index(t.lead_id) if t.lead_id in lead_options else 0,
                format_func=lambda i: "No lead" if i == NOBODY else by_id[i].full_name,
                help="A member with the team lead or administrator role.")
            languages = cols[2].multiselect(
                "Languages preferred", LANGUAGES, default=list(t.languages),
                format_func=lambda c: labels.label("language", c), key=f"{key}_languages")
            categories = st.multiselect(
                "Categories routed here", CATEGORIES, default=list(t.categories),
                format_func=lambda c: labels.label("category", c), key=f"{key}_categories")
            members = st.multiselect(
                "Members", choices, default=current, format_func=shown, key=f"{key}_members",
                help="Someone added here leaves the team they were in.")
            saved = st.form_submit_button("Save team", type="primary")
        if st.button("Retire team…", key=f"admin_team_{t.id}_retire",
                     disabled=any(m.is_active for m in t.members),
                     help="For a team that is no longer needed. Move its members to other "
                          "teams first."):
            st.session_state[state.ADMIN_TEAM_RETIRING] = t.id
        if st.session_state.get(state.ADMIN_TEAM_RETIRING) == t.id:
            _confirm_retire(admin, t, seen)
        if saved:
            _save(lambda s: teams.update_team(
                session=s, team_id=t.id, version=seen, name=name, categories=categories,
                languages=languages, member_ids=members, lead_id=lead or None, by=admin),
                f"Team {name.strip()} saved", state.ADMIN_TEAM_SEEN)
