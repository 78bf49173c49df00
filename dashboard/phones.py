"""Phone and fax numbers as people write them, to the one stored form (E.164).

Stored numbers (contacts' phone, mobile and fax, the company's phone) are E.164, so a caller-ID,
a fax gateway's sender line and what a representative types into search all meet them here.
"+32 (0)2 225 23 45", "0032 2 225 23 45" and "02 225 23 45" are all ``+3222252345``.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber

DEFAULT_REGION = "BE"
# Luxembourg numbers have no trunk prefix: a bare "26 12 34 56" is Luxembourg, not Brussels.
NO_TRUNK_PREFIX_REGION = "LU"
PHONE_CHARS = re.compile(r"^[+()\d\s./-]+$")
MAX_INPUT = 40


def _parse(text: str, region: str | None) -> PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException:
        return None


def _e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise(text: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 for a number in any common spelling, or None when it is not a phone number.

    A leading ``+`` or ``00`` is international, a leading ``0`` national (``region``, Belgium);
    bare digits are read as Belgian or Luxembourg country code and number when they start
    with one (``32…``, ``352…``), else as a Luxembourg number, else as national, else with
    any other country code (a caller-ID from abroad). Valid numbers win; a number
    that is only possible (the right length) is kept when nothing valid reads out of it.
    """
    if not text:
        return None
    written = text.strip()[:MAX_INPUT]
    if not PHONE_CHARS.match(written):
        return None
    digits = re.sub(r"\D", "", written)
    if len(digits) < 6:
        return None
    if written.startswith("+") or digits.startswith("00") or digits.startswith("0"):
        readings = [_parse(written, region)]
    else:
        with_country = _parse("+" + digits, None) if len(digits) >= 10 else None
        ours = digits.startswith(("32", "352"))
        readings = [with_country if ours else None, _parse(digits, NO_TRUNK_PREFIX_REGION),
                    _parse(digits, region), None if ours else with_country]
    found = [number for number in readings if number is not None]
    for number in found:
        if phonenumbers.is_valid_number(number):
            return _e164(number)
    for number in found:
        if phonenumbers.is_possible_number(number):
            return _e164(number)
    return None


def is_valid(text: str | None, region: str = DEFAULT_REGION) -> bool:
    """Whether the text names a number that exists in its country's numbering plan."""
    e164 = normalise(text, region)
    number = _parse(e164, None) if e164 else None
    return number is not None and phonenumbers.is_valid_number(number)
