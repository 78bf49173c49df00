"""What customers and representatives write, in English, French, Dutch and German.

Customer-facing text follows the customer's language; internal notes are in English, the
team's working language. ``{doc}`` is the linked document's number.
"""

from __future__ import annotations

SUBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "orders": {
        "en": ("Where is my order {doc}?", "Delivery date for order {doc}",
               "Order {doc}: missing items", "Change delivery address for {doc}",
               "Order {doc} arrived damaged"),
        "nl": ("Waar blijft bestelling {doc}?", "Leverdatum bestelling {doc}",
               "Bestelling {doc}: ontbrekende artikelen", "Leveradres wijzigen voor {doc}",
               "Bestelling {doc} beschadigd geleverd"),
        "fr": ("Où en est ma commande {doc} ?", "Date de livraison de la commande {doc}",
               "Commande {doc} : articles manquants",
               "Changement d'adresse de livraison pour {doc}",
               "Commande {doc} livrée endommagée"),
        "de": ("Wo bleibt Bestellung {doc}?", "Liefertermin für Bestellung {doc}",
               "Bestellung {doc}: fehlende Artikel", "Lieferadresse ändern für {doc}",
               "Bestellung {doc} beschädigt geliefert"),
    },
    "invoices": {
        "en": ("Copy of invoice {doc}", "Question about invoice {doc}",
               "Invoice {doc} already paid", "Wrong VAT number on {doc}",
               "Payment reminder for {doc}"),
        "nl": ("Kopie van factuur {doc}", "Vraag over factuur {doc}",
               "Factuur {doc} is al betaald", "Verkeerd btw-nummer op {doc}",
               "Herinnering voor factuur {doc}"),
        "fr": ("Copie de la facture {doc}", "Question concernant la facture {doc}",
               "Facture {doc} déjà payée", "Mauvais numéro de TVA sur {doc}",
               "Rappel de paiement {doc}"),
        "de": ("Kopie der Rechnung {doc}", "Frage zur Rechnung {doc}",
               "Rechnung {doc} bereits bezahlt", "Falsche MwSt.-Nummer auf {doc}",
               "Zahlungserinnerung {doc}"),
    },
    "contracts": {
        "en": ("Renewal of contract {doc}", "Terminate contract {doc}",
               "Service level of {doc}", "Price increase on {doc}"),
        "nl": ("Verlenging contract {doc}", "Opzegging contract {doc}",
               "Serviceniveau van {doc}", "Prijsverhoging contract {doc}"),
        "fr": ("Renouvellement du contrat {doc}", "Résiliation du contrat {doc}",
               "Niveau de service du contrat {doc}", "Augmentation de prix du contrat {doc}"),
        "de": ("Verlängerung von Vertrag {doc}", "Kündigung von Vertrag {doc}",
               "Service-Level von {doc}", "Preiserhöhung für Vertrag {doc}"),
    },
    "inventory": {
        "en": ("Relocate device {doc}", "Device {doc} out of order",
               "Warranty status of {doc}", "Remove {doc} from our inventory"),
        "nl": ("Toestel {doc} verhuizen", "Toestel {doc} defect",
               "Garantiestatus van {doc}", "{doc} uit onze inventaris verwijderen"),
        "fr": ("Déménagement de l'appareil {doc}", "Appareil {doc} en panne",
               "Statut de garantie de {doc}", "Retirer {doc} de notre inventaire"),
        "de": ("Umzug von Gerät {doc}", "Gerät {doc} defekt",
               "Garantiestatus von {doc}", "{doc} aus unserem Bestand entfernen"),
    },
    "other": {
        "en": ("Change of billing address", "New contact person", "Request for a quote",
               "Access to the customer portal"),
        "nl": ("Wijziging facturatieadres", "Nieuwe contactpersoon", "Offerteaanvraag",
               "Toegang tot het klantenportaal"),
        "fr": ("Changement d'adresse de facturation", "Nouvelle personne de contact",
               "Demande de devis", "Accès au portail client"),
        "de": ("Änderung der Rechnungsadresse", "Neue Ansprechperson", "Angebotsanfrage",
               "Zugang zum Kundenportal"),
    },
}

GREETING = {"en": "Hello,", "nl": "Beste,", "fr": "Bonjour,", "de": "Guten Tag,"}
CLOSING = {"en": "Kind regards,", "nl": "Met vriendelijke groeten,", "fr": "Cordialement,",
           "de": "Mit freundlichen Grüßen,"}
ASK = {
    "en": "Could you please look into the following: {subject}. Thank you in advance.",
    "nl": "Kunnen jullie het volgende nakijken: {subject}. Alvast bedankt.",
    "fr": "Pourriez-vous examiner la demande suivante : {subject}. Merci d'avance.",
    "de": "Könnten Sie bitte Folgendes prüfen: {subject}. Vielen Dank im Voraus.",
}
FOLLOW_UP = {
    "en": "Here is the information you asked for. Our reference: {po}.",
    "nl": "Hierbij de gevraagde informatie. Onze referentie: {po}.",
    "fr": "Voici les informations demandées. Notre référence : {po}.",
    "de": "Anbei die gewünschten Informationen. Unsere Referenz: {po}.",
}
REPLY = {
    "en": "Dear {contact_name},\n\nThank you for your message about {subject}. {answer}\n\n"
          "Kind regards,\n{agent_name}\nCustomer Support",
    "nl": "Beste {contact_name},\n\nBedankt voor uw bericht over {subject}. {answer}\n\n"
          "Met vriendelijke groeten,\n{agent_name}\nKlantendienst",
    "fr": "Bonjour {contact_name},\n\nMerci pour votre message concernant {subject}. "
          "{answer}\n\nCordialement,\n{agent_name}\nService clientèle",
    "de": "Guten Tag {contact_name},\n\nvielen Dank für Ihre Nachricht zu {subject}. "
          "{answer}\n\nMit freundlichen Grüßen,\n{agent_name}\nKundendienst",
}
ANSWERS = {
    "en": ("We have checked this and will get back to you shortly.",
           "Please find the requested document attached.",
           "The matter has been resolved; do not hesitate to contact us again."),
    "nl": ("We hebben dit nagekeken en komen er snel op terug.",
           "In bijlage vindt u het gevraagde document.",
           "De zaak is opgelost; aarzel niet om ons opnieuw te contacteren."),
    "fr": ("Nous avons vérifié et revenons vers vous rapidement.",
           "Vous trouverez le document demandé en pièce jointe.",
           "Le problème est résolu ; n'hésitez pas à nous recontacter."),
    "de": ("Wir haben dies geprüft und melden uns in Kürze.",
           "Das gewünschte Dokument finden Sie im Anhang.",
           "Die Angelegenheit ist erledigt; melden Sie sich gern wieder."),
}
PENDING_QUESTION = {
    "en": "Could you send us the delivery note or your purchase order number?",
    "nl": "Kunt u ons de leveringsbon of uw bestelbonnummer bezorgen?",
    "fr": "Pourriez-vous nous transmettre le bon de livraison ou votre numéro de bon de commande ?",
    "de": "Könnten Sie uns den Lieferschein oder Ihre Bestellnummer schicken?",
}

INTERNAL_NOTES = (
    "Checked with the warehouse: the shipment left Willebroek yesterday.",
    "Called the customer, left a voicemail.",
    "Asked Finance to verify the payment on the bank statement.",
    "Credit note requested from billing.",
    "Carrier confirms delivery tomorrow before noon.",
    "Customer prefers to be contacted by e-mail.",
    "Duplicate of an earlier request, see linked enquiry.",
    "Field engineer booked for next Tuesday.",
    "Waiting for the supplier's stock confirmation.",
    "Contract terms checked: renewal notice period is 90 days.",
)
CALL_NOTES = (
    "Customer called about: {subject}.",
    "Inbound call: {subject}. Caller verified.",
    "Call from {contact}: {subject}.",
)
CALLBACK_NOTES = (
    "Called back and explained the situation.",
    "Called back: customer satisfied with the answer.",
    "Call-back done, details confirmed by e-mail.",
)

# Reasons printed on the customer's documents, in the customer's language.
DISPUTE_REASONS: dict[str, tuple[str, ...]] = {
    "en": ("Goods not received", "Price differs from the quotation", "Duplicate invoice",
           "Wrong VAT number on the invoice", "Damaged on delivery", "Service not performed",
           "Quantity invoiced exceeds quantity delivered"),
    "nl": ("Goederen niet ontvangen", "Prijs wijkt af van de offerte", "Dubbele factuur",
           "Verkeerd btw-nummer op de factuur", "Beschadigd bij levering",
           "Dienst niet uitgevoerd", "Gefactureerde hoeveelheid groter dan geleverd"),
    "fr": ("Marchandises non reçues", "Prix différent de l'offre", "Facture en double",
           "Numéro de TVA erroné sur la facture", "Endommagé à la livraison",
           "Prestation non effectuée", "Quantité facturée supérieure à la quantité livrée"),
    "de": ("Ware nicht erhalten", "Preis weicht vom Angebot ab", "Doppelte Rechnung",
           "Falsche MwSt.-Nummer auf der Rechnung", "Bei Lieferung beschädigt",
           "Leistung nicht erbracht", "Berechnete Menge übersteigt die gelieferte Menge"),
}
CREDIT_REASONS: dict[str, tuple[str, ...]] = {
    "en": ("Return of goods", "Price correction", "Damaged on delivery", "Goodwill discount"),
    "nl": ("Retour van goederen", "Prijscorrectie", "Beschadigd bij levering",
           "Commerciële korting"),
    "fr": ("Retour de marchandises", "Correction de prix", "Endommagé à la livraison",
           "Geste commercial"),
    "de": ("Warenrücksendung", "Preiskorrektur", "Bei Lieferung beschädigt", "Kulanzgutschrift"),
}
INVOICED_IN_ERROR = {"en": "Invoiced in error", "nl": "Onterecht gefactureerd",
                     "fr": "Facturé par erreur", "de": "Irrtümlich berechnet"}
# A credit note's line: {reason}, {number} of the invoice, {description} of the line.
CREDIT_LINE = {
    "en": "{reason}, invoice {number}: {description}",
    "nl": "{reason}, factuur {number}: {description}",
    "fr": "{reason}, facture {number} : {description}",
    "de": "{reason}, Rechnung {number}: {description}",
}
CONTRACT_LINE: dict[str, dict[str, str]] = {
    # contract type -> language -> label; the line reads "{label} {number}, {period}".
    "maintenance": {"en": "Maintenance contract", "nl": "Onderhoudscontract",
                    "fr": "Contrat de maintenance", "de": "Wartungsvertrag"},
    "support": {"en": "Support contract", "nl": "Supportcontract", "fr": "Contrat de support",
                "de": "Supportvertrag"},
    "lease": {"en": "Lease", "nl": "Leasing", "fr": "Leasing", "de": "Leasing"},
    "software_subscription": {"en": "Software subscription", "nl": "Softwareabonnement",
                              "fr": "Abonnement logiciel", "de": "Software-Abonnement"},
    "managed_service": {"en": "Managed service", "nl": "Beheerde dienstverlening",
                        "fr": "Service managé", "de": "Managed Service"},
}
ITEM_ADD_REASONS = (
    "Installed after delivery of {order}", "Initial inventory import",
    "Added after site survey", "Installed by field engineer",
)
ITEM_MOVE_REASONS = (
    "Office move requested by the customer", "Moved to the new warehouse",
    "Relocated after a department reorganisation", "Swap between sites",
)
ITEM_REMOVE_REASONS = (
    "End of life, collected for recycling", "Replaced by a newer model",
    "Returned at end of lease", "Device stolen, police report received",
)

ORDER_EVENT_NOTES = {
    "received": ("Order received via the web shop", "Order received by e-mail",
                 "Order received via EDI", "Order received by phone"),
    "confirmed": ("Order confirmed", "Order confirmed, stock reserved"),
    "picking": ("Picking started at the Willebroek warehouse", "Picking started"),
    "backorder": ("Backorder: awaiting stock from the supplier",),
    "shipped": ("Shipped with {carrier}, tracking {tracking}",),
    "in_transit": ("In transit, at the carrier's depot", "Out for delivery"),
    "delivered": ("Delivered, signed for by {name}", "Delivered to reception"),
    "cancelled": ("Cancelled at the customer's request", "Cancelled: product discontinued"),
}

CANNED_REPLIES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    # name: (category, {language: (subject, body)})
    "Acknowledgement": ("other", {
        "en": ("We received your request [{reference}]",
               "Dear {contact_name},\n\nWe have received your request and registered it "
               "under {reference}. We will get back to you as soon as possible.\n\n"
               "Kind regards,\n{agent_name}"),
        "fr": ("Nous avons bien reçu votre demande [{reference}]",
               "Bonjour {contact_name},\n\nNous avons bien reçu votre demande, enregistrée "
               "sous la référence {reference}. Nous revenons vers vous au plus vite.\n\n"
               "Cordialement,\n{agent_name}"),
        "nl": ("Wij hebben uw vraag ontvangen [{reference}]",
               "Beste {contact_name},\n\nWij hebben uw vraag ontvangen en geregistreerd onder "
               "{reference}. Wij nemen zo snel mogelijk contact met u op.\n\n"
               "Met vriendelijke groeten,\n{agent_name}"),
        "de": ("Wir haben Ihre Anfrage erhalten [{reference}]",
               "Guten Tag {contact_name},\n\nwir haben Ihre Anfrage erhalten und unter "
               "{reference} erfasst. Wir melden uns so schnell wie möglich.\n\n"
               "Mit freundlichen Grüßen,\n{agent_name}"),
    }),
    "Invoice copy": ("invoices", {
        "en": ("Copy of invoice {invoice_number} [{reference}]",
               "Dear {contact_name},\n\nPlease find attached a copy of invoice "
               "{invoice_number}.\n\nKind regards,\n{agent_name}"),
        "fr": ("Copie de la facture {invoice_number} [{reference}]",
               "Bonjour {contact_name},\n\nVeuillez trouver en annexe une copie de la facture "
               "{invoice_number}.\n\nCordialement,\n{agent_name}"),
        "nl": ("Kopie van factuur {invoice_number} [{reference}]",
               "Beste {contact_name},\n\nIn bijlage vindt u een kopie van factuur "
               "{invoice_number}.\n\nMet vriendelijke groeten,\n{agent_name}"),
        "de": ("Kopie der Rechnung {invoice_number} [{reference}]",
               "Guten Tag {contact_name},\n\nanbei erhalten Sie eine Kopie der Rechnung "
               "{invoice_number}.\n\nMit freundlichen Grüßen,\n{agent_name}"),
    }),
    "Payment received": ("invoices", {
        "en": ("Payment received for {invoice_number} [{reference}]",
               "Dear {contact_name},\n\nWe confirm that your payment for invoice "
               "{invoice_number} has been received. Thank you.\n\nKind regards,\n{agent_name}"),
        "fr": ("Paiement reçu pour {invoice_number} [{reference}]",
               "Bonjour {contact_name},\n\nNous confirmons la bonne réception de votre paiement "
               "pour la facture {invoice_number}. Merci.\n\nCordialement,\n{agent_name}"),
        "nl": ("Betaling ontvangen voor {invoice_number} [{reference}]",
               "Beste {contact_name},\n\nWij bevestigen de ontvangst van uw betaling voor "
               "factuur {invoice_number}. Dank u.\n\nMet vriendelijke groeten,\n{agent_name}"),
        "de": ("Zahlung für {invoice_number} erhalten [{reference}]",
               "Guten Tag {contact_name},\n\nwir bestätigen den Eingang Ihrer Zahlung für die "
               "Rechnung {invoice_number}. Vielen Dank.\n\nMit freundlichen Grüßen,\n"
               "{agent_name}"),
    }),
    "Delivery status": ("orders", {
        "en": ("Status of order {order_number} [{reference}]",
               "Dear {contact_name},\n\nYour order {order_number} is on its way with "
               "{carrier} (tracking {tracking_number}).\n\nKind regards,\n{agent_name}"),
        "fr": ("Statut de la commande {order_number} [{reference}]",
               "Bonjour {contact_name},\n\nVotre commande {order_number} est en route avec "
               "{carrier} (suivi {tracking_number}).\n\nCordialement,\n{agent_name}"),
        "nl": ("Status van bestelling {order_number} [{reference}]",
               "Beste {contact_name},\n\nUw bestelling {order_number} is onderweg met "
               "{carrier} (tracking {tracking_number}).\n\nMet vriendelijke groeten,\n"
               "{agent_name}"),
        "de": ("Status der Bestellung {order_number} [{reference}]",
               "Guten Tag {contact_name},\n\nIhre Bestellung {order_number} ist mit {carrier} "
               "unterwegs (Sendungsnummer {tracking_number}).\n\nMit freundlichen Grüßen,\n"
               "{agent_name}"),
    }),
    "Contract renewal": ("contracts", {
        "en": ("Renewal of contract {contract_number} [{reference}]",
               "Dear {contact_name},\n\nContract {contract_number} ends on {end_date}. We "
               "will send you a renewal proposal.\n\nKind regards,\n{agent_name}"),
        "fr": ("Renouvellement du contrat {contract_number} [{reference}]",
               "Bonjour {contact_name},\n\nLe contrat {contract_number} prend fin le "
               "{end_date}. Nous vous enverrons une proposition de renouvellement.\n\n"
               "Cordialement,\n{agent_name}"),
        "nl": ("Verlenging van contract {contract_number} [{reference}]",
               "Beste {contact_name},\n\nContract {contract_number} loopt af op {end_date}. "
               "Wij bezorgen u een voorstel tot verlenging.\n\nMet vriendelijke groeten,\n"
               "{agent_name}"),
        "de": ("Verlängerung von Vertrag {contract_number} [{reference}]",
               "Guten Tag {contact_name},\n\nder Vertrag {contract_number} endet am "
               "{end_date}. Wir senden Ihnen ein Verlängerungsangebot.\n\n"
               "Mit freundlichen Grüßen,\n{agent_name}"),
    }),
    "More information needed": ("other", {
        "en": ("More information needed [{reference}]",
               "Dear {contact_name},\n\nTo handle your request we need a little more "
               "information. Could you send us your purchase order number?\n\n"
               "Kind regards,\n{agent_name}"),
        "fr": ("Informations complémentaires nécessaires [{reference}]",
               "Bonjour {contact_name},\n\nPour traiter votre demande, il nous faut quelques "
               "informations supplémentaires. Pourriez-vous nous envoyer votre numéro de bon "
               "de commande ?\n\nCordialement,\n{agent_name}"),
        "nl": ("Bijkomende informatie nodig [{reference}]",
               "Beste {contact_name},\n\nOm uw vraag te behandelen hebben wij wat meer "
               "informatie nodig. Kunt u ons uw bestelbonnummer bezorgen?\n\n"
               "Met vriendelijke groeten,\n{agent_name}"),
        "de": ("Weitere Informationen benötigt [{reference}]",
               "Guten Tag {contact_name},\n\num Ihre Anfrage zu bearbeiten, benötigen wir "
               "weitere Angaben. Könnten Sie uns Ihre Bestellnummer senden?\n\n"
               "Mit freundlichen Grüßen,\n{agent_name}"),
    }),
}

NOTIFICATION = {
    "en": ("New invoice {invoice_number}", "Dear {contact_name},\n\nInvoice {invoice_number} "
           "for {amount} is available. Payment reference: {payment_reference}.\n"),
    "fr": ("Nouvelle facture {invoice_number}", "Bonjour {contact_name},\n\nLa facture "
           "{invoice_number} de {amount} est disponible. Communication structurée : "
           "{payment_reference}.\n"),
    "nl": ("Nieuwe factuur {invoice_number}", "Beste {contact_name},\n\nFactuur "
           "{invoice_number} van {amount} staat klaar. Gestructureerde mededeling: "
           "{payment_reference}.\n"),
    "de": ("Neue Rechnung {invoice_number}", "Guten Tag {contact_name},\n\ndie Rechnung "
           "{invoice_number} über {amount} ist verfügbar. Strukturierte Mitteilung: "
           "{payment_reference}.\n"),
}
STATEMENT_BODY = {
    "en": "Dear {contact_name},\n\nPlease find attached the statement of account of "
          "{customer_number}: balance {balance}.\n",
    "fr": "Bonjour {contact_name},\n\nVeuillez trouver en annexe le relevé de compte "
          "{customer_number} : solde {balance}.\n",
    "nl": "Beste {contact_name},\n\nIn bijlage vindt u het rekeningoverzicht van "
          "{customer_number}: saldo {balance}.\n",
    "de": "Guten Tag {contact_name},\n\nanbei erhalten Sie den Kontoauszug "
          "{customer_number}: Saldo {balance}.\n",
}
STATEMENT_SUBJECT = {
    "en": "Statement of account {customer_number}", "fr": "Relevé de compte {customer_number}",
    "nl": "Rekeningoverzicht {customer_number}", "de": "Kontoauszug {customer_number}",
}
