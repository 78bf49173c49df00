"""Peppol addresses and e-invoice delivery states, as a Belgian vendor's would look in 2026.

Since 1 January 2026 Belgian companies exchange invoices over Peppol: every Belgian customer
has an address (``0208`` + its enterprise number; public bodies have one without a VAT
number) and receives the invoices issued from that date. Luxembourg has a public-sector
mandate only: its public bodies are on Peppol, about half of its companies too. Invoices
issued before 2026 went by post and e-mail and have no e-invoice state.

Draws come from a generator of their own per customer and per invoice, so adding this left
the rest of the dataset as it was.
"""

from __future__ import annotations

import random
from datetime import date

from dashboard.services.einvoices import (
    ENTERPRISE_NUMBER_SCHEME,
    LUXEMBOURG_VAT_SCHEME,
    endpoint_of,
)

MANDATE_START = date(2026, 1, 1)
# Peppol status reason codes a receiver gives when it rejects an invoice, with what their
# accounts payable typically write, in the customer's language.
REJECTIONS: dict[str, dict[str, str]] = {
    "REF": {"nl": "Bestelbonnummer ontbreekt of is onbekend bij ons.",
            "fr": "Numéro de bon de commande manquant ou inconnu chez nous.",
            "de": "Bestellnummer fehlt oder ist uns unbekannt.",
            "en": "Purchase order number missing or unknown to us."},
    "PRI": {"nl": "Prijs komt niet overeen met de offerte.",
            "fr": "Le prix ne correspond pas à l'offre.",
            "de": "Der Preis entspricht nicht dem Angebot.",
            "en": "The price does not match the quotation."},
    "QTY": {"nl": "Gefactureerde hoeveelheid hoger dan geleverd.",
            "fr": "Quantité facturée supérieure à la quantité livrée.",
            "de": "Berechnete Menge höher als geliefert.",
            "en": "Quantity invoiced is more than was delivered."},
    "LEG": {"nl": "Verkeerde facturatieentiteit: factureer aan onze hoofdzetel.",
            "fr": "Mauvaise entité de facturation : veuillez facturer notre siège.",
            "de": "Falsche Rechnungsadresse: bitte an unseren Hauptsitz.",
            "en": "Wrong legal entity: please invoice our head office."},
    "DEL": {"nl": "Goederen nog niet ontvangen.",
            "fr": "Marchandises pas encore reçues.",
            "de": "Ware noch nicht erhalten.",
            "en": "Goods not received yet."},
}


def _rng(kind: str, ident: int) -> random.Random:
    return random.Random(f"einvoice-{kind}-{ident}")


def enterprise_number(rng: random.Random) -> str:
    """A checksum-valid Belgian enterprise number of a public body (0200… to 0299…)."""
    base = rng.randrange(2_000_000, 3_000_000)
    return f"{base:08d}{97 - base % 97:02d}"


def customer_endpoint(customer_id: int, country: str, vat_number: str | None) -> str:
    """The customer's Peppol address (whether or not it is registered on the network)."""
    rng = _rng("customer", customer_id)
    if country == "BE":
        return endpoint_of(country, vat_number) or (
            f"{ENTERPRISE_NUMBER_SCHEME}:{enterprise_number(rng)}")
    # Luxembourg addresses bodies without a VAT number by their register number, under the
    # same scheme.
    return endpoint_of(country, vat_number) or (
        f"{LUXEMBOURG_VAT_SCHEME}:LU{rng.randrange(10**7, 10**8)}")


def on_peppol(customer_id: int, country: str, segment: str) -> bool:
    """Registered to receive: every Belgian company, Luxembourg's public bodies and about
    half of its companies."""
    return country == "BE" or segment == "public_sector" or (
        _rng("registered", customer_id).random() < 0.5)


def takes_monthly_statement(contact_id: int, role: str) -> bool:
    """About a third of the finance contacts asked for the monthly statement by e-mail."""
    return role == "finance" and _rng("statement", contact_id).random() < 0.35


def delivery(invoice_id: int, issued: date, released_ts: int | None, now_ts: int,
             registered: bool, language: str) -> tuple[str | None, str | None, str | None,
                                                            int | None]:
    """(state, reason code, note, at) for one invoice."""
    if released_ts is None or issued < MANDATE_START:
        return None, None, None, None
    if not registered:
        return "not_on_peppol", None, None, released_ts
    rng = _rng("invoice", invoice_id)
    answered = released_ts + 60 * (2 + int(rng.random() * 40))
    if answered > now_ts:
        return "sent", None, None, released_ts
    if rng.random() < 0.03:
        code = rng.choice(sorted(REJECTIONS))
        later = released_ts + 3600 * (20 + int(rng.random() * 100))
        at = min(later, now_ts)
        return "rejected", code, REJECTIONS[code].get(language, REJECTIONS[code]["en"]), at
    return "delivered", None, None, answered
