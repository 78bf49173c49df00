"""``python -m dashboard intake import|process|quarantine|reprocess`` in-process, on both
databases: .eml files, mbox files, maildirs and folders of them."""

from __future__ import annotations

import mailbox
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.__main__ import main
from dashboard.intake import store_raw
from db.models import Enquiry, InboundMessage
from tests.test_intake_pipeline import build_world
from tests.test_intake_smtp import cli_url

DATA = Path(__file__).resolve().parent / "data" / "email"


@pytest.fixture
def url(engine: Engine, session: Session) -> str:
    build_world(session)
    return cli_url(engine)


def intake(url: str, *args: str) -> int:
    return main(["--database-url", url, "intake", *args])


def enquiries(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Enquiry)) or 0)


def test_import_an_eml_file_twice(engine: Engine, url: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "01_fr_encoded_words_invoice.eml"
    assert intake(url, "import", str(path)) == 0
    assert capsys.readouterr().out.strip() == (
        "1 message(s) from 1 path(s): 1 created; 0 already received.")
    assert intake(url, "import", str(path)) == 0
    assert capsys.readouterr().out.strip() == (
        "1 message(s) from 1 path(s): nothing new; 1 already received.")
    assert enquiries(engine) == 2
    with Session(engine) as s:
        assert s.scalars(select(InboundMessage.source)).all() == ["import"]


def test_import_an_mbox(engine: Engine, url: str, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "support.mbox"
    box = mailbox.mbox(path)
    for name in ("01_fr_encoded_words_invoice.eml", "16_reply_in_reply_to.eml",
                 "12_autoreply_en.eml", "21_not_an_email.eml"):
        box.add((DATA / name).read_bytes())
    box.flush()
    box.close()
    assert intake(url, "import", str(path)) == 0
    assert capsys.readouterr().out.strip() == (
        "4 message(s) from 1 path(s): 1 created, 1 threaded, 1 ignored, 1 quarantined; "
        "0 already received.")
    assert enquiries(engine) == 2


def test_import_a_maildir_and_a_folder(engine: Engine, url: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    maildir.add((DATA / "02_nl_utf8_base64_order.eml").read_bytes())
    maildir.add((DATA / "08_hylafax.eml").read_bytes())
    folder = tmp_path / "exported"
    folder.mkdir()
    shutil.copy(DATA / "03_de_split_words_wrong_charset.eml", folder)
    (folder / "README.txt").write_text("Not a message.\n")
    (folder / ".hidden.eml").write_bytes((DATA / "07_html_only.eml").read_bytes())
    assert intake(url, "import", str(tmp_path / "Maildir"), str(folder)) == 0
    assert capsys.readouterr().out.strip() == (
        "3 message(s) from 2 path(s): 3 created; 0 already received.")
    with Session(engine) as s:
        channels = s.scalars(select(Enquiry.channel).order_by(Enquiry.id)).all()
    assert channels == ["email", "email", "fax", "email"]


def test_import_reports_what_it_cannot_read(url: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert intake(url, "import", str(tmp_path / "missing.mbox")) == 1
    assert "missing.mbox: no such file or folder" in capsys.readouterr().out


def test_process_quarantine_and_reprocess(engine: Engine, url: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    with Session(engine) as s, s.begin():
        left, _ = store_raw(s, (DATA / "02_nl_utf8_base64_order.eml").read_bytes(), "smtp")
        junk, _ = store_raw(s, (DATA / "21_not_an_email.eml").read_bytes(), "smtp")
        junk_id = junk.id
        assert left.status == "received"
    assert intake(url, "process") == 0
    assert capsys.readouterr().out.strip() == "Processed 1 created, 1 quarantined."
    assert intake(url, "quarantine") == 0
    listing = capsys.readouterr().out
    assert listing.startswith(f"{junk_id}\t") and "UnreadableMessage" in listing
    assert listing.rstrip().endswith("1 message(s) in quarantine.")
    assert intake(url, "reprocess", str(junk_id)) == 1
    assert "quarantined (UnreadableMessage" in capsys.readouterr().out
    assert intake(url, "reprocess", "999999") == 2
    assert "no longer exists" in capsys.readouterr().err
