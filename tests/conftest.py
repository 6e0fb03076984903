"""Shared fixtures: the sample ledger is built once per session (about 4 s)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.builders import tiny_problem, tiny_round, tiny_unit
from tests.hostile import build_hostile_ledger
from toolkit import Ledger
from toolkit.sample import build_sample

D = dt.date


@pytest.fixture(scope="session")
def sample_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "ledger.duckdb"
    build_sample(path)
    return path


@pytest.fixture(scope="session")
def sample_ledger(sample_path) -> Ledger:
    ledger = Ledger.open(sample_path)
    yield ledger
    ledger.close()


@pytest.fixture(scope="session")
def hostile_path(tmp_path_factory) -> Path:
    """The sample ledger plus the hostile corpus of tests/hostile.py (script, formulas, names)."""
    return build_hostile_ledger(tmp_path_factory.mktemp("hostile") / "ledger.duckdb")


@pytest.fixture(scope="session")
def hostile_ledger(hostile_path) -> Ledger:
    ledger = Ledger.open(hostile_path)
    yield ledger
    ledger.close()


@pytest.fixture
def tiny_path(tmp_path) -> Path:
    """A ledger with one unit, one round and one open problem P1 (due 2020-09-30)."""
    path = tmp_path / "tiny.duckdb"
    with Ledger.write(path, by="测试", create=True) as tx:
        tx.add(tiny_unit(), at=D(2020, 1, 1))
        tx.add(tiny_round(), at=D(2020, 2, 20))
        tx.add(tiny_problem(), at=D(2020, 6, 1))
    return path


# ---- loud skips: a machine without Chromium/PostgreSQL still passes, and says so -------------

SYSTEM_PACKAGES = (Path(__file__).resolve().parents[1] / ".ci" / "system-packages.txt").read_text().split()
INSTALL_HINT = f"sudo apt-get install -y {' '.join(SYSTEM_PACKAGES)}   (or: sudo make system-deps)"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: dict[str, int] = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[reason] = reasons.get(reason, 0) + 1
    bar = "!" * 78
    terminalreporter.write_line(bar, yellow=True, bold=True)
    terminalreporter.write_line(
        f"SKIPPED {len(skipped)} TESTS: this machine lacks what they need.", yellow=True, bold=True
    )
    for reason, n in sorted(reasons.items()):
        terminalreporter.write_line(f"  {n:4d} x {reason}", yellow=True)
    terminalreporter.write_line(
        f"Install everything they need with one command:\n    {INSTALL_HINT}", yellow=True, bold=True
    )
    terminalreporter.write_line(bar, yellow=True, bold=True)
