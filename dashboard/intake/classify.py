"""What a message is: automatic or from a person, fax or e-mail, which language, which topic,
which of our documents it names. Pure functions over decoded text; no database."""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

from dashboard.intake.mime import ParsedMessage
from dashboard.services import intake_settings
from dashboard.services.intake_settings import AutomaticMail
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


def automatic_reason(parsed: ParsedMessage, own_addresses: frozenset[str] = frozenset(),
                     rules: AutomaticMail | None = None) -> str | None:
    """Why this is an auto-reply, bounce or receipt (never answered, never an enquiry), by
    the checks the rules leave on and the subjects and senders they add."""
    rules = rules or AutomaticMail()
    on = rules.checks
    auto_submitted = parsed.header("auto-submitted").split(";")[0].split("(")[0].strip().lower()
    if on.get("auto_submitted", True) and auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if on.get("reports", True) and parsed.content_type == "multipart/report":
        return "delivery or read report (multipart/report)"
    precedence = parsed.header("precedence").strip().lower()
    if on.get("precedence", True) and precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if on.get("autoreply_headers", True):
        for name in ("x-autoreply", "x-autorespond"):
            if name in parsed.headers:
                return f"{name.title()} header"
    address = (parsed.from_address or "").lower()
    local = address.split("@")[0]
    if on.get("mail_servers", True):
        if local in DAEMON_SENDERS:
            return "sent by a mail server (MAILER-DAEMON)"
        if parsed.headers.get("return-path", "").strip() == "<>":
            return "null return path (bounce)"
    if on.get("own_address", True) and address and address in own_addresses:
        return "sent from our own address"
    if address and (address in rules.extra_senders or local in rules.extra_senders):
        return "sender listed as automatic in the intake settings"
    if on.get("subjects", True) and AUTO_SUBJECT.match(parsed.subject):
        return "out-of-office or delivery subject"
    if rules.extra_subjects:
        subject = fold(REPLY_PREFIX.sub("", parsed.subject)).strip()
        for phrase in rules.extra_subjects:
            if subject.startswith(fold(phrase).strip()):
                return f"subject starts with “{phrase}” (intake settings)"
    return None


# --- fax-to-e-mail gateways ----------------------------------------------------------------

# The gateways in force come from the intake settings; these built-in HylaFAX and eFax ones
# (dashboard.services.intake_settings) are the default and what old settings add to.
DEFAULT_FAX_PATTERNS = intake_settings.DEFAULT_FAX_PATTERNS


@dataclass(frozen=True)
class FaxPattern:
    """A gateway: who sends (address or display name), its subject, and optionally where in
    the body the sender's number stands. A ``number`` group names the fax number."""

    name: str
    sender: re.Pattern[str]
    subject: re.Pattern[str]
    body: re.Pattern[str] | None = None


@dataclass(frozen=True)
class FaxMatch:
    gateway: str
    number_text: str
    number: str | None  # E.164 when it could be read
    numbers: tuple[str, ...] = ()  # every number read (subject first), E.164, to match on


def compile_fax_pattern(row: dict[str, Any]) -> FaxPattern:
    """One pattern from its settings row; raises ``re.error`` for a pattern that does not
    compile."""
    body = str(row.get("body") or "").strip()
    return FaxPattern(
        name=str(row.get("name") or "fax gateway"),
        sender=re.compile(str(row.get("from") or ".*"), re.IGNORECASE),
        subject=re.compile(str(row.get("subject") or "(?P<number>.+)"), re.IGNORECASE),
        body=re.compile(body, re.IGNORECASE | re.MULTILINE) if body else None)


def compile_gateways(rows: list[dict[str, str]]) -> list[FaxPattern]:
    """The gateways as listed; one that does not compile is skipped with a warning (the
    settings page refuses such a pattern, but an old row must not stop the others)."""
    compiled: list[FaxPattern] = []
    for row in rows:
        try:
            compiled.append(compile_fax_pattern(row))
        except re.error as exc:
            logger.warning("Fax gateway pattern %r skipped: %s", row.get("name"), exc)
    return compiled


def fax_patterns(setting: Any) -> list[FaxPattern]:
    """The built-in gateway patterns, then those the ``fax_gateway_patterns`` setting adds.

    A pattern that does not compile is skipped with a warning, so one typo in the settings
    does not send every fax to quarantine. A row that repeats a built-in one adds nothing.
    """
    extra = setting if isinstance(setting, list) else []
    compiled: list[FaxPattern] = []
    seen: set[tuple[str, str, str]] = set()
    for row in [*DEFAULT_FAX_PATTERNS, *extra]:
        if not isinstance(row, dict):
            continue
        key = (str(row.get("from") or ""), str(row.get("subject") or ""),
               str(row.get("body") or ""))
        if key in seen:
            continue
        seen.add(key)
        try:
            compiled.append(compile_fax_pattern(row))
        except re.error as exc:
            logger.warning("Fax gateway pattern %r skipped: %s", row.get("name"), exc)
    return compiled


def sender_matches(pattern: FaxPattern, parsed: ParsedMessage) -> bool:
    """The sender pattern against the address, else against the display name."""
    return bool(pattern.sender.search(parsed.from_address or "")
                or (parsed.from_name and pattern.sender.search(parsed.from_name)))


def _numbers_read(pattern: FaxPattern, subject_match: re.Match[str], body: str) -> list[str]:
    texts = [subject_match.groupdict().get("number") or ""]
    if pattern.body is not None:
        texts += [m.groupdict().get("number") or "" for m in pattern.body.finditer(body[:20_000])]
    return [text.strip().strip("\"'").strip() for text in texts if text.strip()]


def match_fax(parsed: ParsedMessage, patterns: list[FaxPattern]) -> FaxMatch | None:
    for pattern in patterns:
        if not sender_matches(pattern, parsed):
            continue
        found = pattern.subject.search(parsed.subject)
        if not found:
            continue
        texts = _numbers_read(pattern, found, parsed.body)
        numbers = tuple(dict.fromkeys(n for n in map(normalise_phone, texts) if n))
        return FaxMatch(gateway=pattern.name, number_text=texts[0] if texts else "",
                        number=numbers[0] if numbers else None, numbers=numbers)
    return None


# --- language ------------------------------------------------------------------------------

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


LANGUAGES = ("nl", "fr", "de", "en")
MAX_LANGUAGE_CHARS = 2_000  # the first paragraphs say which language; the rest costs time
PRIOR_WEIGHT = 5.0  # the language on file counts this much more than any other
MIN_CONFIDENCE = 0.5  # without a language on file, less than this is no guess
# "Printer defect." is Dutch and English alike: below this many words the detector's
# confidence means little, and the language on file decides.
SHORT_TEXT_WORDS = 4
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_detector_lock = threading.Lock()
_detector: LanguageDetector | None = None


def language_detector() -> LanguageDetector:
    """The one detector (NL, FR, DE, EN), built on first use and kept for the process."""
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                _detector = (LanguageDetectorBuilder.from_iso_codes_639_1(
                    *(IsoCode639_1.from_str(code) for code in LANGUAGES))
                    .with_low_accuracy_mode().with_preloaded_language_models().build())
    return _detector


def language_scores(text: str, prior: str | None = None) -> dict[str, float]:
    """How likely each of NL, FR, DE and EN is, with the language on file (``prior``) as
    the prior: its share is weighted PRIOR_WEIGHT times before they are renormalised."""
    sample = text[:MAX_LANGUAGE_CHARS]
    if not LETTER.search(sample):
        return {}
    scores = {value.language.iso_code_639_1.name.lower(): value.value
              for value in language_detector().compute_language_confidence_values(sample)}
    if prior in scores:
        scores[prior] *= PRIOR_WEIGHT
    total = sum(scores.values())
    return {code: score / total for code, score in scores.items()} if total else {}


def detect_language(text: str, prior: str | None = None) -> str | None:
    """nl, fr, de or en; with a language on file the likeliest after the prior (or the one
    on file for a text of a few words), else the likeliest when it is likely enough; None
    when the text has no words to go by."""
    if prior in LANGUAGES and len(WORD.findall(text[:MAX_LANGUAGE_CHARS])) < SHORT_TEXT_WORDS:
        return prior
    scores = language_scores(text, prior)
    if not scores:
        return None
    best = max(scores, key=lambda code: scores[code])
    if prior in scores or scores[best] >= MIN_CONFIDENCE:
        return best
    return None


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
