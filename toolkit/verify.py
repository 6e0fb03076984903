"""Proving the figures: everything they are read from is checked against the event log.

``verify(store)`` opens the master under the writer lock (a write under way: wait, then
``LedgerBusy``) and checks, in the database and never row by row in Python:

1. the chain: every event's SHA-256 recomputed (``sha256`` in DuckDB and PostgreSQL), each
   linked to the one before, ``seq`` 1, 2, 3 ... with no gap and no empty field (on DuckDB in
   a thread beside 3, so both cores work);
2. the head: the ``ledger_head`` row, the head file beside a DuckDB master and every published
   generation's head must be events of this chain, and the master must still hold the newest
   of them, so removing the newest events shows;
3. the tables the figures are read from: ``<kind>_added`` and ``changes`` recomputed from the
   events' JSON (``json_extract_string`` / ``->>``) and compared both ways as multisets; the
   current-state tables compared with the replay (``toolkit.replay.compile_state``). On
   DuckDB a cheaper exact test comes first (rows in storage order, or joined by id); only when
   it fails does the full comparison run, and it names the rows;
4. the published copy the apps read (DuckDB): ``CURRENT`` names a generation file of this
   folder, that generation holds the master's head and every table equals the master's;
5. receipts kept elsewhere (``expect``): the ledger still holds each one's head at its seq.

What a keyless chain cannot prove: whoever can write the ledger can rewrite all of it,
recomputing every hash, head and copy. Only a receipt kept outside the ledger shows that.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from toolkit import models
from toolkit.events import (
    CHANGE_COLUMNS,
    EVENT_COLUMNS,
    GENESIS_HASH,
    Receipt,
    added_columns,
    added_table,
    event_hash,
)
from toolkit.replay import LOOKED_ACROSS, state_columns
from toolkit.replay_sql import OWN_STATE_SQL
from toolkit.store import (
    CURRENT_TABLES,
    HEAD_TABLE,
    DuckDBStore,
    LedgerError,
    LedgerTampered,
    LedgerUnreadable,
    NotALedger,
    state_sql,
    table_columns,
)

VERIFY_WAIT_S = 30.0
MEMORY_LIMIT = "500MB"  # DuckDB spills to a temporary folder beyond this
SHOWN = 5  # differing rows named per table
PUBLISHED_ALIAS = "published_generation"


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing that does not hold: where (a table, a file), which record and event, and why."""

    where: str
    reason: str
    reason_zh: str
    seq: int | None = None
    record_id: str | None = None

    def __str__(self) -> str:
        at = "".join(
            (
                f" event {self.seq}" if self.seq is not None else "",
                f" record {self.record_id}" if self.record_id else "",
            )
        )
        return f"{self.where}{at}: {self.reason}"

    @property
    def sentence_zh(self) -> str:
        at = "".join(
            (
                f" 第 {self.seq} 号事件" if self.seq is not None else "",
                f" 记录 {self.record_id}" if self.record_id else "",
            )
        )
        return f"{self.where}{at}：{self.reason_zh}"


@dataclasses.dataclass(frozen=True)
class Verification:
    """Outcome of ``verify``: events checked, the master's head, what does not hold, and notes."""

    events: int
    findings: tuple[Finding, ...] = ()
    head: Receipt | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def broken(self) -> Finding | None:
        """The first finding (``seq``, ``record_id``, ``reason``), as the chain-only verify gave."""
        return self.findings[0] if self.findings else None


def verify(store, *, expect: Iterable[Receipt] = (), wait: float = VERIFY_WAIT_S) -> Verification:
    """Check the ledger in ``store`` (see the module docstring); raises a ``LedgerError`` when it
    cannot check at all (missing, not a ledger, unreadable, busy past ``wait`` seconds)."""
    with store.read_session(wait) as session:
        if store.interrupted():
            raise LedgerUnreadable(
                _where(store),
                "a killed write is not repaired yet and this user cannot repair it (no right to write the folder)",
            )
        if session.dialect == "duckdb":
            session.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            session.con.execute("SET enable_progress_bar = false")
        else:  # whole-table scans: PostgreSQL's JIT costs more than it saves on them
            session.con.execute("SET LOCAL jit = off")
        return _Checker(session, store).run(list(expect))


def _where(store) -> str:
    return str(store.path) if isinstance(store, DuckDBStore) else store.where


class _Checker:
    def __init__(self, session, store) -> None:
        self.session = session
        self.store = store
        self.dialect = session.dialect
        self.findings: list[Finding] = []
        self.notes: list[str] = []

    def found(self, where, reason, reason_zh, seq=None, record_id=None) -> None:
        self.findings.append(Finding(where, reason, reason_zh, seq, record_id))

    def run(self, expect: list[Receipt]) -> Verification:
        present = self.session.table_names()
        if "events" not in present:
            if not present & (set(table_columns()) | set(CURRENT_TABLES)):
                raise NotALedger(_where(self.store), "no events table")
            self.found("events", "the events table is missing", "事件表不存在（被删除）")
            return Verification(0, tuple(self.findings))
        missing = [c for c in EVENT_COLUMNS if c not in self.session.column_names("events")]
        if missing:
            self.found("events", f"the events table lacks columns {missing}", f"事件表缺少列 {missing}")
            return Verification(0, tuple(self.findings))
        count, last, tables = self.chain_beside_tables(present)
        head = self.head(count, last, present)
        self.findings += tables.findings
        self.notes += tables.notes
        if isinstance(self.store, DuckDBStore):
            self.published(count, last)
        for receipt in expect:
            self.receipt(receipt, count)
        return Verification(count, tuple(self.findings), head, tuple(self.notes))

    def chain_beside_tables(self, present: set[str]) -> tuple[int, Receipt, _Checker]:
        """The chain (1) and the derived tables (3), whose findings are kept apart so they are
        reported in that order. They share nothing: on DuckDB the chain is checked on a second
        cursor in a thread meanwhile, so both cores work (the table checks use one or two)."""
        tables = _Checker(self.session, self.store)
        if self.dialect != "duckdb":
            count, last = self.chain()
            tables.derived(present)
            return count, last, tables
        cursor = self.session.con.cursor()
        chainer = _Checker(type(self.session)(cursor), self.store)
        try:
            with ThreadPoolExecutor(1) as pool:
                chained = pool.submit(chainer.chain)
                try:
                    tables.derived(present)
                except BaseException:
                    cursor.interrupt()  # do not wait for a chain nobody will read
                    raise
                count, last = chained.result()
        finally:
            cursor.close()
        self.findings += chainer.findings
        return count, last, tables

    # ---- 1. the chain ---------------------------------------------------------------------

    def chain(self) -> tuple[int, Receipt]:
        """Recompute every hash and link in SQL; confirm the first suspect in Python."""
        count, top = self.session.fetchall("SELECT count(*), max(seq) FROM events")[0]
        count = int(count)
        if not self.chain_holds() and self.first_suspect():
            return count, self.session.last_event()
        if top is not None and int(top) != count:
            self.found("events", "event numbers are not 1 to N", "事件序号不连续", int(top))
        return count, self.session.last_event()

    def first_suspect(self) -> bool:
        """Name the first suspect event ``chain_sql`` gives that Python confirms, if any."""
        after = -1
        while True:
            suspects = self.session.fetchall(chain_sql(self.dialect, after))
            for seq, record_id, reason in suspects:
                after = seq
                if reason == "hash" and self._hash_holds(seq):
                    continue  # SQL formats a rare value differently from Python: the hash is good
                zh, en = CHAIN_REASONS[reason]
                if reason == "gap":
                    en, zh = (
                        f"{en} (expected event {self._expected_seq(seq)})",
                        f"{zh}（应为第 {self._expected_seq(seq)} 号）",
                    )
                self.found("events", en, zh, seq, record_id)
                return True
            if len(suspects) < CHAIN_BATCH:
                return False

    def chain_holds(self) -> bool:
        """The quick path (DuckDB): every hash recomputed in one parallel pass with no window,
        then ``seq`` and the links in storage order, which is seq order unless rows were moved.
        Anything amiss, or any error, and ``chain_sql`` finds and names the suspects."""
        if self.dialect != "duckdb":
            return False
        try:
            return not any(self.session.fetchall(sql)[0][0] for sql in (hashes_sql(), links_in_order_sql()))
        except Exception:  # noqa: BLE001 - chain_sql says what is wrong
            return False

    def _hash_holds(self, seq: int) -> bool:
        names = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
        row = self.session.fetchall(f"SELECT {names} FROM events WHERE seq = ?", [seq])[0]
        seq, at, recorded_at, by, why, kind, entity, record_id, payload, prev_hash, digest = row
        at = at.date() if isinstance(at, dt.datetime) else at
        return (
            event_hash(seq, at, recorded_at, by, why, kind, entity, record_id, payload, prev_hash) == digest
        )

    def _expected_seq(self, seq: int) -> int:
        return int(self.session.fetchall("SELECT count(*) FROM events WHERE seq < ?", [seq])[0][0]) + 1

    # ---- 2. the head ----------------------------------------------------------------------

    def head(self, count: int, last: Receipt, present: set[str]) -> Receipt:
        """The recorded heads must be events of this chain, the newest of them its last event."""
        try:
            recorded = self.session.recorded_head()
        except LedgerTampered as err:
            self.found(HEAD_TABLE, f"the head record is damaged: {err.detail}", "头记录被改动")
            recorded = None
        heads = []
        if recorded is not None:
            heads.append((HEAD_TABLE, recorded))
        elif HEAD_TABLE not in present and self._heads_kept_elsewhere():
            self.found(HEAD_TABLE, "the head record table was removed", "头记录表被删除")
        elif HEAD_TABLE not in present:
            self.notes.append(
                "no head recorded yet (a ledger from an older toolkit): the next write records it"
            )
        if isinstance(self.store, DuckDBStore):
            head_file, damage = self.store.head_file()
            if damage:
                self.found(self.store.head_path.name, f"the head file is damaged: {damage}", "头文件被改动")
            elif head_file is not None:
                heads.append((self.store.head_path.name, head_file))
        for where, head in heads:
            self.anchored(where, head, count, last, newest=True)
        return last

    def _heads_kept_elsewhere(self) -> bool:
        """A head file or a generation with a head: this ledger was written with heads."""
        if not isinstance(self.store, DuckDBStore):
            return False
        if self.store.head_path.exists():
            return True
        for generation in self.store.published.glob("gen-*.duckdb"):
            try:
                self.session.attach(generation, PUBLISHED_ALIAS)
            except NotALedger:
                continue
            try:
                if HEAD_TABLE in self.session.table_names(PUBLISHED_ALIAS):
                    return True
            finally:
                self.session.detach(PUBLISHED_ALIAS)
        return False

    def anchored(
        self, where: str, head: Receipt, count: int, last: Receipt, *, newest: bool, copy: bool = False
    ) -> bool:
        """``head`` is an event of this chain (and, if ``newest``, its last one). ``copy``: the
        head of a published generation rather than a record of the master's own head."""
        if head.seq > count:
            self.found(
                where,
                f"it records {head.seq} events, the event log holds {count}: events after {count} were removed",
                f"记录有 {head.seq} 条事件，事件表只有 {count} 条：第 {count} 号之后的事件被删除",
                count + 1,
            )
            return False
        if self._hash_at(head.seq) != head.head:
            en, zh = (
                (
                    "its head is no event of this ledger: not a copy of it, or the master was rewritten",
                    "其头记录不是本账本的事件：不是本账本的副本，或主账本被改写",
                )
                if copy
                else (
                    f"event {head.seq} is not the one it records: the event log was rewritten",
                    f"第 {head.seq} 号事件与记录不符：事件记录被改写",
                )
            )
            self.found(where, en, zh, head.seq)
            return False
        if newest and head.seq != last.seq:
            en, zh = (
                (
                    f"the apps read it, but it holds {head.seq} of the master's {last.seq} events "
                    "(CURRENT was pointed at an older generation)",
                    f"应用读取的发布副本只有主账本 {last.seq} 条事件中的 {head.seq} 条（发布指针被指向旧副本）",
                )
                if copy
                else (
                    f"it records {head.seq} events but the log holds {last.seq}: events were added outside a write",
                    f"记录有 {head.seq} 条事件，事件表却有 {last.seq} 条：有事件未经正常写入",
                )
            )
            self.found(where, en, zh, head.seq + 1)
            return False
        return True

    def _hash_at(self, seq: int) -> str | None:
        if seq == 0:
            return GENESIS_HASH
        rows = self.session.fetchall("SELECT hash FROM events WHERE seq = ?", [seq])
        return rows[0][0] if len(rows) == 1 else None

    # ---- 3. the tables the figures are read from -------------------------------------------

    def derived(self, present: set[str]) -> None:
        for kind in models.RECORD_ORDER:
            table = added_table(kind)
            names = [n for n, _ in added_columns(kind)]
            if self.has_table(table, names, present):
                quick = derived_added_sql(kind, self.dialect, valid_only=False)
                if not self.same_rows_in_order(table, names, quick):
                    self.compare(table, names, derived_added_sql(kind, self.dialect))
        names = [n for n, _ in CHANGE_COLUMNS]
        if self.has_table("changes", names, present):
            quick = derived_changes_sql(self.dialect, valid_only=False)
            if not self.same_rows_in_order("changes", names, quick):
                self.compare("changes", names, derived_changes_sql(self.dialect))
        for kind in models.RECORD_ORDER:
            table = kind + "s"
            names = [f.name for f in models.record_fields(kind)] + ["added_at"]
            if not self.has_table(table, names, present):
                continue
            # changed_at and the derived columns (absent: an older ledger): past-date figures
            # trust them, so they are checked too
            stored = self.session.column_names(table)
            names += [c for c in state_columns(kind) if c not in names and c in stored]
            sources = {added_table(kind)} | ({"changes"} if models.RECORD_TYPES[kind].mutable else set())
            if any(f.where in sources for f in self.findings):
                self.notes.append(f"{table} not compared: the tables it is built from already differ")
                continue
            # the column that looks across records is checked on its own (``found_again``):
            # inside the replay its lookup cost the row-by-row comparison ~0.45 s at 1M problems
            replayed = OWN_STATE_SQL.get((kind, self.dialect)) or state_sql(kind, self.dialect)
            across = LOOKED_ACROSS in names and (kind, self.dialect) in OWN_STATE_SQL
            if across:
                names.remove(LOOKED_ACROSS)
            if not self.same_rows_by_id(table, names, replayed):
                self.compare(table, names, replayed)
            if across:
                self.found_again(table)

    def found_again(self, table: str) -> None:
        """Problems whose ``found_again_on`` is not what the recorded problems and rounds give."""
        try:
            ids = [row[0] for row in self.session.guarded_fetchall(FOUND_AGAIN_SQL)]
        except Exception as err:  # noqa: BLE001 - a value no write could store
            self.found(
                table, f"cannot be recomputed from the events ({_first_line(err)})", "无法由事件记录重新计算"
            )
            return
        for record_id in ids[:SHOWN]:
            en, zh = DIFF_REASONS["events"][3]
            self.found(table, f"{en}: found_again_on", f"{zh}：同类问题再现日期", None, record_id)
        if len(ids) > SHOWN:
            self.found(
                table,
                f"{len(ids)} rows differ in found_again_on in all",
                f"共 {len(ids)} 行同类问题再现日期不符",
            )

    def same_rows_in_order(self, table: str, names: list[str], derived: str) -> bool:
        """The quick path (DuckDB): a projection is stored in event order, and the events give
        its rows in that order, so a streaming row-by-row match settles the usual case. A
        payload that is not JSON fails this query (where the full comparison leaves its event
        out), so it goes to the full comparison too."""
        if self.dialect != "duckdb":
            return False
        try:
            return not self.session.fetchall(positional_diff_sql(table, names, f"({derived})"))[0][0]
        except Exception:  # noqa: BLE001 - the full comparison below says what is wrong
            return False

    def same_rows_by_id(self, table: str, names: list[str], reference: str) -> bool:
        """The quick path for a current-state table (DuckDB), whose rows are in no set order:
        stored ids unique and every row paired, by id, with an equal row of the reference, as
        many pairs as stored rows, is the multiset equality ``compare`` checks (same column
        types, so no cast makes unequal values equal), without grouping both sides' rows."""
        if self.dialect != "duckdb":
            return False
        cols = ", ".join(_q(n) for n in names)
        try:
            types = [
                [row[1] for row in self.session.fetchall(f"DESCRIBE SELECT {cols} FROM {source}")]
                for source in (table, f"({reference}) reference")
            ]
            if types[0] != types[1]:
                return False
            rows, ids, pairs, differing = self.session.fetchall(keyed_diff_sql(table, names, reference))[0]
        except Exception:  # noqa: BLE001 - the full comparison below says what is wrong
            return False
        return differing == 0 and rows == ids == pairs

    def has_table(self, table: str, names: list[str], present: set[str]) -> bool:
        if table not in present:
            self.found(table, "the table is missing", "表不存在（被删除）")
            return False
        missing = [n for n in names if n not in self.session.column_names(table)]
        if missing:
            self.found(table, f"the table lacks columns {missing}", f"表缺少列 {missing}")
            return False
        return True

    def compare(
        self,
        table: str,
        names: list[str],
        reference_sql: str,
        *,
        stored: str | None = None,
        where: str | None = None,
        against: str = "events",
    ) -> None:
        """Rows of ``table`` the reference (the events, or the master) does not give, and rows
        it gives that the table lacks; an altered row is both, and is named once."""
        order, id_column, seq_column = TABLE_KEYS[table]
        where = where or table
        try:
            rows = self.session.guarded_fetchall(diff_sql(stored or table, reference_sql, names, [order]))
        except Exception as err:  # noqa: BLE001 - a value no write could store: the events say otherwise
            self.found(
                where,
                f"cannot be recomputed from the {against} ({_first_line(err)})",
                "无法由事件记录重新计算（存有不可能的值）",
            )
            return
        if not rows:
            return
        total = int(rows[0][-1])
        by_key: dict[tuple, int] = {}
        for row in rows:
            values = dict(zip(names, row, strict=False))
            key = (
                values.get(id_column) if id_column else None,
                values.get(seq_column) if seq_column else None,
            )
            by_key[key] = by_key.get(key, 0) | (1 if row[-2] > 0 else 2)
        for (record_id, seq), sides in list(by_key.items())[:SHOWN]:
            en, zh = DIFF_REASONS[against][sides]
            self.found(where, en, zh, int(seq) if seq is not None else None, record_id)
        if total > len(rows) or len(by_key) > SHOWN:  # more than named here
            self.found(
                where,
                f"{total} rows differ from the {against} in all (an altered row counts twice)",
                f"共 {total} 行不符（被改动的行计两次）",
            )

    # ---- 4. the published copy -------------------------------------------------------------

    def published(self, count: int, last: Receipt) -> None:
        store: DuckDBStore = self.store
        pointer_damaged = False
        try:
            current = store.current_generation()
        except LedgerError as err:
            self.found(
                "CURRENT",
                f"{err.detail}: the apps would read no generation of this ledger",
                f"发布指针指向的不是本账本的发布副本（{err.detail}）",
            )
            current, pointer_damaged = None, True
        generations = sorted(store.published.glob("gen-*.duckdb")) if store.published.is_dir() else []
        if current is None and not generations and not pointer_damaged:
            self.notes.append("never published: readers open the master itself")
            return
        if current is not None and not current.is_file():
            self.found(
                "CURRENT",
                f"names {current.name}, which is not a file in the published folder",
                f"发布指针指向的 {current.name} 不是发布目录中的文件",
            )
        elif current is None and not pointer_damaged:
            self.found("CURRENT", "the pointer is missing: the apps read no published copy", "发布指针缺失")
        for generation in generations:
            if not generation.is_symlink():
                self.generation(generation, generation == current, count, last)

    def generation(self, path: Path, is_current: bool, count: int, last: Receipt) -> None:
        where = f"{path.parent.name}/{path.name}"
        try:
            self.session.attach(path, PUBLISHED_ALIAS)
        except NotALedger as err:
            self.found(where, f"not a readable ledger file ({err.detail})", "不是可读取的账本文件")
            return
        try:
            tables = self.session.table_names(PUBLISHED_ALIAS)
            head = self._generation_head(tables)
            if head is None:
                self.found(
                    where,
                    "it records no head: not a generation of this ledger",
                    "没有头记录：不是本账本的发布副本",
                )
                return
            if not self.anchored(where, head, count, last, newest=is_current, copy=True):
                return
            if is_current:
                self.same_tables(where, tables, path)
        finally:
            self.session.detach(PUBLISHED_ALIAS)

    def _generation_head(self, tables: set[str]) -> Receipt | None:
        """The head a generation records; for a ledger from before heads were kept (neither the
        master nor the generation has one), the generation's last event."""
        if HEAD_TABLE in tables:
            rows = self.session.fetchall(f"SELECT seq, hash FROM {PUBLISHED_ALIAS}.{HEAD_TABLE}")
        elif HEAD_TABLE not in self.session.table_names() and "events" in tables:
            rows = self.session.fetchall(
                f"SELECT seq, hash FROM {PUBLISHED_ALIAS}.events ORDER BY seq DESC LIMIT 1"
            ) or [(0, GENESIS_HASH)]
        else:
            return None
        if len(rows) != 1 or None in rows[0]:
            return None
        return Receipt(int(rows[0][0]), rows[0][1])

    def same_tables(self, where: str, tables: set[str], generation: Path) -> None:
        """Every table of the generation equals the master's: the same bytes (a copy nothing has
        touched since), else row by row in storage order, else as multisets."""
        if same_bytes(self.store.path, generation):
            return
        for table in [*table_columns(), *CURRENT_TABLES]:
            names = self.session.column_names(table)
            if not names:
                continue  # missing from the master: already a finding
            if table not in tables or self.session.column_names(table, PUBLISHED_ALIAS) != names:
                self.found(
                    f"{where} {table}",
                    "the table differs from the master's (missing or reshaped)",
                    "表与主账本不一致（缺失或结构被改）",
                )
                continue
            if self.session.fetchall(positional_diff_sql(table, names, PUBLISHED_ALIAS))[0][0]:
                self.compare(
                    table,
                    names,
                    f"SELECT * FROM main.{table}",
                    stored=f"{PUBLISHED_ALIAS}.{table}",
                    where=f"{where} {table}",
                    against="master",
                )

    # ---- 5. receipts kept elsewhere ------------------------------------------------------

    def receipt(self, receipt: Receipt, count: int) -> None:
        if receipt.seq > count:
            self.found(
                "receipt",
                f"{receipt} — the ledger holds only {count} events: events after {count} were removed",
                f"收据记载 {receipt.seq} 条事件，账本只有 {count} 条：事件被删除",
                count + 1,
            )
        elif self._hash_at(receipt.seq) != receipt.head:
            self.found(
                "receipt",
                f"{receipt} — event {receipt.seq} is not the one the receipt names: the log was rewritten",
                f"第 {receipt.seq} 号事件与收据不符：事件记录被改写",
                receipt.seq,
            )


CHAIN_BATCH = 100
CHAIN_REASONS = {  # reason code -> (zh, en)
    "null": ("有空字段（被改动）", "a field is empty (NULL): altered"),
    "gap": ("事件序号缺失或重复（有事件被删除或插入）", "sequence gap: an event was removed or inserted"),
    "link": ("与前一事件的哈希链接断开（有事件被删除）", "previous-hash link broken (an event was removed)"),
    "hash": ("内容与其哈希不符（被改动）", "content does not match its hash (altered)"),
}
# Each problem's found_again_on as the recorded problems (their unit, category, round and day
# recorded) and the rounds' starts give it: here the least first day of the later starts of its
# unit and category, a suffix minimum over the starts, where the replay joins each problem with
# the later starts (``toolkit.replay.with_found_again_on``); two derivations of one rule.
FOUND_AGAIN_SQL = """
WITH starts AS (SELECT id AS r_id, "start" AS r_start FROM round_added WHERE "start" IS NOT NULL),
every AS (
    SELECT a.id, a.unit_id, a.category, s.r_start, a.added_at
    FROM problem_added a JOIN starts s ON a.round_id = s.r_id
),
firsts AS (
    SELECT unit_id, category, r_start, min(added_at) AS first_on FROM every GROUP BY unit_id, category, r_start
),
later AS (
    SELECT unit_id, category, r_start, min(first_on) OVER (
        PARTITION BY unit_id, category ORDER BY r_start DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS found_on
    FROM firsts
),
wanted AS (
    SELECT e.id, l.found_on FROM every e
    JOIN later l ON e.unit_id = l.unit_id AND e.category = l.category AND e.r_start = l.r_start
)
SELECT p.id FROM problems p LEFT JOIN wanted w ON p.id = w.id
WHERE p.found_again_on IS DISTINCT FROM w.found_on ORDER BY p.id
"""

DIFF_REASONS = {  # 1: a row only the table has; 2: a row only the reference has; 3: both (altered)
    "events": {
        1: ("a row the events do not give (inserted or altered)", "表中有事件记录推不出的行（被插入或改动）"),
        2: ("a row the events give is missing (deleted or altered)", "缺少事件记录应有的行（被删除或改动）"),
        3: ("the row differs from what the events give (altered)", "该行与事件记录不符（被改动）"),
    },
    "master": {
        1: (
            "a row the master does not hold (inserted or altered)",
            "发布副本中有主账本没有的行（被插入或改动）",
        ),
        2: ("a row of the master is missing (deleted or altered)", "发布副本缺少主账本的行（被删除或改动）"),
        3: ("the row differs from the master's (altered)", "该行与主账本不符（被改动）"),
    },
}
# table -> (columns to order by, column naming the record, column naming the event)
TABLE_KEYS = {
    "events": ("seq", "record_id", "seq"),
    "changes": ("seq", "record_id", "seq"),
    HEAD_TABLE: ("seq", None, "seq"),
}
for _kind in models.RECORD_ORDER:
    TABLE_KEYS[added_table(_kind)] = ("added_seq", "id", "added_seq")
    TABLE_KEYS[_kind + "s"] = ("id", "id", None)


def same_bytes(master: Path, copy: Path, chunk: int = 16 << 20) -> bool:
    """Whether ``copy`` is byte for byte the master as it stands (no WAL pending on the master)."""
    if master.with_name(master.name + ".wal").exists() or master.stat().st_size != copy.stat().st_size:
        return False
    with open(master, "rb") as a, open(copy, "rb") as b:
        while block := a.read(chunk):
            if block != b.read(chunk):
                return False
    return True


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else type(err).__name__


def _q(name: str) -> str:
    return f'"{name}"'


# ---- SQL, for DuckDB and PostgreSQL -----------------------------------------------------------


def event_text_sql(dialect: str) -> str:
    """The text ``events.event_hash`` hashes, built in SQL (fields joined by U+001F)."""
    if dialect == "duckdb":
        at, recorded = "strftime(\"at\", '%Y-%m-%d')", "strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%f')"
    else:
        at, recorded = "to_char(\"at\", 'YYYY-MM-DD')", "to_char(recorded_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
    fields = [
        "CAST(seq AS VARCHAR)",
        at,
        recorded,
        '"by"',
        "why",
        "kind",
        "entity",
        "record_id",
        "payload",
        "prev_hash",
    ]
    return f"concat_ws(chr(31), {', '.join(fields)})"


def sha256_sql(dialect: str, text: str) -> str:
    if dialect == "duckdb":
        return f"sha256({text})"
    return f"encode(sha256(convert_to({text}, 'UTF8')), 'hex')"


def chain_sql(dialect: str, after: int) -> str:
    """Suspect events after ``after``, in order: (seq, record_id, reason code).

    Each event's own hash is checked in one streaming pass; only narrow columns reach the
    window that checks the order and the links (a 64-bit digest of each hash stands for it
    there: matching one without the hash itself is 2^64 tries, far harder than the rewrite
    of the whole chain that only a receipt catches anyway)."""
    nulls = " OR ".join(f"{_q(c)} IS NULL" for c in EVENT_COLUMNS)
    digest = sha256_sql(dialect, event_text_sql(dialect))
    short = "hash({})" if dialect == "duckdb" else "hashtextextended({}, 0)"
    return f"""
        SELECT seq, record_id, reason FROM (
            SELECT seq, record_id, CASE
                WHEN has_null THEN 'null'
                WHEN seq <> row_number() OVER w THEN 'gap'
                WHEN prev_short IS DISTINCT FROM coalesce(lag(own_short) OVER w, {short.format(f"'{GENESIS_HASH}'")})
                    THEN 'link'
                WHEN NOT hash_holds THEN 'hash'
            END AS reason
            FROM (
                SELECT seq, record_id, ({nulls}) AS has_null, coalesce({digest} = hash, false) AS hash_holds,
                    {short.format("prev_hash")} AS prev_short, {short.format("hash")} AS own_short
                FROM events
            ) per_event
            WINDOW w AS (ORDER BY seq)
        ) suspects
        WHERE reason IS NOT NULL AND (seq > {int(after)} OR seq IS NULL)
        ORDER BY seq LIMIT {CHAIN_BATCH}"""


def hashes_sql() -> str:
    """How many events have an empty field or a hash that is not their content's (DuckDB: one
    pass with no window, so every core hashes)."""
    nulls = " OR ".join(f"{_q(c)} IS NULL" for c in EVENT_COLUMNS)
    digest = sha256_sql("duckdb", event_text_sql("duckdb"))
    return f"SELECT count(*) FILTER (WHERE {nulls} OR NOT coalesce({digest} = hash, false)) FROM events"


def links_in_order_sql() -> str:
    """How many events, in storage order, are not numbered 1, 2, 3 ... or do not link to the
    one before (DuckDB: a streaming window, no sort; the hashes compared whole, as a 64-bit
    ``hash()`` of them could be matched by a forged link). Passing in some order
    proves the chain in seq order: that order has seq 1 to N, so it is seq order."""
    return f"""
        SELECT count(*) FROM (
            SELECT seq, row_number() OVER () AS n, prev_hash,
                coalesce(lag(hash) OVER (), '{GENESIS_HASH}') AS before
            FROM events
        ) stored_order
        WHERE seq IS DISTINCT FROM n OR prev_hash IS DISTINCT FROM before"""


def derived_added_sql(kind: str, dialect: str, *, valid_only: bool = True) -> str:
    """``<kind>_added`` as the events give it: each ADDED event's JSON payload, typed (parsed
    once per event: a list of paths in DuckDB, ``jsonb_to_record`` in PostgreSQL). Not
    ``valid_only`` (DuckDB): a payload that is not JSON fails the query instead of being left
    out, which saves parsing every payload twice."""
    cols = added_columns(kind)[:-2]
    where = f"e.kind = 'added' AND e.entity = '{kind}'"
    event = 'e."at" AS added_at, e.seq AS added_seq'
    if dialect == "duckdb":
        paths = ", ".join(f"'$.\"{n}\"'" for n, _ in cols)
        values = ", ".join(f"TRY_CAST(v[{i + 1}] AS {t}) AS {_q(n)}" for i, (n, t) in enumerate(cols))
        inner = (
            f"SELECT json_extract_string(e.payload, [{paths}]) AS v, {event} FROM events e "
            f"WHERE {where} AND {'json_valid(e.payload)' if valid_only else 'e.payload IS NOT NULL'}"
        )
    else:
        values = ", ".join(_q(n) for n, _ in cols)
        record = ", ".join(f"{_q(n)} {t}" for n, t in cols)
        inner = (
            f"SELECT x.*, {event} FROM events e, "
            f"jsonb_to_record(CAST(e.payload AS jsonb)) AS x({record}) WHERE {where}"
        )
    return f"SELECT {values}, added_at, added_seq FROM ({inner}) derived_added"


def derived_changes_sql(dialect: str, *, valid_only: bool = True) -> str:
    """``changes`` as the events give it: one row per field each non-ADDED event sets
    (``valid_only`` as in ``derived_added_sql``)."""
    if dialect == "duckdb":  # keys in each payload's order, which is the order the rows were stored in
        keys = (
            'SELECT entity, record_id, unnest(json_keys(payload)) AS field, payload, "at", seq '
            f"FROM events WHERE kind <> 'added'{' AND json_valid(payload)' if valid_only else ''}"
        )
        value = "coalesce(json_extract_string(payload, '$.\"' || field || '\"'), '')"
        return f'SELECT entity, record_id, field, {value} AS value, "at", seq FROM ({keys}) derived_changes'
    return (
        "SELECT e.entity, e.record_id, j.key AS field, coalesce(j.value, '') AS value, e.\"at\", e.seq "
        "FROM events e CROSS JOIN LATERAL jsonb_each_text(CAST(e.payload AS jsonb)) j WHERE e.kind <> 'added'"
    )


def diff_sql(stored: str, derived: str, names: list[str], order: list[str]) -> str:
    """Rows whose count differs between ``stored`` and ``derived`` (a multiset difference both
    ways in one aggregation): the columns, the surplus (+ stored only, - derived only), the total."""
    cols = ", ".join(_q(n) for n in names)
    keys = ", ".join(_q(n) for n in order)
    return f"""
        SELECT {cols}, sum(side) AS surplus, count(*) OVER () AS differing FROM (
            SELECT {cols}, 1 AS side FROM {stored}
            UNION ALL
            SELECT {cols}, -1 AS side FROM ({derived}) derived
        ) both_sides
        GROUP BY {cols} HAVING sum(side) <> 0
        ORDER BY {keys} LIMIT {SHOWN * 4}"""


def keyed_diff_sql(table: str, names: list[str], reference: str) -> str:
    """Stored rows, distinct stored ids, rows of ``table`` full-joined by id with ``reference``,
    and how many of those are unpaired or differ (DuckDB)."""
    cols = ", ".join(_q(n) for n in names)
    differs = " OR ".join(f"s.{_q(n)} IS DISTINCT FROM r.{_q(n)}" for n in names)
    return f"""
        SELECT (SELECT count(*) FROM {table}), (SELECT count(DISTINCT id) FROM {table}),
            count(*), count(*) FILTER (WHERE s.id IS NULL OR r.id IS NULL OR {differs})
        FROM (SELECT {cols} FROM {table}) s
        FULL OUTER JOIN (SELECT {cols} FROM ({reference}) reference) r ON s.id = r.id"""


def positional_diff_sql(table: str, names: list[str], other: str) -> str:
    """How many rows differ between ``other`` (an attached database's ``table``, or a subquery
    in parentheses) and the master's ``table``, row by row in storage order (DuckDB)."""
    differs = " OR ".join(f"a.{_q(n)} IS DISTINCT FROM b.{_q(n)}" for n in names)
    source = other if other.startswith("(") else f"{other}.{table}"
    return f"SELECT count(*) FROM {source} a POSITIONAL JOIN main.{table} b WHERE {differs}"


__all__ = ["Finding", "VERIFY_WAIT_S", "Verification", "verify"]
