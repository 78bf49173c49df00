"""Customers, their contacts and their sites."""

from __future__ import annotations

import math

from db.text import contact_search_name, email_domain, fold
from seed import einvoicing
from seed import identifiers as ident
from seed.context import (
    ContactInfo,
    Context,
    CustomerFile,
    Quota,
    chance,
    cumulate,
    pick,
    weighted,
)
from seed.names import (
    ACTIVITIES,
    BE_STREETS,
    CITIES,
    CITY_PATTERNS,
    COMPANY_PATTERNS,
    CUSTOMER_LANGUAGES,
    DEPARTMENTS,
    EN_ADJECTIVES,
    EN_CITY_NAMES,
    EN_NOUNS,
    EN_SUFFIXES,
    FIRST_NAMES,
    FLAVOUR_COUNTRY,
    FLAVOUR_WEIGHTS,
    LAST_NAMES,
    LEGAL_FORMS,
    LU_ADDRESSES,
    PUBLIC_BODIES,
    PUBLIC_SCHOOLS,
    SAINTS,
    SAINTS_FR,
    SCHOOL_NAMES,
    SCHOOL_NAMES_FR,
    SITE_NAMES,
    TRADES,
    City,
)
from seed.rows import ContactRow, CustomerRow, SiteRow

_FLAVOURS = tuple(f for f, _ in FLAVOUR_WEIGHTS)
_FLAVOUR_CUMULATIVE = cumulate([w for _, w in FLAVOUR_WEIGHTS])
_CITIES_BY_FLAVOUR = {
    flavour: tuple(c for c in CITIES if c.flavour == flavour) for flavour in _FLAVOURS
}
_CITIES_BY_FLAVOUR["en"] = tuple(c for c in CITIES if c.name in EN_CITY_NAMES)

SEGMENTS = ("enterprise", "mid_market", "small_business", "public_sector")
_SEGMENT_CUMULATIVE = cumulate([8, 27, 55, 10])
# Bigger organisations buy more; the mean over the mix stays close to 1.
_SEGMENT_WEIGHT = {"enterprise": 2.5, "mid_market": 1.3, "small_business": 0.6,
                   "public_sector": 1.2}
_CREDIT_LIMIT_EUR = {"enterprise": (100_000, 500_000), "mid_market": (25_000, 100_000),
                     "small_business": (2_500, 20_000), "public_sector": (50_000, 250_000)}
_CONTACT_COUNT = {"enterprise": (3, 6), "mid_market": (2, 4), "small_business": (1, 3),
                  "public_sector": (2, 5)}

PAYERS = ("prompt", "slow", "erratic", "direct_debit")
_PAYER_CUMULATIVE = cumulate([55, 27, 8, 10])

CONTACT_ROLES = ("purchasing", "finance", "it", "management", "facilities", "other")
_ROLE_CUMULATIVE = cumulate([30, 25, 25, 10, 6, 4])
_TIERS = ("guest", "registered", "entitled")
_TIER_CUMULATIVE = cumulate([35, 45, 20])
_OTHER_LANGUAGES = {"fr": ("nl", "en"), "lu": ("fr", "de", "en"), "en": ("nl", "fr")}
_GENERIC_MAILBOX = {"nl": "info", "fr": "info", "de": "info", "en": "info"}
_ACCOUNTS_MAILBOX = {"nl": "boekhouding", "fr": "comptabilite", "de": "buchhaltung",
                     "en": "accounts"}


NATIONAL_ACCOUNT_WEIGHT = 400.0  # over 2,000 invoices over the years


def customer_weight(ctx: Context, segment: str, key_account: bool,
                    national_account: bool = False) -> float:
    """How much business this customer does relative to an average one (log-normal)."""
    base = math.exp(ctx.rng.gauss(0.0, 0.8) - 0.32)
    if national_account:
        return NATIONAL_ACCOUNT_WEIGHT
    return min(base, 6.0) * _SEGMENT_WEIGHT[segment] * (4.0 if key_account else 1.0)


def _company_name(ctx: Context, flavour: str, city: City, segment: str, attempt: int) -> str:
    """A name for the firm; later attempts draw from larger pools (the town, a department)
    so that every name, and so every e-mail domain, can be unique."""
    rng = ctx.rng
    if segment == "public_sector":
        fields = {"city": city.name, "saint": pick(rng, SAINTS), "saint_fr": pick(rng, SAINTS_FR),
                  "school": pick(rng, SCHOOL_NAMES), "school_fr": pick(rng, SCHOOL_NAMES_FR)}
        if attempt >= 4:  # a department of a city or body, invoiced on its own
            body = pick(rng, PUBLIC_BODIES[flavour]).format(**fields)
            return f"{body} – {pick(rng, DEPARTMENTS[flavour])}"
        return pick(rng, PUBLIC_BODIES[flavour] if attempt < 2 and chance(rng, 0.4)
                    else PUBLIC_SCHOOLS[flavour]).format(**fields)
    names = LAST_NAMES[flavour]
    patterns = COMPANY_PATTERNS[flavour] if attempt < 3 else CITY_PATTERNS[flavour]
    return pick(rng, patterns).format(
        last=pick(rng, names), last2=pick(rng, names),
        trade=pick(rng, TRADES.get(flavour, TRADES["nl"])),
        activity=pick(rng, ACTIVITIES.get(flavour, ACTIVITIES["fr"])),
        form=pick(rng, LEGAL_FORMS[flavour]), adjective=pick(rng, EN_ADJECTIVES),
        noun=pick(rng, EN_NOUNS), suffix=pick(rng, EN_SUFFIXES),
        city=pick(rng, _CITIES_BY_FLAVOUR[flavour]).name,
    )


def _unique_name(ctx: Context, flavour: str, city: City, segment: str,
                 country: str) -> tuple[str, str]:
    """A company name and e-mail domain that no other customer has (the domain also tells
    names apart that differ only by legal form, case or accents)."""
    for attempt in range(60):
        name = _company_name(ctx, flavour, city, segment, attempt)
        domain = ident.domain_for(name, country)
        if domain not in ctx.used_domains:
            break
    else:
        raise RuntimeError("no unique company name left: widen seed/names.py")
    ctx.used_domains.add(domain)
    ctx.used_customer_names.add(name)
    return name, domain


def _payer(ctx: Context, segment: str, quota: Quota) -> str:
    """How the customer pays; large accounts pay through a process, never erratically."""
    payer = weighted(ctx.rng, PAYERS, _PAYER_CUMULATIVE)
    if payer == "erratic" and (segment == "enterprise" or quota.key_account
                               or quota.national_account):
        return "slow"
    return payer


def street_address(ctx: Context, flavour: str, city: City) -> tuple[str, str]:
    """A street of ``city`` with a house number, and the postcode (LU: the street's)."""
    number = 1 + int(ctx.rng.random() ** 2 * 180)
    if flavour == "lu":
        street, postcode = pick(ctx.rng, LU_ADDRESSES[city.name])
        return f"{number}, {street}", postcode
    return f"{pick(ctx.rng, BE_STREETS[city.name])} {number}", city.postal_code


def new_customer(ctx: Context, quota: Quota) -> CustomerFile:
    rng, clock = ctx.rng, ctx.clock
    customer_id = ctx.ids.customer()
    flavour = weighted(rng, _FLAVOURS, _FLAVOUR_CUMULATIVE)
    country = FLAVOUR_COUNTRY[flavour]
    city = pick(rng, _CITIES_BY_FLAVOUR[flavour])
    segment = weighted(rng, SEGMENTS, _SEGMENT_CUMULATIVE)
    if (quota.key_account or quota.national_account) and segment == "small_business":
        segment = "enterprise"
    languages, language_weights = CUSTOMER_LANGUAGES[flavour]
    language = weighted(rng, languages, cumulate(language_weights))
    name, domain = _unique_name(ctx, flavour, city, segment, country)
    street, postcode = street_address(ctx, flavour, city)
    # The vendor's terms are 30 days (Belgian law gives public bodies 30 days too); a few
    # smaller customers have 14 or 60.
    terms = 30 if segment in ("public_sector", "enterprise") else pick(
        rng, (30,) * 10 + (14, 60))
    low, high = _CREDIT_LIMIT_EUR[segment]
    customer = CustomerFile(
        id=customer_id, number=f"C{100000 + customer_id}", name=name, flavour=flavour,
        country=country, language=language, segment=segment, city=city, domain=domain,
        phone=ident.landline(rng, city), weight=customer_weight(ctx, segment, quota.key_account,
                                                                  quota.national_account),
        payer=_payer(ctx, segment, quota), terms_days=terms,
        iban=ident.iban(rng, country),
        since=clock.days_ago(400 + int(rng.random() * 3600)), quota=quota,
        street=street, postal_code=postcode,
    )
    vat = None if segment == "public_sector" and chance(rng, 0.3) else ctx.vat_numbers.issue(
        country)
    customer.vat_number = vat
    customer.peppol_endpoint = einvoicing.customer_endpoint(customer_id, country, vat)
    customer.on_peppol = einvoicing.on_peppol(customer_id, country, segment)
    mailbox = _ACCOUNTS_MAILBOX if chance(rng, 0.4) else _GENERIC_MAILBOX
    ctx.batch["customers"].append(CustomerRow(
        id=customer_id, customer_number=customer.number, name=name, name_search=fold(name),
        vat_number=vat, country=country, language=language, segment=segment,
        account_manager_id=pick(rng, ctx.staff.account_managers),
        credit_limit_cents=(low + int(rng.random() * (high - low)) // 500 * 500) * 100,
        payment_terms_days=terms, iban=customer.iban,
        peppol_endpoint=customer.peppol_endpoint,
        email=f"{mailbox.get(language, 'info')}@{domain}", phone=customer.phone,
        street=customer.street, postal_code=postcode, city=city.name,
        is_active=not chance(rng, 0.02),
        created_at=ctx.stamp(clock.at(customer.since, 8)),
    ))
    _add_contacts(ctx, customer)
    _add_sites(ctx, customer)
    return customer


def _contact_language(ctx: Context, customer: CustomerFile) -> str:
    # In Brussels and Luxembourg people switch language more than elsewhere.
    if customer.flavour in ("fr", "lu", "en") and chance(ctx.rng, 0.15):
        return pick(ctx.rng, _OTHER_LANGUAGES[customer.flavour])
    return customer.language


def _add_contacts(ctx: Context, customer: CustomerFile) -> None:
    rng = ctx.rng
    low, high = _CONTACT_COUNT[customer.segment]
    count = low + int(rng.random() * (high - low + 1))
    name_flavour = customer.flavour if customer.flavour != "en" or chance(rng, 0.6) else "nl"
    seen_emails: set[str] = set()
    for position in range(count):
        contact_id = ctx.ids.contact()
        first = pick(rng, FIRST_NAMES[name_flavour])
        last = pick(rng, LAST_NAMES[name_flavour])
        role = ("finance" if position == 1 else
                weighted(rng, CONTACT_ROLES, _ROLE_CUMULATIVE))
        if position == 0:
            role = "management" if customer.segment == "small_business" else "purchasing"
        email = f"{ident.email_local_part(first, last)}@{customer.domain}"
        if email in seen_emails:
            email = f"{ident.email_local_part(first, last)}{position}@{customer.domain}"
        seen_emails.add(email)
        info = ContactInfo(
            id=contact_id, first_name=first, last_name=last, email=email,
            phone=ident.landline(rng, customer.city) if chance(rng, 0.8) else None,
            mobile=ident.mobile(rng, customer.country) if chance(rng, 0.7) else None,
            fax=ident.landline(rng, customer.city) if chance(rng, 0.15) else None,
            language=_contact_language(ctx, customer), role=role,
            invoice_notifications=role == "finance" and chance(rng, 0.6),
            is_active=position == 0 or not chance(rng, 0.06),
        )
        customer.contacts.append(info)
        ctx.batch["contacts"].append(ContactRow(
            id=contact_id, customer_id=customer.id, first_name=first, last_name=last,
            role=role, language=info.language, email=email,
            name_search=contact_search_name(first, last), email_domain=email_domain(email),
            phone=info.phone,
            mobile=info.mobile, fax=info.fax,
            portal_tier=weighted(rng, _TIERS, _TIER_CUMULATIVE),
            invoice_notifications=info.invoice_notifications, is_primary=position == 0,
            is_active=info.is_active,
            statement_notifications=einvoicing.takes_monthly_statement(contact_id, role),
        ))


def _add_sites(ctx: Context, customer: CustomerFile) -> None:
    rng = ctx.rng
    count = 1 + min(int(rng.random() ** 2 * 4 * customer.weight), 5)
    names_used: set[str] = set()
    flavour = customer.flavour
    for position in range(count):
        city = customer.city if position == 0 else pick(rng, _CITIES_BY_FLAVOUR[flavour])
        templates = SITE_NAMES[flavour]
        name = (templates[0] if position == 0 else pick(rng, templates[1:])).format(
            city=city.name)
        if name in names_used:
            name = f"{name} {position + 1}"
        names_used.add(name)
        site_id = ctx.ids.site()
        customer.sites.append(site_id)
        street, postcode = ((customer.street, customer.postal_code) if position == 0
                            else street_address(ctx, flavour, city))
        ctx.batch["sites"].append(SiteRow(
            id=site_id, customer_id=customer.id, name=name,
            street=street, postal_code=postcode, city=city.name,
            country=customer.country,
        ))
