"""Enquiries over every channel, with their timeline of events, messages and SLA fields.

An enquiry is planned as a list of steps (arrival, assignment, replies, pending periods,
resolution, closing, reopening) placed in business time after its creation; the steps up to
"now" become events, and the state they leave behind becomes the enquiry's status. Due times
come from ``dashboard.business_calendar.add_business_minutes``, as the app computes them.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

from dashboard.services.sla import risk_offset
from seed import messages
from seed.context import (
    BUSINESS_DAY,
    HOUR,
    MINUTE,
    ContactInfo,
    Context,
    CustomerFile,
    ItemInfo,
    chance,
    cumulate,
    pick,
    poisson,
    weighted,
)
from seed.documents import tiny_pdf
from seed.identifiers import display_phone
from seed.messages import Sender
from seed.phrases import (
    ANSWERS,
    ASK,
    CALL_NOTES,
    CALLBACK_NOTES,
    CLOSING,
    FOLLOW_UP,
    GREETING,
    INTERNAL_NOTES,
    PENDING_QUESTION,
    REPLY,
    SUBJECTS,
)
from seed.reference import Policy, policy_for
from seed.rows import EnquiryEventRow, EnquiryRow, Row
from seed.sizes import ENQUIRIES_PER_CUSTOMER
from seed.staff import TEAM_FOR_CATEGORY

CHANNELS = ("phone", "email", "web", "fax")
_CHANNEL_CUMULATIVE = cumulate([42, 38, 14, 6])
CATEGORIES = ("orders", "invoices", "contracts", "inventory", "other")
_CATEGORY_CUMULATIVE = cumulate([30, 35, 10, 12, 13])
PRIORITIES = ("low", "normal", "high", "urgent")
_PRIORITY_CUMULATIVE = cumulate([15, 60, 20, 5])
_PHONE_CHECKS = ("customer_number", "known_voice", "invoice_number", "callback", "none")
_PHONE_CHECK_CUMULATIVE = cumulate([35, 20, 20, 10, 15])
# Share of the SLA target already used, by the state a showcase enquiry must be in. At-risk
# ones keep several business hours in hand, so the demo still shows them in the afternoon.
_SLA_USED = {"ok": (0.1, 0.45), "at_risk": (0.77, 0.86), "breached": (1.15, 1.9)}
AUTO_CLOSE = 5 * BUSINESS_DAY
OPEN_STATUSES = ("new", "open", "pending_customer", "pending_internal")

Step = tuple[int, str, dict[str, Any]]


@dataclass(slots=True)
class Draft:
    id: int
    reference: str
    subject: str
    channel: str
    category: str
    priority: str
    language: str
    customer_id: int | None
    contact: ContactInfo | None
    sender: Sender
    from_address: str
    verification: str
    team_id: int
    assignee_id: int | None
    policy: Policy
    created_ts: int
    order_id: int | None = None
    invoice_id: int | None = None
    contract_id: int | None = None
    item_id: int | None = None
    merged_into_id: int | None = None
    showcase: bool = False
    events: list[Row] = field(default_factory=list)


# -- choosing what the enquiry is about -----------------------------------------------------

class Documents:
    """A customer's documents by date, to link an enquiry to something recent."""

    def __init__(self, customer: CustomerFile, ctx: Context) -> None:
        self.orders = sorted(customer.orders, key=lambda o: o.ordered_ts)
        self.order_keys = [o.ordered_ts for o in self.orders]
        self.invoices = sorted((i for i in customer.invoices if i.kind == "invoice"),
                               key=lambda i: i.issue_date)
        self.invoice_keys = [i.issue_date.toordinal() for i in self.invoices]
        self.contracts = customer.contracts
        self.items = customer.items
        self.clock = ctx.clock

    def link(self, ctx: Context, category: str, created_ts: int) -> tuple[str, dict[str, int]]:
        """A document of the category dated before ``created_ts``: (number, link columns)."""
        rng = ctx.rng
        if category == "orders":
            end = bisect_right(self.order_keys, created_ts)
            if end:
                order = self.orders[max(0, end - 1 - int(rng.random() * 4))]
                return order.number, {"order_id": order.id}
        elif category == "invoices":
            end = bisect_right(self.invoice_keys, self.clock.date_of(created_ts).toordinal())
            if end:
                invoice = self.invoices[max(0, end - 1 - int(rng.random() * 6))]
                return invoice.number, {"invoice_id": invoice.id}
        elif category == "contracts":
            day = self.clock.date_of(created_ts)
            started = [c for c in self.contracts if c.start <= day]
            if started:
                contract = pick(rng, started)
                return contract.number, {"contract_id": contract.id}
        elif category == "inventory":
            day = self.clock.date_of(created_ts)
            installed = [i for i in self.items if i.installed_on <= day]
            if installed:
                item = pick(rng, installed)
                return item.serial, {"installed_item_id": item.id}
        return "", {}


def _sender(customer: CustomerFile, contact: ContactInfo) -> Sender:
    return Sender(contact.full_name, contact.email, customer.name,
                  contact.phone or contact.mobile or customer.phone, contact.fax)


def _from_address(channel: str, sender: Sender) -> str:
    if channel == "phone":
        return sender.phone or ""
    if channel == "fax":
        return sender.fax or sender.phone or ""
    return sender.email


def _verification(ctx: Context, channel: str) -> str:
    rng = ctx.rng
    if channel == "phone":
        return weighted(rng, _PHONE_CHECKS, _PHONE_CHECK_CUMULATIVE)
    if channel == "email":
        return "email_on_file" if chance(rng, 0.85) else "none"
    if channel == "web":
        return "email_on_file" if chance(rng, 0.4) else "none"
    return "none"


def _handler(ctx: Context, team_id: int, created_ts: int) -> int:
    staff, rng = ctx.staff, ctx.rng
    former = staff.former_handlers[team_id]
    if former and created_ts < ctx.clock.now_ts - 120 * 86_400 and chance(rng, 0.12):
        return pick(rng, former)
    return pick(rng, staff.handlers[team_id])


def _draft(ctx: Context, customer: CustomerFile, docs: Documents | None, *, created_ts: int,
           category: str, channel: str, priority: str, subject_index: int | None = None,
           link: tuple[str, dict[str, int]] | None = None) -> Draft:
    rng = ctx.rng
    active = [c for c in customer.contacts if c.is_active] or customer.contacts
    contact = pick(rng, active)
    if link is None:
        link = docs.link(ctx, category, created_ts) if docs else ("", {})
    number, columns = link
    if category != "other" and not number:
        category = "other"
    language = contact.language
    templates = SUBJECTS[category][language]
    index = subject_index if subject_index is not None else int(rng.random() * len(templates))
    subject = templates[index % len(templates)].format(doc=number)
    sender = _sender(customer, contact)
    team_id = TEAM_FOR_CATEGORY[category]
    draft = Draft(
        id=ctx.ids.enquiry(), reference="", subject=subject, channel=channel,
        category=category, priority=priority,
        language=language, customer_id=customer.id, contact=contact, sender=sender,
        from_address=_from_address(channel, sender), verification=_verification(ctx, channel),
        team_id=team_id, assignee_id=_handler(ctx, team_id, created_ts),
        policy=policy_for(priority, channel), created_ts=created_ts)
    draft.order_id = columns.get("order_id")
    draft.invoice_id = columns.get("invoice_id")
    draft.contract_id = columns.get("contract_id")
    draft.item_id = columns.get("installed_item_id")
    return draft


# -- planning -------------------------------------------------------------------------------

def _uniform(ctx: Context, low: float, high: float) -> float:
    return low + ctx.rng.random() * (high - low)


def _natural_steps(ctx: Context, d: Draft) -> list[Step]:
    """Offsets in business seconds after creation for an enquiry's whole life."""
    rng = ctx.rng
    first_target = d.policy.first_response_minutes * MINUTE
    resolution_target = d.policy.resolution_minutes * MINUTE
    steps: list[tuple[int, str, dict[str, Any]]] = [(0, "arrive", {})]
    if d.channel == "phone":
        first = 0
        if chance(rng, 0.3):  # answered during the call
            resolved = int(_uniform(ctx, 5, 20) * MINUTE)
            steps.append((resolved, "resolve", {}))
            return _closing(ctx, steps, resolved)
    else:
        steps.append((int(rng.random() * min(first_target * 0.2, 1800)), "assign", {}))
        late = chance(rng, 0.12)
        first = int(first_target * (_uniform(ctx, 1.05, 3.0) if late
                                    else _uniform(ctx, 0.1, 0.95)))
        steps.append((first, "reply", {}))
    elapsed = first
    paused = 0
    if chance(rng, 0.15):
        paused = int(_uniform(ctx, 60, 2400) * MINUTE)
        steps.append((elapsed + 1, "pending_customer", {}))
        elapsed += paused
        steps.append((elapsed, "customer_reply", {}))
    if chance(rng, 0.08):
        steps.append((elapsed + 60, "pending_internal", {}))
        elapsed += int(_uniform(ctx, 60, 1500) * MINUTE)
        steps.append((elapsed, "internal_done", {}))
    if chance(rng, 0.1):
        steps.append((elapsed + 120, "note", {}))
    _sometimes_misc(ctx, d, steps, first)
    if elapsed == first and chance(rng, 0.6):  # a simple question: the first reply settles it
        steps.append((first + 60, "resolve", {}))
        return _maybe_reopen(ctx, steps, first + 60)
    target = int(resolution_target * (_uniform(ctx, 1.05, 2.5) if chance(rng, 0.1)
                                      else _uniform(ctx, 0.15, 0.9)))
    resolved = max(elapsed + 300, target + paused)
    steps.append((resolved - 60, "answer", {}))
    steps.append((resolved, "resolve", {}))
    return _maybe_reopen(ctx, steps, resolved)


def _maybe_reopen(ctx: Context, steps: list[Step], resolved: int) -> list[Step]:
    """Now and then the customer writes back after the resolution and it reopens."""
    if chance(ctx.rng, 0.04):
        reopened = resolved + int(_uniform(ctx, 60, 1500) * MINUTE)
        steps.append((reopened, "reopen", {}))
        resolved = reopened + int(_uniform(ctx, 120, 2000) * MINUTE)
        steps.append((resolved - 60, "answer", {}))
        steps.append((resolved, "resolve", {}))
    return _closing(ctx, steps, resolved)


def _closing(ctx: Context, steps: list[Step], resolved: int) -> list[Step]:
    confirm = chance(ctx.rng, 0.3)
    closed = resolved + (int(_uniform(ctx, 30, 900) * MINUTE) if confirm else AUTO_CLOSE)
    steps.append((closed, "close", {"auto": not confirm}))
    return steps


def _sometimes_misc(ctx: Context, d: Draft, steps: list[Step], after: int) -> None:
    rng = ctx.rng
    if chance(rng, 0.05) and d.priority != "urgent":
        higher = PRIORITIES[PRIORITIES.index(d.priority) + 1]
        steps.append((after + 30, "priority", {"from": d.priority, "to": higher}))
    if chance(rng, 0.08) and d.channel in ("email", "web"):
        steps.append((after + 45, "link", {}))
    if chance(rng, 0.04) and d.category != "other":  # filed under "other" by the intake
        steps.append((after + 40, "category", {"from": "other", "to": d.category}))


def _showcase_steps(ctx: Context, d: Draft, status: str, sla: str) -> tuple[int, list[Step]]:
    """Creation moment and steps that leave the enquiry in ``status`` now, with its SLA clock
    in the wanted state (first-response clock while unanswered, else resolution)."""
    cal, now = ctx.clock.calendar, ctx.clock.now_ts
    first_target = d.policy.first_response_minutes * MINUTE
    resolution_target = d.policy.resolution_minutes * MINUTE
    used = _uniform(ctx, *_SLA_USED[sla])
    steps: list[Step] = [(0, "arrive", {})]
    if status == "new":
        elapsed = int(first_target * used)
        if d.assignee_id is not None:
            steps.append((min(60, elapsed // 2), "assign", {}))
        return cal.subtract(now, elapsed), steps
    if status == "resolved":  # resolved this morning or yesterday; closes automatically later
        elapsed = int(_uniform(ctx, 0.4, 2.0) * BUSINESS_DAY)
        resolved = elapsed - 1200
        steps += [(30, "assign", {}), (int(elapsed * 0.3), "reply", {}),
                  (resolved - 600, "answer", {}), (resolved, "resolve", {}),
                  (resolved + AUTO_CLOSE, "close", {"auto": True})]
        return cal.subtract(now, elapsed), steps
    elapsed = int(resolution_target * used)
    first = 0 if d.channel == "phone" else int(min(first_target * _uniform(ctx, 0.2, 0.9),
                                                   elapsed * 0.5))
    if d.channel != "phone":
        steps += [(min(30, first), "assign", {}), (first, "reply", {})]
    if status == "pending_customer":
        paused = int(_uniform(ctx, 60, 900) * MINUTE)
        steps.append((elapsed, "pending_customer", {}))
        return cal.subtract(now, elapsed + paused), steps
    if status == "pending_internal":
        steps.append((first + int((elapsed - first) * _uniform(ctx, 0.3, 0.8)),
                      "pending_internal", {}))
    elif chance(ctx.rng, 0.5):
        steps.append((first + int((elapsed - first) * _uniform(ctx, 0.2, 0.9)), "note", {}))
    return cal.subtract(now, elapsed), steps


# -- writing --------------------------------------------------------------------------------

class _Writer:
    """Turns a draft and its steps into the enquiry row, events and messages."""

    def __init__(self, ctx: Context, d: Draft) -> None:
        self.ctx = ctx
        self.d = d
        self.status = "new"
        self.first_response_ts: int | None = None
        self.resolved_ts: int | None = None
        self.closed_ts: int | None = None
        self.pending_since: int | None = None
        self.paused = 0
        self.reopen_count = 0
        self.last_ts = d.created_ts
        self.last_inbound: str | None = None
        self.last_outbound: str | None = None
        self.assigned = d.channel == "phone"
        self.escalated = False

    def event(self, ts: int, kind: str, *, actor: int | None = None, body: str = "",
              data: dict[str, Any] | str | None = None, inbound: int | None = None,
              outbound: int | None = None) -> None:
        self.d.events.append(EnquiryEventRow(
            id=self.ctx.ids.enquiry_event(), enquiry_id=self.d.id,
            occurred_at=self.ctx.stamp(ts), kind=kind, actor_id=actor, body=body,
            data=data if isinstance(data, str) else json.dumps(data) if data else "{}",
            inbound_message_id=inbound,
            outbound_message_id=outbound))
        self.last_ts = max(self.last_ts, ts)

    def set_status(self, ts: int, new: str, actor: int | None) -> None:
        if new == self.status:
            return
        self.event(ts, "status", actor=actor, data=_transition(self.status, new))
        if self.status == "pending_customer" and self.pending_since is not None:
            self.paused += self.ctx.clock.calendar.between(self.pending_since, ts)
            self.pending_since = None
        if new == "pending_customer":
            self.pending_since = ts
        self.status = new

    def customer_message(self, ts: int, body: str) -> None:
        d = self.d
        if d.channel == "phone":
            note = pick(self.ctx.rng, CALL_NOTES).format(subject=d.subject,
                                                         contact=d.sender.name)
            self.event(ts, "call", actor=d.assignee_id, body=note,
                       data={"direction": "in", "number": d.from_address})
            return
        inbound_id, message_id = messages.receive(
            self.ctx, channel=d.channel, sender=d.sender, subject=d.subject, body=body,
            received_ts=ts, enquiry_id=d.id, in_reply_to=self.last_outbound)
        self.last_inbound = message_id
        self.event(ts, "message_in", body=body, inbound=inbound_id,
                   data={"channel": d.channel, "from": d.from_address})

    def reply(self, ts: int, answer: str, *, with_invoice: bool = False) -> None:
        """An answer to the customer: an e-mail (with the invoice PDF when asked for one),
        or a call back when the enquiry came by phone."""
        d, ctx = self.d, self.ctx
        agent = ctx.staff.member(d.assignee_id) if d.assignee_id else None
        agent_name = agent.full_name if agent else "Customer Support"
        if d.channel == "phone":
            body = pick(ctx.rng, CALLBACK_NOTES)
            self.event(ts, "call", actor=d.assignee_id, body=body,
                       data={"direction": "out", "number": d.from_address})
        else:
            body = REPLY[d.language].format(contact_name=d.sender.name, subject=d.subject,
                                           answer=answer, agent_name=agent_name)
            kind = "invoice" if with_invoice else "reply"
            outbound_id, message_id = messages.send(
                ctx, kind=kind, to=d.sender.email, subject=f"Re: {d.subject} [{d.reference}]",
                body=body, created_ts=ts, enquiry_id=d.id, customer_id=d.customer_id,
                created_by=d.assignee_id, in_reply_to=self.last_inbound, tag=d.reference)
            if with_invoice:
                messages.attach(ctx, (f"{d.subject.split()[-1]}.pdf", "application/pdf",
                                      tiny_pdf([d.subject, d.sender.company])),
                                enquiry_id=d.id, outbound_id=outbound_id)
            self.last_outbound = message_id
            self.event(ts, "reply", actor=d.assignee_id, body=body, outbound=outbound_id)
        if self.first_response_ts is None:
            self.first_response_ts = ts
        if self.status == "new":
            self.status = "open"

    def apply(self, ts: int, kind: str, facts: dict[str, Any]) -> None:
        d, rng = self.d, self.ctx.rng
        if kind == "arrive":
            body = _customer_text(d, ASK)
            self.customer_message(ts, body)
            if d.channel == "phone":
                self.first_response_ts = ts
                self.status = "open"
        elif kind == "assign":
            if d.assignee_id is not None and d.channel != "phone":
                self.assigned = True
                self.event(ts, "assignment", data=_assignment(d.assignee_id, d.team_id))
        elif kind == "reply":
            self.reply(ts, ANSWERS[d.language][0])
        elif kind == "answer":
            with_invoice = d.invoice_id is not None and d.category == "invoices"
            self.reply(ts, ANSWERS[d.language][1 if with_invoice else 2],
                       with_invoice=with_invoice)
        elif kind == "pending_customer":
            if d.channel != "phone":
                self.reply(ts, PENDING_QUESTION[d.language])
            self.set_status(ts, "pending_customer", d.assignee_id)
        elif kind == "customer_reply":
            self.customer_message(ts, _customer_text(d, FOLLOW_UP))
            self.set_status(ts, "open", None)
        elif kind == "pending_internal":
            self.event(ts, "note", actor=d.assignee_id, body=pick(rng, INTERNAL_NOTES))
            self.set_status(ts, "pending_internal", d.assignee_id)
        elif kind == "internal_done":
            self.set_status(ts, "open", d.assignee_id)
        elif kind == "note":
            self.event(ts, "note", actor=d.assignee_id, body=pick(rng, INTERNAL_NOTES))
        elif kind == "priority":
            # Replayed after the load through the app's own workflow.set_priority, so the
            # SLA policy and due times follow the new priority exactly as in the app.
            self.escalated = True
            self.ctx.batch.escalations.append((d.id, facts["to"], ts, d.assignee_id))
        elif kind == "category":
            self.event(ts, kind, actor=d.assignee_id, data=facts)
        elif kind == "link":
            self.event(ts, "link", actor=d.assignee_id,
                       data={"order_id": d.order_id, "invoice_id": d.invoice_id,
                             "contract_id": d.contract_id, "installed_item_id": d.item_id})
        elif kind == "resolve":
            self.set_status(ts, "resolved", d.assignee_id)
            self.resolved_ts = ts
        elif kind == "close":
            self.set_status(ts, "closed", None if facts.get("auto") else d.assignee_id)
            self.closed_ts = ts
        elif kind == "reopen":
            self.customer_message(ts, _customer_text(d, FOLLOW_UP))
            self.set_status(ts, "open", None)
            self.reopen_count += 1
            if self.resolved_ts is not None:  # workflow.REOPEN_RULE: resolved time not counted
                self.paused += self.ctx.clock.calendar.between(self.resolved_ts, ts)
            self.resolved_ts = None
        elif kind == "merge":
            self.event(ts, "merge", actor=d.assignee_id, data=facts)
            self.set_status(ts, "closed", d.assignee_id)
            self.resolved_ts = self.closed_ts = ts


def _customer_text(d: Draft, template: dict[str, str]) -> str:
    lang = d.language
    text = template[lang].format(subject=d.subject, po=f"PO-{d.id % 100_000:05d}")
    phone = display_phone(d.sender.phone) if d.sender.phone else ""
    return (f"{GREETING[lang]}\n\n{text}\n\n{CLOSING[lang]}\n{d.sender.name}\n"
            f"{d.sender.company}\n{phone}")


def _emit(ctx: Context, d: Draft, steps: list[Step]) -> Draft:
    clock = ctx.clock
    cal = clock.calendar
    steps.sort(key=itemgetter(0))  # stable: same-time steps keep their planned order
    created = d.created_ts
    absolute = [(cal.add(created, offset) if offset else created, kind, facts)
                for offset, kind, facts in steps]
    now = clock.now_ts
    d.reference = ctx.numbers.enquiry.issue(clock.date_of(d.created_ts))
    _keep_demo_rep_queue_planned(ctx, d, absolute)
    writer = _Writer(ctx, d)
    for ts, kind, facts in absolute:
        if ts > now:
            break
        writer.apply(ts, kind, facts)
    # A pause still running is not in paused_seconds yet: the app adds it when the clock
    # resumes (from the time of the status event), as it would for a live enquiry.
    _write_enquiry(ctx, d, writer)
    return d


def _keep_demo_rep_queue_planned(ctx: Context, d: Draft, steps: list[tuple[Any, ...]]) -> None:
    """The demo rep's open queue is the showcase's; other open work goes to colleagues."""
    demo_rep = ctx.staff.demo_rep_id
    if d.showcase or d.assignee_id != demo_rep:
        return
    still_open = True
    for ts, kind, _ in steps:
        if ts > ctx.clock.now_ts:
            break
        if kind in ("resolve", "close", "merge"):
            still_open = False
        elif kind == "reopen":
            still_open = True
    if still_open:
        others = [m for m in ctx.staff.handlers[d.team_id] if m != demo_rep]
        d.assignee_id = pick(ctx.rng, others)


def _write_enquiry(ctx: Context, d: Draft, w: _Writer) -> None:
    # Due and at-risk times are add_business_seconds(created_at, minutes * 60 + paused) as the
    # app computes them (dashboard.services.sla.deadlines); the precomputed calendar gives
    # the same instants (tests compare them) at a fraction of the cost. Pauses only ever
    # follow the first response, so that clock never moves.
    cal, now, stamp, created = ctx.clock.calendar, ctx.clock.now_ts, ctx.stamp, d.created_ts
    first, resolution = d.policy.first_response_minutes, d.policy.resolution_minutes
    first_due_ts = cal.add(created, first * MINUTE)
    resolution_due_ts = cal.add(created, resolution * MINUTE + w.paused)
    first_risk_ts = cal.add(created, risk_offset(first) * MINUTE)
    resolution_risk_ts = cal.add(created, risk_offset(resolution) * MINUTE + w.paused)
    # Breach markers on the timeline of enquiries still being worked on (closed history
    # keeps its due times; metrics compute breaches from those).
    if d.merged_into_id is None and w.status in OPEN_STATUSES and not w.escalated:
        if first_due_ts <= now and (w.first_response_ts is None
                                    or w.first_response_ts > first_due_ts):
            w.event(first_due_ts, "sla", data={"clock": "first_response", "breached": True})
        if resolution_due_ts <= now and (w.resolved_ts is None
                                         or w.resolved_ts > resolution_due_ts):
            w.event(resolution_due_ts, "sla", data={"clock": "resolution", "breached": True})
    assignee = d.assignee_id if w.assigned else None
    ctx.batch["enquiries"].append(EnquiryRow(
        id=d.id, reference=d.reference, subject=d.subject[:200], channel=d.channel,
        category=d.category, priority=d.priority, status=w.status, language=d.language,
        customer_id=d.customer_id, contact_id=d.contact.id if d.contact else None,
        from_address=d.from_address or None, verification=d.verification, team_id=d.team_id,
        assignee_id=assignee, order_id=d.order_id, invoice_id=d.invoice_id,
        contract_id=d.contract_id, installed_item_id=d.item_id, sla_policy_id=d.policy.id,
        merged_into_id=d.merged_into_id, created_at=stamp(d.created_ts),
        updated_at=stamp(min(w.last_ts, now)),
        first_response_at=_stamp(ctx, w.first_response_ts),
        first_response_due_at=stamp(first_due_ts), resolution_due_at=stamp(resolution_due_ts),
        first_response_risk_at=stamp(first_risk_ts),
        resolution_risk_at=stamp(resolution_risk_ts),
        resolved_at=_stamp(ctx, w.resolved_ts), closed_at=_stamp(ctx, w.closed_ts),
        paused_seconds=w.paused,
        reopen_count=w.reopen_count, version=1))
    ctx.batch["enquiry_events"].extend(d.events)


def _stamp(ctx: Context, ts: int | None) -> str | None:
    return ctx.stamp(ts) if ts is not None else None


@lru_cache(maxsize=64)
def _transition(old: str, new: str) -> str:
    return json.dumps({"from": old, "to": new})


@lru_cache(maxsize=256)
def _assignment(assignee_id: int, team_id: int) -> str:
    return json.dumps({"assignee_id": assignee_id, "team_id": team_id, "auto": True})


# -- public entry points ----------------------------------------------------------------------

def add_enquiry(ctx: Context, customer: CustomerFile, *, created_ts: int, category: str,
                item: ItemInfo | None = None, subject_index: int | None = None,
                docs: Documents | None = None) -> int:
    """A natural enquiry (most are long closed); returns its id."""
    rng = ctx.rng
    link = (item.serial, {"installed_item_id": item.id}) if item else None
    channel = weighted(rng, CHANNELS, _CHANNEL_CUMULATIVE)
    if channel in ("phone", "fax"):
        created_ts = ctx.clock.calendar.add(created_ts, int(rng.random() * HOUR))
        created_ts = min(created_ts, ctx.clock.now_ts - 1)
    d = _draft(ctx, customer, docs, created_ts=created_ts, category=category, channel=channel,
               priority=weighted(rng, PRIORITIES, _PRIORITY_CUMULATIVE),
               subject_index=subject_index, link=link)
    _emit(ctx, d, _natural_steps(ctx, d))
    if d.channel in ("email", "web") and chance(rng, 0.015):
        _duplicate(ctx, customer, d)
    return d.id


def _duplicate(ctx: Context, customer: CustomerFile, original: Draft) -> None:
    """The customer wrote twice; the second enquiry was merged into the first."""
    created = original.created_ts + int(_uniform(ctx, 5, 60) * MINUTE)
    if created >= ctx.clock.now_ts:
        return
    d = _draft(ctx, customer, None, created_ts=created, category=original.category,
               channel="email", priority=original.priority, link=("", {}))
    d.subject, d.contact, d.sender = original.subject, original.contact, original.sender
    d.from_address, d.language = original.from_address, original.language
    d.category, d.team_id = original.category, original.team_id
    d.order_id, d.invoice_id = original.order_id, original.invoice_id
    d.contract_id, d.item_id = original.contract_id, original.item_id
    d.assignee_id, d.merged_into_id = original.assignee_id, original.id
    merged = int(_uniform(ctx, 10, 120) * MINUTE)
    steps: list[Step] = [(0, "arrive", {}), (merged - 1, "assign", {}),
                         (merged, "merge", {"into_id": original.id,
                                            "into_reference": original.reference})]
    _emit(ctx, d, steps)


def add_enquiries(ctx: Context, customer: CustomerFile) -> None:
    rng, clock = ctx.rng, ctx.clock
    docs = Documents(customer, ctx)
    start = max(clock.history_start_ts, clock.at(customer.since, 9))
    count = poisson(rng, ENQUIRIES_PER_CUSTOMER * customer.weight)
    moments = sorted(start + int(rng.random() * (clock.now_ts - start)) for _ in range(count))
    for created_ts in moments:
        add_enquiry(ctx, customer, created_ts=created_ts,
                    category=weighted(rng, CATEGORIES, _CATEGORY_CUMULATIVE), docs=docs)
    for status, sla, who in customer.quota.enquiries:
        add_showcase_enquiry(ctx, customer, docs, status=status, sla=sla, who=who)


def add_showcase_enquiry(ctx: Context, customer: CustomerFile, docs: Documents, *, status: str,
                         sla: str, who: str) -> None:
    rng, staff = ctx.rng, ctx.staff
    if who == "rep":
        category = "orders" if chance(rng, 0.75) else "other"
    else:
        category = weighted(rng, CATEGORIES, _CATEGORY_CUMULATIVE)
    channel = (pick(rng, ("email", "web", "fax", "email")) if status == "new"
               else weighted(rng, CHANNELS, _CHANNEL_CUMULATIVE))
    priority = (pick(rng, ("low", "normal")) if sla != "breached"
                else weighted(rng, PRIORITIES, _PRIORITY_CUMULATIVE))
    d = _draft(ctx, customer, docs, created_ts=ctx.clock.now_ts - HOUR, category=category,
               channel=channel, priority=priority)
    d.showcase = True
    if who == "rep":
        d.assignee_id, d.team_id = staff.demo_rep_id, staff.member(staff.demo_rep_id).team_id or 1
    elif who == "unassigned":
        d.assignee_id = None
    else:
        d.assignee_id = pick(rng, [m for m in staff.handlers[d.team_id]
                                   if m != staff.demo_rep_id])
    d.created_ts, steps = _showcase_steps(ctx, d, status, sla)
    _emit(ctx, d, steps)


def add_unknown_sender_enquiry(ctx: Context, sender: Sender) -> None:
    """A new, unassigned enquiry from someone the intake could not match to a customer."""
    clock = ctx.clock
    channel = "web" if sender.email else "fax"
    created_ts = clock.calendar.subtract(clock.now_ts, int(_uniform(ctx, 20, 200) * MINUTE))
    templates = SUBJECTS["other"]["en"]
    d = Draft(
        id=ctx.ids.enquiry(), reference="", subject=pick(ctx.rng, templates), channel=channel,
        category="other", priority="normal", language="en", customer_id=None, contact=None,
        sender=sender, from_address=_from_address(channel, sender), verification="none",
        team_id=TEAM_FOR_CATEGORY["other"], assignee_id=None,
        policy=policy_for("normal", channel), created_ts=created_ts, showcase=True)
    _emit(ctx, d, [(0, "arrive", {})])
