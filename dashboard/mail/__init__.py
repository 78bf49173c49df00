"""Outgoing mail: the sender that delivers the outbox over SMTP, with retries."""
