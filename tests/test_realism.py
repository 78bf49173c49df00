"""The seeded ledger looks like a real one, measured from the raw tables (seed.realism has
its own SQL and calendar): on the demo, on both databases, and on a tenth of the large set.

The demo holds 120 customers of very different sizes, so its DSO and ageing move with the
day it is seeded for; the bands of the issue (DSO 40–50 days, 5–12 % over 90 days) are
asserted on the tenth of the large set (5,000 customers), the demo gets wider ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.business_calendar import BRUSSELS
from db import models as m
from db.engine import make_engine
from db.migrate import upgrade
from seed import generate
from seed.names import BE_STREETS, LU_ADDRESSES
from seed.realism import Realism, measure

TODAY = date(2026, 3, 18)
NOW = datetime.combine(TODAY, time(10), BRUSSELS).astimezone(UTC)


def _assert_clean(r: Realism) -> None:
    assert r.payments_on_weekends == 0 and r.payments_on_holidays == 0
    assert r.documents_on_non_banking_days == 0
    assert r.phone_numbers > r.customers and r.invalid_phone_numbers == 0
    assert r.faxes_not_fixed_line == 0
    assert r.duplicate_names == 0 and r.duplicate_domains == 0
    assert r.credit_notes_over_credited == 0 and r.credit_lines_with_other_vat == 0
    assert r.rows_in_the_future == 0


def _assert_addresses(session: Session) -> None:
    for country, street, postcode, city in session.execute(
            select(m.Site.country, m.Site.street, m.Site.postal_code, m.Site.city)):
        if country == "LU":
            number, _, name = street.partition(", ")
            assert number.isdigit() and (name, postcode) in LU_ADDRESSES[city], street
        else:
            name, _, number = street.rpartition(" ")
            assert number.isdigit() and name in BE_STREETS[city], (street, city)


def test_demo_looks_like_a_real_ledger(engine: Engine) -> None:
    generate.seed_database(engine, size="demo", today=TODAY)
    with Session(engine) as s:
        r = measure(s, today=TODAY, now=NOW)
        _assert_addresses(s)
    _assert_clean(r)
    assert 35 <= r.dso_days <= 60, r
    assert 0.01 <= r.share_over_90 <= 0.15, r
    assert r.share_current > 0.5


def test_seeded_before_ten_nothing_is_in_the_future(engine: Engine) -> None:
    early = datetime.combine(TODAY, time(8, 5), BRUSSELS)
    generate.seed_database(engine, size="demo", today=TODAY, now=early)
    with Session(engine) as s:
        r = measure(s, today=TODAY, now=early.astimezone(UTC))
    assert r.rows_in_the_future == 0


@pytest.fixture(scope="module")
def tenth_of_large(tmp_path_factory: pytest.TempPathFactory) -> Realism:
    path: Path = tmp_path_factory.mktemp("large") / "tenth.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    generate.seed_database(engine, size="large", scale=0.1, today=TODAY)
    with Session(engine) as s:
        r = measure(s, today=TODAY, now=NOW)
        _assert_addresses(s)
    engine.dispose()
    return r


def test_a_tenth_of_large_hits_the_targets(tenth_of_large: Realism) -> None:
    r = tenth_of_large
    assert r.customers == 5_000
    _assert_clean(r)
    assert 40 <= r.dso_days <= 50, r
    assert 0.05 <= r.share_over_90 <= 0.12, r
    assert r.share_1_30 > r.share_31_60 > r.share_61_90  # most pay near term
