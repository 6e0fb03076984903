"""The ledger: read it as it stands (or stood on any date), write it by appending events.

    ledger = Ledger.open("sample_data/ledger.duckdb")          # read-only, what the apps use
    ledger.table("problems")                                  # current state, an ibis table
    ledger.as_of(date(2020, 6, 30)).table("problems")         # replayed to that day

    with Ledger.write("sample_data/ledger.duckdb", by="巡察办") as tx:   # one transaction
        tx.add(problem, at=date(2021, 3, 1))
        tx.extend_deadline("P-1", date(2021, 9, 30), at=date(2021, 6, 1), why="领导小组批准")

A write is all or nothing: a rule broken anywhere in the ``with`` block raises, and nothing of
it is stored. Rules checked here are the ones that need other records (the round a problem
belongs to exists and had started); a record's own rules live in ``toolkit.models``. After the
block, ``tx.receipt`` is the chain's new head (``toolkit.events.Receipt``) for the office to keep.

Opening fails with a ``toolkit.store.LedgerError`` that says why in one sentence: missing
(``LedgerMissing``), not a ledger (``NotALedger``), unreadable, busy (``LedgerBusy``), or, for
writes, read-only (``LedgerReadOnly``) or tampered at its head (``LedgerTampered``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import os
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from toolkit import models
from toolkit.events import (
    EVENT_COLUMNS,
    EVENT_FIELDS,
    GENESIS_HASH,
    Event,
    EventKind,
    Receipt,
    added_table,
    chain_hashes,
    encode_payload,
    field_sql_type,
    make_event,
    projection_rows,
)
from toolkit.location import default_location, missing_sentence
from toolkit.replay import SHORTCUT_ENTITIES, derived_names, state
from toolkit.sql_memo import Recent, remember_compiled
from toolkit.store import (
    DuckDBStore,
    LedgerBusy,
    LedgerError,
    LedgerMissing,
    LedgerReadOnly,
    LedgerTampered,
    LedgerUnreadable,
    NotALedger,
    is_url,
    open_store,
)
from toolkit.verify import VERIFY_WAIT_S, Verification, verify

if TYPE_CHECKING:  # a writer never builds an ibis expression: it does not import ibis
    import ibis.expr.types as ir

CURRENT_TABLES = {kind + "s": kind for kind in models.RECORD_ORDER}
_EVENT_ROW = operator.attrgetter(*EVENT_COLUMNS)  # an Event as a row tuple (astuple deep-copies)
FLUSH_EVERY = 50_000
MEMO_SIZE = 32  # past-date expressions a handle keeps (a few dates' tables), and the latest event's day
LOOKUPS_BEFORE_LOADING = 200  # ids asked about one by one before all of a kind are loaded


class Ledger:
    """A read-only handle on a ledger (DuckDB file or PostgreSQL URL)."""

    def __init__(self, store, con) -> None:
        self.store = store
        self.con = remember_compiled(con)
        self._tables: dict[str, ir.Table] = {}  # ibis looks a table's schema up on every con.table()
        self._memo = Recent(MEMO_SIZE)  # past-date expressions, the last event's day

    @classmethod
    def open(cls, target: str | os.PathLike | None = None) -> Ledger:
        """打开账本（只读）: a read-only handle on the ledger at ``target``.

        ``target`` is a DuckDB file or a ``postgresql://`` URL; without it, the ledger
        ``XUNCHA_LEDGER`` names, else the repository's sample ledger (``toolkit.location``), so
        a notebook in any folder opens the same ledger. A relative path is read from the current
        folder (in JupyterLab, the notebook's folder). A missing file raises ``LedgerMissing``
        with a sentence saying where it looked and how to point the toolkit at a ledger.
        """
        where = default_location() if target is None else target
        try:
            store = open_store(where)
            return cls(store, store.connect_reader())
        except LedgerMissing:
            if is_url(where):
                raise
            raise LedgerMissing(missing_sentence(where)) from None

    @classmethod
    def create(cls, target: str | os.PathLike) -> Ledger:
        """An empty ledger (tables created), opened for reading."""
        store = open_store(target)
        with store.write_session(create=True) as session:
            session.materialize_current()
        return cls.open(target)

    @staticmethod
    def write(
        target: str | os.PathLike | None = None,
        *,
        by: str,
        clock: Callable[[dt.date], dt.datetime] | None = None,
        create: bool = False,
        bulk: bool = False,
    ) -> Transaction:
        """写入账本: a write transaction; use as a context manager (commit on success, nothing on
        error). ``target`` as for :meth:`open` (default: ``XUNCHA_LEDGER``, else the sample).

        ``clock(at)`` gives each event's ``recorded_at`` (default: now); the sample generator
        passes a clock derived from ``at`` so the same seed gives the same bytes. ``bulk``: the
        write appends many rows (an import), which the database then stores as they come."""
        where = default_location() if target is None else target
        return Transaction(open_store(where), by=by, clock=clock, create=create, bulk=bulk)

    def refresh(self) -> Ledger:
        """Switch to the latest published state (after someone else's import)."""
        self.con.disconnect()
        self.con = remember_compiled(self.store.connect_reader())
        self._tables = {}
        self._memo = Recent(MEMO_SIZE)
        return self

    def close(self) -> None:
        self.con.disconnect()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- reading ----------------------------------------------------------------------------

    def table(self, name: str, *, derived: bool | Iterable[str] = True) -> ir.Table:
        """台账表: current state of ``units``, ``rounds``, ``inspections``, ``problems``, ``clues``,
        ``assignments``; or a stored table by name (``events``, ``changes``, ``*_added``).
        ``derived`` is for a view's sake (``LedgerView.table``): the stored tables hold what they hold."""
        if name not in self._tables:
            self._tables[name] = self.con.table(name)
        return self._tables[name]

    def as_of(self, day: dt.date | str | None, *, replay_all: bool = False) -> LedgerView:
        """回放 (as of a date): the ledger as it stood at the end of ``day`` (None: as it stands now).

        Problems unchanged since ``day`` are read from the current-state table and only the others
        are replayed (``toolkit.replay.state``); ``replay_all`` replays every record (what the
        tests compare it with)."""
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        return LedgerView(self, day, replay_all)

    def latest_event_day(self) -> dt.date | None:
        """The date (``at``) of the latest event. Kept by a DuckDB handle, which reads a published
        copy that no write changes until ``refresh``; asked each time of PostgreSQL, which
        another writer changes under a reader."""
        memo = self._memo
        if "latest_event_day" in memo:
            return memo["latest_event_day"]
        day = self.table("events").at.max().execute()
        day = None if day is None or pd.isna(day) else pd.Timestamp(day).date()
        if isinstance(self.store, DuckDBStore):
            memo["latest_event_day"] = day
        return day

    def events(self, record_id: str | None = None) -> pd.DataFrame:
        """事件: the event log in order, or one record's events (its history)."""
        events = self.con.table("events")
        if record_id is not None:
            events = events.filter(events.record_id == record_id)
        return events.order_by("seq").execute()

    def receipt(self) -> Receipt | None:
        """The chain's head as this handle sees it (None: a ledger written before heads were kept)."""
        from ibis.common.exceptions import TableNotFound

        try:
            head = self.con.table("ledger_head").execute()
        except TableNotFound:
            return None
        if len(head) != 1:
            return None
        seq, digest = int(head["seq"].iloc[0]), str(head["hash"].iloc[0])
        events = self.con.table("events")
        day = events.filter(events.seq == seq).recorded_at.max().execute() if seq else None
        return Receipt(seq, digest, None if day is None or day != day else day.date())

    def counts(self) -> dict[str, int]:
        """记录数: rows in each current-state table, and the number of events."""
        out = {name: int(self.con.table(name).count().execute()) for name in CURRENT_TABLES}
        out["events"] = int(self.con.table("events").count().execute())
        return out

    def verify(self, expect: Iterable[Receipt] = (), wait: float = VERIFY_WAIT_S) -> Verification:
        """Check the chain, its head, the tables figures are read from and the published copy
        (``toolkit.verify``); ``expect``: receipts kept elsewhere that must still hold."""
        return verify(self.store, expect=expect, wait=wait)


@dataclasses.dataclass(frozen=True)
class LedgerView:
    """The ledger replayed to a date: every table is an ibis expression over the events."""

    ledger: Ledger
    day: dt.date | None
    replay_all: bool = False

    def table(self, name: str, *, derived: bool | Iterable[str] = True) -> ir.Table:
        """``name`` as it stood on the view's day; a current-state table with the columns derived
        from each record's history unless ``derived`` is False (``toolkit.replay.state``)."""
        if self.day is None:
            return self.ledger.table(name)
        if name == "events":
            events = self.ledger.table("events")
            return events.filter(events.at <= self.day)
        entity = CURRENT_TABLES[name]
        derived = derived_names(entity, derived)
        key = ("state", name, self.day, self.replay_all, derived)  # an expression: safe on any store
        memo = self.ledger._memo
        expr = memo.get(key)
        if expr is None:
            tables = {n: self.ledger.table(n) for n in _projection_names()}
            shortcut = entity in SHORTCUT_ENTITIES and not self.replay_all
            current = self.ledger.table(name) if shortcut else None
            expr = memo[key] = state(tables, entity, self.day, current, derived=derived)
        return expr


def _projection_names() -> list[str]:
    """The tables a replay reads: the projections, and the log (for an event's kind)."""
    return [added_table(kind) for kind in models.RECORD_ORDER] + ["changes", "events"]


# ---- writing ----------------------------------------------------------------------------------


class Transaction:
    """Appends events (and their projection rows) inside one database transaction."""

    def __init__(self, store, *, by: str, clock=None, create: bool = False, bulk: bool = False) -> None:
        if not by or not by.strip():
            raise ValueError("by: every write names who makes it")
        self.store = store
        self.by = by
        self.clock = clock or _now
        self.create = create
        self.bulk = bulk
        self._session_cm = None
        self.session = None
        self._records: dict[tuple[str, str], models.Record] = {}
        self._last_at: dict[tuple[str, str], dt.date] = {}
        self._known_ids: dict[str, set[str]] = {}  # kind -> every id (loaded for big writes)
        self._looked_up: dict[str, dict[str, bool]] = {}  # kind -> id -> held (asked one by one)
        self._events: list[Event] = []
        self._touched: dict[str, set[str]] = {}  # kind -> ids of the records the events concern
        self._seq = self._first_seq = 0
        self._prev = GENESIS_HASH
        self.written = 0
        self.receipt: Receipt | None = None  # the chain's head once the block has committed

    def __enter__(self) -> Transaction:
        self._session_cm = self.store.write_session(create=self.create, bulk=self.bulk)
        self.session = self._session_cm.__enter__()
        last = self.session.fetchall("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        if last:
            self._seq, self._prev = int(last[0][0]), last[0][1]
        self._first_seq = self._seq  # the last event before this write's
        if self.session.new:  # created by this write: it holds only the ids noted here as added
            self._known_ids = {kind: set() for kind in models.RECORD_ORDER}
        return self

    def __exit__(self, exc_type, exc, tb) -> bool | None:
        try:
            if exc_type is None:
                self.flush()
                if self.written:
                    touched = None if self.session.new else self._touched
                    self.session.materialize_current(touched, since=self._first_seq)
        except BaseException as err:
            self._session_cm.__exit__(type(err), err, err.__traceback__)
            raise
        suppressed = self._session_cm.__exit__(exc_type, exc, tb)
        if exc_type is None:
            self.receipt = self.session.head
        return suppressed

    # ---- the public verbs ---------------------------------------------------------------------

    def add(
        self, record: models.Record, *, at: dt.date | None = None, why: str = "", by: str | None = None
    ) -> None:
        """Add a new record; its id must be new. ``at`` defaults to the record's own date."""
        key = (record.kind, record.id)
        if self._has(record.kind, record.id):
            raise ValueError(
                f"id: {record.kind} {record.id!r} already exists (records are never overwritten)"
            )
        at = at or _natural_date(record)
        self._check_references(record, at)
        self._added(record.kind, record.id)
        self._records[key] = record
        self._last_at[key] = at
        self._append(at, why, EventKind.ADDED, record.kind, record.id, record.to_dict(), by)

    def change(
        self,
        entity: str,
        record_id: str,
        kind: EventKind | str,
        *,
        at: dt.date,
        why: str = "",
        by: str | None = None,
        **fields: Any,
    ) -> None:
        """Record an event that changes fields of an existing record (validated as a whole)."""
        kind = EventKind(kind)
        allowed = EVENT_FIELDS.get(entity, {}).get(kind)
        if kind is EventKind.CORRECTED:
            allowed = models.RECORD_TYPES[entity].mutable
        if not allowed:
            raise ValueError(f"kind: a {kind.value} event does not apply to a {entity}")
        if unknown := set(fields) - allowed:
            raise ValueError(f"{sorted(unknown)[0]}: a {kind.value} event cannot change it")
        if not fields:  # it would leave no change: a deadline extension would go uncounted
            raise ValueError(
                f"kind: a {kind.value} event changes at least one field ({', '.join(sorted(allowed))})"
            )
        current = self._current(entity, record_id)
        key = (entity, record_id)
        if at < self._last_at[key]:
            raise ValueError(
                f"at: {at} is before this {entity}'s last recorded event ({self._last_at[key]}); "
                "events are appended in date order"
            )
        updated = models.replace(current, **fields)  # re-validates the whole record
        self._records[key] = updated
        self._last_at[key] = at
        self._append(at, why, kind, entity, record_id, fields, by)

    def set_status(
        self,
        problem_id: str,
        status: models.ProblemStatus | str,
        *,
        at: dt.date,
        why: str = "",
        rectified_on: dt.date | None = None,
    ) -> None:
        status = models.ProblemStatus.parse(status, "status")
        if status in models.RECTIFIED_STATUSES and rectified_on is None:
            rectified_on = at
        self.change(
            "problem",
            problem_id,
            EventKind.STATUS_CHANGED,
            at=at,
            why=why,
            status=status,
            rectified_on=rectified_on,
        )

    def extend_deadline(self, problem_id: str, due: dt.date, *, at: dt.date, why: str) -> None:
        if not why:
            raise ValueError("why: a deadline extension records its reason (审批依据)")
        self.change("problem", problem_id, EventKind.DEADLINE_EXTENDED, at=at, why=why, due=due)

    def close_out(
        self, problem_id: str, *, at: dt.date, why: str = "", closed_on: dt.date | None = None
    ) -> None:
        """销号: only a rectified problem can be closed out; ``closed_on`` defaults to ``at``
        (an import keeps the 销号 date its sheet gives)."""
        current = self._current("problem", problem_id)
        if current.status is not models.ProblemStatus.RECTIFIED:
            raise ValueError(
                f"status: problem {problem_id} is {current.status.value}, only a rectified problem can be closed out"
            )
        self.change(
            "problem",
            problem_id,
            EventKind.CLOSED_OUT,
            at=at,
            why=why,
            status=models.ProblemStatus.CLOSED,
            closed_on=closed_on or at,
        )

    def exists(self, entity: str, record_id: str) -> bool:
        """Whether the ledger (or this transaction) already holds that record."""
        return self._has(entity, record_id)

    # ---- for bulk writers (an import's thousands of problems) ---------------------------------

    def load_ids(self, entity: str) -> None:
        """Hold every id of ``entity`` at once: for a writer about to add thousands of that kind
        (``exists`` would otherwise ask the database about the first few hundred one by one)."""
        if entity in self._known_ids:
            return
        rows = self.session.fetchall(f"SELECT id FROM {added_table(entity)}")
        held = {i for i, yes in self._looked_up.get(entity, {}).items() if yes}
        self._known_ids[entity] = {r[0] for r in rows} | held

    def record(self, entity: str, record_id: str) -> models.Record | None:
        """The record as it stands inside this transaction, or None when there is none."""
        return self._record(entity, record_id)

    def chained_events(
        self,
        entity: str,
        at: list[dt.date],
        why: list[str],
        kind: list[str],
        record_id: list[str],
        payload: list[str],
    ) -> list:
        """The next events of ``entity``, given as columns, as the ``events`` table's columns
        (``EVENT_COLUMNS``) chained after the last one: for a bulk writer that makes its own rows
        and appends them with :meth:`append_columns` (one call per batch). ``seq`` is a range;
        the payloads, the hashes and the columns of one value are Arrow arrays (a payload is
        encoded to UTF-8 once, for its hash and its row). What the verbs buffered is written
        first; the caller appends its rows before using the verbs again, so the table stays in
        sequence."""
        self.flush()
        first, n = self._seq + 1, len(at)
        recorded_at = list(map(self.clock, at))
        body = list(map(str.encode, payload))
        hashes = chain_hashes(first, self._prev, self.by, entity, at, recorded_at, why, kind, record_id, body)
        prev_hash = [self._prev.encode("ascii"), *hashes[:-1]]
        if hashes:
            self._seq, self._prev = first + n - 1, hashes[-1].decode("ascii")
        self._touched.setdefault(entity, set()).update(record_id)
        by, entities = (pa.repeat(pa.scalar(value, pa.string()), n) for value in (self.by, entity))
        text = [_utf8_column(c) for c in (body, prev_hash[:n], hashes)]
        return [range(first, first + n), at, recorded_at, by, why, kind, entities, record_id, *text]

    def limit_memory(self, megabytes: int) -> None:
        """Cap what the database may hold in memory for this write (DuckDB spills the rest to
        disk): a bulk writer's process holds its own rows too. PostgreSQL runs elsewhere: no-op."""
        if self.session.dialect == "duckdb":
            self.session.fetchall(f"SET memory_limit = '{int(megabytes)}MB'")

    def holds_any(self, entity: str, record_ids: Collection[str]) -> bool:
        """Whether the ledger or this transaction holds any of these records: ``exists`` of
        each, asked at once (of the ids loaded, else of those noted here and of the database in
        one query: a batch of new records is checked without loading a million ids)."""
        if entity in self._known_ids:
            return not self._known_ids[entity].isdisjoint(record_ids)
        if any(map(self._looked_up.get(entity, {}).get, record_ids)):
            return True
        return self.session.holds_any(added_table(entity), list(record_ids))

    def added(self, entity: str, record_ids: Iterable[str]) -> None:
        """Note records a bulk writer added (so ``exists`` answers yes for them)."""
        if isinstance(record_ids, str):
            raise TypeError("record_ids: the ids of the records added, not one id")
        if entity in self._known_ids:
            self._known_ids[entity].update(record_ids)
        else:
            self._looked_up.setdefault(entity, {}).update(dict.fromkeys(record_ids, True))

    def append_columns(self, events: list, projections: dict[str, list]) -> None:
        """Append the columns from :meth:`chained_events` and their projection rows' columns
        (table -> columns in the table's order; a table with no rows is skipped)."""
        self.session.append_columns("events", events)
        for table, columns in projections.items():
            if len(columns[0]):
                self.session.append_columns(table, columns)
        self.written += len(events[0])

    # ---- internals ----------------------------------------------------------------------------

    def _append(self, at, why, kind, entity, record_id, fields, by=None) -> None:
        if not isinstance(at, dt.date) or isinstance(at, dt.datetime):
            raise ValueError(f"at: must be a date, got {at!r}")
        self._seq += 1
        event = make_event(
            self._prev,
            self._seq,
            at=at,
            recorded_at=self.clock(at),
            by=by or self.by,
            why=why,
            kind=str(kind),
            entity=entity,
            record_id=record_id,
            payload=encode_payload(fields),
        )
        self._prev = event.hash
        self._events.append(event)
        self._touched.setdefault(entity, set()).add(record_id)
        if len(self._events) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Write buffered events and their projection rows (still inside the transaction)."""
        if not self._events:
            return
        by_table: dict[str, list[tuple]] = {}
        for event in self._events:
            for table, row in projection_rows(event):
                by_table.setdefault(table, []).append(row)
        self.session.append("events", [_EVENT_ROW(e) for e in self._events])
        for table, rows in by_table.items():
            self.session.append(table, rows)
        self.written += len(self._events)
        self._events = []

    def _has(self, entity: str, record_id: str) -> bool:
        """Whether the ledger or this transaction holds that record. A write that asks about a
        few records asks the database about each (a million ids are not loaded to change one);
        past ``LOOKUPS_BEFORE_LOADING`` questions, every id of that kind is loaded once."""
        if entity in self._known_ids:
            return record_id in self._known_ids[entity]
        seen = self._looked_up.setdefault(entity, {})
        if record_id not in seen:
            if len(seen) >= LOOKUPS_BEFORE_LOADING:
                rows = self.session.fetchall(f"SELECT id FROM {added_table(entity)}")
                self._known_ids[entity] = {r[0] for r in rows} | {i for i, held in seen.items() if held}
                return record_id in self._known_ids[entity]
            table = added_table(entity)
            seen[record_id] = bool(
                self.session.fetchall(f"SELECT 1 FROM {table} WHERE id = ? LIMIT 1", [record_id])
            )
        return seen[record_id]

    def _added(self, entity: str, record_id: str) -> None:
        self.added(entity, (record_id,))

    def _current(self, entity: str, record_id: str) -> models.Record:
        """The record as it stands inside this transaction: its first form plus its changes."""
        key = (entity, record_id)
        if key in self._records:
            return self._records[key]
        if not self._has(entity, record_id):
            raise ValueError(f"record_id: no {entity} {record_id!r} in the ledger")
        self.flush()
        names = [f.name for f in models.record_fields(entity)]
        cols = ", ".join(f'"{n}"' for n in names)
        table = added_table(entity)
        row = self.session.fetchall(f"SELECT {cols}, added_at FROM {table} WHERE id = ?", [record_id])[0]
        values, last_at = dict(zip(names, row[:-1], strict=True)), row[-1]
        changes = self.session.fetchall(
            'SELECT field, value, "at" FROM changes WHERE entity = ? AND record_id = ? ORDER BY seq',
            [entity, record_id],
        )
        for field, value, at in changes:
            values[field] = _parse_change(entity, field, value)
            last_at = at
        record = models.RECORD_TYPES[entity](**values)
        self._records[key] = record
        self._last_at[key] = last_at
        return record

    def _record(self, entity: str, record_id: str) -> models.Record | None:
        try:
            return self._current(entity, record_id)
        except ValueError:
            return None

    def _check_references(self, record: models.Record, at: dt.date) -> None:
        for field, entity in (("round_id", "round"), ("unit_id", "unit"), ("assignee_unit_id", "unit")):
            ref = getattr(record, field, None)
            if ref is not None and not self._has(entity, ref):
                raise ValueError(f"{field}: no {entity} {ref!r} in the ledger")
        if isinstance(record, models.Problem):
            rnd = self._record("round", record.round_id)
            if record.found_on < rnd.start:
                raise ValueError(
                    f"found_on: {record.found_on} is before round {rnd.id} started ({rnd.start})"
                )
            if record.due is not None and record.due < rnd.start:
                raise ValueError(f"due: {record.due} is before round {rnd.id} started ({rnd.start})")
        if isinstance(record, models.Clue):
            rnd = self._record("round", record.round_id)
            if record.transferred_on < rnd.start:
                raise ValueError(
                    f"transferred_on: {record.transferred_on} is before round {rnd.id} started ({rnd.start})"
                )


def _utf8_column(values: list[bytes]) -> pa.Array:
    """Text already encoded to UTF-8 as an Arrow string column (no second encoding)."""
    return pa.array(values, pa.binary()).view(pa.string())


def _now(at: dt.date) -> dt.datetime:
    """The default clock: an event is recorded at the local time it is written (naive)."""
    return dt.datetime.now()


def _natural_date(record: models.Record) -> dt.date:
    for name in ("found_on", "transferred_on", "assigned_on", "start"):
        if hasattr(record, name):
            return getattr(record, name)
    return dt.date.today()


def _parse_change(entity: str, field: str, value: str) -> Any:
    if value == "":
        return None
    sql_type = field_sql_type(models.RECORD_TYPES[entity], field)
    if sql_type == "DATE":
        return dt.date.fromisoformat(value)
    if sql_type == "BIGINT":
        return int(value)
    if sql_type == "BOOLEAN":
        return value == "true"
    return value


__all__ = [
    "Ledger",
    "LedgerBusy",
    "LedgerError",
    "LedgerMissing",
    "LedgerReadOnly",
    "LedgerTampered",
    "LedgerUnreadable",
    "LedgerView",
    "NotALedger",
    "Transaction",
    "Verification",
    "verify",
]
