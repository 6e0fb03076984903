"""按期整改率: of the problems whose deadline has passed, how many were put right in time."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from toolkit.filters import Filters, resolve_as_of, scoped
from toolkit.metrics.base import aggregate, count_where, rate, register
from toolkit.models import RECTIFIED_STATUSES


@register(
    "on-time-rate",
    "按期整改率",
    "On-time rectification rate",
    "problems rectified on or before their due date / problems whose due date passed before the as-of date",
    numerator="on_time",
    denominator="due_passed",
)
def on_time_rate(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """按期整改率 = on_time / due_passed, on the ledger as it stood on ``as_of``.

    due_passed: problems with a due date strictly before ``as_of`` (on the due day itself the
      item still has the day to finish, so it is not yet counted).
    on_time: of those, rectified or closed (已整改/已销号) with ``rectified_on <= due``.
    late: rectified after the due date; not_rectified: still open, in progress or 长期坚持.

    Edge cases, decided:
    * ``due`` is the deadline in force on ``as_of``: an approved extension (a
      ``deadline_extended`` event) moves it, so an item finished within its extension is on
      time. The warning list (``overdue``) shows how many extensions each item had.
    * 立行立改 (immediate) items are due on the feedback date; they count like dated items,
      so one not fixed by the feedback meeting is late.
    * 长期坚持 (ongoing) items have no due date and are in neither count.
    * A problem rectified early whose due date has not yet come is not counted yet: the rate
      is only about deadlines that have been tested.
    Columns: the ``by`` dimensions, due_passed, on_time, late, not_rectified, rate.
    """
    day = resolve_as_of(as_of)
    problems = scoped(ledger.as_of(day), "problems", filters)
    problems = problems.filter(problems.due.notnull() & (problems.due < ibis.literal(day)))
    rectified = problems.status.isin([s.value for s in RECTIFIED_STATUSES])
    on_time = rectified & (problems.rectified_on <= problems.due)
    df = aggregate(
        problems,
        by,
        due_passed=problems.count(),
        on_time=count_where(on_time),
        late=count_where(rectified & (problems.rectified_on > problems.due)),
        not_rectified=count_where(~rectified),
    )
    df["rate"] = rate(df["on_time"], df["due_passed"])
    return df
