"""Universal search latency over a mix of every kind of query (server side, ms).

    python -m bench.bench_search --database-url sqlite:///data/large.db [--rounds 20]

Budget: p95 <= 50 ms per query.
"""

from __future__ import annotations

import random
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.common import parser, percentile, table, timed_ms, url
from dashboard.services import search
from dashboard.services.invoices import structured_reference
from db.engine import make_engine
from db.models import Contact, Contract, Customer, Enquiry, InstalledItem, Invoice, Order

BUDGET_MS = 50.0


def _sample(session: Session, column, n: int, rng: random.Random) -> list:  # type: ignore[no-untyped-def]
    top = session.scalar(select(func.max(column.class_.id)))
    values = []
    for _ in range(n * 3):
        if len(values) >= n:
            break
        value = session.scalar(select(column).where(column.class_.id == rng.randint(1, top),
                                                    column.is_not(None)))
        if value:
            values.append(value)
    return values


def queries(session: Session, per_kind: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    mix: list[tuple[str, str]] = []
    for number in _sample(session, Customer.customer_number, per_kind, rng):
        mix.append(("customer number", number.lower()))
    for name in _sample(session, Customer.name, per_kind, rng):
        mix.append(("name prefix", name[: rng.randint(4, 9)]))
        words = name.split()
        mix.append(("name contains", max(words, key=len)[:6]))
    for vat in _sample(session, Customer.vat_number, per_kind, rng):
        digits = vat[2:]
        spelled = (f"{vat[:2]} {digits[:4]}.{digits[4:7]}.{digits[7:]}" if vat[:2] == "BE"
                   else f"{vat[:2]} {digits}")
        mix.append(("VAT number", rng.choice([spelled, digits, vat])))
    for number in _sample(session, Order.order_number, per_kind, rng):
        mix.append(("order number", number))
    for po in _sample(session, Order.customer_po, per_kind, rng):
        mix.append(("customer PO", po))
    for number in _sample(session, Invoice.number, per_kind, rng):
        mix.append(("invoice/credit note", number.lower()))
    for ref in _sample(session, Invoice.payment_reference, per_kind, rng):
        mix.append(("payment reference", rng.choice([structured_reference(ref), ref])))
    for number in _sample(session, Contract.contract_number, per_kind, rng):
        mix.append(("contract number", number))
    for serial in _sample(session, InstalledItem.serial_number, per_kind, rng):
        mix.append(("serial number", serial))
    for email in _sample(session, Contact.email, per_kind, rng):
        mix.append(("contact e-mail", email.upper()))
    for last in _sample(session, Contact.last_name, per_kind, rng):
        mix.append(("contact name", last.upper()))
    for email in _sample(session, Contact.email, per_kind, rng):
        mix.append(("e-mail domain", "@" + email.split("@")[1]))
        mix.append(("start of an address", email.split("@")[0] + "@"))
    for number in _sample(session, Invoice.number, per_kind, rng):
        year, seq = number.split("-")[1:]
        mix.append(("number without prefix", f"{year}/{int(seq)}"))
    for reference in _sample(session, Enquiry.reference, per_kind, rng):
        mix.append(("enquiry reference", reference.lower()))
    for tracking in _sample(session, Order.tracking_number, per_kind, rng):
        mix.append(("tracking number", tracking))
    for phone in _sample(session, Contact.phone, per_kind, rng):
        local = "0" + phone[3:] if phone.startswith("+32") else phone
        mix.append(("phone", rng.choice([phone, local, " ".join([local[:3], local[3:]])])))
    return mix


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--per-kind", type=int, default=20)
    args = p.parse_args()
    engine = make_engine(url(args))
    with Session(engine) as session:
        mix = queries(session, args.per_kind)
        for _, q in mix[:20]:  # warm the caches as a running server would be
            search.search(session=session, query=q)
        timings: dict[str, list[float]] = defaultdict(list)
        misses: dict[str, int] = defaultdict(int)
        for kind, q in mix:
            hits: list[search.SearchHit] = []
            timings[kind].append(timed_ms(lambda q=q, h=hits: h.extend(
                search.search(session=session, query=q))))
            misses[kind] += not hits
    every = [t for values in timings.values() for t in values]
    rows = [(kind, len(v), percentile(v, 0.5), percentile(v, 0.95), max(v), misses[kind])
            for kind, v in timings.items()]
    rows.append(("ALL", len(every), percentile(every, 0.5), percentile(every, 0.95), max(every),
                 sum(misses.values())))
    print(f"Universal search on {engine.url.render_as_string()} (ms)")
    print(table(rows, ("kind", "queries", "p50", "p95", "max", "not found")))
    verdict = "within" if percentile(every, 0.95) <= BUDGET_MS else "OVER"
    print(f"p95 {percentile(every, 0.95):.1f} ms — {verdict} the {BUDGET_MS:.0f} ms budget")


if __name__ == "__main__":
    main()
