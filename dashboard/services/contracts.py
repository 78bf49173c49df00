"""Contracts of a customer: term, value, service level, renewal due, and what they cover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Contract, InstalledItem

RENEWAL_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class ContractRow:
    id: int
    contract_number: str
    type: str
    start_date: date
    end_date: date
    annual_value_cents: int
    billing_frequency: str
    service_level: str
    auto_renew: bool
    notice_days: int
    status: str
    covered_items: int

    def renewal_due(self, today: date) -> bool:
        """Active and ending within 90 days: the customer should hear from us now."""
        return self.status == "active" and today <= self.end_date <= today + RENEWAL_WINDOW

    def notice_deadline(self) -> date:
        return self.end_date - timedelta(days=self.notice_days)

    def state(self, today: date) -> str:
        if self.status != "active" or self.end_date < today:
            return "Expired" if self.status != "terminated" else "Terminated"
        if self.renewal_due(today):
            return "Renews automatically soon" if self.auto_renew else "Renewal due"
        return "Active"


def list_contracts(*, session: Session, customer_id: int) -> list[ContractRow]:
    covered = (select(InstalledItem.contract_id, func.count().label("n"))
               .where(InstalledItem.customer_id == customer_id,
                      InstalledItem.status == "installed")
               .group_by(InstalledItem.contract_id).subquery())
    rows = session.execute(
        select(Contract, func.coalesce(covered.c.n, 0))
        .outerjoin(covered, covered.c.contract_id == Contract.id)
        .where(Contract.customer_id == customer_id)
        .order_by(Contract.status, Contract.end_date.desc())
    )
    return [ContractRow(c.id, c.contract_number, c.type, c.start_date, c.end_date,
                        c.annual_value_cents, c.billing_frequency, c.service_level, c.auto_renew,
                        c.notice_days, c.status, int(n)) for c, n in rows]
