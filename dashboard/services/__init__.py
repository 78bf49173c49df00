"""Business logic by area. Plain Python over a caller-owned Session; no Streamlit here."""
