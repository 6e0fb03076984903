"""The store stage: accepted records and the units/rounds they need, written as events.

Everything goes in one ``Ledger.write`` block, in reference order (units, rounds, inspections,
problems, clues, assignments), so a crash anywhere leaves the ledger as it was. Problems are
written as their history: recorded open, then rectified on ``rectified_on``, then closed out on
``closed_on``, so ``ledger.as_of(d)`` shows what was true on ``d``.

``session`` opens that block before the import looks at the ledger, so what the import treats
as already there (units, rounds, duplicates) is read from the master under the writer lock.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import enum
import itertools
import operator
from collections.abc import Iterator, Sequence

from toolkit.events import EventKind, added_table, change_text, encode_payloads, encode_value
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
_WRITE_RANK = {kind: rank for rank, kind in enumerate(WRITE_ORDER)}
_PROBLEM_RANK = _WRITE_RANK[Problem]
# What the database may hold in memory during an import (beyond it, it spills to disk): the
# import's own rows are in the same process.
DATABASE_MEMORY_MB = 64  # a 1,000,000-row import commits within it (measured; 24 MB did not)


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
    with Ledger.write(target, by=by, create=True, bulk=True) as tx:
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
    kept = [item for item in records if item[1] is not None]
    rank = list(map(_WRITE_RANK.__getitem__, map(type, map(operator.itemgetter(1), kept))))
    if any(map(operator.gt, rank, rank[1:])):  # not yet in write order (stable: file order kept)
        order = sorted(range(len(kept)), key=rank.__getitem__)
        kept, rank = [kept[i] for i in order], [rank[i] for i in order]
    # the problems are written in batches, between what they refer to and what refers to them
    first, last = bisect.bisect_left(rank, _PROBLEM_RANK), bisect.bisect_right(rank, _PROBLEM_RANK)
    contexts = list(map(operator.itemgetter(2), kept))  # rows share a few: each looked at once
    starts: dict[str, dt.date] = {}  # unit -> the earliest start of a round its records are in
    for ctx in dict(zip(map(id, contexts), contexts, strict=True)).values():
        if ctx is not None and (ctx.unit.id not in starts or ctx.round.start < starts[ctx.unit.id]):
            starts[ctx.unit.id] = ctx.round.start
    created = "导入时新建 / created by import"
    for entity, n in (("unit", len(plan.units)), ("inspection", len(plan.inspections))):
        known_ids(tx, entity, n)
    for unit in plan.units:
        tx.add(unit, at=starts[unit.id], why=created)
    for rnd in plan.rounds:
        tx.add(rnd, at=rnd.start, why=created)
    for p, record, ctx in kept[:first]:
        _add(tx, p, record, ctx, starts, today)
    if first < last:
        tx.flush()  # what tx.add buffered goes first: the chain is one sequence
        batch = ProblemBatch(tx)  # asks the database about its ids a batch at a time
        for start in range(first, last, BATCH):  # a batch at a time, no call per row
            part = kept[start : min(start + BATCH, last)]
            batch.add_histories(
                [record for _, record, _ in part],
                [_why(p) for p, _, _ in part],
                [p.values.get("added_at") or record.found_on for p, record, _ in part],
            )
        batch.flush()
    for p, record, ctx in kept[last:]:
        _add(tx, p, record, ctx, starts, today)
    for p, record, ctx, old in updates:
        update_status(report, tx, p, record, ctx, old)
    for insp in plan.inspections:  # tx.add checks round and unit exist: both written above
        tx.add(insp, at=plan.round_starts[insp.round_id], why="导入 / import")
    report.written = True


def _why(p) -> str:
    return f"导入 / import {p.file.path} [{p.table.sheet}] 第{p.row.excel_row}行"


def _add(tx, p, record, ctx, starts: dict[str, dt.date], today: dt.date) -> None:
    """A record other than a problem, dated as its sheet dates it (else by what it belongs to)."""
    at, why = p.values.get("added_at"), _why(p)
    if isinstance(record, Unit):
        tx.add(record, at=at or starts.get(record.id, today), why=why)
    elif isinstance(record, Round):
        tx.add(record, at=at or record.start, why=why)
    elif isinstance(record, Inspection):
        tx.add(record, at=at or ctx.round.start, why=why)
    elif isinstance(record, Assignment):
        tx.add(record, at=at or record.assigned_on, why=why)
    else:
        tx.add(record, at=at or record.transferred_on, why=why)


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


BATCH = 5_000  # problems whose events are built, chained and appended at once (bounds the memory:
# 20,000 cost 15 MB more at the peak of a 100,000-row import, and no less CPU)
_PROBLEM_FIELDS = field_names(Problem)
_PROBLEM_ROW = operator.attrgetter(*_PROBLEM_FIELDS)
_ID, _ROUND, _UNIT, _FOUND, _DUE, _STATUS, _RECTIFIED_ON, _CLOSED_ON = (
    _PROBLEM_FIELDS.index(n)
    for n in ("id", "round_id", "unit_id", "found_on", "due", "status", "rectified_on", "closed_on")
)
# where a Problem holds vocabulary members (its own checks make them members): member -> code
_CODES = {
    i: {member: member.value for member in type(f.default)}
    for i, f in enumerate(dataclasses.fields(Problem))
    if isinstance(f.default, enum.Enum)
}
_OPEN, _RECTIFIED, _CLOSED = (
    ProblemStatus.OPEN.value,
    ProblemStatus.RECTIFIED.value,
    ProblemStatus.CLOSED.value,
)
ADDED, STATUS_CHANGED, CLOSED_OUT = (
    str(EventKind.ADDED),
    str(EventKind.STATUS_CHANGED),
    str(EventKind.CLOSED_OUT),
)


def known_ids(tx, entity: str, adding: int) -> None:
    """Have ``tx`` hold every id of ``entity`` when adding more records of it than ``Transaction``
    asks the database about one by one (a thousand look-ups cost more than one load)."""
    from toolkit.ledger import LOOKUPS_BEFORE_LOADING

    if adding > LOOKUPS_BEFORE_LOADING:
        tx.load_ids(entity)


class ProblemBatch:
    """``add_problem`` for the problems of an import: the same events, hash chain and projection
    rows as ``Transaction``'s verbs make, built a batch at a time as columns (the events chained
    by ``Transaction.chained_events``) and appended in a few bulk inserts.

    The checks ``Transaction`` makes are made here too, on a whole batch at once: the id is new,
    the round and unit exist, nothing predates the round, events of a record come in date order.
    When one fails, the batch is checked again problem by problem, so the error raised is the one
    the verbs would have raised first. The open record and its status changes are not validated
    again as whole records: they are the states a valid problem went through (open: no
    rectification dates; rectified: its own date; closed: both). The problems are not kept in
    ``tx`` (no later verb of an import changes them). Call ``flush`` before anything else writes
    with ``tx``.
    """

    def __init__(self, tx) -> None:
        self.tx = tx
        self.queued: tuple[list[Problem], list[str], list[dt.date]] = ([], [], [])  # problem, why, at
        self.rounds: dict[str, Round] = {}
        self.units: set[str] = set()

    def add_histories(self, problems: list[Problem], whys: list[str], ats: list[dt.date]) -> None:
        """Each problem recorded open on its ``at``, then rectified and closed out as it says."""
        queued = self.queued
        for column, more in zip(queued, (problems, whys, ats), strict=True):
            column.extend(more)
        if len(queued[0]) >= BATCH:
            self.flush()

    def add_history(self, problem: Problem, why: str, at: dt.date) -> None:
        """``add_histories`` of one problem (what ``add_problem`` gives a batch)."""
        self.add_histories([problem], [why], [at])

    def flush(self) -> None:
        """Check the queued problems, chain their events and append them and their projection
        rows (still inside the transaction)."""
        problems, whys, ats = self.queued
        if not problems:
            return
        self.queued = ([], [], [])
        fields: list[Sequence] = list(zip(*map(_PROBLEM_ROW, problems), strict=True))
        for i, codes in _CODES.items():
            fields[i] = list(map(codes.__getitem__, fields[i]))
        self._check(problems, fields, ats)
        n, ids, status = len(problems), fields[_ID], fields[_STATUS]
        later = [i for i, day in enumerate(fields[_RECTIFIED_ON]) if day is not None]
        recorded = fields.copy()  # each problem as first recorded: open, its later events say the rest
        if later:
            recorded[_STATUS], recorded[_CLOSED_ON] = list(status), list(fields[_CLOSED_ON])
            recorded[_RECTIFIED_ON] = [None] * n
            for i in later:
                recorded[_STATUS][i], recorded[_CLOSED_ON][i] = _OPEN, None
        # The events grouped by kind (every problem recorded; those rectified; those closed out),
        # each keyed by its problem and step: sorted by key, they are in chain order.
        key = list(range(0, 3 * n, 3))
        events = [ats.copy(), whys.copy(), [ADDED] * n, list(ids), encode_payloads(_PROBLEM_FIELDS, recorded)]
        changed: list[tuple[tuple[str, str], ...]] = []  # each later event's rows in ``changes``
        steps = (
            (1, later, STATUS_CHANGED, _RECTIFIED_ON, _RECTIFIED),
            (2, [i for i in later if status[i] == _CLOSED], CLOSED_OUT, _CLOSED_ON, _CLOSED),
        )
        for step, which, kind, field, code in steps:
            name, days = _PROBLEM_FIELDS[field], [fields[field][i] for i in which]
            key += [3 * i + step for i in which]
            events[0] += [max(day, ats[i]) for day, i in zip(days, which, strict=True)]
            events[1] += [whys[i] for i in which]
            events[2] += [kind] * len(which)
            events[3] += [ids[i] for i in which]
            events[4] += encode_payloads((name, "status"), (days, [code] * len(which)))
            changed += [((name, change_text(encode_value(day))), ("status", code)) for day in days]
        order = sorted(range(len(key)), key=key.__getitem__)
        chained = self.tx.chained_events("problem", *(list(map(c.__getitem__, order)) for c in events))
        seq = dict(zip(order, chained[0], strict=True))  # an event's place in ``events`` -> its seq
        rows = [
            (events[3][e], name, text, events[0][e], seq[e])
            for e in sorted(range(n, len(key)), key=seq.__getitem__)
            for name, text in changed[e - n]
        ]
        projections = {
            added_table("problem"): [*recorded, events[0][:n], list(map(seq.__getitem__, range(n)))]
        }
        if rows:
            projections["changes"] = [["problem"] * len(rows), *(list(c) for c in zip(*rows, strict=True))]
        self.tx.append_columns(chained, projections)

    def _check(self, problems: list[Problem], fields: list[Sequence], ats: list[dt.date]) -> None:
        """The checks of ``Transaction.add`` and ``change`` for the whole batch; the first
        failure, as the verbs meet it, raises ``ValueError``. The ids are noted in ``tx``."""
        tx, ids = self.tx, fields[_ID]
        start = self._round_starts(set(fields[_ROUND]))
        valid = (
            start is not None
            and all(self._unit_exists(u) for u in set(fields[_UNIT]) - self.units)
            and len(set(ids)) == len(ids)
            and not tx.holds_any("problem", ids)
        )
        if valid:
            starts = list(map(start.__getitem__, fields[_ROUND]))
            due, rectified, closed = fields[_DUE], fields[_RECTIFIED_ON], fields[_CLOSED_ON]
            dated = [day is not None for day in due]
            closing = [i for i, code in enumerate(fields[_STATUS]) if code == _CLOSED]
            valid = not (
                any(map(operator.lt, fields[_FOUND], starts))
                or any(map(operator.lt, itertools.compress(due, dated), itertools.compress(starts, dated)))
                or any(
                    rectified[i] is not None and max(closed[i], ats[i]) < max(rectified[i], ats[i])
                    for i in closing
                )
            )
        if not valid:
            for problem, at in zip(problems, ats, strict=True):
                self._check_one(problem, at)
        tx.added("problem", ids)

    def _check_one(self, problem: Problem, at: dt.date) -> None:
        """``_check`` for one problem after those before it (their ids noted)."""
        tx = self.tx
        if tx.exists("problem", problem.id):
            raise ValueError(f"id: problem {problem.id!r} already exists (records are never overwritten)")
        if self._round_starts({problem.round_id}) is None:
            raise ValueError(f"round_id: no round {problem.round_id!r} in the ledger")
        rnd = self.rounds[problem.round_id]
        if problem.unit_id not in self.units and not self._unit_exists(problem.unit_id):
            raise ValueError(f"unit_id: no unit {problem.unit_id!r} in the ledger")
        if problem.found_on < rnd.start:
            raise ValueError(f"found_on: {problem.found_on} is before round {rnd.id} started ({rnd.start})")
        if problem.due is not None and problem.due < rnd.start:
            raise ValueError(f"due: {problem.due} is before round {rnd.id} started ({rnd.start})")
        tx.added("problem", (problem.id,))
        if problem.rectified_on is not None and problem.status is ProblemStatus.CLOSED:
            last, closed_at = max(problem.rectified_on, at), max(problem.closed_on, at)
            if closed_at < last:
                raise ValueError(
                    f"at: {closed_at} is before this problem's last recorded event ({last}); "
                    "events are appended in date order"
                )

    def _round_starts(self, round_ids: set[str]) -> dict[str, dt.date] | None:
        """Each round's start (its record kept); None when one is not in the ledger."""
        for round_id in round_ids - self.rounds.keys():
            if not self.tx.exists("round", round_id):
                return None
            self.rounds[round_id] = self.tx.record("round", round_id)
        return {round_id: self.rounds[round_id].start for round_id in round_ids}

    def _unit_exists(self, unit_id: str) -> bool:
        if self.tx.exists("unit", unit_id):
            self.units.add(unit_id)
            return True
        return False


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
