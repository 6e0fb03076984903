"""Findings: what an import decided that a person should check before signing its figures.

A finding changes no count and rejects no row; it names what the importer could not know for
sure, so the analyst sees it in the dry run (``toolkit import --dry-run``) and in the JSON:

- ``similar_unit``: a unit the import creates resembles a unit the ledger (or the import's own
  unit list) already has in the same region (``resolve.similar_unit``): the same unit misspelt,
  or a new one? Map it with ``--unit`` or correct the name, or leave it when it is new.
- ``created_round``: a round the import creates, with the one date its start, end and feedback
  take (``resolve.robust_start``): the analyst checks it against the round's real dates.
- ``date_from_filing``: rows marked rectified (or closed out) without 整改完成时间 (销号时间),
  dated by the 填报时间 the file states: done by then, perhaps earlier.
- ``filing_date_ignored``: a sheet's 填报时间 line that is not a plausible date, so nothing was
  dated by it.
- ``unheaded_cells``: data rows with values in columns that have no header: no field reads them,
  so they are said, not silently dropped.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from itertools import compress, groupby, repeat
from operator import and_, attrgetter, is_, is_not, itemgetter, not_, or_

import numpy as np

from toolkit.ingest import limits
from toolkit.ingest.normalize import CellError, parse_date, shown
from toolkit.ingest.report import Finding, ImportReport, row_ranges
from toolkit.ingest.resolve import SimilarUnits
from toolkit.models import Problem, ProblemStatus, Round, Unit

PLACES_SHOWN = 3


@functools.lru_cache(maxsize=256)  # asked once per row of a sheet, with the sheet's one line
def stated_filing_date(meta_date: str | None, today: dt.date) -> dt.date | None:
    """The sheet's 填报时间 line as a date, or None when it has none or it is not plausible."""
    if not meta_date:
        return None
    try:
        day = parse_date(meta_date)
    except CellError:
        return None
    return day if limits.EARLIEST_DATE <= day <= today else None


def note_findings(report: ImportReport, records: list[tuple], plan, existing_units: Iterable[Unit]) -> None:
    """All findings of one import, appended to ``report.findings`` (``plan``: ``writer.Plan``)."""
    places = _Places(records)
    _similar_units(report, places, plan.units, list(existing_units))
    _created_rounds(report, places, plan.rounds)
    _dates_from_filing(report, records)


def note_filing_dates(report: ImportReport, tables, today: dt.date) -> None:
    """A 填报时间 line that could not be used is said once per sheet."""
    for file, table in tables:
        value = table.meta.get("date")
        if value and stated_filing_date(value, today) is None:
            report.findings.append(
                Finding(
                    "filing_date_ignored",
                    f"{file.path} [{table.sheet}]",
                    f"填报时间“{shown(value)}”不是 {limits.EARLIEST_DATE} 至导入日期之间的日期，未采用",
                    f"the sheet's 填报时间 {shown(value)!r} is not a date between {limits.EARLIEST_DATE} "
                    "and the import date; not used",
                )
            )


def note_unheaded_cells(report: ImportReport, tables) -> None:
    """Values in columns without a header are read by nothing: say where, once per sheet."""
    for file, table in tables:
        blank = sorted(c.index for c in table.columns if not c.header)
        width = len(table.columns)
        rows = [
            r.excel_row
            for r in table.rows
            if (len(r.cells) > width or blank)
            and any(
                v is not None and str(v).strip()
                for v in (*r.cells[width:], *(r.cells[j] for j in blank if j < len(r.cells)))
            )
        ]
        if rows:
            report.findings.append(
                Finding(
                    "unheaded_cells",
                    f"{file.path} [{table.sheet}] 第 {row_ranges(rows)} 行 rows",
                    "这些行在没有表头的列中填有内容，导入时未读取；如需导入请补上表头",
                    "these rows have values in columns without a header, which nothing reads; "
                    "add a header if they matter",
                )
            )


class _Places:
    """Where the rows of each unit or round are (``of``). The rows' places are laid out as numbers
    once, when first asked, and grouped by numpy for each key asked about: 100,000 rows are not
    gone through one by one for every key."""

    def __init__(self, records: list[tuple]) -> None:
        self._records = records

    @functools.cached_property
    def _columns(self) -> tuple:
        """The rows with a record and a context: their contexts, the rank of their (file, sheet)
        in ``order`` (the order places sort in) and their row numbers."""
        records = self._records
        with_record = map(is_not, map(itemgetter(1), records), repeat(None))
        kept = list(
            compress(records, map(and_, with_record, map(is_not, map(itemgetter(2), records), repeat(None))))
        )
        if not kept:
            return (), np.zeros(0, np.int64), np.zeros(0, np.int64), []
        pendings, contexts = list(map(itemgetter(0), kept)), list(map(itemgetter(2), kept))
        sheets = list(
            zip(map(attrgetter("file.path"), pendings), map(attrgetter("table.sheet"), pendings), strict=True)
        )
        order = sorted(set(sheets))
        rank = {sheet: i for i, sheet in enumerate(order)}
        ranks = np.fromiter(map(rank.__getitem__, sheets), np.int64, len(kept))
        rows = np.fromiter(map(attrgetter("row.excel_row"), pendings), np.int64, len(kept))
        return contexts, ranks, rows, order

    def of(self, key: str) -> dict:
        """``ctx.<key>`` (``"unit.id"``, ``"round.id"``) -> where its rows are: the first few, in
        file and row order, and how many."""
        contexts, ranks, rows, order = self._columns
        if not contexts:
            return {}
        distinct = dict(zip(map(id, contexts), contexts, strict=True))  # rows share a few contexts
        key_of = {i: attrgetter(key)(ctx) for i, ctx in distinct.items()}
        names = list(dict.fromkeys(key_of.values()))
        number = {name: i for i, name in enumerate(names)}
        code_of = {i: number[k] for i, k in key_of.items()}
        codes = np.fromiter(map(code_of.__getitem__, map(id, contexts)), np.int64, len(contexts))
        by = np.lexsort((rows, ranks, codes))  # by key, then place
        codes, ranks, rows = codes[by], ranks[by], rows[by]
        new = np.ones(len(by), dtype=bool)  # each distinct (key, place) once
        new[1:] = (codes[1:] != codes[:-1]) | (ranks[1:] != ranks[:-1]) | (rows[1:] != rows[:-1])
        codes, ranks, rows = codes[new], ranks[new], rows[new]
        starts = np.flatnonzero(np.diff(codes, prepend=-1)).tolist()  # where each key's places begin
        out = {}
        for start, end in zip(starts, [*starts[1:], len(codes)], strict=True):
            shown = slice(start, min(end, start + PLACES_SHOWN))
            first = [
                (*order[rank], row)
                for rank, row in zip(ranks[shown].tolist(), rows[shown].tolist(), strict=True)
            ]
            out[names[int(codes[start])]] = _shown(first, end - start)
        return out


def _shown(first: list[tuple], count: int) -> str:
    """The first places in order, and how many there are when that is not all of them."""
    shown_places = ", ".join(f"{path} [{sheet}] #{row}" for path, sheet, row in first)
    more = f" …（共 {count} 处 / {count} places）" if count > PLACES_SHOWN else ""
    return shown_places + more


def _similar_units(report, places: _Places, created: list[Unit], existing: list[Unit]) -> None:
    if not created:
        return
    twins = SimilarUnits(existing)
    where_units = None
    for unit in created:
        twin = twins.of(unit)
        if twin is None:
            continue
        if where_units is None:
            where_units = places.of("unit.id")
        where = where_units.get(unit.id, "")
        report.findings.append(
            Finding(
                "similar_unit",
                where,
                f"新建单位“{unit.name}”（{unit.region}）与已有单位“{twin.name}”（{twin.id}）相似："
                f"若是同一单位，请用 --unit {twin.name} 导入或改正表中单位名称（先 --dry-run 核对）",
                f"new unit {unit.name!r} ({unit.region}) resembles the existing unit {twin.name!r} "
                f"({twin.id}); if it is the same unit, import with --unit {twin.name!r} or correct the "
                "name in the file (check with --dry-run first)",
            )
        )


def _created_rounds(report, places: _Places, created: list[Round]) -> None:
    where_rounds = places.of("round.id") if created else {}
    for rnd in created:
        where = where_rounds.get(rnd.id, "")
        report.findings.append(
            Finding(
                "created_round",
                where,
                f"新建巡察轮次“{rnd.name}”：进驻、撤离、反馈时间均记为 {rnd.start}（本轮各行最早的可信日期或填报时间），"
                "请核对并在账本中更正",
                f"new round {rnd.name!r}: start, end and feedback all set to {rnd.start} (the earliest "
                "plausible date of its rows, or the 填报时间); check it and correct it in the ledger",
            )
        )


def _dates_from_filing(report, records) -> None:
    by_sheet: dict[tuple[str, str, dt.date], list[int]] = {}
    problems = list(compress(records, map(isinstance, map(itemgetter(1), records), repeat(Problem))))
    statuses = list(map(attrgetter("status"), map(itemgetter(1), problems)))  # always members
    rectified, closed = (
        list(map(is_, statuses, repeat(s))) for s in (ProblemStatus.RECTIFIED, ProblemStatus.CLOSED)
    )
    done = list(compress(problems, map(or_, rectified, closed)))  # rectified or closed out
    values = list(map(attrgetter("values"), map(itemgetter(0), done)))
    rectified_on, closed_on = (list(map(dict.get, values, repeat(f))) for f in ("rectified_on", "closed_on"))
    is_closed = map(is_, map(attrgetter("status"), map(itemgetter(1), done)), repeat(ProblemStatus.CLOSED))
    undated = map(not_, map(or_, map(bool, rectified_on), map(bool, closed_on)))
    unclosed = map(and_, is_closed, map(not_, closed_on))
    filed = map(is_not, map(attrgetter("filed_on"), map(itemgetter(2), done)), repeat(None))
    dated = list(compress(done, map(and_, map(or_, undated, unclosed), filed)))  # dated by 填报时间
    pendings = list(map(itemgetter(0), dated))
    keys = zip(
        map(attrgetter("file.path"), pendings),
        map(attrgetter("table.sheet"), pendings),
        map(attrgetter("filed_on"), map(itemgetter(2), dated)),
        strict=True,
    )
    rows = map(attrgetter("row.excel_row"), pendings)
    for key, run in groupby(zip(keys, rows, strict=True), key=itemgetter(0)):  # a sheet's rows run together
        by_sheet.setdefault(key, []).extend(map(itemgetter(1), run))
    for (path, sheet, filed), rows in by_sheet.items():
        report.findings.append(
            Finding(
                "date_from_filing",
                f"{path} [{sheet}] 第 {row_ranges(rows)} 行 rows",
                f"已整改/已销号但整改完成时间（销号时间）为空，按填报时间 {filed} 记：表明最迟在该日完成，"
                "如有实际日期请补填后重新导入",
                f"rectified or closed out without a completion (close-out) date: dated by the 填报时间 "
                f"{filed}, i.e. done by then at the latest; fill in the real date if known",
            )
        )
