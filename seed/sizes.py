"""Dataset sizes. One generator serves both; a size only changes how many of everything."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SizeProfile:
    name: str
    customers: int
    # How many times the fixed showcase (in-flight orders, overdue invoices in every ageing
    # bucket, expiring contracts, open enquiries in every state) is repeated.
    showcase_repeats: int
    # Customers generated between two writes to the database.
    batch_customers: int
    # Generate in a second process while this one writes (two cores: about half the time).
    # The demo stays in-process: it is quick, and it runs inside the app's server.
    generate_in_subprocess: bool
    # National accounts: a few customers with thousands of invoices, as real ledgers have.
    national_accounts: int = 0

    def scaled(self, factor: float) -> SizeProfile:
        """The same dataset with ``factor`` times the customers (showcase in proportion)."""
        if factor == 1.0:
            return self
        if factor <= 0:
            raise ValueError("scale must be positive")
        customers = max(20, round(self.customers * factor))
        return replace(self, name=f"{self.name}×{factor:g}", customers=customers,
                       showcase_repeats=max(1, round(self.showcase_repeats * factor)),
                       batch_customers=min(self.batch_customers, customers),
                       national_accounts=round(self.national_accounts * factor))


SIZES: dict[str, SizeProfile] = {
    "demo": SizeProfile("demo", customers=120, showcase_repeats=1, batch_customers=120,
                        generate_in_subprocess=False),
    "large": SizeProfile("large", customers=50_000, showcase_repeats=10, batch_customers=500,
                         generate_in_subprocess=True, national_accounts=2),
}

# Mean counts per customer of average weight (see customers.customer_weight).
ORDERS_PER_CUSTOMER = 4.6
CONTRACTS_PER_CUSTOMER = 2.8
ITEMS_PER_CUSTOMER = 6.5
ENQUIRIES_PER_CUSTOMER = 4.0
# Yearly document counts per customer (measured on the large size), so that document
# numbers follow dates closely (see identifiers.DocumentNumbers).
YEARLY_PER_CUSTOMER = {"orders": 2.3, "invoices": 11.0, "credit_notes": 0.16,
                       "contracts": 0.65, "enquiries": 2.2}
