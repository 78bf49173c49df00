"""Customer Support OnLine console: services, auth and UI helpers for the Streamlit pages."""
