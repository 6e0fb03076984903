"""The headline figures a leader reads first: units, rounds, problems, rectified, clues."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.filters import CLUE_DIMENSIONS, Filters, resolve_as_of, scoped
from toolkit.metrics.base import HIGHER, aggregate_parts, count_where, group_columns, rate, register, view_on
from toolkit.models import RECTIFIED_STATUSES


@register(
    "headline",
    "主要数据",
    "Headline figures",
    "units inspected (distinct), rounds with an inspection, problems recorded, rectified, rate = "
    "rectified / problems, clues transferred, on the as-of date",
    numerator="rectified",
    denominator="problems",
    direction=HIGHER,
    reference="衢州 802 党组织 inspected, 10,782 problems, 514 clues (seed 003)",
    dimensions=CLUE_DIMENSIONS,
)
def headline(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """Counts on ``as_of``: units = distinct units inspected; rounds = distinct rounds with an
    inspection; problems / rectified (rectified or closed) and their rate; clues transferred."""
    view = view_on(ledger, resolve_as_of(as_of))
    # Inspections and clues are only counted: nothing a change touches is read, so no replay.
    inspections = scoped(view, "inspections", filters, fixed=True)
    problems = scoped(view, "problems", filters)
    clues = scoped(view, "clues", filters, fixed=True)
    group_columns(inspections, by)  # validates ``by`` once for all three
    rectified = problems.status.isin([s.value for s in RECTIFIED_STATUSES])
    # One query: the three counts are joined on the group keys in the database.
    df = aggregate_parts(
        by,
        (inspections, {"units": inspections.unit_id.nunique(), "rounds": inspections.round_id.nunique()}),
        (problems, {"problems": problems.count(), "rectified": count_where(rectified)}),
        (clues, {"clues": clues.count()}),
    )
    counts = ["units", "rounds", "problems", "rectified", "clues"]
    keys = [col for col in df.columns if col not in counts]
    if keys and df.empty:
        return pd.DataFrame(
            {col: pd.Series(dtype="object") for col in keys}
            | {c: pd.Series(dtype="int64") for c in counts}
            | {"rate": pd.Series(dtype="float64")}
        )
    if keys:  # in the order pandas' outer merge of the parts gave (a backend's collation may differ)
        df = df.sort_values(keys, kind="stable", ignore_index=True)
    df["rate"] = rate(df["rectified"], df["problems"])
    return df[keys + counts + ["rate"]]
