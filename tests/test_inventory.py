"""Installed inventory: coverage, validated changes, history, and no silent overwrites."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.services import inventory
from dashboard.services.errors import StaleEditError, ValidationError
from dashboard.services.inventory import ItemFilter
from dashboard.services.users import UserInfo
from db.models import AuditLog, InventoryChange
from tests import factories as f

TODAY = date(2026, 11, 24)


@pytest.fixture
def setup(session: Session) -> dict[str, object]:
    rep = f.user(session, "rep")
    by = UserInfo(rep.id, "rep", "Rep", "rep@x", "rep", None, None)
    c = f.customer(session, "Van den Bossche NV")
    other = f.customer(session, "Müller Technik GmbH")
    hq, depot = f.site(session, c, "Head office"), f.site(session, c, "Depot Gent")
    foreign_site = f.site(session, other, "Luxembourg")
    prod = f.product(session, is_serialized=True)
    active = f.contract(session, c, end_date=TODAY + timedelta(days=200))
    expired = f.contract(session, c, start_date=date(2022, 1, 1),
                         end_date=TODAY - timedelta(days=1), status="expired")
    covered = f.item(session, c, hq, prod, contract_id=active.id)
    lapsed = f.item(session, c, hq, prod, contract_id=expired.id,
                     warranty_end=TODAY - timedelta(days=30))
    warranty = f.item(session, c, depot, prod, warranty_end=TODAY + timedelta(days=10))
    enquiry = f.enquiry(session, customer_id=c.id)
    session.flush()
    return {"by": by, "c": c, "hq": hq, "depot": depot, "foreign_site": foreign_site,
            "prod": prod, "covered": covered, "lapsed": lapsed, "warranty": warranty,
            "enquiry": enquiry, "other": other}


def test_coverage_by_contract_warranty_or_none(session: Session, setup: dict) -> None:
    page = inventory.list_items(session=session, customer_id=setup["c"].id, flt=ItemFilter(),
                                today=TODAY)
    coverage = {r.id: r.covered_by for r in page.rows}
    assert coverage == {setup["covered"].id: "contract", setup["lapsed"].id: "",
                        setup["warranty"].id: "warranty"}
    uncovered = inventory.list_items(session=session, customer_id=setup["c"].id,
                                     flt=ItemFilter(coverage="not_covered"), today=TODAY)
    assert [r.id for r in uncovered.rows] == [setup["lapsed"].id]
    at_depot = inventory.list_items(session=session, customer_id=setup["c"].id,
                                    flt=ItemFilter(site_id=setup["depot"].id), today=TODAY)
    assert [r.id for r in at_depot.rows] == [setup["warranty"].id]


def test_relocate_records_who_when_why_and_enquiry(session: Session, setup: dict) -> None:
    item = setup["covered"]
    inventory.relocate_item(session=session, item_id=item.id, to_site_id=setup["depot"].id,
                            reason="Moved to the new depot", enquiry_id=setup["enquiry"].id,
                            expected_version=1, by=setup["by"])
    session.flush()
    session.refresh(item)
    assert item.site_id == setup["depot"].id and item.version == 2
    history = inventory.item_history(session=session, item_id=item.id)
    assert [(h.kind, h.from_site, h.to_site, h.enquiry_reference) for h in history] == [
        ("relocate", "Head office", "Depot Gent", setup["enquiry"].reference)]
    assert history[0].changed_by == "Rep" and history[0].reason == "Moved to the new depot"
    assert session.scalars(select(AuditLog.action)).all() == ["inventory_relocate"]


def test_a_stale_form_is_refused_and_nothing_is_overwritten(session: Session,
                                                            setup: dict) -> None:
    item = setup["covered"]
    inventory.relocate_item(session=session, item_id=item.id, to_site_id=setup["depot"].id,
                            reason="First change", enquiry_id=None, expected_version=1,
                            by=setup["by"])
    with pytest.raises(StaleEditError, match=r"changed by Rep at .* reload"):
        inventory.remove_item(session=session, item_id=item.id, removed_on=TODAY,
                              reason="Second change from an old form", enquiry_id=None,
                              expected_version=1, by=setup["by"], today=TODAY)
    session.refresh(item)
    assert item.status == "installed" and item.site_id == setup["depot"].id


def test_relocate_validation(session: Session, setup: dict) -> None:
    item = setup["covered"]
    cases = [
        ({"to_site_id": setup["hq"].id}, "already at that site"),
        ({"to_site_id": setup["foreign_site"].id}, "this customer's sites"),
        ({"to_site_id": None}, "this customer's sites"),
        ({"reason": "  "}, "Say why"),
    ]
    for change, message in cases:
        args = {"to_site_id": setup["depot"].id, "reason": "A valid reason", **change}
        with pytest.raises(ValidationError, match=message):
            inventory.relocate_item(session=session, item_id=item.id, enquiry_id=None,
                                    expected_version=1, by=setup["by"], **args)
    assert session.scalars(select(InventoryChange)).all() == []


def test_add_and_remove(session: Session, setup: dict) -> None:
    new_id = inventory.add_item(
        session=session, customer_id=setup["c"].id, site_id=setup["hq"].id,
        product_id=setup["prod"].id, serial_number=" sn-new-001 ", installed_on=TODAY,
        warranty_end=TODAY + timedelta(days=365), contract_id=None,
        reason="Delivered with order", enquiry_id=None, by=setup["by"], today=TODAY)
    rows = inventory.list_items(session=session, customer_id=setup["c"].id, flt=ItemFilter(),
                                today=TODAY).rows
    assert "SN-NEW-001" in {r.serial_number for r in rows}
    inventory.remove_item(session=session, item_id=new_id, removed_on=TODAY,
                          reason="Returned under RMA", enquiry_id=None, expected_version=1,
                          by=setup["by"], today=TODAY)
    after = inventory.list_items(session=session, customer_id=setup["c"].id, flt=ItemFilter(),
                                 today=TODAY).rows
    assert "SN-NEW-001" not in {r.serial_number for r in after}
    kinds = [h.kind for h in inventory.item_history(session=session, item_id=new_id)]
    assert kinds == ["remove", "add"]


def test_add_validation_lists_every_problem(session: Session, setup: dict) -> None:
    with pytest.raises(ValidationError) as caught:
        inventory.add_item(
            session=session, customer_id=setup["c"].id, site_id=setup["foreign_site"].id,
            product_id=None, serial_number=setup["covered"].serial_number.lower(),
            installed_on=TODAY + timedelta(days=1), warranty_end=TODAY, contract_id=None,
            reason="", enquiry_id=None, by=setup["by"], today=TODAY)
    text = " ".join(caught.value.problems)
    for expected in ("already registered", "Choose the product", "this customer's sites",
                     "cannot be in the future", "warranty cannot end before", "Say why"):
        assert expected in text


def test_remove_validation(session: Session, setup: dict) -> None:
    item = setup["covered"]
    with pytest.raises(ValidationError, match="before it was installed"):
        inventory.remove_item(session=session, item_id=item.id, removed_on=date(2020, 1, 1),
                              reason="Wrong date", enquiry_id=None, expected_version=1,
                              by=setup["by"], today=TODAY)
    other_enquiry = f.enquiry(session, customer_id=setup["other"].id)
    with pytest.raises(ValidationError, match="enquiry must be one of this customer's"):
        inventory.remove_item(session=session, item_id=item.id, removed_on=TODAY,
                              reason="Linked to the wrong enquiry", enquiry_id=other_enquiry.id,
                              expected_version=1, by=setup["by"], today=TODAY)
