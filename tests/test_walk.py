"""Walk every page and tab of the demo for each role and read what a person sees (issue 11):
words instead of stored codes, nothing shown as None/nan, Belgian numbers and dd/mm/yyyy dates.

The offences are listed with page, tab, element and text. See tests/walk_support.py for what
each check looks for, and tests/walk_tour.py for what is visited.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.walk_support import Walk, problems_of_presentation, report
from tests.walk_tour import ROLES, Sights, app_pointed_at, demo_database, sights, tour

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[str, Sights]]:
    tmp = tmp_path_factory.mktemp("walk")
    with demo_database(request.param, tmp) as (url, engine):
        places = sights(engine)
        yield url, places


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_as_words_and_belgian_numbers(
        demo: tuple[str, Sights], role: str, tmp_path: Path) -> None:
    url, places = demo
    walk = Walk()
    started = time.perf_counter()
    with app_pointed_at(url, tmp_path):
        tour(walk, role, places)
    print(f"{role}: {walk.visits} views, {len(walk.seen)} texts in "
          f"{time.perf_counter() - started:.1f} s")
    assert walk.visits > 20 and len(walk.seen) > 1000  # the tour did see the console
    offences = problems_of_presentation(walk)
    assert not offences, report(offences)
