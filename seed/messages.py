"""Inbound messages (stored raw, as received), outbound e-mail and attachments."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from seed import documents
from seed.context import Context, chance
from seed.identifiers import display_phone
from seed.rows import AttachmentRow, InboundMessageRow, OutboundMessageRow

FAX_GATEWAY = "faxmaster@fax.csol.example"
OWN_DOMAIN = "csol.example"


@dataclass(frozen=True)
class Sender:
    name: str
    email: str
    company: str
    phone: str | None
    fax: str | None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _message_id(ctx: Context, inbound_id: int, domain: str) -> str:
    return f"<{ctx.rng.getrandbits(48):012x}.{inbound_id}@{domain}>"


def receive(ctx: Context, *, channel: str, sender: Sender, subject: str, body: str,
            received_ts: int, enquiry_id: int | None, in_reply_to: str | None = None,
            status: str = "processed", error: str | None = None) -> tuple[int, str]:
    """Store an inbound e-mail, fax or web submission; returns its id and Message-ID."""
    rng = ctx.rng
    inbound_id = ctx.ids.inbound()
    sent_at = received_ts - 5 - int(rng.random() * 60)
    attachment = None
    if channel == "fax":
        number = sender.fax or sender.phone or "+3220000000"
        message_id = _message_id(ctx, inbound_id, "fax.csol.example")
        tiff = documents.tiny_tiff(inbound_id)
        attachment = (f"fax-{inbound_id}.tif", "image/tiff", tiff)
        raw = documents.raw_email(
            sender_name="HylaFAX", sender=FAX_GATEWAY,
            subject=f"Facsimile received from {display_phone(number)}",
            body=f"A facsimile was received from {display_phone(number)} (1 page).\n\n{body}",
            sent_at=sent_at, message_id=message_id, attachment=attachment)
        source, from_address = "fax", number
    else:
        domain = sender.email.rpartition("@")[2]
        message_id = _message_id(ctx, inbound_id, domain)
        if channel == "email" and in_reply_to is None and (
                status == "quarantined" or chance(rng, 0.1)):
            pdf = documents.tiny_pdf([f"{sender.company}", "Purchase order", subject])
            attachment = (f"PO-{inbound_id}.pdf", "application/pdf", pdf)
        extra = (("X-Csol-Source", "web-form"),) if channel == "web" else ()
        raw = documents.raw_email(
            sender_name=sender.name, sender=sender.email,
            subject=f"[Web form] {subject}" if channel == "web" else subject, body=body,
            sent_at=sent_at, message_id=message_id, in_reply_to=in_reply_to,
            attachment=attachment, extra_headers=extra)
        source = "web" if channel == "web" else ("import" if chance(rng, 0.1) else "smtp")
        from_address = sender.email
    if status == "quarantined":
        raw = raw.replace(b"multipart/mixed; boundary=", b"multipart/mixed; bound=")
    ctx.batch["inbound_messages"].append(InboundMessageRow(
        id=inbound_id, sha256=sha256(raw), message_id=message_id, source=source, raw=raw,
        received_at=ctx.stamp(received_ts), from_address=from_address,
        subject=subject[:400], status=status, error=error, enquiry_id=enquiry_id,
        processed_at=(ctx.stamp(received_ts + 2 + int(rng.random() * 20))
                      if status in ("processed", "ignored") else None)))
    if attachment is not None and status != "quarantined":
        attach(ctx, attachment, enquiry_id=enquiry_id, inbound_id=inbound_id)
    return inbound_id, message_id


def attach(ctx: Context, attachment: tuple[str, str, bytes], *, enquiry_id: int | None,
           inbound_id: int | None = None, outbound_id: int | None = None) -> None:
    filename, content_type, data = attachment
    ctx.batch["attachments"].append(AttachmentRow(
        id=ctx.ids.attachment(), enquiry_id=enquiry_id, inbound_message_id=inbound_id,
        outbound_message_id=outbound_id, filename=filename, content_type=content_type,
        size_bytes=len(data), sha256=sha256(data), content=data))


def send(ctx: Context, *, kind: str, to: str, subject: str, body: str, created_ts: int,
         enquiry_id: int | None, customer_id: int | None, created_by: int | None,
         in_reply_to: str | None = None, tag: str = "msg",
         status: str | None = None) -> tuple[int, str]:
    """Put an e-mail in the outbox; what happened to it depends on how long ago that was."""
    clock = ctx.clock
    outbound_id = ctx.ids.outbound()
    message_id = f"<{tag.lower()}.{outbound_id}@{OWN_DOMAIN}>"
    age = clock.now_ts - created_ts
    if status is None:
        status = "queued" if age < 600 else ("failed" if chance(ctx.rng, 0.004) else "sent")
    attempts = {"queued": 0, "sending": 1, "sent": 1, "failed": 5, "cancelled": 5}[status]
    ctx.batch["outbound_messages"].append(OutboundMessageRow(
        id=outbound_id, kind=kind, enquiry_id=enquiry_id, customer_id=customer_id,
        to_address=to, subject=subject[:400], body_text=body, message_id=message_id,
        in_reply_to=in_reply_to, references=in_reply_to, status=status, attempts=attempts,
        next_attempt_at=ctx.stamp(clock.now_ts + 60) if status == "queued" else None,
        last_error=(f"550 5.1.1 <{to}>: Recipient address rejected: user unknown"
                    if status in ("failed", "cancelled") else None),
        sent_at=ctx.stamp(created_ts + 3) if status == "sent" else None,
        created_by_id=created_by, created_at=ctx.stamp(created_ts)))
    return outbound_id, message_id
