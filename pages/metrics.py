"""Enquiry metrics: are we keeping our promises, where is the backlog growing, who is loaded."""

import streamlit as st

from dashboard.services import metrics
from dashboard.ui import auth, db, widgets
from dashboard.ui import metrics as metrics_ui

user = auth.require_role("lead")
st.title("Enquiry metrics")

period = metrics_ui.period_picker(db.today())
flt = metrics_ui.enquiry_filters(user)
figures = metrics_ui.load_metrics(period, flt)
metrics_ui.period_caption(figures)
metrics_ui.kpi_row(figures)

metrics_ui.flow_charts(figures)
metrics_ui.time_charts(figures)
metrics_ui.mix_charts(figures)
st.subheader("Who holds what")
metrics_ui.workload_section(figures)
st.subheader("When enquiries arrive")
metrics_ui.heatmap_section(figures)

metrics_ui.drill_section(period, flt)
widgets.definitions(metrics.ENQUIRY_DEFINITIONS, metrics.ENQUIRY_FOOTNOTE)
