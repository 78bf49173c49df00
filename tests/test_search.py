"""Universal search finds the account however the caller reads out the number or name."""

import pytest
from sqlalchemy.orm import Session

from dashboard.services import search
from dashboard.services.search import normalise_phone, vat_candidates
from tests import factories as f


@pytest.fixture
def accounts(session: Session) -> dict[str, int]:
    dupre = f.customer(session, "Brasserie Dupré & Fils", customer_number="C100042",
                       vat_number="BE0403019261", phone="+3222252345")
    muller = f.customer(session, "Müller Technik GmbH", customer_number="C100043",
                        vat_number="LU15027442", country="LU", language="de")
    vdb = f.customer(session, "Van den Bossche NV", customer_number="C100044", language="nl")
    f.customer(session, "Société Générale de Logistique", customer_number="C100045")
    f.contact(session, dupre, email="anne.dupre@dupre.be", phone="+3222252399",
              fax="+3222252398")
    f.order(session, vdb, order_number="SO-2026-000123", customer_po="PO-7781")
    f.invoice(session, muller, number="INV-2026-000456", payment_reference="090933755493")
    f.invoice(session, dupre, number="CN-2026-000007", kind="credit_note", total_cents=-1210)
    f.contract(session, vdb, contract_number="CT-2026-00012")
    f.item(session, vdb, f.site(session, vdb), f.product(session), serial_number="SNX42AB19")
    session.flush()
    return {"dupre": dupre.id, "muller": muller.id, "vdb": vdb.id}


def first(session: Session, query: str) -> search.SearchHit:
    hits = search.search(session=session, query=query)
    assert hits, f"nothing found for {query!r}"
    return hits[0]


@pytest.mark.parametrize("spelling", [
    "BE 0403.019.261", "BE0403019261", "0403019261", "0403.019.261", "403019261",
    "be 0403 019 261", "BE-0403-019-261",
])
def test_belgian_vat_in_any_spelling(session: Session, accounts: dict[str, int],
                                     spelling: str) -> None:
    hit = first(session, spelling)
    assert hit.customer_id == accounts["dupre"] and hit.matched == "VAT number"


def test_luxembourg_vat(session: Session, accounts: dict[str, int]) -> None:
    assert first(session, "LU 1502 7442").customer_id == accounts["muller"]
    assert first(session, "15027442").customer_id == accounts["muller"]


def test_customer_number_case_insensitive(session: Session, accounts: dict[str, int]) -> None:
    assert first(session, "c100043").customer_id == accounts["muller"]


@pytest.mark.parametrize(("query", "key"), [
    ("brasserie", "dupre"), ("BRASSERIE DUPRE", "dupre"), ("Brasserie Dupré", "dupre"),
    ("muller", "muller"), ("Müller", "muller"), ("van den", "vdb"),
])
def test_name_prefix_ignores_case_and_accents(session: Session, accounts: dict[str, int],
                                              query: str, key: str) -> None:
    hit = first(session, query)
    assert hit.customer_id == accounts[key] and hit.matched == "Name"


def test_name_contains_comes_after_prefix(session: Session, accounts: dict[str, int]) -> None:
    hit = first(session, "dupre")
    assert hit.customer_id == accounts["dupre"] and hit.matched == "Name contains"
    names = [h.customer_name for h in search.search(session=session, query="ge")]
    assert "Société Générale de Logistique" in names


@pytest.mark.parametrize(("query", "kind", "key"), [
    ("SO-2026-000123", "order", "vdb"), ("so 2026 123", "order", "vdb"),
    ("INV-2026-000456", "invoice", "muller"), ("inv-2026-456", "invoice", "muller"),
    ("CN-2026-000007", "invoice", "dupre"), ("CT-2026-00012", "contract", "vdb"),
    ("+++090/9337/55493+++", "invoice", "muller"), ("090933755493", "invoice", "muller"),
    ("anne.dupre@dupre.be", "contact", "dupre"), ("SNX42AB19", "item", "vdb"),
    ("snx42ab19", "item", "vdb"), ("PO-7781", "order", "vdb"),
])
def test_documents_open_the_customer_with_the_document(
    session: Session, accounts: dict[str, int], query: str, kind: str, key: str
) -> None:
    hit = first(session, query)
    assert hit.customer_id == accounts[key]
    assert hit.document_kind == kind and hit.document_id is not None


@pytest.mark.parametrize("spelling", [
    "+32 2 225 23 45", "02/225.23.45", "0032 2 225 23 45", "022252345", "+3222252345",
])
def test_company_phone_in_any_spelling(session: Session, accounts: dict[str, int],
                                       spelling: str) -> None:
    assert first(session, spelling).customer_id == accounts["dupre"]


def test_contact_fax_number(session: Session, accounts: dict[str, int]) -> None:
    hit = first(session, "02 225 23 98")
    assert hit.customer_id == accounts["dupre"] and hit.document_kind == "contact"


def test_nothing_found_and_too_short(session: Session, accounts: dict[str, int]) -> None:
    assert search.search(session=session, query="zzzz") == []
    assert search.search(session=session, query="a") == []
    assert search.search(session=session, query="BE 0403.019.262") == []  # bad check digits


def test_like_wildcards_are_literal(session: Session, accounts: dict[str, int]) -> None:
    assert search.search(session=session, query="%%") == []
    assert search.search(session=session, query="b_a") == []


def test_normalisers() -> None:
    assert vat_candidates("BE 0403.019.261") == ["BE0403019261"]
    assert vat_candidates("hello") == []
    assert normalise_phone("+352 26 12 34 56") == "+35226123456"
    assert normalise_phone("26 12 34 56") == "+35226123456"
    assert normalise_phone("call me") is None


# --- what callers say: references, names, partial addresses, bare numbers ------------------

@pytest.fixture
def desk(session: Session, accounts: dict[str, int]) -> dict[str, int]:
    from datetime import date

    from db.models import Payment

    dupre = session.get(search.Customer, accounts["dupre"])
    vdb = session.get(search.Customer, accounts["vdb"])
    assert dupre is not None and vdb is not None
    f.contact(session, vdb, first_name="Émile", last_name="Vandenbroucke",
              email="emile.vdb@vandenbossche.be")
    f.contact(session, vdb, first_name="Sarah", last_name="Vandenbroucke",
              email="sarah@vandenbossche.be")
    f.order(session, dupre, order_number="SO-2026-000124", carrier="bpost",
            tracking_number="323299901234567")
    f.invoice(session, dupre, number="INV-2026-000123")
    session.add(Payment(customer_id=dupre.id, received_on=date(2026, 11, 2),
                        amount_cents=121_00, unallocated_cents=121_00, method="bank_transfer",
                        bank_reference="KBC-20261102-0042"))
    matched = f.enquiry(session, reference="ENQ-2026-000077", customer_id=vdb.id)
    stranger = f.enquiry(session, reference="ENQ-2026-000078", customer_id=None)
    session.flush()
    return {**accounts, "matched": matched.id, "stranger": stranger.id}


@pytest.mark.parametrize("spelling", ["ENQ-2026-000077", "enq 2026 77", "ENQ2026000077"])
def test_an_enquiry_reference_opens_that_enquiry(session: Session, desk: dict[str, int],
                                                 spelling: str) -> None:
    hits = search.search(session=session, query=spelling)
    assert [(h.document_kind, h.document_id, h.customer_id) for h in hits] == [
        ("enquiry", desk["matched"], desk["vdb"])]
    assert search.opens_directly(hits) == hits[0]


def test_an_enquiry_without_a_customer_is_found_too(session: Session, desk: dict[str, int]
                                                    ) -> None:
    hit = first(session, "ENQ-2026-000078")
    assert hit.document_id == desk["stranger"] and hit.customer_id is None


@pytest.mark.parametrize("query", ["vandenbroucke", "VANDENBROUCKE", "Émile Vandenbroucke",
                                   "emile vandenbroucke", "Vandenbroucke Emile", "vandenbr"])
def test_contacts_by_name_in_any_case_accent_and_order(session: Session, desk: dict[str, int],
                                                       query: str) -> None:
    hits = [h for h in search.search(session=session, query=query) if h.matched == "Contact"]
    assert hits and all(h.customer_id == desk["vdb"] for h in hits)
    assert "Émile Vandenbroucke" in {h.detail for h in hits}


def test_two_contacts_of_one_name_are_listed_not_guessed(session: Session,
                                                         desk: dict[str, int]) -> None:
    hits = search.search(session=session, query="vandenbroucke")
    assert len([h for h in hits if h.matched == "Contact"]) == 2
    assert search.opens_directly(hits) is None


@pytest.mark.parametrize("query", ["@vandenbossche.be", "vandenbossche.be",
                                   "VandenBossche.BE"])
def test_an_email_domain_lists_its_contacts(session: Session, desk: dict[str, int],
                                            query: str) -> None:
    hits = search.search(session=session, query=query)
    assert {h.detail for h in hits} == {"emile.vdb@vandenbossche.be", "sarah@vandenbossche.be"}
    assert search.opens_directly(hits) is None


def test_the_start_of_an_address_finds_it(session: Session, desk: dict[str, int]) -> None:
    hits = search.search(session=session, query="emile.vdb@")
    assert [h.detail for h in hits] == ["emile.vdb@vandenbossche.be"]
    assert search.opens_directly(hits) == hits[0]


@pytest.mark.parametrize("query, number", [
    ("2026-000123", {"SO-2026-000123", "INV-2026-000123"}), ("2026/123", {"SO-2026-000123",
                                                                         "INV-2026-000123"}),
    ("INV 2026 123", {"INV-2026-000123"}), ("so-2026-124", {"SO-2026-000124"}),
    ("2026 456", {"INV-2026-000456"}),
])
def test_numbers_without_prefix_or_leading_zeros(session: Session, desk: dict[str, int],
                                                 query: str, number: set[str]) -> None:
    hits = search.search(session=session, query=query)
    assert {h.detail for h in hits} == number
    assert (search.opens_directly(hits) is not None) == (len(number) == 1)


def test_tracking_and_bank_references(session: Session, desk: dict[str, int]) -> None:
    tracking = first(session, "323299901234567")
    assert tracking.matched == "Tracking number" and tracking.customer_id == desk["dupre"]
    bank = first(session, "kbc-20261102-0042")
    assert bank.matched == "Bank reference" and bank.document_kind == "payment"


def test_a_name_prefix_as_a_range_finds_what_like_finds(session: Session) -> None:
    """The range form (>= prefix, < the next string) against LIKE 'prefix%', with names at
    the end of the alphabet and beyond ASCII, and prefixes ending on a space or a digit."""
    from sqlalchemy import select

    from db.models import Customer

    names = ["Zwaluw Bouw", "Zz Top Koeriers", "zzz", "Yser Métal", "Ørsted Belgium",
             "Łódź Trading", "Ωmega Services", "日本 Import", "Van den Bossche NV",
             "Van der Poel", "Vandenberghe", "3M Belgium", "3D Print Lab", "{Curly} SRL",
             "Garage 2000", "Garage 2001 & Co"]
    for name in names:
        f.customer(session, name)
    session.flush()
    stored = list(session.scalars(select(Customer.name_search)))
    for typed in ("z", "zz", "zzz", "y", "ø", "ł", "ω", "日本", "van d", "van den ", "van",
                  "3", "3m", "{", "garage 200", "garage 2001", "zzzz", "~"):
        found = set(session.scalars(select(Customer.name_search).where(
            search._prefix_filter(session, Customer.name_search, typed))))
        expected = {s for s in stored if s.startswith(typed)}
        assert found == expected, typed
    assert search.prefix_end("az") == "a{" and search.prefix_end("a\U0010ffff") == "b"
    assert search.prefix_end("\U0010ffff") is None and search.prefix_end("\ud7ff") == "\ue000"
