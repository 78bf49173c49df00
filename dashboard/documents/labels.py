"""What the documents say, in the customer's language (nl, fr, de, en).

Wording follows Belgian business usage: "btw" and "gestructureerde mededeling" in Dutch,
"TVA", "HTVA" and "communication structurée" in French, "MwSt." and "strukturierte
Mitteilung" in the German of East Belgium. French puts a no-break space before ":" and "?".
Templates use ``str.format`` fields named in the comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.formatting import LOCALES

NBSP = "\u00a0"


@dataclass(frozen=True)
class Labels:
    language: str
    # Document titles and header details
    invoice: str
    credit_note: str
    statement: str
    invoice_date: str
    credit_note_date: str
    statement_date: str
    due_date: str
    due_short: str                 # in table headings
    customer: str
    customer_number: str
    vat_number: str
    your_order: str
    contract: str
    credits_invoice: str           # {number}
    credited_by: str               # {numbers}
    continued: str
    page: str                      # {page} {pages}
    vat_prefix: str                # before the vendor's VAT number
    phone: str
    email: str
    # Line table
    description: str
    quantity: str
    unit_price: str
    vat_rate: str
    net: str
    # VAT breakdown and totals
    vat_breakdown: str
    vat_base: str
    vat_amount: str
    total_net: str
    total_vat: str
    total: str
    paid: str
    amount_due: str
    credit_used: str
    credit_remaining: str
    paid_in_full: str
    settlements: str
    settlement_payment: str
    settlement_credit_note: str
    # Payment
    payment: str
    pay_with_reference: str
    structured_reference: str
    beneficiary: str
    pay_by: str                    # {amount} {date}
    disputed: str
    dispute_note: str
    dispute_reason: str            # {reason}
    questions_invoice: str         # {email} {phone} {number}
    # Statement
    open_items: str
    date: str
    document: str
    days_past_due: str
    reference: str
    original: str
    open: str
    running_balance: str
    ageing: str
    current: str
    days_range: str                # {low} {high}
    more_than: str                 # {days}
    total_due: str
    of_which_overdue: str
    no_open_items: str
    how_to_pay: str
    how_to_pay_text: str           # {iban} {bic} {beneficiary}
    questions_statement: str       # {email} {phone} {customer}
    kind_column: str
    kind_invoice: str
    kind_credit_note: str
    kind_payment: str

    @property
    def colon(self) -> str:
        """':' as the language writes it after a label (French: no-break space first)."""
        return f"{NBSP}:" if self.language == "fr" else ":"

    @property
    def locale(self) -> str:
        return LOCALES[self.language]

    def kind(self, kind: str) -> str:
        return {"invoice": self.kind_invoice, "credit_note": self.kind_credit_note,
                "payment": self.kind_payment}.get(kind, kind)

    def bucket(self, bucket: str) -> str:
        """Ageing bucket keys of dashboard.services.statement.BUCKETS in words."""
        if bucket == "current":
            return self.current
        if bucket.endswith("+"):
            return self.more_than.format(days=bucket[:-1])
        low, _, high = bucket.partition("-")
        return self.days_range.format(low=low, high=high)


EN = Labels(
    language="en",
    invoice="Invoice", credit_note="Credit note", statement="Statement of account",
    invoice_date="Invoice date", credit_note_date="Credit note date",
    statement_date="Statement date", due_date="Due date", due_short="Due date", customer="Customer",
    customer_number="Customer number", vat_number="VAT number", your_order="Your order",
    contract="Contract", credits_invoice="Credits invoice {number}",
    credited_by="Credit notes against this invoice: {numbers}", continued="continued",
    page="Page {page} of {pages}", vat_prefix="VAT", phone="Tel.", email="E-mail",
    description="Description", quantity="Qty", unit_price="Unit price", vat_rate="VAT %",
    net="Net amount",
    vat_breakdown="VAT breakdown", vat_base="Taxable amount", vat_amount="VAT",
    total_net="Total excl. VAT", total_vat="VAT", total="Total incl. VAT",
    paid="Already paid", amount_due="Amount due", credit_used="Already used",
    credit_remaining="Credit still available", paid_in_full="Paid in full. Thank you.",
    settlements="Payments and credits", settlement_payment="Payment",
    settlement_credit_note="Credit note",
    payment="Payment", pay_with_reference="Please pay with structured reference",
    structured_reference="Structured reference", beneficiary="Beneficiary",
    pay_by="Please transfer {amount} by {date}.",
    disputed="Disputed",
    dispute_note="This invoice is disputed and being reviewed by our team.",
    dispute_reason="Reason: {reason}",
    questions_invoice="Questions about this document? Contact us at {email} or {phone}, "
                      "quoting {number}.",
    open_items="Open items", date="Date", document="Document", days_past_due="Days overdue",
    reference="Structured reference", original="Original amount", open="Open amount",
    running_balance="Running balance", ageing="Ageing", current="Current",
    days_range="{low}–{high} days", more_than="More than {days} days", total_due="Total due",
    of_which_overdue="of which overdue", no_open_items="There are no open items.",
    how_to_pay="How to pay",
    how_to_pay_text="Please transfer the overdue amounts to {beneficiary}, IBAN {iban}, "
                    "BIC {bic}, quoting the structured reference of each invoice.",
    questions_statement="Questions about this statement? Contact us at {email} or {phone}, "
                        "quoting your customer number {customer}.",
    kind_column="Type",
    kind_invoice="Invoice", kind_credit_note="Credit note", kind_payment="Payment",
)

NL = Labels(
    language="nl",
    invoice="Factuur", credit_note="Creditnota", statement="Rekeningoverzicht",
    invoice_date="Factuurdatum", credit_note_date="Datum creditnota",
    statement_date="Datum overzicht", due_date="Vervaldatum", due_short="Vervaldag",
    customer="Klant",
    customer_number="Klantnummer", vat_number="Btw-nummer", your_order="Uw bestelling",
    contract="Contract", credits_invoice="Creditnota bij factuur {number}",
    credited_by="Creditnota's bij deze factuur: {numbers}", continued="vervolg",
    page="Pagina {page} van {pages}", vat_prefix="Btw", phone="Tel.", email="E-mail",
    description="Omschrijving", quantity="Aantal", unit_price="Eenheidsprijs",
    vat_rate="Btw %", net="Netto bedrag",
    vat_breakdown="Btw-overzicht", vat_base="Maatstaf van heffing", vat_amount="Btw",
    total_net="Totaal excl. btw", total_vat="Btw", total="Totaal incl. btw",
    paid="Reeds betaald", amount_due="Te betalen", credit_used="Reeds verrekend",
    credit_remaining="Nog te verrekenen", paid_in_full="Volledig betaald. Dank u.",
    settlements="Betalingen en creditnota's", settlement_payment="Betaling",
    settlement_credit_note="Creditnota",
    payment="Betaling", pay_with_reference="Gelieve te betalen met gestructureerde mededeling",
    structured_reference="Gestructureerde mededeling", beneficiary="Begunstigde",
    pay_by="Gelieve {amount} over te schrijven vóór {date}.",
    disputed="Betwist",
    dispute_note="Deze factuur wordt betwist en is in behandeling bij ons team.",
    dispute_reason="Reden: {reason}",
    questions_invoice="Vragen over dit document? Neem contact op via {email} of {phone} "
                      "met vermelding van {number}.",
    open_items="Openstaande posten", date="Datum", document="Document",
    days_past_due="Dagen vervallen", reference="Gestructureerde mededeling",
    original="Oorspronkelijk bedrag", open="Openstaand bedrag", running_balance="Lopend saldo",
    ageing="Ouderdom", current="Niet vervallen", days_range="{low}–{high} dagen",
    more_than="Meer dan {days} dagen", total_due="Totaal verschuldigd",
    of_which_overdue="waarvan vervallen", no_open_items="Er zijn geen openstaande posten.",
    how_to_pay="Betaling",
    how_to_pay_text="Gelieve de vervallen bedragen over te schrijven naar {beneficiary}, "
                    "IBAN {iban}, BIC {bic}, met de gestructureerde mededeling van elke "
                    "factuur.",
    questions_statement="Vragen over dit overzicht? Neem contact op via {email} of {phone} "
                        "met vermelding van uw klantnummer {customer}.",
    kind_column="Type",
    kind_invoice="Factuur", kind_credit_note="Creditnota", kind_payment="Betaling",
)

FR = Labels(
    language="fr",
    invoice="Facture", credit_note="Note de crédit", statement="Relevé de compte",
    invoice_date="Date de facture", credit_note_date="Date de la note de crédit",
    statement_date="Date du relevé", due_date="Date d'échéance", due_short="Échéance",
    customer="Client",
    customer_number="Numéro de client", vat_number="Numéro de TVA",
    your_order="Votre commande", contract="Contrat",
    credits_invoice="Note de crédit relative à la facture {number}",
    credited_by=f"Notes de crédit relatives à cette facture{NBSP}: {{numbers}}",
    continued="suite", page="Page {page} sur {pages}", vat_prefix="TVA", phone="Tél.",
    email="E-mail",
    description="Description", quantity="Qté", unit_price="Prix unitaire", vat_rate="TVA %",
    net="Montant HTVA",
    vat_breakdown="Récapitulatif TVA", vat_base="Base imposable", vat_amount="TVA",
    total_net="Total HTVA", total_vat="TVA", total="Total TVAC",
    paid="Déjà payé", amount_due="Montant à payer", credit_used="Déjà imputé",
    credit_remaining="Solde à imputer", paid_in_full="Payée intégralement. Merci.",
    settlements="Paiements et notes de crédit", settlement_payment="Paiement",
    settlement_credit_note="Note de crédit",
    payment="Paiement", pay_with_reference="Veuillez payer avec la communication structurée",
    structured_reference="Communication structurée", beneficiary="Bénéficiaire",
    pay_by="Veuillez virer {amount} avant le {date}.",
    disputed="Contestée",
    dispute_note="Cette facture fait l'objet d'une contestation en cours d'examen par notre "
                 "équipe.",
    dispute_reason=f"Motif{NBSP}: {{reason}}",
    questions_invoice=f"Une question sur ce document{NBSP}? Contactez-nous à {{email}} ou au "
                      "{phone} en mentionnant {number}.",
    open_items="Postes ouverts", date="Date", document="Document",
    days_past_due="Jours de retard", reference="Communication structurée",
    original="Montant initial", open="Montant ouvert", running_balance="Solde cumulé",
    ageing="Ancienneté", current="Non échu", days_range="{low}–{high} jours",
    more_than="Plus de {days} jours", total_due="Total dû", of_which_overdue="dont échu",
    no_open_items="Aucun poste ouvert.",
    how_to_pay="Paiement",
    how_to_pay_text="Veuillez virer les montants échus à {beneficiary}, IBAN {iban}, "
                    "BIC {bic}, en mentionnant la communication structurée de chaque facture.",
    questions_statement=f"Une question sur ce relevé{NBSP}? Contactez-nous à {{email}} ou au "
                        "{phone} en mentionnant votre numéro de client {customer}.",
    kind_column="Type",
    kind_invoice="Facture", kind_credit_note="Note de crédit", kind_payment="Paiement",
)

DE = Labels(
    language="de",
    invoice="Rechnung", credit_note="Gutschrift", statement="Kontoauszug",
    invoice_date="Rechnungsdatum", credit_note_date="Gutschriftsdatum",
    statement_date="Stichtag", due_date="Fälligkeitsdatum", due_short="Fällig am", customer="Kunde",
    customer_number="Kundennummer", vat_number="MwSt.-Nummer",
    your_order="Ihre Bestellung", contract="Vertrag",
    credits_invoice="Gutschrift zur Rechnung {number}",
    credited_by="Gutschriften zu dieser Rechnung: {numbers}", continued="Fortsetzung",
    page="Seite {page} von {pages}", vat_prefix="MwSt.", phone="Tel.", email="E-Mail",
    description="Beschreibung", quantity="Menge", unit_price="Einzelpreis",
    vat_rate="MwSt. %", net="Nettobetrag",
    vat_breakdown="MwSt.-Aufstellung", vat_base="Bemessungsgrundlage", vat_amount="MwSt.",
    total_net="Summe ohne MwSt.", total_vat="MwSt.", total="Summe inkl. MwSt.",
    paid="Bereits bezahlt", amount_due="Zu zahlender Betrag", credit_used="Bereits verrechnet",
    credit_remaining="Noch zu verrechnen", paid_in_full="Vollständig bezahlt. Vielen Dank.",
    settlements="Zahlungen und Gutschriften", settlement_payment="Zahlung",
    settlement_credit_note="Gutschrift",
    payment="Zahlung",
    pay_with_reference="Bitte zahlen Sie mit der strukturierten Mitteilung",
    structured_reference="Strukturierte Mitteilung", beneficiary="Empfänger",
    pay_by="Bitte überweisen Sie {amount} bis zum {date}.",
    disputed="Beanstandet",
    dispute_note="Diese Rechnung wurde beanstandet und wird von unserem Team geprüft.",
    dispute_reason="Grund: {reason}",
    questions_invoice="Fragen zu diesem Dokument? Kontaktieren Sie uns unter {email} oder "
                      "{phone} unter Angabe von {number}.",
    open_items="Offene Posten", date="Datum", document="Beleg", days_past_due="Tage überfällig",
    reference="Strukturierte Mitteilung", original="Ursprünglicher Betrag", open="Offener Betrag",
    running_balance="Laufender Saldo", ageing="Fälligkeitsstruktur", current="Nicht fällig",
    days_range="{low}–{high} Tage", more_than="Mehr als {days} Tage",
    total_due="Offener Gesamtbetrag", of_which_overdue="davon überfällig",
    no_open_items="Es gibt keine offenen Posten.",
    how_to_pay="Zahlung",
    how_to_pay_text="Bitte überweisen Sie die überfälligen Beträge an {beneficiary}, "
                    "IBAN {iban}, BIC {bic}, unter Angabe der strukturierten Mitteilung der "
                    "jeweiligen Rechnung.",
    questions_statement="Fragen zu diesem Kontoauszug? Kontaktieren Sie uns unter {email} oder "
                        "{phone} unter Angabe Ihrer Kundennummer {customer}.",
    kind_column="Art",
    kind_invoice="Rechnung", kind_credit_note="Gutschrift", kind_payment="Zahlung",
)

LABELS: dict[str, Labels] = {"en": EN, "nl": NL, "fr": FR, "de": DE}


def labels_for(language: str | None) -> Labels:
    """The labels for a customer's language; English when it is unknown."""
    return LABELS.get((language or "en").lower()[:2], EN)
