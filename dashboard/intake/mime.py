"""Reading a received message tolerantly (DESIGN §2.5).

Mail from customers' finance desks, scanners and fax gateways is often not what RFC 5322 and
MIME say it should be: 8-bit bytes in headers, encoded words in a charset nobody knows, a
declared charset that does not match the bytes, multipart messages without (or with the wrong)
boundary, HTML only. Nothing here gives up on such a message: every header and every text
part is decoded with a chain of fallbacks, a multipart body whose boundary was lost is cut
into parts again by the ``--boundary`` lines it contains, and what is not text is kept as an
attachment. Only a message without a single header that mail has (no From, no Subject, no
Message-ID) is refused, as :class:`UnreadableMessage`.

Pure functions over bytes: no database, no Streamlit.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

PARSE_POLICY = policy.default
MAX_HEADER_BLOCK = 256 * 1024  # headers longer than this are not headers
MAX_DEPTH = 40  # nested multiparts; deeper is an attack or a loop, not a customer
MAX_BODY_CHARS = 200_000  # the raw message keeps the rest

HEADER_END = re.compile(rb"\r?\n\r?\n")
LINE_END = re.compile(rb"\r\n?")
UNFOLD = re.compile(r"\r?\n[ \t]+")
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
BARE_MESSAGE_ID = re.compile(r"[^<>\s,;]+@[^<>\s,;]+")
ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
BOUNDARY_LINE = re.compile(rb"^--([^\s\"]{1,200}?)(--)?[ \t]*\r?$", re.MULTILINE)
MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u2018-\u203a\u20ac\u0152-\u0178\u02c6\u02dc]")
SINGLE_BYTE_CODECS = ("ascii", "latin", "iso8859", "cp125", "mac-roman", "cp437", "cp850")
UNKNOWN_CHARSETS = ("", "unknown", "unknown-8bit", "x-unknown", "default", "charset")

# The headers the rest of intake looks at; the others stay in the raw message.
WANTED_HEADERS = (
    "from", "sender", "reply-to", "return-path", "subject", "message-id", "in-reply-to",
    "references", "date", "auto-submitted", "precedence", "x-autoreply", "x-autorespond",
    "x-auto-response-suppress", "x-csol-source", "x-csol-customer-number", "x-csol-phone",
    "x-csol-name", "content-type",
)


# What the sender wrote, for telling a re-delivery from another message with the same
# Message-ID; trace and transport headers added on the way are left out.
CONTENT_HEADERS = ("from", "sender", "to", "cc", "subject", "date", "message-id",
                   "in-reply-to", "references", "mime-version", "content-type",
                   "content-transfer-encoding")


class UnreadableMessage(ValueError):
    """The bytes are not an e-mail message at all (no header mail would have)."""


@dataclass(frozen=True)
class AttachmentData:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ParsedMessage:
    """What intake needs from a message, decoded."""

    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_address: str | None  # lower-case addr-spec
    from_name: str
    subject: str
    body: str
    attachments: tuple[AttachmentData, ...]
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-case name -> decoded value
    defects: tuple[str, ...] = ()

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


# --- bytes and charsets -------------------------------------------------------------------

def codec_for(charset: str | None) -> str | None:
    """The Python codec for a MIME charset name, or None when it is missing or unknown."""
    if charset is None:
        return None
    name = charset.strip().strip("\"'").lower()
    if name in UNKNOWN_CHARSETS:
        return None
    if name in ("utf8", "utf-8-sig"):
        name = "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _valid_utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Bytes to text with what the sender declared, else UTF-8, else Windows-1252.

    A single-byte charset (Latin-1, Windows-1252, ASCII…) declared for bytes that are valid
    UTF-8 with non-ASCII characters is taken to be a mislabel: real Latin-1 text is almost
    never valid UTF-8, while UTF-8 labelled Latin-1 is a common mistake.
    """
    codec = codec_for(charset)
    non_ascii = not data.isascii()
    if codec and non_ascii and codec.startswith(SINGLE_BYTE_CODECS):
        as_utf8 = _valid_utf8(data)
        if as_utf8 is not None:
            return as_utf8
    if codec:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    if not non_ascii:
        return data.decode("ascii")
    as_utf8 = _valid_utf8(data)
    if as_utf8 is not None:
        return as_utf8
    return data.decode("cp1252", errors="replace")


def clean_text(text: str) -> str:
    """Text a database can store: no NUL characters (PostgreSQL refuses them)."""
    return text.replace("\x00", "") if "\x00" in text else text


def fix_mojibake(text: str) -> str:
    """'FranÃ§ois' (UTF-8 read as Latin-1/Windows-1252) back to 'François'."""
    if not MOJIBAKE.search(text):
        return text
    for single_byte in ("cp1252", "latin-1"):
        try:
            return text.encode(single_byte).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def _word_bytes(encoding: str, payload: str) -> bytes:
    data = payload.encode("ascii", errors="replace")
    if encoding.lower() == "q":
        return binascii.a2b_qp(data, header=True)
    cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    cleaned += b"=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned)
    except (binascii.Error, ValueError):
        return data


def decode_encoded_words(text: str) -> str:
    """RFC 2047 encoded words, leniently: unknown charsets, bad padding, split characters.

    Adjacent words in the same charset are joined before decoding, so a UTF-8 character
    split across two words survives; blanks between encoded words are dropped (RFC 2047 §6.2).
    """
    if "=?" not in text:
        return text
    pieces: list[tuple[str | None, bytes | str]] = []
    position = 0
    for match in ENCODED_WORD.finditer(text):
        literal = text[position:match.start()]
        between_words = literal.isspace() and bool(pieces) and pieces[-1][0] is not None
        if literal and not between_words:
            pieces.append((None, literal))
        charset = match.group(1).split("*", 1)[0].lower()
        data = _word_bytes(match.group(2), match.group(3))
        last = pieces[-1] if pieces else None
        if last is not None and last[0] == charset and isinstance(last[1], bytes):
            pieces[-1] = (charset, last[1] + data)
        else:
            pieces.append((charset, data))
        position = match.end()
    if position < len(text):
        pieces.append((None, text[position:]))
    return "".join(piece if isinstance(piece, str) else decode_text(piece, charset)
                   for charset, piece in pieces)


def decode_header(value: str | bytes | None) -> str:
    """A header value as people read it, whatever the sender did to it."""
    if value is None:
        return ""
    data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")
    text = UNFOLD.sub(" ", decode_text(data))
    text = decode_encoded_words(text)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return fix_mojibake(" ".join(text.split()))


# --- headers ------------------------------------------------------------------------------

def header_block(raw: bytes) -> bytes:
    match = HEADER_END.search(raw, 0, MAX_HEADER_BLOCK)
    return raw[:match.start()] if match else raw[:MAX_HEADER_BLOCK]


def quick_header(raw: bytes, name: str) -> bytes | None:
    """One header's raw value straight from the bytes, without parsing the message."""
    pattern = re.compile(rb"^" + re.escape(name.encode()) + rb"[ \t]*:[ \t]*"
                         rb"((?:.*)(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)
    match = pattern.search(header_block(raw))
    return match.group(1).rstrip(b"\r") if match else None


def content_digest(raw: bytes) -> str:
    """SHA-256 of what the sender wrote: the originator and content headers and the body,
    line ends and header folding evened out.

    Relays add Received, Return-Path, Delivered-To, spam and signature headers, and a
    message saved to a file may have lost its CRs, so the same message can arrive as other
    bytes; what is hashed here stays the same. Pure; never fails on bytes that are not mail.
    """
    digest = hashlib.sha256()
    for name in CONTENT_HEADERS:
        value = quick_header(raw, name)
        if value is not None:
            digest.update(name.encode() + b":" + b" ".join(value.split()) + b"\n")
    match = HEADER_END.search(raw, 0, MAX_HEADER_BLOCK)
    body = raw[match.end():] if match else raw
    digest.update(b"\n" + LINE_END.sub(b"\n", body).rstrip())
    return digest.hexdigest()


def message_ids(value: str) -> tuple[str, ...]:
    """Message-IDs in an In-Reply-To or References value, in order; bare ones too."""
    found = MESSAGE_ID.findall(value)
    if not found:
        found = [f"<{bare}>" for bare in BARE_MESSAGE_ID.findall(value)]
    return tuple(dict.fromkeys(found))


def first_message_id(value: str | bytes | None) -> str | None:
    text = decode_header(value)
    if not text:
        return None
    ids = message_ids(text)
    return ids[0] if ids else text.split()[0]


def sender(value: str | bytes | None) -> tuple[str, str | None]:
    """(display name, lower-case address) from a From header, however it is written."""
    if value is None:
        return "", None
    raw = value if isinstance(value, str) else value.decode("utf-8", "surrogateescape")
    raw = UNFOLD.sub(" ", raw)
    name, address = parseaddr(raw)
    if "@" not in address:
        pairs = [pair for pair in getaddresses([raw]) if "@" in pair[1]]
        if pairs:
            name, address = pairs[0]
    if "@" not in address:
        found = ADDRESS.search(decode_header(raw))
        address = found.group(0) if found else ""
    address = address.strip().strip("<>").lower()
    clean_name = decode_header(name).strip("\"' ")
    if not address or "@" not in address:
        return clean_name or decode_header(raw), None
    return clean_name, address


# --- body ---------------------------------------------------------------------------------

class _TextFromHtml(HTMLParser):
    BLOCKS = frozenset(("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table",
                        "blockquote", "pre", "hr"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # an HTML parser must not lose the message
        return re.sub(r"<[^>]*>", " ", html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _safe(get: object, default: str = "") -> str:
    try:
        value = get() if callable(get) else get
    except Exception:  # header objects may choke on what senders write
        return default
    return str(value) if value is not None else default


def _content_type(part: Message) -> str:
    return _safe(part.get_content_type, "text/plain").lower()


@dataclass(frozen=True)
class _PartInfo:
    content_type: str
    charset: str | None
    disposition: str
    filename: str


def _params(header: object) -> dict[str, str]:
    params = getattr(header, "params", None)
    return {str(k).lower(): str(v) for k, v in params.items()} if params else {}


def _part_info(part: Message) -> _PartInfo:
    """Content type, charset, disposition and file name, reading each header once (the
    ``get_content_*`` helpers parse the same header again for every question)."""
    try:
        type_header = part.get("content-type")
        disposition_header = part.get("content-disposition")
        content_type = str(getattr(type_header, "content_type", "") or "").lower()
        if type_header is None or content_type.count("/") != 1:
            content_type = (part.get_default_type() if type_header is None
                            else "text/plain").lower()
        type_params, disposition_params = _params(type_header), _params(disposition_header)
        disposition = str(getattr(disposition_header, "content_disposition", "") or "")
        return _PartInfo(
            content_type=content_type, charset=type_params.get("charset") or None,
            disposition=disposition.lower(),
            filename=(disposition_params.get("filename") or type_params.get("name")
                      or "").strip())
    except Exception:  # fall back on the library's own (slower, equally tolerant) helpers
        return _PartInfo(_content_type(part), _safe(part.get_content_charset) or None,
                         _safe(part.get_content_disposition).lower(),
                         _safe(part.get_filename))


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _filename(name: str, content_type: str, number: int) -> str:
    name = decode_header(name)
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{number}{extension}"
    return name[:255]


def _guess_boundary(payload: bytes) -> bytes | None:
    """The boundary a multipart body uses, read from its ``--boundary`` lines."""
    counts: dict[bytes, int] = {}
    for match in BOUNDARY_LINE.finditer(payload):
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return max(counts, key=lambda b: (counts[b], len(b))) if counts else None


def _recovered(part: Message, content_type: str) -> Message | None:
    """A multipart whose boundary is missing or wrong, parsed again with the real one."""
    payload = _payload_bytes(part)
    boundary = _guess_boundary(payload)
    if boundary is None:
        return None
    header = (f"Content-Type: {content_type}; boundary=\"".encode()
              + boundary + b"\"\r\n\r\n")
    again = BytesParser(policy=PARSE_POLICY).parsebytes(header + payload)
    return again if again.is_multipart() else None


@dataclass
class _Collected:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)
    attachments: list[AttachmentData] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _collect(part: Message, out: _Collected, depth: int = 0, forwarded: bool = False) -> None:
    out.defects.extend(type(d).__name__ for d in getattr(part, "defects", ()))
    info = _part_info(part)
    content_type = info.content_type
    if depth > MAX_DEPTH:
        raise UnreadableMessage(f"multipart nesting deeper than {MAX_DEPTH} levels")
    if part.is_multipart() and content_type != "message/rfc822":
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _collect(sub, out, depth + 1, forwarded)
        return
    if content_type.startswith("multipart/"):
        recovered = _recovered(part, content_type)
        if recovered is not None:
            out.defects.append("RecoveredBoundary")
            _collect(recovered, out, depth + 1, forwarded)
            return
        content_type = "text/plain"
    if content_type == "message/rfc822":
        _collect_forwarded(part, out, depth)
        return
    disposition, filename = info.disposition, info.filename
    is_text = content_type.startswith("text/") and content_type != "text/rfc822-headers"
    readable = content_type in ("text/plain", "text/html") or not filename
    if is_text and disposition != "attachment" and readable:
        text = decode_text(_payload_bytes(part), info.charset)
        if forwarded:
            out.forwarded.append(html_to_text(text) if content_type == "text/html" else text)
        elif content_type == "text/html":
            out.html.append(html_to_text(text))
        else:
            out.plain.append(text)
        return
    number = len(out.attachments) + 1
    out.attachments.append(AttachmentData(
        filename=_filename(filename, content_type, number), content_type=content_type[:120],
        content=_payload_bytes(part)))


def _collect_forwarded(part: Message, out: _Collected, depth: int) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        try:
            content = inner.as_bytes(policy=policy.SMTP)
        except Exception:
            content = _payload_bytes(part)
        subject = decode_header(_raw(inner, "subject"))
        out.attachments.append(AttachmentData(
            filename=(re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", subject)[:80] or "forwarded")
            + ".eml", content_type="message/rfc822", content=content))
        _collect(inner, out, depth + 1, forwarded=True)
    else:
        out.attachments.append(AttachmentData("forwarded.eml", "message/rfc822",
                                              _payload_bytes(part)))


def _raw(message: Message, name: str) -> str | None:
    for key, value in message.raw_items():
        if key.lower() == name:
            return str(value)
    return None


def _headers(message: Message) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in message.raw_items():
        name = key.lower()
        if name in WANTED_HEADERS and name not in found:
            found[name] = str(value)
    return found


def _join(texts: Iterable[str]) -> str:
    parts = [t.replace("\r\n", "\n").replace("\r", "\n").strip("\n") for t in texts]
    return "\n\n".join(p for p in parts if p.strip())


def parse(raw: bytes) -> ParsedMessage:
    """Decode a message; raises :class:`UnreadableMessage` only for what is not mail."""
    message = BytesParser(policy=PARSE_POLICY).parsebytes(raw)
    raw_headers = _headers(message)
    if not any(name in raw_headers for name in ("from", "subject", "message-id")):
        raise UnreadableMessage("no From, Subject or Message-ID header: not an e-mail message")
    collected = _Collected()
    _collect(message, collected)
    body = _join(collected.plain) or _join(collected.html) or _join(collected.forwarded)
    body = clean_text(body)
    from_name, from_address = sender(raw_headers.get("from"))
    if from_address is None:
        _, from_address = sender(raw_headers.get("sender") or raw_headers.get("reply-to"))
    decoded = {name: decode_header(value) for name, value in raw_headers.items()}
    return ParsedMessage(
        message_id=first_message_id(raw_headers.get("message-id")),
        in_reply_to=message_ids(decoded.get("in-reply-to", "")),
        references=message_ids(decoded.get("references", "")),
        from_address=from_address, from_name=from_name,
        subject=decoded.get("subject", ""), body=body[:MAX_BODY_CHARS],
        attachments=tuple(collected.attachments), content_type=_content_type(message),
        headers=decoded, defects=tuple(dict.fromkeys(collected.defects)),
    )


def build_message(message: EmailMessage) -> bytes:
    """Bytes of a message built here (web form), with CRLF line ends as on the wire."""
    return message.as_bytes(policy=policy.SMTP)
