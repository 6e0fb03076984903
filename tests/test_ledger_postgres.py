"""The ledger on PostgreSQL proves itself the same way, and an office's analysts can write at once.

A real server (``tests.pg``), a fresh database per test: ``verify`` names tampering in the
events, the head, the projections and the current tables; a role that may only read gets a
sentence, not a traceback; two imports started together both succeed in turn; a writer killed
before or after its commit leaves the ledger consistent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from click.testing import CliRunner

from tests.builders import tiny_problem, tiny_round, tiny_unit
from tests.pg import INSTALL_HINT, find_bin, temporary_server
from tests.test_concurrency import assert_serialised, import_command, import_together, two_teams
from toolkit import Ledger
from toolkit.cli import main
from toolkit.events import Receipt
from toolkit.replay import STATE_FORMAT
from toolkit.store import CRASH_ENV

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[1]
_numbers = itertools.count()


@pytest.fixture(scope="module")
def server():
    if find_bin("initdb") is None or find_bin("pg_ctl") is None:
        pytest.skip(f"PostgreSQL server binaries (initdb, pg_ctl) not found: run `{INSTALL_HINT}`")
    with temporary_server() as url:
        yield url.rsplit("/", 1)[0]


@pytest.fixture
def database(server) -> str:
    name = f"ledger_{next(_numbers)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@pytest.fixture
def tiny(database) -> str:
    with Ledger.write(database, by="测试", create=True) as tx:
        tx.add(tiny_unit(), at=dt.date(2020, 1, 1))
        tx.add(tiny_round(), at=dt.date(2020, 2, 20))
        tx.add(tiny_problem(), at=dt.date(2020, 6, 1))
        tx.add(tiny_problem("P2"), at=dt.date(2020, 6, 1))
    with Ledger.write(database, by="测试") as tx:
        tx.set_status("P1", "rectified", at=dt.date(2020, 8, 1))
    return database


def run_sql(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        for statement in statements:
            con.execute(statement)


def verify(url: str, *args: str):
    return CliRunner().invoke(main, ["verify", "--ledger", url, *args])


def test_intact_ledger_exits_0_with_its_receipt(tiny):
    result = verify(tiny)
    assert result.exit_code == 0, result.output
    receipt = Receipt.parse(result.output.splitlines()[-1])
    assert receipt.seq == 5
    assert verify(tiny, "--expect", str(receipt)).exit_code == 0


@pytest.mark.parametrize(
    ("statement", "words"),
    [
        ("DELETE FROM events WHERE seq = 5", "events after 4 were removed"),
        ("UPDATE events SET payload = NULL WHERE seq = 3", "events event 3"),
        ("UPDATE events SET why = '改过' WHERE seq = 3", "altered"),
        (
            "UPDATE problem_added SET description = '无问题' WHERE id = 'P2'",
            "problem_added event 4 record P2",
        ),
        ("UPDATE changes SET value = 'closed' WHERE record_id = 'P1'", "changes event 5 record P1"),
        ("DELETE FROM problems WHERE id = 'P2'", "problems record P2"),
        (
            "INSERT INTO units SELECT 'U9', name, region, sector, unit_kind, in_scope, added_at FROM units",
            "U9",
        ),
        ("DROP TABLE events", "the events table is missing"),
    ],
    ids=[
        "newest-removed",
        "null-payload",
        "altered-event",
        "projection",
        "changes",
        "current",
        "inserted",
        "dropped",
    ],
)
def test_tampering_is_named(tiny, statement, words):
    run_sql(tiny, statement)
    result = verify(tiny)
    assert result.exit_code == 1, result.output
    assert words in result.output and "Traceback" not in result.output


def test_a_role_that_may_only_read_gets_a_sentence(tiny, tmp_path):
    from tests.ingest_workbooks import ROUND, simple_ledger

    run_sql(
        tiny,
        "CREATE ROLE leader LOGIN",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO leader",
        "CREATE ROLE clerk LOGIN",
        "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO clerk",
        "ALTER ROLE clerk SET default_transaction_read_only = on",
    )
    sheet = simple_ledger(tmp_path / "a.xlsx")
    for role in ("leader", "clerk"):
        url = tiny.replace("postgres@", f"{role}@")
        result = CliRunner().invoke(main, ["import", str(sheet), "--ledger", url, "--round", ROUND])
        assert result.exit_code == 2, result.output
        assert "may only read" in result.output and "Traceback" not in result.output
        assert CliRunner().invoke(main, ["metrics", "headline", "--ledger", url]).exit_code == 0
    assert verify(tiny.replace("postgres@", "leader@")).exit_code == 0  # verifying needs no write right


def test_no_ledger_in_the_database_exits_2(database):
    result = verify(database)
    assert result.exit_code == 2 and "not found" in result.output


def test_two_imports_sharing_a_new_round_and_unit_both_succeed_in_turn(database, tmp_path):
    first, second = two_teams(tmp_path)
    reports = import_together(import_command(first, database), import_command(second, database))
    assert_serialised(reports, database)


WRITE = """
import datetime as dt, sys
from tests.builders import tiny_problem
from toolkit import Ledger
with Ledger.write(sys.argv[1], by="分析员") as tx:
    for i in range(50):
        tx.add(tiny_problem(f"K{i:04d}"), at=dt.date(2020, 6, 2))
"""


@pytest.mark.parametrize(("step", "problems"), [("before-commit", 2), ("after-commit", 52)])
def test_a_killed_writer_leaves_all_or_nothing(tiny, step, problems):
    proc = subprocess.run(
        [sys.executable, "-c", WRITE, tiny],
        cwd=REPO,
        env={**os.environ, CRASH_ENV: step},
        capture_output=True,
    )
    assert proc.returncode == -signal.SIGKILL
    with Ledger.open(tiny) as ledger:
        assert int(ledger.table("problems").count().execute()) == problems
    assert verify(tiny).exit_code == 0
    with Ledger.write(tiny, by="测试") as tx:
        tx.add(tiny_problem("P9"), at=dt.date(2020, 6, 3))
    assert verify(tiny).exit_code == 0


def test_a_reader_sees_a_later_write_on_its_next_past_date_figure(tiny):
    """A DuckDB handle may keep the day of the latest event (its published copy never changes
    under it); a PostgreSQL handle must not: another writer's later events change which dates
    are past and so whether the current-state tables may be read for a date."""
    from toolkit import metrics

    with Ledger.open(tiny) as ledger:
        before = metrics.rectification_rate(ledger, as_of="2020-09-15")
        with Ledger.write(tiny, by="测试") as tx:
            tx.set_status("P2", "rectified", at=dt.date(2020, 10, 1))
        after = metrics.rectification_rate(ledger, as_of="2020-09-15")
        today = metrics.rectification_rate(ledger, as_of="2020-10-15")
    assert after["rate"].iloc[0] == before["rate"].iloc[0] == pytest.approx(0.5)
    assert today["rate"].iloc[0] == pytest.approx(1.0)


# what current-state tables gained
LATER_COLUMNS = ("changed_at", "extensions", "judged_due", "found_again_on")


def _drop_changed_at_and_grant(url: str, reader: str, *statements: str) -> str:
    """Make ``url`` a ledger an earlier version wrote (current-state tables without
    ``changed_at``, problems without their derived columns) with a read-only role ``reader`` on
    it (roles are the server's: each test names its own); the reader's URL."""
    from toolkit.store import CURRENT_TABLES

    run_sql(
        url,
        *(f"ALTER TABLE {t} DROP COLUMN changed_at" for t in CURRENT_TABLES),
        *(f"ALTER TABLE problems DROP COLUMN {c}" for c in LATER_COLUMNS if c != "changed_at"),
        "ALTER TABLE ledger_head DROP COLUMN state_format",
        f"CREATE ROLE {reader} LOGIN",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}",
        *statements,
    )
    return url.replace("postgres@", f"{reader}@")


def _rates(url: str, *, changed_at: bool) -> list[float]:
    from toolkit import metrics

    with Ledger.open(url) as ledger:
        columns = ledger.table("problems").columns
        assert [c in columns for c in LATER_COLUMNS] == [changed_at] * len(LATER_COLUMNS)
        return [
            metrics.rectification_rate(ledger, as_of=day)["rate"].iloc[0]
            for day in ("2020-07-15", "2020-09-15", "2020-10-15")
        ]


def test_a_ledger_kept_before_last_change_dates_gains_them_in_place_at_its_owners_next_write(tiny):
    """A PostgreSQL ledger whose current-state tables lack ``changed_at`` (an earlier version
    wrote it) is read and verified as it is. Its owner's next write adds the column in place and
    fills it: the tables are not rebuilt, so what the office granted on them (a leader's
    read-only role) and a view built on them stay."""
    with Ledger.open(tiny) as ledger:
        built = ledger.table("problems").execute().set_index("id")[list(LATER_COLUMNS[1:])]
    reader = _drop_changed_at_and_grant(
        tiny, "upgrade_reader", "CREATE VIEW open_problems AS SELECT id FROM problems"
    )
    assert _rates(reader, changed_at=False) == pytest.approx([0.0, 0.5, 0.5])
    assert verify(tiny).exit_code == 0
    with Ledger.write(tiny, by="测试") as tx:
        tx.set_status("P2", "rectified", at=dt.date(2020, 10, 1))
    assert _rates(reader, changed_at=True) == pytest.approx([0.0, 0.5, 1.0])
    assert verify(reader).exit_code == 0
    with Ledger.open(reader) as ledger:
        problems = ledger.table("problems").execute().set_index("id")
    # P1 was last changed on 2020-08-01 (filled in place), P2 by this write
    assert pd.Timestamp(problems.loc["P1", "changed_at"]) == pd.Timestamp(2020, 8, 1)
    assert pd.Timestamp(problems.loc["P2", "changed_at"]) == pd.Timestamp(2020, 10, 1)
    # the derived columns, filled in place, are what building the tables gave
    assert problems.loc["P1", "extensions"] == built.loc["P1", "extensions"]
    assert pd.Timestamp(problems.loc["P1", "judged_due"]) == pd.Timestamp(built.loc["P1", "judged_due"])
    assert problems["judged_due"].notna().all()
    assert pd.isna(problems.loc["P1", "found_again_on"]) and pd.isna(built.loc["P1", "found_again_on"])
    with psycopg.connect(tiny) as con:
        assert con.execute("SELECT state_format FROM ledger_head").fetchall() == [(STATE_FORMAT,)]
    with psycopg.connect(tiny) as con:
        assert con.execute("SELECT count(*) FROM open_problems").fetchone()[0] == 2
    _an_older_toolkits_row_is_refused(tiny)


def _an_older_toolkits_row_is_refused(url: str) -> None:
    """A toolkit from before ``extensions`` would write a problem's row without it, and one from
    before the state format the head without that (any write): the figures would read the
    derived columns empty or stale, so the database refuses either, and nothing is written."""
    from toolkit.replay import state_columns

    known = ", ".join(f'"{c}"' for c in state_columns("problem", derived=False))
    with psycopg.connect(url) as con, pytest.raises(psycopg.errors.NotNullViolation, match="extensions"):
        con.execute("DELETE FROM problems WHERE id = 'P2'")
        con.execute(f"INSERT INTO problems ({known}) SELECT {known} FROM problems WHERE id = 'P1'")
    with psycopg.connect(url) as con, pytest.raises(psycopg.errors.NotNullViolation, match="state_format"):
        con.execute("DELETE FROM ledger_head")
        con.execute(
            "INSERT INTO ledger_head (seq, hash) SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
        )
    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM problems").fetchone()[0] == 2
        assert con.execute("SELECT state_format FROM ledger_head").fetchall() == [(STATE_FORMAT,)]


def test_a_problem_found_again_moves_the_day_its_unit_and_category_recurred(tiny):
    """As on DuckDB: a write adding a problem replaces the rows of its unit and category, and
    问题复发率 reads ``found_again_on`` today and on a past date as the replay gives it."""
    from tests.builders import find_p1_again
    from toolkit import metrics

    find_p1_again(tiny, rectify=False)
    with Ledger.open(tiny) as ledger:
        found = ledger.table("problems").execute().set_index("id")["found_again_on"]
        got = {pid: None if pd.isna(day) else pd.Timestamp(day).date() for pid, day in found.items()}
        assert got == {
            "P1": dt.date(2021, 6, 1),
            "P2": dt.date(2021, 6, 1),
            "P9": None,
            "P8": None,
            "P0": dt.date(2020, 6, 1),
        }
        for day, recurred in (("2021-05-31", 0), ("2021-06-01", 1), (None, 1)):
            result = metrics.recurrence(ledger, as_of=day)
            assert result[["rectified", "recurred"]].values.tolist() == [[1, recurred]], day
    assert verify(tiny).exit_code == 0


def test_a_write_that_leaves_the_derived_columns_empty_is_refused(tiny):
    _an_older_toolkits_row_is_refused(tiny)


def test_a_writer_who_does_not_own_an_older_ledgers_tables_writes_without_changing_them(tiny):
    """Only the tables' owner may add a column: a clerk allowed to write rows writes, the tables
    keep their columns, and readers find the moved records the older way."""
    from toolkit.store import CURRENT_TABLES

    reader = _drop_changed_at_and_grant(
        tiny,
        "clerks_reader",
        "CREATE ROLE row_writer LOGIN",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO row_writer",
        "GRANT CREATE, USAGE ON SCHEMA public TO row_writer",
    )
    writer = tiny.replace("postgres@", "row_writer@")
    with Ledger.write(writer, by="测试") as tx:
        tx.set_status("P2", "rectified", at=dt.date(2020, 10, 1))
    assert _rates(reader, changed_at=False) == pytest.approx([0.0, 0.5, 1.0])
    assert verify(reader).exit_code == 0
    with psycopg.connect(tiny) as con:
        columns = con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'changed_at' "
            "AND table_name = ANY(%s)",
            [CURRENT_TABLES],
        ).fetchone()[0]
    assert columns == 0


def test_an_older_ledgers_upgrade_waits_for_no_reader_and_comes_at_a_later_write(tiny):
    """Adding the column needs the tables to itself: while a reader's transaction holds
    ``problems``, the owner's write waits briefly, then writes without it (no "busy" error);
    the next write, with the reader gone, adds it."""
    reader = _drop_changed_at_and_grant(tiny, "waiting_reader")
    with psycopg.connect(reader) as held:
        held.execute("SELECT count(*) FROM problems").fetchone()  # its transaction stays open
        with Ledger.write(tiny, by="测试") as tx:
            tx.set_status("P2", "rectified", at=dt.date(2020, 10, 1))
    assert _rates(reader, changed_at=False) == pytest.approx([0.0, 0.5, 1.0])
    with Ledger.write(tiny, by="测试") as tx:
        tx.close_out("P2", at=dt.date(2020, 10, 5))
    assert _rates(reader, changed_at=True) == pytest.approx([0.0, 0.5, 1.0])
    assert verify(reader).exit_code == 0


def test_an_older_ledgers_upgrade_deadlocking_with_a_reader_does_not_fail_the_write(tiny):
    """A reader's transaction (``Ledger.open`` holds one for its life) that read ``problems``
    and then reads ``units`` while the owner's write adds ``changed_at`` (units altered, waiting
    on problems) makes a deadlock, which PostgreSQL breaks by failing one side: if it is the
    write's, the upgrade is given up and the write goes on."""
    import threading
    import time

    reader = _drop_changed_at_and_grant(tiny, "deadlock_reader")
    with psycopg.connect(reader) as held:
        held.execute("SELECT count(*) FROM problems").fetchone()  # its transaction stays open

        def later_read():
            time.sleep(0.5)  # the writer holds units by now and waits on problems
            with contextlib.suppress(psycopg.Error):
                held.execute("SELECT count(*) FROM units").fetchone()

        thread = threading.Thread(target=later_read)
        thread.start()
        try:
            with Ledger.write(tiny, by="测试") as tx:
                tx.set_status("P2", "rectified", at=dt.date(2020, 10, 1))
        finally:
            thread.join()
    assert _rates(reader, changed_at=False) == pytest.approx([0.0, 0.5, 1.0])
    assert verify(reader).exit_code == 0


def test_rows_an_older_toolkit_left_without_changed_at_are_replaced_by_the_next_write(tiny):
    """An older toolkit writing to an upgraded ledger leaves ``changed_at`` empty on the rows it
    touched: readers replay such rows (right figures), verify names them, the next write mends them."""
    run_sql(tiny, "UPDATE problems SET changed_at = NULL WHERE id = 'P1'")
    assert verify(tiny).exit_code == 1
    with Ledger.write(tiny, by="测试") as tx:
        tx.set_status("P2", "rectified", at=dt.date(2020, 10, 1))
    assert verify(tiny).exit_code == 0
    with Ledger.open(tiny) as ledger:
        problems = ledger.table("problems").execute().set_index("id")
    assert pd.Timestamp(problems.loc["P1", "changed_at"]) == pd.Timestamp(2020, 8, 1)
