"""Business identifiers that pass the real checks: VAT numbers, structured payment
references, IBANs, E.164 phone numbers, serial and tracking numbers, document numbers.

Values derived from a row id use an affine bijection (``id * A + B mod M`` with ``A`` prime
to ``M``): unique without bookkeeping, yet they do not look sequential.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import date

import phonenumbers
from phonenumbers import PhoneNumberType

from db.text import fold
from seed.names import City

_SERIAL_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"[:32]  # no I or O
_BE_BANK_CODES = (
    *range(1, 50), *range(50, 100), *range(300, 400), *range(400, 500), *range(190, 200),
)  # BNP Paribas Fortis, Belfius, ING, KBC, CBC: all known to stdnum's bank table
_LU_BANK_CODES = ("001", "002", "003", "014", "019", "030", "008")
_BE_MOBILE_PREFIXES = ("460", "467", "468", "470", "471", "472", "473", "474", "475", "476",
                       "477", "478", "479", "483", "484", "485", "486", "487", "488", "489",
                       "491", "492", "493", "494", "495", "496", "497", "498", "499")
_LU_MOBILE_PREFIXES = ("621", "628", "661", "671", "691")


def _scramble(value: int, modulus: int, multiplier: int, offset: int) -> int:
    return (value * multiplier + offset) % modulus


class VatNumbers:
    """Unique, checksum-valid VAT numbers: BE0xxxxxxxxx (enterprise number) and LUxxxxxxxx."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def issue(self, country: str) -> str:
        while True:
            number = self._belgian() if country == "BE" else self._luxembourgish()
            if number not in self._used:
                self._used.add(number)
                return number

    def _belgian(self) -> str:
        base = self._rng.randrange(2_000_000, 12_000_000)  # 0200000000 .. 1199999999
        return f"BE{base:08d}{97 - base % 97:02d}"

    def _luxembourgish(self) -> str:
        base = self._rng.randrange(100_000, 999_999)
        return f"LU{base:06d}{base % 89:02d}"


def payment_reference(invoice_id: int) -> str:
    """Twelve digits of a Belgian structured reference (+++100/0012/34501+++), one per id
    and rising with it, as ERPs derive them (and appends are cheap for the unique index)."""
    base = 1_000_000_000 + invoice_id
    return f"{base:010d}{base % 97 or 97:02d}"


def format_payment_reference(reference: str) -> str:
    return f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++"


def _iban_check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def iban(rng: random.Random, country: str) -> str:
    if country == "BE":
        bank = f"{rng.choice(_BE_BANK_CODES):03d}"
        account = f"{rng.randrange(10**7):07d}"
        national = int(bank + account) % 97 or 97
        bban = f"{bank}{account}{national:02d}"
    else:
        bban = rng.choice(_LU_BANK_CODES) + f"{rng.randrange(10**13):013d}"
    return f"{country}{_iban_check_digits(country, bban)}{bban}"


def _digits(rng: random.Random, count: int) -> str:
    # Subscriber numbers do not start with 0 or 1.
    first = str(rng.randrange(2, 10))
    return first + "".join(str(rng.randrange(10)) for _ in range(count - 1))


_FIXED = frozenset((PhoneNumberType.FIXED_LINE,))
_MOBILE = frozenset((PhoneNumberType.MOBILE,))


def is_number_of_type(e164: str, types: frozenset[int]) -> bool:
    """A number valid in its country's numbering plan (libphonenumber) and of one of
    ``types``."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in types


def _valid(rng: random.Random, make: Callable[[], str], types: frozenset[int]) -> str:
    """Draw numbers until one is valid and of the wanted type (a few draws at most)."""
    for _ in range(200):
        number = make()
        if is_number_of_type(number, types):
            return number
    raise RuntimeError("no valid number in 200 draws: check the number ranges")


def landline(rng: random.Random, city: City) -> str:
    """A fixed-line number in E.164 for the city's zone (BE: 8 national digits); faxes are
    fixed lines too."""
    def make() -> str:
        if city.area_code:
            return f"+32{city.area_code}{_digits(rng, 8 - len(city.area_code))}"
        if rng.random() < 0.75:
            return f"+352{rng.choice(('24', '26', '27', '28', '29'))}{_digits(rng, 6)}"
        return f"+352{rng.randrange(40, 60)}{_digits(rng, 4)}"

    return _valid(rng, make, _FIXED)


def mobile(rng: random.Random, country: str) -> str:
    def make() -> str:
        if country == "BE":
            return f"+32{rng.choice(_BE_MOBILE_PREFIXES)}{_digits(rng, 6)}"
        return f"+352{rng.choice(_LU_MOBILE_PREFIXES)}{_digits(rng, 6)}"

    return _valid(rng, make, _MOBILE)


def display_phone(e164: str) -> str:
    """How people write the number: +32 2 123 45 67, +32 470 12 34 56, +352 26 12 34 56."""
    if e164.startswith("+352"):
        rest = e164[4:]
        if len(rest) == 9:
            return f"+352 {rest[:3]} {rest[3:6]} {rest[6:]}"
        return "+352 " + " ".join(rest[i:i + 2] for i in range(0, len(rest), 2))
    rest = e164[3:]
    head = 3 if len(rest) == 9 else (1 if rest[0] in "2349" else 2)
    tail = rest[head:]
    return f"+32 {rest[:head]} {tail[:-4]} {tail[-4:-2]} {tail[-2:]}"


def serial_number(item_id: int, vendor_code: str) -> str:
    """Vendor-like serial: SN + vendor code + eight base-32 characters, unique per id."""
    value = _scramble(item_id, 32**8, 687_194_767_359, 91_231_777)
    value = ((value ^ (value >> 17)) * 549_755_813_881) % 32**8  # mix the high bits down
    chars = []
    for _ in range(8):
        value, digit = divmod(value, 32)
        chars.append(_SERIAL_ALPHABET[digit])
    return f"SN{vendor_code}{''.join(chars)}"


def tracking_number(order_id: int, carrier: str) -> str:
    n = _scramble(order_id, 10**10, 3_486_784_401, 7_777_777_771)
    if carrier == "bpost":
        return f"3232{n:010d}{_scramble(order_id, 10**10, 1_162_261_467, 12_345):010d}"
    if carrier == "PostNL":
        return f"3SCSOL{n % 10**9:09d}"
    if carrier == "DPD":
        return f"0521{n:010d}"
    if carrier == "UPS":
        return f"1Z4E8V2903{n % 10**8:08d}"
    return f"{n:010d}"  # DHL Express waybill


def domain_for(company: str, country: str) -> str:
    """A mail domain for a company; '.example' so demo mail can never reach a real firm."""
    words = re.sub(r"[^a-z0-9]+", " ", fold(company)).split()
    forms = {"nv", "bv", "cv", "bvba", "sa", "srl", "sc", "sprl", "gmbh", "ag", "pgmbh", "kg",
             "sarl", "rl", "scs", "r", "l", "s", "a", "de", "la", "le", "du", "des", "et", "fils"}
    kept = [w for w in words if w not in forms] or words
    slug = kept[0]
    for word in kept[1:]:
        if len(slug) + len(word) >= 40:
            break
        slug = f"{slug}-{word}"
    return f"{slug}.{country.lower()}.example"


def email_local_part(first: str, last: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", f"{fold(first)}.{fold(last)}".replace(" ", ""))


class DocumentNumbers:
    """Numbers like INV-2026-000123 that run in date order without knowing the counts ahead.

    A document dated on day *d* of a year starts looking at slot ``d * per_day``; taken slots
    are skipped with a "next free" forest (union-find), so each number costs near O(1).
    ``per_day`` should over-estimate the real rate a little: the surplus becomes unused
    numbers, a shortfall pushes numbers towards later days.
    """

    def __init__(self, prefix: str, width: int, per_year: float) -> None:
        self._prefix = prefix
        self._width = width
        self._per_day = max(per_year, 1.0) / 365.25
        self._next_free: dict[int, dict[int, int]] = {}
        self._year_start: dict[int, int] = {}

    def issue(self, day: date) -> str:
        year = day.year
        start = self._year_start.get(year)
        if start is None:
            start = self._year_start[year] = date(year, 1, 1).toordinal()
            self._next_free[year] = {}
        wanted = int((day.toordinal() - start) * self._per_day) + 1
        slot = self._claim(self._next_free[year], wanted)
        return f"{self._prefix}-{year}-{slot:0{self._width}d}"

    @staticmethod
    def _claim(next_free: dict[int, int], wanted: int) -> int:
        root = wanted
        while root in next_free:
            root = next_free[root]
        while wanted != root:  # path compression
            next_free[wanted], wanted = root + 1, next_free[wanted]
        next_free[root] = root + 1
        return root
