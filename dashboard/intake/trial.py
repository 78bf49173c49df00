"""Trying the intake settings on a pasted message: what the pipeline would do with it (fax or
e-mail, which number, which contact, automatic or an enquiry), with nothing stored."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dashboard.intake import pipeline
from dashboard.intake import settings as intake_settings
from dashboard.services.intake_settings import IntakeForm


def try_message(session: Session, message: str | bytes, form: IntakeForm | None = None
                ) -> pipeline.DryRun:
    """The pipeline's verdict on ``message`` under ``form`` (the settings being edited; the
    saved ones without it). Raises ValidationError for a paste that is no e-mail."""
    raw = intake_settings.pasted_bytes(message)
    config = intake_settings.from_form(form) if form is not None else None
    return pipeline.dry_run(session, raw, "smtp", config)
