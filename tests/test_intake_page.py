"""The Intake problems page: quarantined and set-aside messages, download, retry, by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.intake import pipeline
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Enquiry, InboundMessage
from tests import factories as f
from tests.app_support import new_app, point_app_at, select_row, sign_in, titles

BROKEN = (b"From: someone@unknown.example\r\nSubject: =?utf-8?B?QmVzdGVsbGluZw==?=\r\n"
          b"Message-ID: <broken-1@unknown.example>\r\n\r\nWhere is my order?\r\n")


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        f.team(s, "Orders", categories=["orders", "other"], languages=["nl", "en"])
        f.user(s, "rep")
        f.customer(s, "Van den Bossche NV", customer_number="C100044")
        inbound, _ = pipeline.store_raw(s, BROKEN, "import")
        pipeline.quarantine(s, inbound.id, RuntimeError("could not decode the body"))
        ids = {"inbound": inbound.id}
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    ids["url"] = url  # type: ignore[assignment]
    yield ids


def test_quarantined_message_becomes_an_enquiry_by_hand(inbox: dict) -> None:
    at = sign_in(new_app(), "rep")
    at.switch_page("../pages/intake_problems.py").run()
    assert not at.exception and "Intake problems" in titles(at)
    table = at.dataframe[0].value
    problem = table["Problem"].iloc[0]
    assert "could not decode the body" in problem and "RuntimeError" not in problem
    select_row(at, "intake_table_quarantined", 0)
    at.run()
    assert any(b.label.startswith("Download the raw message") for b in at.get("download_button"))
    detail = next(e for e in at.expander if e.label == "Technical detail")
    assert "RuntimeError: could not decode the body" in detail.code[0].value
    preview = next(e for e in at.expander if e.label == "Preview")
    assert "Where is my order?" in preview.code[0].value
    assert "someone@unknown.example" in preview.table[0].value.to_string()
    next(t for t in at.text_input if t.label == "Customer number (optional)").input("C100044")
    next(b for b in at.button if b.label == "Create enquiry").click().run()
    assert not at.exception
    with Session(make_engine(inbox["url"])) as s:
        enquiry = s.scalars(select(Enquiry)).one()
        inbound = s.get(InboundMessage, inbox["inbound"])
        assert enquiry.customer_id is not None and inbound is not None
        assert inbound.status == "processed" and inbound.enquiry_id == enquiry.id


def test_process_again_and_an_unknown_customer_number(inbox: dict) -> None:
    at = sign_in(new_app(), "rep")
    at.switch_page("../pages/intake_problems.py").run()
    select_row(at, "intake_table_quarantined", 0)
    at.run()
    next(t for t in at.text_input if t.label == "Customer number (optional)").input("C999999")
    next(b for b in at.button if b.label == "Create enquiry").click().run()
    assert any("No customer with number C999999" in e.value for e in at.error)
    at.button(key=f"reprocess_{inbox['inbound']}").click().run()
    assert not at.exception
    with Session(make_engine(inbox["url"])) as s:
        assert s.get(InboundMessage, inbox["inbound"]).status != "quarantined"  # type: ignore[union-attr]


def test_a_set_aside_reply_opens_its_enquiry(inbox: dict) -> None:
    engine = make_engine(inbox["url"])
    with Session(engine) as s, s.begin():
        enquiry = f.enquiry(s, subject="Where is my order?")
        inbound, _ = pipeline.store_raw(
            s, BROKEN.replace(b"broken-1", b"auto-1").replace(b"Subject:", b"X-Autoreply: yes\r\n"
                                                               b"Subject:"), "import")
        inbound.status, inbound.error = "ignored", "X-Autoreply header"
        inbound.enquiry_id = enquiry.id
        reference = enquiry.reference
    at = sign_in(new_app(), "rep")
    at.switch_page("../pages/intake_problems.py").run()
    at.segmented_control(key="intake_kind").set_value("ignored").run()
    assert "Set aside as automatic mail: X-Autoreply header." in list(
        at.dataframe[0].value["Problem"])
    select_row(at, "intake_table_ignored", 0)
    at.run()
    next(b for b in at.button if b.label == f"Open {reference}").click().run()
    assert not at.exception
    assert at.query_params.get("e") in (reference, [reference])
