"""Benchmark: every metric on a (large) sample ledger, toolkit vs a plain pandas implementation.

    .venv/bin/toolkit sample --out /tmp/big.duckdb --scale 93      # ~1M problems, a few minutes
    .venv/bin/python bench/metrics_bench.py /tmp/big.duckdb

Timings are the best of three (warm). The pandas side loads the current-state tables once
(load time reported separately) and computes the same formula; results are cross-checked.
Peak RSS of the process is reported at the end. Not a test: figures go to BENCHMARKS.md.
"""

from __future__ import annotations

import resource
import sys
import time

import pandas as pd

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


def main(path: str) -> None:
    ledger = Ledger.open(path)
    counts = ledger.counts()
    print(f"ledger: {counts['problems']:,} problems, {counts['events']:,} events")
    print(f"{'metric':20s} {'total ms':>9s} {'by region':>9s} {'1 round':>9s} {'1 unit':>9s}")
    round_id = ledger.table("rounds").id.max().execute()
    unit_id = ledger.table("units").id.min().execute()
    results = {}
    for name, metric in REGISTRY.items():
        f = metric.func
        row = []
        for by, filters in (
            (None, None),
            ("region", None),
            (None, Filters(round=round_id)),
            (None, Filters(unit=unit_id)),
        ):
            seconds, df = best_of(
                lambda by=by, filters=filters, f=f: f(ledger, as_of=UNTIL, by=by, filters=filters)
            )
            row.append(seconds * 1000)
            if by == "region":
                results[name] = df
        print(f"{name:20s} " + " ".join(f"{ms:9.0f}" for ms in row))
    start = time.perf_counter()
    tables = {n: ledger.table(n).execute() for n in ("units", "problems", "clues", "inspections")}
    load = time.perf_counter() - start
    print(f"\npandas: loading the current-state tables took {load * 1000:.0f} ms")
    print(f"{'metric':20s} {'toolkit ms':>10s} {'pandas ms':>10s} {'ratio':>7s}  cross-check")
    for name, (func, column) in pandas_versions(tables).items():
        ours, df = best_of(lambda name=name: REGISTRY[name].func(ledger, as_of=UNTIL, by="region"))
        theirs, series = best_of(func)
        same = (df.set_index("region")[column] - series).abs().max() < 1e-12
        print(
            f"{name:20s} {ours * 1000:10.0f} {theirs * 1000:10.0f} {theirs / ours:7.2f}  {'ok' if same else 'MISMATCH'}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1])
