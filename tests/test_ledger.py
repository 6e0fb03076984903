"""The event log: replay to any date, all-or-nothing writes, and a hash chain that shows tampering."""

import datetime as dt
import shutil

import duckdb
import pytest
from click.testing import CliRunner

from tests.builders import tiny_problem
from toolkit import Ledger
from toolkit.cli import main
from toolkit.events import EventKind

D = dt.date


def statuses(path, day):
    with Ledger.open(path) as ledger:
        df = ledger.as_of(day).table("problems").execute()
    return df.to_dict("records")


def test_replay_answers_before_between_and_after_changes(tiny_path):
    with Ledger.write(tiny_path, by="整改办") as tx:
        tx.set_status("P1", "in_progress", at=D(2020, 7, 1))
        tx.extend_deadline("P1", D(2020, 12, 31), at=D(2020, 9, 20), why="经领导小组批准延期")
        tx.set_status("P1", "rectified", at=D(2020, 11, 10))
        tx.close_out("P1", at=D(2021, 1, 5), why="验收合格")

    assert statuses(tiny_path, D(2020, 5, 31)) == []  # recorded on 2020-06-01
    on = {
        d: statuses(tiny_path, d)[0]
        for d in (D(2020, 6, 1), D(2020, 8, 1), D(2020, 10, 1), D(2020, 12, 1), D(2021, 2, 1))
    }
    assert [r["status"] for r in on.values()] == ["open", "in_progress", "in_progress", "rectified", "closed"]
    assert on[D(2020, 8, 1)]["due"].date() == D(2020, 9, 30)  # before the extension
    assert on[D(2020, 10, 1)]["due"].date() == D(2020, 12, 31)  # after it
    assert on[D(2020, 12, 1)]["rectified_on"].date() == D(2020, 11, 10)
    assert on[D(2021, 2, 1)]["closed_on"].date() == D(2021, 1, 5)
    with Ledger.open(tiny_path) as ledger:
        current = ledger.table("problems").execute().iloc[0]
        assert current["status"] == "closed"
        kinds = ledger.events("P1")["kind"].tolist()
    assert kinds == ["added", "status_changed", "deadline_extended", "status_changed", "closed_out"]


def test_a_change_back_to_empty_replays_as_empty(tiny_path):
    """Reopening a rectified problem clears rectified_on; replay must not resurrect it."""
    with Ledger.write(tiny_path, by="整改办") as tx:
        tx.set_status("P1", "rectified", at=D(2020, 8, 1))
        tx.set_status("P1", "in_progress", at=D(2020, 9, 1), why="复查未通过，重新整改")
    assert statuses(tiny_path, D(2020, 8, 15))[0]["rectified_on"].date() == D(2020, 8, 1)
    after = statuses(tiny_path, D(2020, 9, 2))[0]
    assert (
        after["status"] == "in_progress"
        and after["rectified_on"] is None
        or str(after["rectified_on"]) == "NaT"
    )


def test_a_failed_write_leaves_the_ledger_as_it_was(tiny_path):
    with Ledger.open(tiny_path) as ledger:
        before = ledger.counts()
    with pytest.raises(ValueError, match="^found_on:"), Ledger.write(tiny_path, by="导入") as tx:
        tx.add(tiny_problem("P2"), at=D(2020, 6, 1))
        tx.add(tiny_problem("P3", found_on=D(2019, 1, 1), due=D(2019, 6, 1)))  # before the round started
    with Ledger.open(tiny_path) as ledger:
        assert ledger.counts() == before
        assert ledger.verify().ok


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda tx: tx.add(tiny_problem("P1")), "^id: problem 'P1' already exists"),
        (lambda tx: tx.add(tiny_problem("P9", round_id="R404")), "^round_id: no round 'R404'"),
        (lambda tx: tx.add(tiny_problem("P9", due=D(2020, 2, 1), found_on=D(2020, 1, 1))), "^found_on"),
        (lambda tx: tx.set_status("P404", "rectified", at=D(2020, 7, 1)), "^record_id: no problem 'P404'"),
        (lambda tx: tx.set_status("P1", "finished", at=D(2020, 7, 1)), "^status: unknown value"),
        (lambda tx: tx.set_status("P1", "in_progress", at=D(2020, 5, 1)), "^at: 2020-05-01 is before"),
        (lambda tx: tx.close_out("P1", at=D(2020, 7, 1)), "^status: problem P1 is open"),
        (lambda tx: tx.extend_deadline("P1", D(2021, 1, 1), at=D(2020, 7, 1), why=""), "^why:"),
        (
            lambda tx: tx.change("problem", "P1", EventKind.CLOSED_OUT, at=D(2020, 7, 1), due=D(2021, 1, 1)),
            "^due: a closed_out event cannot change it",
        ),
        (  # an extension with no new deadline would count as none (a change of due is counted)
            lambda tx: tx.change("problem", "P1", EventKind.DEADLINE_EXTENDED, at=D(2020, 7, 1), why="批准"),
            "^kind: a deadline_extended event changes at least one field",
        ),
    ],
)
def test_rules_that_need_other_records(tiny_path, action, message):
    with pytest.raises(ValueError, match=message), Ledger.write(tiny_path, by="测试") as tx:
        action(tx)


def test_verify_clean_then_names_the_altered_event(tiny_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["verify", "--ledger", str(tiny_path)])
    assert ok.exit_code == 0 and "hash chain intact" in ok.output

    con = duckdb.connect(str(tiny_path))
    con.execute("""UPDATE events SET payload = replace(payload, '报销审批不规范', '无问题') WHERE seq = 3""")
    con.close()
    bad = runner.invoke(main, ["verify", "--ledger", str(tiny_path)])
    assert bad.exit_code == 1
    assert "event 3" in bad.output and "P1" in bad.output and "altered" in bad.output


def test_verify_notices_a_removed_event(tiny_path):
    with Ledger.write(tiny_path, by="测试") as tx:
        tx.set_status("P1", "in_progress", at=D(2020, 7, 1))
    con = duckdb.connect(str(tiny_path))
    con.execute("DELETE FROM events WHERE seq = 2")
    con.close()
    with Ledger.open(tiny_path) as ledger:
        result = ledger.verify()
    assert not result.ok and result.broken.seq == 3 and "gap" in result.broken.reason


def test_current_tables_are_derived_from_events(tiny_path):
    """Rebuilding the projections from the events alone gives the stored current state."""
    from toolkit.events import Event, projection_rows

    with Ledger.write(tiny_path, by="测试") as tx:
        tx.set_status("P1", "rectified", at=D(2020, 8, 1))
    with Ledger.open(tiny_path) as ledger:
        events = ledger.events()
        stored = ledger.table("problem_added").execute()
        changes = ledger.table("changes").execute()
    rebuilt_added, rebuilt_changes = [], []
    for row in events.itertuples(index=False):
        fields = {c: getattr(row, c) for c in events.columns}
        event = Event(**{**fields, "at": fields["at"].date()})
        for table, values in projection_rows(event):
            (
                rebuilt_added if table == "problem_added" else rebuilt_changes if table == "changes" else []
            ).append(values)
    assert len(rebuilt_added) == len(stored) == 1
    assert len(rebuilt_changes) == len(changes) == 2
    assert sorted(r[3] for r in rebuilt_changes) == sorted(changes["value"].tolist())


def test_writes_need_an_author(tiny_path):
    with pytest.raises(ValueError, match="^by:"):
        Ledger.write(tiny_path, by=" ")


def test_exists_and_close_out_with_the_sheets_date(tiny_path):
    with Ledger.write(tiny_path, by="导入") as tx:
        assert tx.exists("problem", "P1") and not tx.exists("problem", "P2")
        tx.set_status("P1", "rectified", at=D(2020, 8, 1))
        tx.close_out("P1", at=D(2020, 9, 10), closed_on=D(2020, 9, 1), why="按台账销号时间")
    closed = statuses(tiny_path, D(2020, 9, 10))[0]
    assert closed["status"] == "closed" and closed["closed_on"].date() == D(2020, 9, 1)


# ---- opening and writing fail with a sentence the CLI and the apps can catch -----------------


def test_what_is_not_a_ledger_is_refused_by_type(tmp_path):
    from toolkit.store import LedgerError, NotALedger

    text = tmp_path / "notes.duckdb"
    text.write_text("这不是账本")
    other = tmp_path / "analysis.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE scores AS SELECT 1 AS x")
    con.close()
    for path in (text, other):
        with pytest.raises(NotALedger) as err:
            Ledger.open(path)
        assert isinstance(err.value, LedgerError) and "not a ledger" in err.value.sentence
        with pytest.raises(NotALedger), Ledger.write(path, by="测试", create=True) as tx:
            tx.add(tiny_problem("P9"))
    assert text.read_text() == "这不是账本"


HOLD_THE_LOCK = """
import fcntl, sys, time
with open(sys.argv[1], "a+") as fh:
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    print("holding", flush=True)
    time.sleep(60)
"""


def test_a_writer_that_waits_too_long_is_told_the_ledger_is_busy(tiny_path, monkeypatch):
    import subprocess
    import sys

    from toolkit import store
    from toolkit.store import LedgerBusy

    monkeypatch.setattr(store, "LOCK_TIMEOUT_S", 0.3)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(store.DuckDBStore(tiny_path).lock_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(LedgerBusy) as err, Ledger.write(tiny_path, by="测试") as tx:
            tx.add(tiny_problem("P9"), at=D(2020, 6, 2))
        assert isinstance(err.value, TimeoutError) and "try again" in err.value.sentence
        with Ledger.open(tiny_path) as ledger:  # readers are never kept waiting by a writer
            assert ledger.counts()["problems"] == 1
    finally:
        holder.kill()
        holder.wait()


def test_a_write_refuses_to_bury_removed_events(tiny_path):
    from toolkit.store import LedgerTampered

    with Ledger.write(tiny_path, by="测试") as tx:
        tx.set_status("P1", "in_progress", at=D(2020, 7, 1))
    con = duckdb.connect(str(tiny_path))
    con.execute("DELETE FROM events WHERE seq = 4")
    con.close()
    with (
        pytest.raises(LedgerTampered, match="ledger_head says 4 events"),
        Ledger.write(tiny_path, by="测试") as tx,
    ):
        tx.add(tiny_problem("P9"), at=D(2020, 6, 2))
    con = duckdb.connect(str(tiny_path), read_only=True)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 3  # nothing appended
    con.close()


def test_each_write_leaves_its_receipt(tiny_path):
    with Ledger.write(tiny_path, by="测试") as tx:
        tx.set_status("P1", "in_progress", at=D(2020, 7, 1))
    with Ledger.open(tiny_path) as ledger:
        events = ledger.events()
        assert ledger.receipt() == tx.receipt
    assert (tx.receipt.seq, tx.receipt.head) == (4, events["hash"].iloc[-1])
    assert tx.receipt.day == events["recorded_at"].iloc[-1].date()


def test_a_ledger_from_before_heads_gets_one_at_its_next_write(tiny_path):
    import shutil

    from toolkit.store import DuckDBStore

    store = DuckDBStore(tiny_path)
    con = duckdb.connect(str(tiny_path))
    con.execute("DROP TABLE ledger_head")
    con.close()
    store.head_path.unlink()
    shutil.rmtree(store.published)  # as an older toolkit left it: no head anywhere
    with Ledger.open(tiny_path) as ledger:
        result = ledger.verify()
        assert result.ok and any("no head recorded yet" in note for note in result.notes)
        assert ledger.receipt() is None
    with Ledger.write(tiny_path, by="测试") as tx:
        tx.set_status("P1", "in_progress", at=D(2020, 7, 1))
    with Ledger.open(tiny_path) as ledger:
        result = ledger.verify()
        assert result.ok and result.notes == () and ledger.receipt().seq == 4


def test_a_copied_ledger_read_then_written_in_one_process(sample_path, tmp_path):
    """A ledger copied without its published folder is read from the master itself; a write in
    the same process is refused with a sentence saying to close the reader, and after that write
    readers hold a published copy, so reading and writing mix freely."""
    from toolkit.ledger import Ledger
    from toolkit.store import LedgerOpenHere

    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_path, copy)
    reader = Ledger.open(copy)
    before = reader.counts()["events"]
    with pytest.raises(LedgerOpenHere) as refused, Ledger.write(copy, by="测试") as tx:
        tx.extend_deadline("P00000042", dt.date(2031, 9, 30), at=dt.date(2030, 6, 1), why="批准延期")
    assert "ledger.close()" in refused.value.sentence
    # an import's session opens the file another way (attached): the same sentence
    with pytest.raises(LedgerOpenHere), Ledger.write(copy, by="测试", bulk=True) as tx:
        tx.extend_deadline("P00000042", dt.date(2031, 9, 30), at=dt.date(2030, 6, 1), why="批准延期")
    reader.close()
    with Ledger.write(copy, by="测试") as tx:
        tx.extend_deadline("P00000042", dt.date(2031, 9, 30), at=dt.date(2030, 6, 1), why="批准延期")
    reader = Ledger.open(copy)
    with Ledger.write(copy, by="测试") as tx:  # the reader holds the published copy now
        tx.extend_deadline("P00000042", dt.date(2032, 9, 30), at=dt.date(2031, 6, 1), why="再次延期")
    assert reader.refresh().counts()["events"] == before + 2


def test_a_ledger_copied_whole_verifies_and_is_read_and_written_in_one_process(sample_path, tmp_path):
    from toolkit.store import copy_ledger

    copy = copy_ledger(sample_path, tmp_path / "moved.duckdb")
    assert (tmp_path / "moved.duckdb.published" / "CURRENT").exists()
    reader = Ledger.open(copy)
    before = reader.counts()["events"]
    with Ledger.write(copy, by="测试") as tx:  # the reader holds a published copy, not the file
        tx.extend_deadline("P00000042", dt.date(2031, 9, 30), at=dt.date(2030, 6, 1), why="批准延期")
    assert reader.refresh().counts()["events"] == before + 1
    result = CliRunner().invoke(main, ["verify", "--ledger", str(copy)])
    assert result.exit_code == 0, result.output
    with pytest.raises(FileExistsError):
        copy_ledger(sample_path, copy)


def test_every_column_of_the_current_state_tables_has_a_chinese_header():
    """What an analyst sees when a table is shown whole (``toolkit.readable.chinese``)."""
    from toolkit import models
    from toolkit.readable import column_name
    from toolkit.replay import state_columns

    unnamed = [
        (kind, column)
        for kind in models.RECORD_ORDER
        for column in state_columns(kind)
        if column_name(column) == column
    ]
    assert unnamed == []


@pytest.mark.parametrize("kernel", ["copies", "refuses", "absent"])
def test_a_published_generation_is_the_master_byte_for_byte(tiny_path, monkeypatch, kernel):
    """The kernel copies the file where it can; where it cannot, the file is read and written."""
    import errno
    import os

    from toolkit import store

    def refuse(*args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    if kernel == "refuses":
        monkeypatch.setattr(os, "copy_file_range", refuse)
    elif kernel == "absent":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    monkeypatch.setattr(store, "COPY_CHUNK", 4096)  # many chunks
    generation = store.open_store(tiny_path).publish()
    assert generation.read_bytes() == tiny_path.read_bytes()
    with Ledger.open(tiny_path) as ledger:
        assert ledger.verify().ok


def test_a_bulk_append_keeps_its_order_and_the_thread_setting(tmp_path):
    """Appends run on one thread (an ordered parallel insert merges what its threads wrote) and
    set the thread count back; a range is a column of seqs."""
    from toolkit.store import open_store

    with open_store(tmp_path / "l.duckdb").write_session(create=True) as session:
        session.fetchall("SET threads = 3")
        ids = [f"P{i}" for i in range(5000)]
        session.append_columns(
            "changes",
            [
                ["problem"] * 5000,
                ids,
                ["status"] * 5000,
                ["open"] * 5000,
                [D(2020, 1, 1)] * 5000,
                range(7, 5007),
            ],
        )
        assert session.fetchall("SELECT current_setting('threads')") == [(3,)]
        assert session.fetchall("SELECT record_id, seq FROM changes") == list(
            zip(ids, range(7, 5007), strict=True)
        )


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_the_compiled_replay_sql_is_what_ibis_compiles_now(dialect):
    """``toolkit.replay_sql`` (run by every write, compiled ahead so a write needs no ibis) must
    be the replay as ``toolkit.replay`` defines it today: run ``python -m toolkit.replay`` after
    changing the replay or a record's fields."""
    from toolkit import models
    from toolkit.replay import compile_state
    from toolkit.replay_sql import OWN_STATE_SQL, STATE_SQL
    from toolkit.store import TOUCHED_TABLE

    for kind in models.RECORD_ORDER:
        assert STATE_SQL[kind, dialect, False] == compile_state(kind, dialect)
        assert STATE_SQL[kind, dialect, True] == compile_state(kind, dialect, TOUCHED_TABLE)
        if (kind, dialect) in OWN_STATE_SQL:
            assert OWN_STATE_SQL[kind, dialect] == compile_state(kind, dialect, across=False)
    assert ("problem", dialect) in OWN_STATE_SQL


def test_the_compiled_replay_module_is_the_one_the_generator_writes():
    """Nothing in it was edited by hand (the same text, formatting included)."""
    from toolkit.replay import COMPILED_MODULE, compiled_module
    from toolkit.store import TOUCHED_TABLE

    assert COMPILED_MODULE.read_text(encoding="utf-8") == compiled_module(TOUCHED_TABLE)
