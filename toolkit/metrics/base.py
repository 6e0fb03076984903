"""The metric registry and the helpers every metric shares (grouping, rates)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from toolkit.filters import NAME_COLUMNS, normalise_by


@dataclasses.dataclass(frozen=True)
class Metric:
    """A registered metric: its CLI name, titles and one-line definition (with the formula)."""

    name: str
    func: Callable[..., pd.DataFrame]
    title_zh: str
    title_en: str
    definition: str


REGISTRY: dict[str, Metric] = {}


def register(name: str, title_zh: str, title_en: str, definition: str):
    def wrap(func):
        REGISTRY[name] = Metric(name, func, title_zh, title_en, definition)
        return func

    return wrap


def group_columns(table: ir.Table, by: str | Sequence[str] | None) -> list:
    """The grouping keys for ``by``, with a name column beside an id (round -> round_name)."""
    keys = []
    for name in normalise_by(by):
        if name not in table.columns:
            raise ValueError(f"by: {name!r} is not a dimension of this metric")
        keys.append(table[name])
        if name in NAME_COLUMNS:
            keys.append(table[NAME_COLUMNS[name]])
    return keys


def aggregate(table: ir.Table, by, **metrics) -> pd.DataFrame:
    """Group (or not) and execute; an ungrouped result is one row even on an empty table."""
    keys = group_columns(table, by)
    expr = table.group_by(keys).aggregate(**metrics) if keys else table.aggregate(**metrics)
    if keys:
        expr = expr.order_by([k.get_name() for k in keys])
    df = expr.execute()
    for column in metrics:
        if column in df and df[column].dtype.kind in "fiu" or column in df and df[column].isna().any():
            df[column] = df[column].fillna(0).astype("int64")
    return df


def rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as a fraction; NaN where there is nothing to be a rate of."""
    return (numerator / denominator.where(denominator > 0)).astype("float64")


def count_where(condition: ir.BooleanValue) -> ir.IntegerScalar:
    return condition.ifelse(1, 0).sum()


__all__ = ["REGISTRY", "Metric", "aggregate", "count_where", "group_columns", "ibis", "rate", "register"]
