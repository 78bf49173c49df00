"""Input the database cannot keep gets a message and writes nothing, the same on SQLite and
PostgreSQL: NUL characters, text longer than its column, attachments that are not what they
claim, and account creation that fails without printing a password hash."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from dashboard.__main__ import create_user
from dashboard.__main__ import main as dashboard_cli
from dashboard.documents import preview
from dashboard.services import customers, enquiry_detail, inventory, search, users, workflow
from dashboard.services.errors import ValidationError
from dashboard.services.text_limits import max_length
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Attachment, Base, EnquiryEvent, InstalledItem, InventoryChange, User
from tests import factories as f
from tests.app_support import new_app, point_app_at, sign_in

TODAY = date(2026, 12, 1)


@pytest.fixture
def account(session: Session) -> dict:
    rep = f.user(session, "rep")
    cust = f.customer(session, customer_number="C100042")
    f.contact(session, cust, email="anne.dupre@dupre.be")
    site = f.site(session, cust)
    prod = f.product(session, is_serialized=True)
    enq = f.enquiry(session, reference="ENQ-2026-000001", customer_id=cust.id, status="open")
    session.commit()
    by = users.get_user(session=session, username="rep")
    return {"rep": rep, "by": by, "customer": cust, "site": site, "product": prod,
            "enquiry": enq}


def _add(session: Session, a: dict, serial: str, reason: str = "Delivered with the order"
         ) -> int:
    return inventory.add_item(session=session, customer_id=a["customer"].id,
                              site_id=a["site"].id, product_id=a["product"].id,
                              serial_number=serial, installed_on=TODAY, warranty_end=None,
                              contract_id=None, reason=reason, enquiry_id=None, by=a["by"],
                              today=TODAY)


# --------------------------------------------------------------------------- NUL characters


@pytest.mark.parametrize("typed", ["Bras\x00serie", "C100042\x00", "ENQ-2026-\x00001",
                                   "anne\x00@dupre.be", "+32\x002 225", "\x00\x00"])
def test_a_nul_in_a_search_finds_nothing_instead_of_failing(session: Session, account: dict,
                                                            typed: str) -> None:
    assert search.search(session=session, query=typed) == []
    assert customers.find_by_number(session=session, customer_number=typed) is None
    assert enquiry_detail.find_id(session=session, reference=typed) is None


def test_a_nul_in_a_write_is_refused_and_nothing_is_written(session: Session, account: dict
                                                            ) -> None:
    with pytest.raises(ValidationError, match="NUL character"):
        _add(session, account, "SN-NUL\x00-1")
    session.rollback()
    with pytest.raises(ValidationError, match="NUL character"):
        workflow.add_note(session=session, enquiry_id=account["enquiry"].id,
                          body="called back\x00", by=account["by"], now=datetime.now(UTC))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(InstalledItem)) == 0
    assert session.scalar(select(func.count()).select_from(EnquiryEvent)) == 0


# --------------------------------------------------------------------------- lengths


def test_the_limits_are_the_column_sizes_on_both_databases(engine: Engine) -> None:
    assert max_length(InstalledItem, "serial_number") == 40
    assert max_length(InventoryChange, "reason") == 400
    assert max_length(EnquiryEvent, "body") is None  # Text: no limit
    if engine.dialect.name == "postgresql":  # the database holds exactly the models' sizes
        for table in Base.metadata.sorted_tables:
            for column in inspect(engine).get_columns(table.name):
                length = getattr(column["type"], "length", None)
                if length is not None:
                    assert length == max_length(_model(table.name), column["name"]), (
                        table.name, column["name"])


def _model(table: str) -> type:
    return next(m.class_ for m in Base.registry.mappers if m.local_table.name == table)


def test_a_ten_thousand_character_serial_or_reason_gets_a_message(session: Session,
                                                                   account: dict) -> None:
    with pytest.raises(ValidationError) as refused:
        _add(session, account, "S" * 10_000)
    assert refused.value.problems == [
        "Serial number can be at most 40 characters long (10.000 given)."]
    session.rollback()
    with pytest.raises(ValidationError, match=r"Reason can be at most 400 characters long"):
        _add(session, account, "SN-OK-1", reason="because " * 1_250)
        session.flush()  # as the commit at the end of the page's transaction does
    session.rollback()
    assert session.scalar(select(func.count()).select_from(InstalledItem)) == 0
    assert session.scalar(select(func.count()).select_from(InventoryChange)) == 0
    # An edit through the version check (relocate) is held to the same limits.
    item_id = _add(session, account, "SN-OK-2")
    session.commit()
    other = f.site(session, account["customer"], "Warehouse")
    session.commit()
    with pytest.raises(ValidationError, match="Reason can be at most 400"):
        inventory.relocate_item(session=session, item_id=item_id, to_site_id=other.id,
                                reason="x" * 10_000, enquiry_id=None, expected_version=1,
                                by=account["by"])
        session.flush()
    session.rollback()
    assert session.get(InstalledItem, item_id).site_id == account["site"].id  # type: ignore[union-attr]


# --------------------------------------------------------------------------- attachments


def _png(fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b'<image href="http://tracker.example/x.png"/><script>alert(2)</script></svg>')


@pytest.mark.parametrize(("content", "mime", "kind", "says"), [
    (SVG, "image/svg+xml", "none", "SVG drawings are not shown"),
    (SVG, "image/png", "none", "SVG drawings are not shown"),  # an SVG named .png
    (b"MZ\x90\x00 this is no image at all", "image/png", "none", "not an image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png", "none", "not an image"),  # truncated
    (b"<html><script>alert(1)</script>", "application/pdf", "none", "not a PDF"),
    (_png(), "image/png", "image", ""),
    (_png("TIFF"), "image/tiff", "image", ""),  # fax pages: shown as PNG
    (_png("JPEG"), "image/jpeg", "image", ""),
    (b"%PDF-1.7\n%...", "application/pdf", "pdf", ""),
])
def test_the_preview_shows_only_what_it_can_draw(content: bytes, mime: str, kind: str,
                                                 says: str) -> None:
    shown = preview.prepare(content, mime)
    assert shown.kind == kind and says in shown.message
    if kind == "image":  # re-drawn by Pillow: a PNG whatever came in
        assert shown.data.startswith(b"\x89PNG") and b"script" not in shown.data


# --------------------------------------------------------------------------- users create


def _create_args(**kw: object) -> argparse.Namespace:
    values = {"username": "newbie", "role": "rep", "name": "New Colleague",
              "email": "newbie@csol.example", "language": "en", "password_stdin": True}
    return argparse.Namespace(**{**values, **kw})


def _refuse_new_users(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("CREATE FUNCTION refuse_users() RETURNS trigger LANGUAGE plpgsql "
                              "AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$"))
            conn.execute(text("CREATE TRIGGER refuse_users BEFORE INSERT ON users "
                              "FOR EACH ROW EXECUTE FUNCTION refuse_users()"))
        else:
            conn.execute(text("CREATE TRIGGER refuse_users BEFORE INSERT ON users "
                              "BEGIN SELECT RAISE(ABORT, 'refused'); END"))


def _forget_refusal(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse_users" + (
            " ON users" if engine.dialect.name == "postgresql" else "")))
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION refuse_users()"))


def test_users_create_never_prints_a_password_hash(engine: Engine, capsys: pytest.CaptureFixture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    password = "orange tram quietly"
    cases = [({"name": "N" * 300}, "Full name can be at most 120 characters"),
             ({"email": "x" * 250 + "@csol.example"}, "Email can be at most 254"),
             ({}, "the database refused the account")]
    _refuse_new_users(engine)
    try:
        for changes, says in cases:
            monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
            assert create_user(engine, _create_args(**changes)) != 0
            said = capsys.readouterr()
            assert says in said.err
            assert "$2b$" not in said.out + said.err and password not in said.out + said.err
    finally:
        _forget_refusal(engine)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0


def test_the_command_line_hides_statement_parameters(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _refuse_new_users(engine)
    engine.dispose()
    monkeypatch.setattr("sys.stdin", io.StringIO("orange tram quietly\n"))
    code = dashboard_cli(["--database-url", url, "users", "create", "newbie", "--role", "rep",
                          "--name", "New Colleague", "--email", "newbie@csol.example",
                          "--password-stdin"])
    said = capsys.readouterr()
    assert code == 1 and "the database refused the account" in said.err
    assert "$2b$" not in said.out + said.err


# --------------------------------------------------------------------------- on the pages


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s, s.begin():
        rep = f.user(s, "rep", full_name="Sofie Peeters")
        cust = f.customer(s, customer_number="C100042")
        enq = f.enquiry(s, reference="ENQ-2026-000001", subject="Fax with pictures",
                        customer_id=cust.id, assignee_id=rep.id, status="open")
        for name, mime, content in [("drawing.svg", "image/svg+xml", SVG),
                                    ("photo.png", "image/png", b"MZ this is an executable"),
                                    ("page.tif", "image/tiff", _png("TIFF"))]:
            s.add(Attachment(enquiry_id=enq.id, filename=name, content_type=mime,
                             size_bytes=len(content), sha256="0" * 64, content=content))
    engine.dispose()
    point_app_at(url, tmp_path, monkeypatch)
    return url


def test_the_attachment_preview_says_what_it_cannot_show(desk: str) -> None:
    at = sign_in(new_app(), "rep")
    at.switch_page("../pages/enquiry.py")
    at.query_params["e"] = "ENQ-2026-000001"
    at.run()
    toggles = [t for t in at.toggle if str(t.key).startswith("att_preview_")]
    assert len(toggles) == 3
    for toggle in toggles:
        toggle.set_value(True)
    at.run()
    assert not at.exception, at.exception
    infos = [i.value for i in at.info]
    assert any("SVG drawings are not shown" in i for i in infos)
    assert any("not an image" in i for i in infos)
    assert len(at.get("image")) == 1  # the fax page, drawn as PNG
    downloads = [d for d in at.get("download_button") if str(d.proto.id).find("att_") >= 0]
    assert len(downloads) == 3  # every file can still be downloaded


@pytest.mark.parametrize(("page", "param", "typed", "says"), [
    ("enquiry.py", "e", "ENQ-2026-000001\x00", "No enquiry"),
    ("customer.py", "c", "C100042\x00", "No customer"),
])
def test_a_nul_in_the_address_bar_says_not_found(desk: str, page: str, param: str,
                                                 typed: str, says: str) -> None:
    at = sign_in(new_app(), "rep")
    at.switch_page(f"../pages/{page}")
    at.query_params[param] = typed
    at.run()
    assert not at.exception, at.exception
    assert any(says in e.value for e in at.error)
