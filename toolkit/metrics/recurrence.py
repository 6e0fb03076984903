"""回头看 / 屡改屡犯: problems put right that came back in the same unit in a later round."""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir
import pandas as pd

from toolkit.filters import Filters, recorded, reference_table, resolve_as_of, scoped
from toolkit.metrics.base import LOWER, aggregate, count_where, rate, register, view_on
from toolkit.models import RECTIFIED_STATUSES
from toolkit.replay import LOOKED_ACROSS


@register(
    "recurrence",
    "问题复发率",
    "Recurrence",
    "rectified problems whose category was found again in the same unit in a later round / "
    "rectified problems",
    numerator="recurred",
    denominator="rectified",
    direction=LOWER,
)
def recurrence(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """复发率 = recurred / rectified.

    rectified: problems rectified or closed on ``as_of`` (after the filters, which select the
    rectified problems, e.g. one round). recurred: of those, the ones for which the ledger on
    ``as_of`` holds a problem of the same category in the same unit from a later round (one
    that started after the rectified problem's round started), in any round, look-back
    (回头看) or not. A problem counts once however often it comes back.
    Columns: the ``by`` dimensions, rectified, recurred, rate.
    """
    view = view_on(ledger, resolve_as_of(as_of))
    problems = scoped(view, "problems", filters, derived=(LOOKED_ACROSS,))
    rectified = problems.filter(problems.status.isin([s.value for s in RECTIFIED_STATUSES]))
    if LOOKED_ACROSS in rectified.columns:  # what every write keeps (``toolkit.replay``)
        joined, recurred = rectified, rectified[LOOKED_ACROSS].notnull()
    else:  # a ledger written before it was kept
        joined, recurred = _found_again(view, rectified)
    df = aggregate(joined, by, rectified=joined.count(), recurred=count_where(recurred))
    df["rate"] = rate(df["recurred"], df["rectified"])
    return df


def _found_again(view, rectified: ir.Table) -> tuple[ir.Table, ir.BooleanValue]:
    """``rectified`` joined with the latest round start of its unit and category, and whether it
    came back, for a ledger whose problems do not keep ``found_again_on``."""
    # Every problem on the date, with only what never changes (unit, category, round), so it is
    # read without replaying. Its unit needs no check: only the groups of rectified problems,
    # whose units exist, are looked up.
    everything = recorded(view, "problems")
    rounds = reference_table(view, "rounds")
    rounds = rounds.select(r_id=rounds.id, r_start=rounds.start)
    everything = everything.inner_join(rounds, everything.round_id == rounds.r_id)
    start = everything.r_start
    # Only a group holding problems of two rounds (two start dates) can hold a recurrence: the
    # lookup keeps those alone, and a problem of any other group has none (last_start missing).
    latest = (
        everything.group_by(l_unit=everything.unit_id, l_category=everything.category)
        .having(start.min() < start.max())
        .aggregate(last_start=start.max())
    )
    joined = rectified.left_join(
        latest, (rectified.unit_id == latest.l_unit) & (rectified.category == latest.l_category)
    )
    return joined, (joined.last_start > joined.round_start).fill_null(False)
