"""Customer Support OnLine console.

``ui/`` is the Streamlit side (the only place besides ``pages/`` that imports Streamlit);
``services/`` the business logic; ``intake/`` mail, fax and web-form intake; ``documents/``
PDFs, CSV and XLSX; ``mail/`` the outbox sender. The plain modules beside them:
``business_calendar`` (the one business calendar), ``formatting`` (babel), ``labels`` (words
for stored codes), ``config``, ``vendor`` and ``charts`` (DataFrame in, Figure out).
``python -m dashboard`` is the command line.
"""
