"""整改率 and its relatives: how much of what was found has been put right."""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir
import pandas as pd

from toolkit.filters import Filters, resolve_as_of, scoped
from toolkit.metrics.base import HIGHER, aggregate, count_where, rate, register, view_on
from toolkit.models import RECTIFIED_STATUSES


@register(
    "rectification-rate",
    "整改率",
    "Rectification rate",
    "problems rectified or closed (已整改/已销号) on the as-of date / problems recorded by then; "
    "基本完成 (in progress) and 长期坚持 are not rectified",
    numerator="rectified",
    denominator="problems",
    direction=HIGHER,
    reference="龙亭区 698 / 773 = 90.3% (seed 002, 开封); 昆明 688 / 697 = 98.71% with its 9 基本完成 "
    "not rectified (昆明's report, not among the seed documents)",
)
def rectification_rate(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """整改率 = rectified (status rectified or closed on ``as_of``) / problems recorded by ``as_of``.

    基本完成 (in progress) and 长期坚持 (ongoing) are not rectified: 昆明 reports 688 of 697
    with 9 基本完成 as 98.71%, and 龙亭区 698 / 773 as 90.3%.
    Columns: the ``by`` dimensions, ``problems``, ``rectified``, ``rate`` (a fraction).
    """
    view = view_on(ledger, resolve_as_of(as_of))
    problems = scoped(view, "problems", filters)
    df = aggregate(problems, by, **rectification_counts(problems))
    df["rate"] = rate(df["rectified"], df["problems"])
    return df


def rectification_counts(problems: ir.Table) -> dict:
    """The counts of 整改率 over ``problems``: all of them, and those rectified or closed."""
    rectified = problems.status.isin([s.value for s in RECTIFIED_STATUSES])
    return {"problems": problems.count(), "rectified": count_where(rectified)}
