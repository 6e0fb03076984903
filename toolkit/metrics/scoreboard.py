"""Scoreboard (昆明 蓝绿黄红): a weighted score of indicators per region or team, in colour bands.

Each indicator is a registered metric computed once, grouped by ``by``. Its value is turned
into points relative to the best group: points = 100 * value / best value (the best group
scores 100, so rates on different scales, e.g. clues per unit and 整改率, can be weighed
together). score = sum(weight * points) / sum(weight) over the indicators the group has a
value for (a group with nothing to be rated on for one indicator is scored on the others).

Defaults (``DEFAULT_WEIGHTS``): 整改率 0.3, 按期整改率 0.3, 成案率 0.2, clue yield 0.2.
Indicators without the ``by`` dimension (clues have no team) are left out and the weights of
the rest renormalised; ``indicators`` in the result lists what was used.
Bands (``DEFAULT_BANDS``, score at or above the cut-off, first match): blue >= 95,
green >= 85, yellow >= 75, red below.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.filters import Filters
from toolkit.metrics.base import REGISTRY, register

DEFAULT_WEIGHTS: dict[str, float] = {
    "rectification-rate": 0.3,
    "on-time-rate": 0.3,
    "case-conversion": 0.2,
    "clue-yield": 0.2,
}
DEFAULT_BANDS: tuple[tuple[str, float], ...] = (("blue", 95.0), ("green", 85.0), ("yellow", 75.0))
LOWEST_BAND = "red"


def band(score: pd.Series, bands=DEFAULT_BANDS) -> pd.Series:
    """The colour band of each score (NaN score: no band)."""
    out = pd.Series(LOWEST_BAND, index=score.index, dtype="object")
    for name, cut in sorted(bands, key=lambda b: b[1]):
        out[score >= cut] = name
    return out.where(score.notna(), None)


@register(
    "scoreboard",
    "综合评分",
    "Scoreboard",
    "weighted score of indicators per region or team (points = 100 * value / best group's value), "
    "banded blue >= 95, green >= 85, yellow >= 75, red below",
    value="score",
)
def scoreboard(
    ledger,
    *,
    as_of: dt.date | str | None = None,
    filters: Filters | None = None,
    by: str | None = None,
    weights: dict[str, float] | None = None,
    bands: tuple[tuple[str, float], ...] = DEFAULT_BANDS,
) -> pd.DataFrame:
    """Score the groups of ``by`` (default region).

    Columns: the group columns; each indicator's numerator and denominator
    (``<indicator>:<column>``); each indicator's value (``<indicator>``, a fraction for rates);
    its points (``<indicator>_points``, 0-100); score; band; indicators (the names used,
    comma-separated). Sorted by score, best first.
    """
    if isinstance(by, (list, tuple)):
        if len(by) != 1:
            raise ValueError("by: the scoreboard ranks the groups of one dimension")
        by = by[0]
    by = by or "region"
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    frames, used = [], []
    for name, weight in weights.items():
        metric = REGISTRY[name]
        try:
            result = metric.func(ledger, as_of=as_of, filters=filters, by=by)
        except ValueError:
            continue  # this indicator has no such dimension
        keys = [c for c in result.columns if c in (by, "round_name", "unit_name")]
        cols = {c: f"{name}:{c}" for c in (metric.numerator, metric.denominator) if c}
        part = result[keys + list(cols)].rename(columns=cols)
        value = result[metric.value].astype("float64")
        best = value.max()
        part[name] = value
        part[f"{name}_points"] = 100 * value / best if best and best > 0 else float("nan")
        frames.append(part.set_index(keys))
        used.append((name, weight))
    if not frames:
        raise ValueError(f"by: no scoreboard indicator can be grouped by {by!r}")
    df = pd.concat(frames, axis=1, join="outer").reset_index()
    total = pd.Series(0.0, index=df.index)
    weight_sum = pd.Series(0.0, index=df.index)
    for name, weight in used:
        points = df[f"{name}_points"]
        total += (weight * points).fillna(0)
        weight_sum += points.notna() * weight
    df["score"] = total / weight_sum.where(weight_sum > 0)
    df["band"] = band(df["score"], bands)
    df["indicators"] = ",".join(n for n, _ in used)
    keys = [c for c in df.columns if c in (by, "round_name", "unit_name")]
    counts = [c for c in df.columns if ":" in c]
    df[counts] = df[counts].fillna(0).astype("int64")
    values = [n for n, _ in used]
    df = df[keys + counts + values + [f"{n}_points" for n in values] + ["score", "band", "indicators"]]
    df.attrs["rates"] = [n for n in values if REGISTRY[n].value == "rate"]
    return df.sort_values(["score", by], ascending=[False, True], na_position="last").reset_index(drop=True)
