"""Universal search: one box, whatever the caller reads out.

The query's shape decides which lookups run (a VAT number is not looked up as an e-mail),
so each search is a handful of indexed queries rather than a scan of every table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from stdnum.be import ogm_vcs as ogm
from stdnum.be import vat as be_vat
from stdnum.lu import tva as lu_vat

from dashboard import phones
from db.models import Contact, Contract, Customer, Enquiry, InstalledItem, Invoice, Order, Payment
from db.text import contact_search_name, fold

DEFAULT_LIMIT = 20
DOCUMENT_NUMBER = re.compile(r"^(SO|INV|CN|CT|ENQ)[-\s]?(\d{4})[-\s]?(\d+)$", re.IGNORECASE)
CUSTOMER_NUMBER = re.compile(r"^C\d{3,}$", re.IGNORECASE)
YEAR_AND_NUMBER = re.compile(r"^(20\d{2})[-\s/.]?(\d{1,6})$")  # a document number said bare
DOMAIN = re.compile(r"^@?([a-z0-9-]+\.)+[a-z]{2,}$", re.IGNORECASE)
# Hits that name one thing exactly: a single one of these opens at once.
EXACT = frozenset({"Customer number", "Order number", "Invoice number", "Credit note number",
                   "Contract number", "VAT number", "Payment reference", "Serial number",
                   "Enquiry reference", "Tracking number", "Bank reference", "Contact e-mail",
                   "Customer PO"})


@dataclass(frozen=True)
class SearchHit:
    """One result: which customer, what matched, and which document to open."""

    customer_id: int | None        # None for an enquiry not matched to a customer yet
    customer_number: str | None
    customer_name: str | None
    matched: str          # what kind of thing matched, e.g. "VAT number"
    detail: str           # the matching value as people read it
    document_kind: str | None = None   # "order", "invoice", "contract", "item", "contact",
    document_id: int | None = None     # "payment", "enquiry"

    @property
    def exact(self) -> bool:
        return self.matched in EXACT


def opens_directly(hits: list[SearchHit]) -> SearchHit | None:
    """The hit to open without asking: the only one, or the only exact business number.
    Anything more is a choice for the person, never a guess."""
    if len(hits) == 1:
        return hits[0]
    exact = [h for h in hits if h.exact]
    return exact[0] if len(exact) == 1 else None


def compact(text: str) -> str:
    return re.sub(r"[\s./-]", "", text).upper()


def vat_candidates(query: str) -> list[str]:
    """The stored (compact, prefixed) forms a typed VAT or enterprise number could mean."""
    raw = compact(query)
    found: list[str] = []
    body = raw[2:] if raw[:2] in ("BE", "LU") else raw
    if not body.isdigit():
        return found
    if raw[:2] != "LU":
        number = body if len(body) == 10 else "0" + body if len(body) == 9 else ""
        if number and be_vat.is_valid(number):
            found.append("BE" + be_vat.compact(number))
    if raw[:2] != "BE" and len(body) == 8 and lu_vat.is_valid(body):
        found.append("LU" + body)
    return found


def normalise_phone(query: str) -> str | None:
    """E.164 for a number in any common spelling (``dashboard.phones``), or None."""
    return phones.normalise(query)


def payment_reference_digits(query: str) -> str | None:
    digits = re.sub(r"[\s+/*.-]", "", query)
    if len(digits) == 12 and digits.isdigit() and ogm.is_valid(digits):
        return digits
    return None


def prefix_end(prefix: str) -> str | None:
    """The least string after every string that starts with ``prefix``, in code-point order
    (None: there is none). With it a prefix is a range ``>= prefix AND < end``."""
    for i in range(len(prefix) - 1, -1, -1):
        code = ord(prefix[i]) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates cannot be stored: skip to the next
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix[:i] + chr(code)
    return None


def _prefix_filter(
    session: Session, column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    prefix: str
) -> ColumnElement[bool]:
    """A prefix match as a range, which both databases read from the column's own index in
    its order (PostgreSQL's LIKE walked the whole index to honour ORDER BY ... LIMIT)."""
    end = prefix_end(prefix)
    condition = column >= prefix if end is None else and_(column >= prefix, column < end)
    if session.get_bind().dialect.name == "postgresql":
        # The range is exact in a code-point collation (C, C.UTF-8); under another one the
        # LIKE, checked on the few rows in range, keeps out what only sorts alike.
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        condition = and_(condition, column.like(escaped + "%", escape="\\"))
    return condition


def _hits(session: Session, query: Select[Any] | Any, matched: str, kind: str | None
          ) -> list[SearchHit]:
    return [
        SearchHit(row.customer_id, row.customer_number, row.customer_name, matched, row.detail,
                  kind, row.document_id)
        for row in session.execute(query)
    ]


def _customer_cols(detail: InstrumentedAttribute[Any]) -> tuple[Any, ...]:
    return (Customer.id.label("customer_id"), Customer.customer_number,
            Customer.name.label("customer_name"), detail.label("detail"))


def search(*, session: Session, query: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """Find customers and documents; exact business numbers first, then names."""
    text = query.strip()
    if len(text) < 2:
        return []
    hits: list[SearchHit] = []
    upper = compact(text)

    if CUSTOMER_NUMBER.match(upper):
        hits += _hits(session, select(*_customer_cols(Customer.customer_number),
                                      Customer.id.label("document_id"))
                      .where(Customer.customer_number == upper), "Customer number", None)

    if match := DOCUMENT_NUMBER.match(text.replace(" ", "")) or DOCUMENT_NUMBER.match(text):
        prefix, year, seq = match.group(1).upper(), match.group(2), match.group(3)
        hits += _document_number_hits(session, prefix, year, seq)
    elif match := YEAR_AND_NUMBER.match(text):
        for prefix in ("SO", "INV", "CN", "CT", "ENQ"):
            hits += _document_number_hits(session, prefix, match.group(1), match.group(2))

    for vat in vat_candidates(text):
        hits += _hits(session, select(*_customer_cols(Customer.vat_number),
                                      Customer.id.label("document_id"))
                      .where(Customer.vat_number == vat), "VAT number", None)

    if reference := payment_reference_digits(text):
        hits += _hits(session, select(*_customer_cols(Invoice.number),
                                      Invoice.id.label("document_id"))
                      .join(Customer, Customer.id == Invoice.customer_id)
                      .where(Invoice.payment_reference == reference),
                      "Payment reference", "invoice")

    if "@" in text or DOMAIN.match(text):
        hits += _email_hits(session, text.lower(), limit)

    if (phone := normalise_phone(text)) and not hits:
        hits += _phone_hits(session, phone, limit)

    if not hits and re.search(r"[\w]", text):
        spellings = sorted({text, text.upper(), upper})
        hits += _serial_po_hits(session, spellings, limit)

    if not hits and re.search(r"[^\W\d_]", text):  # a number found is the answer
        hits += _name_hits(session, fold(text), limit - len(hits), {h.customer_id for h in hits})
        hits += _contact_name_hits(session, text, limit)
    return hits[:limit]


def _document_number_hits(session: Session, prefix: str, year: str, seq: str) -> list[SearchHit]:
    if prefix == "SO":
        number = f"SO-{year}-{int(seq):06d}"
        return _hits(session, select(*_customer_cols(Order.order_number),
                                     Order.id.label("document_id"))
                     .join(Customer, Customer.id == Order.customer_id)
                     .where(Order.order_number == number), "Order number", "order")
    if prefix in ("INV", "CN"):
        number = f"{prefix}-{year}-{int(seq):06d}"
        matched = "Invoice number" if prefix == "INV" else "Credit note number"
        return _hits(session, select(*_customer_cols(Invoice.number),
                                     Invoice.id.label("document_id"))
                     .join(Customer, Customer.id == Invoice.customer_id)
                     .where(Invoice.number == number), matched, "invoice")
    if prefix == "CT":
        number = f"CT-{year}-{int(seq):05d}"
        return _hits(session, select(*_customer_cols(Contract.contract_number),
                                     Contract.id.label("document_id"))
                     .join(Customer, Customer.id == Contract.customer_id)
                     .where(Contract.contract_number == number), "Contract number", "contract")
    if prefix == "ENQ":
        reference = f"ENQ-{year}-{int(seq):06d}"
        row = session.execute(
            select(Enquiry.id, Enquiry.reference, Customer.id, Customer.customer_number,
                   Customer.name)
            .outerjoin(Customer, Customer.id == Enquiry.customer_id)
            .where(Enquiry.reference == reference)).first()
        return [SearchHit(row[2], row[3], row[4], "Enquiry reference", row[1], "enquiry",
                          row[0])] if row else []
    return []


def _phone_hits(session: Session, phone: str, limit: int) -> list[SearchHit]:
    contact_query = (
        select(*_customer_cols(Contact.last_name), Contact.id.label("document_id"))
        .join(Customer, Customer.id == Contact.customer_id)
        .where(or_(Contact.phone == phone, Contact.mobile == phone, Contact.fax == phone))
        .limit(limit)
    )
    hits = [
        SearchHit(h.customer_id, h.customer_number, h.customer_name, "Contact phone or fax",
                  phone, "contact", h.document_id)
        for h in _hits(session, contact_query, "", "contact")
    ]
    hits += _hits(session, select(*_customer_cols(Customer.phone),
                                  Customer.id.label("document_id"))
                  .where(Customer.phone == phone).limit(limit), "Company phone", None)
    return hits


def _email_hits(session: Session, text: str, limit: int) -> list[SearchHit]:
    """An address exactly; else a domain ('@dupre.be', 'dupre.be'); else the start of one."""
    cols = (*_customer_cols(Contact.email), Contact.id.label("document_id"))
    base = select(*cols).join(Customer, Customer.id == Contact.customer_id)
    local, _, domain = text.rpartition("@") if "@" in text else ("", "", text)
    if local and domain:
        exact = _hits(session, base.where(Contact.email == text).limit(limit),
                      "Contact e-mail", "contact")
        if exact:
            return exact
    if not local and DOMAIN.match(domain or ""):
        return _hits(session, base.where(Contact.email_domain == domain.lstrip("@"))
                     .order_by(Customer.name, Contact.email).limit(limit),
                     "E-mail domain", "contact")
    if local:
        return _hits(session, base.where(_prefix_filter(session, Contact.email, text))
                     .order_by(Contact.email).limit(limit), "Part of an e-mail", "contact")
    return []


def _contact_name_hits(session: Session, text: str, limit: int) -> list[SearchHit]:
    """Contacts by name in any case and accent, surname or first name first."""
    words = fold(text).split()
    spellings = {contact_search_name(" ".join(words[:-1]), words[-1]).strip(),
                 " ".join(words)}
    found: list[SearchHit] = []
    for spelling in sorted(spellings):
        query = (select(Customer.id.label("customer_id"), Customer.customer_number,
                        Customer.name.label("customer_name"),
                        (Contact.first_name + " " + Contact.last_name).label("detail"),
                        Contact.id.label("document_id"))
                 .join(Customer, Customer.id == Contact.customer_id)
                 .where(_prefix_filter(session, Contact.name_search, spelling))
                 .order_by(Contact.name_search).limit(limit))
        found += [h for h in _hits(session, query, "Contact", "contact")
                  if h.document_id not in {f.document_id for f in found}]
    return found[:limit]


def _serial_po_hits(session: Session, spellings: list[str], limit: int) -> list[SearchHit]:
    hits = _hits(session, select(*_customer_cols(InstalledItem.serial_number),
                                 InstalledItem.id.label("document_id"))
                 .join(Customer, Customer.id == InstalledItem.customer_id)
                 .where(InstalledItem.serial_number.in_(spellings)), "Serial number", "item")
    hits += _hits(session, select(*_customer_cols(Order.customer_po),
                                  Order.id.label("document_id"))
                  .join(Customer, Customer.id == Order.customer_id)
                  .where(Order.customer_po.in_(spellings)).limit(limit), "Customer PO", "order")
    hits += _hits(session, select(*_customer_cols(Order.tracking_number),
                                  Order.id.label("document_id"))
                  .join(Customer, Customer.id == Order.customer_id)
                  .where(Order.tracking_number.in_(spellings)).limit(limit),
                  "Tracking number", "order")
    hits += _hits(session, select(*_customer_cols(Payment.bank_reference),
                                  Payment.id.label("document_id"))
                  .join(Customer, Customer.id == Payment.customer_id)
                  .where(Payment.bank_reference.in_(spellings)).limit(limit),
                  "Bank reference", "payment")
    return hits


def _name_hits(session: Session, folded: str, limit: int, seen: set[int | None]
               ) -> list[SearchHit]:
    cols = (*_customer_cols(Customer.name), Customer.id.label("document_id"))
    prefix = (select(*cols).where(_prefix_filter(session, Customer.name_search, folded))
              .order_by(Customer.name_search).limit(limit))
    hits = [h for h in _hits(session, prefix, "Name", None) if h.customer_id not in seen]
    if len(hits) < limit:
        seen = seen | {h.customer_id for h in hits}
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        contains = (select(*cols).where(Customer.name_search.like(f"%{escaped}%", escape="\\"))
                    .order_by(Customer.name_search).limit(limit + len(seen)))
        hits += [h for h in _hits(session, contains, "Name contains", None)
                 if h.customer_id not in seen][: limit - len(hits)]
    return hits

