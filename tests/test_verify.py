"""``toolkit verify``: every way a ledger's figures can be altered is found and named (exit 1);
what cannot be checked says why (exit 2); an intact ledger exits 0 and prints its receipt.

Each case copies one small ledger that has a row in every table, alters it the way a person
with write access to the files would (SQL on the master, an edited published copy, a moved
pointer), and runs the real command.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from tests.builders import find_p1_again, tiny_problem, tiny_round, tiny_unit
from toolkit import Ledger, metrics
from toolkit.cli import main
from toolkit.cli_errors import explain
from toolkit.events import Receipt
from toolkit.models import Assignment, Clue, Inspection
from toolkit.replay import STATE_FORMAT, state_columns
from toolkit.store import CURRENT_TABLES, DuckDBStore, LedgerTooNew

D = dt.date


def every_table_ledger(path: Path, description: str = "报销审批不规范") -> Path:
    """Two units, a round, an inspection, problems P1 (rectified then closed) and P2 (open),
    a clue with its disposal and outcome, an assignment reported back: no table is empty."""
    with Ledger.write(path, by="测试", create=True) as tx:
        tx.add(tiny_unit("U1"), at=D(2020, 1, 1))
        tx.add(tiny_unit("U2", name="市教育局党组"), at=D(2020, 1, 1))
        tx.add(tiny_round(), at=D(2020, 2, 20))
        tx.add(Inspection("I1", "R1", "U1", "市委第一巡察组"), at=D(2020, 3, 1))
        tx.add(tiny_problem("P1", description=description), at=D(2020, 6, 1))
        tx.add(tiny_problem("P2", description="公务用车管理不严"), at=D(2020, 6, 1))
        tx.add(Clue("C1", "R1", "U1", "反映某问题", "王某甲", "科长", "巡察发现", D(2020, 5, 1)))
        tx.add(Assignment("A1", "督促整改", "市本级", D(2020, 6, 1), D(2020, 7, 1)), at=D(2020, 6, 1))
    with Ledger.write(path, by="测试") as tx:
        tx.set_status("P1", "rectified", at=D(2020, 8, 1))
        tx.close_out("P1", at=D(2020, 9, 1), why="验收合格")
        tx.change(
            "clue", "C1", "clue_disposed", at=D(2020, 6, 1), disposal="verify", disposed_on=D(2020, 6, 1)
        )
        tx.change("clue", "C1", "outcome_recorded", at=D(2020, 10, 1), sanctioned=1, prosecuted=0)
        tx.change("assignment", "A1", "assignment_reported", at=D(2020, 6, 30), reported_on=D(2020, 6, 30))
    return path


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return every_table_ledger(tmp_path_factory.mktemp("pristine") / "l.duckdb")


def copy_ledger(source: Path, folder: Path) -> Path:
    """The ledger's master, head file and published copies, as a backup would take them."""
    target = folder / source.name
    for suffix in ("", ".head"):
        shutil.copyfile(source.with_name(source.name + suffix), target.with_name(target.name + suffix))
    shutil.copytree(
        source.with_name(source.name + ".published"), target.with_name(target.name + ".published")
    )
    return target


@pytest.fixture
def ledger(pristine, tmp_path) -> Path:
    return copy_ledger(pristine, tmp_path)


def sql(path: Path, *statements: str) -> None:
    con = duckdb.connect(str(path))
    for statement in statements:
        con.execute(statement)
    con.close()


def verify(path: Path, *args: str):
    return CliRunner().invoke(main, ["verify", "--ledger", str(path), *args])


def current_generation(path: Path) -> Path:
    return DuckDBStore(path).current_generation()


# ---- intact ---------------------------------------------------------------------------------


def test_an_intact_ledger_exits_0_and_prints_its_receipt(ledger):
    result = verify(ledger)
    assert result.exit_code == 0, result.output
    assert "hash chain intact" in result.output
    receipt = Receipt.parse(result.output.splitlines()[-1])
    with Ledger.open(ledger) as led:
        assert receipt.seq == led.counts()["events"]
        assert receipt.head == led.events()["hash"].iloc[-1]
    assert ledger.with_name(ledger.name + ".head").read_text().strip() == str(receipt)
    again = verify(ledger, "--expect", str(receipt))
    assert again.exit_code == 0 and "receipt holds" in again.output


def test_receipts_kept_in_a_file_all_hold_after_more_writes(ledger, tmp_path):
    kept = tmp_path / "收据.txt"
    kept.write_text(Receipt.parse(verify(ledger).output.splitlines()[-1]).__str__() + "\n")
    with Ledger.write(ledger, by="测试") as tx:
        tx.add(tiny_problem("P3"), at=D(2020, 6, 2))
    kept.write_text(kept.read_text() + f"另存于档案室：{tx.receipt}\n")
    result = verify(ledger, "--expect", str(kept))
    assert result.exit_code == 0, result.output
    assert result.output.count("receipt holds") == 2


# ---- the event log and its head -------------------------------------------------------------


@pytest.mark.parametrize("newest", [1, 7])
def test_removing_the_newest_events_is_found(ledger, newest):
    with Ledger.open(ledger) as led:
        total = led.counts()["events"]
    sql(ledger, f"DELETE FROM events WHERE seq > {total - newest}")
    result = verify(ledger)
    assert result.exit_code == 1
    assert f"events after {total - newest} were removed" in result.output
    assert "ledger_head" in result.output and "l.duckdb.head" in result.output


def test_removing_the_newest_events_and_every_head_beside_them_only_a_receipt_shows(ledger):
    """The tamperer who truncates the log and fixes the head record, the head file and the
    published copies leaves a ledger that proves itself: only the receipt kept elsewhere
    shows what happened."""
    receipt = Receipt.parse(verify(ledger).output.splitlines()[-1])
    sql(
        ledger,
        f"DELETE FROM events WHERE seq > {receipt.seq - 3}",
        "DELETE FROM changes WHERE seq > " + str(receipt.seq - 3),
        "DELETE FROM ledger_head",
        f"INSERT INTO ledger_head SELECT seq, hash, {STATE_FORMAT} FROM events WHERE seq = {receipt.seq - 3}",
    )
    assert verify(ledger).exit_code == 1  # the head file and the published copy still say more
    ledger.with_name(ledger.name + ".head").unlink()
    shutil.rmtree(ledger.with_name(ledger.name + ".published"))
    with DuckDBStore(ledger).write_session() as session:
        session.materialize_current()  # republished from the truncated master
    assert verify(ledger).exit_code == 0
    result = verify(ledger, "--expect", str(receipt))
    assert result.exit_code == 1
    assert "receipt" in result.output and f"only {receipt.seq - 3} events" in result.output


def test_a_consistent_rewrite_of_the_whole_ledger_only_a_receipt_shows(ledger, tmp_path):
    receipt = Receipt.parse(verify(ledger).output.splitlines()[-1])
    DuckDBStore(ledger).remove()
    every_table_ledger(ledger, description="无问题")  # same events, one word changed, every hash recomputed
    assert verify(ledger).exit_code == 0
    result = verify(ledger, "--expect", str(receipt))
    assert result.exit_code == 1
    assert f"event {receipt.seq} is not the one the receipt names" in result.output


@pytest.mark.parametrize(
    ("statement", "seq", "words"),
    [
        (
            "UPDATE events SET payload = replace(payload, '报销审批不规范', '无问题') WHERE seq = 5",
            5,
            "altered",
        ),
        ("UPDATE events SET payload = NULL WHERE seq = 5", 5, "NULL"),
        ("UPDATE events SET why = NULL WHERE seq = 5", 5, "NULL"),
        ("UPDATE events SET payload = '{not json' WHERE seq = 5", 5, "altered"),
        ("DELETE FROM events WHERE seq = 5", 6, "sequence gap"),
        ("UPDATE events SET seq = 99 WHERE seq = 5", 6, "sequence gap"),
        ("UPDATE events SET prev_hash = hash WHERE seq = 5", 5, "link broken"),
    ],
    ids=["altered", "null-payload", "null-why", "not-json", "deleted", "renumbered", "relinked"],
)
def test_an_altered_event_is_named(ledger, statement, seq, words):
    sql(ledger, statement)
    result = verify(ledger)
    assert result.exit_code == 1, result.output
    assert f"events event {seq} " in result.output and words in result.output
    assert "Traceback" not in result.output


def test_a_missing_events_table_is_tampering_not_a_crash(ledger):
    sql(ledger, "DROP TABLE events")
    result = verify(ledger)
    assert result.exit_code == 1 and "the events table is missing" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: sql(p, "UPDATE ledger_head SET seq = seq - 1"),
        lambda p: sql(p, "DELETE FROM ledger_head"),
        lambda p: sql(p, "DROP TABLE ledger_head"),
        lambda p: p.with_name(p.name + ".head").write_text("xuncha-receipt 1 seq=3 head=" + "a" * 64),
        lambda p: p.with_name(p.name + ".head").write_text("已核对"),
    ],
    ids=[
        "head-row-altered",
        "head-row-deleted",
        "head-table-dropped",
        "head-file-altered",
        "head-file-garbage",
    ],
)
def test_an_altered_head_is_named(ledger, edit):
    edit(ledger)
    result = verify(ledger)
    assert result.exit_code == 1, result.output
    assert "ledger_head" in result.output or "l.duckdb.head" in result.output


# ---- the tables figures are read from -------------------------------------------------------

TABLES = {  # table -> (key column, record, a text column to alter)
    "unit_added": ("id", "U1", "name"),
    "round_added": ("id", "R1", "name"),
    "inspection_added": ("id", "I1", "team"),
    "problem_added": ("id", "P2", "description"),
    "clue_added": ("id", "C1", "title"),
    "assignment_added": ("id", "A1", "title"),
    "changes": ("record_id", "P1", "value"),
    "units": ("id", "U1", "name"),
    "rounds": ("id", "R1", "name"),
    "inspections": ("id", "I1", "team"),
    "problems": ("id", "P2", "status"),
    "clues": ("id", "C1", "title"),
    "assignments": ("id", "A1", "title"),
}


def tamper_statement(table: str, how: str) -> str:
    key, record, column = TABLES[table]
    if how == "delete":
        return f"DELETE FROM {table} WHERE {key} = '{record}'"
    if how == "alter":
        value = "'rectified'" if column == "status" else f"{column} || '（改）'"
        return f"UPDATE {table} SET {column} = {value} WHERE {key} = '{record}'"
    copy = f"'{record}X'"
    return f"INSERT INTO {table} SELECT * REPLACE ({copy} AS {key}) FROM {table} WHERE {key} = '{record}'"


@pytest.mark.parametrize("how", ["delete", "alter", "insert"])
@pytest.mark.parametrize("table", sorted(TABLES))
def test_each_table_the_figures_are_read_from_is_checked(ledger, table, how):
    sql(ledger, tamper_statement(table, how))
    result = verify(ledger)
    assert result.exit_code == 1, result.output
    key, record, _ = TABLES[table]
    named = [line for line in result.output.splitlines() if f"/ {table} " in line]
    assert named, result.output
    assert any(record in line for line in named), result.output


def test_a_hand_edit_that_moves_the_rectification_rate_is_found(ledger):
    """The edit the apps would show: problems rewritten and republished, the event log untouched."""

    def rate():
        with Ledger.open(ledger) as led:
            return float(metrics.rectification_rate(led, as_of="2021-01-01")["rate"].iloc[0])

    before = rate()
    with DuckDBStore(ledger).write_session() as session:
        session.execute(
            "UPDATE problems SET status = 'rectified', rectified_on = DATE '2020-08-01' WHERE id = 'P2'"
        )
    assert rate() > before
    result = verify(ledger)
    assert result.exit_code == 1 and "/ problems record P2" in result.output
    reconciled = CliRunner().invoke(main, ["report", "reconcile", "--ledger", str(ledger)])
    assert reconciled.exit_code == 1 and "P2" in reconciled.output


def test_a_last_change_date_moved_back_is_found(ledger):
    """A past date reads a problem unchanged since then from the current-state table, so a
    ``changed_at`` moved back would show P1's closure on a day it was still being rectified."""

    def status_on(day):
        with Ledger.open(ledger) as led:
            problems = led.as_of(day).table("problems")
            return problems.filter(problems.id == "P1").status.execute().iloc[0]

    assert status_on("2020-08-15") == "rectified"
    with DuckDBStore(ledger).write_session() as session:
        session.execute("UPDATE problems SET changed_at = added_at WHERE id = 'P1'")
    assert status_on("2020-08-15") == "closed"  # what the edit would make figures say
    result = verify(ledger)
    assert result.exit_code == 1 and "/ problems record P1" in result.output


def test_a_ledger_kept_before_last_change_dates_reads_verifies_and_gains_them(ledger):
    """Current-state tables without ``changed_at`` (written by an earlier version): past dates
    find moved records from the changes, verify passes, and the next write adds the column."""

    def rates():
        with Ledger.open(ledger) as led:
            return [
                float(metrics.rectification_rate(led, as_of=day)["rate"].iloc[0])
                for day in ("2020-07-01", "2020-08-15", "2020-09-15")
            ]

    before = rates()
    with DuckDBStore(ledger).write_session() as session:
        for table in CURRENT_TABLES:
            session.execute(f"ALTER TABLE {table} DROP COLUMN changed_at")
    with Ledger.open(ledger) as led:
        assert "changed_at" not in led.table("problems").columns
    assert rates() == before
    assert verify(ledger).exit_code == 0
    with Ledger.write(ledger, by="测试") as tx:
        tx.extend_deadline("P2", D(2021, 6, 30), at=D(2020, 12, 1), why="领导小组批准延期")
    with Ledger.open(ledger) as led:
        assert all("changed_at" in led.table(t).columns for t in CURRENT_TABLES)
    assert rates() == before
    assert verify(ledger).exit_code == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE problems SET extensions = 2 WHERE id = 'P2'",  # the warning list's 延期次数
        "UPDATE problems SET judged_due = DATE '2030-01-01' WHERE id = 'P1'",  # late made on time
        "UPDATE problems SET found_again_on = DATE '2020-10-01' WHERE id = 'P1'",  # a made-up 复发
    ],
)
def test_an_edited_derived_column_is_found(ledger, statement):
    """The warning list reads ``extensions`` and the on-time rate ``judged_due`` from the
    current-state table, on past dates too: an edit of either is named."""
    with DuckDBStore(ledger).write_session() as session:
        session.execute(statement)
    result = verify(ledger)
    assert result.exit_code == 1 and "/ problems record P" in result.output


OLDER_FORMATS = {  # the derived columns a ledger an earlier version kept lacks
    "before extensions": ("extensions", "judged_due", "found_again_on"),
    "before found_again_on": ("found_again_on",),
}


@pytest.mark.parametrize("lacking", OLDER_FORMATS.values(), ids=OLDER_FORMATS.keys())
def test_a_ledger_kept_before_the_derived_columns_reads_verifies_and_gains_them(ledger, lacking):
    """Current-state tables without some derived columns (an earlier version): the figures work
    them out from the log as before, verify passes, and the next write adds them."""
    find_p1_again(ledger, rectify=False)
    with Ledger.write(ledger, by="测试") as tx:
        tx.extend_deadline("P2", D(2021, 9, 30), at=D(2021, 7, 15), why="领导小组批准延期")

    def figures():
        with Ledger.open(ledger) as led:
            out = {}
            for day in ("2020-07-01", "2020-08-15", "2021-01-01", "2021-06-15", "2021-10-01"):
                on_time = metrics.on_time_rate(led, as_of=day)
                out["on-time", day] = on_time[
                    ["due_passed", "on_time", "late", "not_rectified"]
                ].values.tolist()
                out["overdue", day] = metrics.overdue(led, as_of=day)[
                    ["id", "days_left", "extensions"]
                ].values.tolist()
                out["recurrence", day] = metrics.recurrence(led, as_of=day)[
                    ["rectified", "recurred"]
                ].values.tolist()
            return out

    before = figures()
    assert ["P2", -1, 1] in before["overdue", "2021-10-01"]  # a day past its extended deadline
    assert before["recurrence", "2021-01-01"] == [[1, 0]] and before["recurrence", "2021-06-15"] == [[1, 1]]
    con = duckdb.connect(str(ledger))  # by hand: a write session would record the head's format
    for column in lacking:
        con.execute(f"ALTER TABLE problems DROP COLUMN {column}")
    con.execute("ALTER TABLE ledger_head DROP COLUMN state_format")
    con.close()
    DuckDBStore(ledger).publish()
    with Ledger.open(ledger) as led:
        assert not set(lacking) & set(led.table("problems").columns)
    assert figures() == before
    assert verify(ledger).exit_code == 0
    with Ledger.write(ledger, by="测试") as tx:
        tx.set_status("P2", "in_progress", at=D(2021, 10, 1))
    with Ledger.open(ledger) as led:
        assert set(lacking) <= set(led.table("problems").columns)
        assert led.table("ledger_head").state_format.execute().tolist() == [STATE_FORMAT]
    assert figures() == before
    assert verify(ledger).exit_code == 0
    _an_older_toolkits_write_is_refused(ledger)


def _an_older_toolkits_write_is_refused(ledger) -> None:
    """A toolkit from before the state format records the head without it (any write does):
    the database refuses it, the write fails whole and the ledger stays as it was."""
    refused = pytest.raises(duckdb.ConstraintException, match="state_format")
    with refused, DuckDBStore(ledger).write_session() as session:
        session.execute("UPDATE units SET name = '改名' WHERE id = 'U1'")
        session.execute("DELETE FROM ledger_head")
        session.execute(
            "INSERT INTO ledger_head (seq, hash) SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
        )
    with Ledger.open(ledger) as led:
        assert "改名" not in led.table("units").name.execute().tolist()
    assert verify(ledger).exit_code == 0


def test_a_write_that_leaves_the_derived_columns_empty_is_refused(ledger):
    """A toolkit from before ``extensions`` writes a problem's row with only the columns it knows
    (as its incremental write does): the figures would read the others empty, so the database
    refuses the row. One from before ``found_again_on`` would leave that stale, on the rows of
    the unit and category of a problem it adds and in the published copies: any write of it is
    refused, by the head it records."""
    known = ", ".join(f'"{c}"' for c in state_columns("problem", derived=False))
    refused = pytest.raises(duckdb.ConstraintException, match="extensions")
    with refused, DuckDBStore(ledger).write_session() as session:
        session.execute("DELETE FROM problems WHERE id = 'P2'")
        session.execute(f"INSERT INTO problems ({known}) SELECT {known} FROM problems WHERE id = 'P1'")
    with Ledger.open(ledger) as led:
        assert sorted(led.table("problems").id.execute()) == ["P1", "P2"]
    assert verify(ledger).exit_code == 0
    _an_older_toolkits_write_is_refused(ledger)


def test_a_ledger_a_newer_toolkit_keeps_is_not_written(ledger):
    """A head recording a later state format: this toolkit would leave the newer derived columns
    empty or stale, so it refuses to write (exit 2, a sentence), and reads and verifies as ever."""
    sql(ledger, f"UPDATE ledger_head SET state_format = {STATE_FORMAT + 1}")
    DuckDBStore(ledger).publish()
    with pytest.raises(LedgerTooNew, match=f"format {STATE_FORMAT + 1}") as refused:  # noqa: SIM117
        with Ledger.write(ledger, by="测试") as tx:
            tx.set_status("P2", "in_progress", at=D(2021, 10, 1))
    code, sentence = explain(refused.value)
    assert code == 2 and "请升级工具包" in sentence and "newer version" in sentence
    with Ledger.open(ledger) as led:
        assert led.table("problems").filter(lambda t: t.id == "P2").status.execute().tolist() == ["open"]
    assert verify(ledger).exit_code == 0


# ---- the published copy the apps read -------------------------------------------------------


def test_an_edited_published_copy_is_named(ledger):
    generation = current_generation(ledger)
    sql(generation, "UPDATE problems SET status = 'rectified' WHERE id = 'P2'")
    result = verify(ledger)
    assert result.exit_code == 1
    assert generation.name in result.output and "problems record P2" in result.output


def test_a_pointer_outside_the_published_folder_is_named(ledger, tmp_path):
    other = every_table_ledger(tmp_path / "other" / "l.duckdb")
    (ledger.with_name(ledger.name + ".published") / "CURRENT").write_text(str(other))
    result = verify(ledger)
    assert result.exit_code == 1 and "CURRENT" in result.output
    app = CliRunner().invoke(main, ["metrics", "headline", "--ledger", str(ledger)])
    assert app.exit_code == 2 and "CURRENT" in app.output and "Traceback" not in app.output


def test_a_pointer_to_another_ledgers_copy_is_named(ledger, tmp_path):
    other = every_table_ledger(tmp_path / "other" / "l.duckdb", description="无问题")
    folder = ledger.with_name(ledger.name + ".published")
    impostor = folder / "gen-20990101T000000000000-1.duckdb"
    shutil.copyfile(current_generation(other), impostor)
    (folder / "CURRENT").write_text(impostor.name)
    result = verify(ledger)
    assert result.exit_code == 1
    assert impostor.name in result.output and "not a copy of it" in result.output


def test_a_pointer_moved_back_to_an_older_copy_is_named(ledger):
    older = current_generation(ledger)
    with Ledger.write(ledger, by="测试") as tx:
        tx.add(tiny_problem("P3"), at=D(2020, 6, 2))
    (ledger.with_name(ledger.name + ".published") / "CURRENT").write_text(older.name)
    result = verify(ledger)
    assert result.exit_code == 1
    assert older.name in result.output and "older generation" in result.output


# ---- what cannot be checked: exit 2 and a sentence -------------------------------------------


def test_missing_ledger_exits_2(tmp_path):
    result = verify(tmp_path / "none.duckdb")
    assert result.exit_code == 2 and "not found" in result.output


@pytest.mark.parametrize("content", [b"\xe8\xbf\x99\xe4\xb8\x8d\xe6\x98\xaf", b""], ids=["text", "empty"])
def test_a_file_that_is_not_a_ledger_exits_2(tmp_path, content):
    bogus = tmp_path / "notes.duckdb"
    bogus.write_bytes(content)
    for command in (["verify"], ["metrics", "headline"], ["export", "--out", str(tmp_path / "x.xlsx")]):
        result = CliRunner().invoke(main, [*command, "--ledger", str(bogus)])
        assert result.exit_code == 2, (command, result.output)
        assert "not a ledger" in result.output and "Traceback" not in result.output


def test_another_duckdb_database_is_not_a_ledger_and_is_left_alone(tmp_path):
    other = tmp_path / "analysis.duckdb"
    sql(other, "CREATE TABLE scores AS SELECT 1 AS x")
    for command in (["verify"], ["metrics", "headline"], ["report", "reconcile"]):
        result = CliRunner().invoke(main, [*command, "--ledger", str(other)])
        assert result.exit_code == 2 and "not a ledger" in result.output, (command, result.output)
    workbook = tmp_path / "a.xlsx"
    from tests.ingest_workbooks import simple_ledger

    simple_ledger(workbook)
    result = CliRunner().invoke(
        main, ["import", str(workbook), "--ledger", str(other), "--round", "第三轮巡察"]
    )
    assert result.exit_code == 2 and "not a ledger" in result.output
    con = duckdb.connect(str(other), read_only=True)
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["scores"]  # nothing added to it
    con.close()


def test_an_expected_receipt_that_is_not_one_exits_2(ledger):
    result = verify(ledger, "--expect", "seq=3 head=abc")
    assert result.exit_code == 2 and "receipt" in result.output


HOLD_THE_LOCK = """
import sys, time
from toolkit.store import open_store
with open_store(sys.argv[1]).write_session() as session:
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_verify_while_a_write_is_under_way_says_busy_never_tampered(ledger):
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(ledger), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "holding"
        result = verify(ledger, "--wait", "0.5")
        assert result.exit_code == 2, result.output
        assert "busy" in result.output and "try again" in result.output
        assert writer.poll() is None  # it gave up while the write was still under way
    finally:
        writer.kill()
        writer.wait()


def test_verify_waits_for_a_short_write_then_checks(ledger):
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(ledger), "1"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "holding"
        result = verify(ledger, "--wait", "60")
        assert result.exit_code == 0, result.output
    finally:
        writer.wait()
