"""The metric registry and the helpers every metric shares (grouping, rates)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from toolkit.filters import DIMENSIONS, NAME_COLUMNS, DatedView, normalise_by, stored_ledger
from toolkit.replay import is_extension

HIGHER = "higher"  # a larger value is better (整改率)
LOWER = "lower"  # a smaller value is better (recurrence, the red share); always a rate
DIRECTIONS = (HIGHER, LOWER)


@dataclasses.dataclass(frozen=True)
class Metric:
    """A registered metric: the one definition the CLI, the README table, the peer comparison
    and the scoreboard read.

    Attributes:
      name: the CLI name (``rectification-rate``); func: the function computing it.
      title_zh, title_en: what the apps and reports call it.
      definition: the formula in words (numerator / denominator, on the as-of date).
      value: the headline column (a rate, a count per unit ...); None for a list of items.
      numerator, denominator: what ``value`` is a rate of, when it is a rate.
      direction: ``higher`` or ``lower`` is better; None when it is no indicator to rank on
        (a list, a comparison, the scoreboard itself).
      reference: a published figure it reproduces, naming the seed document; None if none.
      dimensions: the ``by`` dimensions it can group by (clues have no category or team).
    """

    name: str
    func: Callable[..., pd.DataFrame]
    title_zh: str
    title_en: str
    definition: str
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    direction: str | None = None
    reference: str | None = None
    dimensions: tuple[str, ...] = DIMENSIONS

    @property
    def rankable(self) -> bool:
        """Usable as a scoreboard indicator: one value per group and a known better side."""
        return self.value is not None and self.direction is not None


REGISTRY: dict[str, Metric] = {}


def register(
    name: str,
    title_zh: str,
    title_en: str,
    definition: str,
    *,
    value: str | None = "rate",
    numerator: str | None = None,
    denominator: str | None = None,
    direction: str | None = None,
    reference: str | None = None,
    dimensions: tuple[str, ...] = DIMENSIONS,
):
    """Add a metric to ``REGISTRY``; ``value``/``numerator``/``denominator`` name its columns so
    the peer comparison and the scoreboard can use any registered rate, ``direction`` tells the
    scoreboard which way is better."""
    if direction is not None and direction not in DIRECTIONS:
        raise ValueError(f"direction: {direction!r} is not one of {', '.join(DIRECTIONS)}")
    if direction == LOWER and value != "rate":
        raise ValueError(f"direction: {name} is lower-is-better, so its value must be a rate (a fraction)")
    if unknown := set(dimensions) - set(DIMENSIONS):
        raise ValueError(f"dimensions: unknown {sorted(unknown)[0]!r}")

    def wrap(func):
        REGISTRY[name] = Metric(
            name,
            func,
            title_zh,
            title_en,
            definition,
            value,
            numerator,
            denominator,
            direction,
            reference,
            tuple(dimensions),
        )
        return func

    return wrap


# Tests set this to replay every record, even when the as-of date is past the last event (to
# check the shortcuts, below and in ``toolkit.replay.state``, give the same answer).
ALWAYS_REPLAY = False


def view_on(ledger, day: dt.date):
    """The ledger as it stood at the end of ``day``.

    On or after the date of the last event, the replay equals the current-state tables
    (``problems``, ``clues`` ...) that every write materialises, so those are read directly:
    one cheap ``max(at)`` query instead of a group-by over every change (none at all on a ledger
    that cannot change and knows its ``last_event_day``, such as a Parquet export on Spark).
    Earlier dates replay
    (a ``DatedView``: units, rounds and the stored tables still come from ``ledger`` itself).
    """
    if ALWAYS_REPLAY:
        return DatedView(ledger, ledger.as_of(day, replay_all=True))
    latest = getattr(ledger, "latest_event_day", None)  # a Ledger keeps it; an export knows it
    last = latest() if latest is not None else ledger.table("events").at.max().execute()
    if last is None or pd.isna(last) or pd.Timestamp(day) >= pd.Timestamp(last):
        return ledger
    return DatedView(ledger, ledger.as_of(day))


def with_extensions(view, problems: ir.Table) -> ir.Table:
    """``problems`` (of ``view``) with ``extensions``, the deadline extensions each had by the
    view's date: kept in the state of a ledger that stores it (``toolkit.replay.DERIVED``), else
    counted from the log (a ledger, or an export, written before it was stored) the same way: an
    extension is a deadline_extended event's change of the due date."""
    if "extensions" in problems.columns:
        return problems
    changes = stored_ledger(view).table("changes")
    dues = changes.filter(is_extension(changes, view.table("events"), None))  # events up to the view's date
    counted = dues.group_by(ext_id=dues.record_id).aggregate(extensions=dues.count())
    joined = problems.left_join(counted, problems.id == counted.ext_id)
    return joined.mutate(extensions=joined.extensions.fill_null(0)).drop("ext_id")


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


def execute(expr: ir.Table) -> pd.DataFrame:
    """``expr.execute()``, quicker for a long result on DuckDB: the same frame (values, dtypes).

    ibis turns each column that holds a NULL into Python objects one value at a time before
    converting it (tens of milliseconds for a date column of a hundred thousand rows); here a
    date or number column with NULLs takes Arrow's own conversion instead, which gives pandas
    the same values (dates as ``datetime.date`` objects, numbers as floats with NaN) for ibis's
    conversion to finish. Other backends execute as they always do."""
    backend = expr._find_backend()
    if getattr(backend, "name", None) != "duckdb":
        return expr.execute()
    import pyarrow.types as pat
    from ibis.backends.duckdb.converter import DuckDBPandasData

    table = backend._to_duckdb_relation(expr).to_arrow_table()
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        arrow_own = pat.is_date(kind) or pat.is_integer(kind) or pat.is_floating(kind)
        if pat.is_nested(kind) or pat.is_dictionary(kind) or (column.null_count and not arrow_own):
            columns[name] = column.to_pylist()  # as ibis does
        else:
            columns[name] = column.to_pandas()
    df = DuckDBPandasData.convert_table(pd.DataFrame(columns), expr.as_table().schema())
    return expr.__pandas_result__(df)


def key_names(table: ir.Table, by) -> list[str]:
    """Names of the grouping columns ``aggregate`` would produce (ids and their name columns)."""
    return [k.get_name() for k in group_columns(table, by)]


def aggregate_parts(by, *parts: tuple[ir.Table, dict]) -> pd.DataFrame:
    """Several aggregations grouped by the same ``by``, joined in the database, executed once.

    Each part is ``(table, {column: aggregate expression})``; groups missing from a part get 0.
    Used when numerator and denominator come from different record tables (clues per
    inspected unit)."""
    keys = key_names(parts[0][0], by)
    exprs = []
    for table, aggs in parts:
        cols = group_columns(table, by)
        exprs.append(table.group_by(cols).aggregate(**aggs) if cols else table.aggregate(**aggs))
    result = exprs[0]
    if not keys:
        for other in exprs[1:]:
            result = result.cross_join(other)
    elif len(exprs) > 1:
        # One chain of outer joins: a group missing from the first part is matched on the key
        # any earlier part has (coalesce), and the keys are taken the same way.
        renamed = [exprs[0]] + [
            other.rename({f"{k}__{i}": k for k in keys}) for i, other in enumerate(exprs[1:], start=1)
        ]

        def key(k, upto):
            values = [renamed[0][k]] + [renamed[j][f"{k}__{j}"] for j in range(1, upto)]
            return values[0] if len(values) == 1 else ibis.coalesce(*values)

        joined = renamed[0]
        for i, other in enumerate(renamed[1:], start=1):
            joined = joined.outer_join(other, [key(k, i) == other[f"{k}__{i}"] for k in keys])
        result = joined.select(
            *[key(k, len(renamed)).name(k) for k in keys],
            *[part[c] for part, (_, aggs) in zip(renamed, parts, strict=True) for c in aggs],
        )
    if keys:
        result = result.order_by(keys)
    df = result.execute()
    counts = [c for _, aggs in parts for c in aggs]
    df[counts] = df[counts].fillna(0).astype("int64")
    return df


def rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as a fraction; NaN where there is nothing to be a rate of."""
    return (numerator / denominator.where(denominator > 0)).astype("float64")


def count_where(condition: ir.BooleanValue) -> ir.IntegerScalar:
    return condition.ifelse(1, 0).sum()


__all__ = [
    "DIRECTIONS",
    "HIGHER",
    "LOWER",
    "REGISTRY",
    "Metric",
    "aggregate",
    "aggregate_parts",
    "key_names",
    "count_where",
    "view_on",
    "with_extensions",
    "group_columns",
    "ibis",
    "rate",
    "register",
]
