"""Scoreboard (昆明 蓝绿黄红): a weighted score of indicators per region or team, in colour bands.

Each indicator is a registered metric computed once, grouped by ``by``. Its value is turned
into points relative to the best group, in the indicator's direction (``Metric.direction``):
* higher is better (整改率, clues per unit): points = 100 * value / best value;
* lower is better (the recurrence rate, the red share of open problems; always a rate):
  points = 100 * (1 - value) / (1 - best value), i.e. the complementary rate (problems that
  did not recur) against the best group's.
The best group scores 100, so rates on different scales, e.g. clues per unit and 整改率, can be
weighed together, and weighting a bad indicator never ranks the worst group best.
score = sum(weight * points) / sum(weight) over the indicators the group has a value for (a
group with nothing to be rated on for one indicator is scored on the others).

Defaults (``DEFAULT_WEIGHTS``): 整改率 0.3, 按期整改率 0.3, 成案率 0.2, clue yield 0.2.
Weights are non-negative and not all zero; an indicator is any metric the registry marks with a
direction. Indicators without the ``by`` dimension (clues have no team) are left out and the
weights of the rest renormalised; ``indicators`` in the result lists what was used.
Bands (``DEFAULT_BANDS``, score at or above the cut-off, first match): blue >= 95,
green >= 85, yellow >= 75, red below.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from toolkit.filters import Filters, normalise_by, resolve_as_of
from toolkit.metrics.base import LOWER, REGISTRY, register
from toolkit.metrics.ontime import on_time_rate, with_rectification
from toolkit.metrics.rectification import rectification_rate

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


def check_weights(weights: dict[str, float]) -> dict[str, float]:
    """Weights by indicator name: known rankable metrics, finite, non-negative, not all zero."""
    if not isinstance(weights, dict) or not weights:
        raise ValueError("weights: give at least one indicator and its weight")
    rankable = [n for n, m in REGISTRY.items() if m.rankable]
    for name, weight in weights.items():
        if name not in REGISTRY or not REGISTRY[name].rankable:
            raise ValueError(f"weights: {name!r} is not an indicator (one of {', '.join(rankable)})")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise ValueError(f"weights: the weight of {name} must be a number, got {weight!r}")
        if weight < 0:
            raise ValueError(f"weights: the weight of {name} must not be negative, got {weight!r}")
    if not any(weights.values()):
        raise ValueError("weights: all weights are zero; give at least one indicator a positive weight")
    return {name: float(weight) for name, weight in weights.items() if weight > 0}


def check_bands(bands) -> None:
    """Bands are (colour name, cut-off score) pairs."""
    try:
        ok = all(isinstance(n, str) and math.isfinite(float(cut)) for n, cut in bands) and len(bands) > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"bands: must be (name, cut-off score) pairs, got {bands!r}")


def points(value: pd.Series, direction: str) -> pd.Series:
    """0-100 points against the best group in ``direction`` (see the module docstring); NaN
    when no group has anything to score (every value missing, or the best is 0)."""
    good = 1 - value if direction == LOWER else value
    best = good.max()
    if pd.isna(best) or best <= 0:
        return pd.Series(float("nan"), index=value.index)
    return 100 * good / best


def _computed_together(ledger, as_of, filters, by, weights) -> dict[str, pd.DataFrame]:
    """Indicators' results computed from one pass when several count the same records: 整改率 and
    按期整改率 both count the problems (``ontime.with_rectification``, the same frames)."""
    pair = ("rectification-rate", "on-time-rate")
    if not all(name in weights for name in pair):
        return {}
    if (REGISTRY[pair[0]].func, REGISTRY[pair[1]].func) != (rectification_rate, on_time_rate):
        return {}  # a registry changed by hand: ask each one
    return dict(zip(pair, with_rectification(ledger, as_of=as_of, filters=filters, by=by), strict=True))


@register(
    "scoreboard",
    "综合评分",
    "Scoreboard",
    "weighted score of indicators per region or team: points = 100 * value / best group's value "
    "(lower-is-better rates: 100 * (1 - value) / (1 - best value)), banded blue ≥ 95, green ≥ 85, "
    "yellow ≥ 75, red below",
    value="score",
    reference="昆明 scores its supervision groups on clues found and transferred and 成案率, in "
    "蓝绿黄红 bands (seed 000)",
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
    normalise_by(by)
    resolve_as_of(as_of)  # a bad date is an error here, not in the first indicator
    weights = check_weights(DEFAULT_WEIGHTS if weights is None else weights)
    check_bands(bands)
    frames, used = [], []
    shared = _computed_together(ledger, as_of, filters, by, weights)
    for name, weight in weights.items():
        metric = REGISTRY[name]
        if by not in metric.dimensions:
            continue  # this indicator has no such dimension (clues have no team)
        result = shared[name] if name in shared else metric.func(ledger, as_of=as_of, filters=filters, by=by)
        keys = [c for c in result.columns if c in (by, "round_name", "unit_name")]
        cols = {c: f"{name}:{c}" for c in (metric.numerator, metric.denominator) if c}
        part = result[keys + list(cols)].rename(columns=cols)
        value = result[metric.value].astype("float64")
        part[name] = value
        part[f"{name}_points"] = points(value, metric.direction)
        frames.append(part.set_index(keys))
        used.append((name, weight))
    if not frames:
        raise ValueError(f"by: no scoreboard indicator can be grouped by {by!r}")
    df = pd.concat(frames, axis=1, join="outer").reset_index()
    total = pd.Series(0.0, index=df.index)
    weight_sum = pd.Series(0.0, index=df.index)
    for name, weight in used:
        earned = df[f"{name}_points"]
        total += (weight * earned).fillna(0)
        weight_sum += earned.notna() * weight
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
