"""The import's bulk problem writer (``writer.ProblemBatch``) against ``Transaction``'s own verbs:
the same events, hash chain and projection rows, whatever the batch size."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import pytest

from toolkit.ingest import writer
from toolkit.ledger import Ledger
from toolkit.models import DeadlineKind, Problem, ProblemStatus, Round, RoundKind, RoundLevel, Unit, UnitKind

START = dt.date(2021, 3, 1)
TABLES = ("events", "problem_added", "changes", "problems")


def _clock(at: dt.date) -> dt.datetime:
    return dt.datetime.combine(at, dt.time(9, 30))


def _problems(n: int) -> list[Problem]:
    out = []
    for i in range(n):
        status = [ProblemStatus.OPEN, ProblemStatus.RECTIFIED, ProblemStatus.CLOSED, ProblemStatus.ONGOING][
            i % 4
        ]
        found = START + dt.timedelta(days=i % 9)
        rectified = (
            found + dt.timedelta(days=30 + i % 5)
            if status in (ProblemStatus.RECTIFIED, ProblemStatus.CLOSED)
            else None
        )
        out.append(
            Problem(
                id=f"P-{i:04d}",
                round_id="R-1",
                unit_id="U-1",
                category="财务管理",
                description=f'问题{i}："引号"、\\反斜杠与<b>标签</b>',
                found_on=found,
                due=None if status is ProblemStatus.ONGOING else found + dt.timedelta(days=60),
                deadline=DeadlineKind.ONGOING if status is ProblemStatus.ONGOING else DeadlineKind.DATED,
                status=status,
                common=i % 3 == 0,
                team="第一巡察组",
                responsible="财务科" if i % 2 else "",
                amount_yuan=i * 1250,
                rectified_on=rectified,
                # a close-out dated before the found date is recorded on it (the ``max`` in the writer)
                closed_on=rectified + dt.timedelta(days=i % 3) if status is ProblemStatus.CLOSED else None,
            )
        )
    return out


def _write(path, problems, bulk: bool, *, bulk_session: bool = False) -> dict[str, list]:
    with Ledger.write(path, by="巡察办", clock=_clock, create=True, bulk=bulk_session) as tx:
        tx.add(
            Unit(
                id="U-1", name="县水务局党组", region="青溪县", sector="未注明", unit_kind=UnitKind.DEPARTMENT
            ),
            at=START,
        )
        tx.add(
            Round(
                id="R-1",
                name="第三轮巡察",
                term="十四届",
                number=3,
                round_kind=RoundKind.REGULAR,
                level=RoundLevel.COUNTY,
                region="青溪县",
                start=START,
                end=START,
                feedback_on=START,
            ),
            at=START,
        )
        target = writer.ProblemBatch(tx) if bulk else tx
        if bulk:
            tx.flush()
        for i, problem in enumerate(problems):
            writer.add_problem(
                target, problem, f"导入 第{i + 1}行", at=problem.found_on + dt.timedelta(days=i % 2)
            )
        if bulk:
            target.flush()
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        con.close()


@pytest.mark.parametrize("batch", [1, 2, 7, 20_000])
def test_bulk_problems_are_written_as_the_verbs_write_them(batch, tmp_path, monkeypatch):
    problems = _problems(40)
    expected = _write(tmp_path / "verbs.duckdb", problems, bulk=False)
    monkeypatch.setattr(writer, "BATCH", batch)
    got = _write(tmp_path / "bulk.duckdb", problems, bulk=True)
    assert len(expected["problem_added"]) == 40
    assert len(expected["events"]) == 2 + 40 + 20 + 10  # unit, round; recorded; rectified; closed out
    for table in TABLES:
        assert got[table] == expected[table], table


def _first_error(path, problems, bulk: bool) -> str:
    """The message of the ValueError writing ``problems`` raises (nothing is written)."""
    with pytest.raises(ValueError) as err:
        _write(path, problems, bulk=bulk)
    assert (
        not path.exists()
        or not duckdb.connect(str(path), read_only=True).execute("SELECT count(*) FROM events").fetchone()[0]
    )
    return str(err.value)


def _with(problems: list[Problem], at: int, **changes) -> list[Problem]:
    out = list(problems)
    out[at] = dataclasses.replace(out[at], **changes)
    return out


@pytest.mark.parametrize(
    "case",
    [
        "repeated id, then no such unit",
        "no such unit, then repeated id",
        "no such round",
        "found before the round",
    ],
)
def test_a_bad_batch_raises_the_error_the_verbs_raise_first(case, tmp_path):
    problems = _problems(12)
    if case == "repeated id, then no such unit":
        problems = _with(_with(problems, 4, id=problems[1].id), 9, unit_id="U-9")
    elif case == "no such unit, then repeated id":
        problems = _with(_with(problems, 4, unit_id="U-9"), 9, id=problems[1].id)
    elif case == "no such round":
        problems = _with(problems, 6, round_id="R-9")
    else:
        problems = _with(problems, 3, found_on=START - dt.timedelta(days=1))
    expected = _first_error(tmp_path / "verbs.duckdb", problems, bulk=False)
    assert _first_error(tmp_path / "bulk.duckdb", problems, bulk=True) == expected
    assert expected.startswith(
        {
            "repeated id, then no such unit": "id: problem",
            "no such unit, then repeated id": "unit_id: no unit 'U-9'",
            "no such round": "round_id: no round 'R-9'",
            "found before the round": "found_on:",
        }[case]
    )


def test_a_batch_is_checked_against_the_ledger_without_loading_every_id(tmp_path):
    """A batch asks the database about its ids in one query: a ledger of a million problems
    is not read into memory to add a hundred thousand (past 200 questions, the verbs load every
    id). A problem already in the ledger is still refused."""
    path = tmp_path / "l.duckdb"
    problems = _problems(300)
    _write(path, problems[:3], bulk=True)
    queries = []
    with Ledger.write(path, by="巡察办", clock=_clock) as tx:
        fetchall = tx.session.fetchall
        tx.session.fetchall = lambda sql, params=(): queries.append(sql) or fetchall(sql, params)
        batch = writer.ProblemBatch(tx)
        for problem in problems[3:]:
            writer.add_problem(batch, problem, "导入", at=problem.found_on)
        batch.flush()
        assert [q for q in queries if "problem_added" in q] == [
            "SELECT 1 FROM problem_added WHERE id IN (SELECT id FROM _asked) LIMIT 1"
        ]
        writer.add_problem(batch, problems[2], "导入", at=problems[2].found_on)
        with pytest.raises(ValueError, match="id: problem 'P-0002' already exists"):
            batch.flush()


def test_an_import_runs_without_ibis(tmp_path):
    """A write runs the replay's SQL compiled ahead (``toolkit.replay_sql``): importing ibis and
    sqlglot and compiling would cost a fresh process a quarter of a second."""
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import pathlib, sys\n"
        "from tests.test_ingest_writer import _problems, _write\n"
        "_write(pathlib.Path(sys.argv[1]), _problems(8), bulk=True)\n"
        "print(sorted(m for m in ('ibis', 'sqlglot') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "l.duckdb")],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    assert out.stdout.strip() == "[]"


def test_a_new_ledger_is_not_asked_about_ids(tmp_path, monkeypatch):
    """A ledger this write creates holds only what the write noted as added: whether an id is
    taken is answered without a query (an import into a new ledger asked once per batch)."""
    from toolkit import store

    asked = []
    fetchall, rows_with_ids = store._DuckDBSession.fetchall, store._DuckDBSession.rows_with_ids
    monkeypatch.setattr(
        store._DuckDBSession,
        "fetchall",
        lambda self, sql, params=(): asked.append(sql) or fetchall(self, sql, params),
    )
    monkeypatch.setattr(
        store._DuckDBSession,
        "rows_with_ids",
        lambda self, table, ids, *a, **k: asked.append(table) or rows_with_ids(self, table, ids, *a, **k),
    )
    monkeypatch.setattr(writer, "BATCH", 7)
    got = _write(tmp_path / "new.duckdb", _problems(20), bulk=True)
    assert [q for q in asked if "_added" in q] == []
    monkeypatch.undo()
    assert got == _write(tmp_path / "verbs.duckdb", _problems(20), bulk=False)
    with pytest.raises(ValueError, match="already exists"):  # the ids noted still count
        _write(tmp_path / "twice.duckdb", [*_problems(3), _problems(3)[1]], bulk=True)


def test_a_bulk_session_stores_its_rows_a_row_group_at_a_time(tmp_path, monkeypatch):
    """An import's session (``bulk``) writes row groups of ``BULK_ROW_GROUP_ROWS`` rows as they
    fill, so its commit has little left to compress; other writes keep DuckDB's default. The
    ledger holds the same rows either way."""
    from toolkit import store

    monkeypatch.setattr(store, "BULK_ROW_GROUP_ROWS", 2048)
    problems = _problems(6000)
    got = _write(tmp_path / "bulk.duckdb", problems, True, bulk_session=True)
    assert got == _write(tmp_path / "plain.duckdb", problems, True)

    def row_groups(name: str) -> int:
        con = duckdb.connect(str(tmp_path / name), read_only=True)
        try:
            sql = "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('problem_added')"
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()

    assert row_groups("plain.duckdb") == 1
    assert row_groups("bulk.duckdb") >= 3  # 6,000 rows in groups of 2,048


@pytest.mark.parametrize("bulk", [False, True])
def test_a_bulk_session_names_a_busy_or_foreign_file_alike(tmp_path, bulk):
    """The bulk session opens the file another way (attached, to give the row group size): a file
    that is no database, or one another process holds, is still named so."""
    import subprocess
    import sys

    from toolkit import store

    foreign = tmp_path / "notes.duckdb"
    foreign.write_text("not a database " * 100)
    with pytest.raises(store.NotALedger, match="not a DuckDB database"):
        store._open_duckdb(foreign, read_only=False, row_group_rows=2048 if bulk else None)
    held = tmp_path / "held.duckdb"
    duckdb.connect(str(held)).close()
    script = f"import duckdb, time; c = duckdb.connect({str(held)!r}); print(1, flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        holder.stdout.readline()
        with pytest.raises(store.LedgerBusy):
            store._open_duckdb(held, read_only=False, row_group_rows=2048 if bulk else None)
    finally:
        holder.kill()
        holder.wait()
