"""Names, places and phrases for Belgian and Luxembourg customers, by language flavour.

A *flavour* is a language plus a country: Flemish (nl), Walloon and Brussels French (fr),
East-Belgian German (de), English-speaking firms in Belgium (en) and Luxembourg (lu, whose
firms write French or German). Lists are tuples so the generator's choices are reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    postal_code: str
    area_code: str  # national trunk code without the 0 (BE) or "" (LU)
    flavour: str


FLAVOUR_COUNTRY = {"nl": "BE", "fr": "BE", "de": "BE", "en": "BE", "lu": "LU"}

CITIES: tuple[City, ...] = (
    # Flanders
    City("Antwerpen", "2000", "3", "nl"), City("Gent", "9000", "9", "nl"),
    City("Brugge", "8000", "50", "nl"), City("Leuven", "3000", "16", "nl"),
    City("Mechelen", "2800", "15", "nl"), City("Hasselt", "3500", "11", "nl"),
    City("Kortrijk", "8500", "56", "nl"), City("Aalst", "9300", "53", "nl"),
    City("Sint-Niklaas", "9100", "3", "nl"), City("Roeselare", "8800", "51", "nl"),
    City("Genk", "3600", "89", "nl"), City("Turnhout", "2300", "14", "nl"),
    City("Oostende", "8400", "59", "nl"), City("Zaventem", "1930", "2", "nl"),
    City("Vilvoorde", "1800", "2", "nl"), City("Lier", "2500", "3", "nl"),
    City("Geel", "2440", "14", "nl"), City("Dendermonde", "9200", "52", "nl"),
    City("Tienen", "3300", "16", "nl"), City("Waregem", "8790", "56", "nl"),
    City("Ieper", "8900", "57", "nl"), City("Lokeren", "9160", "9", "nl"),
    City("Willebroek", "2830", "3", "nl"), City("Herentals", "2200", "14", "nl"),
    # Brussels and Wallonia
    City("Bruxelles", "1000", "2", "fr"), City("Ixelles", "1050", "2", "fr"),
    City("Schaerbeek", "1030", "2", "fr"), City("Anderlecht", "1070", "2", "fr"),
    City("Etterbeek", "1040", "2", "fr"), City("Uccle", "1180", "2", "fr"),
    City("Woluwe-Saint-Lambert", "1200", "2", "fr"), City("Liège", "4000", "4", "fr"),
    City("Namur", "5000", "81", "fr"), City("Charleroi", "6000", "71", "fr"),
    City("Mons", "7000", "65", "fr"), City("Wavre", "1300", "10", "fr"),
    City("Louvain-la-Neuve", "1348", "10", "fr"), City("Tournai", "7500", "69", "fr"),
    City("Verviers", "4800", "87", "fr"), City("Arlon", "6700", "63", "fr"),
    City("Nivelles", "1400", "67", "fr"), City("La Louvière", "7100", "64", "fr"),
    City("Seraing", "4100", "4", "fr"), City("Waterloo", "1410", "2", "fr"),
    City("Mouscron", "7700", "56", "fr"), City("Huy", "4500", "85", "fr"),
    City("Gembloux", "5030", "81", "fr"), City("Bastogne", "6600", "61", "fr"),
    City("Marche-en-Famenne", "6900", "84", "fr"), City("Dinant", "5500", "82", "fr"),
    # East Belgium
    City("Eupen", "4700", "87", "de"), City("Sankt Vith", "4780", "80", "de"),
    City("Kelmis", "4720", "87", "de"), City("Raeren", "4730", "87", "de"),
    City("Bütgenbach", "4750", "80", "de"), City("Büllingen", "4760", "80", "de"),
    City("Lontzen", "4710", "87", "de"), City("Amel", "4770", "80", "de"),
    # Luxembourg
    City("Luxembourg", "L-1150", "", "lu"), City("Luxembourg", "L-2540", "", "lu"),
    City("Esch-sur-Alzette", "L-4170", "", "lu"), City("Differdange", "L-4510", "", "lu"),
    City("Dudelange", "L-3480", "", "lu"), City("Ettelbruck", "L-9050", "", "lu"),
    City("Diekirch", "L-9230", "", "lu"), City("Strassen", "L-8030", "", "lu"),
    City("Bertrange", "L-8070", "", "lu"), City("Mamer", "L-8210", "", "lu"),
    City("Hesperange", "L-5950", "", "lu"), City("Bettembourg", "L-3260", "", "lu"),
    City("Wiltz", "L-9530", "", "lu"), City("Grevenmacher", "L-6720", "", "lu"),
    City("Mersch", "L-7540", "", "lu"), City("Contern", "L-5324", "", "lu"),
    City("Leudelange", "L-3364", "", "lu"), City("Remich", "L-5530", "", "lu"),
)

# English-speaking firms sit where international business does.
EN_CITY_NAMES = ("Bruxelles", "Ixelles", "Etterbeek", "Zaventem", "Antwerpen", "Gent",
                 "Leuven", "Waterloo", "Louvain-la-Neuve", "Mechelen")

STREETS: dict[str, tuple[str, ...]] = {
    "nl": ("Kerkstraat", "Stationsstraat", "Nieuwstraat", "Molenstraat", "Dorpsstraat",
           "Schoolstraat", "Industrieweg", "Kouter", "Grote Markt", "Leopoldlaan",
           "Koningin Astridlaan", "Brusselsesteenweg", "Gentsesteenweg", "Sint-Jansstraat",
           "Kapelstraat", "Ambachtenstraat", "Nijverheidsstraat", "Veldstraat",
           "Vaartdijk", "Havenlaan", "Bedrijvenlaan", "Kleine Ring"),
    "fr": ("Rue de la Station", "Rue Haute", "Avenue Louise", "Chaussée de Namur",
           "Rue du Moulin", "Boulevard d'Avroy", "Place Saint-Lambert", "Rue de l'Industrie",
           "Avenue des Arts", "Rue Royale", "Rue de la Loi", "Chaussée de Wavre",
           "Rue de Fer", "Rue Saint-Gilles", "Avenue de l'Église", "Rue des Écoles",
           "Parc d'activités Créalys", "Rue du Marché", "Boulevard Tirou", "Rue Émile Francqui"),
    "de": ("Hauptstraße", "Kirchstraße", "Bahnhofstraße", "Industriestraße", "Gospertstraße",
           "Aachener Straße", "Klosterstraße", "Neustraße", "Malmedyer Straße",
           "Herbesthaler Straße",
           "Rotenberg", "Hütte", "Vennbahnstraße", "Am Stadion"),
    "en": ("Avenue Louise", "Rue de la Loi", "Boulevard du Souverain", "Leonardo da Vincilaan",
           "Culliganlaan", "Lozenberg", "Corporate Village", "Avenue Marnix", "Kunstlaan",
           "Brucargo", "Ikaroslaan", "Pegasuslaan"),
    "lu": ("rue de la Gare", "route d'Arlon", "boulevard Royal", "avenue de la Liberté",
           "rue de Hollerich", "rue du Fort Wallis", "Grand-Rue", "rue de l'Alzette",
           "avenue John F. Kennedy", "rue Edward Steichen", "Zone d'activités Bourmicht",
           "rue du Puits Romain", "Op der Hei", "Kierchestrooss"),
}

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "nl": ("Jan", "Pieter", "Tom", "Koen", "Bart", "Wim", "Luc", "Dirk", "Stijn", "Jeroen",
           "Thomas", "Lukas", "Maarten", "Kris", "Geert", "Sofie", "An", "Els", "Katrien",
           "Lies", "Sarah", "Emma", "Lotte", "Hanne", "Inge", "Veerle", "Griet", "Evi",
           "Marieke", "Joris", "Wouter", "Sander", "Ruben", "Nele", "Jens", "Ine"),
    "fr": ("Jean", "Pierre", "Marc", "Philippe", "Luc", "Nicolas", "Olivier", "Julien",
           "Antoine", "Maxime", "Laurent", "Michel", "François", "Benoît", "Sébastien",
           "Cédric", "Thierry", "Marie", "Sophie", "Julie", "Isabelle", "Nathalie",
           "Catherine", "Aurélie", "Céline", "Camille", "Manon", "Chloé", "Amélie", "Valérie",
           "Françoise", "Hélène", "Élodie", "Mélanie", "Émilie", "Gaëlle", "Jérôme",
           "Frédéric", "Stéphane", "Noémie"),
    "de": ("Thomas", "Stefan", "Michael", "Andreas", "Jürgen", "Klaus", "Markus", "Matthias",
           "Jörg", "Tobias", "Lukas", "Anna", "Sabine", "Claudia", "Petra", "Monika", "Julia",
           "Katrin", "Birgit", "Jutta", "Bärbel", "Heike", "Lena", "Sören", "Björn", "Günther"),
    "en": ("James", "Oliver", "Daniel", "Michael", "David", "Sarah", "Emily", "Laura",
           "Rachel", "Hannah", "Chris", "Anna", "Peter", "Robert", "Kate", "Priya", "Marta",
           "Lars", "Sean", "Aoife"),
    "lu": ("Jean", "Marc", "Luc", "Paul", "Carlo", "Claude", "Fernand", "Gilles", "Jeff",
           "Pit", "Tom", "Laurent", "Yves", "Christiane", "Josée", "Nathalie", "Anne",
           "Martine", "Sandra", "Michèle", "Carole", "Chantal", "Mireille", "Romain", "Joëlle"),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "nl": ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
           "Wouters", "De Smet", "Vermeulen", "Van den Bossche", "Van Damme", "De Clercq",
           "Hermans", "Michiels", "Lambrechts", "Verstraete", "De Backer", "Coppens", "Aerts",
           "Van de Velde", "Verhoeven", "Martens", "Segers", "Van Dyck", "De Wilde", "Smets",
           "Vandenberghe", "Bogaerts", "Cools", "Claeys", "Wuyts", "Verbruggen", "Van Acker",
           "De Vos", "Van Hoof", "Geerts", "Pauwels", "D'Hondt"),
    "fr": ("Dubois", "Lambert", "Dupont", "Martin", "Simon", "Laurent", "Leclercq", "Dumont",
           "Lemaire", "François", "Renard", "Mathieu", "Lejeune", "Dupré", "Collard", "Gérard",
           "Delhaye", "Lefèvre", "Hubert", "Piron", "Wauthier", "Denis", "Bodart", "Cornet",
           "Delvaux", "Marchal", "Jacquet", "Goffin", "Thiry", "Lecomte", "Noël", "Mercier",
           "Evrard", "Masson", "Charlier", "Rousseau", "Châtelain", "Crèvecœur", "Deprez",
           "Hénin"),
    "de": ("Müller", "Schmitz", "Kessler", "Lenz", "Heinen", "Mertes", "Kohnen", "Cremer",
           "Radermacher", "Jost", "Fickers", "Schröder", "Krings", "Weber", "Becker", "Hoffmann",
           "Schäfer", "Krämer", "Schmidt", "Wagner", "Braun", "Fuchs", "Günther", "Körner",
           "Jäger", "Vogt", "Wöhrle", "Großmann"),
    "en": ("Smith", "Taylor", "O'Brien", "Walsh", "Murphy", "Clarke", "Hughes", "Evans",
           "Patel", "Khan", "Nowak", "Kowalski", "Rossi", "García", "Fernández", "Andersen",
           "Nielsen", "Papadopoulos", "Byrne", "Doyle"),
    "lu": ("Schmit", "Weber", "Muller", "Wagner", "Hoffmann", "Thill", "Reuter", "Kieffer",
           "Schmitz", "Kayser", "Kremer", "Meyer", "Weis", "Steichen", "Hansen", "Schroeder",
           "Becker", "Klein", "Ries", "Majerus", "Goedert", "Theisen", "Wirth", "Feltgen",
           "Pletschette", "Zeimet", "Bettendorf", "Lanners"),
}

# Company-name patterns: {last}, {last2}, {trade}, {city}, {saint}, {form}. The trade lists
# are nouns that read naturally in each pattern.
COMPANY_PATTERNS: dict[str, tuple[str, ...]] = {
    "nl": ("{last} {trade} {form}", "{last} & Zonen {form}", "{trade} {last} {form}",
           "{last} {trade}", "{last}-{last2} {form}", "{last} {trade} {form}"),
    "fr": ("{trade} {last} {form}", "{trade} {last} & Fils", "{last} & Fils {form}",
           "Société Générale de {activity}", "{last} {activity} {form}",
           "{trade} {last}", "Cabinet {last} & Associés"),
    "de": ("{last} {trade} GmbH", "{last} {trade} AG", "{trade} {last}",
           "{last} & Söhne {form}", "{trade} {last} PGmbH"),
    "en": ("{adjective} {noun} {suffix} {form}", "{adjective} {noun} {suffix}",
           "{noun} {suffix} Benelux {form}"),
    "lu": ("{last} & {last2} S.à r.l.", "{trade} {last} S.A.", "{trade} {last} S.à r.l.",
           "{last} {activity} S.A.", "{trade} {last}", "Fiduciaire {last} & Associés S.A."),
}

TRADES: dict[str, tuple[str, ...]] = {
    "nl": ("Logistiek", "Bouw", "Transport", "Techniek", "Elektro", "Accountants", "Advocaten",
           "Verzekeringen", "Drukkerij", "Brouwerij", "Bakkerij", "Garage", "Meubelen",
           "Tuinbouw", "Voeding", "Textiel", "Metaalbouw", "Installaties", "Immo", "Consult",
           "Medical", "Dakwerken", "Schrijnwerkerij", "Koeltechniek", "Verpakkingen"),
    "fr": ("Brasserie", "Imprimerie", "Boulangerie", "Garage", "Menuiserie", "Transports",
           "Pharmacie", "Atelier", "Électricité", "Chauffage", "Quincaillerie", "Librairie",
           "Laboratoire", "Fromagerie", "Carrosserie", "Pâtisserie", "Toiture", "Bureau"),
    "de": ("Technik", "Bau", "Logistik", "Autohaus", "Druckerei", "Elektro", "Bäckerei",
           "Schreinerei", "Möbelhaus", "Metallbau", "Landtechnik", "Heizungsbau", "Gärtnerei"),
    "lu": ("Brasserie", "Garage", "Transports", "Boulangerie", "Fiduciaire", "Menuiserie",
           "Électricité", "Imprimerie", "Bäckerei", "Elektro", "Immobilière", "Pharmacie"),
}

ACTIVITIES: dict[str, tuple[str, ...]] = {
    "fr": ("Logistique", "Construction", "Services Informatiques", "Distribution",
           "Maintenance Industrielle", "Nettoyage", "Sécurité", "Conseil", "Matériaux",
           "Génie Climatique", "Télécommunications"),
    "lu": ("Consulting", "Immobilier", "Finance", "Logistique", "Services", "Gestion",
           "Technologies", "Ingénierie"),
}

LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "nl": ("NV", "BV", "BV", "CV", "BVBA"),
    "fr": ("SA", "SRL", "SRL", "SC", "SPRL"),
    "de": ("GmbH", "AG", "PGmbH", "KG"),
    "en": ("NV", "SA", "BV", "SRL"),
    "lu": ("S.A.", "S.à r.l.", "SCS"),
}

EN_ADJECTIVES = ("Benelux", "Northgate", "Atlas", "Meridian", "Harbour", "Summit", "Bluewater",
                 "Crossroads", "Evergreen", "Silverline", "Keystone", "Riverside", "Polaris",
                 "Orion", "Beacon", "Cornerstone")
EN_NOUNS = ("Cloud", "Data", "Freight", "Pharma", "Policy", "Analytics", "Media", "Energy",
            "Biotech", "Aviation", "Trading", "Shipping", "Engineering", "Legal", "Insurance")
EN_SUFFIXES = ("Partners", "Services", "Solutions", "Group", "Consulting", "Institute",
               "Associates", "Logistics", "Systems", "Labs")

SAINTS = ("Jan", "Jozef", "Lucas", "Elisabeth", "Vincentius", "Augustinus", "Maarten", "Rembert")
SAINTS_FR = ("Luc", "Joseph", "Pierre", "Elisabeth", "Vincent", "Nicolas", "Michel", "Anne")

# Public-sector bodies by flavour; {city} is filled with a city of the same flavour.
PUBLIC_BODIES: dict[str, tuple[str, ...]] = {
    "nl": ("Stad {city}", "Gemeente {city}", "OCMW {city}", "AZ Sint-{saint} {city}",
           "Hogeschool {city}", "Politiezone {city}", "Stedelijk Onderwijs {city}"),
    "fr": ("Ville de {city}", "Commune de {city}", "CPAS de {city}",
           "Clinique Saint-{saint_fr} {city}", "Haute École de {city}", "Zone de police {city}"),
    "de": ("Gemeinde {city}", "ÖSHZ {city}", "Klinik St. Josef {city}",
           "Autonome Hochschule {city}"),
    "en": ("European School {city}", "International Policy Centre {city}"),
    "lu": ("Ville de {city}", "Commune de {city}", "Centre Hospitalier {city}",
           "Lycée Technique {city}", "Office social {city}"),
}

SITE_NAMES: dict[str, tuple[str, ...]] = {
    "nl": ("Hoofdzetel", "Magazijn", "Productie", "Kantoor {city}", "Distributiecentrum",
           "Werkplaats", "Filiaal {city}"),
    "fr": ("Siège social", "Entrepôt", "Atelier", "Bureau de {city}", "Centre logistique",
           "Agence {city}", "Dépôt"),
    "de": ("Hauptsitz", "Lager", "Werkstatt", "Büro {city}", "Niederlassung {city}"),
    "en": ("Head office", "Warehouse", "Data centre", "Office {city}", "Lab", "Branch {city}"),
    "lu": ("Siège social", "Entrepôt", "Agence {city}", "Bureau {city}", "Lager"),
}

# Flavour -> (language weights for the customer, language codes); Luxembourg firms write
# French or German, some English.
CUSTOMER_LANGUAGES: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "nl": (("nl",), (1,)),
    "fr": (("fr",), (1,)),
    "de": (("de",), (1,)),
    "en": (("en",), (1,)),
    "lu": (("fr", "de", "en"), (55, 30, 15)),
}

# How often each flavour occurs among customers.
FLAVOUR_WEIGHTS = (("nl", 48), ("fr", 30), ("de", 3), ("en", 5), ("lu", 14))
