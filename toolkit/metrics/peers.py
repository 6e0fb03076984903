"""Peer comparison (南京 线上诊断): each region's indicator against the median of its peers.

The heavy work is the indicator itself (one query grouped by the peer dimension); what
follows runs on its few rows (one per region).

Low-outlier rule (both must hold, so a gap has to be clear *and* matter):
  1. robust: value < peer_median - k * MAD, where peer_median is the median of the *other*
     groups' values (a region is not its own peer) and MAD is the median absolute deviation
     of all groups' values around their median, scaled by 1.4826 (comparable to a standard
     deviation); default k = 2;
  2. material: value < peer_median - min_gap, a difference in the indicator's own unit;
     default min_gap = 0.05: for a rate (a fraction) that is 5 percentage points, what an
     office means by "5 points below"; for clue yield (clues per inspected unit) it is 0.05
     clues per unit, i.e. 5 clues fewer per 100 units inspected.
Groups with no value (nothing to be a rate of) are never flagged and are not anyone's peer.
"Low" is literal: for a lower-is-better indicator (recurrence, the red share) a low outlier is
doing better than its peers.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from toolkit.filters import Filters
from toolkit.metrics.base import REGISTRY, register

MAD_SCALE = 1.4826


def leave_one_out_median(values: np.ndarray) -> np.ndarray:
    """For each element, the median of the others (vectorised over the sorted values)."""
    n = len(values)
    if n < 2:
        return np.full(n, np.nan)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(n, dtype=int)
    ranks[order] = np.arange(n)
    s = values[order]
    m = n - 1
    lo, hi = (m - 1) // 2, m // 2

    def pick(j: int) -> np.ndarray:  # element j of the sorted array without rank r
        return np.where(j < ranks, s[j], s[np.minimum(j + 1, n - 1)])

    return (pick(lo) + pick(hi)) / 2


def flag_low(values: pd.Series, k: float, min_gap: float) -> pd.DataFrame:
    """peer_median, mad, gap, ratio, robust_z and low_outlier for a series of group values."""
    known = values.dropna()
    out = pd.DataFrame(index=values.index, columns=["peer_median", "mad"], dtype="float64")
    v = known.to_numpy(dtype="float64")
    out.loc[known.index, "peer_median"] = leave_one_out_median(v)
    mad = MAD_SCALE * float(np.median(np.abs(v - np.median(v)))) if len(v) else np.nan
    out["mad"] = mad
    out["gap"] = values - out["peer_median"]
    out["ratio"] = values / out["peer_median"].where(out["peer_median"] != 0)
    out["robust_z"] = out["gap"] / (mad if mad > 0 else np.nan)
    robust = values < out["peer_median"] - k * mad
    material = values < out["peer_median"] - min_gap
    out["low_outlier"] = (robust & material).fillna(False).astype(bool)
    return out


@register(
    "peer-comparison",
    "同级比较",
    "Peer comparison",
    "each region's value of an indicator against the median of the other regions; low outlier when "
    "below peer median - k·MAD (k = 2) and more than min_gap below the peer median (0.05: 5 "
    "percentage points for a rate, 0.05 clues per inspected unit for clue yield)",
    value="value",
    reference="南京's online diagnosis found 建邺 low on clue transfers (seed 000)",
)
def peer_comparison(
    ledger,
    *,
    as_of: dt.date | str | None = None,
    filters: Filters | None = None,
    by: str | None = None,
    indicator: str = "rectification-rate",
    k: float = 2.0,
    min_gap: float = 0.05,
) -> pd.DataFrame:
    """Compare the groups of ``by`` (default region) on ``indicator`` (a registered metric name).

    Columns: the group columns, the indicator's numerator and denominator (when it is a rate),
    value, peer_median, mad, gap (= value - peer_median), ratio (= value / peer_median),
    robust_z (= gap / MAD), low_outlier. See the module docstring for the rule.
    """
    if isinstance(by, (list, tuple)):
        if len(by) != 1:
            raise ValueError("by: peer comparison compares the groups of one dimension")
        by = by[0]
    by = by or "region"
    if min_gap < 0 or k < 0:
        raise ValueError(f"k, min_gap: must not be negative, got k={k!r}, min_gap={min_gap!r}")
    if indicator not in REGISTRY or not REGISTRY[indicator].rankable:
        usable = ", ".join(n for n, m in REGISTRY.items() if m.rankable)
        raise ValueError(f"indicator: {indicator!r} is not a metric with one value (one of {usable})")
    metric = REGISTRY[indicator]
    result = metric.func(ledger, as_of=as_of, filters=filters, by=by)
    counted = [c for c in (metric.numerator, metric.denominator) if c]
    keys = [c for c in result.columns if c in (by, "round_name", "unit_name") and c not in counted]
    df = result[keys + counted].copy()
    df["value"] = result[metric.value].astype("float64")
    df = pd.concat([df, flag_low(df["value"], k, min_gap)], axis=1)
    if metric.value == "rate":  # fractions: the table view shows them as percent
        df.attrs["rates"] = ["value", "peer_median", "mad", "gap"]
    return df
