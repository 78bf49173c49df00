"""The customer portal: accounts of customer contacts, the one-time link that sets their
password, sign-in and portal sessions, the representative's entitlement, and every query a
portal page makes.

Portal accounts are not staff accounts: they live in ``portal_accounts`` and their sessions in
``portal_sessions``, so a portal session id is never found by the staff's session check and
the reverse. What a signed-in contact sees follows their contact's ``portal_tier`` through
``services.tiers``; every query here takes the ``PortalUser`` of the session and reads the
customer from it, never from what the browser sent.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from dashboard import i18n
from dashboard.services import audit, login_throttle, outbox, public, tiers, users
from dashboard.services.contracts import ContractRow, list_contracts
from dashboard.services.einvoices import Buyer, e_invoice_source
from dashboard.services.errors import StaleEditError
from dashboard.services.inventory import ItemFilter, ItemRow, list_items
from dashboard.services.invoices import InvoiceDetail, InvoiceFilter, InvoiceRow, get_invoice
from dashboard.services.invoices import list_invoices as _list_invoices
from dashboard.services.login_throttle import ClientIdentity
from dashboard.services.orders import CARRIER_TRACKING_URLS
from dashboard.services.sessions import SessionPolicy
from dashboard.services.statement import Statement
from dashboard.services.statement import statement as _statement
from db.models import (
    ORDER_STATUSES,
    Contact,
    Customer,
    Invoice,
    Order,
    OrderEvent,
    OutboundMessage,
    PortalAccount,
    PortalLink,
    PortalSession,
)

LINK_LIFETIME = timedelta(hours=24)
TOKEN_BYTES = 32
SET_PASSWORD_PATH = "portal-password"  # the page the e-mailed link opens
SPENT_TOKEN = re.compile(r"token=[A-Za-z0-9_-]+")
THROTTLE_PREFIX = "portal:"  # portal sign-ins are counted apart from the staff's usernames
ORDER_LIMIT = 200
INVOICE_LIMIT = 500
ITEM_LIMIT = 1000
TOUCH_EVERY = timedelta(minutes=1)
# What the sign-in and password forms say: English message ids of the portal's catalogues.
WRONG = "Wrong e-mail address or password."
EMPTY = "Enter your e-mail address and password."
THROTTLED = "Too many failed sign-ins: please wait a few minutes and try again."
LINK_INVALID = ("This link is not valid any more: it was used already, it is older than a "
                "day, or a newer one was sent. Ask for a new link.")
PASSWORDS_DIFFER = "The two passwords differ."
PASSWORD_SHORT = "A password needs at least 10 characters."
PASSWORD_LONG = "A password can be at most 72 bytes long."
PASSWORD_WEAK = ("This password is too easy to guess. Choose a longer one, e.g. a few "
                 "unrelated words.")


class PortalRefused(PermissionError):
    """The signed-in contact's tier does not see this area."""


@dataclass(frozen=True)
class PortalUser:
    account_id: int
    contact_id: int
    customer_id: int
    customer_number: str
    customer_name: str
    name: str
    email: str
    language: str
    tier: str

    def sees(self, area: str) -> bool:
        return tiers.sees(self.tier, area)


@dataclass(frozen=True)
class PortalLogin:
    user: PortalUser | None
    message: str = ""
    session_id: str | None = None
    expires_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(session: Session, account: PortalAccount) -> PortalUser | None:
    row = session.execute(
        select(Contact, Customer).join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.id == account.contact_id)).first()
    if row is None:
        return None
    contact, customer = row
    # The address on file decides: once it changes, the old one signs in no more.
    if not contact.is_active or not customer.is_active or contact.email != account.email:
        return None
    return PortalUser(account.id, contact.id, customer.id, customer.customer_number,
                      customer.name, contact.full_name, account.email, contact.language,
                      contact.portal_tier)


# --- Registration by e-mail --------------------------------------------------------------

def request_link(*, session: Session, email: str, client: str, portal_url: str,
                 now: datetime) -> bool:
    """A contact on file asks for the link that sets their portal password.

    Returns False only when the client asked too often; otherwise True whatever the address
    (known, unknown, shared by two contacts, a closed account): the page says the same to
    everyone. A link goes out only to a single active contact whose address on file it is
    now; an account whose contact's address changed follows the new one.
    """
    if not public.allowed(session=session, scope="form", client=client, now=now):
        return False
    address = normalise_email(email)[:254]
    contacts = [] if "@" not in address else list(session.scalars(
        select(Contact).join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.email == address, Contact.is_active.is_(True),
               Customer.is_active.is_(True)).limit(2)))
    account = None
    if len(contacts) != 1:
        outcome = "ambiguous" if contacts else "unknown"
    else:
        contact = contacts[0]
        account = session.scalar(select(PortalAccount)
                                 .where(PortalAccount.contact_id == contact.id))
        taken = session.scalar(select(PortalAccount.id).where(
            PortalAccount.email == address, PortalAccount.contact_id != contact.id))
        if taken is not None:  # another contact's account still signs in with it
            outcome = "address taken"
        elif account is not None and account.state == "closed":
            outcome = "closed"
        else:
            if account is None:
                account = PortalAccount(contact_id=contact.id, email=address,
                                        state="pending", created_at=now, updated_at=now)
                session.add(account)
                session.flush()
            elif account.email != address:  # the address on file changed: the account follows
                account.email, account.updated_at = address, now
                account.version += 1
            _send_link(session, account, contact, portal_url, now)
            outcome = "sent"
    audit.record(session=session, action="portal_link_requested", entity_type="portal_account",
                 entity_id=account.id if account is not None else None,
                 after={"outcome": outcome, "client": client[:16]})
    return True


def _send_link(session: Session, account: PortalAccount, contact: Contact, portal_url: str,
               now: datetime) -> None:
    _spend_links(session, account.id, now)  # an older link stops working
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = PortalLink(account_id=account.id, token_hash=token_hash(token), created_at=now,
                     expires_at=now + LINK_LIFETIME)
    session.add(row)
    tr = i18n.translator(contact.language)
    link = f"{portal_url.rstrip('/')}/{SET_PASSWORD_PATH}?token={token}&lang={contact.language}"
    body = tr("Hello {name},\n\nOpen this link to set the password of your Customer Support "
              "OnLine account ({email}):\n\n{link}\n\nThe link works once, within 24 hours. "
              "If you did not ask for it, ignore this e-mail: nothing changes.\n").format(
                  name=contact.full_name, email=account.email, link=link)
    row.outbound_message_id = outbox.enqueue(
        session=session, kind="notification", to_address=account.email,
        subject=tr("Your Customer Support OnLine account"), body_text=body,
        customer_id=contact.customer_id, now=now)


def _spend_links(session: Session, account_id: int, now: datetime,
                 only: int | None = None) -> None:
    """End the account's unused links (or just ``only``) and cut each out of the stored
    e-mail that carried it: the token is kept nowhere once it cannot be used."""
    conditions = [PortalLink.account_id == account_id, PortalLink.used_at.is_(None)]
    if only is not None:
        conditions = [PortalLink.id == only]
    message_ids = [m for m in session.scalars(select(PortalLink.outbound_message_id)
                                              .where(*conditions)) if m is not None]
    session.execute(update(PortalLink).where(*conditions, PortalLink.used_at.is_(None))
                    .values(used_at=now))
    for message in session.scalars(select(OutboundMessage)
                                   .where(OutboundMessage.id.in_(message_ids))):
        message.body_text = SPENT_TOKEN.sub("token=-", message.body_text)


@dataclass(frozen=True)
class LinkHolder:
    email: str
    name: str


def _valid_link(session: Session, token: str, now: datetime) -> PortalLink | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    link = session.scalar(select(PortalLink).where(PortalLink.token_hash == token_hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def link_holder(*, session: Session, token: str, now: datetime) -> LinkHolder | None:
    """Whose account a link sets the password of, while it still works."""
    link = _valid_link(session, token, now)
    account = session.get(PortalAccount, link.account_id) if link else None
    if account is None or account.state == "closed":
        return None
    contact = session.get(Contact, account.contact_id)
    return LinkHolder(account.email, contact.full_name if contact else "")


def set_password(*, session: Session, token: str, password: str, repeat: str,
                 now: datetime) -> str:
    """Set the password from a one-time link; the link is spent. Returns the sign-in e-mail.

    Raises ValueError with one of this module's messages. A contact who was a guest becomes
    registered; any portal session of the account ends.
    """
    link = _valid_link(session, token, now)
    account = session.get(PortalAccount, link.account_id) if link else None
    if link is None or account is None or account.state == "closed":
        raise ValueError(LINK_INVALID)
    if password != repeat:
        raise ValueError(PASSWORDS_DIFFER)
    contact = session.get(Contact, account.contact_id)
    assert contact is not None
    if len(password) < users.MIN_PASSWORD_LENGTH:
        raise ValueError(PASSWORD_SHORT)
    if len(password.encode("utf-8")) > users.MAX_PASSWORD_BYTES:
        raise ValueError(PASSWORD_LONG)
    try:
        hashed = users.hash_password(password, username=account.email,
                                     hints=(contact.first_name, contact.last_name,
                                            account.email.split("@")[0]))
    except ValueError as exc:
        raise ValueError(PASSWORD_WEAK) from exc
    spent = session.execute(update(PortalLink).where(PortalLink.id == link.id,
                                                     PortalLink.used_at.is_(None))
                            .values(used_at=now))
    if not spent.rowcount:  # type: ignore[attr-defined]  # the same link, used at the same time
        raise ValueError(LINK_INVALID)
    _spend_links(session, account.id, now, only=link.id)
    before = {"state": account.state, "tier": contact.portal_tier}
    account.password_hash, account.state = hashed, "active"
    account.version += 1
    account.updated_at = now
    if contact.portal_tier == "guest":
        contact.portal_tier = "registered"
    _end_sessions(session, account.id, "new password", now)
    audit.record(session=session, action="portal_password_set", entity_type="portal_account",
                 entity_id=account.id, username=account.email, before=before,
                 after={"state": account.state, "tier": contact.portal_tier})
    return account.email


# --- Sign-in and portal sessions ---------------------------------------------------------

def attempt_login(*, session: Session, email: str, password: str, client: ClientIdentity,
                  policy: SessionPolicy, now: datetime) -> PortalLogin:
    """Check a portal password, throttled like the staff sign-in (same counts, same waits,
    the same bcrypt time whether the account exists or not). The caller commits."""
    typed = normalise_email(email)
    if not typed or not password:
        return PortalLogin(None, EMPTY)
    account = session.scalar(select(PortalAccount).where(PortalAccount.email == typed))
    usable = account if account is not None and account.state == "active" else None
    judged_by = login_throttle.buckets(session, typed_username=THROTTLE_PREFIX + typed,
                                       user_id=None, client=client, known_client=False)
    if login_throttle.blocked_until(session, judged_by, now) is not None:
        audit.record(session=session, action="portal_login_refused_throttled",
                     entity_type="portal_account", entity_id=account.id if account else None)
        return PortalLogin(None, THROTTLED)
    user = _user(session, usable) if usable is not None else None
    if not users.password_matches(password, usable.password_hash if usable else None) \
            or user is None:
        audit.record(session=session, action="portal_login_failed",
                     entity_type="portal_account", entity_id=account.id if account else None,
                     after={"reason": "unknown account" if account is None
                            else "not active" if usable is None else
                            "contact inactive" if user is None else "wrong password"})
        waits = login_throttle.count_failure(session, judged_by, now=now,
                                             username=login_throttle.UNKNOWN_USER, user_id=None)
        return PortalLogin(None, WRONG if waits is None else THROTTLED)
    assert usable is not None
    login_throttle.clear(session, judged_by)
    usable.last_login_at = now
    opened = PortalSession(id=secrets.token_urlsafe(32), account_id=usable.id, created_at=now,
                           last_seen_at=now, expires_at=now + policy.lifetime)
    session.add(opened)
    session.flush()
    audit.record(session=session, action="portal_login", entity_type="portal_account",
                 entity_id=usable.id, username=usable.email)
    return PortalLogin(user, session_id=opened.id, expires_at=opened.expires_at)


def check_session(*, session: Session, session_id: str, policy: SessionPolicy,
                  now: datetime) -> PortalUser | None:
    """The signed-in contact while their portal session holds; None once it is over (or the
    id is no portal session: a staff session's id is not found here)."""
    if not isinstance(session_id, str) or not session_id or len(session_id) > 64:
        return None
    row = session.get(PortalSession, session_id)
    if row is None or row.revoked_at is not None:
        return None
    account = session.get(PortalAccount, row.account_id)
    user = _user(session, account) if account is not None and account.state == "active" \
        else None
    ends = min(row.expires_at, row.created_at + policy.lifetime)
    reason = ("closed" if user is None else "expired" if now >= ends
              else "idle" if now >= row.last_seen_at + policy.idle else None)
    if reason is not None:
        row.revoked_at, row.revoked_reason = now, reason
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return user


def logout(*, session: Session, session_id: str | None, user: PortalUser, now: datetime) -> None:
    if session_id:
        session.execute(update(PortalSession).where(PortalSession.id == session_id,
                                                    PortalSession.revoked_at.is_(None))
                        .values(revoked_at=now, revoked_reason="logout"))
    audit.record(session=session, action="portal_logout", entity_type="portal_account",
                 entity_id=user.account_id, username=user.email)


def _end_sessions(session: Session, account_id: int, reason: str, now: datetime) -> None:
    session.execute(update(PortalSession).where(PortalSession.account_id == account_id,
                                                PortalSession.revoked_at.is_(None))
                    .values(revoked_at=now, revoked_reason=reason))


# --- The representative's side ------------------------------------------------------------

@dataclass(frozen=True)
class AccountState:
    contact_id: int
    state: str            # "none" (no portal account), "pending", "active", "closed"
    tier: str
    last_login_at: datetime | None


def account_states(*, session: Session, customer_id: int) -> dict[int, AccountState]:
    """Each active contact of the customer with their portal account's state."""
    rows = session.execute(
        select(Contact.id, Contact.portal_tier, PortalAccount.state, PortalAccount.last_login_at)
        .outerjoin(PortalAccount, PortalAccount.contact_id == Contact.id)
        .where(Contact.customer_id == customer_id, Contact.is_active.is_(True)))
    return {cid: AccountState(cid, state or "none", tier, last)
            for cid, tier, state, last in rows}


def set_entitled(*, session: Session, customer_id: int, contact_id: int, entitled: bool,
                 seen_tier: str, by: users.UserInfo) -> str:
    """Entitle a registered contact (invoices, statement, contracts, inventory) or take the
    entitlement back; refused when the tier changed since the representative looked.
    Returns the new tier."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.customer_id != customer_id or not contact.is_active:
        raise ValueError("That contact does not belong to this customer.")
    account = session.scalar(select(PortalAccount).where(PortalAccount.contact_id == contact_id))
    if entitled and (account is None or account.state != "active"):
        raise ValueError(f"{contact.full_name} has no active portal account yet: they "
                         "register with their e-mail address on the public pages first.")
    new = "entitled" if entitled else ("registered" if account is not None
                                       and account.state == "active" else "guest")
    if contact.portal_tier == new:
        return new
    done = session.execute(update(Contact).where(Contact.id == contact_id,
                                                 Contact.portal_tier == seen_tier)
                           .values(portal_tier=new))
    if not done.rowcount:  # type: ignore[attr-defined]
        raise StaleEditError(f"{contact.full_name}'s portal access was changed by someone "
                             "else meanwhile; nothing was saved. Look again and retry.")
    audit.record(session=session, action="portal_entitled" if entitled
                 else "portal_entitlement_revoked", user_id=by.id, username=by.username,
                 entity_type="contact", entity_id=contact_id,
                 before={"portal_tier": seen_tier}, after={"portal_tier": new})
    session.expire(contact)
    return new


def close_account(*, session: Session, customer_id: int, contact_id: int,
                  by: users.UserInfo, now: datetime) -> None:
    """End a contact's portal access: the account is closed, its sessions end, its links
    stop working and the contact is a guest again."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.customer_id != customer_id:
        raise ValueError("That contact does not belong to this customer.")
    account = session.scalar(select(PortalAccount).where(PortalAccount.contact_id == contact_id))
    if account is None or account.state == "closed":
        raise ValueError(f"{contact.full_name} has no open portal account.")
    before = {"state": account.state, "portal_tier": contact.portal_tier}
    account.state, account.password_hash = "closed", None
    account.version += 1
    account.updated_at = now
    contact.portal_tier = "guest"
    _end_sessions(session, account.id, "closed", now)
    _spend_links(session, account.id, now)
    audit.record(session=session, action="portal_account_closed", user_id=by.id,
                 username=by.username, entity_type="contact", entity_id=contact_id,
                 before=before, after={"state": "closed", "portal_tier": "guest"})


# --- What the portal pages show: always the signed-in contact's customer ------------------

def _require(user: PortalUser, area: str) -> None:
    if not user.sees(area):
        raise PortalRefused(area)


@dataclass(frozen=True)
class OrderSearch:
    text: str = ""                   # order number or purchase-order reference, or part
    ordered_from: date | None = None
    ordered_to: date | None = None
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class PortalOrder:
    id: int
    order_number: str
    customer_po: str | None
    ordered_at: datetime
    status: str
    promised_date: date | None
    delivered_on: date | None
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None


@dataclass(frozen=True)
class PortalOrderStep:
    at: datetime
    status: str


def _tracking(carrier: str | None, number: str | None) -> str | None:
    template = CARRIER_TRACKING_URLS.get(carrier or "")
    return template.format(number=number) if template and number else None


def _order(o: Order) -> PortalOrder:
    return PortalOrder(o.id, o.order_number, o.customer_po, o.ordered_at, o.status, o.promised_date,
                       o.delivered_on, o.carrier, o.tracking_number,
                       _tracking(o.carrier, o.tracking_number))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def my_orders(*, session: Session, user: PortalUser, search: OrderSearch,
              start_of_day: Callable[[date], datetime]) -> list[PortalOrder]:
    """The customer's orders matching the search, newest first (no money in them)."""
    _require(user, "orders")
    query = select(Order).where(Order.customer_id == user.customer_id)
    wanted = search.text.strip()[:40]
    if wanted:
        query = query.where(or_(func.upper(Order.order_number).like(_like(wanted.upper()),
                                                                     escape="\\"),
                                func.upper(Order.customer_po).like(_like(wanted.upper()),
                                                                    escape="\\")))
    if search.ordered_from:
        query = query.where(Order.ordered_at >= start_of_day(search.ordered_from))
    if search.ordered_to:
        query = query.where(Order.ordered_at < start_of_day(search.ordered_to
                                                            + timedelta(days=1)))
    statuses = tuple(s for s in search.statuses if s in ORDER_STATUSES)
    if statuses:
        query = query.where(Order.status.in_(statuses))
    rows = session.scalars(query.order_by(Order.ordered_at.desc(), Order.id.desc())
                           .limit(ORDER_LIMIT))
    return [_order(o) for o in rows]


def order_steps(*, session: Session, user: PortalUser, order_number: str
                ) -> tuple[PortalOrder, tuple[PortalOrderStep, ...]] | None:
    """One of the customer's orders with its status history; None for any other number."""
    _require(user, "orders")
    found = session.scalar(select(Order).where(Order.customer_id == user.customer_id,
                                               Order.order_number == order_number.strip()))
    if found is None:
        return None
    steps = session.execute(select(OrderEvent.occurred_at, OrderEvent.status)
                            .where(OrderEvent.order_id == found.id)
                            .order_by(OrderEvent.occurred_at, OrderEvent.id)).all()
    return _order(found), tuple(PortalOrderStep(at, status) for at, status in steps)


def my_invoices(*, session: Session, user: PortalUser, today: date,
                kinds: tuple[str, ...] = (), statuses: tuple[str, ...] = ()
                ) -> list[InvoiceRow]:
    """The customer's invoices and credit notes, newest first."""
    _require(user, "invoices")
    return _list_invoices(session=session, customer_id=user.customer_id,
                          flt=InvoiceFilter(kinds=kinds, statuses=statuses), today=today,
                          limit=INVOICE_LIMIT).rows


def _own_invoice_id(session: Session, user: PortalUser, number: str) -> int | None:
    return session.scalar(select(Invoice.id).where(Invoice.customer_id == user.customer_id,
                                                   Invoice.number == number.strip()))


def invoice_detail(*, session: Session, user: PortalUser, number: str) -> InvoiceDetail | None:
    """One of the customer's invoices, in full; None for any other number."""
    _require(user, "invoices")
    invoice_id = _own_invoice_id(session, user, number)
    return get_invoice(session=session, invoice_id=invoice_id) if invoice_id else None


def e_invoice(*, session: Session, user: PortalUser, number: str
              ) -> tuple[InvoiceDetail, Buyer] | None:
    """One of the customer's invoices with its Peppol buyer (``NoPeppolAddress`` when the
    customer has no Peppol address); None for any other number."""
    _require(user, "invoices")
    invoice_id = _own_invoice_id(session, user, number)
    return e_invoice_source(session=session, invoice_id=invoice_id) if invoice_id else None


def my_statement(*, session: Session, user: PortalUser, as_of: date) -> Statement | None:
    _require(user, "statement")
    return _statement(session=session, customer_id=user.customer_id, as_of=as_of)


def my_contracts(*, session: Session, user: PortalUser) -> list[ContractRow]:
    """The customer's contracts: running ones first, then by end date."""
    _require(user, "contracts")
    return list_contracts(session=session, customer_id=user.customer_id)


def my_installed_items(*, session: Session, user: PortalUser, today: date) -> list[ItemRow]:
    """The customer's installed items by site, with what covers each."""
    _require(user, "inventory")
    return list_items(session=session, customer_id=user.customer_id, flt=ItemFilter(),
                      today=today, limit=ITEM_LIMIT).rows


@dataclass(frozen=True)
class Overview:
    orders_under_way: int             # not delivered nor cancelled
    open_documents: int | None        # invoices and credit notes with something open
    open_cents: int | None            # what is open in all (None: the tier sees no money)


def overview(*, session: Session, user: PortalUser) -> Overview:
    """The figures on the portal's first page, for what the contact's tier sees."""
    _require(user, "orders")
    under_way = session.scalar(select(func.count()).select_from(Order).where(
        Order.customer_id == user.customer_id,
        Order.status.not_in(("delivered", "cancelled")))) or 0
    if not user.sees("invoices"):
        return Overview(int(under_way), None, None)
    documents, cents = session.execute(
        select(func.count(), func.coalesce(func.sum(Invoice.open_cents), 0))
        .where(Invoice.customer_id == user.customer_id, Invoice.open_cents != 0,
               Invoice.status != "cancelled")).one()
    return Overview(int(under_way), int(documents), int(cents))


def audit_download(*, session: Session, user: PortalUser, what: str, key: str) -> None:
    """Note that a signed-in contact took a document."""
    audit.record(session=session, action="portal_download", entity_type="portal_account",
                 entity_id=user.account_id, username=user.email,
                 after={"what": what, "key": key[:40], "customer_id": user.customer_id})


