"""An analyst imports while a leader's app reads: the write never fails, the reader never sees half.
Two analysts import at once: both imports succeed, one after the other, the second seeing the first.

Real processes: a reader that keeps one connection open for the whole test and polls with
fresh ones, and a writer that imports 3,000 problems in one transaction, twice; two ``toolkit
import`` commands started together on one new round and one new unit (the PostgreSQL twin of
that test is in ``test_ledger_postgres.py``).
"""

import datetime as dt
import json
import multiprocessing as mp
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from tests.builders import tiny_problem
from tests.ingest_workbooks import ROUND, problem_rows, simple_ledger
from toolkit import Ledger
from toolkit.cli import main
from toolkit.events import Receipt

D = dt.date


def _writer(path, batches, size, done):
    for b in range(batches):
        with Ledger.write(path, by="分析员") as tx:
            for i in range(size):
                tx.add(tiny_problem(f"B{b}-{i:05d}", description=f"导入问题{i}"), at=D(2020, 6, 2))
    done.set()


def _reader(path, done, seen, held_ok):
    held = Ledger.open(path)  # held open for the whole import: must not block the writer
    while not done.is_set():
        with Ledger.open(path) as ledger:
            seen.append(int(ledger.table("problems").count().execute()))
        time.sleep(0.01)
    with Ledger.open(path) as ledger:
        seen.append(int(ledger.table("problems").count().execute()))
    held_ok.value = int(held.table("problems").count().execute())
    held.close()


def test_writer_and_reader_processes(tiny_path):
    ctx = mp.get_context("spawn")
    done = ctx.Event()
    manager = ctx.Manager()
    seen = manager.list()
    held_count = ctx.Value("i", -1)
    reader = ctx.Process(target=_reader, args=(str(tiny_path), done, seen, held_count))
    reader.start()
    time.sleep(1.5)  # the reader is up and holding its connection
    writer = ctx.Process(target=_writer, args=(str(tiny_path), 2, 3000, done))
    writer.start()
    writer.join(120)
    reader.join(120)
    assert writer.exitcode == 0, "the write failed while a reader held the ledger"
    assert reader.exitcode == 0
    observed = set(seen)
    assert observed <= {1, 3001, 6001}, f"a reader saw half an import: {sorted(observed)}"
    assert 1 in observed and 6001 in observed  # it really read before and after
    assert held_count.value == 1  # the long-lived reader kept its consistent snapshot


# ---- two analysts import at once -----------------------------------------------------------

REGION = "青溪县"


def import_command(sheet, ledger) -> list[str]:
    toolkit = str(Path(sys.executable).with_name("toolkit"))
    return [
        toolkit,
        "import",
        str(sheet),
        "--ledger",
        str(ledger),
        "--round",
        ROUND,
        "--region",
        REGION,
        "--json",
    ]


def import_together(*commands: list[str]) -> list[dict]:
    """Start every import at the same moment; each must finish with exit 0 and its JSON report."""
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        assert "Traceback" not in err
        reports.append(json.loads(out))
    return reports


def two_teams(tmp_path: Path) -> tuple[Path, Path]:
    """Two teams' sheets for the same new round and the same new unit; the second repeats the
    first's 30 problems and adds 20."""
    first = simple_ledger(tmp_path / "第一巡察组.xlsx", problem_rows(30))
    second = simple_ledger(tmp_path / "第二巡察组.xlsx", problem_rows(50))
    return first, second


def assert_serialised(reports: list[dict], ledger_target) -> None:
    assert sum(r["accepted"] for r in reports) == 50  # each problem written once
    assert sum(r["duplicates"] for r in reports) == 30  # the later import saw the earlier one
    created = [r["created"] for r in reports]
    assert sum(len(c["rounds"]) for c in created) == 1 and sum(len(c["units"]) for c in created) == 1
    with Ledger.open(ledger_target) as ledger:
        counts = ledger.counts()
        assert (counts["rounds"], counts["units"], counts["problems"]) == (1, 1, 50)
        assert all(Receipt.parse(r["receipt"]).seq <= counts["events"] for r in reports)
    result = CliRunner().invoke(main, ["verify", "--ledger", str(ledger_target)])
    assert result.exit_code == 0, result.output


def test_two_imports_sharing_a_new_round_and_unit_both_succeed_in_turn(tmp_path):
    ledger = tmp_path / "l.duckdb"
    first, second = two_teams(tmp_path)
    reports = import_together(import_command(first, ledger), import_command(second, ledger))
    assert_serialised(reports, ledger)
