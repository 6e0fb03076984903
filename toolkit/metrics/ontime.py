"""按期整改率: of the problems whose deadline has passed, how many were put right in time.

A rectified problem is judged against the deadline that was in force on the day it was
rectified, never against a deadline approved afterwards: an extension granted after a problem
was finished late must not turn it "on time" retroactively. That deadline is read from the
``changes`` table in the database (the latest ``due`` change dated on or before
``rectified_on``, else the due date the problem was recorded with).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from toolkit.filters import Filters, resolve_as_of, scoped, stored_ledger
from toolkit.metrics.base import HIGHER, aggregate, count_where, rate, register, view_on
from toolkit.models import RECTIFIED_STATUSES
from toolkit.replay import NULL_VALUE


def due_when_rectified(view, problems: ir.Table, day: dt.date) -> ir.Table:
    """``problems`` with ``judged_due``: for a rectified problem the due date in force on its
    ``rectified_on`` (changes dated after ``day`` are ignored, as in the replay); for any other
    problem its due date on ``day``. Empty when the deadline in force was 长期坚持 (no date)."""
    ledger = stored_ledger(view)
    changes = ledger.table("changes")
    dues = changes.filter(
        (changes.entity == "problem") & (changes.field == "due") & (changes.at <= ibis.literal(day))
    )
    dues = dues.select(c_id=dues.record_id, c_value=dues.value, c_at=dues.at, c_seq=dues.seq)
    rectified = problems.status.isin([s.value for s in RECTIFIED_STATUSES])
    done = problems.filter(rectified).select(d_id=problems.id, d_on=problems.rectified_on)
    before = done.inner_join(dues, (done.d_id == dues.c_id) & (dues.c_at <= done.d_on))
    latest = before.group_by(l_id=before.d_id).aggregate(l_value=before.c_value.argmax(before.c_seq))
    # The due date a problem was recorded with, needed only where a due change (by ``day``)
    # followed its rectification: with none by ``day``, its due date then is the first one.
    # Joining the few problems whose due moved, not all of them, saves a million-row join.
    moved = dues.select(m_id=dues.c_id).distinct()
    added = ledger.table("problem_added")
    added = added.semi_join(moved, added.id == moved.m_id)
    first = added.select(f_id=added.id, first_due=added.due)
    joined = problems.left_join(latest, problems.id == latest.l_id)
    joined = joined.left_join(first, joined.id == first.f_id)
    changed = joined.l_value.nullif(NULL_VALUE).cast("date")
    recorded = joined.f_id.isnull().ifelse(joined.due, joined.first_due)
    in_force = joined.l_value.isnull().ifelse(recorded, changed)
    judged = ibis.cases(
        (joined.status.isin([s.value for s in RECTIFIED_STATUSES]), in_force), else_=joined.due
    )
    return joined.mutate(judged_due=judged).drop("l_id", "l_value", "f_id", "first_due")


@register(
    "on-time-rate",
    "按期整改率",
    "On-time rectification rate",
    "problems rectified on or before the deadline in force on the day they were rectified / problems "
    "whose deadline passed before the as-of date (an extension counts from its approval, never "
    "backwards; 长期坚持 items are in neither count)",
    numerator="on_time",
    denominator="due_passed",
    direction=HIGHER,
)
def on_time_rate(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """按期整改率 = on_time / due_passed, on the ledger as it stood on ``as_of``.

    The deadline a problem is judged by (``judged_due``): for a rectified or closed problem, the
    due date in force on its ``rectified_on`` (the latest ``due`` change dated on or before that
    day, else the due date it was recorded with); for any other problem, its due date on
    ``as_of``.
    due_passed: problems whose judged deadline is strictly before ``as_of`` (on the due day
      itself the item still has the day to finish, so it is not yet counted).
    on_time: of those, rectified or closed (已整改/已销号) with ``rectified_on <= judged_due``.
    late: rectified after it; not_rectified: still open, in progress or 长期坚持.

    Edge cases, decided:
    * An extension approved before the problem was rectified moves its deadline, so an item
      finished within its extension is on time. One approved after the problem was finished
      does not: a late item stays late. The warning list (``overdue``) shows how many
      extensions each item had.
    * 立行立改 (immediate) items are due on the feedback date; they count like dated items,
      so one not fixed by the feedback meeting is late.
    * 长期坚持 (ongoing) items have no due date and are in neither count.
    * A problem rectified early whose deadline has not yet come is not counted yet: the rate
      is only about deadlines that have been tested.
    Columns: the ``by`` dimensions, due_passed, on_time, late, not_rectified, rate.
    """
    day = resolve_as_of(as_of)
    view = view_on(ledger, day)
    problems = due_when_rectified(view, scoped(view, "problems", filters), day)
    problems = problems.filter(problems.judged_due.notnull() & (problems.judged_due < ibis.literal(day)))
    rectified = problems.status.isin([s.value for s in RECTIFIED_STATUSES])
    df = aggregate(
        problems,
        by,
        due_passed=problems.count(),
        on_time=count_where(rectified & (problems.rectified_on <= problems.judged_due)),
        late=count_where(rectified & (problems.rectified_on > problems.judged_due)),
        not_rectified=count_where(~rectified),
    )
    df["rate"] = rate(df["on_time"], df["due_passed"])
    return df
