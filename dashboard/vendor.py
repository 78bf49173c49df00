"""Who issues the documents: the vendor's name, address, VAT number and bank details.

Read from ``[vendor]`` in the secrets file; the defaults describe the demo company.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.config import read_secrets


@dataclass(frozen=True)
class Vendor:
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    vat_number: str
    iban: str
    bic: str
    email: str
    phone: str
    website: str
    fax: str = "+32 2 225 23 01"


DEMO_VENDOR = Vendor(
    name="CSOL IT Solutions NV", street="Kunstlaan 56", postal_code="1000", city="Brussel",
    country="Belgium", vat_number="BE 0403.019.261", iban="BE71 0961 2345 6769",
    bic="GKCCBEBB", email="support@csol.example", phone="+32 2 225 23 00",
    website="www.csol.example",
)


def load_vendor() -> Vendor:
    configured = read_secrets().get("vendor", {})
    fields = {name: str(configured.get(name, getattr(DEMO_VENDOR, name)))
              for name in Vendor.__dataclass_fields__}
    return Vendor(**fields)
