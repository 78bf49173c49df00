"""Reading messages tolerantly and telling what they are: no database involved."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.intake import classify, mime
from dashboard.intake.mime import UnreadableMessage

DATA = Path(__file__).resolve().parent / "data" / "email"
CORPUS = sorted(DATA.glob("*.eml"))
CPYTHON = sorted((DATA / "cpython").glob("msg_*.txt"))
# CPython's MIME fragments without a single header mail has (no From, Subject or
# Message-ID): intake keeps them in quarantine.
NOT_MAIL = {"21_not_an_email.eml", "msg_18.txt", "msg_19.txt", "msg_37.txt", "msg_38.txt",
            "msg_39.txt", "msg_40.txt"}


def parse(name: str) -> mime.ParsedMessage:
    return mime.parse((DATA / name).read_bytes())


# --- headers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("=?iso-8859-1?Q?Facture_impay=E9e?=", "Facture impayée"),
    ("=?utf-8?B?UsO8Y2tmcmFnZSB6dXIgUmVjaG51bmc=?=", "Rückfrage zur Rechnung"),
    ("=?windows-1252?Q?Levering_=96_vertraagd?=", "Levering – vertraagd"),
    ("=?UTF-8?q?Pi=C3=A8ce_jointe?= manquante", "Pièce jointe manquante"),
    # A UTF-8 character split over two encoded words, blanks between them dropped.
    ("=?utf-8?B?UsM=?= =?utf-8?B?vGNrZnJhZ2U=?=", "Rückfrage"),
    # Base64 without its padding, an unknown charset, a charset with a language tag.
    ("=?utf-8?B?SGFsbG8gV2VsdA?=", "Hallo Welt"),
    ("=?x-unknown?Q?caf=E9?=", "café"),
    ("=?iso-8859-1*fr?Q?r=E9ponse?=", "réponse"),
    # UTF-8 labelled Latin-1 (mojibake) is put right.
    ("=?iso-8859-1?Q?Fran=C3=A7ois?=", "François"),
    ("Plain  folded\r\n\tsubject", "Plain folded subject"),
])
def test_header_values_are_decoded_whatever_the_sender_did(raw: str, expected: str) -> None:
    assert mime.decode_header(raw) == expected


def test_raw_8bit_headers_in_latin_1_and_utf_8() -> None:
    assert mime.decode_header(b"Relev\xe9 de compte") == "Relevé de compte"
    assert mime.decode_header("Relevé de compte".encode()) == "Relevé de compte"
    parsed = parse("04_wrong_charset_raw_8bit_header.eml")
    assert parsed.from_name == "François Dubois"
    assert parsed.from_address == "francois.dubois@brasserie-dupre.be"


@pytest.mark.parametrize(("value", "name", "address"), [
    ('"Dupré, Anne" <Anne.Dupre@Brasserie.be>', "Dupré, Anne", "anne.dupre@brasserie.be"),
    ("=?utf-8?Q?Dupr=C3=A9=2C_Anne?= <anne@x.be>", "Dupré, Anne", "anne@x.be"),
    ("bbb@ddd.com (John X. Doe)", "John X. Doe", "bbb@ddd.com"),
    ("<only@address.lu>", "", "only@address.lu"),
    ("Nobody", "Nobody", None),
])
def test_senders(value: str, name: str, address: str | None) -> None:
    assert mime.sender(value) == (name, address)


def test_message_ids_from_threading_headers() -> None:
    assert mime.message_ids("<a@x> <b@y>\r\n <c@z>") == ("<a@x>", "<b@y>", "<c@z>")
    assert mime.message_ids("a@x, b@y") == ("<a@x>", "<b@y>")
    assert mime.first_message_id(b"  <id.1@example.com>  ") == "<id.1@example.com>"


# --- bodies -------------------------------------------------------------------------------

def test_french_message_in_latin_1_quoted_printable() -> None:
    parsed = parse("01_fr_encoded_words_invoice.eml")
    assert parsed.subject == "Facture INV-2026-000101 impayée ?"
    assert parsed.from_name == "Françoise Lefèvre"
    assert parsed.from_address == "francoise.lefevre@brasserie-dupre.be"  # lower-cased
    assert "Nous avons reçu la facture INV-2026-000101" in parsed.body
    assert "note de crédit" in parsed.body


def test_utf_8_body_labelled_latin_1_is_read_as_utf_8() -> None:
    parsed = parse("03_de_split_words_wrong_charset.eml")
    assert parsed.subject == "Rückfrage zur Kündigung CT-2026-00033"
    assert "wir möchten den Vertrag" in parsed.body
    assert "Grüßen" in parsed.body


def test_latin_1_body_labelled_ascii_and_unknown_charsets() -> None:
    assert "relevé de compte" in parse("04_wrong_charset_raw_8bit_header.eml").body
    parsed = parse("05_unknown_charsets.eml")
    assert "la machine à café" in parsed.body
    assert "café" in parsed.subject and "not padded" in parsed.subject


@pytest.mark.parametrize(("data", "charset", "text"), [
    ("Grüße".encode(), "iso-8859-1", "Grüße"),
    ("Grüße".encode("latin-1"), "utf-8", "Grüße"),
    ("Grüße".encode("latin-1"), "us-ascii", "Grüße"),
    ("Grüße".encode("latin-1"), "x-bogus", "Grüße"),
    ("Grüße".encode("cp1252"), None, "Grüße"),
    ("€ 12".encode("cp1252"), "windows-1252", "€ 12"),
    ("日本".encode("shift_jis"), "shift_jis", "日本"),
])
def test_text_decoding_falls_back_sensibly(data: bytes, charset: str | None, text: str) -> None:
    assert mime.decode_text(data, charset) == text


def test_multipart_without_boundary_is_cut_at_its_boundary_lines() -> None:
    parsed = parse("06_missing_boundary_with_pdf.eml")
    assert parsed.body.startswith("Please find the signed purchase order")
    assert "--=_scan_4711" not in parsed.body
    [pdf] = parsed.attachments
    assert (pdf.filename, pdf.content_type) == ("PO-4711.pdf", "application/pdf")
    assert pdf.content.startswith(b"%PDF-1.4")
    assert "RecoveredBoundary" in parsed.defects


def test_multipart_with_the_wrong_boundary() -> None:
    raw = (b"From: a@b.be\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=WRONG\r\n\r\n"
           b"--RIGHT\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
           b"--RIGHT\r\nContent-Type: application/octet-stream\r\n\r\nDATA\r\n--RIGHT--\r\n")
    parsed = mime.parse(raw)
    assert parsed.body == "hello"
    assert [a.content for a in parsed.attachments] == [b"DATA"]


def test_html_only_message_becomes_text() -> None:
    parsed = parse("07_html_only.eml")
    assert parsed.body.startswith("Bonjour,")
    assert "L'imprimante avec le numéro de série SNAC02RW1EXK" in parsed.body
    assert "color" not in parsed.body and "<" not in parsed.body


def test_fax_attachments_are_kept_byte_for_byte() -> None:
    [tiff] = parse("08_hylafax.eml").attachments
    assert (tiff.filename, tiff.content_type) == ("fax000123.tif", "image/tiff")
    assert tiff.content.startswith(b"II*\x00")


def test_what_is_not_mail_is_refused() -> None:
    with pytest.raises(UnreadableMessage):
        parse("21_not_an_email.eml")
    with pytest.raises(UnreadableMessage):
        mime.parse(b"")


def test_absurd_nesting_is_refused_not_a_crash() -> None:
    depth = 60
    head = b"From: a@b.be\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    body = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
                    for i in range(depth))
    body += b"Content-Type: text/plain\r\n\r\nbottom\r\n"
    body += b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth)))
    with pytest.raises(UnreadableMessage, match="nesting"):
        mime.parse(head + body)


@pytest.mark.parametrize("path", CORPUS + CPYTHON, ids=lambda p: p.name)
def test_every_corpus_message_is_read_or_refused_cleanly(path: Path) -> None:
    try:
        parsed = mime.parse(path.read_bytes())
    except UnreadableMessage:
        assert path.name in NOT_MAIL
        return
    assert path.name not in NOT_MAIL
    assert isinstance(parsed.body, str) and isinstance(parsed.subject, str)
    assert all(isinstance(a.content, bytes) for a in parsed.attachments)


def test_cpython_messages() -> None:
    digest = mime.parse((DATA / "cpython" / "msg_02.txt").read_bytes())
    assert "Send Ppp mailing list submissions" in digest.body
    assert len([a for a in digest.attachments if a.content_type == "message/rfc822"]) == 5
    no_blank_lines = mime.parse((DATA / "cpython" / "msg_47.txt").read_bytes())
    assert no_blank_lines.body == "bar"
    bounce = mime.parse((DATA / "cpython" / "msg_43.txt").read_bytes())
    assert bounce.content_type == "multipart/report"
    no_separator = mime.parse((DATA / "cpython" / "msg_35.txt").read_bytes())
    assert no_separator.from_address == "aperson@dom.ain"
    forwarded = mime.parse((DATA / "cpython" / "msg_46.txt").read_bytes())
    assert forwarded.body == "Testing email forwarding with Groupwise 1.2.2010"


# --- automatic messages, fax gateways -----------------------------------------------------

def message(headers: str, body: str = "Hello") -> mime.ParsedMessage:
    return mime.parse(f"{headers}\r\n\r\n{body}\r\n".encode())


@pytest.mark.parametrize("headers", [
    "From: a@b.be\r\nSubject: Re: order\r\nAuto-Submitted: auto-replied",
    "From: a@b.be\r\nSubject: x\r\nAuto-Submitted: auto-generated (failure)",
    "From: a@b.be\r\nSubject: x\r\nPrecedence: bulk",
    "From: a@b.be\r\nSubject: x\r\nPrecedence: list",
    "From: a@b.be\r\nSubject: x\r\nX-Autoreply: yes",
    "From: a@b.be\r\nSubject: x\r\nX-Autorespond: on",
    "From: MAILER-DAEMON@mx.b.be\r\nSubject: x",
    "From: a@b.be\r\nSubject: x\r\nReturn-Path: <>",
    "From: a@b.be\r\nSubject: Out of Office: back Monday",
    "From: a@b.be\r\nSubject: Automatic reply: invoice",
    "From: a@b.be\r\nSubject: Absence du bureau",
    "From: a@b.be\r\nSubject: =?utf-8?Q?R=C3=A9ponse_automatique_:_absent?=",
    "From: a@b.be\r\nSubject: Afwezig tot 12 november",
    "From: a@b.be\r\nSubject: Automatisch antwoord: factuur",
    "From: a@b.be\r\nSubject: Abwesenheitsnotiz",
    "From: a@b.be\r\nSubject: Automatische Antwort: Rechnung",
    "From: support@csol.example\r\nSubject: our own",
])
def test_automatic_messages_are_recognised(headers: str) -> None:
    own = frozenset({"support@csol.example"})
    assert classify.automatic_reason(message(headers), own) is not None


@pytest.mark.parametrize("headers", [
    "From: a@b.be\r\nSubject: Invoice question\r\nAuto-Submitted: no",
    "From: a@b.be\r\nSubject: Absence de facture pour la commande",
    "From: a@b.be\r\nSubject: Afwezigheid van de technieker gisteren?",
    "From: postmaster-team@b.be\r\nSubject: Order",
])
def test_people_writing_are_not_taken_for_automatic_messages(headers: str) -> None:
    assert classify.automatic_reason(message(headers)) is None


def test_default_fax_gateway_patterns() -> None:
    patterns = classify.fax_patterns(None)
    hylafax = classify.match_fax(parse("08_hylafax.eml"), patterns)
    assert hylafax == classify.FaxMatch("HylaFAX", "+32 2 555 12 34", "+3225551234",
                                        ("+3225551234",))
    efax = classify.match_fax(parse("09_efax.eml"), patterns)
    assert efax is not None and efax.gateway == "eFax" and efax.number == "+3242223344"
    assert classify.match_fax(parse("01_fr_encoded_words_invoice.eml"), patterns) is None


@pytest.mark.parametrize(("name", "gateway", "number_text", "numbers"), [
    # HylaFAX 4's faxrcvd with FaxDispatch: "The HylaFAX Receive Agent <fax@host>", faxinfo
    # lines in the body, the fax as PDF; the caller-ID repeats the TSI.
    ("23_hylafax_faxrcvd_pdf.eml", "HylaFAX", "+32 2 555 12 34", ("+3225551234",)),
    # HylaFAX's French template: the TSI is a name, the number is on the CallID1 line.
    ("24_hylafax_template_fr_tsi_name.eml", "HylaFAX", "BOUWGROEP PEETERS", ("+3242223344",)),
    # eFax from a subdomain of efax.com, the Caller-ID as bare digits with country code.
    ("25_efax_inbound.eml", "eFax", "3225551234", ("+3225551234",)),
])
def test_real_gateway_formats_are_fax_by_default(
        name: str, gateway: str, number_text: str, numbers: tuple[str, ...]) -> None:
    found = classify.match_fax(parse(name), classify.fax_patterns(None))
    assert found == classify.FaxMatch(gateway, number_text, numbers[0], numbers)


def test_settings_add_gateways_and_never_narrow_the_built_in_ones() -> None:
    narrow = [{"name": "eFax", "from": r"@efax\.com$",
               "subject": r'^eFax message from "?(?P<number>[+\d ()-]+)"?'},
              {"name": "HylaFAX", "from": r"^faxmaster@",
               "subject": r"^Facsimile received from (?P<number>.+)$"}]
    patterns = classify.fax_patterns(narrow)
    for name in ("23_hylafax_faxrcvd_pdf.eml", "24_hylafax_template_fr_tsi_name.eml",
                 "25_efax_inbound.eml", "08_hylafax.eml", "09_efax.eml"):
        assert classify.match_fax(parse(name), patterns) is not None, name
    assert len(classify.fax_patterns(classify.DEFAULT_FAX_PATTERNS)) == len(
        classify.DEFAULT_FAX_PATTERNS)  # repeating a built-in pattern adds nothing


def test_fax_patterns_from_settings_and_a_broken_one_skipped() -> None:
    setting = [{"name": "Broken", "from": "(", "subject": "x"},
               {"name": "Scanner", "from": r"^scan@", "subject": r"^FAX (?P<number>\S+)"}]
    patterns = classify.fax_patterns(setting)
    assert [p.name for p in patterns] == ["HylaFAX", "eFax", "Scanner"]
    found = classify.match_fax(message("From: scan@office.be\r\nSubject: FAX 025551234"),
                               patterns)
    assert found == classify.FaxMatch("Scanner", "025551234", "+3225551234",
                                      ("+3225551234",))


# --- language, category, numbers ----------------------------------------------------------

@pytest.mark.parametrize(("text", "language"), [
    ("Bonjour, pourriez-vous nous envoyer la facture ? Merci et cordialement", "fr"),
    ("Beste, kunt u ons de factuur van vorige maand sturen? Met vriendelijke groeten", "nl"),
    ("Sehr geehrte Damen und Herren, bitte senden Sie uns die Rechnung. Vielen Dank", "de"),
    ("Dear team, could you please send us the invoice for this month? Kind regards", "en"),
    ("Kunnen jullie de factuur opnieuw sturen aub", "nl"),
    ("INV-2026-000101", None),
    ("+32 2 225 23 45", None),
])
def test_language_detected_among_nl_fr_de_en(text: str, language: str | None) -> None:
    assert classify.detect_language(text) == language


@pytest.mark.parametrize("on_file", ["fr", "de", "en", "nl", None])
def test_clear_text_outweighs_the_language_on_file(on_file: str | None) -> None:
    assert classify.detect_language("Kunnen jullie de factuur opnieuw sturen aub",
                                    prior=on_file) == "nl"
    assert classify.detect_language("Pourriez-vous nous renvoyer la facture du mois passé ?",
                                    prior=on_file) == "fr"


def test_the_language_on_file_decides_what_a_few_words_leave_open() -> None:
    # "Printer defect." is as Dutch as it is English.
    assert classify.detect_language("Printer defect.", prior="nl") == "nl"
    assert classify.detect_language("Printer defect.", prior="en") == "en"
    scores = classify.language_scores("Bedankt, de levering is goed aangekomen", prior="fr")
    assert set(scores) == set(classify.LANGUAGES) and abs(sum(scores.values()) - 1) < 1e-9
    assert max(scores, key=lambda code: scores[code]) == "nl"


def test_the_detector_is_built_once() -> None:
    assert classify.language_detector() is classify.language_detector()


def test_quoted_text_does_not_decide_the_language() -> None:
    body = ("Vielen Dank, das ist gut so für uns und wir warten.\n\n"
            "Le 3 nov. 2026, support a écrit :\n> Bonjour, nous avons le plaisir de vous "
            "informer que la commande est livrée et que la facture est payée.")
    assert classify.detect_language(classify.own_words(body)) == "de"


@pytest.mark.parametrize(("subject", "body", "category"), [
    ("Facture impayée", "", "invoices"),
    ("Vraag", "Wanneer wordt onze bestelling geleverd?", "orders"),
    ("Kündigung", "Wir möchten den Vertrag kündigen.", "contracts"),
    ("Printer", "The printer is broken, can a technician come?", "inventory"),
    ("Hello", "Could you call me back?", "other"),
])
def test_category_from_words(subject: str, body: str, category: str) -> None:
    assert classify.guess_category(subject, body) == category


def test_document_numbers_in_the_order_written() -> None:
    text = ("Re: INV 2026 000101 and order SO-2026-202, contract ct2026-33, serial no: "
            "ab-1234x, device SNAC02RW1EXK, paid with +++000/0004/24271+++ "
            "(not +++000/0004/24272+++), customer C100042.")
    found = [(m.kind, m.value) for m in classify.document_mentions(text)]
    assert found == [
        ("invoice", "INV-2026-000101"), ("order", "SO-2026-000202"),
        ("contract", "CT-2026-00033"), ("item", "AB-1234X"), ("item", "SNAC02RW1EXK"),
        ("payment_reference", "000000424271"), ("customer", "C100042")]


def test_subject_cleaning_and_tags() -> None:
    assert classify.enquiry_tags("RE: Levering [ENQ-2026-000042] [enq-2025-000001]") == [
        "ENQ-2026-000042", "ENQ-2025-000001"]
    assert classify.clean_subject("RE: TR: Fwd: Levering [ENQ-2026-000042]") == "Levering"
