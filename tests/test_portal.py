"""The customer portal's services on SQLite and PostgreSQL: the e-mailed one-time link
(delivered through a real SMTP server), the password it sets, the portal sign-in and its
sessions kept apart from the staff's, the representative's entitlement, the one tier table,
and every query scoped to the signed-in contact's customer."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.mail import sender
from dashboard.services import customers, portal, sessions, tiers, users
from dashboard.services.errors import StaleEditError
from dashboard.services.login_throttle import ClientIdentity
from dashboard.services.sessions import SessionPolicy
from db.models import AuditLog, Contact, OutboundMessage, PortalAccount, PortalLink
from tests import factories as f
from tests.test_outbox import RecordingHandler, smtp_server

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
URL = "https://support.csol.example"
PASSWORD = "lantern orchard velvet 42"
POLICY = SessionPolicy()
CLIENT = ClientIdentity(address="192.0.2.7")


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    with Session(engine) as s, s.begin():
        rep = f.user(s, "rep")
        a = f.customer(s, "Brasserie Dupré & Fils", vat_number="BE0403019261")
        b = f.customer(s, "Brasserie Dupont & Fils", vat_number="BE0202239951")
        anne = f.contact(s, a, email="anne@dupre.be", portal_tier="guest")
        bert = f.contact(s, b, first_name="Bert", last_name="Dupont", email="bert@dupont.be",
                         portal_tier="guest", language="nl")
        f.contact(s, a, first_name="Shared", last_name="One", email="desk@shared.be")
        f.contact(s, b, first_name="Shared", last_name="Two", email="desk@shared.be")
        ids = {"rep": rep.id, "a": a.id, "b": b.id, "anne": anne.id, "bert": bert.id}
        for key, cust in (("a", a), ("b", b)):
            suffix = "1" if key == "a" else "2"
            o = f.order(s, cust, order_number=f"SO-2026-00010{suffix}", customer_po="PO-77",
                        carrier="bpost", tracking_number=f"32329999999{suffix}")
            i = f.invoice(s, cust, number=f"INV-2026-00010{suffix}", order_id=o.id)
            ids[f"order_{key}"], ids[f"invoice_{key}"] = o.id, i.id
    return ids


def _ask(engine: Engine, email: str, client: str = "client-1", now: datetime = NOW) -> bool:
    with Session(engine) as s, s.begin():
        return portal.request_link(session=s, email=email, client=client, portal_url=URL,
                                   now=now)


def _token(engine: Engine, to: str) -> str:
    with Session(engine) as s:
        body = s.scalars(select(OutboundMessage.body_text)
                         .where(OutboundMessage.to_address == to)
                         .order_by(OutboundMessage.id.desc())).first()
    assert body is not None
    found = re.search(r"/portal-password\?token=([A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


def _register(engine: Engine, email: str = "anne@dupre.be", now: datetime = NOW) -> str:
    assert _ask(engine, email, now=now)
    token = _token(engine, email)
    with Session(engine) as s, s.begin():
        return portal.set_password(session=s, token=token, password=PASSWORD, repeat=PASSWORD,
                                   now=now)


def _login(engine: Engine, email: str = "anne@dupre.be", password: str = PASSWORD,
           now: datetime = NOW) -> portal.PortalLogin:
    with Session(engine) as s, s.begin():
        return portal.attempt_login(session=s, email=email, password=password, client=CLIENT,
                                    policy=POLICY, now=now)


def _outbox(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(OutboundMessage.to_address).order_by(OutboundMessage.id)))


# --- the link ------------------------------------------------------------------------------

def test_the_link_reaches_the_contact_through_smtp_and_sets_the_password_once(
        engine: Engine, world: dict[str, int]) -> None:
    assert _ask(engine, "  Anne@Dupre.BE ")
    handler = RecordingHandler()
    with smtp_server(handler) as smtp:
        report = sender.deliver(engine=engine, smtp=smtp, now=datetime.now(UTC))
    assert report.sent == 1
    mail = handler.messages()[0]
    assert mail["To"] == "anne@dupre.be"
    body = mail.get_body(("plain",)).get_content()
    assert "Customer Support OnLine" in body and "24" in body  # in French: the contact's
    assert "Bonjour" in body
    token = re.search(r"https://support\.csol\.example/portal-password\?token=([\w-]+)",
                      body).group(1)  # type: ignore[union-attr]
    with Session(engine) as s:
        stored = s.scalars(select(PortalLink.token_hash)).all()
    assert stored == [portal.token_hash(token)] and token not in stored  # kept hashed only
    with Session(engine) as s, s.begin():
        assert portal.link_holder(session=s, token=token, now=NOW).email == "anne@dupre.be"
        assert portal.set_password(session=s, token=token, password=PASSWORD,
                                   repeat=PASSWORD, now=NOW) == "anne@dupre.be"
    with Session(engine) as s, s.begin(), pytest.raises(ValueError, match="not valid"):
        portal.set_password(session=s, token=token, password=PASSWORD, repeat=PASSWORD,
                            now=NOW)
    with Session(engine) as s:  # spent, the link is cut out of the stored e-mail too
        kept = s.scalars(select(OutboundMessage.body_text)).one()
    assert token not in kept and "portal-password?token=-" in kept
    with Session(engine) as s:
        account = s.scalars(select(PortalAccount)).one()
        assert account.state == "active" and account.password_hash.startswith("$2")
        assert s.get(Contact, world["anne"]).portal_tier == "registered"  # was a guest


def test_every_address_gets_the_same_answer_and_only_a_single_contact_on_file_a_mail(
        engine: Engine, world: dict[str, int]) -> None:
    for address in ("nobody@nowhere.be", "desk@shared.be", "not an address", "anne@dupre.be"):
        assert _ask(engine, address, client=f"c-{address}") is True
    assert _outbox(engine) == ["anne@dupre.be"]
    with Session(engine) as s:
        outcomes = [a.after["outcome"] for a in s.scalars(
            select(AuditLog).where(AuditLog.action == "portal_link_requested")
            .order_by(AuditLog.id))]
    assert outcomes == ["unknown", "ambiguous", "unknown", "sent"]


def test_asking_is_rate_limited_per_client(engine: Engine, world: dict[str, int]) -> None:
    answers = [_ask(engine, "nobody@nowhere.be", client="same") for _ in range(6)]
    assert answers == [True] * 5 + [False]
    assert _ask(engine, "nobody@nowhere.be", client="another")


def test_a_link_expires_after_a_day_and_a_newer_one_replaces_it(
        engine: Engine, world: dict[str, int]) -> None:
    _ask(engine, "anne@dupre.be")
    first = _token(engine, "anne@dupre.be")
    _ask(engine, "anne@dupre.be", client="other")
    second = _token(engine, "anne@dupre.be")
    with Session(engine) as s:
        assert portal.link_holder(session=s, token=first, now=NOW) is None
        assert portal.link_holder(session=s, token=second, now=NOW) is not None
        later = NOW + portal.LINK_LIFETIME
        assert portal.link_holder(session=s, token=second, now=later) is None
        assert portal.link_holder(session=s, token="x" * 43, now=NOW) is None


@pytest.mark.parametrize(("password", "repeat", "message"), [
    ("short", "short", portal.PASSWORD_SHORT),
    ("password1234", "password1234", portal.PASSWORD_WEAK),
    ("anne@dupre.be", "anne@dupre.be", portal.PASSWORD_WEAK),
    (PASSWORD, PASSWORD + "x", portal.PASSWORDS_DIFFER),
    ("é" * 40, "é" * 40, portal.PASSWORD_LONG),
])
def test_a_weak_or_mistyped_password_is_refused_and_the_link_still_works(
        engine: Engine, world: dict[str, int], password: str, repeat: str,
        message: str) -> None:
    _ask(engine, "anne@dupre.be")
    token = _token(engine, "anne@dupre.be")
    with Session(engine) as s, s.begin(), pytest.raises(ValueError) as refused:
        portal.set_password(session=s, token=token, password=password, repeat=repeat, now=NOW)
    assert str(refused.value) == message
    with Session(engine) as s:
        assert portal.link_holder(session=s, token=token, now=NOW) is not None


# --- sign-in and sessions -------------------------------------------------------------------

def test_sign_in_starts_a_portal_session_that_the_staff_check_does_not_know(
        engine: Engine, world: dict[str, int]) -> None:
    _register(engine)
    assert _login(engine, password="wrong password here").message == portal.WRONG
    assert _login(engine, email="nobody@nowhere.be").message == portal.WRONG
    result = _login(engine, email=" ANNE@dupre.be")
    assert result.ok and result.user.customer_id == world["a"]
    assert result.user.tier == "registered" and not result.user.sees("invoices")
    with Session(engine) as s, s.begin():
        staff = users.attempt_login(session=s, username="rep", password="correct-horse-1",
                                    policy=POLICY, now=NOW)
    with Session(engine) as s, s.begin():
        user = portal.check_session(session=s, session_id=result.session_id, policy=POLICY,
                                    now=NOW + timedelta(minutes=5))
        assert user is not None and user.contact_id == world["anne"]
        # Neither kind of session stands for the other.
        assert sessions.check(session=s, session_id=result.session_id, policy=POLICY,
                              now=NOW) is None
        assert portal.check_session(session=s, session_id=staff.session_id, policy=POLICY,
                                    now=NOW) is None
    with Session(engine) as s, s.begin():
        portal.logout(session=s, session_id=result.session_id, user=user, now=NOW)
    with Session(engine) as s, s.begin():
        assert portal.check_session(session=s, session_id=result.session_id, policy=POLICY,
                                    now=NOW) is None


def test_a_portal_session_ends_when_idle_and_a_pending_account_cannot_sign_in(
        engine: Engine, world: dict[str, int]) -> None:
    _ask(engine, "bert@dupont.be")
    assert _login(engine, email="bert@dupont.be").message == portal.WRONG  # no password yet
    _register(engine)
    result = _login(engine)
    with Session(engine) as s, s.begin():
        assert portal.check_session(session=s, session_id=result.session_id, policy=POLICY,
                                    now=NOW + POLICY.idle) is None


def test_repeated_failures_are_throttled_like_the_staff_sign_in(
        engine: Engine, world: dict[str, int]) -> None:
    _register(engine)
    answers = [_login(engine, password=f"wrong guess {n}").message for n in range(6)]
    assert answers[:4] == [portal.WRONG] * 4 and answers[-1] == portal.THROTTLED
    assert _login(engine).message == portal.THROTTLED  # even the right password waits
    assert _login(engine, now=NOW + timedelta(hours=1)).ok


# --- the representative's side ---------------------------------------------------------------

def test_a_representative_entitles_and_withdraws_with_an_audit_row(
        engine: Engine, world: dict[str, int]) -> None:
    with Session(engine) as s:
        rep = users.get_user_by_id(session=s, user_id=world["rep"])
    with Session(engine) as s, s.begin(), pytest.raises(ValueError, match="no active portal"):
        portal.set_entitled(session=s, customer_id=world["a"], contact_id=world["anne"],
                            entitled=True, seen_tier="guest", by=rep)
    _register(engine)
    with Session(engine) as s, s.begin(), pytest.raises(ValueError, match="does not belong"):
        portal.set_entitled(session=s, customer_id=world["b"], contact_id=world["anne"],
                            entitled=True, seen_tier="registered", by=rep)
    with Session(engine) as s, s.begin(), pytest.raises(StaleEditError):
        portal.set_entitled(session=s, customer_id=world["a"], contact_id=world["anne"],
                            entitled=True, seen_tier="guest", by=rep)  # looked before it changed
    with Session(engine) as s, s.begin():
        assert portal.set_entitled(session=s, customer_id=world["a"], contact_id=world["anne"],
                                   entitled=True, seen_tier="registered", by=rep) == "entitled"
    assert _login(engine).user.sees("invoices")
    with Session(engine) as s, s.begin():
        portal.set_entitled(session=s, customer_id=world["a"], contact_id=world["anne"],
                            entitled=False, seen_tier="entitled", by=rep)
        states = portal.account_states(session=s, customer_id=world["a"])
    assert states[world["anne"]].state == "active" and states[world["anne"]].tier == "registered"
    with Session(engine) as s:
        rows = s.execute(select(AuditLog.action, AuditLog.username, AuditLog.after)
                         .where(AuditLog.entity_type == "contact").order_by(AuditLog.id)).all()
    assert rows == [("portal_entitled", "rep", {"portal_tier": "entitled"}),
                    ("portal_entitlement_revoked", "rep", {"portal_tier": "registered"})]


def test_closing_an_account_ends_its_sessions_and_its_sign_in(
        engine: Engine, world: dict[str, int]) -> None:
    _register(engine)
    result = _login(engine)
    with Session(engine) as s:
        rep = users.get_user_by_id(session=s, user_id=world["rep"])
    with Session(engine) as s, s.begin():
        portal.close_account(session=s, customer_id=world["a"], contact_id=world["anne"],
                             by=rep, now=NOW)
    with Session(engine) as s, s.begin():
        assert portal.check_session(session=s, session_id=result.session_id, policy=POLICY,
                                    now=NOW) is None
        assert s.get(Contact, world["anne"]).portal_tier == "guest"
    assert _login(engine).message == portal.WRONG
    assert _ask(engine, "anne@dupre.be", client="later")  # same answer, no mail
    assert _outbox(engine) == ["anne@dupre.be"]


# --- the one rule table ----------------------------------------------------------------------

def test_the_caller_panel_and_the_portal_read_the_same_table() -> None:
    for tier, rule in tiers.RULES.items():
        text = customers.DISCLOSURE[tier]
        assert text == tiers.disclosure(tier)
        for area in tiers.AREAS:
            shown = tiers.sees(tier, area)
            assert shown == (area in rule.sees)
            if shown and tier != "entitled":
                assert tiers.AREA_WORDS[area] in text.split(" may not be told ")[0]
    assert customers.FINANCE_TIERS == ("entitled",)
    assert tiers.tiers_seeing("orders") == ("registered", "entitled")
    assert not tiers.sees("nonsense", "orders")


def test_a_registered_contact_is_refused_the_money_areas(
        engine: Engine, world: dict[str, int]) -> None:
    _register(engine)
    user = _login(engine).user
    with Session(engine) as s:
        assert [o.order_number for o in portal.my_orders(
            session=s, user=user, search=portal.OrderSearch(),
            start_of_day=lambda d: datetime.combine(d, datetime.min.time(), UTC))] \
            == ["SO-2026-000101"]
        for call in (lambda: portal.my_invoices(session=s, user=user, today=NOW.date()),
                     lambda: portal.invoice_detail(session=s, user=user,
                                                   number="INV-2026-000101"),
                     lambda: portal.my_statement(session=s, user=user, as_of=NOW.date())):
            with pytest.raises(portal.PortalRefused):
                call()


# --- scoped to the signed-in customer ----------------------------------------------------------

def test_every_query_reads_the_customer_from_the_session_never_from_a_number(
        engine: Engine, world: dict[str, int]) -> None:
    _register(engine)
    user = replace(_login(engine).user, tier="entitled")
    start = lambda d: datetime.combine(d, datetime.min.time(), UTC)  # noqa: E731
    with Session(engine) as s:
        assert portal.order_steps(session=s, user=user, order_number="SO-2026-000102") is None
        assert portal.order_steps(session=s, user=user, order_number="SO-2026-000101")
        for wanted in ("SO-2026-000102", "000102", "PO-77", "%", "_", "SO-2026-00010_"):
            found = portal.my_orders(session=s, user=user, search=portal.OrderSearch(
                text=wanted), start_of_day=start)
            assert {o.order_number for o in found} <= {"SO-2026-000101"}, wanted
        assert portal.invoice_detail(session=s, user=user, number="INV-2026-000102") is None
        assert portal.e_invoice(session=s, user=user, number="INV-2026-000102") is None
        assert portal.invoice_detail(session=s, user=user,
                                     number="INV-2026-000101").customer_id == world["a"]
        assert [i.number for i in portal.my_invoices(session=s, user=user,
                                                    today=date(2026, 12, 1))] \
            == ["INV-2026-000101"]
        statement = portal.my_statement(session=s, user=user, as_of=date(2026, 12, 1))
        assert statement is not None and statement.customer_id == world["a"]
        assert {i.number for i in statement.items} == {"INV-2026-000101"}
        assert s.scalar(select(func.count()).select_from(PortalAccount)) == 1


def test_each_portal_write_leaves_its_audit_row(engine: Engine, world: dict[str, int]) -> None:
    _register(engine)
    _login(engine, password="not the password")
    result = _login(engine)
    with Session(engine) as s, s.begin():
        rep = users.get_user_by_id(session=s, user_id=world["rep"])
        portal.audit_download(session=s, user=result.user, what="invoice_pdf",
                              key="INV-2026-000101")
        portal.logout(session=s, session_id=result.session_id, user=result.user, now=NOW)
        portal.set_entitled(session=s, customer_id=world["a"], contact_id=world["anne"],
                            entitled=True, seen_tier="registered", by=rep)
        portal.close_account(session=s, customer_id=world["a"], contact_id=world["anne"],
                             by=rep, now=NOW)
    with Session(engine) as s:
        actions = [a for a in s.scalars(select(AuditLog.action).order_by(AuditLog.id))
                   if a.startswith("portal_")]
    assert actions == ["portal_link_requested", "portal_password_set", "portal_login_failed",
                       "portal_login", "portal_download", "portal_logout", "portal_entitled",
                       "portal_account_closed"]


def test_a_changed_address_on_file_moves_the_account_and_stops_the_old_one(
        engine: Engine, world: dict[str, int]) -> None:
    _register(engine)
    result = _login(engine)
    with Session(engine) as s, s.begin():
        s.get(Contact, world["anne"]).email = "anne.dupre@dupre.be"
    with Session(engine) as s, s.begin():  # the old address's session and sign-in end
        assert portal.check_session(session=s, session_id=result.session_id, policy=POLICY,
                                    now=NOW) is None
    assert _login(engine).message == portal.WRONG
    assert _ask(engine, "anne@dupre.be", client="old")  # no longer on file: no mail
    assert _outbox(engine) == ["anne@dupre.be"]
    _register(engine, "anne.dupre@dupre.be")
    assert _login(engine, email="anne.dupre@dupre.be").ok
    with Session(engine) as s:
        account = s.scalars(select(PortalAccount)).one()
    assert (account.email, account.contact_id) == ("anne.dupre@dupre.be", world["anne"])
