"""The account balances page under AppTest: every role, every filter, both lists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.business_calendar import BRUSSELS
from dashboard.formatting import money
from dashboard.services import receivables
from dashboard.services.users import UserInfo
from dashboard.ui import balances as balances_ui
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Payment
from tests import factories as f
from tests.app_support import point_app_at

PAGE = Path(__file__).resolve().parent.parent / "pages" / "balances.py"


@pytest.fixture
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, UserInfo]]:
    """Two customers: one Belgian with an overdue disputed invoice, one in Luxembourg."""
    from datetime import datetime

    url = f"sqlite:///{tmp_path / 'balances.db'}"
    engine = make_engine(url)
    upgrade(engine)
    today = datetime.now(BRUSSELS).date()
    with Session(engine) as s, s.begin():
        rep = f.user(s, "rep", full_name="Sofie Peeters")
        lead = f.user(s, "lead", role="lead", full_name="Marc Dubois")
        admin = f.user(s, "admin", role="admin", full_name="Claire Weber")
        dupre = f.customer(s, "Brasserie Dupré", customer_number="C100001",
                           segment="enterprise", account_manager_id=rep.id)
        weber = f.customer(s, "Weber Sàrl", customer_number="C100002", country="LU",
                           account_manager_id=lead.id)
        f.invoice(s, dupre, 1210_00, issue_date=today - timedelta(days=100),
                  due_date=today - timedelta(days=70), is_disputed=True,
                  dispute_reason="Wrong quantity")
        f.invoice(s, weber, 500_00, issue_date=today - timedelta(days=10),
                  due_date=today + timedelta(days=20))
        s.add(Payment(customer_id=weber.id, received_on=today - timedelta(days=3),
                      amount_cents=50_00, unallocated_cents=50_00, method="bank_transfer",
                      bank_reference="B1"))
        s.flush()
        people = {u.username: UserInfo(u.id, u.username, u.full_name, u.email, u.role, None,
                                       None) for u in (rep, lead, admin)}
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    yield people


def page_as(user: UserInfo) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = user.username
    at.session_state["csol_user"] = user
    return at.run()


def values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_anonymous_visitors_are_asked_to_sign_in(books: dict[str, UserInfo]) -> None:
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert [w.value for w in at.warning] == ["Please sign in."]
    assert not at.metric


@pytest.mark.parametrize("role", ["rep", "lead", "admin"])
def test_every_role_sees_the_portfolio(books: dict[str, UserInfo], role: str) -> None:
    at = page_as(books[role])
    assert not at.exception, at.exception
    assert not at.error
    shown = values(at)
    assert set(shown) == {"Receivables", "Past due", "More than 90 days", "DSO", "Disputed",
                          "On account"}
    if role == "rep":  # a representative starts on the customers they manage
        assert at.selectbox(key=balances_ui.BALANCE_MANAGER).value.name == "Sofie Peeters"
        assert shown["Receivables"] == "1,2K\xa0€" and shown["On account"] == "0\xa0€"
    else:
        assert shown["Receivables"] == "1,7K\xa0€"    # 1210 + 500 - 50 on account
        assert shown["Past due"] == "1,2K\xa0€" and shown["On account"] == "50\xa0€"
    assert shown["Disputed"] == "1,2K\xa0€"
    assert len(at.get("plotly_chart")) == 5     # four charts and the top-overdue bars
    assert any("How these are measured" in e.label for e in at.expander)


def test_every_filter_renders(books: dict[str, UserInfo]) -> None:
    at = page_as(books["admin"])
    at.multiselect(key=balances_ui.BALANCE_COUNTRY).set_value(["LU"]).run()
    assert not at.exception and values(at)["Receivables"] == "450\xa0€"
    at.multiselect(key=balances_ui.BALANCE_SEGMENT).set_value(["enterprise"]).run()
    assert not at.exception and values(at)["Receivables"] == "0\xa0€"
    at.multiselect(key=balances_ui.BALANCE_COUNTRY).set_value([]).run()
    assert values(at)["Receivables"] == "1,2K\xa0€"
    at.multiselect(key=balances_ui.BALANCE_SEGMENT).set_value([]).run()
    assert at.selectbox(key=balances_ui.BALANCE_MANAGER).value is None   # everyone's
    at.selectbox(key=balances_ui.BALANCE_MANAGER).select_index(1).run()  # Marc Dubois
    assert not at.exception and values(at)["Receivables"] == "450\xa0€"


def test_top_overdue_and_disputed_lists(books: dict[str, UserInfo]) -> None:
    at = page_as(books["lead"])
    top = at.dataframe[0].value
    assert list(top["Customer"]) == ["Brasserie Dupré"]
    # Shown the Belgian way, whatever the browser's locale.
    assert top["Overdue"].iloc[0] == "1.210,00\xa0€" and top["Disputed"].iloc[0] == "1.210,00\xa0€"
    at.session_state[balances_ui.BALANCE_TAB] = "Disputed invoices"
    at.run()
    assert not at.exception, at.exception
    disputed = at.dataframe[0].value
    assert list(disputed["Reason"]) == ["Wrong quantity"]
    assert list(disputed["Number"]) == ["C100001"]


def test_nothing_overdue_says_so(books: dict[str, UserInfo]) -> None:
    at = page_as(books["admin"])
    at.multiselect(key=balances_ui.BALANCE_COUNTRY).set_value(["LU"]).run()
    assert "No customer has an invoice past due." in [s.value for s in at.success]
    at.session_state[balances_ui.BALANCE_TAB] = "Disputed invoices"
    at.run()
    assert "No open invoice is disputed." in [s.value for s in at.success]


def test_a_representative_can_leave_their_accounts_for_all(books: dict[str, UserInfo]) -> None:
    at = page_as(books["rep"])
    assert values(at)["Receivables"] == "1,2K\xa0€"
    assert at.selectbox(key=balances_ui.BALANCE_MANAGER).options[0] == "All"
    at.selectbox(key=balances_ui.BALANCE_MANAGER).select_index(0).run()  # All
    assert not at.exception and values(at)["Receivables"] == "1,7K\xa0€"


def test_open_items_by_age(books: dict[str, UserInfo]) -> None:
    at = page_as(books["admin"])
    at.session_state[balances_ui.BALANCE_TAB] = "Open items by age"
    at.run()
    assert not at.exception, at.exception
    assert at.segmented_control(key=balances_ui.BALANCE_BUCKET).value == "90+"
    assert "Nothing open in “More than 90 days”." in [s.value for s in at.success]
    at.segmented_control(key=balances_ui.BALANCE_BUCKET).set_value("61-90").run()
    items = at.dataframe[0].value
    assert list(items["Customer"]) == ["Brasserie Dupré"]
    assert list(items["Days past due"]) == [70] and list(items["Open"]) == ["1.210,00\xa0€"]
    at.segmented_control(key=balances_ui.BALANCE_BUCKET).set_value("current").run()
    assert list(at.dataframe[0].value["Customer"]) == ["Weber Sàrl"]
    # Weber's 50 on account is set against the oldest (here the only) amount Weber owes.
    captions = [c.value for c in at.caption]
    assert f"1 open invoice, {money(500_00)}; less {money(50_00)} of credit notes and money " \
        f"on account set against them = {money(450_00)}. Click a row" in " ".join(captions)
    assert receivables.HOW_CREDITS_APPLY in captions
    # So nothing of it is aged on its own into 1–30 days.
    at.segmented_control(key=balances_ui.BALANCE_BUCKET).set_value("1-30").run()
    assert "Nothing open in “1–30 days”." in [s.value for s in at.success]
