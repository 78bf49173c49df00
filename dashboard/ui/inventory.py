"""The installed-base tab: items by site with coverage, and the forms that change them."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.formatting import day, when
from dashboard.labels import label
from dashboard.services import contracts, enquiries, inventory
from dashboard.services.inventory import ItemRow
from dashboard.services.users import UserInfo
from dashboard.ui import db, state, text, widgets
from dashboard.ui.customer import Caller, disclosure_warning, enquiry_button

COVERAGE_LABELS = {"all": "All", "covered": "Covered", "not_covered": "Not covered"}


def items_frame(rows: list[ItemRow]) -> pd.DataFrame:
    return pd.DataFrame([{
        "Serial": i.serial_number, "Product": i.product, "SKU": i.sku, "Site": i.site,
        "Installed": day(i.installed_on), "Warranty end": day(i.warranty_end),
        "Contract": i.contract_number or "", "Coverage": i.coverage,
        "Covered until": day(i.covered_until)} for i in rows],
        columns=["Serial", "Product", "SKU", "Site", "Installed", "Warranty end", "Contract",
                 "Coverage", "Covered until"])


def inventory_tab(user: UserInfo, customer_id: int, today: date, who: Caller) -> None:
    disclosure_warning(who, "orders")
    with db.session() as s:
        sites = inventory.list_sites(session=s, customer_id=customer_id)
    cols = st.columns([2, 2, 1], vertical_alignment="bottom")
    site = cols[0].selectbox("Site", [None, *sites], key="inv_site",
                             format_func=lambda x: "All sites" if x is None else x.label,
                             on_change=widgets.reset_pager, args=("items",))
    coverage = cols[1].segmented_control("Coverage", tuple(COVERAGE_LABELS), default="all",
                                         key="inv_coverage",
                                         format_func=COVERAGE_LABELS.__getitem__,
                                         on_change=widgets.reset_pager, args=("items",))
    removed = cols[2].toggle("Show removed", key="inv_removed")
    flt = inventory.ItemFilter(site.id if site else None, coverage or "all", removed)
    with db.session() as s:
        page = inventory.list_items(session=s, customer_id=customer_id, flt=flt, today=today,
                                    limit=50, offset=widgets.pager_offset("items"))
    if page.total == 0:
        st.info("No installed items" + (" match these filters." if flt != inventory.ItemFilter()
                                         else " on record."))
        add_item_form(user, customer_id, sites, today)
        return
    detail = st.container()  # above the table, where the eye is
    picked = widgets.selectable(
        widgets.marked(items_frame(page.rows), "Coverage",
                       lambda v: widgets.ALERT if v == "Not covered" else ""), "items_table",
        ids=[r.id for r in page.rows])
    widgets.pager("items", page.total, 50)

    def everything() -> pd.DataFrame:
        with db.session() as s:
            rows = inventory.list_items(session=s, customer_id=customer_id, flt=flt,
                                        today=today, limit=widgets.EXPORT_LIMIT).rows
        return items_frame(rows)

    widgets.export_buttons("items_export", "installed-base", everything)
    focus = st.session_state.get(state.CUSTOMER_FOCUS)
    item = next((r for r in page.rows if r.id == picked), None)
    if item is None and focus and focus[0] == "item":
        with db.session() as s:
            every = inventory.list_items(session=s, customer_id=customer_id,
                                         flt=inventory.ItemFilter(include_removed=True),
                                         today=today, limit=widgets.EXPORT_LIMIT).rows
        item = next((i for i in every if i.id == focus[1]), None)
    if item is not None:
        with detail:
            item_panel(user, customer_id, item, sites, today)
    add_item_form(user, customer_id, sites, today)


def _enquiry_choice(customer_id: int, key: str) -> int | None:
    with db.session() as s:
        options = enquiries.enquiry_options(session=s, customer_id=customer_id)
    chosen = st.selectbox("Filed under enquiry", [None, *options], key=key,
                          format_func=lambda o: "— none —" if o is None else o.label)
    return chosen.id if chosen else None


def item_panel(user: UserInfo, customer_id: int, item: ItemRow,
               sites: list[inventory.SiteOption], today: date) -> None:
    with st.container(border=True):
        st.subheader(text.plain(f"{item.product} · {item.serial_number}"))
        st.caption(text.plain(f"{item.site} · installed {day(item.installed_on)} · "
                              f"{item.coverage_text}"))
        with db.session() as s:
            history = inventory.item_history(session=s, item_id=item.id)
        st.markdown("**History**")
        st.dataframe(pd.DataFrame([{
            "When": when(h.changed_at), "Change": label("inventory_change", h.kind),
            "From": h.from_site or "",
            "To": h.to_site or "", "Why": h.reason, "By": h.changed_by or "",
            "Enquiry": h.enquiry_reference or ""} for h in history],
            columns=["When", "Change", "From", "To", "Why", "By", "Enquiry"]),
            hide_index=True, width="stretch")
        enquiry_button(customer_id, f"item {item.serial_number}",
                       {"installed_item_id": item.id}, "item", f"enquire_item_{item.id}")
        if item.status != "installed":
            return
        relocate, remove = st.tabs(["Relocate", "Remove"])
        with relocate, st.form(f"relocate_{item.id}_{item.version}"):
            targets = [s for s in sites if s.id != item.site_id]
            to_site = st.selectbox("Move to site", targets, format_func=lambda s: s.label,
                                   index=None, placeholder="Choose a site")
            reason = st.text_input("Why", placeholder="e.g. moved to the new warehouse")
            enquiry_id = _enquiry_choice(customer_id, f"relocate_enq_{item.id}")
            if st.form_submit_button("Relocate", type="primary"):
                _save(lambda s: inventory.relocate_item(
                    session=s, item_id=item.id, to_site_id=to_site.id if to_site else None,
                    reason=reason, enquiry_id=enquiry_id, expected_version=item.version,
                    by=user), f"{item.serial_number} moved to "
                    f"{to_site.name if to_site else ''}.")
        with remove, st.form(f"remove_{item.id}_{item.version}"):
            removed_on = st.date_input("Removed on", value=today, max_value=today,
                                       format="DD/MM/YYYY")
            reason = st.text_input("Why", placeholder="e.g. returned under RMA 4471",
                                   key=f"remove_reason_{item.id}")
            enquiry_id = _enquiry_choice(customer_id, f"remove_enq_{item.id}")
            if st.form_submit_button("Remove from installed base"):
                _save(lambda s: inventory.remove_item(
                    session=s, item_id=item.id, removed_on=removed_on, reason=reason,
                    enquiry_id=enquiry_id, expected_version=item.version, by=user,
                    today=today), f"{item.serial_number} removed.")


def add_item_form(user: UserInfo, customer_id: int, sites: list[inventory.SiteOption],
                  today: date) -> None:
    with st.expander("Add an installed item"):
        with db.session() as s:
            products = inventory.serialized_products(session=s)
            active = [c for c in contracts.list_contracts(session=s, customer_id=customer_id)
                      if c.status == "active" and c.end_date >= today]
        with st.form("add_item"):
            cols = st.columns(2)
            product = cols[0].selectbox("Product", products, index=None,
                                        format_func=lambda p: p.label,
                                        placeholder="Choose a product")
            serial = cols[1].text_input("Serial number")
            site = cols[0].selectbox("Site", sites, index=None, format_func=lambda s: s.label,
                                     placeholder="Choose a site")
            contract = cols[1].selectbox("Covering contract", [None, *active],
                                         format_func=lambda c: "— none —" if c is None
                                         else f"{c.contract_number} "
                                         f"({label('service_level', c.service_level)})")
            installed_on = cols[0].date_input("Installed on", value=today, max_value=today,
                                              format="DD/MM/YYYY")
            warranty_end = cols[1].date_input("Warranty ends", value=None, format="DD/MM/YYYY",
                                              help="Empty: the product's standard warranty")
            reason = st.text_input("Why", placeholder="e.g. delivered with order SO-2026-…")
            enquiry_id = _enquiry_choice(customer_id, "add_item_enq")
            if st.form_submit_button("Add item", type="primary"):
                if warranty_end is None and product and installed_on:
                    warranty_end = installed_on + timedelta(days=30 * product.warranty_months)
                _save(lambda s: inventory.add_item(
                    session=s, customer_id=customer_id, site_id=site.id if site else None,
                    product_id=product.id if product else None, serial_number=serial,
                    installed_on=installed_on, warranty_end=warranty_end,
                    contract_id=contract.id if contract else None, reason=reason,
                    enquiry_id=enquiry_id, by=user, today=today), f"{serial.upper()} added.")


def _save(change, done: str) -> None:  # type: ignore[no-untyped-def]
    try:
        with db.session() as s:
            change(s)
    except ValueError as exc:
        widgets.show_problems(exc)
    except RuntimeError as exc:
        widgets.show_problems(exc)
    else:
        st.session_state[state.FLASH] = done
        st.rerun()
