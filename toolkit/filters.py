"""One ``Filters`` value for every metric, chart and panel: round 8 means the same thing everywhere.

Drill-down is a filtered view (Fava's lesson): the apps only turn controls into a ``Filters``
and pass it on. ``scoped`` joins a record table to its round and unit so every record carries
the same dimension columns, then applies the filters, all as one ibis expression.

Units and rounds are reference records: they never change, and the date they were registered
is an accident of data entry (an import creates a unit on the start of the first round its
sheet names, so importing a later round's sheet first registers the unit "late"). A record
replayed to a past date therefore keeps its unit and round whenever they were registered:
``reference_table`` reads them from the whole ledger, never from the as-of replay.

A figure that only counts records (or reads fields no change touches: ids, round, unit,
category) needs no replay on a past date: ``scoped(..., fixed=True)`` reads them as ``recorded``
gives them, the current-state rows added by then, without the fields a change can touch.

Dimensions (also the ``by`` groupings of the metrics):
  term, round (round id), round_kind, level, region, unit (unit id), unit_kind, sector,
  category (problems only), team.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

import ibis.expr.types as ir

from toolkit import models
from toolkit.replay import DERIVED

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
# What a clue (or an assignment) can be grouped by: it has no problem category and no team.
CLUE_DIMENSIONS = tuple(d for d in DIMENSIONS if d not in ("category", "team"))
# Records that are joined, never replayed (see the module docstring).
REFERENCE_TABLES = ("units", "rounds")
PORTRAIT_YEARS = 5  # the period a unit's 一报一单 and its page in the app both cover
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
    names = [by] if isinstance(by, str) else list(by) if isinstance(by, (list, tuple)) else [by]
    for name in names:
        if not isinstance(name, str) or name not in DIMENSIONS:
            raise ValueError(f"by: unknown dimension {name!r} (one of {', '.join(DIMENSIONS)})")
    return names


def resolve_as_of(as_of: dt.date | str | None) -> dt.date:
    """None means today: the one place the metrics read the clock. Anything that is not a date
    or a YYYY-MM-DD text is a clear error (never a silently different day)."""
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    if isinstance(as_of, str):
        try:
            return dt.date.fromisoformat(as_of.strip())
        except ValueError:
            pass
    raise ValueError(f"as_of: {as_of!r} is not a date (YYYY-MM-DD)")


def stored_ledger(view):
    """The ledger behind a view: a view replayed to a date names it as ``.ledger`` (``LedgerView``,
    ``DatedView``); a ledger (or anything read like one, such as a report's handle) is its own."""
    return getattr(view, "ledger", view)


@dataclasses.dataclass(frozen=True)
class DatedView:
    """A view replayed to a date (``replayed``, e.g. ``ledger.as_of(day)``) that remembers the
    ledger it came from, so reference tables are read from that ledger, never replayed."""

    ledger: object
    replayed: object

    def table(self, name: str, *, derived: bool | Iterable[str] = True) -> ir.Table:
        return self.replayed.table(name, derived=derived)


def reference_table(view, name: str) -> ir.Table:
    """``units`` or ``rounds`` as the ledger holds them, whatever the view's date (see the
    module docstring: reference records are not replayed)."""
    if name not in REFERENCE_TABLES:
        raise ValueError(f"table: {name!r} is not a reference table (one of {', '.join(REFERENCE_TABLES)})")
    return stored_ledger(view).table(name)


def recorded(view, entity_table: str) -> ir.Table:
    """``entity_table``'s records on the view's date with only the fields no change touches (ids,
    round, unit, category ...; ``models.Record.mutable`` lists the others, which are left out, as
    are ``changed_at`` and the columns derived from the history, ``replay.DERIVED``).

    A record stands in the replay of a date exactly when it was added by then, and these fields
    are as it was added, so the rows are the current-state table's, filtered on ``added_at``: no
    replay (on a past date that skips a pass over every change). A view without a known date (a
    ledger, a report's handle), or one asked to replay every record (``replay_all``, what the
    tests compare with), is read as it is.
    """
    dated = getattr(view, "replayed", view)
    day = getattr(dated, "day", None)
    if day is None or getattr(dated, "replay_all", False):
        table = view.table(entity_table)
    else:
        table = stored_ledger(view).table(entity_table)
        table = table.filter(table.added_at <= day)
    entity = entity_table.removesuffix("s")
    moving = (
        set(models.RECORD_TYPES[entity].mutable) | {"changed_at"} | {n for n, _ in DERIVED.get(entity, ())}
    )
    return table.drop(*[c for c in table.columns if c in moving])


def scoped(
    view,
    entity_table: str,
    filters: Filters | None = None,
    *,
    fixed: bool = False,
    derived: bool | Iterable[str] = False,
) -> ir.Table:
    """``entity_table`` (problems, clues, inspections) of a ledger view with every dimension column.

    ``view`` is a ledger or a view replayed to a date: the records are replayed to its date, their
    rounds and units are joined from the whole ledger (``reference_table``), so a record never
    drops out of a past date because its unit or round was registered after it.
    ``fixed``: the caller needs only fields no change touches (to count records, say), so the
    records are read as ``recorded`` gives them, without replaying, and the other fields are
    left out.
    ``derived``: the columns derived from each record's history the caller reads (True: all, or
    their names; a problem's ``extensions``, ``judged_due``, ``found_again_on``:
    ``toolkit.replay.DERIVED``); on a past date they cost the replay more, so they come only
    when asked (a ledger's own tables hold them either way).
    """
    records = recorded(view, entity_table) if fixed else view.table(entity_table, derived=derived)
    rounds = reference_table(view, "rounds")
    units = reference_table(view, "units")
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
