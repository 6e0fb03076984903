"""Where a ledger lives: an embedded DuckDB file (the default) or a PostgreSQL database.

Both backends offer the same two things: an ibis connection for reading, and a write session
that appends rows inside one transaction. Everything above this module is backend-agnostic.

Readers and one writer at the same time (the normal day: an analyst imports while leaders
have the app open):

* DuckDB lets a file be opened by one writing process *or* by readers, never both. So the
  writer owns the master file (``ledger.duckdb``), serialised by an exclusive lock file, and
  readers never open it. After a write commits, the master is copied to a new generation file
  in ``ledger.duckdb.published/`` and the ``CURRENT`` pointer is swapped with an atomic
  rename. A reader opens whatever ``CURRENT`` names, read-only, and keeps it until it asks to
  refresh: it sees the ledger before an import or after it, never half of one, and it never
  blocks the writer. The last ``KEEP_GENERATIONS`` files are kept so a reader that just read
  the pointer still finds its file; an open file survives its unlink on POSIX anyway.
* PostgreSQL gives the same guarantees itself: a write is one transaction (readers see it
  all or not at all, MVCC), writers are serialised by a table lock, readers' sessions are
  read-only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa

from toolkit import models
from toolkit.events import CHANGE_COLUMNS, EVENT_COLUMNS, added_columns, added_table
from toolkit.replay import compile_state

KEEP_GENERATIONS = 3
LOCK_TIMEOUT_S = 120.0

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

ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


def table_columns() -> dict[str, list[tuple[str, str]]]:
    """Every stored table and its columns: the event log and its projections."""
    tables = {"events": EVENT_SQL, "changes": CHANGE_COLUMNS}
    for kind in models.RECORD_ORDER:
        tables[added_table(kind)] = added_columns(kind)
    return tables


def _quote(name: str) -> str:
    return f'"{name}"'


def create_statements() -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {name} (" + ", ".join(f"{_quote(c)} {t}" for c, t in cols) + ")"
        for name, cols in table_columns().items()
    ]


class LedgerMissing(FileNotFoundError):
    """The ledger file or database does not exist (the apps show this as a message, not a trace)."""


def is_url(target: str | os.PathLike) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


# ---- write sessions -------------------------------------------------------------------------


class WriteSession:
    """One open write transaction: plain SQL plus bulk appends of rows."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def append(self, table: str, rows: list[tuple]) -> None:
        raise NotImplementedError

    def materialize_current(self) -> None:
        """Rebuild the current-state tables (``problems``, ``clues`` ...) from the projections."""
        for kind in models.RECORD_ORDER:
            name = kind + "s"
            self.execute(f"DROP TABLE IF EXISTS {name}")
            self.execute(f"CREATE TABLE {name} AS {compile_state(kind, self.dialect)}")


class _DuckDBSession(WriteSession):
    dialect = "duckdb"

    def __init__(self, con) -> None:
        self.con = con

    def execute(self, sql, params=()):
        self.con.execute(sql, list(params))

    def fetchall(self, sql, params=()):
        return self.con.execute(sql, list(params)).fetchall()

    def append(self, table, rows):
        if not rows:
            return
        cols = table_columns()[table]
        arrays = [
            pa.array(list(values), type=ARROW_TYPES[typ])
            for values, (_, typ) in zip(zip(*rows, strict=False), cols, strict=True)
        ]
        batch = pa.Table.from_arrays(arrays, names=[c for c, _ in cols])
        self.con.register("_batch", batch)
        try:
            names = ", ".join(_quote(c) for c, _ in cols)
            self.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _batch")
        finally:
            self.con.unregister("_batch")


class _PostgresSession(WriteSession):
    dialect = "postgres"

    def __init__(self, con) -> None:
        self.con = con

    def execute(self, sql, params=()):
        with self.con.cursor() as cur:
            cur.execute(sql, list(params) or None)

    def fetchall(self, sql, params=()):
        with self.con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), list(params) or None)
            return cur.fetchall()

    def append(self, table, rows):
        if not rows:
            return
        names = ", ".join(_quote(c) for c, _ in table_columns()[table])
        with self.con.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


# ---- backends -------------------------------------------------------------------------------


class DuckDBStore:
    """A ledger in a DuckDB file, with published read-only generations (see module docstring)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.published = self.path.with_name(self.path.name + ".published")
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def __repr__(self) -> str:
        return f"DuckDBStore({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.exists() or (self.published / "CURRENT").exists()

    def current_generation(self) -> Path | None:
        pointer = self.published / "CURRENT"
        if not pointer.exists():
            return None
        return self.published / pointer.read_text().strip()

    def connect_reader(self):
        """An ibis connection to the latest published generation, read-only."""
        for _ in range(5):
            target = self.current_generation()
            if target is None:
                if not self.path.exists():
                    raise LedgerMissing(str(self.path))
                target = self.path  # never published (written by hand): read the master
            try:
                return ibis.duckdb.connect(str(target), read_only=True)
            except Exception:
                if target.exists():
                    raise
                time.sleep(0.05)  # a newer generation replaced it between read and open
        raise LedgerMissing(str(self.path))

    def connect_master_reader(self):
        """The master itself, read-only (verification; fails while a writer holds it)."""
        if not self.path.exists():
            raise LedgerMissing(str(self.path))
        return ibis.duckdb.connect(str(self.path), read_only=True)

    @contextlib.contextmanager
    def write_session(self, create: bool = False) -> Iterator[WriteSession]:
        import duckdb

        if not create and not self.path.exists():
            raise LedgerMissing(str(self.path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive_lock(self.lock_path):
            con = duckdb.connect(str(self.path))
            try:
                for statement in create_statements():
                    con.execute(statement)
                con.execute("BEGIN TRANSACTION")
                try:
                    yield _DuckDBSession(con)
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            finally:
                con.close()
            self.publish()

    def publish(self) -> Path:
        """Copy the master to a new generation and point ``CURRENT`` at it, atomically."""
        self.published.mkdir(exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        name = f"gen-{stamp}-{os.getpid()}.duckdb"
        tmp = self.published / (name + ".tmp")
        shutil.copyfile(self.path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.rename(tmp, self.published / name)
        pointer_tmp = self.published / "CURRENT.tmp"
        pointer_tmp.write_text(name)
        os.replace(pointer_tmp, self.published / "CURRENT")
        generations = sorted(self.published.glob("gen-*.duckdb"))
        for old in generations[:-KEEP_GENERATIONS]:
            old.unlink(missing_ok=True)
        return self.published / name


class PostgresStore:
    """A ledger in a PostgreSQL database, shared by an office (several analysts, one truth)."""

    dialect = "postgres"

    def __init__(self, url: str) -> None:
        self.url = url

    def __repr__(self) -> str:
        return "PostgresStore(...)"  # the URL may hold a password

    def exists(self) -> bool:
        import psycopg

        with psycopg.connect(self.url) as con, con.cursor() as cur:
            cur.execute("SELECT to_regclass('events') IS NOT NULL")
            return bool(cur.fetchone()[0])

    def connect_reader(self):
        if not self.exists():
            raise LedgerMissing("no ledger tables in this PostgreSQL database")
        con = ibis.connect(self.url)
        con.raw_sql("SET default_transaction_read_only = on")
        return con

    connect_master_reader = connect_reader

    @contextlib.contextmanager
    def write_session(self, create: bool = False) -> Iterator[WriteSession]:
        import psycopg

        if not create and not self.exists():
            raise LedgerMissing("no ledger tables in this PostgreSQL database")
        with psycopg.connect(self.url) as con:
            with con.cursor() as cur:
                for statement in create_statements():
                    cur.execute(statement)
            con.commit()
            try:
                with con.cursor() as cur:
                    cur.execute("LOCK TABLE events IN EXCLUSIVE MODE")
                yield _PostgresSession(con)
            except BaseException:
                con.rollback()
                raise
            con.commit()


def open_store(target: str | os.PathLike) -> DuckDBStore | PostgresStore:
    """A ``postgresql://`` URL opens PostgreSQL; anything else is a DuckDB file path."""
    if is_url(target):
        return PostgresStore(str(target))
    return DuckDBStore(target)


@contextlib.contextmanager
def _exclusive_lock(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Serialise writers across processes; a second writer waits instead of failing."""
    with open(path, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another writer has held {path} for {timeout:.0f} s") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
