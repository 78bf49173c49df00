"""Everything that imports Streamlit: the session/engine helper (``db``), sign-in (``auth``),
session-state keys (``state``), shared widgets, and one module per page area — ``customer``,
``inventory``, ``documents``, ``enquiry``, ``queue``, ``search``, ``metrics``, ``balances``.
Pages import from here and from ``dashboard.services``; nothing outside this package and
``pages/`` imports Streamlit."""
