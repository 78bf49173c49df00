"""Installed inventory by site, coverage, and changes to it (add, relocate, remove).

Every change is an ``inventory_changes`` row (who, when, why, from which enquiry) plus an
audit entry, saved in the caller's transaction. Relocating or removing checks the item's
``version`` against the one the form showed, so a concurrent change is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from dashboard.formatting import day
from dashboard.services import audit
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.paging import Page
from dashboard.services.users import UserInfo
from dashboard.services.versioned import changed_by, write_if_unchanged
from db.models import (
    Contract,
    Enquiry,
    InstalledItem,
    InventoryChange,
    Product,
    Site,
    User,
)
from db.types import utcnow

MIN_REASON_LENGTH = 5
COVERAGE_FILTERS = ("all", "covered", "not_covered")


@dataclass(frozen=True)
class ItemFilter:
    site_id: int | None = None
    coverage: str = "all"
    include_removed: bool = False


@dataclass(frozen=True)
class ItemRow:
    id: int
    serial_number: str
    sku: str
    product: str
    site_id: int
    site: str
    installed_on: date
    warranty_end: date | None
    contract_number: str | None
    contract_end: date | None
    status: str
    version: int
    covered_by: str   # "contract", "warranty" or "" (not covered)

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)

    @property
    def coverage(self) -> str:
        if self.status == "removed":
            return "Removed"
        return {"contract": "Contract", "warranty": "Warranty"}.get(self.covered_by,
                                                                     "Not covered")

    @property
    def covered_until(self) -> date | None:
        if self.covered_by == "contract":
            return self.contract_end
        if self.covered_by == "warranty":
            return self.warranty_end
        return None

    @property
    def coverage_text(self) -> str:
        """As said on the phone: 'Contract CT-2026-00012 until 31/12/2027'."""
        if self.covered_by == "contract":
            return f"Contract {self.contract_number} until {day(self.contract_end)}"
        if self.covered_by == "warranty":
            return f"Warranty until {day(self.warranty_end)}"
        return self.coverage


@dataclass(frozen=True)
class SiteOption:
    id: int
    name: str
    city: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.city})"


def _coverage(today: date, contract: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    by_contract = and_(contract.id.is_not(None), contract.status == "active",
                       contract.end_date >= today, contract.start_date <= today)
    by_warranty = and_(InstalledItem.warranty_end.is_not(None),
                       InstalledItem.warranty_end >= today)
    return by_contract, by_warranty


def list_items(*, session: Session, customer_id: int, flt: ItemFilter, today: date,
               limit: int = 100, offset: int = 0) -> Page[ItemRow]:
    contract = aliased(Contract)
    by_contract, by_warranty = _coverage(today, contract)
    query = (
        select(InstalledItem, Product.sku, Product.name, Site.name, contract.contract_number,
               contract.end_date,
               case((by_contract, "contract"), (by_warranty, "warranty"), else_=""))
        .join(Product, Product.id == InstalledItem.product_id)
        .join(Site, Site.id == InstalledItem.site_id)
        .outerjoin(contract, contract.id == InstalledItem.contract_id)
        .where(InstalledItem.customer_id == customer_id)
    )
    if not flt.include_removed:
        query = query.where(InstalledItem.status == "installed")
    if flt.site_id is not None:
        query = query.where(InstalledItem.site_id == flt.site_id)
    if flt.coverage == "covered":
        query = query.where(or_(by_contract, by_warranty))
    elif flt.coverage == "not_covered":
        query = query.where(~or_(by_contract, by_warranty))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Site.name, Product.name, InstalledItem.serial_number)
                           .limit(limit).offset(offset))
    return Page([
        ItemRow(i.id, i.serial_number, sku, product, i.site_id, site, i.installed_on,
                i.warranty_end, contract_number, contract_end, i.status, i.version, covered_by)
        for i, sku, product, site, contract_number, contract_end, covered_by in rows
    ], int(total), limit, offset)


def list_sites(*, session: Session, customer_id: int) -> list[SiteOption]:
    return [SiteOption(s.id, s.name, s.city) for s in session.scalars(
        select(Site).where(Site.customer_id == customer_id).order_by(Site.name))]


@dataclass(frozen=True)
class ProductOption:
    id: int
    sku: str
    name: str
    warranty_months: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.sku})"


def serialized_products(*, session: Session) -> list[ProductOption]:
    return [ProductOption(p.id, p.sku, p.name, p.warranty_months) for p in session.scalars(
        select(Product).where(Product.is_serialized.is_(True)).order_by(Product.name))]


@dataclass(frozen=True)
class ChangeRow:
    changed_at: datetime
    kind: str
    from_site: str | None
    to_site: str | None
    reason: str
    changed_by: str | None
    enquiry_reference: str | None


def item_history(*, session: Session, item_id: int) -> list[ChangeRow]:
    from_site, to_site = aliased(Site), aliased(Site)
    rows = session.execute(
        select(InventoryChange, from_site.name, to_site.name, User.full_name, Enquiry.reference)
        .outerjoin(from_site, from_site.id == InventoryChange.from_site_id)
        .outerjoin(to_site, to_site.id == InventoryChange.to_site_id)
        .outerjoin(User, User.id == InventoryChange.changed_by_id)
        .outerjoin(Enquiry, Enquiry.id == InventoryChange.enquiry_id)
        .where(InventoryChange.installed_item_id == item_id)
        .order_by(InventoryChange.changed_at.desc(), InventoryChange.id.desc())
    )
    return [ChangeRow(c.changed_at, c.kind, f, t, c.reason, who, ref)
            for c, f, t, who, ref in rows]


def _check_reason(reason: str, problems: list[str]) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        problems.append(f"Say why (at least {MIN_REASON_LENGTH} characters).")
    return reason


def _check_site(session: Session, site_id: int | None, customer_id: int,
                problems: list[str]) -> Site | None:
    site = session.get(Site, site_id) if site_id else None
    if site is None or site.customer_id != customer_id:
        problems.append("Choose one of this customer's sites.")
        return None
    return site


def _check_enquiry(session: Session, enquiry_id: int | None, customer_id: int,
                   problems: list[str]) -> None:
    if enquiry_id is None:
        return
    owner = session.scalar(select(Enquiry.customer_id).where(Enquiry.id == enquiry_id))
    if owner != customer_id:
        problems.append("The enquiry must be one of this customer's.")


def add_item(*, session: Session, customer_id: int, site_id: int | None, product_id: int | None,
             serial_number: str, installed_on: date | None, warranty_end: date | None,
             contract_id: int | None, reason: str, enquiry_id: int | None, by: UserInfo,
             today: date) -> int:
    problems: list[str] = []
    serial = serial_number.strip().upper()
    if not serial:
        problems.append("Enter the serial number.")
    elif session.scalar(select(InstalledItem.id).where(InstalledItem.serial_number == serial)):
        problems.append(f"Serial number {serial} is already registered.")
    product = session.get(Product, product_id) if product_id else None
    if product is None:
        problems.append("Choose the product.")
    _check_site(session, site_id, customer_id, problems)
    if installed_on is None:
        problems.append("Enter the installation date.")
    elif installed_on > today:
        problems.append("The installation date cannot be in the future.")
    if warranty_end and installed_on and warranty_end < installed_on:
        problems.append("The warranty cannot end before the installation date.")
    if contract_id is not None:
        owner = session.scalar(select(Contract.customer_id).where(Contract.id == contract_id))
        if owner != customer_id:
            problems.append("The covering contract must be one of this customer's.")
    _check_enquiry(session, enquiry_id, customer_id, problems)
    reason = _check_reason(reason, problems)
    if problems:
        raise ValidationError(problems)
    item = InstalledItem(serial_number=serial, product_id=product_id, customer_id=customer_id,
                         site_id=site_id, contract_id=contract_id, installed_on=installed_on,
                         warranty_end=warranty_end, status="installed")
    session.add(item)
    session.flush()
    _record(session, item, "add", None, site_id, reason, enquiry_id, by)
    return item.id


def relocate_item(*, session: Session, item_id: int, to_site_id: int | None, reason: str,
                  enquiry_id: int | None, expected_version: int, by: UserInfo) -> None:
    item = _current(session, item_id, expected_version)
    problems: list[str] = []
    if item.status != "installed":
        problems.append("A removed item cannot be relocated.")
    site = _check_site(session, to_site_id, item.customer_id, problems)
    if site is not None and site.id == item.site_id:
        problems.append("The item is already at that site.")
    _check_enquiry(session, enquiry_id, item.customer_id, problems)
    reason = _check_reason(reason, problems)
    if problems:
        raise ValidationError(problems)
    from_site = item.site_id
    _bump(session, item, expected_version, site_id=to_site_id)
    _record(session, item, "relocate", from_site, to_site_id, reason, enquiry_id, by)


def remove_item(*, session: Session, item_id: int, removed_on: date | None, reason: str,
                enquiry_id: int | None, expected_version: int, by: UserInfo,
                today: date) -> None:
    item = _current(session, item_id, expected_version)
    problems: list[str] = []
    if item.status != "installed":
        problems.append("The item was already removed.")
    if removed_on is None:
        problems.append("Enter the removal date.")
    elif removed_on > today:
        problems.append("The removal date cannot be in the future.")
    elif removed_on < item.installed_on:
        problems.append("The item cannot be removed before it was installed.")
    _check_enquiry(session, enquiry_id, item.customer_id, problems)
    reason = _check_reason(reason, problems)
    if problems:
        raise ValidationError(problems)
    _bump(session, item, expected_version, status="removed", removed_on=removed_on)
    _record(session, item, "remove", item.site_id, None, reason, enquiry_id, by)


def _current(session: Session, item_id: int, expected_version: int) -> InstalledItem:
    item = session.get(InstalledItem, item_id, populate_existing=True)
    if item is None:
        raise ValidationError(["That item no longer exists."])
    if item.version != expected_version:
        raise StaleEditError(_stale_message(session, item_id))
    return item


def _bump(session: Session, item: InstalledItem, expected_version: int, **values: Any) -> None:
    """Write only if nobody else did since the form was shown."""
    write_if_unchanged(session, item, expected_version,
                       lambda: _stale_message(session, item.id), **values)


def _stale_message(session: Session, item_id: int) -> str:
    return changed_by(session, select(User.full_name, InventoryChange.changed_at)
                      .outerjoin(User, User.id == InventoryChange.changed_by_id)
                      .where(InventoryChange.installed_item_id == item_id)
                      .order_by(InventoryChange.changed_at.desc(), InventoryChange.id.desc()),
                      "item", "someone else")


def _record(session: Session, item: InstalledItem, kind: str, from_site: int | None,
            to_site: int | None, reason: str, enquiry_id: int | None, by: UserInfo) -> None:
    session.add(InventoryChange(installed_item_id=item.id, kind=kind, from_site_id=from_site,
                                to_site_id=to_site, reason=reason, enquiry_id=enquiry_id,
                                changed_by_id=by.id, changed_at=utcnow()))
    audit.record(session=session, action=f"inventory_{kind}", user_id=by.id,
                 username=by.username, entity_type="installed_item", entity_id=item.id,
                 before={"site_id": from_site} if from_site else None,
                 after={"site_id": to_site, "status": item.status, "reason": reason,
                        "enquiry_id": enquiry_id})
