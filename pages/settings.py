"""Settings: the company printed on documents, SLA and auto-close defaults, outbox retries."""

from collections.abc import Callable

import streamlit as st

from dashboard.services import settings
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.ui import admin_config, auth, db, state, widgets

admin = auth.require_role("admin")
st.title("Settings")
widgets.show_flash()

with db.session() as s:
    versions = {key: admin_config.seen(key, version)
                for key, version in settings.versions(session=s).items()}
    company = settings.company(session=s)
    at_risk = settings.at_risk_percent(session=s)
    auto_close = settings.auto_close_days(session=s)
    retry = settings.outbox_retry(session=s)
    retention_months = settings.audit_retention_months(session=s)


def saved(key: str, message: str, write: Callable[..., object], **values: object) -> None:
    try:
        with db.session() as s:
            write(session=s, version=versions[key], by=admin, **values)
    except (StaleEditError, ValidationError) as exc:
        admin_config.refused(exc)
    else:
        admin_config.forget(key)
        st.session_state[state.FLASH] = message
        st.rerun()


st.subheader("Company")
st.caption("Printed on invoices and statements. Until saved here, the details come from the "
           "[vendor] section of the secrets file.")
with st.form("settings_company"):
    values = {}
    fields = list(settings.COMPANY_LABELS.items())
    for row in range(0, len(fields), 3):
        cols = st.columns(3)
        for col, (name, label) in zip(cols, fields[row:row + 3], strict=False):
            values[name] = col.text_input(label, value=getattr(company, name), max_chars=120,
                                          key=f"company_{name}")
    if st.form_submit_button("Save the company", type="primary"):
        saved(settings.COMPANY, "Company details saved", settings.save_company, values=values)

left, middle, right = st.columns(3)
with left, st.form("settings_sla"):
    st.markdown("**SLA at risk**")
    percent = admin_config.settings_number(
        "At risk under this share of the target left (%)", at_risk, "at_risk_percent")
    st.caption("For policies that do not set their own. Open enquiries keep their at-risk "
               "times until worked out again on the SLA policies page.")
    if st.form_submit_button("Save", type="primary"):
        saved(settings.AT_RISK_PERCENT, "At-risk share saved",
              settings.save_at_risk_percent, percent=percent)
with middle, st.form("settings_auto_close"):
    st.markdown("**Auto-close**")
    days = admin_config.settings_number("Close resolved enquiries after (business days)",
                                        auto_close, "auto_close_days")
    st.caption("A resolved enquiry the customer does not answer closes itself "
               "(python -m dashboard enquiries auto-close, run from cron).")
    if st.form_submit_button("Save", type="primary"):
        saved(settings.AUTO_CLOSE_DAYS, "Auto-close period saved",
              settings.save_auto_close_days, days=days)
with right, st.form("settings_outbox"):
    st.markdown("**Outbox retries**")
    tries = admin_config.settings_number("Tries per e-mail", retry.max_attempts, "retry_tries")
    first = admin_config.settings_number("First wait (minutes)", retry.first_retry_minutes,
                                         "retry_first")
    longest = admin_config.settings_number("Longest wait (minutes)",
                                           retry.longest_retry_minutes, "retry_longest")
    st.caption(admin_config.retry_example(retry))
    if st.form_submit_button("Save", type="primary"):
        saved(settings.OUTBOX_RETRY, "Outbox retry policy saved", settings.save_outbox_retry,
              retry=settings.OutboxRetry(tries, first, longest))

with st.form("settings_retention"):
    st.markdown("**Retention**")
    cols = st.columns([1, 2], vertical_alignment="bottom")
    with cols[0]:
        months = admin_config.settings_number("Keep the audit log (months)", retention_months,
                                              "audit_retention_months")
    cols[1].caption("Older audit rows are deleted by python -m dashboard retention purge "
                    "(run from cron); the purge itself is recorded.")
    if st.form_submit_button("Save", type="primary"):
        saved(settings.AUDIT_RETENTION_MONTHS, "Retention period saved",
              settings.save_audit_retention_months, months=months)
