"""Intake throughput: an mbox of realistic messages imported through the whole pipeline.

    python -m bench.bench_intake [--messages 2000]
    python -m bench.bench_intake --database-url postgresql://postgres@127.0.0.1:5432/test

The database is fresh and seeded with the demo data: a temporary SQLite file by default; for
PostgreSQL a schema (``--schema``, dropped and created again) in the given database. The mbox
mixes new enquiries from known contacts (in their language, most naming one of their
documents), mail from unknown senders, replies threading by In-Reply-To/References and by
``[ENQ-…]``, HylaFAX and eFax gateway messages with a small PDF, and auto-replies and bounces.

Budget: at least 100 messages/s on SQLite.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from bench.common import table
from dashboard.intake import pipeline, sources
from db.engine import make_engine
from db.migrate import upgrade
from db.models import (
    Contact,
    Contract,
    Customer,
    Enquiry,
    InboundMessage,
    InstalledItem,
    Invoice,
    Order,
    OutboundMessage,
)
from db.types import utcnow
from seed.documents import tiny_pdf
from seed.generate import seed_database
from seed.identifiers import display_phone

BUDGET_PER_SECOND = 100.0
MIX = (("new from a contact", 0.50), ("new from an unknown sender", 0.08),
       ("reply by header", 0.14), ("reply by [ENQ] tag", 0.10), ("fax", 0.10),
       ("auto-reply or bounce", 0.08))

GREETING = {"en": "Dear support team,", "fr": "Bonjour,", "nl": "Beste,",
            "de": "Sehr geehrte Damen und Herren,"}
CLOSING = {"en": "Kind regards,", "fr": "Cordialement,", "nl": "Met vriendelijke groeten,",
           "de": "Mit freundlichen Grüßen"}
ASK = {
    "invoice": {
        "en": ("Question about invoice {n}", "We cannot match invoice {n} with our order. "
               "Could you send us a credit note or explain the amount? Thank you."),
        "fr": ("Question sur la facture {n}", "Nous ne retrouvons pas la facture {n} dans nos "
               "commandes. Pourriez-vous nous envoyer une note de crédit ? Merci d'avance."),
        "nl": ("Vraag over factuur {n}", "Wij kunnen factuur {n} niet koppelen aan onze "
               "bestelling. Kunt u ons een creditnota sturen? Alvast bedankt."),
        "de": ("Frage zur Rechnung {n}", "Wir können die Rechnung {n} keiner Bestellung "
               "zuordnen. Bitte senden Sie uns eine Gutschrift. Vielen Dank."),
    },
    "order": {
        "en": ("Where is order {n}?", "Our order {n} has not been delivered yet. Could you "
               "tell us when the delivery is planned and give us the tracking number?"),
        "fr": ("Livraison de la commande {n}", "Notre commande {n} n'est toujours pas livrée. "
               "Pouvez-vous nous donner la date de livraison et le numéro de suivi ?"),
        "nl": ("Levering bestelling {n}", "Onze bestelling {n} is nog niet geleverd. Kunt u "
               "ons laten weten wanneer de levering gepland is en wat het trackingnummer is?"),
        "de": ("Lieferung der Bestellung {n}", "Unsere Bestellung {n} ist noch nicht "
               "geliefert worden. Können Sie uns bitte den Liefertermin mitteilen?"),
    },
    "contract": {
        "en": ("Renewal of contract {n}", "Our contract {n} ends soon. We would like to know "
               "the conditions for the renewal and the notice period."),
        "fr": ("Renouvellement du contrat {n}", "Notre contrat {n} arrive à échéance. Nous "
               "voudrions connaître les conditions du renouvellement et le préavis."),
        "nl": ("Verlenging contract {n}", "Ons contract {n} loopt binnenkort af. Wij willen "
               "graag de voorwaarden voor de verlenging en de opzegtermijn kennen."),
        "de": ("Verlängerung Vertrag {n}", "Unser Vertrag {n} läuft bald aus. Bitte teilen "
               "Sie uns die Bedingungen für die Verlängerung und die Kündigungsfrist mit."),
    },
    "item": {
        "en": ("Printer {n} is broken", "The device with serial number {n} is defective "
               "since this morning. Can a technician come under the maintenance contract?"),
        "fr": ("Panne de l'appareil {n}", "L'appareil avec le numéro de série {n} est en "
               "panne depuis ce matin. Pouvez-vous envoyer un technicien ?"),
        "nl": ("Toestel {n} defect", "Het toestel met serienummer {n} is sinds vanochtend "
               "defect. Kan er een technieker langskomen voor de reparatie?"),
        "de": ("Gerät {n} defekt", "Das Gerät mit der Seriennummer {n} ist seit heute "
               "Morgen defekt. Können Sie bitte einen Techniker schicken?"),
    },
    "none": {
        "en": ("Question about our account", "Could you please call us back about the "
               "payment terms of our account? We have a few questions for you."),
        "fr": ("Question sur notre compte", "Pourriez-vous nous rappeler au sujet des "
               "conditions de paiement de notre compte ? Nous avons quelques questions."),
        "nl": ("Vraag over onze rekening", "Kunt u ons terugbellen over de "
               "betalingsvoorwaarden van onze rekening? Wij hebben nog enkele vragen."),
        "de": ("Frage zu unserem Konto", "Können Sie uns bitte wegen der "
               "Zahlungsbedingungen unseres Kontos zurückrufen? Wir haben einige Fragen."),
    },
}
REPLY = {"en": "Thank you for your answer. We have checked it and we still have a question.",
         "fr": "Merci pour votre réponse. Nous avons vérifié et nous avons encore une question.",
         "nl": "Bedankt voor uw antwoord. Wij hebben het nagekeken en hebben nog een vraag.",
         "de": "Vielen Dank für Ihre Antwort. Wir haben es geprüft und haben noch eine Frage."}
AUTO = (("Out of office", "I am out of the office until Monday."),
        ("Réponse automatique : Absence du bureau", "Je suis absent jusqu'à lundi."),
        ("Afwezigheidsmelding", "Ik ben afwezig tot maandag."),
        ("Abwesenheitsnotiz", "Ich bin bis Montag nicht im Büro."))


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    language: str
    customer_id: int
    fax: str | None


@dataclass
class World:
    people: list[Person]
    documents: dict[int, list[tuple[str, str]]]  # customer id -> [(kind, number)]
    thread_ids: list[tuple[str, int | None]]  # Message-IDs of our replies and their customers
    references: list[tuple[str, int | None]]  # ENQ references and their customers
    faxes: list[Person]


def load_world(engine: Engine) -> World:
    with Session(engine) as s:
        people = [Person(f"{c.first_name} {c.last_name}", c.email, c.language, c.customer_id,
                         c.fax)
                  for c in s.scalars(select(Contact).where(Contact.email.is_not(None),
                                                            Contact.is_active.is_(True)))
                  if c.email]
        documents: dict[int, list[tuple[str, str]]] = {}
        for kind, query in (
                ("invoice", select(Invoice.customer_id, Invoice.number)),
                ("order", select(Order.customer_id, Order.order_number)),
                ("contract", select(Contract.customer_id, Contract.contract_number)),
                ("item", select(InstalledItem.customer_id, InstalledItem.serial_number))):
            for customer_id, number in s.execute(query):
                documents.setdefault(customer_id, []).append((kind, number))
        thread_ids = [(mid, cid) for mid, cid in s.execute(
            select(OutboundMessage.message_id, OutboundMessage.customer_id)
            .where(OutboundMessage.kind == "reply", OutboundMessage.enquiry_id.is_not(None)))]
        thread_ids += [(mid, cid) for mid, cid in s.execute(
            select(InboundMessage.message_id, Enquiry.customer_id)
            .join(Enquiry, Enquiry.id == InboundMessage.enquiry_id)
            .where(InboundMessage.message_id.is_not(None))) if mid]
        references = [(ref, cid) for ref, cid in s.execute(
            select(Enquiry.reference, Enquiry.customer_id))]
        faxes = [p for p in people if p.fax]
        customer_fax = [Person(name, "", language, cid, fax) for cid, name, language, fax in
                        s.execute(select(Customer.id, Customer.name, Customer.language,
                                         Customer.phone).where(Customer.phone.is_not(None)))]
    return World(people, documents, thread_ids, references, faxes or customer_fax)


def _message(sender: Address, subject: str, body: str, when_text: str, domain: str,
             charset: str = "utf-8") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "support@csol.example"
    mail["Subject"] = subject
    mail["Date"] = when_text
    mail["Message-ID"] = make_msgid(domain=domain)
    try:
        body.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
    mail.set_content(body, charset=charset)
    return mail


def build_messages(world: World, count: int, seed: int = 11) -> tuple[list[bytes], Counter[str]]:
    rng = random.Random(seed)
    kinds = [kind for kind, _ in MIX]
    weights = [share for _, share in MIX]
    when_text = format_datetime(utcnow())
    pdf = tiny_pdf(["Fax", "1 page"])
    sent: list[tuple[str, int | None]] = []  # this run's own new messages, to reply to
    planned: Counter[str] = Counter()
    messages: list[bytes] = []
    for number in range(count):
        kind = rng.choices(kinds, weights)[0]
        planned[kind] += 1
        person = rng.choice(world.people)
        lang = person.language
        sender = Address(person.name, addr_spec=person.email)
        domain = person.email.rpartition("@")[2]
        if kind in ("new from a contact", "new from an unknown sender"):
            docs = world.documents.get(person.customer_id, [])
            doc_kind, doc = rng.choice(docs) if docs and rng.random() < 0.75 else ("none", "")
            subject, ask = ASK[doc_kind][lang]
            if kind == "new from an unknown sender":
                sender = Address(f"Visitor {number}", addr_spec=f"visitor{number}@mail.example")
                domain = "mail.example"
            body = (f"{GREETING[lang]}\n\n{ask.format(n=doc)}\n\n{CLOSING[lang]}\n"
                    f"{sender.display_name}")
            charset = "iso-8859-1" if lang in ("fr", "de") and rng.random() < 0.3 else "utf-8"
            mail = _message(sender, subject.format(n=doc), body, when_text, domain, charset)
            sent.append((str(mail["Message-ID"]), person.customer_id))
        elif kind == "reply by header":
            pool = sent if sent and rng.random() < 0.5 else world.thread_ids
            message_id, _ = rng.choice(pool)
            mail = _message(sender, "RE: " + ASK["none"][lang][0], f"{REPLY[lang]}\n\n> ...",
                            when_text, domain)
            mail["In-Reply-To"] = message_id
            mail["References"] = message_id
        elif kind == "reply by [ENQ] tag":
            own = [ref for ref, cid in world.references if cid == person.customer_id]
            reference = rng.choice(own or [r for r, _ in world.references])
            mail = _message(sender, f"RE: {ASK['none'][lang][0]} [{reference}]",
                            REPLY[lang], when_text, domain)
        elif kind == "fax":
            fax_person = rng.choice(world.faxes)
            fax_number = display_phone(fax_person.fax or "+3220000000")
            if rng.random() < 0.5:
                mail = _message(Address("HylaFAX", addr_spec="faxmaster@fax.csol.example"),
                                f"Facsimile received from {fax_number}",
                                f"A facsimile was received from {fax_number} (1 page).",
                                when_text, "fax.csol.example")
            else:
                mail = _message(Address("eFax", addr_spec="message@inbound.efax.com"),
                                f'eFax message from "{fax_number}" - 1 page(s), '
                                f"Caller-ID: {fax_number}",
                                "You have received a 1 page fax.", when_text, "efax.com")
            mail.add_attachment(pdf, maintype="application", subtype="pdf",
                                filename=f"fax-{number}.pdf")
        else:
            subject, body = rng.choice(AUTO)
            mail = _message(sender, subject, body, when_text, domain)
            if rng.random() < 0.5:
                mail["Auto-Submitted"] = "auto-replied"
            if world.thread_ids and rng.random() < 0.3:
                mail["In-Reply-To"] = rng.choice(world.thread_ids)[0]
        messages.append(bytes(mail))
    return messages, planned


def write_mbox(messages: list[bytes], path: Path) -> None:
    box = mailbox.mbox(path)
    box.lock()
    try:
        for raw in messages:
            box.add(raw)
        box.flush()
    finally:
        box.unlock()
        box.close()


def fresh_engine(url: str | None, schema: str, folder: Path) -> Engine:
    if url is None or url.startswith("sqlite"):
        return make_engine(url or f"sqlite:///{folder / 'bench_intake.db'}")
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_engine(url, connect_args={"options": f"-csearch_path={schema}"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", default=None,
                        help="default: a temporary SQLite file; PostgreSQL uses --schema")
    parser.add_argument("--schema", default="bench_intake",
                        help="PostgreSQL schema to (re)create (default bench_intake)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        engine = fresh_engine(args.database_url, args.schema, Path(folder))
        upgrade(engine)
        seeded = time.perf_counter()
        seed_database(engine, size="demo")
        print(f"Seeded the demo data in {time.perf_counter() - seeded:.1f} s "
              f"({engine.dialect.name}).")
        messages, planned = build_messages(load_world(engine), args.messages)
        mbox_path = Path(folder) / "bench.mbox"
        write_mbox(messages, mbox_path)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = sources.import_paths(engine, [mbox_path])
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        again = time.perf_counter()
        repeat = sources.import_paths(engine, [mbox_path])
        repeat_seconds = time.perf_counter() - again
        dialect = engine.dialect.name
        if dialect == "postgresql":
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
        engine.dispose()
    rate = report.messages / seconds if seconds else 0.0
    print(table(sorted(planned.items()), ("message kind in the mbox", "count")))
    print()
    rows = [(r, report.counts[r]) for r in pipeline.RESULTS] + [("duplicate",
                                                                  report.duplicates)]
    print(table(rows, ("outcome", "count")))
    print()
    print(table([("import", report.messages, seconds, rate),
                 ("import again (all duplicates)", repeat.duplicates, repeat_seconds,
                  repeat.duplicates / repeat_seconds if repeat_seconds else 0.0)],
                ("run", "messages", "seconds", "messages/s")))
    if dialect == "sqlite":
        verdict = "within" if rate >= BUDGET_PER_SECOND else "OVER"
        budget = f"{verdict} the budget of {BUDGET_PER_SECOND:.0f}/s"
    else:
        budget = f"on {dialect} (the budget of {BUDGET_PER_SECOND:.0f}/s is set for SQLite)"
    print(f"\n{rate:.0f} messages/s {budget}; "
          f"{cpu_seconds / report.messages * 1000:.1f} ms of this process's CPU per message, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")
    lost = args.messages - report.messages - report.duplicates
    if lost or repeat.messages:
        print(f"PROBLEM: {lost} message(s) unaccounted for, {repeat.messages} filed twice.")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
