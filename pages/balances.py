"""Account balances: what the portfolio owes, how old it is, and who owes most."""

import streamlit as st

from dashboard import auth, metrics_view, ui
from dashboard.services import metrics

user = auth.require_role("rep")
st.title("Account balances")

today = ui.today()
customers = metrics_view.balance_filters(user)
figures = metrics_view.load_portfolio(customers, today)
metrics_view.balance_kpis(figures)
metrics_view.balance_charts(figures)
metrics_view.balance_lists(customers, today)
metrics_view.definitions(metrics.BALANCE_DEFINITIONS, metrics.BALANCE_FOOTNOTE)
