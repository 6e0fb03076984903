"""交办事项: matters the office assigned, and whether the report came back by its due date."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from toolkit.filters import CLUE_DIMENSIONS, Filters, apply, reference_table, resolve_as_of
from toolkit.metrics.base import HIGHER, aggregate, count_where, rate, register, view_on


def assignment_dimensions(view) -> ibis.Table:
    """Assignments with the dimension columns they can have: region is the assignee region;
    unit (unit_name, unit_kind, sector) only when assigned to one unit, round (term, round_name,
    round_kind, level) only when tied to a round; otherwise those are empty. Units and rounds are
    reference records, joined whenever they were registered."""
    a = view.table("assignments")
    units = reference_table(view, "units")
    rounds = reference_table(view, "rounds")
    units = units.select(u_id=units.id, unit_name=units.name, unit_kind=units.unit_kind, sector=units.sector)
    rounds = rounds.select(
        r_id=rounds.id,
        term=rounds.term,
        round_name=rounds.name,
        round_kind=rounds.round_kind,
        level=rounds.level,
    )
    j = a.left_join(units, a.assignee_unit_id == units.u_id)
    j = j.left_join(rounds, j.round_id == rounds.r_id)
    return j.mutate(region=j.assignee_region, unit=j.assignee_unit_id, round=j.round_id).drop("u_id", "r_id")


@register(
    "assignments",
    "交办事项按期反馈率",
    "Assignments reported back",
    "assigned matters reported back on or before their due date / assigned matters due by the as-of date",
    numerator="reported_on_time",
    denominator="due",
    direction=HIGHER,
    reference="南京 assigned 37 matters to 12 districts online, every one reported back (seed 000)",
    dimensions=CLUE_DIMENSIONS,
)
def assignments(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """按期反馈率 = reported_on_time / due.

    due: matters assigned by ``as_of`` whose due date is on or before ``as_of`` (a matter not
    yet due is not judged). reported_on_time: of those, reported back with
    ``reported_on <= due``; reported_late: reported after the due date (by ``as_of``);
    outstanding: no report by ``as_of``.
    Dimensions: region (the assignee), and unit / round / term when the matter names them;
    no category or team. Columns: the ``by`` dimensions, due, reported_on_time, reported_late,
    outstanding, rate.
    """
    day = resolve_as_of(as_of)
    table = apply(assignment_dimensions(view_on(ledger, day)), filters)
    table = table.filter(table.due <= ibis.literal(day))
    reported = table.reported_on.notnull()
    df = aggregate(
        table,
        by,
        due=table.count(),
        reported_on_time=count_where(reported & (table.reported_on <= table.due)),
        reported_late=count_where(reported & (table.reported_on > table.due)),
        outstanding=count_where(~reported),
    )
    df["rate"] = rate(df["reported_on_time"], df["due"])
    return df
