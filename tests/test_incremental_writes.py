"""A write costs what it changes, not what the ledger holds: it replaces only the current-state
rows its events touch, and it publishes by catching a standby generation up with the rows those
events added or touched instead of copying the whole file. What must still hold: the published
copy equals the master (``verify``), a reader's open generation is never written under it, a
standby that is not a recent copy of this master is never used, and a killed catch-up is repaired.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from tests.builders import tiny_problem
from tests.test_crash import WRITE, killed_at, leftovers, problems_seen, verified
from toolkit import Ledger
from toolkit.cli import main
from toolkit.store import CRASH_STEPS, DuckDBStore, _DuckDBSession

D = dt.date


def extend(path: Path, due: dt.date, pid: str = "P1") -> None:
    with Ledger.write(path, by="测试") as tx:
        tx.extend_deadline(pid, due, at=D(2020, 9, 1), why="领导小组批准延期")


def generation_inodes(path: Path) -> dict[str, int]:
    folder = DuckDBStore(path).published
    return {p.name: p.stat().st_ino for p in folder.glob("gen-*.duckdb")}


def current(path: Path) -> Path:
    return DuckDBStore(path).current_generation()


def due_in(generation: Path, pid: str = "P1") -> dt.date:
    con = duckdb.connect(str(generation), read_only=True)
    try:
        return con.execute("SELECT due FROM problems WHERE id = ?", [pid]).fetchall()[0][0]
    finally:
        con.close()


def test_a_write_replaces_only_the_rows_its_events_touch(tiny_path, monkeypatch):
    with Ledger.write(tiny_path, by="测试") as tx:
        for i in range(5):
            tx.add(tiny_problem(f"Q{i}", description=f"问题{i}"), at=D(2020, 6, 2))
    statements: list[str] = []
    run = _DuckDBSession._run

    def spy(self, sql, params=()):
        statements.append(" ".join(sql.split()))
        return run(self, sql, params)

    monkeypatch.setattr(_DuckDBSession, "_run", spy)
    extend(tiny_path, D(2020, 12, 31), pid="Q3")
    assert not any(
        s.startswith(("DROP TABLE IF EXISTS problems", "CREATE TABLE problems")) for s in statements
    )
    assert any(s.startswith("DELETE FROM problems WHERE id IN") for s in statements)
    assert not any(s.startswith(("DELETE FROM clues", "DELETE FROM units")) for s in statements)
    with Ledger.open(tiny_path) as ledger:
        due = ledger.table("problems").select("id", "due").execute().set_index("id")["due"]
    assert due["Q3"].date() == D(2020, 12, 31)
    assert {due[f"Q{i}"].date() for i in (0, 1, 2, 4)} == {D(2020, 9, 30)}
    verified(tiny_path)


def test_a_write_catches_the_standby_generation_up_instead_of_copying(tiny_path):
    extend(tiny_path, D(2020, 10, 31))  # the first generation is now a standby
    before = generation_inodes(tiny_path)
    standby = set(before) - {current(tiny_path).name}
    assert len(standby) == 1
    extend(tiny_path, D(2020, 11, 30))
    now = current(tiny_path)
    assert now.name not in before  # a new name, so a reader of the old pointer never opens it
    assert now.stat().st_ino == before[standby.pop()]  # the standby file itself, caught up
    assert due_in(now) == D(2020, 11, 30)
    assert problems_seen(tiny_path) == 1
    verified(tiny_path)


HOLD_OPEN = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT due FROM problems WHERE id = 'P1'").fetchall()[0][0], flush=True)
sys.stdin.readline()
print(con.execute("SELECT due FROM problems WHERE id = 'P1'").fetchall()[0][0], flush=True)
"""


def test_a_generation_a_reader_holds_is_never_written_under_it(tiny_path):
    extend(tiny_path, D(2020, 10, 31))
    standby = next(iter(set(generation_inodes(tiny_path)) - {current(tiny_path).name}))
    folder = DuckDBStore(tiny_path).published
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(folder / standby)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        held = reader.stdout.readline().strip()
        held_inode = (folder / standby).stat().st_ino
        extend(tiny_path, D(2020, 11, 30))  # the held standby cannot be used: a whole copy
        assert current(tiny_path).stat().st_ino != held_inode
        assert (folder / standby).stat().st_ino == held_inode  # still there, under its name
        assert due_in(current(tiny_path)) == D(2020, 11, 30)
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == held  # what it had open did not change
    finally:
        reader.kill()
        reader.wait()
    verified(tiny_path)


def test_a_standby_of_another_history_is_copied_over_not_caught_up(tiny_path):
    extend(tiny_path, D(2020, 10, 31))
    standby = DuckDBStore(tiny_path).published / next(
        iter(set(generation_inodes(tiny_path)) - {current(tiny_path).name})
    )
    con = duckdb.connect(str(standby))
    con.execute("UPDATE ledger_head SET hash = repeat('f', 64)")
    con.close()
    inode = standby.stat().st_ino
    extend(tiny_path, D(2020, 11, 30))
    assert current(tiny_path).stat().st_ino != inode
    assert due_in(current(tiny_path)) == D(2020, 11, 30)
    result = CliRunner().invoke(main, ["verify", "--ledger", str(tiny_path)])
    assert result.exit_code == 1  # the altered standby is still there, and still named
    assert standby.name in result.output and current(tiny_path).name not in result.output


def test_rows_changed_by_hand_are_published_whole_and_older_generations_go(tiny_path):
    extend(tiny_path, D(2020, 10, 31))
    assert len(generation_inodes(tiny_path)) == 2
    with DuckDBStore(tiny_path).write_session() as session:
        session.execute("UPDATE problems SET responsible = '办公室' WHERE id = 'P1'")
    assert list(generation_inodes(tiny_path)) == [current(tiny_path).name]
    con = duckdb.connect(str(current(tiny_path)), read_only=True)
    assert con.execute("SELECT responsible FROM problems").fetchall() == [("办公室",)]
    con.close()


@pytest.mark.parametrize("step", CRASH_STEPS)
def test_a_write_killed_while_catching_a_standby_up_is_repaired(tiny_path, step):
    extend(tiny_path, D(2020, 10, 31))  # from here on a write catches a standby up
    killed_at(step, sys.executable, "-c", WRITE, str(tiny_path), "30")
    assert leftovers(tiny_path)
    committed = step != "before-commit"
    assert problems_seen(tiny_path) == (31 if committed else 1)
    assert leftovers(tiny_path) == []
    verified(tiny_path)
    extend(tiny_path, D(2020, 12, 31))
    assert due_in(current(tiny_path)) == D(2020, 12, 31)
    verified(tiny_path)
    assert not [p for p in os.listdir(DuckDBStore(tiny_path).published) if p.endswith((".tmp", ".wal"))]


def test_a_problem_found_again_moves_the_day_its_unit_and_category_recurred(tiny_path):
    """``found_again_on`` looks across the problems of a unit and category: a write that adds one
    replaces the rows of the others (and only theirs), so 问题复发率 reads it from the table today
    and on a past date, as replaying the log gives it."""
    from tests.builders import find_p1_again
    from toolkit import metrics

    find_p1_again(tiny_path)
    with Ledger.open(tiny_path) as led:
        found = led.table("problems").execute().set_index("id")["found_again_on"]
        assert {pid: None if pd.isna(day) else pd.Timestamp(day).date() for pid, day in found.items()} == {
            "P1": D(2021, 6, 1),  # P9, from the later round R2
            "P9": None,
            "P8": None,  # another category
            "P0": D(2020, 6, 1),  # its round started before R1's: P1 came later
        }
        for day, recurred in (("2021-05-31", 0), ("2021-06-01", 1), (None, 1)):
            result = metrics.recurrence(led, as_of=day)
            assert result[["rectified", "recurred"]].values.tolist() == [[1, recurred]], day
        for day in ("2021-05-31", "2021-06-30", "2021-07-01"):
            kept = led.as_of(day).table("problems").execute().sort_values("id").reset_index(drop=True)
            replayed = led.as_of(day, replay_all=True).table("problems").execute()
            pd.testing.assert_frame_equal(kept, replayed.sort_values("id").reset_index(drop=True))
        on_may_31 = led.as_of("2021-05-31").table("problems").execute().set_index("id")
        assert pd.isna(on_may_31.loc["P1", "found_again_on"])  # P9 was not yet in the ledger
        asked = led.as_of("2021-05-31").table("problems", derived="found_again_on").columns
        assert "found_again_on" in asked and "extensions" not in asked  # one name, not its letters
    verified(tiny_path)


def test_found_again_on_on_a_past_date_without_last_change_dates(tiny_path):
    """Records moved since a date are found from the log when the table keeps no ``changed_at``
    (an earlier version's): they still take ``found_again_on`` from their stored rows, never
    from a lookup among the moved records alone, and the state is the replay's."""
    from tests.builders import find_p1_again

    find_p1_again(tiny_path)
    with DuckDBStore(tiny_path).write_session() as session:
        session.execute("ALTER TABLE problems DROP COLUMN changed_at")
    with Ledger.open(tiny_path) as led:
        assert "changed_at" not in led.table("problems").columns
        for day in ("2021-05-31", "2021-06-01", "2021-07-01"):
            kept = led.as_of(day).table("problems").execute()
            replayed = led.as_of(day, replay_all=True).table("problems").execute()[list(kept.columns)]
            kept, replayed = (f.sort_values("id").reset_index(drop=True) for f in (kept, replayed))
            pd.testing.assert_frame_equal(kept, replayed, check_dtype=False)
