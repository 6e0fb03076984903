"""The store stage: accepted records and the units/rounds they need, written as events.

Everything goes in one ``Ledger.write`` block, in reference order (units, rounds, inspections,
problems, clues, assignments), so a crash anywhere leaves the ledger as it was. Problems are
written as their history: recorded open, then rectified on ``rectified_on``, then closed out on
``closed_on``, so ``ledger.as_of(d)`` shows what was true on ``d``.

``session`` opens that block before the import looks at the ledger, so what the import treats
as already there (units, rounds, duplicates) is read from the master under the writer lock.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import operator
from collections.abc import Iterator

from toolkit.events import PAYLOAD_JSON, EventKind, added_table, encode_value
from toolkit.ingest import merge
from toolkit.ingest.report import Conflict, ImportReport
from toolkit.ingest.resolve import Resolver
from toolkit.models import (
    RECTIFIED_STATUSES,
    Assignment,
    Clue,
    Inspection,
    Problem,
    ProblemStatus,
    Round,
    Unit,
    field_names,
)


@dataclasses.dataclass
class Plan:
    """Units, rounds and inspections the accepted records need and the ledger lacks."""

    units: list[Unit]
    rounds: list[Round]
    inspections: list[Inspection]
    round_starts: dict[str, dt.date]


def plan_creations(report: ImportReport, records: list[tuple], resolver: Resolver) -> Plan:
    kept = [ctx for _, r, ctx in records if r is not None and ctx is not None]
    # An import that brings its own 巡察记录 sheet (an export) says exactly which inspections exist.
    if not any(isinstance(r, Inspection) for _, r, _ in records):
        for ctx in kept:
            resolver.inspection(ctx.round.id, ctx.unit.id, ctx.team)
    used_rounds = {ctx.round.id for ctx in kept}
    used_units = {ctx.unit.id for ctx in kept}
    plan = Plan(
        [u for u in resolver.created_units if u.id in used_units],
        [r for r in resolver.created_rounds if r.id in used_rounds],
        list(resolver.created_inspections),
        {rid: r.start for rid, r in resolver.rounds.items()},
    )
    report.created_units = [f"{u.name}（{u.region}）" for u in plan.units]
    report.created_rounds = [r.name for r in plan.rounds]
    report.created_inspections = len(plan.inspections)
    return plan


WRITE_ORDER = (Unit, Round, Inspection, Problem, Clue, Assignment)
# What the database may hold in memory during an import (beyond it, it spills to disk): the
# import's own rows are in the same process.
DATABASE_MEMORY_MB = 128


@contextlib.contextmanager
def session(target, *, by: str, dry_run: bool = False) -> Iterator[tuple]:
    """``(master, tx)``: the master's open session to read and, unless ``dry_run``, the
    ``Transaction`` to write with. The writer lock is held for the whole block; a dry run reads
    the master read-only under the same lock (``master`` is None when there is no ledger yet)."""
    from toolkit.ledger import Ledger
    from toolkit.store import LedgerMissing, open_store

    if dry_run:
        with contextlib.ExitStack() as stack:
            try:
                master = stack.enter_context(open_store(target).read_session())
            except LedgerMissing:
                master = None
            yield master, None
        return
    with Ledger.write(target, by=by, create=True) as tx:
        tx.limit_memory(DATABASE_MEMORY_MB)
        yield tx.session, tx


def write(
    report: ImportReport, records: list[tuple], plan: Plan, target, by: str, today: dt.date, updates=()
) -> None:
    """Everything in one transaction of its own (see ``session`` to read the ledger first)."""
    with session(target, by=by) as (_, tx):
        write_into(tx, report, records, plan, today, updates)


def write_into(
    tx, report: ImportReport, records: list[tuple], plan: Plan, today: dt.date, updates=()
) -> None:
    """Units, rounds, inspections, then problems and clues, into the open transaction ``tx``."""
    kept = [(p, r, ctx) for p, r, ctx in records if r is not None]
    kept.sort(key=lambda item: WRITE_ORDER.index(type(item[1])))
    starts = {
        ctx.unit.id: ctx.round.start
        for _, _, ctx in sorted(
            (k for k in kept if k[2] is not None), key=lambda k: k[2].round.start, reverse=True
        )
    }
    created = "导入时新建 / created by import"
    for entity, n in (("unit", len(plan.units)), ("inspection", len(plan.inspections))):
        known_ids(tx, entity, n)
    for unit in plan.units:
        tx.add(unit, at=starts[unit.id], why=created)
    for rnd in plan.rounds:
        tx.add(rnd, at=rnd.start, why=created)
    batch = None
    for p, record, ctx in kept:
        why = f"导入 / import {p.file.path} [{p.table.sheet}] 第{p.row.excel_row}行"
        if isinstance(record, Problem):  # contiguous (WRITE_ORDER): written in batches
            if batch is None:
                tx.flush()  # what tx.add buffered goes first: the chain is one sequence
                known_ids(tx, "problem", len(kept))
                batch = ProblemBatch(tx)
            add_problem(batch, record, why, at=p.values.get("added_at") or record.found_on)
            continue
        if batch is not None:
            batch.flush()
        if isinstance(record, Unit):
            tx.add(record, at=p.values.get("added_at") or starts.get(record.id, today), why=why)
        elif isinstance(record, Round):
            tx.add(record, at=p.values.get("added_at") or record.start, why=why)
        elif isinstance(record, Inspection):
            tx.add(record, at=p.values.get("added_at") or ctx.round.start, why=why)
        elif isinstance(record, Assignment):
            tx.add(record, at=p.values.get("added_at") or record.assigned_on, why=why)
        else:
            tx.add(record, at=p.values.get("added_at") or record.transferred_on, why=why)
    if batch is not None:
        batch.flush()
    for p, record, ctx, old in updates:
        update_status(report, tx, p, record, ctx, old)
    for insp in plan.inspections:  # tx.add checks round and unit exist: both written above
        tx.add(insp, at=plan.round_starts[insp.round_id], why="导入 / import")
    report.written = True


def add_problem(tx, problem: Problem, why: str, at: dt.date) -> None:
    """Write a problem as its history: recorded (open) on ``at``, rectified, closed out.

    ``at`` is the found date, or the 登记日期 an export carries. A status event cannot predate
    the record's first event, so a rectification dated earlier is recorded on ``at`` (its
    ``rectified_on`` keeps the true date). A ``ProblemBatch`` writes the same events in bulk.
    """
    if isinstance(tx, ProblemBatch):
        tx.add_history(problem, why, at)
        return
    if problem.status not in RECTIFIED_STATUSES:
        tx.add(problem, at=at, why=why)
        return
    first = dataclasses.replace(problem, status=ProblemStatus.OPEN, rectified_on=None, closed_on=None)
    tx.add(first, at=at, why=why)
    tx.set_status(
        problem.id,
        ProblemStatus.RECTIFIED,
        at=max(problem.rectified_on, at),
        why=why,
        rectified_on=problem.rectified_on,
    )
    if problem.status is ProblemStatus.CLOSED:
        # close_out() would date 销号 on the event day; change() keeps the sheet's date.
        tx.change(
            "problem",
            problem.id,
            "closed_out",
            at=max(problem.closed_on, at),
            why=why,
            status=ProblemStatus.CLOSED,
            closed_on=problem.closed_on,
        )


BATCH = 20_000  # events built before they are chained and appended at once (bounds the memory)
_PROBLEM_FIELDS = list(field_names(Problem))
_PROBLEM_ROW = operator.attrgetter(*_PROBLEM_FIELDS)
# where a Problem holds vocabulary members and dates (its own checks guarantee the types)
_ENUM_AT = [i for i, f in enumerate(dataclasses.fields(Problem)) if isinstance(f.default, enum.Enum)]
_DATE_AT = [_PROBLEM_FIELDS.index(n) for n in ("found_on", "due", "rectified_on", "closed_on")]
_STATUS_AT, _RECTIFIED_AT, _CLOSED_AT = (
    _PROBLEM_FIELDS.index(n) for n in ("status", "rectified_on", "closed_on")
)
_OPEN, _RECTIFIED, _CLOSED = (
    ProblemStatus.OPEN.value,
    ProblemStatus.RECTIFIED.value,
    ProblemStatus.CLOSED.value,
)


def known_ids(tx, entity: str, adding: int) -> None:
    """Have ``tx`` hold every id of ``entity`` when adding more records of it than ``Transaction``
    asks the database about one by one (a thousand look-ups cost more than one load)."""
    from toolkit.ledger import LOOKUPS_BEFORE_LOADING

    if adding > LOOKUPS_BEFORE_LOADING:
        tx.load_ids(entity)


class ProblemBatch:
    """``add_problem`` for the problems of an import: the same events, hash chain and projection
    rows as ``Transaction``'s verbs make, built a batch at a time (the events chained by
    ``Transaction.chained_events``) and appended in a few bulk inserts.

    The checks ``Transaction`` makes are made here too: the id is new, the round and unit exist,
    nothing predates the round, events of a record come in date order. The open record and its
    status changes are not validated again as whole records: they are the states a valid problem
    went through (open: no rectification dates; rectified: its own date; closed: both). The
    problems are not kept in ``tx`` (no later verb of an import changes them). Call ``flush``
    before anything else writes with ``tx``.
    """

    def __init__(self, tx) -> None:
        self.tx = tx
        self.events: list[tuple] = []  # (at, why, kind, record_id, payload), not chained yet
        self.added: list[list] = []  # projection rows; the event's position stands in for its seq
        self.changes: list[list] = []
        self.rounds: dict[str, Round] = {}
        self.units: set[str] = set()

    def add_history(self, problem: Problem, why: str, at: dt.date) -> None:
        """The problem recorded open on ``at``, then rectified and closed out as it says."""
        self._check(problem)
        row = list(_PROBLEM_ROW(problem))
        for i in _ENUM_AT:
            row[i] = row[i].value
        status = row[_STATUS_AT]
        rectified_on, closed_on = row[_RECTIFIED_AT], row[_CLOSED_AT]
        if rectified_on is not None:  # recorded open first: the later events say the rest
            row[_STATUS_AT], row[_RECTIFIED_AT], row[_CLOSED_AT] = _OPEN, None, None
        encoded = row.copy()
        for i in _DATE_AT:
            if encoded[i] is not None:
                encoded[i] = encoded[i].isoformat()
        payload = dict(zip(_PROBLEM_FIELDS, encoded, strict=True))
        n = self._event(at, why, ADDED, problem.id, payload)  # may flush: append after it
        self.added.append([*row, at, n])
        if rectified_on is None:
            return
        last = max(rectified_on, at)
        self._change(
            problem.id, STATUS_CHANGED, last, why, {"rectified_on": rectified_on, "status": _RECTIFIED}
        )
        if status == _CLOSED:
            closed_at = max(closed_on, at)
            if closed_at < last:
                raise ValueError(
                    f"at: {closed_at} is before this problem's last recorded event ({last}); "
                    "events are appended in date order"
                )
            self._change(problem.id, CLOSED_OUT, closed_at, why, {"closed_on": closed_on, "status": _CLOSED})

    def _check(self, problem: Problem) -> None:
        tx = self.tx
        if tx.exists("problem", problem.id):
            raise ValueError(f"id: problem {problem.id!r} already exists (records are never overwritten)")
        rnd = self.rounds.get(problem.round_id) or self._round(problem.round_id)
        if problem.unit_id not in self.units:
            if not tx.exists("unit", problem.unit_id):
                raise ValueError(f"unit_id: no unit {problem.unit_id!r} in the ledger")
            self.units.add(problem.unit_id)
        if problem.found_on < rnd.start:
            raise ValueError(f"found_on: {problem.found_on} is before round {rnd.id} started ({rnd.start})")
        if problem.due is not None and problem.due < rnd.start:
            raise ValueError(f"due: {problem.due} is before round {rnd.id} started ({rnd.start})")
        tx.added("problem", problem.id)

    def _change(self, record_id: str, kind: str, at: dt.date, why: str, fields: dict) -> None:
        encoded = {name: encode_value(v) for name, v in fields.items()}
        n = self._event(at, why, kind, record_id, encoded)
        for name in sorted(encoded):  # as events.projection_rows stores a change
            value = encoded[name]
            text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            self.changes.append(["problem", record_id, name, text, at, n])

    def _round(self, round_id: str) -> Round:
        if not self.tx.exists("round", round_id):
            raise ValueError(f"round_id: no round {round_id!r} in the ledger")
        self.rounds[round_id] = self.tx.record("round", round_id)
        return self.rounds[round_id]

    def _event(self, at: dt.date, why: str, kind: str, record_id: str, fields: dict) -> int:
        """Queue an event; its position in the batch (its seq once chained)."""
        if len(self.events) >= BATCH:
            self.flush()
        self.events.append((at, why, kind, record_id, PAYLOAD_JSON.encode(fields)))
        return len(self.events) - 1

    def flush(self) -> None:
        """Chain the queued events and append them and their projection rows (still inside the
        transaction)."""
        if not self.events:
            return
        rows = self.tx.chained_events("problem", self.events)
        for projection in (self.added, self.changes):
            for row in projection:
                row[-1] = rows[row[-1]][0]
        added, changes = [tuple(r) for r in self.added], [tuple(r) for r in self.changes]
        self.events, self.added, self.changes = [], [], []
        self.tx.append_rows(rows, {added_table("problem"): added, "changes": changes})


ADDED, STATUS_CHANGED, CLOSED_OUT = (
    str(EventKind.ADDED),
    str(EventKind.STATUS_CHANGED),
    str(EventKind.CLOSED_OUT),
)


def update_status(report: ImportReport, tx, p, problem: Problem, ctx, old: ProblemStatus) -> None:
    """Move a ledger problem forward to the file's status, dated as the sheet dates it."""
    why = f"导入更新状态 / status from {p.file.path} [{p.table.sheet}] 第{p.row.excel_row}行"
    try:
        if problem.status in RECTIFIED_STATUSES:
            if old is not ProblemStatus.RECTIFIED:
                tx.set_status(problem.id, ProblemStatus.RECTIFIED, at=problem.rectified_on, why=why)
            if problem.status is ProblemStatus.CLOSED:
                tx.close_out(problem.id, at=problem.closed_on, why=why)
        else:
            tx.set_status(problem.id, problem.status, at=ctx.report_date, why=why)
    except ValueError as err:  # e.g. dated before the ledger's last event for it: list, don't guess
        report.status_updates.remove(next(u for u in report.status_updates if u.startswith(problem.id)))
        report.conflicts.append(
            Conflict(
                problem.id,
                "update_refused",
                merge.where(p),
                f"账本拒绝状态更新：{err}",
                f"the ledger refused the status update: {err}",
            )
        )
