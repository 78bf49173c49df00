"""Account balances: what the portfolio owes, how old it is, and who owes most."""

import streamlit as st

from dashboard.services import metrics
from dashboard.ui import auth, db, widgets
from dashboard.ui import balances as balances_ui

user = auth.require_role("rep")
st.title("Account balances")

today = db.today()
customers = balances_ui.balance_filters(user)
figures = balances_ui.load_portfolio(customers, today)
balances_ui.balance_kpis(figures)
balances_ui.balance_charts(figures)
balances_ui.balance_lists(customers, today)
widgets.definitions(metrics.BALANCE_DEFINITIONS, metrics.BALANCE_FOOTNOTE)
