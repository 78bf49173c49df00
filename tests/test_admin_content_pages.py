"""The canned replies, intake settings, outbox and audit log pages under AppTest, per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.services import canned_replies, outbox
from dashboard.services.canned_replies import ReplyText
from dashboard.services.users import UserInfo
from db.engine import make_engine
from db.migrate import upgrade
from db.models import AuditLog, CannedReply, OutboundMessage, Setting
from tests import factories as f
from tests.app_support import new_app, point_app_at, rendered, select_row, sign_in, titles

CORPUS = Path(__file__).parent / "data" / "email"
PAGES = {"canned": "../pages/canned_replies.py", "intake": "../pages/intake_settings.py",
         "outbox": "../pages/outbox.py", "audit": "../pages/audit_log.py"}


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        f.user(s, "rep")
        lead = f.user(s, "lead", role="lead", full_name="Marc Dubois")
        f.user(s, "admin", role="admin", full_name="Claire Weber")
        cust = f.customer(s, "Bouwgroep Peeters", customer_number="C100002")
        joost = f.contact(s, cust, first_name="Joost", last_name="Vermeulen", language="nl",
                          phone="+3242223344")
        order = f.order(s, cust, order_number="SO-2026-000123")
        f.enquiry(s, customer_id=cust.id, contact_id=joost.id, order_id=order.id,
                  language="nl", reference="ENQ-2026-000042")
        by = UserInfo(lead.id, "lead", "Marc Dubois", "lead@csol.example", "lead", None, None)
        reply_id = canned_replies.create_reply(
            session=s, name="Delivery status", category="orders", by=by,
            texts={code: ReplyText(f"Order {{order_number}} ({code})",
                                   "Dear {contact_name}, order {order_number}.")
                   for code in ("en", "fr", "nl", "de")})
        failed = outbox.enqueue(session=s, kind="notification", to_address="griet@buysse.example",
                                subject="Nieuwe factuur", body_text="In bijlage.")
        s.flush()
        row = s.get_one(OutboundMessage, failed)
        row.status, row.attempts, row.next_attempt_at = "failed", 5, None
        row.last_error = "550 5.1.1 <griet@buysse.example>: user unknown"
        ids = {"reply": reply_id, "failed": failed}
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    ids["url"] = url  # type: ignore[assignment]
    yield ids


def open_page(username: str, page: str):  # type: ignore[no-untyped-def]
    at = sign_in(new_app(), username)
    at.switch_page(PAGES[page]).run()
    assert not at.exception, at.exception
    return at


REACHES = [
    ("rep", "canned", False), ("rep", "intake", False), ("rep", "outbox", False),
    ("rep", "audit", False),
    ("lead", "canned", True), ("lead", "intake", False), ("lead", "outbox", False),
    ("lead", "audit", False),
    ("admin", "canned", True), ("admin", "intake", True), ("admin", "outbox", True),
    ("admin", "audit", True),
]
TITLES = {"canned": "Canned replies", "intake": "Intake settings", "outbox": "Outbox",
          "audit": "Audit log"}


@pytest.mark.parametrize(("username", "page", "reaches"), REACHES)
def test_who_has_which_page_in_the_menu(world: dict, username: str, page: str,
                                        reaches: bool) -> None:
    at = sign_in(new_app(), username)
    if not reaches:  # not in the user's navigation at all
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(PAGES[page])
        return
    at.switch_page(PAGES[page]).run()
    assert not at.exception and TITLES[page] in titles(at)


@pytest.mark.parametrize(("username", "page", "reaches"), REACHES)
def test_each_page_checks_the_role_itself(world: dict, username: str, page: str,
                                          reaches: bool) -> None:
    """The second line of defence: the page script run on its own refuses the wrong role."""
    from streamlit.testing.v1 import AppTest

    from dashboard.services import users
    from dashboard.ui import state

    with Session(make_engine(world["url"])) as s:
        who = users.get_user(session=s, username=username)
    at = AppTest.from_file(str(Path(__file__).parent / PAGES[page]), default_timeout=30)
    at.session_state[state.AUTH_STATUS] = True
    at.session_state[state.USER] = who
    at.run()
    assert not at.exception, at.exception
    refused = any("You do not have access to this page." in e.value for e in at.error)
    assert refused is not reaches
    assert (TITLES[page] in titles(at)) is reaches


def test_a_lead_edits_a_reply_with_a_placeholder_and_a_live_preview(world: dict) -> None:
    at = open_page("lead", "canned")
    at.selectbox(key="canned_pick").set_value(world["reply"]).run()
    prefix = f"canned_{world['reply']}_v1"
    preview = "\n".join(t.value for t in at.text)
    assert "Order SO-2026-000123 (nl)" in preview and "Joost Vermeulen" in preview
    at.selectbox(key=f"{prefix}_placeholder").set_value("customer_name")
    at.selectbox(key=f"{prefix}_into").set_value("nl")
    at.run()
    at.button(key=f"{prefix}_insert").click().run()
    assert at.text_area(key=f"{prefix}_body_nl").value.endswith("{customer_name}")
    preview = "\n".join(t.value for t in at.text)
    assert "order SO-2026-000123. Bouwgroep Peeters" in preview
    at.button(key=f"{prefix}_save").click().run()
    assert not at.exception
    with Session(make_engine(world["url"])) as s:
        nl = s.scalars(select(CannedReply).where(CannedReply.language == "nl")).one()
        assert nl.body.endswith("{customer_name}") and nl.version == 2
        change = s.scalars(select(AuditLog).where(AuditLog.action == "canned_reply_changed")
                           ).one()
        assert change.before == {"body_nl": "Dear {contact_name}, order {order_number}."}
        assert change.after == {"body_nl": "Dear {contact_name}, order {order_number}. "
                                           "{customer_name}"}


def test_a_placeholder_no_enquiry_can_fill_is_refused(world: dict) -> None:
    at = open_page("admin", "canned")
    at.selectbox(key="canned_pick").set_value("new").run()
    prefix = "canned_new_v0"
    at.text_input(key=f"{prefix}_name").input("Welcome")
    for code in ("en", "fr", "nl", "de"):
        at.text_input(key=f"{prefix}_subject_{code}").input(f"Welcome ({code})")
        at.text_area(key=f"{prefix}_body_{code}").input("Dear {contact_name},")
    at.text_area(key=f"{prefix}_body_de").input("Sehr geehrte {kundenname},")
    at.run()
    assert any("{kundenname} is not a placeholder any enquiry can fill"
               in rendered(e.value) for e in at.error)
    at.button(key=f"{prefix}_save").click().run()
    assert any(rendered(e.value).startswith("Not saved:")
               and "German: {kundenname} is not a placeholder" in rendered(e.value)
               for e in at.error)
    with Session(make_engine(world["url"])) as s:
        assert s.scalars(select(CannedReply.name).distinct()).all() == ["Delivery status"]


def test_a_stale_reply_edit_is_refused_on_the_page(world: dict) -> None:
    at = open_page("admin", "canned")
    at.selectbox(key="canned_pick").set_value(world["reply"]).run()
    with Session(make_engine(world["url"])) as s, s.begin():  # someone else saves meanwhile
        lead = UserInfo(2, "lead", "Marc Dubois", "lead@csol.example", "lead", None, None)
        canned_replies.set_retired(session=s, reply_id=world["reply"], expected_version=1,
                                   retired=True, by=lead)
    at.text_input(key=f"canned_{world['reply']}_v1_name").input("Delivery news").run()
    assert any("Someone saved this reply after you opened it" in w.value for w in at.warning)
    at.button(key=f"canned_{world['reply']}_v1_save").click().run()
    assert any("changed by Marc Dubois" in rendered(e.value) for e in at.error)
    with Session(make_engine(world["url"])) as s:
        assert set(s.scalars(select(CannedReply.name))) == {"Delivery status"}


def test_intake_settings_say_what_is_wrong_and_save(world: dict) -> None:
    at = open_page("admin", "intake")
    at.text_input(key="intake_v0_address").input("support at csol").run()
    at.button(key="intake_v0_save").click().run()
    assert any("Enter the intake address as a plain e-mail address" in rendered(e.value)
               for e in at.error)
    at.text_input(key="intake_v0_address").input("helpdesk@csol.example").run()
    at.button(key="intake_v0_save").click().run()
    assert not at.exception and not at.error
    with Session(make_engine(world["url"])) as s:
        assert s.get_one(Setting, "intake_address").value == "helpdesk@csol.example"
        row = s.scalars(select(AuditLog).where(AuditLog.action == "intake_settings_changed")
                        ).one()
        assert row.before == {"intake_address": "support@csol.example"}
        assert row.after == {"intake_address": "helpdesk@csol.example"}


def test_the_pasted_hylafax_message_is_shown_as_a_fax_from_the_contact(world: dict) -> None:
    at = open_page("admin", "intake")
    pasted = (CORPUS / "24_hylafax_template_fr_tsi_name.eml").read_text(errors="replace")
    at.text_area(key="intake_try_message").input(pasted)
    at.button(key="intake_try").click().run()
    assert not at.exception
    assert any(rendered(s.value) == "A fax, through HylaFAX, from +3242223344."
               for s in at.success)
    verdict = at.dataframe[-1].value.to_string()
    assert "Joost Vermeulen (Bouwgroep Peeters, C100002)" in verdict
    assert "the number +3242223344" in verdict


def test_the_outbox_shows_the_error_in_words_and_resends(world: dict) -> None:
    at = open_page("admin", "outbox")
    table = at.dataframe[0].value
    assert table["Problem"].iloc[0].startswith("The recipient's mail server says this "
                                               "mailbox does not exist")
    select_row(at, "outbox_table", 0)
    at.run()
    assert any("(Server said: 550 5.1.1" in rendered(e.value) for e in at.error)
    at.button(key=f"outbox_resend_{world['failed']}").click().run()
    assert not at.exception
    with Session(make_engine(world["url"])) as s:
        row = s.get_one(OutboundMessage, world["failed"])
        assert (row.status, row.attempts) == ("queued", 0)


def test_the_audit_log_shows_before_and_after(world: dict) -> None:
    at = open_page("admin", "audit")
    whats = at.dataframe[0].value["What"].tolist()
    assert "Canned reply created" in whats and "E-mail queued" in whats
    at.multiselect(key="audit_what").set_value(["canned_reply_created"]).run()
    assert at.dataframe[0].value["What"].tolist() == ["Canned reply created"]
    select_row(at, "audit_table", 0)
    at.run()
    diff = at.dataframe[0].value
    assert list(diff.columns[:3]) == ["Field", "Before", "After"]
    row = diff[diff["Field"] == "Subject (Dutch)"].iloc[0]
    assert (row["Before"], row["After"]) == ("—", "Order {order_number} (nl)")
    at.text_input(key="audit_customer").input("C999999").run()
    assert any("No customer has the number C999999" in rendered(e.value) for e in at.error)
