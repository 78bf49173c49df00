"""The customer portal's pages under AppTest, per tier: sign-in, the set-password link,
my orders, invoices and statement; a portal user never reaches a staff page nor a staff user
a portal page; and two look-alike customers never see a row of each other, whatever number
is put in the address bar or a form."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.services import portal, session_tokens
from db.engine import make_engine
from db.migrate import upgrade
from db.models import AuditLog, Contact, OrderEvent, OutboundMessage, PortalAccount
from tests import factories as f
from tests.app_support import new_app, point_app_at, select_row, sign_in

CUSTOMER_PASSWORD = "lantern orchard velvet 42"
APP_PAGES = Path(__file__).resolve().parent.parent / "pages"


def _account(s: Session, contact: Contact, email: str) -> None:
    s.add(PortalAccount(contact_id=contact.id, email=email, state="active",
                        password_hash=bcrypt.hashpw(CUSTOMER_PASSWORD.encode(),
                                                    f.FAST_SALT).decode()))


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Two customers whose data look alike: the same PO, near-identical numbers."""
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        f.team(s)
        f.user(s, "rep")
        ids: dict[str, object] = {}
        for key, name, number, vat, language in (
                ("a", "Brasserie Dupré & Fils", "C100041", "BE0403019261", "fr"),
                ("b", "Brasserie Dupont & Fils", "C100042", "BE0202239951", "nl")):
            c = f.customer(s, name, customer_number=number, vat_number=vat, language=language)
            suffix = "1" if key == "a" else "2"
            entitled = f.contact(s, c, first_name="Anne" if key == "a" else "Bert",
                                 last_name=name.split()[1], email=f"finance@{key}.be",
                                 portal_tier="entitled", language="en")
            registered = f.contact(s, c, first_name="Reg", last_name=key.upper(),
                                   email=f"buyer@{key}.be", portal_tier="registered",
                                   language="en")
            _account(s, entitled, f"finance@{key}.be")
            _account(s, registered, f"buyer@{key}.be")
            for n in range(3):
                o = f.order(s, c, order_number=f"SO-2026-00{n}10{suffix}",
                            customer_po=f"PO-77{n}", carrier="bpost",
                            tracking_number=f"3232999{n}999{suffix}",
                            promised_date=date(2026, 12, 4), status="in_transit",
                            ordered_at=datetime(2026, 11, 2 + n, 9, tzinfo=UTC))
                s.add(OrderEvent(order_id=o.id, status="shipped", note="",
                                 occurred_at=datetime(2026, 11, 3 + n, 9, tzinfo=UTC)))
                f.invoice(s, c, number=f"INV-2026-00{n}10{suffix}", order_id=o.id,
                          total_cents=(1000 + n) * 100 + int(suffix))
            deal = f.contract(s, c, contract_number=f"CT-2026-0010{suffix}")
            f.item(s, c, f.site(s, c, f"Brussels office {key.upper()}"), f.product(s),
                   serial_number=f"SN-7710{suffix}", contract_id=deal.id)
            ids[key] = c.id
            ids[f"{key}_entitled"] = entitled.id
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    return {"url": url, **ids}


def portal_sign_in(email: str, password: str = CUSTOMER_PASSWORD) -> AppTest:
    at = new_app()
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("../pages/portal_sign_in.py").run()
    assert not at.exception
    at.text_input(key="portal_email").input(email)
    at.text_input(key="portal_password").input(password)
    at.button(key="FormSubmitter:portal_sign_in-Sign in").click().run()
    assert not at.exception, at.exception
    return at


def everything(at: AppTest) -> str:
    """All a reader sees on the page: text of every kind, tables' cells, buttons' files."""
    parts = [str(e.value) for kind in ("markdown", "text", "caption", "success", "warning",
                                       "error", "info", "title", "subheader")
             for e in at.get(kind) if isinstance(getattr(e, "value", None), str)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [str(b.proto) for b in at.get("download_button")]
    return "\n".join(parts)


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"../pages/{page}").run()
    assert not at.exception, at.exception
    return at


# --- sign-in and tiers ---------------------------------------------------------------------

def test_an_entitled_user_signs_in_and_sees_orders_invoices_and_statement(world: dict) -> None:
    at = portal_sign_in("finance@a.be")
    assert "Brasserie Dupré & Fils" in everything(at).replace("\\", "")
    at.run()  # as after the cookie component answers
    assert {m.label: m.value for m in at.metric} == {
        "Orders under way": "3", "Open invoices and credit notes": "3",
        "Open in all": "3.003,03\xa0€"}
    for page, title in (("portal_orders.py", "My orders"),
                        ("portal_invoices.py", "Invoices and credit notes"),
                        ("portal_contracts.py", "Contracts"),
                        ("portal_inventory.py", "Installed inventory"),
                        ("portal_statement.py", "Statement of account")):
        _open(at, page)
        assert at.title[0].value == title
    assert [d.proto.label for d in at.get("download_button")] == [
        "Download PDF", "Download CSV", "Download Excel"]
    _open(at, "portal_contracts.py")
    assert at.dataframe[0].value.iloc[0].tolist()[:3] == ["CT-2026-00101", "Maintenance",
                                                          "Gold"]
    _open(at, "portal_inventory.py")
    row = at.dataframe[0].value.iloc[0]
    assert row["Serial number"] == "SN-77101"
    assert row["Covered by"] == "Contract CT-2026-00101"


def test_a_registered_user_has_orders_but_no_invoices_or_statement(world: dict) -> None:
    at = portal_sign_in("buyer@a.be")
    assert any("for entitled users" in i.value for i in at.info)
    assert [m.label for m in at.metric] == ["Orders under way"]  # no money
    _open(at, "portal_orders.py")
    assert len(at.dataframe[0].value) == 3
    text = everything(at)
    assert "€" not in text and "1.000" not in text  # no money on the orders page
    for page in ("portal_invoices.py", "portal_statement.py", "portal_contracts.py",
                 "portal_inventory.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"../pages/{page}")


@pytest.mark.parametrize("page", ["portal_invoices.py", "portal_statement.py",
                                  "portal_contracts.py", "portal_inventory.py"])
def test_the_money_pages_check_the_tier_themselves(world: dict, page: str) -> None:
    at = AppTest.from_file(str(APP_PAGES / page), default_timeout=30)
    at.session_state["portal_user"] = portal.PortalUser(1, 1, int(world["a"]), "C100041",
                                                        "Brasserie", "Reg A", "buyer@a.be",
                                                        "en", "registered")
    at.session_state["portal_session_id"] = "x" * 43
    at.run()
    assert not at.exception
    assert "does not give access" in at.error[0].value
    assert not at.dataframe and not at.get("download_button")


def test_a_wrong_password_is_refused_in_the_visitors_language(world: dict) -> None:
    at = new_app()
    at.query_params["lang"] = "nl"
    at.run()
    at.switch_page("../pages/portal_sign_in.py").run()
    at.text_input(key="portal_email").input("finance@a.be")
    at.text_input(key="portal_password").input("not the password at all")
    at.button(key="FormSubmitter:portal_sign_in-Aanmelden").click().run()
    assert [e.value for e in at.error] == ["Verkeerd e-mailadres of wachtwoord."]
    assert at.session_state["portal_user"] is None if "portal_user" in at.session_state \
        else True


# --- staff and portal apart ----------------------------------------------------------------

def test_a_portal_user_reaches_no_staff_page(world: dict) -> None:
    at = portal_sign_in("finance@a.be")
    for page in ("today.py", "queue.py", "customer.py", "users.py", "track.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"../pages/{page}")
    at = AppTest.from_file(str(APP_PAGES / "customer.py"), default_timeout=30)
    at.session_state["portal_user"] = portal.PortalUser(1, 1, int(world["a"]), "C100041",
                                                        "Brasserie", "Anne", "finance@a.be",
                                                        "en", "entitled")
    at.session_state["portal_session_id"] = "x" * 43
    at.run()
    assert [w.value for w in at.warning] == ["Please sign in."]  # the staff check refuses


def test_a_staff_user_reaches_no_portal_page(world: dict) -> None:
    at = sign_in(new_app(), "rep")
    assert not at.exception
    for page in ("portal_orders.py", "portal_invoices.py", "portal_statement.py",
                 "portal_contracts.py", "portal_inventory.py", "portal_home.py",
                 "portal_sign_in.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"../pages/{page}")
    direct = AppTest.from_file(str(APP_PAGES / "portal_invoices.py"), default_timeout=30)
    direct.session_state["authentication_status"] = True
    direct.session_state["csol_user"] = at.session_state["csol_user"]
    direct.run()
    assert [w.value for w in direct.warning] == ["Please sign in to the customer portal."]


def test_neither_cookie_is_accepted_for_the_other(world: dict) -> None:
    """Each side's cookie is signed with a key of its own and names a session of its own
    table: swapped, both are refused (tests/test_browser_portal.py swaps them in a browser)."""
    from dashboard.ui import portal as portal_ui

    at = portal_sign_in("finance@a.be")
    portal_sid = at.session_state["portal_session_id"]
    staff = sign_in(new_app(), "rep")
    staff_sid = staff.session_state["csol_session_id"]
    staff_key, portal_key = "test-cookie-key-" + "x" * 32, portal_ui.cookie_key()
    assert portal_key != staff_key
    ends, now = datetime.now(UTC) + timedelta(days=1), datetime.now(UTC)
    staff_token = session_tokens.issue(username="rep", session_id=staff_sid, expires_at=ends,
                                       key=staff_key)
    portal_token = session_tokens.issue(username="portal:1", session_id=portal_sid,
                                        expires_at=ends, key=portal_key)
    assert session_tokens.verify(staff_token, portal_key, now=now) is None
    assert session_tokens.verify(portal_token, staff_key, now=now) is None
    assert session_tokens.verify(portal_token, portal_key, now=now) is not None


# --- registration through the pages ----------------------------------------------------------

def test_the_link_form_answers_alike_and_the_link_sets_a_password(world: dict) -> None:
    at = new_app()
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("../pages/portal_sign_in.py").run()
    answers = []
    for address in ("nobody@nowhere.be", "finance@b.be"):
        at.text_input(key="portal_register_email").input(address)
        at.button(key="FormSubmitter:portal_register-Send me the link").click().run()
        answers.append(at.success[0].value.replace("\\", "").replace(address, "…"))
    assert answers[0] == answers[1]
    engine = make_engine(world["url"])
    with Session(engine) as s:
        body = s.scalars(select(OutboundMessage.body_text)).one()
    token = body.split("token=")[1].split("&")[0]
    page = new_app()
    page.query_params["token"] = token
    page.query_params["lang"] = "en"
    page.run()
    page.switch_page("../pages/portal_password.py").run()
    assert "finance@b.be" in page.markdown[0].value.replace("\\", "")
    page.text_input(key="portal_new_password").input("tulip harbour granite 77")
    page.text_input(key="portal_new_password_repeat").input("tulip harbour granite 7")
    page.button(key="FormSubmitter:portal_set_password-Save password").click().run()
    assert [e.value for e in page.error] == ["The two passwords differ."]
    page.text_input(key="portal_new_password_repeat").input("tulip harbour granite 77")
    page.button(key="FormSubmitter:portal_set_password-Save password").click().run()
    assert not page.exception
    assert "Your password is saved" in page.success[0].value
    signed = portal_sign_in("finance@b.be", "tulip harbour granite 77")
    assert "Brasserie Dupont" in everything(signed).replace("\\", "")


# --- the representative entitles --------------------------------------------------------------

def test_the_representative_entitles_from_the_contacts_tab(world: dict) -> None:
    at = sign_in(new_app(), "rep")
    at.switch_page("../pages/customer.py")
    at.query_params["c"] = "C100041"
    at.run()
    at.session_state["customer_tab"] = "Contacts"
    at.run()
    assert not at.exception, at.exception
    picker = at.selectbox(key=f"portal_access_contact_{world['a']}")
    registered = _contact_ids(world)[0]
    picker.set_value(registered).run()
    assert any(m.value.startswith("Portal tier: **Registered** · signed up")
               for m in at.markdown)
    assert at.button(key=f"portal_withdraw_{registered}").disabled
    at.button(key=f"portal_entitle_{registered}").click().run()
    assert not at.exception, at.exception
    with Session(make_engine(world["url"])) as s:
        tier = s.get(Contact, registered).portal_tier
        audit = s.execute(select(AuditLog.action, AuditLog.username)
                          .where(AuditLog.action == "portal_entitled")).all()
    assert tier == "entitled" and audit == [("portal_entitled", "rep")]
    # The entitled buyer now has the invoices page.
    buyer = portal_sign_in("buyer@a.be")
    _open(buyer, "portal_invoices.py")
    assert len(buyer.dataframe[0].value) == 3


def _contact_ids(world: dict) -> list[int]:
    with Session(make_engine(world["url"])) as s:
        return list(s.scalars(select(Contact.id).where(Contact.customer_id == world["a"],
                                                       Contact.first_name == "Reg")))


# --- tenant isolation ------------------------------------------------------------------------

OTHER = {"finance@a.be": ("b", "2", "Dupont", "C100042"),
         "finance@b.be": ("a", "1", "Dupré", "C100041")}


@pytest.mark.parametrize("email", sorted(OTHER))
def test_each_customer_sees_no_row_of_the_other(world: dict, email: str) -> None:
    _, suffix, name, number = OTHER[email]
    theirs = [f"SO-2026-00{n}10{suffix}" for n in range(3)]
    their_invoices = [f"INV-2026-00{n}10{suffix}" for n in range(3)]
    at = portal_sign_in(email)
    seen = [everything(at)]
    for page in ("portal_home.py", "portal_orders.py", "portal_invoices.py",
                 "portal_statement.py", "portal_contracts.py", "portal_inventory.py"):
        seen.append(everything(_open(at, page)))
        if page in ("portal_contracts.py", "portal_inventory.py"):
            assert len(at.dataframe[0].value) == 1  # one's own contract, one's own item
    # Every row of one's own, selected: the detail and its downloads are one's own too.
    _open(at, "portal_invoices.py")
    own_rows = len(at.dataframe[0].value)
    assert own_rows == 3
    for row in range(own_rows):
        select_row(at, "portal_invoices_table", row)
        at.run()
        seen.append(everything(at))
    _open(at, "portal_orders.py")
    for row in range(3):
        select_row(at, "portal_orders_table", row)
        at.run()
        seen.append(everything(at))
    # The other customer's numbers in the search form …
    for wanted in [*theirs, "PO-770", number, name]:
        at.text_input(key="portal_order_text").input(wanted)
        at.button(key="FormSubmitter:portal_order_search-Search").click().run()
        assert not at.exception
        shown = at.dataframe[0].value.iloc[:, 0].tolist() if at.dataframe else []
        assert not any(str(v).endswith(suffix) for v in shown), (wanted, shown)
        seen.append(everything(at))
    # … and in every address-bar parameter.
    for parameter, numbers, page in (("order", theirs, "portal_orders.py"),
                                     ("invoice", their_invoices, "portal_invoices.py")):
        for value in numbers:
            at.query_params[parameter] = value
            _open(at, page)
            assert any("could not find" in w.value for w in at.warning), value
            seen.append(everything(at))
            del at.query_params[parameter]
    text = "\n".join(seen).replace("\\", "")
    for foreign in [*theirs, *their_invoices, name, number, f"CT-2026-0010{suffix}",
                    f"SN-7710{suffix}", f"Brussels office {OTHER[email][0].upper()}"]:
        assert foreign not in text, foreign


def test_the_catalogues_translate_every_portal_message() -> None:
    from babel.messages.extract import extract_from_file

    from dashboard import i18n, labels
    from dashboard.services.contracts import ContractRow
    from dashboard.ui import portal as portal_ui

    root = Path(__file__).resolve().parent.parent
    used = {msg for path in ("dashboard/ui/portal.py", "dashboard/services/portal.py")
            for _, msg, _, _ in extract_from_file("python", str(root / path),
                                                  keywords={"tr": None})}
    used |= {portal.WRONG, portal.EMPTY, portal.THROTTLED, portal.LINK_INVALID,
             portal.PASSWORDS_DIFFER, portal.PASSWORD_SHORT, portal.PASSWORD_LONG,
             portal.PASSWORD_WEAK, "Print", "Payment", "Customer number",
             *portal_ui.INVOICE_KINDS.values(), *portal_ui.INVOICE_STATUSES.values(),
             *portal_ui.AREA_TITLES.values(), *portal_ui.COVERAGE.values(),
             *portal_ui.CHANGE_KINDS.values(),
             *labels.CONTRACT_TYPE_LABELS.values(), *labels.BILLING_LABELS.values(),
             *labels.SERVICE_LEVEL_LABELS.values(),
             *(ContractRow(1, "", "", date.min, d, 0, "", "", auto, 30, status, 0).state(
                 date(2026, 12, 1)) for d in (date(2026, 12, 31), date(2027, 12, 31))
               for auto in (True, False) for status in ("active", "terminated", "expired"))}
    for language in ("fr", "nl", "de"):
        table = i18n.catalogue(language)
        assert sorted(used - set(table)) == [], language
        for msgid in used:  # the same placeholders in every translation
            assert re.findall(r"{\w+}", table[msgid]) == re.findall(r"{\w+}", msgid), msgid


def test_signing_out_ends_the_portal_session(world: dict) -> None:
    at = portal_sign_in("finance@a.be")
    session_id = at.session_state["portal_session_id"]
    at.button(key="portal_logout").click().run()
    assert not at.exception
    assert at.session_state["portal_user"] is None
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("../pages/portal_orders.py")
    from dashboard.services.sessions import SessionPolicy

    with Session(make_engine(world["url"])) as s:
        assert portal.check_session(session=s, session_id=session_id, policy=SessionPolicy(),
                                    now=datetime.now(UTC)) is None
        assert "portal_logout" in s.scalars(select(AuditLog.action)).all()


def test_an_entitled_user_asks_for_an_inventory_change_that_becomes_an_enquiry(
        world: dict) -> None:
    from db.models import Enquiry, InstalledItem

    at = portal_sign_in("finance@a.be")
    _open(at, "portal_inventory.py")
    at.text_area(key="portal_change_details").input("to")
    at.button(key="FormSubmitter:portal_change_request-Send the request").click().run()
    assert at.error and not at.success  # too short: said, nothing filed
    at.radio(key="portal_change_kind").set_value("relocate")
    at.text_area(key="portal_change_details").input("To our Liège warehouse next Monday.")
    at.button(key="FormSubmitter:portal_change_request-Send the request").click().run()
    assert not at.exception, at.exception
    assert "ENQ-" in at.success[0].value
    with Session(make_engine(world["url"])) as s:
        enquiry = s.scalars(select(Enquiry)).one()
        item = s.scalar(select(InstalledItem.id).where(
            InstalledItem.serial_number == "SN-77101"))
        assert (enquiry.channel, enquiry.customer_id, enquiry.contact_id,
                enquiry.installed_item_id) == ("web", world["a"], world["a_entitled"], item)
        acknowledged = s.scalars(select(OutboundMessage.to_address)
                                 .where(OutboundMessage.kind == "reply")).all()
    assert acknowledged == ["finance@a.be"]
