"""What a message is: automatic or from a person, fax or e-mail, which language, which topic,
which of our documents it names. Pure functions over decoded text; no database."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from dashboard.intake.mime import ParsedMessage
from dashboard.services.search import normalise_phone, payment_reference_digits
from db.text import fold

logger = logging.getLogger(__name__)

# --- automatic messages -------------------------------------------------------------------

AUTO_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|tr|fw|fwd|antw)\s*:\s*)*(?:"
    r"out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|"
    r"autoreply|away from (?:the|my) office|on holiday|on vacation|"
    r"absen(?:ce|t|te)(?:\s*$|\s*[:(\-–]|\s+(?:du bureau|prolong|jusqu|until|from))|"
    r"r[ée]ponse automatique|message d'absence|"
    r"afwezig(?:heid)?(?:smelding|\s*$|\s*[:(\-–]|\s+(?:tot|wegens))|niet aanwezig|"
    r"automatisch antwoord|automatische reactie|"
    r"abwesenheit|abwesend|automatische antwort|nicht im b[üu]ro|"
    r"delivery status notification|undeliverable|undelivered mail|returned mail|"
    r"mail delivery (?:failed|failure|system)|non remis|onbestelbaar|unzustellbar|"
    r"read:|lu\s*:|gelezen\s*:|gelesen\s*:)",
    re.IGNORECASE,
)
BULK_PRECEDENCE = ("bulk", "junk", "list")
DAEMON_SENDERS = ("mailer-daemon", "mail-daemon", "mailerdaemon")


def automatic_reason(parsed: ParsedMessage, own_addresses: frozenset[str] = frozenset()
                     ) -> str | None:
    """Why this is an auto-reply, bounce or receipt (never answered, never an enquiry)."""
    auto_submitted = parsed.header("auto-submitted").split(";")[0].split("(")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if parsed.content_type == "multipart/report":
        return "delivery or read report (multipart/report)"
    precedence = parsed.header("precedence").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in parsed.headers:
            return f"{name.title()} header"
    local = (parsed.from_address or "").split("@")[0]
    if local in DAEMON_SENDERS:
        return "sent by a mail server (MAILER-DAEMON)"
    if parsed.headers.get("return-path", "").strip() == "<>":
        return "null return path (bounce)"
    if parsed.from_address and parsed.from_address in own_addresses:
        return "sent from our own address"
    if AUTO_SUBJECT.match(parsed.subject):
        return "out-of-office or delivery subject"
    return None


# --- fax-to-e-mail gateways ----------------------------------------------------------------

DEFAULT_FAX_PATTERNS: list[dict[str, str]] = [
    {"name": "HylaFAX", "from": r"^faxmaster@",
     "subject": r"^Facsimile received from (?P<number>.+)$"},
    {"name": "eFax", "from": r"@(?:[\w-]+\.)*efax\.com$",
     "subject": r"^eFax (?:message )?from\b.*?caller[ -]?id:?\s*\"?(?P<number>\+?[\d ()./-]{6,})"},
]


@dataclass(frozen=True)
class FaxPattern:
    name: str
    sender: re.Pattern[str]
    subject: re.Pattern[str]


@dataclass(frozen=True)
class FaxMatch:
    gateway: str
    number_text: str
    number: str | None  # E.164 when it could be read


def fax_patterns(setting: Any) -> list[FaxPattern]:
    """The gateway patterns from the ``fax_gateway_patterns`` setting (or the defaults).

    A pattern that does not compile is skipped with a warning, so one typo in the settings
    does not send every fax to quarantine.
    """
    rows = setting if isinstance(setting, list) and setting else DEFAULT_FAX_PATTERNS
    compiled: list[FaxPattern] = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        try:
            compiled.append(FaxPattern(
                name=str(row.get("name") or "fax gateway"),
                sender=re.compile(str(row.get("from") or ".*"), re.IGNORECASE),
                subject=re.compile(str(row.get("subject") or "(?P<number>.+)"), re.IGNORECASE)))
        except re.error as exc:
            logger.warning("Fax gateway pattern %r skipped: %s", row.get("name"), exc)
    return compiled


def match_fax(parsed: ParsedMessage, patterns: list[FaxPattern]) -> FaxMatch | None:
    address = parsed.from_address or ""
    for pattern in patterns:
        if not pattern.sender.search(address):
            continue
        found = pattern.subject.search(parsed.subject)
        if not found:
            continue
        text = found.groupdict().get("number") or ""
        text = text.strip().strip("\"'").strip()
        return FaxMatch(gateway=pattern.name, number_text=text,
                        number=normalise_phone(text) if text else None)
    return None


# --- language ------------------------------------------------------------------------------

def _words(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and is are was you your we our for with have has this that please thank thanks",
        "regards would could can not of to it be on from my will an at as which there",
        "dear kind received attached"),
    "fr": _words(
        "le la les des du un une est et vous votre vos nous notre pour avec pas que qui",
        "dans sur merci bonjour cordialement au aux ce cette je il elle sont avons avez",
        "ne madame monsieur veuillez salutations mais ou"),
    "nl": _words(
        "de het een en is van voor met niet wij we u uw onze ons dat die deze dit zijn",
        "heeft hebben graag bedankt alvast groeten vriendelijke beste geachte ik er nog",
        "op aan bij ook maar om wat mijn kunt kan"),
    "de": _words(
        "der die das und ist ein eine nicht wir sie ihr ihre unser unsere mit für",
        "bitte danke vielen grüßen grüssen freundlichen sehr geehrte damen herren ich es auf",
        "dem den des zu bei auch noch von im wie können haben"),
}
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
MIN_LANGUAGE_HITS = 3
QUOTE_MARKERS = re.compile(
    r"^(?:>|-{2,}\s*(?:original|message d'origine|oorspronkelijk|ursprüngliche)|"
    r"(?:on|le|op|am) .{4,80}(?:wrote|a écrit|schreef|schrieb)\s*:\s*$|"
    r"(?:from|de|van|von)\s*:\s.+@)", re.IGNORECASE)


def own_words(body: str) -> str:
    """The text the sender wrote, without the quoted message they reply to."""
    kept: list[str] = []
    for line in body.splitlines():
        if QUOTE_MARKERS.match(line.strip()):
            if line.lstrip().startswith(">"):
                continue
            break
        kept.append(line)
    return "\n".join(kept)


def detect_language(text: str) -> str | None:
    """nl, fr, de or en by stop-word counts; None when the text says too little."""
    counts: Counter[str] = Counter()
    for word in WORD.findall(text[:20_000].lower()):
        for language, words in STOP_WORDS.items():
            if word in words:
                counts[language] += 1
    if not counts:
        return None
    (best, hits), *rest = counts.most_common()
    runner_up = rest[0][1] if rest else 0
    if hits < MIN_LANGUAGE_HITS or hits <= runner_up:
        return None
    return best


# --- category ------------------------------------------------------------------------------

# Stems of topic words, accent-free and lower-case, matched at the start of a word.
CATEGORY_STEMS: dict[str, tuple[str, ...]] = {
    "invoices": (
        "invoice", "credit note", "payment", "paid", "overdue", "reminder", "statement",
        "balance", "refund", "billing", "vat ", "factur", "note de credit", "paiement",
        "paye", "rappel", "releve", "solde", "rembourse", "tva", "factuur", "creditnota",
        "betaling", "betaald", "herinnering", "rekeninguittreksel", "aanmaning",
        "terugbetal", "btw", "rechnung", "gutschrift", "zahlung", "bezahlt", "mahnung",
        "kontoauszug", "ruckerstatt", "mwst", "ust-"),
    "orders": (
        "order", "deliver", "shipment", "shipping", "tracking", "parcel", "backorder",
        "commande", "livraison", "livre ", "colis", "expedition", "suivi", "bestelling",
        "levering", "geleverd", "pakket", "zending", "verzending", "bestellung",
        "lieferung", "geliefert", "paket", "sendung", "versand", "auftrag"),
    "contracts": (
        "contract", "renewal", "terminat", "cancellation", "subscription", "lease",
        "contrat", "renouvel", "resiliation", "abonnement", "leasing", "verlenging",
        "opzeg", "vertrag", "verlangerung", "kundigung"),
    "inventory": (
        "serial", "repair", "broken", "defect", "maintenance", "warranty", "technician",
        "install", "printer", "server", "laptop", "relocat", "numero de serie",
        "reparation", "panne", "defectueu", "garantie", "technicien", "imprimante",
        "demenag", "serienummer", "reparatie", "kapot", "onderhoud", "technieker",
        "installatie", "verhuis", "seriennummer", "reparatur", "defekt", "kaputt",
        "wartung", "techniker", "drucker", "umzug"),
}
_CATEGORY_PATTERNS = {
    category: re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + ")")
    for category, stems in CATEGORY_STEMS.items()
}


def guess_category(subject: str, body: str) -> str:
    """The category whose words occur most (the subject counts three times); else other."""
    scores: Counter[str] = Counter()
    folded_subject, folded_body = fold(subject) + " ", fold(body[:20_000]) + " "
    for category, pattern in _CATEGORY_PATTERNS.items():
        scores[category] += 3 * len(pattern.findall(folded_subject))
        scores[category] += len(pattern.findall(folded_body))
    ranked = scores.most_common()
    if not ranked or ranked[0][1] == 0:
        return "other"
    return ranked[0][0]


# --- document numbers ----------------------------------------------------------------------

DOCUMENT = re.compile(r"\b(SO|INV|CN|CT)[-\s]?(\d{4})[-\s]?(\d{1,6})\b", re.IGNORECASE)
SERIAL_TOKEN = re.compile(r"\bSN[A-Z0-9]{6,20}\b", re.IGNORECASE)
SERIAL_AFTER_WORD = re.compile(
    r"(?:serial(?:\s*(?:number|no\.?|nr\.?))?|s/n|n[°o]\s*de\s*s[ée]rie|num[ée]ro de s[ée]rie|"
    r"serienummer|seriennummer|serien-?nr\.?)\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{4,39})",
    re.IGNORECASE)
STRUCTURED_REFERENCE = re.compile(
    r"(?:\+{3}|\*{3})?\s*(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})\s*(?:\+{3}|\*{3})?")
CUSTOMER_NUMBER = re.compile(r"\b(C\d{6})\b", re.IGNORECASE)
ENQUIRY_TAG = re.compile(r"\[\s*(ENQ-\d{4}-\d{6})\s*\]", re.IGNORECASE)
MAX_CANDIDATES = 20


@dataclass(frozen=True)
class Mention:
    """A business number found in the text, in the form it is stored."""

    kind: str  # order, invoice, contract, item, payment_reference, customer
    value: str
    position: int


def document_mentions(text: str) -> list[Mention]:
    """Order, invoice, credit note, contract, serial, structured-reference and customer
    numbers in the order they appear (at most a few of each)."""
    found: list[Mention] = []
    for match in DOCUMENT.finditer(text):
        prefix, year, seq = match.group(1).upper(), match.group(2), int(match.group(3))
        if prefix == "SO":
            found.append(Mention("order", f"SO-{year}-{seq:06d}", match.start()))
        elif prefix == "CT":
            found.append(Mention("contract", f"CT-{year}-{seq:05d}", match.start()))
        else:
            found.append(Mention("invoice", f"{prefix}-{year}-{seq:06d}", match.start()))
    for match in SERIAL_TOKEN.finditer(text):
        found.append(Mention("item", match.group(0).upper(), match.start()))
    for match in SERIAL_AFTER_WORD.finditer(text):
        found.append(Mention("item", match.group(1).upper(), match.start(1)))
    for match in STRUCTURED_REFERENCE.finditer(text):
        digits = payment_reference_digits("".join(match.groups()))
        if digits:
            found.append(Mention("payment_reference", digits, match.start()))
    for match in CUSTOMER_NUMBER.finditer(text):
        found.append(Mention("customer", match.group(1).upper(), match.start()))
    found.sort(key=lambda m: m.position)
    unique: dict[tuple[str, str], Mention] = {}
    for mention in found:
        unique.setdefault((mention.kind, mention.value), mention)
    per_kind: Counter[str] = Counter()
    kept: list[Mention] = []
    for mention in unique.values():
        per_kind[mention.kind] += 1
        if per_kind[mention.kind] <= MAX_CANDIDATES:
            kept.append(mention)
    return kept


def enquiry_tags(subject: str) -> list[str]:
    return [tag.upper() for tag in ENQUIRY_TAG.findall(subject)]


REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|tr|fw|fwd|wg|antw|sv|ref|rép|rep)\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE)


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and enquiry tags."""
    text = ENQUIRY_TAG.sub("", subject)
    text = REPLY_PREFIX.sub("", text)
    return " ".join(text.split())
