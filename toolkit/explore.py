"""探索: the frames an analyst's walk through a region and a round needs, ready for the charts.

Why here: a notebook cell holds one call and no logic, and a trend needs the rounds' start dates
and short names beside the metric (``charts.trend_by_round`` orders and labels by them), and "the
latest round of 青溪县" is a choice to be made the same way every time. Both are computed from
the ledger (``notebooks/analyst/探索地区与轮次.ipynb`` calls them).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit import labels, metrics
from toolkit.filters import Filters, resolve_as_of


def round_trend(ledger, *, region: str | None = None, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """逐轮整改: the rectification rate round by round (of ``region``, or the city's own rounds),
    oldest first, with ``start``, a short ``round_name`` (七届第三轮) and the ``full_name``."""
    filters = Filters(region=region) if region else Filters(level="city")
    df = metrics.rectification_rate(ledger, as_of=as_of, filters=filters, by="round")
    rounds = ledger.table("rounds").select("id", "start", "term", "number").execute().set_index("id")
    short = [
        f"{rounds.at[r, 'term']}第{labels.chinese_number(int(rounds.at[r, 'number']))}轮" for r in df["round"]
    ]
    df = df.assign(start=df["round"].map(rounds["start"]), full_name=df["round_name"], round_name=short)
    return df.sort_values("start").reset_index(drop=True)


def latest_round(ledger, *, region: str, as_of: dt.date | str | None = None) -> str:
    """The id of ``region``'s latest round (by its start) that found problems by ``as_of``."""
    df = round_trend(ledger, region=region, as_of=resolve_as_of(as_of))
    df = df[df["problems"] > 0]
    if df.empty:
        raise ValueError(
            f"region: {region!r} 没有发现问题的巡察轮次 / no round of this region found problems"
        )
    return str(df["round"].iloc[-1])
