"""Backend parity: every metric, every ``by`` dimension, the same DataFrame on DuckDB and PostgreSQL,
today (the current-state tables) and on past dates (the replay SQL).

A real PostgreSQL server is started for the session (``tests.pg``: initdb + pg_ctl in a temp
dir, 127.0.0.1, a free port) and the sample ledger is built into it with the same seed as the
DuckDB one. Without the server binaries the tests are skipped, naming the install command.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.pg import INSTALL_HINT, find_bin, temporary_server
from toolkit import Ledger
from toolkit.filters import DIMENSIONS, Filters
from toolkit.metrics import REGISTRY
from toolkit.sample import UNTIL, build_sample

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


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Backend-neutral form: dates as ISO text, rows sorted on every non-float column."""
    out = df.copy()
    for column in out.columns:
        values = out[column]
        is_date = values.map(lambda v: isinstance(v, dt.date)).any()
        if pd.api.types.is_datetime64_any_dtype(values) or is_date:
            out[column] = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
    keys = [c for c in out.columns if not pd.api.types.is_float_dtype(out[c])]
    return out.sort_values(keys, kind="stable").reset_index(drop=True) if keys else out


def compute(ledger, name, by, filters=None, as_of=UNTIL):
    try:
        return REGISTRY[name].func(ledger, as_of=as_of, by=by, filters=filters)
    except ValueError as err:
        return err


# Past dates replay the events: one in the first term (六届) while rounds are under way, one
# early in the second term (七届) with the first term's items still open or being extended.
PAST_DATES = (dt.date(2020, 6, 30), dt.date(2022, 9, 15))
# The scoreboard and the peer comparison are arithmetic on their indicators' results (compared
# here already); their own grouping is checked on the two dimensions they are used with.
COMPOSITES = {"scoreboard": ("region", "team"), "peer-comparison": ("region", "unit_kind")}


def groupings(name: str) -> tuple:
    return COMPOSITES.get(name) or (None, *REGISTRY[name].dimensions)


def assert_same(duck, pg, label: str) -> None:
    if isinstance(duck, ValueError) or isinstance(pg, ValueError):
        assert str(duck) == str(pg), f"{label}: {duck!r} vs {pg!r}"
        return
    assert list(duck.columns) == list(pg.columns), label
    pd.testing.assert_frame_equal(normalise(duck), normalise(pg), check_dtype=False, rtol=1e-9, obj=label)


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
