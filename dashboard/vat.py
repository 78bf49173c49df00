"""VAT by place of supply: which rate, category and legal mention a line of ours carries.

The vendor is a Belgian company (BE VAT number). The rule, for business customers:

- Customer in Belgium: Belgian VAT at the Belgian rates (21 %, 6 % for printed matter),
  category S (standard) or AA (reduced).
- Customer in another EU member state with a valid VAT number: the customer accounts for
  the VAT (reverse charge, art. 196 of Directive 2006/112/EC): 0 %, category AE, and the
  invoice carries the mention "Autoliquidation / Verlegging van heffing / Reverse charge"
  in its language.
- Customer in another EU member state **without** a valid VAT number (a public body that
  is not registered, a number that fails its check): the supply is treated as one to a
  non-taxable person, so **Belgian VAT is charged** at the Belgian rates, as for a Belgian
  customer. The console says so beside the VAT number (see ``treatment(...).note``).

"Valid" means valid by python-stdnum: the country's own format and check digits, and the
number's country prefix equal to the customer's country. It is not a live VIES look-up.

Customers outside the EU are not decided here (exports follow other rules): ``treatment``
refuses them with ``OutsideEuError`` rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.eu import vat as eu_vat

VENDOR_COUNTRY = "BE"
BELGIAN_STANDARD = 21
BELGIAN_REDUCED = 6
# UNCL 5305 codes, as UBL/Peppol BIS Billing 3.0 use them.
STANDARD, REDUCED, REVERSE_CHARGE = "S", "AA", "AE"
CATEGORIES = (STANDARD, REDUCED, REVERSE_CHARGE)

# Greece is "EL" in VAT numbers, "GR" as a country.
EU_MEMBER_STATES = frozenset((
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
))
_VAT_PREFIX = {"GR": "EL"}

ARTICLE = "art. 196 Directive 2006/112/EC"
# The mention on a reverse-charged invoice, in the document's language.
REVERSE_CHARGE_MENTION = {
    "fr": "Autoliquidation — art. 196 de la directive 2006/112/CE",
    "nl": "Verlegging van heffing — art. 196 van Richtlijn 2006/112/EG",
    "en": "Reverse charge — art. 196 Directive 2006/112/EC",
    "de": "Steuerschuldnerschaft des Leistungsempfängers — Art. 196 der Richtlinie "
          "2006/112/EG",
}
# Said of a customer abroad whose VAT number is missing or invalid.
NO_VALID_NUMBER_NOTE = ("No valid EU VAT number: Belgian VAT is charged. With a valid number "
                        "the invoices would be reverse-charged (0 %).")


class OutsideEuError(ValueError):
    """A customer outside the EU: its VAT treatment is not decided by this module."""


@dataclass(frozen=True)
class Treatment:
    """How one line is taxed."""

    rate_pct: int
    category: str
    note: str = ""  # for the representative: why, when it is not the plain Belgian case

    @property
    def reverse_charge(self) -> bool:
        return self.category == REVERSE_CHARGE


def valid_vat_number(number: str | None, country: str) -> bool:
    """A VAT number that stdnum accepts and that belongs to ``country``."""
    if not number:
        return False
    try:
        compact = eu_vat.compact(number)
    except Exception:  # stdnum raises its own errors for characters it cannot read
        return False
    prefix = _VAT_PREFIX.get(country.upper(), country.upper())
    return compact[:2] == prefix and bool(eu_vat.is_valid(compact))


def treatment(*, customer_country: str, customer_vat_number: str | None, reduced: bool = False,
              vendor_country: str = VENDOR_COUNTRY) -> Treatment:
    """The VAT of a line sold by a ``vendor_country`` company to this customer.

    ``reduced``: the product is one Belgium taxes at the reduced rate (printed matter).
    """
    vendor, customer = vendor_country.upper(), customer_country.upper()
    if vendor != VENDOR_COUNTRY:
        raise ValueError(f"only a Belgian vendor is supported, not {vendor_country!r}")
    belgian = Treatment(BELGIAN_REDUCED if reduced else BELGIAN_STANDARD,
                        REDUCED if reduced else STANDARD)
    if customer == vendor:
        return belgian
    if customer not in EU_MEMBER_STATES:
        raise OutsideEuError(f"VAT for a customer in {customer_country!r} is not decided here")
    if valid_vat_number(customer_vat_number, customer):
        return Treatment(0, REVERSE_CHARGE, "Reverse charge: the customer accounts for the VAT.")
    return Treatment(belgian.rate_pct, belgian.category, NO_VALID_NUMBER_NOTE)


def mention(language: str | None) -> str:
    """The reverse-charge mention in a document's language (English when unknown)."""
    return REVERSE_CHARGE_MENTION.get((language or "en").lower()[:2],
                                      REVERSE_CHARGE_MENTION["en"])


def vat_of(net_cents: int, rate_pct: int) -> int:
    """VAT on a line, rounded half away from zero to the cent."""
    value = (abs(net_cents) * rate_pct + 50) // 100
    return value if net_cents >= 0 else -value
