"""A write killed at any step (a real ``kill -9`` of a real process) leaves a ledger that the next
open or write repairs: the published copy catches up with the master, half-written files go,
readers never see half a generation, and ``verify`` exits 0.

The writer is told where to die with ``XUNCHA_CRASH_AT`` (``toolkit.store.crash_point``).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.builders import tiny_problem
from tests.ingest_workbooks import ROUND, problem_rows, simple_ledger
from toolkit import Ledger
from toolkit.cli import main
from toolkit.store import CRASH_ENV, CRASH_STEPS, DuckDBStore

REPO = Path(__file__).resolve().parents[1]
D = dt.date

WRITE = """
import datetime as dt, sys
from tests.builders import tiny_problem
from toolkit import Ledger
with Ledger.write(sys.argv[1], by="分析员") as tx:
    for i in range(int(sys.argv[2])):
        tx.add(tiny_problem(f"K{i:04d}", description=f"导入问题{i}"), at=dt.date(2020, 6, 2))
"""

HOLD_THE_LOCK = """
import fcntl, sys, time
with open(sys.argv[1], "a+") as fh:
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    print("holding", flush=True)
    time.sleep(60)
"""


def killed_at(step: str, *command: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        list(command), cwd=REPO, env={**os.environ, CRASH_ENV: step}, capture_output=True, text=True
    )
    assert proc.returncode == -signal.SIGKILL, (step, proc.returncode, proc.stderr[-2000:])
    return proc


def leftovers(path: Path) -> list[str]:
    store = DuckDBStore(path)
    found = [p.name for p in store.published.iterdir() if p.name.endswith(".tmp")]
    return found + ([store.pending_path.name] if store.pending_path.exists() else [])


def verified(path: Path) -> None:
    result = CliRunner().invoke(main, ["verify", "--ledger", str(path)])
    assert result.exit_code == 0, result.output


def problems_seen(path: Path) -> int:
    with Ledger.open(path) as ledger:
        return int(ledger.table("problems").count().execute())


@pytest.mark.parametrize("repair", ["open", "write"])
@pytest.mark.parametrize("step", CRASH_STEPS)
def test_a_killed_write_is_repaired_by_the_next_open_or_write(tiny_path, step, repair):
    killed_at(step, sys.executable, "-c", WRITE, str(tiny_path), "300")
    assert leftovers(tiny_path), "the killed write left nothing to repair"
    committed = step != "before-commit"
    if repair == "open":
        assert problems_seen(tiny_path) == (301 if committed else 1)  # the reader repaired first
    else:
        with Ledger.write(tiny_path, by="测试") as tx:
            tx.add(tiny_problem("P2"), at=D(2020, 6, 3))
        assert problems_seen(tiny_path) == (302 if committed else 2)
    assert leftovers(tiny_path) == []
    verified(tiny_path)
    with Ledger.write(tiny_path, by="测试") as tx:  # and the ledger goes on
        tx.set_status("P1", "in_progress", at=D(2020, 7, 1))
    verified(tiny_path)


@pytest.mark.parametrize("step", ["during-copy", "after-copy"])
def test_while_the_writer_lock_is_held_a_reader_reads_the_last_whole_generation(tiny_path, step):
    killed_at(step, sys.executable, "-c", WRITE, str(tiny_path), "300")
    store = DuckDBStore(tiny_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(store.lock_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert problems_seen(tiny_path) == 1  # the old generation: whole, never the .tmp copy
        assert leftovers(tiny_path)  # not repaired while someone else holds the lock
    finally:
        holder.kill()
        holder.wait()
    assert problems_seen(tiny_path) == 301
    verified(tiny_path)


@pytest.mark.parametrize("step", ["before-commit", "after-commit", "during-copy"])
def test_an_import_killed_mid_write_then_run_again_succeeds(tmp_path, step):
    ledger = tmp_path / "l.duckdb"
    sheet = simple_ledger(tmp_path / "县水务局.xlsx", problem_rows(40))
    command = [str(Path(sys.executable).with_name("toolkit")), "import", str(sheet), "--ledger", str(ledger)]
    command += ["--round", ROUND, "--region", "青溪县"]
    simple = simple_ledger(tmp_path / "first.xlsx", problem_rows(2, unit="县林业局党组"))
    first = subprocess.run([*command[:2], str(simple), *command[3:]], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    killed_at(step, *command)
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr and "receipt" in again.stdout
    if step == "before-commit":
        assert "接收 accepted 40" in again.stdout
    else:
        assert "重复 duplicates 40" in again.stdout
    assert problems_seen(ledger) == 42
    verified(ledger)
