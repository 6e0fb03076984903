"""The ingest benchmark's step breakdown still finds every step it times, and its memory sampler
sees the import.

``bench.ingest_bench`` wraps the import's steps by name to say where the time goes; a renamed
step would make ``make bench`` fail after its long runs. This runs the breakdown on a small
workbook, in its own processes as the bench does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.ingest_bench import STAGES, stage_table

REPO = Path(__file__).resolve().parents[1]


def _case(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.ingest_bench", "--case", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_step_of_an_import_is_timed_and_shown(tmp_path):
    book = str(tmp_path / "b.xlsx")
    _case("make", book, "300")
    run = _case("stages", book, str(tmp_path / "l.duckdb"))
    assert set(run["stages"]) == {label for label, _, _ in STAGES}
    assert all(seconds > 0 for seconds in run["stages"].values())
    assert sum(run["stages"].values()) - run["stages"]["preflight survey"] <= run["cpu"] + 0.05
    run["family"] = _case("family", book, str(tmp_path / "f.duckdb"))
    assert run["family"]["pss_mb"] > 50  # the process and its modules, sampled while it imported
    table = stage_table(run)
    assert len([line for line in table if line.startswith("| ")]) == len(STAGES) + 1  # header + steps
