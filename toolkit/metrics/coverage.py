"""全覆盖: has every unit in scope been inspected at least once in the term (届, five years)?

The denominator is the unit register as the ledger holds it, on every as-of date: units are
reference records without a date of their own (the date one was registered is when someone
typed it in, not when the 党组织 came to exist), so a unit registered after the as-of date
still counts, as not yet inspected unless an inspection of it had been recorded by then. A
past date's coverage is thus measured against today's register of units in scope; a unit that
was abolished or merged is marked out of scope (``in_scope``) rather than deleted. The
numerator (inspections) and the term (rounds started by the as-of date) are replayed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import ibis
import pandas as pd

from toolkit.filters import Filters, apply, reference_table, resolve_as_of, scoped
from toolkit.metrics.base import HIGHER, aggregate, count_where, rate, register, view_on

# Dimensions a unit has; the round dimensions (round, round_kind, level, team) restrict which
# inspections count instead.
UNIT_DIMENSIONS = ("term", "region", "unit", "unit_kind", "sector")


def resolve_term(view, day: dt.date, filters: Filters | None) -> tuple[str, ...]:
    """The term(s) coverage is counted over: the ``term`` filter if given, else the term of the
    latest round that had started by ``day`` (the term in progress on that date). A ledger
    with no round yet has no term: every unit counts as not inspected."""
    if filters is not None and "term" in filters.active():
        return filters.active()["term"]
    rounds = reference_table(view, "rounds")
    started = rounds.filter(rounds.start <= ibis.literal(day))
    latest = started.order_by([ibis.desc("start"), ibis.desc("id")]).limit(1).select("term").execute()
    return tuple(latest["term"]) if len(latest) else ()


@register(
    "coverage",
    "巡察全覆盖",
    "Coverage",
    "units in scope inspected at least once in the term by the as-of date / units in scope in the "
    "unit register (every date counts today's register; term: the term of the latest round started "
    "by the as-of date, or the term filter)",
    numerator="inspected",
    denominator="units",
    direction=HIGHER,
    dimensions=UNIT_DIMENSIONS,
)
def coverage(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """全覆盖率 = inspected / units.

    units: units in scope (``in_scope``) in the unit register, whenever registered (see the
    module docstring), after the unit filters (region, unit_kind, sector, unit). inspected: those with at least one inspection by ``as_of`` in a
    round of the term; round filters (round, round_kind, level, team) narrow which inspections
    count (e.g. coverage by city rounds only). Term: see ``resolve_term``.
    Dimensions: term, region, unit, unit_kind, sector. Columns: the ``by`` dimensions (the term
    column always comes first), units, inspected, rate.
    """
    day = resolve_as_of(as_of)
    view = view_on(ledger, day)
    terms = resolve_term(view, day, filters)
    inspection_filters = dataclasses.replace(filters or Filters(), term=terms or ("",))
    inspections = scoped(view, "inspections", inspection_filters)
    seen = inspections.select(seen_id=inspections.unit_id).distinct()
    units = reference_table(view, "units")
    units = units.filter(units.in_scope)
    units = units.select(
        unit=units.id,
        unit_name=units.name,
        region=units.region,
        unit_kind=units.unit_kind,
        sector=units.sector,
    )
    unit_filters = None
    if filters is not None:
        unit_filters = Filters(**{k: v for k, v in filters.active().items() if k in UNIT_DIMENSIONS[1:]})
    units = apply(units, unit_filters)
    joined = units.left_join(seen, units.unit == seen.seen_id)
    joined = joined.mutate(term=ibis.literal("、".join(terms)), inspected=joined.seen_id.notnull())
    by_list = [by] if isinstance(by, str) else list(by or [])
    keys = by_list if "term" in by_list else ["term", *by_list]
    df = aggregate(joined, keys, units=joined.count(), inspected=count_where(joined.inspected))
    df["rate"] = rate(df["inspected"], df["units"])
    return df
