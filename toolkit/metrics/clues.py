"""问题线索: how many clues rounds transfer, how many become cases, and what the cases bring.

Clues carry the round and unit dimensions (term, round, round_kind, level, region, unit,
unit_kind, sector); they have no problem category and no team, so ``by="category"`` or
``by="team"`` is an error here and a category filter leaves clues alone.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.filters import Filters, resolve_as_of, scoped
from toolkit.metrics.base import aggregate, aggregate_parts, count_where, rate, register
from toolkit.models import Disposal


@register(
    "clue-yield",
    "线索移交率",
    "Clue yield",
    "clues transferred by the as-of date / distinct units inspected (clues per inspected unit)",
    value="clues_per_unit",
    numerator="clues",
    denominator="units_inspected",
)
def clue_yield(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """Clues per inspected unit = clues / units_inspected.

    clues: clues transferred (移交) by ``as_of``; units_inspected: distinct units with an
    inspection (a round on site) by ``as_of`` in the same group. A unit inspected in two rounds
    counts once in a total and once in each round's row. Low values flag rounds or regions that
    find problems but pass few clues on (南京 found 建邺 low on transfers).
    Columns: the ``by`` dimensions, clues, units_inspected, clues_per_unit (may exceed 1).
    """
    view = ledger.as_of(resolve_as_of(as_of))
    clues = scoped(view, "clues", filters)
    inspections = scoped(view, "inspections", filters)
    df = aggregate_parts(
        by,
        (inspections, {"units_inspected": inspections.unit_id.nunique()}),
        (clues, {"clues": clues.count()}),
    )
    keys = [c for c in df.columns if c not in ("units_inspected", "clues")]
    df = df[keys + ["clues", "units_inspected"]]
    df["clues_per_unit"] = rate(df["clues"], df["units_inspected"])
    return df


@register(
    "case-conversion",
    "成案率",
    "Case conversion",
    "clues that led to a case (立案) / clues whose disposal is finished, on the as-of date",
    numerator="cases",
    denominator="disposed",
)
def case_conversion(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """成案率 = cases / disposed.

    disposed: clues with a disposal on ``as_of`` (谈话函询, 初步核实, 暂存待查, 予以了结 or
    立案审查调查); clues still pending are left out, so a recent round is not penalised for work
    in progress. cases: clues disposed as 立案审查调查 (case opened by ``as_of``).
    Columns: the ``by`` dimensions, clues, disposed, cases, rate.
    """
    view = ledger.as_of(resolve_as_of(as_of))
    clues = scoped(view, "clues", filters)
    df = aggregate(
        clues,
        by,
        clues=clues.count(),
        disposed=count_where(clues.disposal.notnull()),
        cases=count_where(clues.disposal == Disposal.CASE.value),
    )
    df["rate"] = rate(df["cases"], df["disposed"])
    return df


@register(
    "outcomes",
    "问责处理",
    "Outcomes",
    "clues, cases opened (立案), persons sanctioned (党纪政务处分), persons referred to prosecution "
    "(移送司法), recovered funds in 元 (挽回经济损失), as recorded by the as-of date",
    value="sanctioned",
)
def outcomes(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """Sums over clues on ``as_of``: cases = clues disposed as 立案审查调查; decided = cases with an
    outcome recorded (sanctioned > 0 or prosecuted > 0 or recovered_yuan > 0); sanctioned,
    prosecuted, recovered_yuan = sums of the clues' outcome fields (元; 万元 is a display unit).
    Columns: the ``by`` dimensions, clues, cases, decided, sanctioned, prosecuted, recovered_yuan.
    """
    view = ledger.as_of(resolve_as_of(as_of))
    clues = scoped(view, "clues", filters)
    outcome = (clues.sanctioned > 0) | (clues.prosecuted > 0) | (clues.recovered_yuan > 0)
    return aggregate(
        clues,
        by,
        clues=clues.count(),
        cases=count_where(clues.disposal == Disposal.CASE.value),
        decided=count_where(outcome),
        sanctioned=clues.sanctioned.sum(),
        prosecuted=clues.prosecuted.sum(),
        recovered_yuan=clues.recovered_yuan.sum(),
    )
