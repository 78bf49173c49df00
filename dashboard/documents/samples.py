"""Hand-built documents for previews, tests and the benchmark (no database needed).

The numbers add up the way the services make them: line VAT rounded per line, totals as the
sums of the lines, a statement's running balance and ageing as ``services.statement`` does.
"""

from __future__ import annotations

from datetime import date, timedelta

from stdnum.be import ogm_vcs

from dashboard.services.invoices import BillTo, InvoiceDetail, LineDetail, Settlement, VatGroup
from dashboard.services.receivables import position
from dashboard.services.statement import Statement, StatementItem, bucket_for

CUSTOMERS = {
    "fr": BillTo("Société Générale de Bâtiment SA", "C200101", "BE 0417.497.106",
                 "Chaussée de Louvain 245", "5000", "Namur", "BE", "fr"),
    "nl": BillTo("Brouwerij Van Eyck & Zonen BV", "C200102", "BE 0456.810.810",
                 "Kortrijksesteenweg 1120", "9051", "Sint-Denijs-Westrem", "BE", "nl"),
    "de": BillTo("Müller & Söhne Haustechnik GmbH", "C200103", "BE 0891.317.559",
                 "Aachener Straße 17", "4700", "Eupen", "BE", "de"),
    "en": BillTo("Ångström Data Centre Services Sàrl", "C200104", "LU 15027442",
                 "12, rue Érasme", "1468", "Luxembourg", "LU", "en"),
}

PRODUCTS = (
    ("Dell Latitude 7450 notebook, Intel Core Ultra 7, 32 GB, 1 TB SSD, 14\" FHD+", 1_389_00),
    ("Docking station WD22TB4 Thunderbolt", 219_00),
    ("Microsoft 365 Business Premium, annual subscription per user", 264_00),
    ("On-site installation and configuration (per hour)", 95_00),
    ("HP LaserJet Enterprise M611dn toner, black, high capacity (25 000 pages)", 312_50),
    ("Cisco Catalyst 9200L 24-port switch with 4x10G uplinks, including Smart Net Total Care "
     "8x5xNBD for 36 months and remote configuration of VLANs, QoS and port security", 3_415_00),
    ("Cat6A patch cable 2 m, grey", 4_15),
    ("Extended warranty 3 years next business day, on-site", 149_00),
)


def reference(seed: int) -> str:
    """Twelve digits of a valid Belgian structured reference."""
    body = f"{seed % 10**10:010d}"
    return body + ogm_vcs.calc_check_digits(body)


def sample_invoice(language: str = "fr", *, lines: int = 50, kind: str = "invoice",
                   number: str = "INV-2026-000123", issue_date: date = date(2026, 11, 3),
                   paid_cents: int = 0, disputed: bool = False) -> InvoiceDetail:
    sign = -1 if kind == "credit_note" else 1
    rates = (21, 21, 21, 6, 21, 21, 0, 21)
    built = []
    for n in range(1, lines + 1):
        description, price = PRODUCTS[(n - 1) % len(PRODUCTS)]
        quantity = 1 + (n * 7) % 12
        rate = rates[(n - 1) % len(rates)]
        net = sign * quantity * price
        built.append(LineDetail(n, description, quantity, sign * price, rate, net,
                                round(net * rate / 100)))
    groups: dict[int, list[int]] = {}
    for ln in built:
        group = groups.setdefault(ln.vat_rate_pct, [0, 0])
        group[0] += ln.net_cents
        group[1] += ln.vat_cents
    net = sum(ln.net_cents for ln in built)
    vat = sum(ln.vat_cents for ln in built)
    settlements: tuple[Settlement, ...] = ()
    if paid_cents:
        settlements = (Settlement(issue_date + timedelta(days=12), "payment", "BANK-2026-88412",
                                  paid_cents),)
    return InvoiceDetail(
        id=1, customer_id=1, number=number, kind=kind,
        status="partially_paid" if paid_cents else "open", is_disputed=disputed,
        dispute_reason="Two docking stations were delivered damaged." if disputed else None,
        issue_date=issue_date, due_date=issue_date + timedelta(days=30),
        payment_reference=reference(int(number[-6:]) * 7919 + 1),
        net_cents=net, vat_cents=vat, total_cents=net + vat, open_cents=net + vat - paid_cents,
        bill_to=CUSTOMERS.get(language, CUSTOMERS["en"]),
        order_number="SO-2026-004512" if kind == "invoice" else None,
        contract_number="CT-2025-00042",
        credited_invoice="INV-2026-000087" if kind == "credit_note" else None,
        lines=tuple(built),
        vat_groups=tuple(VatGroup(r, n, v) for r, (n, v) in sorted(groups.items())),
        settlements=settlements,
    )


def sample_statement(language: str = "fr", *, items: int = 24,
                     as_of: date = date(2026, 11, 24)) -> Statement:
    """``items`` open items over the last year: mostly invoices, some credit notes and
    payments on account, aged and totalled the way the statement service does it."""
    entries = []
    for n in range(items):
        issued = as_of - timedelta(days=(n * 37) % 360)
        if n % 11 == 5:
            amount = -(50_00 + (n * 1_234) % 900_00)
            entries.append(("credit_note", f"CN-{issued.year}-{n + 1:06d}", issued, issued,
                            amount, amount, ""))
        elif n % 13 == 7:
            amount = -(100_00 + (n * 4_321) % 2_000_00)
            entries.append(("payment", f"CODA-{issued.year}-{n * 7_919:09d}", issued, issued,
                            amount, amount, ""))
        else:
            total = 120_00 + (n * 98_765) % 12_000_00
            open_cents = total if n % 4 else total // 2
            ref = reference(n * 104_729 + 17)
            entries.append(("invoice", f"INV-{issued.year}-{n + 1:06d}", issued,
                            issued + timedelta(days=30), total, open_cents,
                            f"+++{ref[:3]}/{ref[3:7]}/{ref[7:]}+++"))
    entries.sort(key=lambda e: (e[2], e[1]))
    balance = 0
    built = []
    for kind, number, issued, due, original, open_cents, ref in entries:
        balance += open_cents
        days = (as_of - due).days
        bucket = bucket_for(days)
        built.append(StatementItem(kind, number, issued, due, original, open_cents, balance,
                                   max(days, 0), bucket, ref))
    return Statement(customer_id=1, bill_to=CUSTOMERS.get(language, CUSTOMERS["en"]),
                     as_of=as_of, items=tuple(built),
                     ageing=position(((i.due_date, i.open_cents) for i in built), as_of).ageing)
