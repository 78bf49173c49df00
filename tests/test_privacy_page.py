"""The privacy page under AppTest: only an administrator reaches it; one asks for an erasure,
cannot confirm it, and another confirms it in a dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.services import users
from db.engine import make_engine
from db.migrate import upgrade
from db.models import AuditLog, Contact, ErasureRequest
from tests import factories as f
from tests.app_support import (
    APP,
    PASSWORD,
    new_app,
    point_app_at,
    rendered,
    select_row,
    sign_in,
    titles,
)

PAGE = "pages/privacy.py"


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'privacy.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        f.user(s, "admin", PASSWORD, role="admin", full_name="Claire Weber")
        f.user(s, "admin2", PASSWORD, role="admin", full_name="Jan Maes")
        f.user(s, "lead", PASSWORD, role="lead", full_name="Marc Dubois")
        f.user(s, "rep", PASSWORD, role="rep", full_name="Sofie Peeters")
        cust = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100001")
        f.contact(s, cust, first_name="Anne", last_name="Verstraeten",
                  email="anne.verstraeten@dupre.be", phone="+3225551111")
        f.contact(s, cust, first_name="Bob", last_name="Claes", email="bob@dupre.be")
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    yield url


def _open(at: AppTest) -> AppTest:
    at.switch_page(f"../{PAGE}").run()
    assert not at.exception, at.exception
    return at


def _find(at: AppTest, query: str) -> AppTest:
    at.text_input(key="privacy_query").input(query).run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    return " ".join(rendered(str(e.value)) for e in
                    [*at.error, *at.warning, *at.info, *at.success, *at.markdown, *at.caption])


@pytest.mark.parametrize("role", ["rep", "lead"])
def test_a_rep_and_a_lead_cannot_reach_the_privacy_page(app_db: str, role: str) -> None:
    at = sign_in(new_app(), role)
    assert "Today" in titles(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(f"../{PAGE}")
    direct = AppTest.from_file(str(APP.parent.parent / PAGE), default_timeout=30)
    direct.session_state["authentication_status"] = True
    with Session(make_engine(app_db)) as s:
        direct.session_state["csol_user"] = users.get_user(session=s, username=role)
    direct.run()
    assert [e.value for e in direct.error] == ["You do not have access to this page."]
    assert not direct.dataframe and not direct.text_input


def test_one_admin_asks_and_another_confirms(app_db: str) -> None:
    at = _open(sign_in(new_app(), "admin"))
    assert titles(at) == ["Privacy: export and erase a contact"]
    assert "None waiting" in _texts(at)
    _find(at, "verstraeten")
    assert list(at.dataframe[0].value["Name"]) == ["Anne Verstraeten"]
    select_row(at, "privacy_contacts", 0)
    at.run()
    assert not at.exception, at.exception
    held = at.dataframe[1].value
    assert "Their enquiries (kept for the company, their text erased)" in list(held["What"])
    assert at.get("download_button")  # the export
    # No reason: refused in words, nothing asked.
    at.button(key="FormSubmitter:privacy_request-Request erasure").click().run()
    assert "Say why in at least 10 characters" in _texts(at)
    reason = [k for k in at.session_state if str(k).startswith("privacy_reason_")]
    at.text_area(key=reason[0]).input("Her letter of 28/11/2026 asks for erasure.")
    at.button(key="FormSubmitter:privacy_request-Request erasure").click().run()
    assert not at.exception, at.exception
    with Session(make_engine(app_db)) as s:
        request = s.scalars(select(ErasureRequest)).one()
        assert request.status == "pending"
    # The requester cannot confirm their own request.
    assert at.button(key=f"privacy_confirm_{request.id}").disabled
    assert "waiting for a second administrator" in _texts(at)

    other = _open(sign_in(new_app(), "admin2"))
    assert not other.button(key=f"privacy_confirm_{request.id}").disabled
    other.button(key=f"privacy_confirm_{request.id}").click().run()
    assert not other.exception, other.exception
    assert "This cannot be undone" in _texts(other)
    erase = other.button(key="privacy_erase_now")
    assert erase.disabled  # until the last check is ticked
    other.checkbox(key="privacy_confirm_checked").check().run()
    other.button(key="privacy_erase_now").click().run()
    assert not other.exception, other.exception
    with Session(make_engine(app_db)) as s:
        anne = s.get_one(Contact, request.contact_id)
        assert (anne.first_name, anne.email, anne.name_search) == ("[erased]", None, "")
        assert s.scalars(select(AuditLog.user_id).where(
            AuditLog.action == "contact_erased")).one() is not None
    assert "None waiting" in _texts(other)
    # Found again by the customer number, it says it is erased.
    _find(other, "C100001")
    assert list(other.dataframe[0].value["Status"]) == ["Erased", "Active"]
