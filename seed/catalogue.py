"""What the vendor sells: hardware (serialised, with warranty), software, support packs and
services. Prices are list prices in cents, excluding VAT."""

from __future__ import annotations

from dataclasses import dataclass

from seed.rows import ProductRow, Row


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name: str
    category: str
    unit_price_cents: int
    warranty_months: int
    vendor_code: str  # "" when not serialised
    popularity: int  # relative weight when picking order lines
    max_quantity: int
    reduced_vat: bool = False  # printed matter: 6 % in Belgium, 3 % in Luxembourg

    @property
    def is_serialized(self) -> bool:
        return bool(self.vendor_code)


_P = Product
PRODUCTS: tuple[Product, ...] = (
    _P(1, "SRV-DL-R660", "Dell PowerEdge R660 rack server", "server", 689000, 36, "DL", 2, 2),
    _P(2, "SRV-DL-R760", "Dell PowerEdge R760 rack server", "server", 945000, 36, "DL", 1, 2),
    _P(3, "SRV-HP-DL380", "HPE ProLiant DL380 Gen11 server", "server", 879000, 36, "HP", 2, 2),
    _P(4, "SRV-HP-ML110", "HPE ProLiant ML110 Gen11 tower server", "server", 219000, 36, "HP",
       2, 2),
    _P(5, "SRV-LN-SR650", "Lenovo ThinkSystem SR650 V3 server", "server", 812000, 36, "LN", 1,
       2),
    _P(6, "STO-SY-DS923", "Synology DiskStation DS923+ NAS", "storage", 69900, 36, "SY", 3, 2),
    _P(7, "STO-NA-A250", "NetApp AFF A250 storage array", "storage", 2450000, 36, "NA", 1, 1),
    _P(8, "STO-DL-ME5", "Dell PowerVault ME5012 storage", "storage", 1190000, 36, "DL", 1, 1),
    _P(9, "LAP-LN-T14", "Lenovo ThinkPad T14 Gen 5", "laptop", 139900, 36, "LN", 12, 25),
    _P(10, "LAP-LN-X1", "Lenovo ThinkPad X1 Carbon Gen 12", "laptop", 219900, 36, "LN", 5, 10),
    _P(11, "LAP-HP-840", "HP EliteBook 840 G11", "laptop", 149900, 36, "HP", 10, 25),
    _P(12, "LAP-DL-5450", "Dell Latitude 5450", "laptop", 124900, 36, "DL", 10, 25),
    _P(13, "LAP-AP-MBA", "Apple MacBook Air 13-inch M3", "laptop", 129900, 12, "AP", 4, 10),
    _P(14, "DSK-HP-800", "HP Elite Mini 800 G9", "desktop", 89900, 36, "HP", 5, 20),
    _P(15, "DSK-DL-7020", "Dell OptiPlex 7020 Micro", "desktop", 84900, 36, "DL", 5, 20),
    _P(16, "DSK-LN-M70Q", "Lenovo ThinkCentre M70q Gen 5", "desktop", 79900, 36, "LN", 4, 20),
    _P(17, "MON-DL-P2425", "Dell P2425H 24-inch monitor", "monitor", 21900, 36, "DL", 12, 30),
    _P(18, "MON-LG-27UP", "LG 27UP850 27-inch 4K monitor", "monitor", 44900, 24, "LG", 6, 20),
    _P(19, "MON-PH-346", "Philips 346B1C 34-inch curved monitor", "monitor", 52900, 36, "PH",
       3, 10),
    _P(20, "NET-CS-9200", "Cisco Catalyst 9200L-24P switch", "network", 289000, 60, "CS", 3, 6),
    _P(21, "NET-CS-C1111", "Cisco ISR C1111-8P router", "network", 119000, 12, "CS", 2, 3),
    _P(22, "NET-AR-AP515", "Aruba AP-515 wireless access point", "network", 59900, 60, "AR", 4,
       12),
    _P(23, "NET-FG-60F", "Fortinet FortiGate 60F firewall", "network", 79900, 12, "FG", 3, 3),
    _P(24, "NET-UB-USW48", "Ubiquiti UniFi Switch Pro 48 PoE", "network", 139900, 24, "UB", 2,
       4),
    _P(25, "PRN-HP-M611", "HP LaserJet Enterprise M611dn printer", "printer", 89900, 12, "HP",
       4, 3),
    _P(26, "PRN-KY-2554", "Kyocera TASKalfa 2554ci A3 MFP", "printer", 459000, 36, "KY", 2, 2),
    _P(27, "PRN-BR-L8900", "Brother MFC-L8900CDW colour MFP", "printer", 69900, 36, "BR", 3, 3),
    _P(28, "PRN-CN-C3826", "Canon imageRUNNER ADVANCE DX C3826i", "printer", 529000, 36, "CN",
       1, 2),
    _P(29, "UPS-AP-1500", "APC Smart-UPS 1500VA", "ups", 79900, 24, "AC", 3, 4),
    _P(30, "PHN-YL-T54W", "Yealink T54W desk phone", "phone", 18900, 24, "YL", 4, 30),
    _P(31, "DOC-DL-WD22", "Dell WD22TB4 Thunderbolt dock", "accessory", 29900, 36, "DL", 6,
       25),
    _P(32, "ACC-LG-MXKEYS", "Logitech MX Keys and MX Master 3S combo", "accessory", 18900, 12,
       "", 8, 30),
    _P(33, "ACC-CAT6-2M", "Cat 6 patch cable 2 m (10-pack)", "accessory", 2490, 0, "", 8, 40),
    _P(34, "ACC-HP-147X", "HP 147X black toner cartridge", "accessory", 31900, 0, "", 8, 12),
    _P(35, "ACC-SS-990P1", "Samsung 990 PRO 1 TB NVMe SSD", "accessory", 14900, 60, "", 4, 20),
    _P(36, "SW-MS-365BP", "Microsoft 365 Business Premium, 1 user, 1 year", "software", 26400,
       0, "", 12, 150),
    _P(37, "SW-MS-WS22", "Windows Server 2022 Standard, 16 cores", "software", 109900, 0, "",
       3, 4),
    _P(38, "SW-MS-CAL", "Windows Server 2022 user CAL", "software", 4900, 0, "", 4, 100),
    _P(39, "SW-VM-VVF", "VMware vSphere Foundation, per core, 1 year", "software", 19500, 0,
       "", 2, 64),
    _P(40, "SW-VE-VDP10", "Veeam Data Platform Foundation, 10 instances, 1 year", "software",
       149000, 0, "", 2, 3),
    _P(41, "SW-AD-ACRO", "Adobe Acrobat Pro, 1 user, 1 year", "software", 23900, 0, "", 5, 40),
    _P(42, "SW-ES-PROT", "ESET PROTECT Advanced, per seat, 1 year", "software", 4900, 0, "", 5,
       150),
    _P(43, "SUP-NBD-3Y", "3-year next-business-day on-site support pack", "support", 39900, 0,
       "", 6, 10),
    _P(44, "SUP-4H-3Y", "3-year 4-hour mission-critical support pack", "support", 129000, 0,
       "", 2, 4),
    _P(45, "SVC-INST-DAY", "Installation and configuration, engineer day", "service", 89000, 0,
       "", 5, 5),
    _P(46, "SVC-REMOTE-H", "Remote technical support, per hour", "service", 11500, 0, "", 5,
       16),
    _P(47, "SVC-MIGR", "Data migration service, per device", "service", 14900, 0, "", 3, 30),
    _P(48, "SVC-RECYCLE", "Collection and certified recycling, per device", "service", 3500, 0,
       "", 3, 30),
    _P(49, "DOC-ADMIN-GD", "Printed administrator's guide", "documentation", 4900, 0, "", 1, 5,
       reduced_vat=True),
)

INSTALLABLE: tuple[Product, ...] = tuple(p for p in PRODUCTS if p.is_serialized)


def product_rows() -> list[Row]:
    return [
        ProductRow(id=p.id, sku=p.sku, name=p.name, category=p.category,
                   unit_price_cents=p.unit_price_cents, warranty_months=p.warranty_months,
                   is_serialized=p.is_serialized)
        for p in PRODUCTS
    ]


# The catalogue's names in the customer's language (brands and models stay as they are).
# English is ``Product.name``.
NAMES: dict[str, tuple[str, str, str]] = {
    # sku: (nl, fr, de)
    "SRV-DL-R660": ("Dell PowerEdge R660 rackserver", "Serveur rack Dell PowerEdge R660",
                    "Dell PowerEdge R660 Rack-Server"),
    "SRV-DL-R760": ("Dell PowerEdge R760 rackserver", "Serveur rack Dell PowerEdge R760",
                    "Dell PowerEdge R760 Rack-Server"),
    "SRV-HP-DL380": ("HPE ProLiant DL380 Gen11 server", "Serveur HPE ProLiant DL380 Gen11",
                     "HPE ProLiant DL380 Gen11 Server"),
    "SRV-HP-ML110": ("HPE ProLiant ML110 Gen11 towerserver",
                     "Serveur tour HPE ProLiant ML110 Gen11",
                     "HPE ProLiant ML110 Gen11 Tower-Server"),
    "SRV-LN-SR650": ("Lenovo ThinkSystem SR650 V3 server",
                     "Serveur Lenovo ThinkSystem SR650 V3", "Lenovo ThinkSystem SR650 V3 Server"),
    "STO-SY-DS923": ("Synology DiskStation DS923+ NAS", "NAS Synology DiskStation DS923+",
                     "Synology DiskStation DS923+ NAS"),
    "STO-NA-A250": ("NetApp AFF A250 opslagsysteem", "Baie de stockage NetApp AFF A250",
                    "NetApp AFF A250 Speichersystem"),
    "STO-DL-ME5": ("Dell PowerVault ME5012 opslag", "Stockage Dell PowerVault ME5012",
                   "Dell PowerVault ME5012 Speicher"),
    "LAP-LN-T14": ("Lenovo ThinkPad T14 Gen 5", "Lenovo ThinkPad T14 Gen 5",
                   "Lenovo ThinkPad T14 Gen 5"),
    "LAP-LN-X1": ("Lenovo ThinkPad X1 Carbon Gen 12", "Lenovo ThinkPad X1 Carbon Gen 12",
                  "Lenovo ThinkPad X1 Carbon Gen 12"),
    "LAP-HP-840": ("HP EliteBook 840 G11", "HP EliteBook 840 G11", "HP EliteBook 840 G11"),
    "LAP-DL-5450": ("Dell Latitude 5450", "Dell Latitude 5450", "Dell Latitude 5450"),
    "LAP-AP-MBA": ("Apple MacBook Air 13 inch M3", "Apple MacBook Air 13 pouces M3",
                   "Apple MacBook Air 13 Zoll M3"),
    "DSK-HP-800": ("HP Elite Mini 800 G9", "HP Elite Mini 800 G9", "HP Elite Mini 800 G9"),
    "DSK-DL-7020": ("Dell OptiPlex 7020 Micro", "Dell OptiPlex 7020 Micro",
                    "Dell OptiPlex 7020 Micro"),
    "DSK-LN-M70Q": ("Lenovo ThinkCentre M70q Gen 5", "Lenovo ThinkCentre M70q Gen 5",
                    "Lenovo ThinkCentre M70q Gen 5"),
    "MON-DL-P2425": ("Dell P2425H 24 inch monitor", "Écran Dell P2425H 24 pouces",
                     "Dell P2425H 24-Zoll-Monitor"),
    "MON-LG-27UP": ("LG 27UP850 27 inch 4K-monitor", "Écran 4K LG 27UP850 27 pouces",
                    "LG 27UP850 27-Zoll-4K-Monitor"),
    "MON-PH-346": ("Philips 346B1C 34 inch gebogen monitor", "Écran incurvé Philips 346B1C "
                   "34 pouces", "Philips 346B1C 34-Zoll-Curved-Monitor"),
    "NET-CS-9200": ("Cisco Catalyst 9200L-24P switch", "Switch Cisco Catalyst 9200L-24P",
                    "Cisco Catalyst 9200L-24P Switch"),
    "NET-CS-C1111": ("Cisco ISR C1111-8P router", "Routeur Cisco ISR C1111-8P",
                     "Cisco ISR C1111-8P Router"),
    "NET-AR-AP515": ("Aruba AP-515 draadloos toegangspunt", "Point d'accès sans fil Aruba "
                     "AP-515", "Aruba AP-515 WLAN-Access-Point"),
    "NET-FG-60F": ("Fortinet FortiGate 60F firewall", "Pare-feu Fortinet FortiGate 60F",
                   "Fortinet FortiGate 60F Firewall"),
    "NET-UB-USW48": ("Ubiquiti UniFi Switch Pro 48 PoE", "Switch Ubiquiti UniFi Pro 48 PoE",
                     "Ubiquiti UniFi Switch Pro 48 PoE"),
    "PRN-HP-M611": ("HP LaserJet Enterprise M611dn printer", "Imprimante HP LaserJet "
                    "Enterprise M611dn", "HP LaserJet Enterprise M611dn Drucker"),
    "PRN-KY-2554": ("Kyocera TASKalfa 2554ci A3-multifunctional", "Multifonction A3 Kyocera "
                    "TASKalfa 2554ci", "Kyocera TASKalfa 2554ci A3-Multifunktionsgerät"),
    "PRN-BR-L8900": ("Brother MFC-L8900CDW kleurenmultifunctional", "Multifonction couleur "
                     "Brother MFC-L8900CDW", "Brother MFC-L8900CDW Farb-Multifunktionsgerät"),
    "PRN-CN-C3826": ("Canon imageRUNNER ADVANCE DX C3826i", "Canon imageRUNNER ADVANCE DX "
                     "C3826i", "Canon imageRUNNER ADVANCE DX C3826i"),
    "UPS-AP-1500": ("APC Smart-UPS 1500VA", "Onduleur APC Smart-UPS 1500VA",
                    "APC Smart-UPS 1500VA USV"),
    "PHN-YL-T54W": ("Yealink T54W bureautoestel", "Téléphone de bureau Yealink T54W",
                    "Yealink T54W Tischtelefon"),
    "DOC-DL-WD22": ("Dell WD22TB4 Thunderbolt-dockingstation", "Station d'accueil "
                    "Thunderbolt Dell WD22TB4", "Dell WD22TB4 Thunderbolt-Dockingstation"),
    "ACC-LG-MXKEYS": ("Logitech MX Keys en MX Master 3S set", "Ensemble Logitech MX Keys et "
                      "MX Master 3S", "Logitech MX Keys und MX Master 3S Set"),
    "ACC-CAT6-2M": ("Cat 6-patchkabel 2 m (10 stuks)", "Câble de brassage Cat 6 2 m "
                    "(lot de 10)", "Cat-6-Patchkabel 2 m (10er-Pack)"),
    "ACC-HP-147X": ("HP 147X zwarte tonercartridge", "Cartouche de toner noir HP 147X",
                    "HP 147X Tonerkartusche schwarz"),
    "ACC-SS-990P1": ("Samsung 990 PRO 1 TB NVMe-SSD", "SSD NVMe Samsung 990 PRO 1 To",
                     "Samsung 990 PRO 1 TB NVMe-SSD"),
    "SW-MS-365BP": ("Microsoft 365 Business Premium, 1 gebruiker, 1 jaar",
                    "Microsoft 365 Business Premium, 1 utilisateur, 1 an",
                    "Microsoft 365 Business Premium, 1 Benutzer, 1 Jahr"),
    "SW-MS-WS22": ("Windows Server 2022 Standard, 16 cores", "Windows Server 2022 Standard, "
                   "16 cœurs", "Windows Server 2022 Standard, 16 Kerne"),
    "SW-MS-CAL": ("Windows Server 2022 gebruikers-CAL", "CAL utilisateur Windows Server 2022",
                  "Windows Server 2022 Benutzer-CAL"),
    "SW-VM-VVF": ("VMware vSphere Foundation, per core, 1 jaar",
                  "VMware vSphere Foundation, par cœur, 1 an",
                  "VMware vSphere Foundation, pro Kern, 1 Jahr"),
    "SW-VE-VDP10": ("Veeam Data Platform Foundation, 10 instanties, 1 jaar",
                    "Veeam Data Platform Foundation, 10 instances, 1 an",
                    "Veeam Data Platform Foundation, 10 Instanzen, 1 Jahr"),
    "SW-AD-ACRO": ("Adobe Acrobat Pro, 1 gebruiker, 1 jaar", "Adobe Acrobat Pro, "
                   "1 utilisateur, 1 an", "Adobe Acrobat Pro, 1 Benutzer, 1 Jahr"),
    "SW-ES-PROT": ("ESET PROTECT Advanced, per werkplek, 1 jaar", "ESET PROTECT Advanced, "
                   "par poste, 1 an", "ESET PROTECT Advanced, pro Arbeitsplatz, 1 Jahr"),
    "SUP-NBD-3Y": ("Supportpakket 3 jaar, volgende werkdag ter plaatse",
                   "Pack support 3 ans, intervention sur site le jour ouvrable suivant",
                   "Supportpaket 3 Jahre, Vor-Ort-Service am nächsten Werktag"),
    "SUP-4H-3Y": ("Supportpakket 3 jaar, bedrijfskritisch binnen 4 uur",
                  "Pack support 3 ans, critique, intervention en 4 heures",
                  "Supportpaket 3 Jahre, geschäftskritisch in 4 Stunden"),
    "SVC-INST-DAY": ("Installatie en configuratie, technicusdag",
                     "Installation et configuration, journée de technicien",
                     "Installation und Konfiguration, Technikertag"),
    "SVC-REMOTE-H": ("Technische ondersteuning op afstand, per uur",
                     "Assistance technique à distance, par heure",
                     "Technischer Fernsupport, pro Stunde"),
    "SVC-MIGR": ("Datamigratie, per toestel", "Migration de données, par appareil",
                 "Datenmigration, pro Gerät"),
    "SVC-RECYCLE": ("Ophaling en gecertificeerde recyclage, per toestel",
                    "Enlèvement et recyclage certifié, par appareil",
                    "Abholung und zertifiziertes Recycling, pro Gerät"),
    "DOC-ADMIN-GD": ("Gedrukte beheerdershandleiding", "Guide de l'administrateur imprimé",
                     "Gedrucktes Administratorhandbuch"),
}
_LANGUAGE_INDEX = {"nl": 0, "fr": 1, "de": 2}


def product_name(product: Product, language: str) -> str:
    """The product's name as the customer's documents print it."""
    index = _LANGUAGE_INDEX.get(language)
    return product.name if index is None else NAMES[product.sku][index]
