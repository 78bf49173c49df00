"""What refreshes by itself: notifications as toasts, and the lists that change under a rep.

Each is a fragment that reruns on its own every ``live_refresh_seconds()`` (30 s unless
``CSOL_LIVE_SECONDS`` says otherwise), so only that part of the page is rebuilt.
"""

from __future__ import annotations

import streamlit as st

from dashboard.config import live_refresh_seconds
from dashboard.services import enquiries
from dashboard.services.users import UserInfo
from dashboard.ui import db, state, text

EVERY = live_refresh_seconds()
MAX_TOASTS = 3


@st.fragment(run_every=EVERY)
def notifications(user: UserInfo) -> None:
    """A toast when a customer answers one of my enquiries, or one is assigned to me."""
    seen = st.session_state.get(state.NEWS_SEEN)
    with db.session() as s:
        if seen is None:  # signed in just now: only what happens from here on is news
            st.session_state[state.NEWS_SEEN] = enquiries.latest_event_id(session=s)
            return
        news = enquiries.news_for(session=s, user_id=user.id, after_event_id=seen)
    if not news:
        return
    st.session_state[state.NEWS_SEEN] = news[-1].event_id
    for item in news[:MAX_TOASTS]:
        subject = text.plain(item.subject[:60])
        if item.kind == "message_in":
            st.toast(f"The customer answered {item.reference}: {subject}", icon="✉️")
        else:
            st.toast(f"{item.reference} is assigned to you: {subject}", icon="📥")
    if len(news) > MAX_TOASTS:
        st.toast(f"… and {len(news) - MAX_TOASTS} more on your enquiries.")
