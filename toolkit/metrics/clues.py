"""问题线索: how many clues rounds transfer, how many become cases, and what the cases bring.

Clues carry the round and unit dimensions (term, round, round_kind, level, region, unit,
unit_kind, sector); they have no problem category and no team, so ``by="category"`` or
``by="team"`` is an error here and a category filter leaves clues alone.

Which disposals are final (成案率's denominator): 谈话函询 (talk), 予以了结 (close) and
立案审查调查 (case). 初步核实 (verify) and 暂存待查 (shelve) are steps on the way: a clue under
preliminary verification or shelved may still become a case, so it counts as pending, like a
clue with no disposal yet.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.filters import CLUE_DIMENSIONS, Filters, resolve_as_of, scoped
from toolkit.metrics.base import HIGHER, aggregate, aggregate_parts, count_where, rate, register, view_on
from toolkit.models import Disposal

FINAL_DISPOSALS = (Disposal.TALK, Disposal.CLOSE, Disposal.CASE)
PENDING_DISPOSALS = (Disposal.VERIFY, Disposal.SHELVE)  # and no disposal at all


@register(
    "clue-yield",
    "线索移交率",
    "Clue yield",
    "clues transferred by the as-of date / distinct units inspected (clues per inspected unit)",
    value="clues_per_unit",
    numerator="clues",
    denominator="units_inspected",
    direction=HIGHER,
    reference="衢州 514 clues from 802 党组织 inspected = 0.64 per unit (seed 003)",
    dimensions=CLUE_DIMENSIONS,
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
    view = view_on(ledger, resolve_as_of(as_of))
    # Both are only counted: nothing a change touches is read, so no replay.
    clues = scoped(view, "clues", filters, fixed=True)
    inspections = scoped(view, "inspections", filters, fixed=True)
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
    "clues disposed as 立案审查调查 (case opened) / clues whose disposal is final (谈话函询, 予以了结 or "
    "立案审查调查) on the as-of date; 初步核实 and 暂存待查 are pending, they may still become cases",
    numerator="cases",
    denominator="disposed",
    direction=HIGHER,
    dimensions=CLUE_DIMENSIONS,
)
def case_conversion(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """成案率 = cases / disposed.

    disposed: clues whose disposal on ``as_of`` is final (``FINAL_DISPOSALS``: 谈话函询, 予以了结,
    立案审查调查). pending: the rest (no disposal yet, 初步核实 or 暂存待查): left out of the
    rate, so a recent round is not penalised for work in progress and a clue under verification
    is not counted as one that did not become a case. cases: clues disposed as 立案审查调查
    (case opened by ``as_of``). clues = disposed + pending.
    Columns: the ``by`` dimensions, clues, disposed, pending, cases, rate.
    """
    view = view_on(ledger, resolve_as_of(as_of))
    clues = scoped(view, "clues", filters)
    final = clues.disposal.isin([d.value for d in FINAL_DISPOSALS])
    df = aggregate(
        clues,
        by,
        clues=clues.count(),
        disposed=count_where(final.fill_null(False)),
        pending=count_where(~final.fill_null(False)),
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
    direction=HIGHER,
    reference="衢州 514 clues, 163 sanctioned, 10 referred to prosecution, 3,842万元 recovered (seed 003)",
    dimensions=CLUE_DIMENSIONS,
)
def outcomes(
    ledger, *, as_of: dt.date | str | None = None, filters: Filters | None = None, by=None
) -> pd.DataFrame:
    """Sums over clues on ``as_of``: cases = clues disposed as 立案审查调查; decided = cases with an
    outcome recorded (sanctioned > 0 or prosecuted > 0 or recovered_yuan > 0); sanctioned,
    prosecuted, recovered_yuan = sums of the clues' outcome fields (元; 万元 is a display unit).
    Columns: the ``by`` dimensions, clues, cases, decided, sanctioned, prosecuted, recovered_yuan.
    """
    view = view_on(ledger, resolve_as_of(as_of))
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
