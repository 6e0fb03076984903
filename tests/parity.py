"""Backend parity helpers: the same metric on two backends, compared in a backend-neutral form
(used by the PostgreSQL and the Spark parity tests)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.metrics import REGISTRY
from toolkit.sample import UNTIL


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
