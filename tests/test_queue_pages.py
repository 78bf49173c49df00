"""Queue, enquiry and log-a-call pages under AppTest, per role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.services.sla import deadlines
from db.engine import make_engine
from db.migrate import upgrade
from db.models import CannedReply, Enquiry, EnquiryEvent, OutboundMessage
from tests import factories as f
from tests.app_support import new_app, point_app_at, rendered, select_rows, sign_in, titles

NOW = datetime.now(UTC)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        team = f.team(s, "Billing", categories=["invoices", "orders", "other"],
                      languages=["fr", "nl", "en"])
        rep = f.user(s, "rep", role="rep", team_id=team.id, full_name="Sofie Peeters")
        f.user(s, "rep2", role="rep", team_id=team.id, full_name="Jan Claes")
        f.user(s, "lead", role="lead", team_id=team.id, full_name="Marc Dubois")
        f.user(s, "admin", role="admin")
        c = f.customer(s, "Brasserie Dupré & Fils", customer_number="C100042", language="fr")
        anne = f.contact(s, c, email="anne.dupre@dupre.be", phone="+3222252399")
        invoice = f.invoice(s, c, number="INV-2026-000777")
        policy = f.sla_policy(s)
        start = NOW - timedelta(hours=1)
        mine = f.enquiry(s, reference="ENQ-2026-000001", subject="Copie de facture",
                         customer_id=c.id, contact_id=anne.id, assignee_id=rep.id,
                         team_id=team.id, status="open", category="invoices", language="fr",
                         channel="email", invoice_id=invoice.id, sla_policy_id=policy.id,
                         created_at=start, **deadlines(start, policy).values())
        f.enquiry(s, reference="ENQ-2026-000002", subject="Livraison?", customer_id=c.id,
                  team_id=team.id, status="new", sla_policy_id=policy.id, created_at=start,
                  **deadlines(start, policy).values())
        s.add(CannedReply(name="Invoice copy", language="fr", category="invoices",
                          subject="Copie de la facture {invoice_number} [{reference}]",
                          body="Bonjour {contact_name},\nCi-joint {invoice_number}.\n"
                               "{agent_name}"))
        ids = {"mine": mine.id}
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    ids["url"] = url
    yield ids


def db(desk: dict) -> Session:
    return Session(make_engine(desk["url"]))


def open_queue(at: AppTest) -> AppTest:
    at.switch_page("../pages/queue.py").run()
    return at


@pytest.mark.parametrize("role", ["rep", "lead", "admin"])
def test_queue_renders_every_view(desk: dict, role: str) -> None:
    at = open_queue(sign_in(new_app(), role))
    assert not at.exception and "Enquiry queue" in titles(at)
    for view in ("mine", "unassigned", "team", "at_risk", "breached", "all"):
        at.session_state["queue_view"] = view
        at.run()
        assert not at.exception, (view, at.exception)


def test_queue_rows_and_the_enquiry_header_say_the_account_is_overdue(desk: dict) -> None:
    at = open_queue(sign_in(new_app(), "rep"))
    table = at.dataframe[0].value
    row = table[table["Reference"] == "ENQ-2026-000001"].iloc[0]
    assert row["Account"] == "🔴 Overdue"       # the invoice fell due on 31/10/2026
    at = open_enquiry(at)
    assert any(str(m.value).startswith(":red-badge[Overdue 121,00") for m in at.markdown)


def test_claim_next_opens_the_claimed_enquiry(desk: dict) -> None:
    at = open_queue(sign_in(new_app(), "rep2"))
    at.button(key="claim_next").click().run()
    assert not at.exception
    assert "Livraison?" in titles(at)
    with db(desk) as s:
        claimed = s.scalars(select(Enquiry).where(Enquiry.reference == "ENQ-2026-000002")).one()
        assert claimed.status == "open" and claimed.assignee_id is not None


def open_enquiry(at: AppTest, reference: str = "ENQ-2026-000001") -> AppTest:
    at.switch_page("../pages/enquiry.py")
    at.query_params["e"] = reference
    at.run()
    return at


def test_reply_with_a_canned_reply_in_french(desk: dict) -> None:
    at = open_enquiry(sign_in(new_app(), "rep"))
    assert "Copie de facture" in titles(at)
    box = at.selectbox(key=f"canned_{desk['mine']}")
    box.set_value(box.options[1]).run()
    assert not at.exception
    subject = next(t for t in at.text_input if t.label == "Subject")
    assert subject.value == "Copie de la facture INV-2026-000777 [ENQ-2026-000001]"
    body = next(t for t in at.text_area if t.label == "Message")
    assert body.value.startswith("Bonjour Anne Dupré")
    next(b for b in at.button if b.label == "Send reply").click().run()
    assert not at.exception
    with db(desk) as s:
        message = s.scalars(select(OutboundMessage)).one()
        enquiry = s.get(Enquiry, desk["mine"])
        assert message.to_address == "anne.dupre@dupre.be"
        assert message.subject.count("[ENQ-2026-000001]") == 1
        assert enquiry is not None and enquiry.status == "pending_customer"


def test_merging_offers_the_customers_recent_enquiries(desk: dict) -> None:
    at = open_enquiry(sign_in(new_app(), "rep"), "ENQ-2026-000002")
    with db(desk) as s:
        duplicate = s.scalars(select(Enquiry).where(
            Enquiry.reference == "ENQ-2026-000002")).one()
    box = at.selectbox(key=f"merge_pick_{duplicate.id}")
    assert [o.split(" · ")[0] for o in box.options] == ["ENQ-2026-000001"]
    box.select_index(0)
    next(b for b in at.button if b.label == "Merge").click().run()
    assert not at.exception
    with db(desk) as s:
        merged = s.get(Enquiry, duplicate.id)
        assert merged is not None and merged.merged_into_id == desk["mine"]


def test_note_and_status_change_and_stale_edit(desk: dict) -> None:
    at = open_enquiry(sign_in(new_app(), "rep"))
    next(t for t in at.text_area if t.label.startswith("Note")).input("Called finance")
    next(b for b in at.button if b.label == "Add note").click().run()
    assert not at.exception
    # Someone else changes the enquiry while this page is open.
    with db(desk) as s, s.begin():
        s.execute(update(Enquiry).where(Enquiry.id == desk["mine"])
                  .values(version=Enquiry.version + 1, priority="high"))
    at.run()  # any rerun now shows the change is there
    assert any("since you opened it" in w.value for w in at.warning)
    next(b for b in at.selectbox if b.label == "Status").set_value("resolved")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("reload" in e.value for e in at.error)
    with db(desk) as s:
        assert s.get(Enquiry, desk["mine"]).status == "open"  # type: ignore[union-attr]
        kinds = s.scalars(select(EnquiryEvent.kind)).all()
        assert "note" in kinds
    at.button(key="reload_enquiry").click().run()  # the fresh version is used from now on
    next(b for b in at.selectbox if b.label == "Status").set_value("resolved")
    next(b for b in at.button if b.label == "Save").click().run()
    with db(desk) as s:
        assert s.get(Enquiry, desk["mine"]).status == "resolved"  # type: ignore[union-attr]


def test_a_save_over_a_change_made_meanwhile_is_refused_even_when_it_looks_the_same(
        desk: dict) -> None:
    at = open_enquiry(sign_in(new_app(), "rep"))
    # Another representative raises the priority while this page is open; this one then
    # saves High too (its form now shows it): still refused, nothing said to be saved.
    with db(desk) as s, s.begin():
        s.execute(update(Enquiry).where(Enquiry.id == desk["mine"])
                  .values(version=Enquiry.version + 1, priority="high"))
    at.run()
    next(b for b in at.selectbox if b.label == "Priority").set_value("high")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("reload" in e.value for e in at.error)
    assert not any("Saved" in t.value for t in at.toast)
    # Once reloaded, an unchanged form says so instead of "Saved.".
    at.button(key="reload_enquiry").click().run()
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.error
    assert any("Nothing changed" in t.value for t in at.toast)


def test_a_rep_cannot_reassign_but_a_lead_can(desk: dict) -> None:
    at = open_enquiry(sign_in(new_app(), "rep2"))
    assert not [b for b in at.button if b.label == "Reassign"]
    lead = open_enquiry(sign_in(new_app(), "lead"))
    box = next(b for b in lead.selectbox if b.label == "Reassign to")
    box.select_index(next(i for i, o in enumerate(box.options) if "Jan Claes" in o))
    next(b for b in lead.button if b.label == "Reassign").click().run()
    assert not lead.exception
    with db(desk) as s:
        enquiry = s.get(Enquiry, desk["mine"])
        assert enquiry is not None
        assert s.scalar(select(Enquiry.assignee_id).where(Enquiry.id == enquiry.id)) != 1


def test_log_a_call_finds_the_caller_by_number(desk: dict) -> None:
    at = sign_in(new_app(), "rep")
    at.switch_page("../pages/log_call.py").run()
    at.text_input(key="call_phone").input("02/225.23.99").run()
    assert not at.exception
    assert "Anne Dupré" in next(b for b in at.selectbox if b.label == "Caller").value.label
    next(t for t in at.text_input if t.label == "Subject").input("Due date of an invoice")
    next(t for t in at.text_area if t.label == "Notes").input("Told her: 30 days.")
    next(b for b in at.button if b.label == "Save call").click().run()
    assert not at.exception
    with db(desk) as s:
        call = s.scalars(select(Enquiry).where(Enquiry.subject == "Due date of an invoice")).one()
        assert call.channel == "phone"
        assert call.status == "resolved" and call.first_response_at is not None
    assert "Due date of an invoice" in titles(at)


def test_a_call_from_an_unknown_number_is_saved_without_a_customer(desk: dict) -> None:
    at = sign_in(new_app(), "rep")
    at.switch_page("../pages/log_call.py").run()
    at.text_input(key="call_phone").input("+32 9 999 99 99").run()
    assert any("logged without a customer" in i.value for i in at.info)
    assert [o for o in next(b for b in at.selectbox if b.label == "Priority").options] == [
        "Low", "Normal", "High", "Urgent"]
    next(t for t in at.text_input if t.label == "Subject").input("Wants a price list")
    next(t for t in at.text_area if t.label == "Notes").input("Will call back with a name.")
    next(b for b in at.button if b.label == "Save call").click().run()
    assert not at.exception
    with db(desk) as s:
        call = s.scalars(select(Enquiry).where(Enquiry.subject == "Wants a price list")).one()
        assert call.customer_id is None and call.from_address == "+3299999999"
        assert call.priority == "normal"
    assert "Wants a price list" in titles(at)


def lead_with_two_ticked() -> AppTest:
    """A lead on the queue's All view, in selection mode, with the first two rows ticked."""
    at = open_queue(sign_in(new_app(), "lead"))
    at.session_state["queue_view"] = "all"
    at.run()
    at.toggle(key="queue_select_mode").set_value(True).run()
    select_rows(at, "queue_table", [0, 1])
    at.run()
    return at


def test_a_leads_bulk_close_asks_first_and_can_be_undone(desk: dict) -> None:
    at = lead_with_two_ticked()
    assert not at.exception
    close = at.button(key="bulk_close")
    assert close.label == "Close 2 enquiries"
    close.click().run()
    # A dialog asks first; nothing is closed yet.
    assert any(rendered(m.value) == "**Close 2 enquiries?**" for m in at.markdown)
    with db(desk) as s:
        assert s.scalars(select(Enquiry.status).order_by(Enquiry.id)).all() == ["open", "new"]
    at.button(key="bulk_confirm").click().run()
    assert not at.exception
    with db(desk) as s:
        assert s.scalars(select(Enquiry.status)).all() == ["closed", "closed"]
    assert any("Closed 2 enquiries" in i.value for i in at.info)
    at.button(key="bulk_undo").click().run()
    assert not at.exception
    with db(desk) as s:
        assert s.scalars(select(Enquiry.status)).all() == ["open", "open"]
    assert not [b for b in at.button if b.key == "bulk_undo"]


def test_a_bulk_close_is_all_or_nothing(desk: dict) -> None:
    at = lead_with_two_ticked()
    at.button(key="bulk_close").click().run()
    with db(desk) as s, s.begin():  # someone edits one of them meanwhile
        s.execute(update(Enquiry).where(Enquiry.reference == "ENQ-2026-000002")
                  .values(version=Enquiry.version + 1, priority="high"))
    at.button(key="bulk_confirm").click().run()
    assert not at.exception
    assert any("Not saved" in e.value for e in at.error)
    with db(desk) as s:
        assert "closed" not in s.scalars(select(Enquiry.status)).all()


def test_a_rep_has_no_bulk_actions(desk: dict) -> None:
    at = open_queue(sign_in(new_app(), "rep"))
    assert not [t for t in at.toggle if t.key == "queue_select_mode"]
