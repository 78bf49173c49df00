"""Documents for customers: invoice, credit note and statement PDFs; CSV and XLSX tables.

Pure functions: they take the services' dataclasses (or a DataFrame) and return bytes. No
streamlit, no database.
"""

from dashboard.documents.invoice_pdf import invoice_pdf
from dashboard.documents.statement_pdf import statement_pdf
from dashboard.documents.tables import (
    statement_csv,
    statement_frame,
    statement_xlsx,
    to_csv,
    to_xlsx,
)

__all__ = ["invoice_pdf", "statement_csv", "statement_frame", "statement_pdf",
           "statement_xlsx", "to_csv", "to_xlsx"]
