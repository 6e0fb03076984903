"""One ``Filters`` value for every metric, chart and panel: round 8 means the same thing everywhere.

Drill-down is a filtered view (Fava's lesson): the apps only turn controls into a ``Filters``
and pass it on. ``scoped`` joins a record table to its round and unit so every record carries
the same dimension columns, then applies the filters, all as one ibis expression.

Dimensions (also the ``by`` groupings of the metrics):
  term, round (round id), round_kind, level, region, unit (unit id), unit_kind, sector,
  category (problems only), team.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import ibis.expr.types as ir

DIMENSIONS = (
    "term",
    "round",
    "round_kind",
    "level",
    "region",
    "unit",
    "unit_kind",
    "sector",
    "category",
    "team",
)
# Human-readable columns that travel with an id dimension in results.
NAME_COLUMNS = {"round": "round_name", "unit": "unit_name"}


@dataclasses.dataclass(frozen=True)
class Filters:
    """Restrictions on the dimensions; each is None (no restriction), a value, or a tuple of values."""

    term: str | tuple[str, ...] | None = None
    round: str | tuple[str, ...] | None = None
    round_kind: str | tuple[str, ...] | None = None
    level: str | tuple[str, ...] | None = None
    region: str | tuple[str, ...] | None = None
    unit: str | tuple[str, ...] | None = None
    unit_kind: str | tuple[str, ...] | None = None
    sector: str | tuple[str, ...] | None = None
    category: str | tuple[str, ...] | None = None
    team: str | tuple[str, ...] | None = None

    def active(self) -> dict[str, tuple[str, ...]]:
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or value == () or value == "":
                continue
            out[f.name] = (value,) if isinstance(value, str) else tuple(value)
        return out

    def replace(self, **changes) -> Filters:
        return dataclasses.replace(self, **changes)


def normalise_by(by: str | Sequence[str] | None) -> list[str]:
    """``by`` as a list of dimension names; an unknown name is a clear error."""
    if by is None:
        return []
    names = [by] if isinstance(by, str) else list(by)
    for name in names:
        if name not in DIMENSIONS:
            raise ValueError(f"by: unknown dimension {name!r} (one of {', '.join(DIMENSIONS)})")
    return names


def resolve_as_of(as_of: dt.date | str | None) -> dt.date:
    """None means today: the one place the metrics read the clock."""
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, str):
        return dt.date.fromisoformat(as_of)
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    return as_of


def scoped(view, entity_table: str, filters: Filters | None = None) -> ir.Table:
    """``entity_table`` (problems, clues, inspections) of a ledger view with every dimension column.

    ``view`` is a ``Ledger`` or ``LedgerView``; the round and unit tables come from the same view,
    so a unit or round added after ``as_of`` never leaks in.
    """
    records = view.table(entity_table)
    rounds = view.table("rounds")
    units = view.table("units")
    rounds = rounds.select(
        r_id=rounds.id,
        term=rounds.term,
        round_name=rounds.name,
        round_kind=rounds.round_kind,
        level=rounds.level,
        round_start=rounds.start,
        feedback_on=rounds.feedback_on,
    )
    units = units.select(
        u_id=units.id,
        unit_name=units.name,
        region=units.region,
        unit_kind=units.unit_kind,
        sector=units.sector,
        in_scope=units.in_scope,
    )
    with_round = records.inner_join(rounds, records.round_id == rounds.r_id)
    joined = with_round.inner_join(units, with_round.unit_id == units.u_id)
    table = joined.mutate(round=joined.round_id, unit=joined.unit_id).drop("r_id", "u_id")
    return apply(table, filters)


def apply(table: ir.Table, filters: Filters | None) -> ir.Table:
    """Apply the filters on the dimensions ``table`` has; a clue has no category, so a category
    filter leaves clues alone rather than emptying them."""
    if filters is None:
        return table
    for name, values in filters.active().items():
        if name not in table.columns:
            continue
        table = table.filter(table[name].isin(list(values)))
    return table
