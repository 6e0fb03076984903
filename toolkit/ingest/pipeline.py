"""The import pipeline: read -> normalise -> validate -> store, one transaction for everything.

    report = import_files(["青溪县整改台账.xlsx"], "ledger.duckdb", round="青溪县委第三轮巡察")
    report.accepted, report.rejected, report.duplicates      # always add up to report.data_rows
    report.rejected_frame()                                  # file, sheet, row, column, reason

Each data row ends in exactly one of three outcomes:
- rejected: a cell could not be read, a rule failed, or the record broke a ledger rule;
- duplicate: its content-derived id (see ``validate.problem_id``) was already met earlier in this
  import or is already in the ledger; that is what makes importing a file twice a no-op. When
  files disagree, ``merge`` lists a ``Conflict``: the importer never picks a side;
- accepted: written to the ledger.

Every file is read and every row checked first, without touching the ledger. Then, inside one
``Ledger.write`` block (``writer.session``: the writer lock held throughout), the ledger's units,
rounds and ids are loaded from the master, rows are resolved against them, duplicates marked
and the accepted records written: two imports at once are serialised, and the second sees what
the first wrote (duplicates, never errors). An unreadable file, a crash or Ctrl-C leaves the
ledger exactly as it was. A dry run reads the master the same way, read-only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import os
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from itertools import compress, repeat
from operator import attrgetter
from typing import Any

from toolkit.ingest import aliases, findings, merge, writer
from toolkit.ingest.layout import DataRow, Table, find_table
from toolkit.ingest.normalize import DATE_FIELDS, FieldError, forget_cells, normalize_table
from toolkit.ingest.readers import UnreadableFile, read_files
from toolkit.ingest.report import DETAIL_SHEET, FileReport, ImportReport, RejectedRow, error_for
from toolkit.ingest.resolve import (
    UNKNOWN,
    Resolver,
    counted_start,
    round_from_title,
    team_from_title,
    unit_from_title,
)
from toolkit.ingest.validate import (
    RecordError,
    RowContext,
    build_assignment,
    build_clue,
    build_inspection,
    build_problems,
    build_round,
    build_unit,
    check_rows,
    column_of,
    forget_dates,
)
from toolkit.models import (
    Assignment,
    Inspection,
    Round,
    Unit,
)
from toolkit.store import collector_paused

TEAM_WORDS = ("巡察组", "巡视组", "巡察办", "巡察工作领导小组", "纪委")


@dataclasses.dataclass(slots=True)  # one per row: no __dict__ each
class _Pending:
    """A row that passed the rules and waits for its round and unit to be resolved."""

    file: FileReport
    table: Table
    row: Any
    values: dict[str, Any]
    context: dict[str, str]


def import_files(
    paths: Iterable[str | os.PathLike],
    ledger: str | os.PathLike,
    *,
    round: str | None = None,
    unit: str | None = None,
    region: str | None = None,
    by: str = "巡察办",
    dry_run: bool = False,
    today: dt.date | None = None,
    engine: str = "auto",
    progress: Callable[[int, int], None] | None = None,
    update_status: bool = False,
) -> ImportReport:
    """Import ledger files into ``ledger`` (created if missing) as one transaction.

    ``round`` / ``unit`` / ``region`` fill in what the sheets do not say (a column wins over
    them for round and region; ``unit`` wins over the column because it is the analyst's
    explicit choice). Raises ``UnreadableFile`` before writing anything if a file cannot be
    read or holds no sheet with a ledger header. ``today`` is the import date used by the
    fallbacks in ``validate``. ``progress`` is called with (rows checked, rows in all files)
    after each sheet: the CLI draws a bar with it, the import notebook a progress widget.
    ``update_status`` moves problems already in the ledger forward to the status the file gives
    (see ``merge``).
    """
    with collector_paused():
        return _import(
            paths, ledger, round, unit, region, by, dry_run, today, engine, progress, update_status
        )


def _import(paths, ledger, round, unit, region, by, dry_run, today, engine, progress, update_status):
    today = today or dt.date.today()
    forget_cells()
    forget_dates()
    report = ImportReport(dry_run=dry_run)
    # Read every file first: one unreadable file stops the import before any write. The sheets
    # as read are dropped once their tables are found (the tables keep the rows they need).
    tables = _find_tables(report, read_files(paths, engine=engine))
    options = {"round": round, "unit": unit, "region": region, "today": today}
    findings.note_filing_dates(report, tables, today)
    findings.note_unheaded_cells(report, tables)
    total = sum(len(t.rows) for _, t in tables)
    pending: list[_Pending] = []
    for file, table in tables:
        pending += _check_table(report, file, table, options)
        table.rows = []  # its rows live on in ``pending``; the rejected ones took a copy of their cells
        if progress:
            progress(report.data_rows, total)
    # From here to the commit the writer lock is held: what is a duplicate is decided on the master.
    with writer.session(ledger, by=by, dry_run=dry_run) as (master, tx):
        state = _LedgerState.load(master)
        records, resolver = _resolve(report, pending, state, options, today)
        del pending
        _drop_cells(records)
        state.find(records)
        updates = merge.mark_duplicates(report, records, state.ids, state.problems, update_status)
        merge.seq_conflicts(report, records)
        report.check_counts()
        plan = writer.plan_creations(report, records, resolver)
        findings.note_findings(report, records, plan, resolver.units.values())
        if tx is not None and (updates or any(r is not None for _, r, _ in records)):
            writer.write_into(tx, report, records, plan, today, updates)
        # The records are written: let them go before the commit, which needs memory of its own.
        del records, resolver, state, plan, updates
    return report


def _drop_cells(records: list[tuple]) -> None:
    """Forget the cells of the rows that became records: from here on a row is named by its number
    (a rejected row took a copy of its cells), and the cells of 100,000 rows are a fifth of the
    memory an import holds while it writes."""
    for p, _, _ in records:
        row = p.row
        p.row = DataRow(row.excel_row, (), row.section)


def _find_tables(report: ImportReport, read) -> list[tuple[FileReport, Table]]:
    """The ledger table of every sheet read, each with its file's report."""
    tables: list[tuple[FileReport, Table]] = []
    for path, sheets in read:
        file = FileReport(path.name)
        report.files.append(file)
        for sheet in sheets:
            table = find_table(sheet)
            if table is None:
                if sheet.name != DETAIL_SHEET and any(any(c is not None for c in r) for r in sheet.rows):
                    file.skipped_sheets.append(sheet.name)
                continue
            file.sheets.append(sheet.name)
            file.skipped_lines += [(sheet.name, r, why) for r, why in table.skipped]
            tables.append((file, table))
        if not file.sheets:  # nothing in it looks like a ledger: say so before anything is written
            raise UnreadableFile(
                path, "未找到台账表头（序号、问题描述、整改时限……）/ no ledger header row found"
            )
    return tables


class _LedgerState:
    """What the ledger holds before the import (empty when the ledger does not exist yet).

    Rounds, units, inspections and assignments are read whole (a ledger holds a few thousand).
    Problems and clues are not: a province's ledger holds millions, and an import only needs to
    know which of its own records are there already (``find``)."""

    def __init__(self, rounds, units, inspections, other_ids=(), master=None) -> None:
        self.rounds: list[Round] = rounds
        self.units: list[Unit] = units
        self.inspections: set[tuple[str, str]] = inspections
        self.master = master
        # ids the ledger holds; ``find`` adds those of the import's problems and clues it holds
        self.ids = {r.id for r in rounds} | {u.id for u in units} | set(other_ids)
        self.problems: dict[str, str] = {}  # id -> status, of the import's problems in the ledger

    @classmethod
    def load(cls, master) -> _LedgerState:
        """Read from the master's open session (``writer.session``); None: no ledger yet."""
        if master is None:
            return cls([], [], set())

        def rows(table: str, names: list[str]) -> list[dict[str, Any]]:
            cols = ", ".join(f'"{n}"' for n in names)
            return [dict(zip(names, r, strict=True)) for r in master.fetchall(f"SELECT {cols} FROM {table}")]

        def records(cls_, table: str) -> list:
            names = [f.name for f in dataclasses.fields(cls_)]
            return [cls_(**_plain(cls_, r)) for r in rows(table, names)]

        inspections = rows("inspections", ["id", "round_id", "unit_id"])
        return cls(
            records(Round, "rounds"),
            records(Unit, "units"),
            {(r["round_id"], r["unit_id"]) for r in inspections},
            {r["id"] for r in inspections} | {r["id"] for r in rows("assignments", ["id"])},
            master,
        )

    def find(self, records: list[tuple]) -> None:
        """Learn which of these records' ids the ledger's problems and clues hold (and the status
        of each such problem), asking for those ids only, a batch at a time."""
        if self.master is None:
            return
        wanted = sorted({r.id for _, r, _ in records} - self.ids)
        for start in range(0, len(wanted), LOOKUP_BATCH):
            batch = wanted[start : start + LOOKUP_BATCH]
            found = self.master.rows_with_ids("problems", batch, "id, status")
            self.problems.update(found)
            self.ids.update(i for i, _ in found)
            self.ids.update(i for (i,) in self.master.rows_with_ids("clues", batch))


LOOKUP_BATCH = 50_000  # ids asked about in one query (``Session.rows_with_ids``)


def _plain(cls, row: dict[str, Any]) -> dict[str, Any]:
    """A DataFrame row back to record fields: pandas timestamps as dates, NaN/NaT as None."""
    out = {}
    names = {f.name for f in dataclasses.fields(cls)}
    for key, value in row.items():
        if key not in names:
            continue
        if hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime().date()
        elif isinstance(value, dt.datetime):
            value = value.date()
        elif value is not None and value != value:  # NaN
            value = None
        out[key] = value.item() if hasattr(value, "item") else value
    return out


def _check_table(report: ImportReport, file: FileReport, table: Table, options) -> list[_Pending]:
    """Normalise and run the rules on every data row; rejected rows are recorded here."""
    all_values, errors = normalize_table(table)
    if table.kind in REFERENCE_KINDS:  # a unit or round list stands on its own
        contexts: list[dict[str, str]] = [{} for _ in all_values]
    else:
        contexts = _fill_from_sheet(table, options, all_values)
    file.data_rows += len(all_values)
    faults = check_rows(table.kind, all_values, options["today"])
    bad = set(errors) | set(faults)
    for i in sorted(bad):
        _reject(report, file, table, table.rows[i], errors.get(i, []) + faults.get(i, []), contexts[i])
    rows, good = table.rows, all_values
    if bad:
        clean = [i not in bad for i in range(len(all_values))]
        rows, good, contexts = (list(compress(c, clean)) for c in (rows, all_values, contexts))
    return list(map(_Pending, repeat(file), repeat(table), rows, good, contexts))


def _fill_from_sheet(table: Table, options, all_values: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Give each row what the sheet says for all its rows (the round in the title, the unit on
    the 填报单位 line or ``--unit``, the team in the title) where the row does not say it; each
    row's context is what it was given (and the sheet's 填报时间, so a fixed reject keeps it).
    A few columns at a time: rows given the same context share one dict."""
    title_round = options["round"] or round_from_title(table.title)
    title_team = team_from_title(table.title)
    meta_unit = table.meta.get("unit", "")
    if any(w in meta_unit for w in TEAM_WORDS):
        meta_unit = ""
    meta_unit = meta_unit or unit_from_title(table.title) or ""
    own_unit = options["unit"]
    n = len(all_values)
    given: list[list] = []  # per row, in the context's order: (label, value) or None
    if title_round:
        rounds = [None if r else title_round for r in column_of(all_values, "round")]
        given.append(_fill(all_values, "round", "巡察轮次", rounds))
    units = column_of(all_values, "unit")
    if own_unit:  # the analyst's choice wins over the column
        fallback = [None if u == own_unit else own_unit for u in units]
    elif meta_unit or any(map(operator.contains, all_values, repeat("subject_unit"))):
        subjects = column_of(all_values, "subject_unit")
        fallback = [None if u else (s or meta_unit or None) for u, s in zip(units, subjects, strict=True)]
    else:  # no row can be given a unit
        fallback = [None] * n
    given.append(_fill(all_values, "unit", "被巡察单位", fallback))
    if "date" in table.meta:
        date = ("填报时间", table.meta["date"])
        given.append([None if r else date for r in column_of(all_values, "report_date")])
    if title_team:
        teams = [None if t else title_team for t in column_of(all_values, "team")]
        given.append(_fill(all_values, "team", "巡察组", teams))
    keys = list(map(tuple, map(partial(filter, None), zip(*given, strict=True))))
    shared = {key: dict(key) for key in dict.fromkeys(keys)}
    return list(map(shared.__getitem__, keys))


def _fill(all_values: list[dict[str, Any]], field: str, label: str, new: list) -> list:
    """Set ``field`` of each row to its new value (None: left as it is); returns the (label,
    value) each row was given, or None."""
    for values, value in compress(zip(all_values, new, strict=True), map(operator.is_not, new, repeat(None))):
        values[field] = value
    return [None if value is None else (label, value) for value in new]


def _reject(report, file: FileReport, table: Table, row, errors: list[FieldError], context) -> None:
    seen, row_errors = set(), []
    for e in errors:  # one fault per column: a bad date is not also "empty"
        if e.field not in seen:
            seen.add(e.field)
            row_errors.append(
                error_for(file.path, table.sheet, row.excel_row, table.columns, e.field, e.zh, e.en)
            )
    file.rejected += 1
    report.rejected_rows.append(
        RejectedRow(
            file.path,
            table.sheet,
            row.excel_row,
            [c.header for c in table.columns],
            list(row.cells),
            row_errors,
            context,
        )
    )


REFERENCE_KINDS = (aliases.UNIT, aliases.ROUND, aliases.ASSIGNMENT)  # rows that stand on their own


def _resolve(report, pending: list[_Pending], state: _LedgerState, options, today):
    """Rounds, units and records for the rows that passed the rules.

    Reference sheets (units, rounds) go first, so the problems of the same import find them.
    """
    resolver = Resolver(state.rounds, state.units, state.inspections)
    records: list[tuple] = []
    tables = list(map(attrgetter("table"), pending))
    kinds = list(map(attrgetter("kind"), tables))
    is_ref = list(map(REFERENCE_KINDS.__contains__, kinds))
    refs = list(compress(pending, is_ref))
    refs.sort(key=lambda p: REFERENCE_KINDS.index(p.table.kind))
    for p in refs:
        try:
            if p.table.kind == aliases.UNIT:
                record = build_unit(p.values)
            elif p.table.kind == aliases.ROUND:
                record = build_round(p.values)
            else:
                record = build_assignment(p.values, set(resolver.rounds), set(resolver.units))
        except RecordError as err:
            _reject(report, p.file, p.table, p.row, [err.error], p.context)
            continue
        if not isinstance(record, Assignment):
            resolver.register(record)
        records.append((p, record, None))
    rest = list(compress(pending, map(operator.not_, is_ref)))
    if aliases.INSPECTION in kinds:
        rest.sort(key=lambda p: p.table.kind != aliases.INSPECTION)  # explicit inspections first
    tables = list(map(attrgetter("table"), rest))
    sheets = dict(zip(map(id, tables), tables, strict=True))
    filed_by_sheet = {key: _sheet_filing_date(table, today) for key, table in sheets.items()}
    values_of = list(map(attrgetter("values"), rest))
    # the 填报时间 each row states: its own column, else its sheet's line (None: neither)
    sheet_dates = map(filed_by_sheet.__getitem__, map(id, tables))
    stated_of = [
        own or sheet for own, sheet in zip(column_of(values_of, "report_date"), sheet_dates, strict=True)
    ]
    del tables
    earliest = _new_round_starts(values_of, stated_of, resolver, today)
    names_of = zip(
        column_of(values_of, "round_id"),
        column_of(values_of, "round"),
        column_of(values_of, "region"),
        column_of(values_of, "unit_id"),
        column_of(values_of, "unit"),
        column_of(values_of, "team", ""),
        stated_of,
        strict=True,
    )
    del values_of, stated_of
    contexts: dict[tuple, RowContext] = {}
    known: dict[tuple, RowContext] = {}  # what a row's names resolved to, while nothing is created
    created = 0
    row_contexts: list[RowContext] = []
    unknown: list[int] = []  # rows naming their unit only by an id the ledger does not hold
    for i, (p, names) in enumerate(zip(rest, names_of, strict=True)):
        ctx = known.get(names)
        if ctx is None:
            values = p.values
            stated = names[-1]
            unit = resolver.units.get(values.get("unit_id", ""))
            if unit is None and not values.get("unit"):
                _reject(report, p.file, p.table, p.row, [_unknown_unit_id(values["unit_id"])], p.context)
                unknown.append(i)
                continue
            region_hint = values.get("region") or options["region"]
            name = _round_name(values.get("round_id"), values.get("round"), resolver)
            rnd = resolver.round(name, earliest[name], region_hint)
            region = region_hint or rnd.region or UNKNOWN
            unit = unit or resolver.unit(values["unit"], region)
            team, report_date = values.get("team", ""), stated or today
            ctx = contexts.get(key := (rnd.id, unit.id, team, report_date, stated))  # rows share a few
            if ctx is None or ctx.round is not rnd or ctx.unit is not unit:
                ctx = contexts[key] = RowContext(rnd, unit, team, report_date, stated)
            if created != (created := len(resolver.created_rounds) + len(resolver.created_units)):
                known.clear()  # a new round or unit may change what a name resolves to
            known[names] = ctx
        row_contexts.append(ctx)
    if unknown:
        skipped = set(unknown)
        rest = [p for i, p in enumerate(rest) if i not in skipped]
    records += _build(report, rest, row_contexts, resolver)
    return records, resolver


def _unknown_unit_id(unit_id: str) -> FieldError:
    return FieldError(
        "unit_id",
        f"单位编号“{unit_id}”不在账本中，被巡察单位也为空：请填写被巡察单位，或改正单位编号",
        f"unit id {unit_id!r} is not in the ledger and the inspected unit is empty: fill in the unit, "
        "or correct the id",
    )


def _build(report, rest: list[_Pending], row_contexts: list[RowContext], resolver: Resolver) -> list[tuple]:
    """(row, record, context) for each resolved row, in order; a row whose record is refused is
    rejected here. Problems are built together, in bulk (``build_problems``)."""
    is_problem = [kind == aliases.PROBLEM for kind in map(attrgetter("table.kind"), rest)]
    others: list[Any] = []  # clues and inspections, in row order: record or error
    for p, ctx in compress(zip(rest, row_contexts, strict=True), map(operator.not_, is_problem)):
        try:
            record = (build_clue if p.table.kind == aliases.CLUE else build_inspection)(p.values, ctx)
        except RecordError as err:
            record = err
        if isinstance(record, Inspection):
            resolver.inspections.add((ctx.round.id, ctx.unit.id))
        others.append(record)
    problems = build_problems(
        list(
            zip(
                map(attrgetter("values"), compress(rest, is_problem)),
                compress(row_contexts, is_problem),
                strict=True,
            )
        )
    )
    if not others:
        outcomes = problems
    else:
        built, other = iter(problems), iter(others)
        outcomes = [next(built) if problem else next(other) for problem in is_problem]
    refused = list(map(isinstance, outcomes, repeat(RecordError)))
    if not any(refused):
        return list(zip(rest, outcomes, row_contexts, strict=True))
    for p, err in compress(zip(rest, outcomes, strict=True), refused):
        _reject(report, p.file, p.table, p.row, [err.error], p.context)
    return list(compress(zip(rest, outcomes, row_contexts, strict=True), map(operator.not_, refused)))


def _round_name(round_id: str | None, round_name: str | None, resolver: Resolver) -> str:
    """The round id when the sheet gives one the import knows, else the round's name."""
    if round_id and resolver.find_round(round_id):
        return round_id
    return round_name or round_id


def _sheet_filing_date(table: Table, today: dt.date) -> dt.date | None:
    """The sheet's 填报时间 line as a date when it is plausible, else None (a row's own 填报时间
    column wins over it; with neither, a row is dated by the import date)."""
    return findings.stated_filing_date(table.meta.get("date"), today)


_ROW_DATES = tuple(f for f in (*DATE_FIELDS, "due") if f != "report_date")


def _new_round_starts(
    values: list[dict[str, Any]], stated: list[dt.date | None], resolver: Resolver, today: dt.date
) -> dict[str, dt.date]:
    """Round name -> the start a round the import creates would get (``resolve.robust_start``),
    from the rows' values and the 填报时间 each states. Rows name a few rounds and share a few
    dates: they are counted per (round, date), not listed one by one."""
    keys = list(zip(column_of(values, "round_id"), column_of(values, "round"), strict=True))
    # nothing is created here: a row's round names one round
    name_of = {key: _round_name(*key, resolver) for key in dict.fromkeys(keys)}
    names = list(map(name_of.__getitem__, keys))
    present = set().union(*values)
    columns = [column_of(values, f) for f in _ROW_DATES if f in present]
    if not columns:
        earliest = [None] * len(values)
    elif len(columns) == 1:
        earliest = columns[0]
    else:  # a row's earliest date, as min(filter(None, its dates in _ROW_DATES order))
        earliest = [
            min(dates) if (dates := list(filter(None, row))) else None for row in zip(*columns, strict=True)
        ]
    rows: dict[str, dict[dt.date, int]] = {}  # round name -> {a row's earliest date: how many rows}
    for (name, day), times in Counter(zip(names, earliest, strict=True)).items():
        if day:
            rows.setdefault(name, {})[day] = times
    filed: dict[str, list[dt.date]] = {name: [] for name in dict.fromkeys(names)}
    filed_on = [day or today for day in stated]  # filed after the round began
    for name, day in dict.fromkeys(zip(names, filed_on, strict=True)):
        filed[name].append(day)
    return {name: counted_start(rows.get(name, {}), days) for name, days in filed.items()}


__all__ = ["import_files"]
