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
    # Luxembourg: postcodes belong to streets, see LU_ADDRESSES; this is the locality's first.
    City("Luxembourg", "L-1150", "", "lu"), City("Esch-sur-Alzette", "L-4170", "", "lu"),
    City("Differdange", "L-4620", "", "lu"), City("Dudelange", "L-3440", "", "lu"),
    City("Ettelbruck", "L-9050", "", "lu"), City("Diekirch", "L-9240", "", "lu"),
    City("Strassen", "L-8008", "", "lu"), City("Bertrange", "L-8070", "", "lu"),
    City("Mamer", "L-8210", "", "lu"), City("Hesperange", "L-5885", "", "lu"),
    City("Bettembourg", "L-3236", "", "lu"), City("Wiltz", "L-9530", "", "lu"),
    City("Grevenmacher", "L-6793", "", "lu"), City("Mersch", "L-7535", "", "lu"),
    City("Contern", "L-5324", "", "lu"), City("Leudelange", "L-3372", "", "lu"),
    City("Remich", "L-5531", "", "lu"),
)

# English-speaking firms sit where international business does.
EN_CITY_NAMES = ("Bruxelles", "Ixelles", "Etterbeek", "Zaventem", "Antwerpen", "Gent",
                 "Leuven", "Waterloo", "Louvain-la-Neuve", "Mechelen")

# Streets of each Belgian city (real streets of that municipality).
BE_STREETS: dict[str, tuple[str, ...]] = {
    "Antwerpen": ("Meir", "Frankrijklei", "Italiëlei", "Noorderlaan", "Mechelsesteenweg",
                  "Lange Gasthuisstraat", "Kipdorp", "Jan Van Rijswijcklaan"),
    "Gent": ("Kouter", "Veldstraat", "Korenmarkt", "Kortrijksesteenweg", "Brabantdam",
             "Coupure Links", "Sint-Pietersnieuwstraat", "Voskenslaan"),
    "Brugge": ("Steenstraat", "Markt", "Noordzandstraat", "Gistelse Steenweg", "Vlamingstraat",
               "Sint-Jakobsstraat"),
    "Leuven": ("Bondgenotenlaan", "Diestsestraat", "Tiensestraat", "Naamsestraat",
               "Brusselsestraat", "Martelarenplein"),
    "Mechelen": ("Bruul", "IJzerenleen", "Onze-Lieve-Vrouwestraat", "Guido Gezellelaan"),
    "Hasselt": ("Demerstraat", "Kempische Steenweg", "Grote Markt", "Kuringersteenweg",
                "Hoogstraat"),
    "Kortrijk": ("Lange Steenstraat", "Doorniksestraat", "Meensesteenweg",
                 "President Kennedypark", "Grote Markt"),
    "Aalst": ("Nieuwstraat", "Grote Markt", "Gentsesteenweg", "Kattestraat"),
    "Sint-Niklaas": ("Grote Markt", "Stationsstraat", "Ankerstraat", "Parklaan"),
    "Roeselare": ("Ooststraat", "Noordstraat", "Meensesteenweg", "Brugsesteenweg"),
    "Genk": ("Hasseltweg", "Europalaan", "Stalenstraat", "Vennestraat"),
    "Turnhout": ("Gasthuisstraat", "Grote Markt", "Steenweg op Gierle", "Otterstraat"),
    "Oostende": ("Kapellestraat", "Christinastraat", "Torhoutsesteenweg",
                 "Nieuwpoortsesteenweg"),
    "Zaventem": ("Leuvensesteenweg", "Vilvoordelaan", "Hector Henneaulaan", "Weiveldlaan"),
    "Vilvoorde": ("Leuvensestraat", "Grote Markt", "Schaarbeeklei", "Medialaan"),
    "Lier": ("Antwerpsestraat", "Kartuizersvest", "Kesselsesteenweg"),
    "Geel": ("Markt", "Pas", "Nieuwstraat", "Kleinhoefstraat"),
    "Dendermonde": ("Grote Markt", "Oude Vest", "Noordlaan", "Brusselsestraat"),
    "Tienen": ("Grote Markt", "Leuvenselaan", "Sint-Truidensesteenweg"),
    "Waregem": ("Markt", "Stationsstraat", "Zuiderlaan"),
    "Ieper": ("Grote Markt", "Meensestraat", "Boterstraat", "Rijselsestraat"),
    "Lokeren": ("Markt", "Roomstraat", "Zelebaan"),
    "Willebroek": ("Dendermondsesteenweg", "August Van Landeghemstraat"),
    "Herentals": ("Grote Markt", "Zandstraat", "Lierseweg", "Belgiëlaan"),
    "Bruxelles": ("Rue de la Loi", "Rue Royale", "Boulevard Anspach", "Rue Neuve",
                  "Boulevard du Régent", "Avenue des Arts"),
    "Ixelles": ("Chaussée d'Ixelles", "Avenue de la Couronne", "Chaussée de Boondael",
                "Rue du Bailli"),
    "Schaerbeek": ("Chaussée de Haecht", "Avenue Louis Bertrand", "Boulevard Lambermont",
                   "Place Colignon"),
    "Anderlecht": ("Chaussée de Mons", "Boulevard Industriel", "Rue Wayez", "Route de Lennik"),
    "Etterbeek": ("Avenue d'Auderghem", "Chaussée de Wavre", "Avenue de Tervueren",
                  "Place Jourdan"),
    "Uccle": ("Chaussée d'Alsemberg", "Avenue Brugmann", "Chaussée de Waterloo",
              "Rue Vanderkindere"),
    "Woluwe-Saint-Lambert": ("Boulevard Brand Whitlock", "Avenue Paul Hymans",
                             "Avenue de Broqueville", "Avenue Marcel Thiry"),
    "Liège": ("Boulevard d'Avroy", "Place Saint-Lambert", "Rue Féronstrée",
              "Boulevard de la Sauvenière", "Quai de Rome", "Rue Saint-Gilles"),
    "Namur": ("Rue de Fer", "Rue de l'Ange", "Chaussée de Louvain", "Place d'Armes"),
    "Charleroi": ("Boulevard Tirou", "Boulevard Audent", "Rue de la Montagne",
                  "Quai de Brabant"),
    "Mons": ("Grand-Place", "Rue de Nimy", "Rue de la Chaussée", "Boulevard Dolez"),
    "Wavre": ("Rue Haute", "Chaussée de Bruxelles", "Chaussée de Louvain", "Avenue Lavoisier"),
    "Louvain-la-Neuve": ("Place de l'Université", "Grand-Place", "Avenue Albert Einstein",
                         "Place des Sciences"),
    "Tournai": ("Grand-Place", "Rue Royale", "Rue de la Tête d'Or"),
    "Verviers": ("Place Verte", "Rue Spintay", "Rue du Brou", "Crapaurue"),
    "Arlon": ("Grand-Rue", "Place Léopold", "Avenue de Longwy"),
    "Nivelles": ("Grand-Place", "Rue de Namur", "Rue de Charleroi"),
    "La Louvière": ("Rue Albert Ier", "Place Maugrétout"),
    "Seraing": ("Rue Cockerill", "Rue du Pairay"),
    "Waterloo": ("Chaussée de Bruxelles", "Chaussée de Tervuren", "Drève Richelle"),
    "Mouscron": ("Grand-Place", "Rue de Tourcoing"),
    "Huy": ("Grand-Place", "Avenue des Fossés", "Quai Dautrebande"),
    "Gembloux": ("Grand-Rue", "Place de l'Orneau", "Avenue de la Faculté d'Agronomie"),
    "Bastogne": ("Place McAuliffe", "Rue du Sablon", "Rue Pierre Thomas"),
    "Marche-en-Famenne": ("Place aux Foires", "Avenue de France", "Rue Porte Basse"),
    "Dinant": ("Rue Grande", "Place Reine Astrid", "Avenue Franchet d'Espèrey"),
    "Eupen": ("Gospertstraße", "Aachener Straße", "Klötzerbahn", "Herbesthaler Straße",
              "Rathausplatz"),
    "Sankt Vith": ("Hauptstraße", "Malmedyer Straße", "Klosterstraße"),
    "Kelmis": ("Kirchstraße", "Lütticher Straße", "Parkstraße"),
    "Raeren": ("Hauptstraße", "Bahnhofstraße"),
    "Bütgenbach": ("Hauptstraße", "Marktplatz"),
    "Büllingen": ("Hauptstraße",),
    "Lontzen": ("Kirchstraße",),
    "Amel": ("Auf dem Kamp",),
}

# Luxembourg postcodes are given per street: (locality, street, postcode).
LU_ADDRESSES: dict[str, tuple[tuple[str, str], ...]] = {
    "Luxembourg": (("route d'Arlon", "L-1150"), ("boulevard Royal", "L-2449"),
                   ("avenue John F. Kennedy", "L-1855"), ("boulevard de Kockelscheuer", "L-1821"),
                   ("rue Gerhard Mercator", "L-2182"), ("avenue de la Liberté", "L-1930"),
                   ("rue de Hollerich", "L-1741")),
    "Esch-sur-Alzette": (("boulevard J.F. Kennedy", "L-4170"), ("rue de l'Alzette", "L-4011")),
    "Differdange": (("rue Émile Mark", "L-4620"),),
    "Dudelange": (("avenue Grande-Duchesse Charlotte", "L-3440"),),
    "Ettelbruck": (("Grand-Rue", "L-9050"),),
    "Diekirch": (("Grand-Rue", "L-9240"),),
    "Strassen": (("route d'Arlon", "L-8008"),),
    "Bertrange": (("rue du Puits Romain", "L-8070"),),
    "Mamer": (("route d'Arlon", "L-8210"),),
    "Hesperange": (("route de Thionville", "L-5885"),),
    "Bettembourg": (("route de Luxembourg", "L-3236"),),
    "Wiltz": (("Grand-Rue", "L-9530"),),
    "Grevenmacher": (("route de Trèves", "L-6793"),),
    "Mersch": (("rue de la Gare", "L-7535"),),
    "Contern": (("rue des Chaux", "L-5324"),),
    "Leudelange": (("Am Bann", "L-3372"),),
    "Remich": (("route de l'Europe", "L-5531"),),
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
           "Desmet", "Verheyen", "Dewaele", "Timmermans", "Schepers", "Baert", "Bauwens",
           "Beckers", "Bosmans", "Buysse", "Callens", "Cornelis", "Dierickx", "Engels", "Francken",
           "Govaerts", "Hendrickx", "Joris", "Kerckhofs", "Lemmens", "Luyten", "Moens", "Nijs",
           "Op de Beeck", "Raes", "Roels", "Stevens", "Thys", "Van Aken", "Van Camp", "Vanhove",
           "Verbeke", "Verlinden", "Vermeiren", "Wauters", "Wijns", "Willaert", "Goris",
           "Huysmans", "Nuyts", "Sterckx", "De Vos", "Van Hoof", "Geerts", "Pauwels", "D'Hondt"),
    "fr": ("Dubois", "Lambert", "Dupont", "Martin", "Simon", "Laurent", "Leclercq", "Dumont",
           "Lemaire", "François", "Renard", "Mathieu", "Lejeune", "Dupré", "Collard", "Gérard",
           "Delhaye", "Lefèvre", "Hubert", "Piron", "Wauthier", "Denis", "Bodart", "Cornet",
           "Delvaux", "Marchal", "Jacquet", "Goffin", "Thiry", "Lecomte", "Noël", "Mercier",
           "Leroy", "Lefebvre", "Lemoine", "Dethier", "Collignon", "Detry", "Dubuisson",
           "Fontaine", "Gilson", "Henrard", "Jacob", "Lallemand", "Lambotte", "Leblanc",
           "Legrand", "Lhoest", "Mahieu", "Michaux", "Pirard", "Pirotte", "Poncelet", "Remacle",
           "Servais", "Stassen", "Toussaint", "Warnier", "Wilmotte", "Bertrand", "Baudoin",
           "Closset", "Delcourt", "Gillet", "Evrard", "Masson", "Charlier", "Rousseau", "Châtelain",
           "Crèvecœur", "Deprez",
           "Hénin"),
    "de": ("Müller", "Schmitz", "Kessler", "Lenz", "Heinen", "Mertes", "Kohnen", "Cremer",
           "Radermacher", "Jost", "Fickers", "Schröder", "Krings", "Weber", "Becker", "Hoffmann",
           "Schäfer", "Krämer", "Schmidt", "Wagner", "Braun", "Fuchs", "Günther", "Körner",
           "Maraite", "Hilgers", "Pauels", "Kever", "Rauw", "Thunus", "Genten",
           "Offermann", "Brüll", "Heck", "Keutgen", "Klinkenberg", "Lambertz", "Mockel", "Nelles",
           "Pankert", "Reinertz", "Scholzen", "Jäger", "Vogt", "Wöhrle", "Großmann"),
    "en": ("Smith", "Taylor", "O'Brien", "Walsh", "Murphy", "Clarke", "Hughes", "Evans",
           "Patel", "Khan", "Nowak", "Kowalski", "Rossi", "García", "Fernández", "Andersen",
           "Nielsen", "Papadopoulos", "Byrne", "Doyle"),
    "lu": ("Schmit", "Weber", "Muller", "Wagner", "Hoffmann", "Thill", "Reuter", "Kieffer",
           "Schmitz", "Kayser", "Kremer", "Meyer", "Weis", "Steichen", "Hansen", "Schroeder",
           "Becker", "Klein", "Ries", "Majerus", "Goedert", "Theisen", "Wirth", "Feltgen",
           "Schiltz", "Frisch", "Biver", "Bausch", "Clement", "Diederich", "Ernster",
           "Flammang", "Gengler", "Hermes", "Jacoby", "Kirsch", "Linster", "Molitor", "Nilles",
           "Olinger", "Pauly", "Reding", "Thinnes", "Urbany", "Wagener", "Welter", "Zenner",
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

# The same with the firm's town, as many Belgian firms are known.
CITY_PATTERNS: dict[str, tuple[str, ...]] = {
    "nl": ("{last} {trade} {city}", "{trade} {last} {city}", "{last} & Zonen {city}"),
    "fr": ("{trade} {last} {city}", "{last} {activity} {city}", "{trade} {last} & Fils {city}"),
    "de": ("{trade} {last} {city}", "{last} {trade} {city}"),
    "en": ("{adjective} {noun} {city}", "{adjective} {suffix} {city}"),
    "lu": ("{trade} {last} {city}", "{last} {activity} {city}"),
}

TRADES: dict[str, tuple[str, ...]] = {
    "nl": ("Logistiek", "Bouw", "Transport", "Techniek", "Elektro", "Accountants", "Advocaten",
           "Verzekeringen", "Drukkerij", "Brouwerij", "Bakkerij", "Garage", "Meubelen",
           "Tuinbouw", "Voeding", "Textiel", "Metaalbouw", "Installaties", "Immo", "Consult",
           "Medical", "Tegels", "Sanitair", "Schilderwerken", "Vloeren", "Glas",
           "Kantoorinrichting",
           "Informatica", "Machinebouw", "Houthandel", "Staalbouw", "Keukens", "Zonwering",
           "Isolatie", "Catering", "Dakwerken", "Schrijnwerkerij", "Koeltechniek", "Verpakkingen"),
    "fr": ("Brasserie", "Imprimerie", "Boulangerie", "Garage", "Menuiserie", "Transports",
           "Pharmacie", "Atelier", "Électricité", "Chauffage", "Quincaillerie", "Librairie",
           "Sanitaires", "Peinture", "Vitrerie", "Informatique", "Charpente", "Mécanique",
           "Cuisines", "Traiteur", "Serrurerie", "Jardinerie", "Laboratoire", "Fromagerie",
           "Carrosserie", "Pâtisserie", "Toiture", "Bureau"),
    "de": ("Technik", "Bau", "Logistik", "Autohaus", "Druckerei", "Elektro", "Bäckerei",
           "Fliesen", "Sanitär", "Malerbetrieb", "Dachdeckerei", "Informatik", "Maschinenbau",
           "Holzhandel", "Küchen", "Glaserei", "Schreinerei", "Möbelhaus", "Metallbau",
           "Landtechnik", "Heizungsbau", "Gärtnerei"),
    "lu": ("Brasserie", "Garage", "Transports", "Boulangerie", "Fiduciaire", "Menuiserie",
           "Toitures", "Sanitaires", "Informatique", "Peinture", "Chauffage", "Vitrerie",
           "Traiteur", "Serrurerie", "Électricité", "Imprimerie", "Bäckerei", "Elektro",
           "Immobilière", "Pharmacie"),
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
                 "Orion", "Beacon", "Cornerstone", "Lighthouse", "Northstar", "Granite", "Vantage",
                 "Pioneer", "Horizon", "Sterling", "Compass", "Redwood", "Highland", "Clearwater",
                 "Blueprint", "Ironbridge", "Westgate", "Eastbridge", "Oakfield")
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
    "en": ("European School {city}", "International Policy Centre {city}",
           "European Research Centre {city}", "International Institute {city}",
           "European Agency Office {city}", "International Hospital {city}"),
    "lu": ("Ville de {city}", "Commune de {city}", "Centre Hospitalier {city}",
           "Lycée Technique {city}", "Office social {city}"),
}

# Schools and care homes are the bulk of public customers; {school} is one of these names.
SCHOOL_NAMES = ("De Regenboog", "De Klimtoren", "De Zonnebloem", "'t Kofschip", "De Vlinder",
                "De Wingerd", "De Horizon", "De Linde", "Het Kompas", "De Boomgaard",
                "De Sleutel", "Klavertje Vier", "De Kleine Wereld", "De Notelaar", "Het Anker")
SCHOOL_NAMES_FR = ("Les Tilleuls", "Le Petit Prince", "Les Coccinelles", "La Ruche",
                   "Les Aubépines", "Le Chêne", "Les Marronniers", "La Sapinière", "Les Érables",
                   "Le Tournesol", "Les Glycines", "La Source")
PUBLIC_SCHOOLS: dict[str, tuple[str, ...]] = {
    "nl": ("Basisschool {school} {city}", "Vrije Basisschool {school} {city}",
           "Woonzorgcentrum {school} {city}", "Sint-{saint}sinstituut {city}",
           "Sint-{saint}scollege {city}", "Kinderdagverblijf {school} {city}"),
    "fr": ("École fondamentale {school_fr} {city}", "Institut Saint-{saint_fr} {city}",
           "Collège Saint-{saint_fr} {city}", "Maison de repos {school_fr} {city}",
           "Crèche {school_fr} {city}"),
    "de": ("Gemeindeschule {city}", "Pater-Damian-Schule {city}", "Seniorenheim {city}"),
    "en": ("International School {city}", "European Policy Institute {city}"),
    "lu": ("École fondamentale {school_fr} {city}", "Maison relais {school_fr} {city}",
           "Maison de soins {school_fr} {city}"),
}
# Departments of a city or body that buy, and are invoiced, on their own.
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "nl": ("Dienst ICT", "Onderwijs", "Sportdienst", "Cultuurdienst", "Bibliotheek",
           "Burgerzaken", "Financiële dienst", "Facilitaire dienst", "Jeugddienst",
           "Personeelsdienst", "Technische dienst"),
    "fr": ("Service informatique", "Enseignement", "Service des sports", "Service culture",
           "Bibliothèque", "Population", "Finances", "Travaux", "Jeunesse",
           "Ressources humaines"),
    "de": ("IT-Abteilung", "Unterrichtswesen", "Sportdienst", "Bibliothek", "Finanzen",
           "Bauhof"),
    "en": ("IT department", "Facilities", "Library", "Finance", "Procurement",
           "Human Resources", "Admissions", "Student Services", "Research Office",
           "Communications", "Estates", "Legal Service", "Language Centre",
           "Science Department", "Sports Centre", "Conference Services"),
    "lu": ("Service informatique", "Enseignement", "Service des sports", "Bibliothèque",
           "Finances", "Service technique"),
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
