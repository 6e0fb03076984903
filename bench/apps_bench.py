"""Benchmark: how long each app takes to build its widgets (what a leader waits for after the kernel).

Baseline, in the same process: one ``headline`` metric call (the cheapest query an app makes).
The figures are the Python side only (queries + widget tree); the browser adds rendering.

    python -m bench.apps_bench LEDGER [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from pathlib import Path

from bench.common import write_section

APPS = ("overview", "round_app", "unit", "tracker", "scoreboard")


def best_of(fn, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ledger")
    parser.add_argument("--out", default="BENCHMARKS.md")
    args = parser.parse_args()
    os.environ["XUNCHA_LEDGER"] = str(Path(args.ledger).resolve())
    import importlib

    from toolkit import Ledger, metrics

    ledger = Ledger.open(args.ledger)
    metrics.headline(ledger)
    base = best_of(lambda: metrics.headline(ledger))
    rows = []
    for name in APPS:
        module = importlib.import_module(f"toolkit.apps.{name}")
        module.app()  # warm: imports, connection, catalog
        took = best_of(module.app)
        rows.append((name, took))
    lines = [
        "## Apps: time to build each app's widgets (Python side)",
        "",
        f"Measured {dt.date.today()} with `python -m bench.apps_bench {args.ledger}`; best of 3, warm; baseline in the same process: one `headline` call = {base * 1000:.0f} ms.",
        "",
        "| app | build time | ratio to baseline |",
        "|---|---:|---:|",
        *[f"| {n} | {t * 1000:.0f} ms | {t / base:.1f}x |" for n, t in rows],
        f"| median | {statistics.median(t for _, t in rows) * 1000:.0f} ms | |",
        "",
    ]
    section = "\n".join(lines)
    write_section(args.out, "## Apps: time to build", section)


if __name__ == "__main__":
    main()
