"""Small but real files for attachments and raw messages: a one-page PDF, a bilevel TIFF
(what a fax gateway delivers) and RFC 5322 messages as received."""

from __future__ import annotations

import struct
from base64 import b64encode
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache

INTAKE_ADDRESS = "support@csol.example"


def _pdf_text(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252", errors="replace")


def tiny_pdf(lines: Sequence[str]) -> bytes:
    """A valid one-page A4 PDF showing ``lines`` in Helvetica."""
    content = b"BT /F1 11 Tf 56 780 Td 15 TL " + b" ".join(
        b"(" + _pdf_text(line) + b") Tj T*" for line in lines
    ) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


@lru_cache(maxsize=64)
def _tiff(pattern: int, width: int, height: int) -> bytes:
    """A valid uncompressed bilevel TIFF page (fax resolution 204x196 dpi)."""
    row_bytes = (width + 7) // 8
    pixels = bytes(((pattern >> (row % 8)) ^ (col * 37 + row)) & 0xFF
                   for row in range(height) for col in range(row_bytes))
    entries = [
        (256, 3, 1, width), (257, 3, 1, height), (258, 3, 1, 1), (259, 3, 1, 1),
        (262, 3, 1, 0), (273, 4, 1, 0), (277, 3, 1, 1), (278, 3, 1, height),
        (279, 4, 1, len(pixels)), (282, 5, 1, 0), (283, 5, 1, 0), (296, 3, 1, 2),
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    resolution_at = 8 + ifd_size
    pixels_at = resolution_at + 16
    values = {273: pixels_at, 282: resolution_at, 283: resolution_at + 8}
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        value = values.get(tag, value)
        packed = struct.pack("<HI", value, 0)[:4] if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    ifd += struct.pack("<I", 0)
    resolutions = struct.pack("<IIII", 204, 1, 196, 1)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + resolutions + pixels


def _base64_lines(data: bytes) -> str:
    encoded = b64encode(data).decode("ascii")
    return "\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


def tiny_tiff(number: int, width: int = 64, height: int = 16) -> bytes:
    """A valid uncompressed bilevel TIFF page; 64 different pages cycle."""
    return _tiff(number % 64, width, height)


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc5322_date(seconds: int) -> str:
    """'Tue, 24 Nov 2026 09:15:02 +0000' (email.utils.format_datetime, faster)."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return (f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
            f"{moment.year} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} +0000")


def encoded_word(text: str) -> str:
    """Non-ASCII header text as RFC 2047 encoded words of whole words (each encoded word
    stays under 75 characters; the spaces between words are encoded inside them)."""
    if text.isascii():
        return text
    chunks: list[str] = []
    for word in text.split(" "):
        if chunks and len(f"{chunks[-1]} {word}".encode()) <= 45:
            chunks[-1] = f"{chunks[-1]} {word}"
        else:
            chunks.append(word)
    encoded = [b64encode((chunk + (" " if i < len(chunks) - 1 else "")).encode()).decode()
               for i, chunk in enumerate(chunks)]
    return "\r\n ".join(f"=?utf-8?b?{e}?=" for e in encoded)


def raw_email(
    *,
    sender_name: str,
    sender: str,
    subject: str,
    body: str,
    sent_at: int,
    message_id: str,
    in_reply_to: str | None = None,
    attachment: tuple[str, str, bytes] | None = None,
    extra_headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """An RFC 5322 message as our MX would have stored it (UTF-8, 8bit text part)."""
    domain = sender.rpartition("@")[2]
    date = rfc5322_date(sent_at)
    headers = [
        ("Return-Path", f"<{sender}>"),
        ("Received", f"from mail.{domain} (mail.{domain} [192.0.2.25]) by mx.csol.example "
                     f"with ESMTPS; {date}"),
        ("From", f'"{sender_name}" <{sender}>' if sender_name.isascii()
         else f"{encoded_word(sender_name)} <{sender}>"),
        ("To", INTAKE_ADDRESS),
        ("Subject", encoded_word(subject)),
        ("Date", date),
        ("Message-ID", message_id),
        *extra_headers,
    ]
    if in_reply_to:
        headers += [("In-Reply-To", in_reply_to), ("References", in_reply_to)]
    headers.append(("MIME-Version", "1.0"))
    text_headers = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit"
    text = body.replace("\n", "\r\n")
    if attachment is None:
        parts = f"{text_headers}\r\n\r\n{text}\r\n"
    else:
        filename, content_type, data = attachment
        boundary = "=_csol_" + message_id.strip("<>").split("@")[0][-16:]
        headers.append(("Content-Type", f'multipart/mixed; boundary="{boundary}"'))
        parts = (
            f"\r\n--{boundary}\r\n{text_headers}\r\n\r\n{text}\r\n"
            f"--{boundary}\r\nContent-Type: {content_type}; name=\"{filename}\"\r\n"
            f"Content-Disposition: attachment; filename=\"{filename}\"\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{_base64_lines(data)}\r\n"
            f"--{boundary}--\r\n"
        )
    head = "\r\n".join(f"{name}: {value}" for name, value in headers)
    return f"{head}\r\n{parts}".encode()
