"""Enquiry metrics: are we keeping our promises, where is the backlog growing, who is loaded."""

import streamlit as st

from dashboard import auth, metrics_view, ui
from dashboard.services import metrics

user = auth.require_role("lead")
st.title("Enquiry metrics")

period = metrics_view.period_picker(ui.today())
flt = metrics_view.enquiry_filters(user)
figures = metrics_view.load_metrics(period, flt)
metrics_view.period_caption(figures)
metrics_view.kpi_row(figures)

metrics_view.flow_charts(figures)
metrics_view.time_charts(figures)
metrics_view.mix_charts(figures)
st.subheader("Who holds what")
metrics_view.workload_section(figures)
st.subheader("When enquiries arrive")
metrics_view.heatmap_section(figures)

metrics_view.drill_section(period, flt)
metrics_view.definitions(metrics.ENQUIRY_DEFINITIONS, metrics.ENQUIRY_FOOTNOTE)
