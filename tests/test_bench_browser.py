"""The browser benchmark's own parts: CPU accounting, targets, verdicts; and, on request, a
whole ``--quick`` run on the demo data.

The end-to-end run starts a server and Chromium for a few minutes, so it only runs with
``CSOL_BENCH_BROWSER=1`` (see docs/performance.md); the rest takes a second.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench import bench_browser as bb
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


def burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_cpu_counts_the_process_and_its_waited_for_children() -> None:
    before = bb.process_cpu_ms(os.getpid())
    burn(0.3)
    mine = bb.process_cpu_ms(os.getpid()) - before
    assert 250 <= mine <= 2000, mine

    # A child that has ended and been waited for still counts (cutime + cstime).
    before = bb.process_cpu_ms(os.getpid())
    subprocess.run([sys.executable, "-c", "import time\nend = time.process_time() + 0.3\n"
                    "while time.process_time() < end: pass"], check=True)
    child = bb.process_cpu_ms(os.getpid()) - before
    assert child >= 250, child


def test_quiet_cpu_waits_until_the_counter_stops() -> None:
    readings = iter([0.0, 10.0, 20.0, 30.0] + [30.0] * 100)
    assert bb.quiet_cpu(lambda: next(readings), quiet_s=0.1, limit_s=5) == 30.0


def test_targets_differ_follow_the_seed_and_can_be_found_by_name(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        for i in range(12):
            c = f.customer(s, f"Garage Peeters {i:02d}", vat_number=f"BE04030192{i:02d}")
            for _ in range(i % 3 + 1):
                f.invoice(s, c)
        twin_a = f.customer(s, "Bakkerij Smet", vat_number="BE0403019300")
        twin_b = f.customer(s, "BAKKERIJ SMET", vat_number="BE0403019301")
        no_vat = f.customer(s, "Zonder BTW", vat_number=None)
        no_invoice = f.customer(s, "Nog Geen Factuur", vat_number="BE0403019302")
        for c in (twin_a, twin_b, no_vat):
            f.invoice(s, c)
        assert no_invoice.id
    with Session(engine) as s:
        first = bb.pick_targets(s, 6, seed=3)
        again = bb.pick_targets(s, 6, seed=3)
        other = bb.pick_targets(s, 6, seed=4)
        with pytest.raises(SystemExit):
            bb.pick_targets(s, 13, seed=3)
    assert first == again
    assert first != other
    assert len({t.id for t in first}) == 6
    # Only names that mean one company, with a VAT number and invoices.
    assert all(t.name.startswith("Garage Peeters") and t.vat and t.invoices for t in first)


def test_vat_spelled_the_ways_callers_say_it() -> None:
    assert [bb.spelled_vat("BE0403019261", run) for run in range(3)] == [
        "BE0403019261", "0403019261", "BE 0403.019.261"]
    assert bb.spelled_vat("LU15027442", 2) == "LU 15027442"


def test_report_gives_pass_and_fail_against_the_budgets() -> None:
    samples = bb.Samples()
    samples.ms["tab: Contracts"] += [200.0, 220.0, 240.0]
    samples.cpu["tab: Contracts"] += [30.0, 30.0, 60.0]  # mean 40: within
    samples.ms["queue → enquiry"] += [500.0, 510.0]
    samples.cpu["queue → enquiry"] += [90.0, 90.0]
    samples.console["find by VAT number"] += [300.0, 320.0]
    samples.reference["find by VAT number"] += [100.0, 110.0]  # 310 / 105
    text, failed = bb.report("sqlite:///x.db", samples, "load 1.0")
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    assert lines["tab: Contracts"].rstrip().endswith("PASS PASS")
    assert lines["queue → enquiry"].rstrip().endswith("FAIL")
    assert "3.0×" in lines["find by VAT number"] and lines["find by VAT number"].endswith("FAIL")
    assert failed == 2


@pytest.mark.browser
@pytest.mark.skipif(os.environ.get("CSOL_BENCH_BROWSER") != "1",
                    reason="takes minutes: set CSOL_BENCH_BROWSER=1 to run the bench end to end")
def test_quick_run_on_the_demo_data(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'demo.db'}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "seed", "--size", "demo", "--database-url", database],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    run = subprocess.run([sys.executable, "-m", "bench.bench_browser", "--quick", "--runs", "1",
                          "--warmup", "0", "--database-url", database,
                          "--json", str(tmp_path / "samples.json")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for row in ("sign-in → Today", "search (VAT number) → customer", "tab: Timeline",
                "claim next → enquiry", "find by VAT number"):
        assert row in run.stdout, run.stdout[-3000:]
    assert (tmp_path / "samples.json").stat().st_size > 0
