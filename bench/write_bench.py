"""Benchmark: one small write (a deadline extension, one event) on a big ledger.

Three runs, each in its own process on its own copy of the ledger, two writes first (an office's
ledger has been written before: its published generations exist), then timed around the third write
(``Ledger.write`` ... commit and publish): this checkout; the baseline, the commit before writes
became incremental (``--baseline REF``, default the commit before the merge that brought them),
checked out with ``git worktree``; and a bare DuckDB insert of one row into a copy of the file
(the floor: no validation, no hash chain, no publish).

    python -m bench.write_bench [LEDGER | --scale 10] [--baseline REF] [--repeat 3] [--out BENCHMARKS.md]

``make bench`` passes the scale-93 sample (about 1M problems) that ``bench.ledger_bench --keep``
left behind, so the write is measured on the ledger size the target is set for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import write_section
from toolkit.store import copy_ledger

REPO = Path(__file__).resolve().parents[1]
CASE = """
import datetime as dt, json, sys, time
from toolkit import Ledger
path, n = sys.argv[1], int(sys.argv[2])
with Ledger.open(path) as led:
    pid = led.table("problems").filter(lambda t: t.status == "in_progress").id.min().execute()
for day in (1, 2):  # an office's ledger has been written before: its generations exist
    with Ledger.write(path, by="bench") as tx:
        tx.extend_deadline(pid, dt.date(2031, 1, day), at=dt.date(2030, 12, day), why="bench")
t = time.perf_counter()
with Ledger.write(path, by="bench") as tx:
    tx.extend_deadline(pid, dt.date(2031, 2, n), at=dt.date(2030, 12, 3), why="bench")
print(json.dumps({"seconds": time.perf_counter() - t}))
"""
BARE = """
import duckdb, json, sys, time
t = time.perf_counter()
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER, payload VARCHAR)")
con.execute("INSERT INTO bench_rows VALUES (1, 'x')")
con.close()
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def timed(checkout: Path, script: str, ledger: Path, tmp: Path, repeat: int, *, older: bool = False) -> float:
    runs = []
    for n in range(1, repeat + 1):
        copy = tmp / f"run-{n}.duckdb"
        copy_ledger(ledger, copy)  # file, head, published copies
        if older:
            as_before_the_state_format(copy)
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        done = subprocess.run([sys.executable, "-c", script, str(copy), str(n)], capture_output=True,
                              text=True, env=env, cwd=checkout, check=True)  # fmt: skip
        runs.append(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])
        for part in tmp.glob(copy.name + "*"):
            shutil.rmtree(part) if part.is_dir() else part.unlink()
    return statistics.median(runs)


def as_before_the_state_format(path: Path) -> None:
    """The ledger as a toolkit from before the head's ``state_format`` finds one it can write: a
    head without it (a toolkit that knows it refuses an older one's write, which leaves it out)."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute("ALTER TABLE ledger_head DROP COLUMN IF EXISTS state_format")
    finally:
        con.close()


def baseline_commit() -> str:
    git = ["git", "-C", str(REPO)]
    merge = subprocess.run([*git, "log", "--merges", "--grep=incremental writes", "--format=%P", "-1"],
                           capture_output=True, text=True).stdout.split()  # fmt: skip
    if merge:
        return merge[0]
    return subprocess.run(
        [*git, "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ledger", nargs="?", help="a ledger already built (default: build one at --scale)")
    parser.add_argument("--scale", type=int, default=10, help="sample scale to build when no LEDGER is given")
    parser.add_argument("--baseline", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default="BENCHMARKS.md")
    args = parser.parse_args()
    ref = args.baseline or baseline_commit()
    if args.ledger is None:
        from toolkit.sample import build_sample

        built = Path(tempfile.mkdtemp(prefix="xuncha-write-bench-ledger-")) / f"sample-x{args.scale}.duckdb"
        build_sample(built, scale=args.scale)
        args.ledger = f"--scale {args.scale}"
        ledger = built
    else:
        ledger = Path(args.ledger).resolve()
        args.ledger = ledger.name  # where it lies on this machine says nothing to a reader
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="xuncha-write-bench-") as tmp_name:
        tmp = Path(tmp_name)
        old = tmp / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(old), ref], cwd=REPO, check=True, capture_output=True
        )
        try:
            now = timed(REPO, CASE, ledger, tmp, args.repeat)
            before = timed(old, CASE, ledger, tmp, args.repeat, older=True)
            bare = timed(REPO, BARE, ledger, tmp, args.repeat)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=REPO, check=False)
    from toolkit import Ledger

    with Ledger.open(ledger) as led:
        counts = led.counts()
    size_mb = ledger.stat().st_size / 2**20
    section = (
        "## Ledger: one small write on a big ledger (`bench/write_bench.py`)\n\n"
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} "
        f"at the start; `python -m bench.write_bench {args.ledger}`: one deadline extension (one event), "
        f"median of {args.repeat}, each on a fresh copy of a ledger of {counts['problems']:,} problems, "
        f"{counts['events']:,} events ({size_mb:,.0f} MB). Baseline in the same run: the same write at "
        f"`{ref[:10]}` (every current-state table rebuilt, the whole file copied to publish); floor: a bare "
        "DuckDB insert of one row.\n\n"
        "| write | seconds | ratio to the floor |\n|---|---:|---:|\n"
        f"| this checkout (touched rows replaced, a standby generation caught up) | {now:.2f} s | {now / bare:.0f}x |\n"
        f"| before (`{ref[:10]}`) | {before:.2f} s | {before / bare:.0f}x |\n"
        f"| bare DuckDB insert of one row | {bare:.3f} s | 1x |\n"
    )
    write_section(args.out, "## Ledger: one small write on a big ledger", section)


if __name__ == "__main__":
    main()
