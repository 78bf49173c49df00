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
