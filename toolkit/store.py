"""Where a ledger lives: an embedded DuckDB file (the default) or a PostgreSQL database.

Both backends offer the same three things: an ibis connection for reading, a write session that
appends rows inside one transaction, and a read session on the master (what ``verify`` and an
import's duplicate detection read). Everything above this module is backend-agnostic.

Readers and one writer at the same time (the normal day: an analyst imports while leaders
have the app open):

* DuckDB lets a file be opened by one writing process *or* by readers, never both. So the
  writer owns the master file (``ledger.duckdb``), serialised by an exclusive lock file
  (``ledger.duckdb.lock``), and readers never open it. After a write commits, the master is
  copied to a new generation file in ``ledger.duckdb.published/`` and the ``CURRENT`` pointer
  is swapped with an atomic rename. A reader opens whatever ``CURRENT`` names, read-only, and
  keeps it until it asks to refresh: it sees the ledger before an import or after it, never
  half of one, and it never blocks the writer. The last ``KEEP_GENERATIONS`` files are kept so a
  reader that just read the pointer still finds its file.
* PostgreSQL gives the same guarantees itself: a write is one transaction (readers see it
  all or not at all, MVCC), writers are serialised by a lock, readers' sessions are read-only.

A write may be killed at any point (``kill -9``, a power cut). The writer leaves a marker
(``ledger.duckdb.pending``) from before its commit until its publish is complete; whoever
next takes the lock (the next write, ``verify``, or a reader that finds the lock free) finishes
the job: it drops half-written ``*.tmp`` files and republishes the master. A reader never
opens a ``*.tmp`` file, so it never sees half a generation.

The head of the event chain (how many events, the last hash) is kept in the ``ledger_head``
table, updated in the same transaction as the events, and (DuckDB) in a receipt line beside
the master (``ledger.duckdb.head``) and inside every published generation: ``toolkit.verify``
compares them, so removing the newest events shows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy
import pyarrow as pa

from toolkit import models
from toolkit.events import CHANGE_COLUMNS, EVENT_COLUMNS, GENESIS_HASH, Receipt, added_columns, added_table
from toolkit.replay import ALWAYS_FILLED, GROUPED_BY, STATE_FORMAT, state_columns, state_sql_types
from toolkit.replay_sql import STATE_SQL

KEEP_GENERATIONS = 3
LOCK_TIMEOUT_S = 120.0
COPY_CHUNK = 16 << 20
HEAD_TABLE = "ledger_head"
STANDBY_ALIAS = "standby_generation"
CATCH_UP_EVENTS = 100_000  # a standby further behind (and more than a tenth) is copied over instead
GENERATION_NAME = re.compile(r"gen-\d{8}T\d{12}-\d+\.duckdb")
PG_WRITER_LOCK = 0x58554E4348  # pg_advisory_xact_lock key shared by every writer ("XUNCH")

# Tests make a writer stop dead at one of these steps: XUNCHA_CRASH_AT=<step> (a real SIGKILL).
CRASH_ENV = "XUNCHA_CRASH_AT"
CRASH_STEPS = ("before-commit", "after-commit", "during-copy", "after-copy", "after-swap")

EVENT_SQL = [
    ("seq", "BIGINT"),
    ("at", "DATE"),
    ("recorded_at", "TIMESTAMP"),
    ("by", "VARCHAR"),
    ("why", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("entity", "VARCHAR"),
    ("record_id", "VARCHAR"),
    ("payload", "VARCHAR"),
    ("prev_hash", "VARCHAR"),
    ("hash", "VARCHAR"),
]
assert [n for n, _ in EVENT_SQL] == EVENT_COLUMNS
# state_format: the rules the write kept the derived columns by (``toolkit.replay.STATE_FORMAT``),
# NOT NULL so that a toolkit from before it, which writes the head without it, fails whole
HEAD_SQL = [("seq", "BIGINT"), ("hash", "VARCHAR"), ("state_format", "BIGINT NOT NULL")]

ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


def table_columns() -> dict[str, list[tuple[str, str]]]:
    """Every stored table and its columns: the event log, its projections and its head."""
    tables = {"events": EVENT_SQL, "changes": CHANGE_COLUMNS}
    for kind in models.RECORD_ORDER:
        tables[added_table(kind)] = added_columns(kind)
    tables[HEAD_TABLE] = HEAD_SQL
    return tables


CURRENT_TABLES = [kind + "s" for kind in models.RECORD_ORDER]  # derived from the projections
UPGRADE_LOCK_TIMEOUT_MS = 2000  # how long adding state columns to an older PostgreSQL table waits
TOUCHED_TABLE = "touched_ids"  # temporary: the records a write's events concern


def _quote(name: str) -> str:
    return f'"{name}"'


def create_statements(names: Sequence[str] | None = None) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {name} (" + ", ".join(f"{_quote(c)} {t}" for c, t in cols) + ")"
        for name, cols in table_columns().items()
        if names is None or name in names
    ]


# ---- what can go wrong, as sentences ---------------------------------------------------------


class LedgerError(Exception):
    """This ledger cannot be used as asked. ``str(err)`` says where; ``err.sentence`` says all.

    The command line turns it into one sentence and exit code 2; the apps show the sentence.
    """

    zh = "无法使用账本"
    en = "cannot use the ledger"

    def __init__(self, where: str, detail: str = "") -> None:
        super().__init__(f"{where} ({detail})" if detail else where)
        self.where = where
        self.detail = detail

    @property
    def sentence(self) -> str:
        return f"{self.zh} / {self.en}: {self}"


class LedgerMissing(LedgerError, FileNotFoundError):
    """The ledger file or database does not exist (the apps show this as a message, not a trace)."""

    zh, en = "账本不存在", "ledger not found"


class NotALedger(LedgerError):
    """The file or database exists but is not a ledger this toolkit wrote."""

    zh, en = "这不是巡察台账账本", "not a ledger written by this toolkit"


class LedgerUnreadable(LedgerError):
    """The ledger exists but cannot be opened (permissions, a broken file, no connection)."""

    zh, en = "账本无法读取", "the ledger cannot be read"


class LedgerBusy(LedgerError, TimeoutError):
    """A writer holds the ledger longer than we may wait: try again later."""

    zh, en = (
        "账本被占用（另一程序正在写入，或直接打开着账本文件，例如另一个笔记本的内核：关闭它或重启该内核），请稍后重试",
        "the ledger is busy (another program is writing it, or holds the file itself, such as another "
        "notebook's kernel: close it or restart that kernel), try again later",
    )


class LedgerOpenHere(LedgerBusy):
    """This process reads the master itself (a ledger never published: copied on its own or
    written by hand), and DuckDB opens a file in one mode per process: a write must wait for
    that handle to close. Its first write publishes, and readers hold a copy from then on."""

    zh, en = (
        "本程序已在读取这个从未发布的账本文件，写入前请先关闭读取（ledger.close()）",
        "this program already reads this never-published ledger file: close that handle (ledger.close()) before writing",
    )


class LedgerReadOnly(LedgerError, PermissionError):
    """This user or database role may read the ledger but not write it."""

    zh, en = "此数据库角色只能读取，不能写入", "this database role may only read, not write"


class LedgerTooNew(LedgerError):
    """A write refused because a newer version of the toolkit keeps this ledger."""

    zh = "账本由更新版本的工具包维护，本版本不能写入，未写入任何内容；请升级工具包"
    en = "a newer version of the toolkit keeps this ledger: this one may not write it; nothing written. Upgrade the toolkit"


class LedgerTampered(LedgerError):
    """A write refused because the ledger's head no longer matches its event log."""

    zh = (
        "账本头记录与事件记录不符，未写入任何内容；请运行 toolkit verify。"
        "若账本是有意从备份恢复的，请删除旁边旧的 .head 文件"
    )
    en = (
        "the ledger's head does not match its event log; nothing written. Run `toolkit verify`; "
        "if the file was restored from a backup on purpose, delete the old .head file beside it"
    )


def is_url(target: str | os.PathLike) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def crash_point(step: str) -> None:
    """Die here, at once, when a test asks for it (``XUNCHA_CRASH_AT``): nothing is cleaned up."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


# ---- sessions -------------------------------------------------------------------------------


@contextlib.contextmanager
def collector_paused():
    """The cyclic garbage collector off for a bulk write (an import, the sample): they make
    millions of young objects (cells, rows, events) freed by reference counting, and each full
    collection walks all of them again to find no cycle (a fifth to a third of their time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Session:
    """One open transaction on the master: plain SQL, bulk appends (writers), the head."""

    dialect: str

    def __init__(self, con) -> None:
        self.con = con
        self.changed = False  # anything executed or appended: the write must commit and publish
        self.head: Receipt | None = None  # the chain's head as this session leaves it
        self.new = False  # this session creates the ledger (its current tables are built whole)
        self.by_hand = False  # rows changed other than by appending events and their rows
        self._columns: dict[str | None, dict[str, list[str]]] = {}  # database -> table -> columns

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """A statement written by hand (a repair, a test's tampering): the store cannot tell
        which rows it changed, so the next publish copies the whole file."""
        self.by_hand = True
        self._run(sql, params)

    def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def guarded_fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """``fetchall`` whose failure leaves the transaction usable (a savepoint on PostgreSQL)."""
        return self.fetchall(sql, params)

    def append(self, table: str, rows: list[tuple]) -> None:
        raise NotImplementedError

    def table_names(self) -> set[str]:
        raise NotImplementedError

    def column_names(self, table: str) -> list[str]:
        raise NotImplementedError

    def materialize_current(self, touched: dict[str, set[str]] | None = None, since: int = 0) -> None:
        """Bring the current-state tables (``problems``, ``clues`` ...) up to the projections.

        ``touched`` (kind -> record ids the new events concern): only those rows are replaced,
        so a one-event write costs one row, not a rebuild of a million. None: rebuild them all
        (a new ledger, or a repair). ``since``: the last seq before the write's events; the
        records it added replace the rows of their groups too (``group_members_sql``).

        Tables written before a state column existed (``changed_at``, the derived columns of
        ``toolkit.replay.DERIVED``): DuckDB (one file, one owner) rebuilds them whole, once. On
        PostgreSQL a rebuild would drop what the office granted on them (a leader's read-only
        role) and any view built on them, so the columns are added in place and filled
        (``add_state_columns``), which keeps both; only the tables' owner may do that, so a
        writer who is not keeps to the columns the tables have, and readers work the missing
        ones out the older way. Rows an older toolkit wrote with an empty ``changed_at`` are
        replaced too."""
        have: dict[str, list[str]] = {}
        if touched is not None:
            present = self.table_names()
            have = {n: self.column_names(n) for n in CURRENT_TABLES if n in present}
        lacking = any(_missing_columns(name, columns) for name, columns in have.items())
        if lacking and touched is not None and self.add_state_columns(have):
            have = {n: self.column_names(n) for n in have}
            lacking = False
        if touched is None or (lacking and self.dialect == "duckdb"):
            self.by_hand = True  # rebuilt tables: the next publish copies the whole file
            for kind in models.RECORD_ORDER:
                name = kind + "s"
                self._run(f"DROP TABLE IF EXISTS {name}")
                self._run(f"CREATE TABLE {name} AS {state_sql(kind, self.dialect)}")
                self._require_derived(name)
            return
        for kind in models.RECORD_ORDER:
            name = kind + "s"
            ids = set(touched.get(kind, ()))
            if "changed_at" in have.get(name, ["changed_at"]):
                ids |= {row[0] for row in self.fetchall(f"SELECT id FROM {name} WHERE changed_at IS NULL")}
            if not ids:
                continue
            kept = have.get(name, current_columns(kind))  # the columns this table has
            columns = ", ".join(_quote(n) for n in current_columns(kind) if n in kept)
            self._load_touched(sorted(ids))
            if all(c in kept for c in current_columns(kind)):  # a derived column looks across
                self._touch_groups(kind, since)
            self._run(f"DELETE FROM {name} WHERE id IN (SELECT id FROM {TOUCHED_TABLE})")
            self._run(
                f"INSERT INTO {name} ({columns}) SELECT {columns} FROM ({state_sql(kind, self.dialect, True)}) "
                "touched_state ORDER BY id"
            )
        self._drop_touched()

    def _require_derived(self, name: str) -> None:
        """Refuse a row of ``name`` without its derived columns. A toolkit from before them
        writes only the columns it knows, which would leave them empty on the rows it touches,
        and figures read them as they are: its write fails instead, with nothing written, until
        it is upgraded (``toolkit.replay.ALWAYS_FILLED``: never empty on a row this one writes)."""
        for column in ALWAYS_FILLED.get(name.removesuffix("s"), ()):
            self._run(f"ALTER TABLE {name} ALTER COLUMN {_quote(column)} SET NOT NULL")

    def add_state_columns(self, have: dict[str, list[str]]) -> bool:
        """Add the state columns the current-state tables in ``have`` (name -> its columns) lack,
        filled from the projections, all or none; whether it was done. Only PostgreSQL does it
        in place (see ``materialize_current``)."""
        return False

    def _load_touched(self, ids: list[str]) -> None:
        """A temporary one-column table of record ids (what the filtered replay joins on)."""
        self._run(f"CREATE TEMP TABLE IF NOT EXISTS {TOUCHED_TABLE} (id VARCHAR)")
        self._run(f"DELETE FROM {TOUCHED_TABLE}")
        self.append_ids(ids)

    def _touch_groups(self, kind: str, since: int) -> None:
        """Add to ``TOUCHED_TABLE`` every record sharing ``toolkit.replay.GROUPED_BY`` with one in
        it added after seq ``since``: a record added to a unit and category moves the
        ``found_again_on`` of the others, and the replay of the touched records looks only among
        them. A write that adds none (a status change, an extension) replaces no more rows."""
        members = group_members_sql(kind, f"SELECT id FROM {TOUCHED_TABLE}", since=since)
        if members is not None:
            self._run(
                f"INSERT INTO {TOUCHED_TABLE} (id) SELECT id FROM ({members}) members "
                f"WHERE NOT EXISTS (SELECT 1 FROM {TOUCHED_TABLE} t WHERE t.id = members.id)"
            )

    def _drop_touched(self) -> None:
        self._run(f"DROP TABLE IF EXISTS {TOUCHED_TABLE}")

    def append_ids(self, ids: list[str]) -> None:
        raise NotImplementedError

    def rows_with_ids(
        self, table: str, ids: list[str], columns: str = "id", limit: int | None = None
    ) -> list[tuple]:
        """``columns`` of the rows of ``table`` whose ``id`` is one of ``ids``, in one query: an
        import asks about its own records without loading every id the ledger holds."""
        raise NotImplementedError

    def holds_any(self, table: str, ids: list[str]) -> bool:
        """Whether ``table`` has a row whose ``id`` is one of ``ids``."""
        return bool(self.rows_with_ids(table, ids, "1", limit=1))

    def append_columns(self, table: str, columns: Sequence[Any]) -> None:
        """``append`` given columns instead of rows (lists or Arrow arrays, in the table's column
        order): a bulk load builds columns, and transposing millions of rows costs seconds."""
        values = [c.to_pylist() if isinstance(c, pa.Array) else c for c in columns]
        self.append(table, list(zip(*values, strict=True)))

    def last_event(self) -> Receipt:
        """The chain as the event log ends: seq and hash of its last event (seq 0 when empty)."""
        rows = self.fetchall("SELECT seq, hash, recorded_at FROM events ORDER BY seq DESC LIMIT 1")
        if not rows:
            return Receipt(0, GENESIS_HASH)
        seq, digest, recorded_at = rows[0]
        return Receipt(int(seq), digest, _day(recorded_at))

    def recorded_head(self) -> Receipt | None:
        """The head the last write recorded (None: a ledger written before heads were kept)."""
        if HEAD_TABLE not in self.table_names():
            return None
        rows = self.fetchall(f"SELECT seq, hash FROM {HEAD_TABLE}")
        if len(rows) != 1 or rows[0][0] is None or rows[0][1] is None:
            raise LedgerTampered(HEAD_TABLE, f"it holds {len(rows)} rows instead of one head")
        seq, digest = rows[0]
        day = self.fetchall("SELECT recorded_at FROM events WHERE seq = ?", [seq]) if seq else []
        return Receipt(int(seq), digest, _day(day[0][0]) if day else None)

    def record_head(self) -> Receipt:
        """Write the chain's head into ``ledger_head`` (inside this transaction), with the format
        of the state this toolkit keeps. A head table from before the format was recorded gains
        the column, NOT NULL, from then on refusing an older toolkit's write of any kind: one
        that adds a problem would leave the found_again_on of its unit and category stale, and
        one that adds anything would publish without the rows an earlier write moved."""
        head = self.head = self.last_event()
        self._run(f"DELETE FROM {HEAD_TABLE}")
        if "state_format" in self.column_names(HEAD_TABLE):
            self._run(
                f"INSERT INTO {HEAD_TABLE} (seq, hash, state_format) VALUES (?, ?, ?)",
                [head.seq, head.head, STATE_FORMAT],
            )
        else:
            self._run(f"INSERT INTO {HEAD_TABLE} (seq, hash) VALUES (?, ?)", [head.seq, head.head])
            self.add_head_format()
        return head

    def add_head_format(self) -> None:
        """Add ``state_format`` to the head table, filled and NOT NULL (``record_head``)."""
        self._add_head_format()
        self._columns.pop(None, None)
        self.by_hand = True  # the published copies' head tables lack it: copy the whole file

    def _add_head_format(self) -> None:
        self._run(f"ALTER TABLE {HEAD_TABLE} ADD COLUMN state_format BIGINT")
        self._run(f"UPDATE {HEAD_TABLE} SET state_format = ?", [STATE_FORMAT])
        self._run(f"ALTER TABLE {HEAD_TABLE} ALTER COLUMN state_format SET NOT NULL")

    def check_format(self, where: str) -> None:
        """Refuse to write a ledger whose head records a later state format than this toolkit's:
        a newer toolkit keeps derived columns this one would leave empty or stale."""
        if "state_format" not in self.column_names(HEAD_TABLE):
            return
        rows = self.fetchall(f"SELECT max(state_format) FROM {HEAD_TABLE}")
        if rows and rows[0][0] is not None and int(rows[0][0]) > STATE_FORMAT:
            raise LedgerTooNew(where, f"format {int(rows[0][0])}; this toolkit writes format {STATE_FORMAT}")

    def check_head(self, where: str, head_file: Receipt | None = None) -> None:
        """Refuse to append to a chain whose recorded head is not its last event (or the file's):
        appending would bury the evidence that events were removed. Nor to one whose head records
        a later state format (``check_format``)."""
        last = self.last_event()
        for source, head in (("ledger_head", self.recorded_head()), ("head file", head_file)):
            if head is not None and (head.seq, head.head) != (last.seq, last.head):
                raise LedgerTampered(
                    where,
                    f"{source} says {head.seq} events ending in {head.head[:12]}…, "
                    f"the event log has {last.seq} ending in {last.head[:12]}…",
                )
        self.check_format(where)

    def begin_ledger(self, present: set[str], where: str, create: bool) -> bool:
        """Inside the open transaction: refuse what is not a ledger, create what a ledger lacks.

        Returns True for a new ledger (no events table yet)."""
        if "events" in present:
            new = False
        elif _ledger_tables_in(present):
            raise LedgerTampered(where, "its events table is missing")
        elif present and self.dialect == "duckdb":
            raise NotALedger(where, "a database of other tables, without an events table")
        elif not create:
            raise LedgerMissing(where, "no ledger tables")
        else:
            new = True
        changed = self.changed
        for statement in create_statements([n for n in table_columns() if n not in present]):
            self._run(statement)  # a new ledger, or the head table an older ledger lacks
        self._columns.pop(None, None)
        if new:
            self.materialize_current()
        self.new = new
        self.changed = changed  # empty tables alone are no write: rolled back unless more follows
        return new


def _group_columns(rows: list[tuple]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def state_sql(kind: str, dialect: str, touched: bool = False) -> str:
    """SQL of the current state of ``kind``; ``touched``: only the records whose ids are in the
    temporary table ``TOUCHED_TABLE``. Compiled ahead (``toolkit.replay_sql``): a write needs
    neither ibis's ~0.1 s compile nor ibis itself."""
    return STATE_SQL[kind, dialect, touched]


def group_members_sql(kind: str, ids: str, schema: str = "", since: int = 0) -> str | None:
    """SQL of the ids of every ``kind`` record that shares ``toolkit.replay.GROUPED_BY`` with
    one of the records ``ids`` (a query of ids) selects and added after seq ``since``, those
    included; None: ``kind`` has no column that looks across records. What a write replaces and
    what a publish copies. The added rows are in seq order, so ``since`` skips the old ones."""
    if not (fields := GROUPED_BY.get(kind)):
        return None
    added = f"{schema}{kind}_added"
    on = " AND ".join(f"a.{_quote(f)} = g.{_quote(f)}" for f in fields)
    listed = ", ".join(f"t.{_quote(f)}" for f in fields)
    return (
        f"SELECT a.id FROM {added} a JOIN (SELECT DISTINCT {listed} FROM {added} t "
        f"WHERE t.added_seq > {int(since)} AND t.id IN ({ids})) g ON {on}"
    )


def _missing_columns(table: str, columns: list[str]) -> list[str]:
    """The state columns current-state table ``table`` (holding ``columns``) lacks, in order."""
    return [c for c in current_columns(table.removesuffix("s")) if c not in columns]


def current_columns(kind: str) -> list[str]:
    """Columns of a current-state table: the record's fields, then when it was added and when
    it last changed (``toolkit.replay.state_columns``)."""
    return state_columns(kind)


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _arrow(column, arrow_type: pa.DataType) -> pa.Array:
    """A column as Arrow: an Arrow array as it is, a range (a run of seqs) without a Python int
    per row, anything else converted."""
    if isinstance(column, pa.Array):
        return column
    if isinstance(column, range):
        return pa.array(numpy.arange(column.start, column.stop, column.step, dtype=numpy.int64), arrow_type)
    return pa.array(column, type=arrow_type)


def _limit(limit: int | None) -> str:
    return "" if limit is None else f" LIMIT {int(limit)}"


class _DuckDBSession(Session):
    dialect = "duckdb"

    def __init__(self, con) -> None:
        super().__init__(con)
        self._threads: Any = None  # DuckDB's thread count, read before the first append

    def _run(self, sql, params=()):
        self.changed = True
        self.con.execute(sql, list(params))

    def fetchall(self, sql, params=()):
        return self.con.execute(sql, list(params)).fetchall()

    def append(self, table, rows):
        if rows:
            self.append_columns(table, [list(values) for values in zip(*rows, strict=False)])

    def append_columns(self, table, columns):
        cols = table_columns()[table]
        arrays = [_arrow(c, ARROW_TYPES[typ]) for c, (_, typ) in zip(columns, cols, strict=True)]
        if not len(arrays[0]):
            return
        self.changed = True
        if self._threads is None:
            self._threads = self.fetchall("SELECT current_setting('threads')")[0][0]
        # One thread: an insert that keeps the rows' order merges what its threads appended,
        # and costs a half more time (and CPU) than one thread appending in order.
        self.con.execute("SET threads = 1")
        try:
            # a relation, not ``register``: a registered table stays alive until the transaction
            # ends (a view depends on it), which holds every batch of a million-event load
            self.con.from_arrow(pa.Table.from_arrays(arrays, names=[c for c, _ in cols])).insert_into(table)
        finally:
            self.con.execute(f"SET threads = {int(self._threads)}")

    @contextlib.contextmanager
    def _id_table(self, name: str, ids: list[str]) -> Iterator[str]:
        """``ids`` as a one-column table ``id`` named ``name`` for the statements in the block: an
        Arrow table, not a list parameter (binding a list of strings costs twice the query)."""
        self.con.register(name, pa.table({"id": pa.array(ids, type=pa.string())}))
        try:
            yield name
        finally:
            self.con.unregister(name)

    def rows_with_ids(self, table, ids, columns="id", limit=None):
        with self._id_table("_asked", ids) as asked:
            return self.fetchall(
                f"SELECT {columns} FROM {table} WHERE id IN (SELECT id FROM {asked}){_limit(limit)}"
            )

    def append_ids(self, ids):
        self.changed = True
        with self._id_table("_ids", ids) as added:
            self.con.execute(f"INSERT INTO {TOUCHED_TABLE} SELECT id FROM {added}")

    def table_names(self, database: str | None = None) -> set[str]:
        rows = self.con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = coalesce(?, current_database()) AND schema_name = 'main'",
            [database],
        ).fetchall()
        return {r[0] for r in rows}

    def column_names(self, table: str, database: str | None = None) -> list[str]:
        if database not in self._columns:
            rows = self.con.execute(
                "SELECT table_name, column_name FROM duckdb_columns() "
                "WHERE database_name = coalesce(?, current_database()) AND schema_name = 'main' "
                "ORDER BY table_name, column_index",
                [database],
            ).fetchall()
            self._columns[database] = _group_columns(rows)
        return self._columns[database].get(table, [])

    def attach(self, path: Path, alias: str) -> None:
        """Open another ledger file (a published generation) read-only beside the master."""
        try:
            self.con.execute(f"ATTACH '{_sql_text(str(path))}' AS {alias} (READ_ONLY)")
        except Exception as err:  # noqa: BLE001 - any failure here is "that file is not readable"
            raise NotALedger(str(path), _first_line(err)) from None

    def detach(self, alias: str) -> None:
        self.con.execute(f"DETACH {alias}")
        self._columns.pop(alias, None)


class _PostgresSession(Session):
    dialect = "postgres"

    def _run(self, sql, params=()):
        self.changed = True
        with self.con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), list(params) or None)

    def fetchall(self, sql, params=()):
        with self.con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), list(params) or None)
            return cur.fetchall()

    def guarded_fetchall(self, sql, params=()):
        with self.con.transaction():
            return self.fetchall(sql, params)

    def append(self, table, rows):
        if not rows:
            return
        self.changed = True
        names = ", ".join(_quote(c) for c, _ in table_columns()[table])
        with self.con.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def rows_with_ids(self, table, ids, columns="id", limit=None):
        return self.fetchall(f"SELECT {columns} FROM {table} WHERE id = ANY(?){_limit(limit)}", [ids])

    def append_ids(self, ids):
        self.changed = True
        with self.con.cursor() as cur, cur.copy(f"COPY {TOUCHED_TABLE} (id) FROM STDIN") as copy:
            for record_id in ids:
                copy.write_row((record_id,))

    def add_head_format(self):
        self._in_place(self._add_head_format)  # refused: the owner's write adds it

    def add_state_columns(self, have):
        lacking = {
            name: missing for name, columns in have.items() if (missing := _missing_columns(name, columns))
        }

        def add() -> None:
            for name, missing in lacking.items():
                kind = name.removesuffix("s")
                types = state_sql_types(kind)
                for column in missing:
                    self._run(f"ALTER TABLE {name} ADD COLUMN {_quote(column)} {types[column]}")
                assigned = ", ".join(f"{_quote(c)} = replayed.{_quote(c)}" for c in missing)
                self._run(
                    f"UPDATE {name} SET {assigned} "
                    f"FROM ({state_sql(kind, self.dialect)}) replayed WHERE {name}.id = replayed.id"
                )
                if set(ALWAYS_FILLED.get(kind, ())) & set(missing):
                    self._require_derived(name)

        return self._in_place(add)

    def _in_place(self, upgrade: Callable[[], None]) -> bool:
        """Run ``upgrade`` (columns added to tables in place) in a savepoint, all or nothing;
        whether it was done. When it is refused the tables stay as they are, and a later write
        tries again."""
        import psycopg

        try:
            with self.con.transaction():  # a savepoint: a refusal undoes every step
                # Adding a column waits for the readers' queries on the table, and new readers
                # queue behind it: it waits briefly, and the upgrade is left to a later write.
                self._run(f"SET LOCAL lock_timeout = '{UPGRADE_LOCK_TIMEOUT_MS}ms'")
                upgrade()
                self._run(f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT_S * 1000)}ms'")  # the write's own
        except (
            psycopg.errors.InsufficientPrivilege,  # not the tables' owner
            psycopg.errors.LockNotAvailable,  # readers busy on them
            psycopg.errors.DeadlockDetected,  # a reader's transaction took them in another order
            psycopg.errors.QueryCanceled,  # the office's statement_timeout, on a big ledger
        ):
            return False
        finally:
            self._columns.pop(None, None)
        return True

    def table_names(self):
        rows = self.fetchall(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return {r[0] for r in rows}

    def column_names(self, table):
        if None not in self._columns:
            rows = self.fetchall(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
            )
            self._columns[None] = _group_columns(rows)
        return self._columns[None].get(table, [])


WriteSession = Session  # the name the rest of the toolkit (and its tests) know


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


# ---- DuckDB ---------------------------------------------------------------------------------


# Rows per row group in a bulk write (an import): DuckDB compresses and writes a row group to the
# file once it is full, during the insert, and at the commit only what is left. With its default
# (122,880 rows) an import of 100,000 problems filled none, so all of it was compressed in the
# COMMIT (0.5 s); with this size the inserts do most of it as they go, and the import takes 0.35 s
# less in all (measured, 100,000 rows). The file is ~5 % bigger; readers see no difference.
BULK_ROW_GROUP_ROWS = 32_768


def _open_duckdb(path: Path, *, read_only: bool, row_group_rows: int | None = None):
    """A DuckDB connection, its failures turned into the ledger errors above. ``row_group_rows``:
    the rows of each row group this connection writes (None: DuckDB's default)."""
    import duckdb

    try:
        if row_group_rows is not None:  # only an attached database takes the option
            con = duckdb.connect()
            try:
                con.execute(
                    f"ATTACH '{_sql_text(str(path))}' AS ledger (ROW_GROUP_SIZE {int(row_group_rows)})"
                )
                con.execute("USE ledger")
            except BaseException:
                con.close()
                raise
            return con
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as err:
        text = str(err)
        if "lock" in text.lower():
            raise LedgerBusy(str(path), "another program holds the file") from None
        if "not a valid DuckDB database" in text:
            raise NotALedger(str(path), "not a DuckDB database file") from None
        if "Permission denied" in text and not read_only:
            raise LedgerReadOnly(str(path), "no permission to write the file") from None
        raise LedgerUnreadable(str(path), _first_line(err)) from None
    except duckdb.Error as err:  # a file from a newer DuckDB, a damaged header ...
        # connect() and ATTACH (a bulk write) say it their own way
        if "different configuration" in str(err) or "Unique file handle conflict" in str(err):
            raise LedgerOpenHere(str(path)) from None
        raise NotALedger(str(path), _first_line(err)) from None


def _ledger_tables_in(names: set[str]) -> set[str]:
    return names & (set(table_columns()) | set(CURRENT_TABLES))


class DuckDBStore:
    """A ledger in a DuckDB file, with published read-only generations (see module docstring)."""

    dialect = "duckdb"

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.published = self.path.with_name(self.path.name + ".published")
        self.pointer = self.published / "CURRENT"
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.head_path = self.path.with_name(self.path.name + ".head")
        self.pending_path = self.path.with_name(self.path.name + ".pending")

    def __repr__(self) -> str:
        return f"DuckDBStore({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.exists() or self.pointer.exists()

    def remove(self) -> None:
        """Delete the ledger and everything that goes with it (head, published copies, leftovers)."""
        import shutil

        for path in (
            self.path,
            self.path.with_name(self.path.name + ".wal"),
            self.head_path,
            self.pending_path,
        ):
            path.unlink(missing_ok=True)
        shutil.rmtree(self.published, ignore_errors=True)

    # ---- reading ----------------------------------------------------------------------------

    def current_generation(self) -> Path | None:
        """The generation ``CURRENT`` names (None: never published).

        Raises ``LedgerUnreadable`` when ``CURRENT`` names anything but a generation file in
        the published folder (``toolkit verify`` says more)."""
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            raise LedgerUnreadable(str(self.pointer), _first_line(err)) from None
        if not GENERATION_NAME.fullmatch(name) or (self.published / name).is_symlink():
            raise LedgerUnreadable(
                str(self.pointer), f"names {name[:80]!r}, not a published generation (toolkit verify)"
            )
        return self.published / name

    def connect_reader(self):
        """An ibis connection to the latest published generation, read-only.

        Leftovers of a killed write are repaired first when the lock is free (a writer at work
        repairs them itself when it publishes)."""
        self.repair(wait=0)
        for _ in range(5):
            target = self.current_generation()
            if target is None:
                if not self.path.exists():
                    raise LedgerMissing(str(self.path))
                target = self.path  # never published (written by hand): read the master
            try:
                con = _open_duckdb(target, read_only=True)
            except LedgerError as err:
                if target.exists() and not (isinstance(err, LedgerBusy) and target != self.path):
                    raise
                # a newer generation replaced it between read and open, or a writer is catching
                # that (no longer current) generation up: read the pointer again
                time.sleep(0.05)
                continue
            return _ledger_backend(con, target)
        raise LedgerUnreadable(str(self.pointer), f"names {target.name}, which is missing (toolkit verify)")

    def connect_master_reader(self):
        """The master itself, read-only (fails with ``LedgerBusy`` while a writer holds it)."""
        if not self.path.exists():
            raise LedgerMissing(str(self.path))
        return _ledger_backend(_open_duckdb(self.path, read_only=True), self.path)

    @contextlib.contextmanager
    def read_session(self, wait: float = LOCK_TIMEOUT_S) -> Iterator[_DuckDBSession]:
        """The master, read-only, with no writer at work for as long as the block runs.

        Takes the writer lock (waiting up to ``wait`` seconds, then ``LedgerBusy``) and repairs a
        killed write's leftovers first, so what it reads is what the next reader will see."""
        if not self.path.exists():
            raise LedgerMissing(str(self.path))
        with self._lock(wait, required=False) as locked:
            if locked:
                self._repair_locked()
            con = _open_duckdb(self.path, read_only=True)
            try:
                con.execute(f"SET temp_directory = '{_sql_text(tempfile.gettempdir())}'")
                yield _DuckDBSession(con)
            finally:
                con.close()

    # ---- writing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def write_session(self, create: bool = False, bulk: bool = False) -> Iterator[_DuckDBSession]:
        """One transaction on the master, then a new published generation (all or nothing).
        ``bulk``: a write of many rows (an import; see ``BULK_ROW_GROUP_ROWS``)."""
        if not create and not self.path.exists():
            raise LedgerMissing(str(self.path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock(LOCK_TIMEOUT_S):
            self._repair_locked()
            new_file = not self.path.exists()
            self.pending_path.touch()
            committed = new = False
            con = None
            try:
                con = _open_duckdb(
                    self.path, read_only=False, row_group_rows=BULK_ROW_GROUP_ROWS if bulk else None
                )
                session = _DuckDBSession(con)
                present = session.table_names()
                if "events" in present:
                    session.check_head(str(self.path), self._head_file())
                con.execute("BEGIN TRANSACTION")
                try:
                    new = session.begin_ledger(present, str(self.path), create)
                    yield session
                    if session.changed:
                        session.record_head()
                    else:
                        session.head = session.last_event()
                    crash_point("before-commit")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                if session.changed:
                    con.execute("COMMIT")
                    committed = True
                    crash_point("after-commit")
                    con.execute("CHECKPOINT")
                else:
                    con.execute("ROLLBACK")  # nothing to write: no new generation either
                if committed:
                    self._publish_locked(only=new, whole=session.by_hand, con=con)
            except BaseException:
                if con is not None:
                    con.close()
                if not committed:
                    self._clear_pending(new_file)
                raise
            con.close()
            if not committed and new_file:
                self._clear_pending(new_file=True)  # nothing was written: no ledger file either
            self.pending_path.unlink(missing_ok=True)

    def _clear_pending(self, new_file: bool) -> None:
        """After a rollback the master is as it was: the marker can go (and a file made for it)."""
        if new_file:
            for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
                leftover.unlink(missing_ok=True)
        self.pending_path.unlink(missing_ok=True)

    def publish(self) -> Path:
        """Copy the master to a new generation and point ``CURRENT`` at it (takes the lock)."""
        with self._lock(LOCK_TIMEOUT_S):
            return self._publish_locked(whole=True)

    def _publish_locked(self, only: bool = False, whole: bool = True, con=None) -> Path:
        """Head file, a new generation, pointer swap, old generations removed (lock held).

        The new generation is a standby generation brought up to the master by the rows the
        events since its head touched (``_catch_up``: cost independent of the ledger's size),
        or, when none can be (``whole``: rows were changed by hand or a killed write is being
        finished; a reader holds every standby; none is a recent copy of this master), a copy
        of the whole file. ``only``: a new ledger; generations of whatever ledger had this
        name before go. ``con``: the writer's open connection to the master, if any."""
        own = con is None
        if own:
            con = _open_duckdb(self.path, read_only=False)
        try:
            con.execute("CHECKPOINT")  # a write killed after its commit left a WAL: fold it in
            session = _DuckDBSession(con)
            head = session.recorded_head() or session.last_event()
            _write_atomically(self.head_path, str(head) + "\n")
            self.published.mkdir(exist_ok=True)
            stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
            name = f"gen-{stamp}-{os.getpid()}.duckdb"
            caught_up = None if only or whole else self._catch_up(session, head, name)
        finally:
            if own:
                con.close()
        if caught_up is None:
            if not own:
                con.close()  # the file is copied with no connection open on it
            tmp = self.published / (name + ".tmp")
            _copy_file(self.path, tmp)
            os.rename(tmp, self.published / name)
        pointer_tmp = self.published / "CURRENT.tmp"
        _write_file(pointer_tmp, name + "\n")
        crash_point("after-copy")
        os.replace(pointer_tmp, self.pointer)
        _fsync_dir(self.published)
        crash_point("after-swap")
        generations = sorted(p.name for p in self.published.glob("gen-*.duckdb"))
        # after a whole copy (rows changed by hand), older generations cannot be caught up by
        # the rows events touch: they go
        purge = only or (caught_up is None and whole)
        keep = {name} if purge else {name, *generations[-KEEP_GENERATIONS:]}
        for old in generations:
            if old not in keep:
                (self.published / old).unlink(missing_ok=True)
                (self.published / (old + ".wal")).unlink(missing_ok=True)
        return self.published / name

    def _catch_up(self, master: _DuckDBSession, head: Receipt, name: str) -> Path | None:
        """A standby generation (not the one ``CURRENT`` names, no reader on it) brought up to
        the master in one transaction of its own and renamed ``name``; None if none can be.

        What a write changes is the events after the standby's head, their projection rows,
        the current-state rows of the records they concern and the head row: copying exactly
        those rows from the master makes the standby equal to it. Readers never open a standby
        (``CURRENT`` does not name it) and DuckDB's file lock keeps any that try out."""
        try:
            current = self.current_generation()
        except LedgerError:
            return None
        standbys = sorted(
            (p for p in self.published.glob("gen-*.duckdb") if p != current and not p.is_symlink()),
            reverse=True,  # the newest first: it has the fewest events to catch up
        )
        for standby in standbys:
            if not GENERATION_NAME.fullmatch(standby.name):
                continue
            try:
                master.con.execute(f"ATTACH '{_sql_text(str(standby))}' AS {STANDBY_ALIAS}")
            except Exception:  # noqa: BLE001 - a reader holds it, or it is no ledger: try the next
                continue
            try:
                since = self._standby_head(master, head)
                if since is None:
                    continue
                master.con.execute("BEGIN TRANSACTION")
                try:
                    _copy_rows_since(master, since)
                    crash_point("during-copy")
                    master.con.execute("COMMIT")
                except BaseException:
                    master.con.execute("ROLLBACK")
                    raise
                master.con.execute(f"CHECKPOINT {STANDBY_ALIAS}")
            except Exception:  # noqa: BLE001 - a standby that cannot be caught up is copied over
                continue
            finally:
                with contextlib.suppress(Exception):
                    master.con.execute(f"DETACH {STANDBY_ALIAS}")
                master._columns.pop(STANDBY_ALIAS, None)
            target = self.published / name
            os.rename(standby, target)
            return target
        return None

    def _standby_head(self, master: _DuckDBSession, head: Receipt) -> int | None:
        """The seq the attached standby's head stands at, if it is a recent copy of this master
        with the same tables; None if it is not (another ledger, tampered, too far behind)."""
        if master.table_names(STANDBY_ALIAS) != master.table_names() or any(
            master.column_names(t, STANDBY_ALIAS) != master.column_names(t) for t in master.table_names()
        ):
            return None
        rows = master.fetchall(f"SELECT seq, hash FROM {STANDBY_ALIAS}.{HEAD_TABLE}")
        if len(rows) != 1 or None in rows[0]:
            return None
        seq, digest = int(rows[0][0]), rows[0][1]
        if seq > head.seq or head.seq - seq > max(CATCH_UP_EVENTS, head.seq // 10):
            return None
        if seq and master.fetchall("SELECT hash FROM events WHERE seq = ?", [seq]) != [(digest,)]:
            return None
        return seq

    # ---- after a crash ----------------------------------------------------------------------

    def interrupted(self) -> bool:
        """Whether a killed write left something to finish (cheap: two stats and a listing)."""
        if self.pending_path.exists():
            return True
        with contextlib.suppress(OSError):
            return any(p.name.endswith(".tmp") for p in self.published.iterdir())
        return False

    def repair(self, wait: float = 0) -> bool:
        """Finish a killed write if the lock is free within ``wait`` s; False if nothing was done.

        A reader calls it with ``wait=0``: a writer at work will publish anyway, and a reader
        without the right to write the folder keeps reading what is published."""
        if not self.interrupted():
            return False
        try:
            with self._lock(wait) as locked:
                return bool(locked) and self._repair_locked()
        except (LedgerBusy, OSError):
            return False

    def _repair_locked(self) -> bool:
        """Drop half-written files and republish the master if a write did not finish (lock held)."""
        repaired = False
        with contextlib.suppress(FileNotFoundError):
            for leftover in self.published.iterdir():
                if leftover.name.endswith(".tmp"):
                    leftover.unlink(missing_ok=True)
                    repaired = True
        if self.pending_path.exists():
            if self.path.exists() and self._was_never_committed():
                self._clear_pending(new_file=True)  # the first write of this ledger was killed
            elif self.path.exists():
                self._publish_locked()
            self.pending_path.unlink(missing_ok=True)
            repaired = True
        return repaired

    def _was_never_committed(self) -> bool:
        """A master without a single table: the file a killed first write had just created."""
        con = _open_duckdb(self.path, read_only=False)
        try:
            return not con.execute("SELECT 1 FROM duckdb_tables() LIMIT 1").fetchall()
        finally:
            con.close()

    def _head_file(self) -> Receipt | None:
        """The receipt line beside the master; a file that is no receipt is a tampered head."""
        try:
            text = self.head_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            raise LedgerTampered(str(self.head_path), _first_line(err)) from None
        try:
            return Receipt.parse(text)
        except ValueError:
            raise LedgerTampered(str(self.head_path), "not a receipt line") from None

    def head_file(self) -> tuple[Receipt | None, str | None]:
        """(the head file's receipt, None) or (None, what is wrong with it); (None, None): absent."""
        try:
            return self._head_file(), None
        except LedgerTampered as err:
            return None, err.detail

    @contextlib.contextmanager
    def _lock(self, timeout: float, required: bool = True) -> Iterator[bool]:
        """The writer lock; yields False (no lock) only when not ``required`` and the folder is
        read-only: then DuckDB's own file lock still keeps writers out of the master."""
        try:
            fh = open(self.lock_path, "a+")  # noqa: SIM115 - closed below, after the flock
        except OSError:
            if required:
                raise
            yield False
            return
        with fh:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LedgerBusy(
                            str(self.path), f"a writer has held it for more than {timeout:.0f} s"
                        ) from None
                    time.sleep(0.05)
            try:
                yield True
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _ledger_backend(con, where: Path):
    """Wrap a DuckDB connection for ibis, after checking it is a ledger."""
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "events" not in names:
        con.close()
        detail = (
            "its events table is missing (toolkit verify)" if _ledger_tables_in(names) else "no events table"
        )
        raise NotALedger(str(where), detail)
    import ibis  # only readers need it (a writer runs plain SQL)

    return ibis.duckdb.from_connection(con)


def _write_file(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    _write_file(tmp, text)
    os.replace(tmp, path)


def _copy_file(source: Path, target: Path) -> None:
    """Copy in chunks and fsync: a generation is complete on disk before it gets its name.

    The kernel copies where it can (``copy_file_range``): no chunk passes through this process,
    whose reads and writes of a ledger of a million problems cost a second and a half."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        kernel = hasattr(os, "copy_file_range")
        first = True
        while True:
            if kernel:
                try:
                    copied = os.copy_file_range(src.fileno(), dst.fileno(), COPY_CHUNK)
                except OSError:  # not between these files (an old kernel, another file system)
                    if not first:
                        raise
                    kernel = False
                    continue
            else:
                chunk = src.read(COPY_CHUNK)
                dst.write(chunk)
                copied = len(chunk)
            if not copied:
                break
            if first:
                dst.flush()
                crash_point("during-copy")
                first = False
        dst.flush()
        os.fsync(dst.fileno())


def _copy_rows_since(master: _DuckDBSession, since: int) -> None:
    """Inside a transaction on the attached standby: the rows the events after ``since`` added
    or touched, copied from the master (appended in seq order, replaced by record id)."""
    into = STANDBY_ALIAS
    for table, seq_column in [("events", "seq"), ("changes", "seq")] + [
        (added_table(kind), "added_seq") for kind in models.RECORD_ORDER
    ]:
        cols = ", ".join(_quote(c) for c in master.column_names(table))
        master.con.execute(
            f"INSERT INTO {into}.{table} ({cols}) SELECT {cols} FROM main.{table} "
            f"WHERE {seq_column} > ? ORDER BY {seq_column}",
            [since],
        )
    for kind in models.RECORD_ORDER:
        table = kind + "s"
        cols = ", ".join(_quote(c) for c in master.column_names(table))
        ids = f"SELECT record_id FROM main.events WHERE seq > {int(since)} AND entity = '{kind}'"
        if (members := group_members_sql(kind, ids, "main.", since)) is not None:
            ids = f"{ids} UNION {members}"  # the writes replaced these rows too (``materialize_current``)
        master.con.execute(f"DELETE FROM {into}.{table} WHERE id IN ({ids})")
        master.con.execute(
            f"INSERT INTO {into}.{table} ({cols}) SELECT {cols} FROM main.{table} WHERE id IN ({ids})"
        )
    master.con.execute(f"DELETE FROM {into}.{HEAD_TABLE}")
    master.con.execute(f"INSERT INTO {into}.{HEAD_TABLE} SELECT * FROM main.{HEAD_TABLE}")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- PostgreSQL -----------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """The URL without its password (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class PostgresStore:
    """A ledger in a PostgreSQL database, shared by an office (several analysts, one truth)."""

    dialect = "postgres"

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = safe_url(url)

    def __repr__(self) -> str:
        return "PostgresStore(...)"  # the URL may hold a password

    def _connect(self):
        import psycopg

        try:
            return psycopg.connect(self.url)
        except psycopg.OperationalError as err:
            raise LedgerUnreadable(self.where, f"cannot connect: {_first_line(err)}") from None

    def exists(self) -> bool:
        with self._connect() as con, con.cursor() as cur:
            cur.execute("SELECT to_regclass('events') IS NOT NULL")
            return bool(cur.fetchone()[0])

    def connect_reader(self):
        if not self.exists():
            raise LedgerMissing(self.where, "no ledger tables in this PostgreSQL database")
        import ibis

        con = ibis.connect(self.url)
        con.raw_sql("SET default_transaction_read_only = on")
        return con

    connect_master_reader = connect_reader

    @contextlib.contextmanager
    def read_session(self, wait: float = LOCK_TIMEOUT_S) -> Iterator[_PostgresSession]:
        """A read-only, repeatable-read transaction: one consistent snapshot, never blocked."""
        import psycopg

        con = self._connect()
        try:
            con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            con.read_only = True
            session = _PostgresSession(con)
            if "events" not in session.table_names() and not _ledger_tables_in(session.table_names()):
                raise LedgerMissing(self.where, "no ledger tables in this PostgreSQL database")
            yield session
        finally:
            con.rollback()
            con.close()

    @contextlib.contextmanager
    def write_session(self, create: bool = False, bulk: bool = False) -> Iterator[_PostgresSession]:
        """One transaction; writers queue on an advisory lock, then a table lock (readers never wait).
        ``bulk`` changes nothing here (PostgreSQL writes rows as they come)."""
        import psycopg

        con = self._connect()
        try:
            session = _PostgresSession(con)
            try:
                with con.cursor() as cur:
                    cur.execute(f"SET lock_timeout = '{int(LOCK_TIMEOUT_S * 1000)}ms'")
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [PG_WRITER_LOCK])
                present = session.table_names()
                self._check_may_write(session, "events" not in present)
                if "events" in present:
                    session.execute("LOCK TABLE events IN EXCLUSIVE MODE")
                    session.check_head(self.where)
                if session.begin_ledger(present, self.where, create):
                    with con.cursor() as cur:
                        cur.execute("CREATE UNIQUE INDEX IF NOT EXISTS events_seq_key ON events (seq)")
                session.changed = False  # the locks and empty tables alone are no write
                yield session
                if session.changed:
                    session.record_head()
                else:
                    session.head = session.last_event()
                crash_point("before-commit")
            except psycopg.errors.LockNotAvailable:
                con.rollback()
                raise LedgerBusy(
                    self.where, f"another write held it for more than {LOCK_TIMEOUT_S:.0f} s"
                ) from None
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction) as err:
                con.rollback()
                raise LedgerReadOnly(self.where, _first_line(err)) from None
            except BaseException:
                con.rollback()
                raise
            if session.changed:
                con.commit()
                crash_point("after-commit")
            else:
                con.rollback()
        finally:
            con.close()

    def _check_may_write(self, session: _PostgresSession, new: bool) -> None:
        if session.fetchall("SHOW transaction_read_only")[0][0] == "on":
            raise LedgerReadOnly(self.where, "the session is read-only")
        if new:
            allowed = session.fetchall("SELECT has_schema_privilege(current_schema(), 'CREATE')")[0][0]
        else:
            allowed = session.fetchall("SELECT has_table_privilege('events', 'INSERT')")[0][0]
        if not allowed:
            raise LedgerReadOnly(self.where, "no privilege to write the ledger's tables")

    def repair(self, wait: float = 0) -> bool:
        return False  # a PostgreSQL transaction is never half-written

    def interrupted(self) -> bool:
        return False


def open_store(target: str | os.PathLike) -> DuckDBStore | PostgresStore:
    """A ``postgresql://`` URL opens PostgreSQL; anything else is a DuckDB file path."""
    if is_url(target):
        return PostgresStore(str(target))
    return DuckDBStore(target)


def copy_ledger(source: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Copy a DuckDB ledger as a whole: its file, its head file and its published copies, under
    the writer lock (no write half-copied). What a reader opens is then a published copy, never the
    file a writer needs. ``target`` must not exist yet."""
    src, dst = DuckDBStore(source), DuckDBStore(target)
    if not src.path.exists():
        raise LedgerMissing(str(src.path))
    if dst.path.exists() or dst.published.exists():
        raise FileExistsError(f"{dst.path} exists")
    with src._lock(LOCK_TIMEOUT_S, required=False):
        shutil.copyfile(src.path, dst.path)
        if src.head_path.exists():
            shutil.copyfile(src.head_path, dst.head_path)
        if src.published.is_dir():
            shutil.copytree(src.published, dst.published, ignore=shutil.ignore_patterns("*.tmp"))
    return dst.path
