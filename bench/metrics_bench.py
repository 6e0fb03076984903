"""Benchmark: every metric on a sample ledger, toolkit vs a plain pandas implementation.

    python -m bench.metrics_bench LEDGER [--out BENCHMARKS.md]
    toolkit sample --out /tmp/big.duckdb --scale 93 && python -m bench.metrics_bench /tmp/big.duckdb

Each metric five ways, best of three (warm): total, by region, one round, one unit, and by region
on a past date (the replay). Baseline in the same run: the same formula in pandas over the
current-state tables loaded once (load time reported separately); results are cross-checked.
Writes its section of BENCHMARKS.md (machine and load noted) and prints it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import time

import pandas as pd

from bench.common import write_section
from toolkit import Ledger
from toolkit.filters import Filters
from toolkit.metrics import REGISTRY
from toolkit.sample import UNTIL

RECTIFIED = ["rectified", "closed"]


def best_of(func, n: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def pandas_versions(t: dict[str, pd.DataFrame]):
    """The same formulas over in-memory pandas frames (current state == state on UNTIL)."""
    units = t["units"].rename(columns={"id": "unit_id"})[["unit_id", "region"]]
    day = pd.Timestamp(UNTIL)

    def rect():
        p = t["problems"].merge(units, on="unit_id")
        g = (
            p.assign(r=p.status.isin(RECTIFIED))
            .groupby("region")
            .agg(problems=("id", "size"), rectified=("r", "sum"))
        )
        return g.rectified / g.problems

    def on_time():
        p = t["problems"].merge(units, on="unit_id")
        p = p[p.due.notna() & (pd.to_datetime(p.due) < day)]
        ok = p.status.isin(RECTIFIED) & (pd.to_datetime(p.rectified_on) <= pd.to_datetime(p.due))
        g = p.assign(ok=ok).groupby("region").agg(n=("id", "size"), ok=("ok", "sum"))
        return g.ok / g.n

    def clue_yield():
        c = t["clues"].merge(units, on="unit_id").groupby("region").size()
        i = t["inspections"].merge(units, on="unit_id").groupby("region").unit_id.nunique()
        return c / i

    return {
        "rectification-rate": (rect, "rate"),
        "on-time-rate": (on_time, "rate"),
        "clue-yield": (clue_yield, "clues_per_unit"),
    }


PAST = dt.date(2022, 9, 15)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ledger")
    parser.add_argument("--out", default="BENCHMARKS.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    ledger = Ledger.open(args.ledger)
    counts = ledger.counts()
    round_id = ledger.table("rounds").id.max().execute()
    unit_id = ledger.table("units").id.min().execute()
    ways = (
        (None, None, UNTIL),
        ("region", None, UNTIL),
        (None, Filters(round=round_id), UNTIL),
        (None, Filters(unit=unit_id), UNTIL),
        ("region", None, PAST),
    )
    rows, results = [], {}
    for name, metric in REGISTRY.items():
        row = []
        for by, filters, day in ways:
            seconds, df = best_of(
                lambda by=by, filters=filters, day=day, f=metric.func: f(
                    ledger, as_of=day, by=by, filters=filters
                )
            )
            row.append(seconds * 1000)
            if by == "region" and day == UNTIL:
                results[name] = df
        rows.append(f"| {name} | " + " | ".join(f"{ms:,.0f}" for ms in row) + " |")
    start = time.perf_counter()
    tables = {n: ledger.table(n).execute() for n in ("units", "problems", "clues", "inspections")}
    load_ms = (time.perf_counter() - start) * 1000
    compared = []
    for name, (func, column) in pandas_versions(tables).items():
        ours, df = best_of(lambda name=name: REGISTRY[name].func(ledger, as_of=UNTIL, by="region"))
        theirs, series = best_of(func)
        same = (df.set_index("region")[column] - series).abs().max() < 1e-12
        compared.append(
            f"| {name} by region | {ours * 1000:,.0f} | {theirs * 1000:,.0f} | {ours / theirs:.1f}x | "
            f"{'same' if same else 'MISMATCH'} |"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    section = (
        "## Metrics (`bench/metrics_bench.py`)\n\n"
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at "
        f"the start; `python -m bench.metrics_bench {args.ledger}` on a ledger of {counts['problems']:,} problems "
        f"and {counts['events']:,} events (DuckDB); best of three, warm, ms. The past-date column replays the "
        f"events to {PAST}.\n\n"
        "| metric | total | by region | one round | one unit | by region on a past date |\n"
        "|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n\n"
        f"Baseline in the same run: the same formula in pandas over the current-state tables, loaded once "
        f"beforehand ({load_ms:,.0f} ms, not counted in the pandas column); results cross-checked.\n\n"
        "| formula | toolkit ms | pandas ms | toolkit / pandas | results |\n|---|---:|---:|---:|---|\n"
        + "\n".join(compared)
        + f"\n\nPeak RSS of the bench process: {peak:,.0f} MB.\n"
    )
    write_section(args.out, "## Metrics (`bench/metrics_bench.py`)", section)


if __name__ == "__main__":
    main()
