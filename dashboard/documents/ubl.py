"""An invoice or credit note as a Peppol BIS Billing 3.0 e-invoice (UBL 2.1, EN 16931).

Since 1 January 2026 a Belgian company invoices Belgian companies this way. What the rules
ask of ours, and how this writes it:

- Both parties carry a Peppol address (``EndpointID``): ``0208`` + the ten-digit enterprise
  number (KBO/BCE) for a Belgian company, ``9938`` + the VAT number for one in Luxembourg.
- A credit note is its own document type (``CreditNote``, type 381) with positive amounts
  and a ``BillingReference`` to the invoice it credits; ours are stored negative.
- VAT categories are UNCL 5305 as Peppol restricts them: the reduced rate (our ``AA``) is
  written as ``S`` with its own percentage, reverse charge as ``AE`` with the exemption
  code ``VATEX-EU-AE``.
- Payment is by credit transfer to the vendor's IBAN, with the Belgian structured reference
  as the payment id (``+++123/4567/89002+++``).
"""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree as ET

from stdnum.be import vat as be_vat

from dashboard import vat
from dashboard.services.einvoices import ENTERPRISE_NUMBER_SCHEME, Buyer
from dashboard.services.invoices import InvoiceDetail, LineDetail, VatGroup
from dashboard.vendor import Vendor

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
ROOT_NS = {"invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
           "credit_note": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"}
UNIT = "C62"  # "one": our lines count pieces and services
CREDIT_TRANSFER = "30"
REVERSE_CHARGE_EXEMPTION = "VATEX-EU-AE"

ET.register_namespace("cbc", CBC)
ET.register_namespace("cac", CAC)


def amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def _sub(parent: ET.Element, ns: str, tag: str, text: str | None = None,
         **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _cbc(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    return _sub(parent, CBC, tag, text, **attributes)


def _cac(parent: ET.Element, tag: str) -> ET.Element:
    return _sub(parent, CAC, tag)


def _money(parent: ET.Element, tag: str, cents: int) -> None:
    _cbc(parent, tag, amount(cents), currencyID="EUR")


def ubl_category(category: str) -> str:
    """Our stored UNCL 5305 code as Peppol allows it (no ``AA``: reduced is ``S``)."""
    return vat.STANDARD if category == vat.REDUCED else category


def _tax_category(parent: ET.Element, tag: str, category: str, rate_pct: int,
                  with_exemption: bool = False) -> None:
    element = _cac(parent, tag)
    _cbc(element, "ID", ubl_category(category))
    _cbc(element, "Percent", str(rate_pct))
    if with_exemption and category == vat.REVERSE_CHARGE:
        _cbc(element, "TaxExemptionReasonCode", REVERSE_CHARGE_EXEMPTION)
        _cbc(element, "TaxExemptionReason", vat.REVERSE_CHARGE_MENTION["en"])
    _cbc(_cac(element, "TaxScheme"), "ID", "VAT")


def _party(parent: ET.Element, tag: str, *, scheme: str, endpoint: str, name: str,
           street: str, postal_code: str, city: str, country: str, vat_number: str | None,
           legal_id: tuple[str, str] | None, email: str | None) -> None:
    party = _cac(_cac(parent, tag), "Party")
    _cbc(party, "EndpointID", endpoint, schemeID=scheme)
    _cbc(_cac(party, "PartyName"), "Name", name)
    address = _cac(party, "PostalAddress")
    if street:
        _cbc(address, "StreetName", street)
    if city:
        _cbc(address, "CityName", city)
    if postal_code:
        _cbc(address, "PostalZone", postal_code)
    _cbc(_cac(address, "Country"), "IdentificationCode", country)
    if vat_number:
        tax = _cac(party, "PartyTaxScheme")
        _cbc(tax, "CompanyID", vat_number)
        _cbc(_cac(tax, "TaxScheme"), "ID", "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", name)
    if legal_id is not None:
        _cbc(legal, "CompanyID", legal_id[1], schemeID=legal_id[0])
    if email:
        _cbc(_cac(party, "Contact"), "ElectronicMail", email)


def _line(parent: ET.Element, ln: LineDetail, credit: bool) -> None:
    sign = -1 if credit else 1
    element = _cac(parent, "CreditNoteLine" if credit else "InvoiceLine")
    _cbc(element, "ID", str(ln.line_no))
    _cbc(element, "CreditedQuantity" if credit else "InvoicedQuantity", str(ln.quantity),
         unitCode=UNIT)
    _money(element, "LineExtensionAmount", sign * ln.net_cents)
    item = _cac(element, "Item")
    _cbc(item, "Name", ln.description[:100])
    _tax_category(item, "ClassifiedTaxCategory", ln.vat_category, ln.vat_rate_pct)
    _money(_cac(element, "Price"), "PriceAmount", sign * ln.unit_price_cents)


def _vat_breakdown(root: ET.Element, groups: tuple[VatGroup, ...], sign: int) -> None:
    total = _cac(root, "TaxTotal")
    _money(total, "TaxAmount", sign * sum(g.vat_cents for g in groups))
    merged: dict[tuple[str, int], list[int]] = {}
    for g in groups:  # AA and S at different rates stay apart; only their code changes
        key = (ubl_category(g.category), g.rate_pct)
        pair = merged.setdefault(key, [0, 0])
        pair[0] += g.net_cents
        pair[1] += g.vat_cents
    for (category, rate), (net, tax) in sorted(merged.items()):
        subtotal = _cac(total, "TaxSubtotal")
        _money(subtotal, "TaxableAmount", sign * net)
        _money(subtotal, "TaxAmount", sign * tax)
        _tax_category(subtotal, "TaxCategory", category, rate, with_exemption=True)


def e_invoice(detail: InvoiceDetail, buyer: Buyer, vendor: Vendor) -> bytes:
    """The UBL document, UTF-8 with an XML declaration."""
    credit = detail.kind == "credit_note"
    sign = -1 if credit else 1
    root = ET.Element(f"{{{ROOT_NS[detail.kind]}}}{'CreditNote' if credit else 'Invoice'}")
    _cbc(root, "CustomizationID", CUSTOMIZATION)
    _cbc(root, "ProfileID", PROFILE)
    _cbc(root, "ID", detail.number)
    _cbc(root, "IssueDate", detail.issue_date.isoformat())
    if not credit:
        _cbc(root, "DueDate", detail.due_date.isoformat())
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", "381" if credit else "380")
    if detail.reverse_charged:
        _cbc(root, "Note", vat.REVERSE_CHARGE_MENTION.get(detail.bill_to.language,
                                                         vat.REVERSE_CHARGE_MENTION["en"]))
    _cbc(root, "DocumentCurrencyCode", "EUR")
    # The buyer's reference routes the document inside their company; the customer number
    # is what they quote to us.
    _cbc(root, "BuyerReference", detail.bill_to.customer_number)
    if buyer.order_reference:
        _cbc(_cac(root, "OrderReference"), "ID", buyer.order_reference)
    if credit and detail.credited_invoice:
        _cbc(_cac(_cac(root, "BillingReference"), "InvoiceDocumentReference"), "ID",
             detail.credited_invoice)
    if detail.contract_number:
        _cbc(_cac(root, "ContractDocumentReference"), "ID", detail.contract_number)

    vendor_vat = be_vat.compact(vendor.vat_number)
    _party(root, "AccountingSupplierParty", scheme=ENTERPRISE_NUMBER_SCHEME,
           endpoint=vendor_vat, name=vendor.name, street=vendor.street,
           postal_code=vendor.postal_code, city=vendor.city, country=vat.VENDOR_COUNTRY,
           vat_number=f"BE{vendor_vat}", legal_id=(ENTERPRISE_NUMBER_SCHEME, vendor_vat),
           email=vendor.email)
    legal = ((ENTERPRISE_NUMBER_SCHEME, buyer.endpoint_id)
             if buyer.endpoint_scheme == ENTERPRISE_NUMBER_SCHEME else None)
    _party(root, "AccountingCustomerParty", scheme=buyer.endpoint_scheme,
           endpoint=buyer.endpoint_id, name=detail.bill_to.name, street=detail.bill_to.street,
           postal_code=detail.bill_to.postal_code, city=detail.bill_to.city,
           country=detail.bill_to.country, vat_number=buyer.vat_number, legal_id=legal,
           email=buyer.email)

    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", CREDIT_TRANSFER, name="Credit transfer")
    if detail.payment_reference:
        _cbc(means, "PaymentID", detail.structured_reference)
    account = _cac(means, "PayeeFinancialAccount")
    _cbc(account, "ID", vendor.iban.replace(" ", ""))
    _cbc(account, "Name", vendor.name)
    if vendor.bic:
        _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", vendor.bic)
    if not credit:
        days = (detail.due_date - detail.issue_date).days
        _cbc(_cac(root, "PaymentTerms"), "Note", f"Payment within {days} days")

    _vat_breakdown(root, detail.vat_groups, sign)
    totals = _cac(root, "LegalMonetaryTotal")
    _money(totals, "LineExtensionAmount", sign * detail.net_cents)
    _money(totals, "TaxExclusiveAmount", sign * detail.net_cents)
    _money(totals, "TaxInclusiveAmount", sign * detail.total_cents)
    # The document as issued: what is paid since is the statement's business, not its.
    _money(totals, "PayableAmount", sign * detail.total_cents)
    for ln in detail.lines:
        _line(root, ln, credit)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def file_name(number: str, issued: date) -> str:
    return f"{number}_{issued.isoformat()}_peppol.xml"
