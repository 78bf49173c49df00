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
    assert list(table["Problem"]) == ["RuntimeError: could not decode the body"] or (
        "could not decode" in table["Problem"].iloc[0])
    select_row(at, "intake_table_quarantined", 0)
    at.run()
    assert any(b.label.startswith("Download the raw message") for b in at.get("download_button"))
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
