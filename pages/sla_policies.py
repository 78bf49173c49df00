"""SLA policies: targets per priority, channel and customer segment, and what a change moves."""

from dataclasses import replace

import streamlit as st

from dashboard.services import sla, sla_admin
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.sla_admin import Policy
from dashboard.ui import admin_config, auth, db, state, text, widgets

user = auth.require_role("lead")
st.title("SLA policies")
widgets.show_flash()

with db.session() as s:
    policies = sla_admin.list_policies(session=s)
    open_now = sla_admin.open_counts(session=s)
default = sla.default_percent()
st.caption("Targets are business minutes of the business calendar. An enquiry gets the most "
           "specific active policy: priority, channel and segment beat priority and segment, "
           "which beat priority and channel, which beat priority alone.")
admin_config.policies_table(policies, open_now, default)

by_id = {p.id: p for p in policies}
picked = st.selectbox("Policy to change", [None, *by_id], key=state.POLICY_CHOICE,
                      format_func=lambda i: "A new policy" if i is None
                      else f"{by_id[i].name} ({by_id[i].scope})")
form = f"policy_{picked or 'new'}"
current = by_id.get(picked) or Policy(name="", priority="normal", channel=None, segment=None,
                                      first_response_minutes=240, resolution_minutes=1530)
current = replace(current, version=admin_config.seen(form, current.version))
edited = admin_config.policy_form(current, form, default)
if edited is not None:
    policy, action = edited
    if action == "preview":
        admin_config.policy_preview(policy)
    else:
        try:
            with db.session() as s:
                saved = sla_admin.save(session=s, policy=policy, by=user)
        except (StaleEditError, ValidationError) as exc:
            admin_config.refused(exc)
        else:
            admin_config.forget(form)
            st.session_state[state.FLASH] = f"Policy {saved.name} saved"
            st.session_state.pop(state.POLICY_CHOICE, None)
            st.rerun()
    st.caption(f"Editing {text.plain(policy.name or 'a new policy')}: preview shows the open "
               "enquiries this edit would move, before it is saved.")

admin_config.recompute_panel(user, "policies", "the SLA policies changed")
