"""Backend parity: every metric, every ``by`` dimension, the same DataFrame on DuckDB and PostgreSQL,
today (the current-state tables) and on past dates (the replay SQL).

A real PostgreSQL server is started for the session (``tests.pg``: initdb + pg_ctl in a temp
dir, 127.0.0.1, a free port) and the sample ledger is built into it with the same seed as the
DuckDB one. Without the server binaries the tests are skipped, naming the install command.
"""

from __future__ import annotations

import pytest

from tests.parity import PAST_DATES, assert_same, compute, groupings
from tests.pg import INSTALL_HINT, find_bin, temporary_server
from toolkit import Ledger
from toolkit.filters import DIMENSIONS, Filters
from toolkit.metrics import REGISTRY
from toolkit.sample import build_sample

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="session")
def pg_ledger():
    if find_bin("initdb") is None or find_bin("pg_ctl") is None:
        pytest.skip(f"PostgreSQL server binaries (initdb, pg_ctl) not found: run `{INSTALL_HINT}`")
    with temporary_server() as url:
        build_sample(url)
        ledger = Ledger.open(url)
        yield ledger
        ledger.close()


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_same_result_on_duckdb_and_postgresql(sample_ledger, pg_ledger, name):
    for by in (None, *DIMENSIONS):
        assert_same(compute(sample_ledger, name, by), compute(pg_ledger, name, by), f"{name} by={by}")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_same_result_on_past_dates(sample_ledger, pg_ledger, name):
    for day in PAST_DATES:
        for by in groupings(name):
            duck = compute(sample_ledger, name, by, as_of=day)
            pg = compute(pg_ledger, name, by, as_of=day)
            assert not isinstance(duck, ValueError), f"{name} by={by}: {duck}"
            assert_same(duck, pg, f"{name} as_of={day} by={by}")


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_same_result_with_filters(sample_ledger, pg_ledger, name):
    filters = Filters(term="七届", region=("西山区", "南塘区"), unit_kind="village")
    duck, pg = compute(sample_ledger, name, "region", filters), compute(pg_ledger, name, "region", filters)
    assert_same(duck, pg, f"{name} with filters")
