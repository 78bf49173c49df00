"""Business logic by area. Plain Python over a caller-owned Session; no Streamlit here."""

# Every write is checked against the column sizes, whichever service makes it.
from dashboard.services import text_limits as text_limits
