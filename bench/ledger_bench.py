"""Benchmark: build the 1M-problem sample, then open, replay and verify it.

Each case runs in its own process so its peak memory (ru_maxrss) is its own. Ratios are against
baselines measured in the same run: building is compared with a bare DuckDB insert of the same
number of event rows (no validation, no hash chain), replay with reading the materialised
current-state table, verify with ``hashlib.sha256`` over as many event-sized bodies in a loop.
Writes three sections of BENCHMARKS.md: the build/replay one, every metric on a past date
(against the same metric today and the whole replay, in the same process) and the verify one
(ledgers at scale 1, 10 and ``--scale``).

    python -m bench.ledger_bench [--scale 93] [--out BENCHMARKS.md]
    python -m bench.ledger_bench --verify LEDGER      # verify alone, on a ledger already built
    python -m bench.ledger_bench --past LEDGER        # metrics on a past date alone
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from bench.common import peak_mb, run_case, write_section
from toolkit.store import DuckDBStore, copy_ledger


def case_build(path: str, scale: int) -> dict:
    from toolkit.sample import build_sample

    t = time.perf_counter()
    counts = build_sample(path, scale=scale)
    return {"seconds": time.perf_counter() - t, "peak_mb": peak_mb(), "counts": counts}


def case_bare_insert(path: str, events: int) -> dict:
    """Baseline: the same number of event-sized rows inserted straight into DuckDB."""
    import duckdb

    t = time.perf_counter()
    con = duckdb.connect(path)
    con.execute(
        "CREATE TABLE events AS SELECT range AS seq, DATE '2020-01-01' + (range % 3000)::INT AS at,"
        " repeat('x', 180) AS payload, md5(range::VARCHAR) || md5((range+1)::VARCHAR) AS hash"
        f" FROM range({events})"
    )
    con.close()
    return {"seconds": time.perf_counter() - t, "peak_mb": peak_mb()}


def case_open_replay(path: str) -> dict:
    from toolkit import Ledger
    from toolkit.metrics import rectification_rate

    out = {}
    t = time.perf_counter()
    ledger = Ledger.open(path)
    out["open_s"] = time.perf_counter() - t
    t = time.perf_counter()
    out["current_rows"] = int(ledger.table("problems").count().execute())
    ledger.table("problems").execute()
    out["read_current_s"] = time.perf_counter() - t
    for day in ("2020-06-30", "2024-06-30"):
        t = time.perf_counter()
        df = ledger.as_of(day).table("problems").execute()
        out[f"replay_{day}_s"] = time.perf_counter() - t
        out[f"replay_{day}_rows"] = len(df)
    t = time.perf_counter()
    rectification_rate(ledger, as_of="2024-06-30", by="region")
    out["rectification_rate_by_region_s"] = time.perf_counter() - t
    out["file_mb"] = os.path.getsize(path) / 1e6
    out["peak_mb"] = peak_mb()
    return out


PAST_DAY = "2024-06-30"
PAST_REPEAT = 5


def case_past_metrics(path: str, day: str = PAST_DAY, repeat: int = PAST_REPEAT) -> dict:
    """Every metric by region on a past date, three ways in one process, best of ``repeat`` (warm):
    today (the current-state tables, no replay), the date replaying every record (the replay
    before problems unchanged since were read as they stand), and the date as metrics compute it.
    Wall and CPU time (the CPU time of this process's threads, steadier on a shared machine)."""
    import pandas as pd

    import toolkit.metrics.base as base
    from toolkit import Ledger
    from toolkit.metrics import REGISTRY

    ledger = Ledger.open(path)
    out: dict = {"day": day, "load_start": os.getloadavg()[0], "metrics": {}}
    for name, metric in REGISTRY.items():
        row, results = {}, {}
        for way, as_of, replay_all in (
            ("today", None, False),
            ("replay_all", day, True),
            ("past", day, False),
        ):
            base.ALWAYS_REPLAY = replay_all
            walls, cpus = [], []
            for _ in range(repeat):
                t, c = time.perf_counter(), time.process_time()
                results[way] = metric.func(ledger, as_of=as_of, by="region")
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
            base.ALWAYS_REPLAY = False
            row[way] = {"ms": min(walls) * 1000, "cpu_ms": min(cpus) * 1000}
        try:
            pd.testing.assert_frame_equal(results["past"], results["replay_all"])
            row["same"] = True
        except AssertionError:
            row["same"] = False
        out["metrics"][name] = row
    out["load_end"] = os.getloadavg()[0]
    out["peak_mb"] = peak_mb()
    return out


def case_verify(path: str) -> dict:
    """All of ``verify`` (chain, head, projections and current tables, published copy), alone in
    its process so its peak memory is its own; each of its parts timed on the way."""
    from toolkit import verify as verifying
    from toolkit.store import open_store

    parts: dict[str, float] = {}
    for name in ("chain", "derived", "published"):
        method = getattr(verifying._Checker, name)

        def timed(self, *args, _method=method, _name=name, **kwargs):
            t = time.perf_counter()
            try:
                return _method(self, *args, **kwargs)
            finally:
                parts[_name] = parts.get(_name, 0.0) + time.perf_counter() - t

        setattr(verifying._Checker, name, timed)
    t = time.perf_counter()
    result = verifying.verify(open_store(path))
    assert result.ok, [str(f) for f in result.findings]
    return {"seconds": time.perf_counter() - t, "peak_mb": peak_mb(), "events": result.events, "parts": parts}


def case_hashlib(events: int) -> dict:
    """Baseline: ``hashlib.sha256`` over as many event-sized bodies (300 bytes) in a Python loop,
    which is what checking the chain one event at a time would cost at the least."""
    import hashlib

    body = ("x" * 290).encode()
    t = time.perf_counter()
    for i in range(events):
        hashlib.sha256(body + str(i).encode()).hexdigest()
    return {"seconds": time.perf_counter() - t, "peak_mb": peak_mb()}


def verify_runs(paths: list[str], repeat: int = 3) -> dict[str, list[dict]]:
    return {path: [run_case("bench.ledger_bench", "verify", path) for _ in range(repeat)] for path in paths}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=93)
    parser.add_argument("--out", default="BENCHMARKS.md")
    parser.add_argument("--case", nargs="+")
    parser.add_argument("--verify", metavar="LEDGER", nargs="+", help="Only time verify on these ledgers.")
    parser.add_argument(
        "--past", metavar="LEDGER", help="Only time every metric on a past date on this ledger."
    )
    parser.add_argument(
        "--keep", metavar="DIR", help="Keep the big ledger built here (for bench.write_bench)."
    )
    args = parser.parse_args()
    if args.verify:
        runs = verify_runs(args.verify)
        events = runs[args.verify[-1]][0]["events"]
        write_verify_report(args, runs, run_case("bench.ledger_bench", "hashlib", str(events)))
        return
    if args.past:
        write_past_report(args, args.past, run_case("bench.ledger_bench", "past", args.past))
        return
    if args.case:
        name, *rest = args.case
        result = {
            "build": lambda: case_build(rest[0], int(rest[1])),
            "bare": lambda: case_bare_insert(rest[0], int(rest[1])),
            "replay": lambda: case_open_replay(rest[0]),
            "verify": lambda: case_verify(rest[0]),
            "past": lambda: case_past_metrics(rest[0]),
            "hashlib": lambda: case_hashlib(int(rest[0])),
        }[name]()
        print(json.dumps(result, default=str))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.duckdb")
        build = run_case("bench.ledger_bench", "build", path, str(args.scale))
        events = build["counts"]["events"]
        bare = run_case("bench.ledger_bench", "bare", str(Path(tmp) / "bare.duckdb"), str(events))
        replay = run_case("bench.ledger_bench", "replay", path)
        replay["verify"] = run_case("bench.ledger_bench", "verify", path)
        past = run_case("bench.ledger_bench", "past", path)
        # verify at three sizes: two small samples built here, and the big one above
        small = []
        for scale in (1, 10):
            if scale < args.scale:
                small.append(str(Path(tmp) / f"sample-x{scale}.duckdb"))
                run_case("bench.ledger_bench", "build", small[-1], str(scale))
        runs = verify_runs(small)
        runs[f"sample-x{args.scale}.duckdb"] = [replay["verify"], *verify_runs([path], 2)[path]]
        hashed = run_case("bench.ledger_bench", "hashlib", str(events))
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            kept = Path(args.keep) / f"sample-x{args.scale}.duckdb"
            DuckDBStore(kept).remove()  # the one an earlier run kept: this run's replaces it
            copy_ledger(path, kept)
    write_report(args, build, bare, replay)
    write_past_report(args, f"sample-x{args.scale}.duckdb", past)
    write_verify_report(args, runs, hashed)


def write_report(args, build, bare, replay) -> None:
    c = build["counts"]
    lines = [
        f"## Ledger: build the sample at scale {args.scale} and open/replay it",
        "",
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; `python -m bench.ledger_bench --scale {args.scale}`.",
        f"Ledger: {c['problems']:,} problems, {c['clues']:,} clues, {c['units']:,} units, {c['events']:,} events; file {replay['file_mb']:.0f} MB.",
        "",
        "| step | time | peak memory | ratio to baseline (same run) |",
        "|---|---:|---:|---|",
        f"| build sample (generate, validate, hash-chain, write, publish) | {build['seconds']:.1f} s | {build['peak_mb']:,.0f} MB | {build['seconds'] / bare['seconds']:.0f}x a bare DuckDB insert of {c['events']:,} event-sized rows ({bare['seconds']:.2f} s) |",
        f"| open (published snapshot, read-only) | {replay['open_s'] * 1000:.0f} ms | | |",
        f"| read current `problems` ({replay['current_rows']:,} rows to pandas) | {replay['read_current_s']:.2f} s | | baseline for replay |",
        f"| replay `problems` as of 2020-06-30 ({replay['replay_2020-06-30_rows']:,} rows) | {replay['replay_2020-06-30_s']:.2f} s | | {replay['replay_2020-06-30_s'] / replay['read_current_s']:.1f}x reading current |",
        f"| replay `problems` as of 2024-06-30 ({replay['replay_2024-06-30_rows']:,} rows) | {replay['replay_2024-06-30_s']:.2f} s | | {replay['replay_2024-06-30_s'] / replay['read_current_s']:.1f}x reading current |",
        f"| rectification rate by region as of 2024-06-30 (replay + group-by in DuckDB) | {replay['rectification_rate_by_region_s']:.2f} s | | {replay['rectification_rate_by_region_s'] / replay['read_current_s']:.2f}x reading current |",
        f"| verify: chain, head, tables, published copy ({replay['verify']['events']:,} events) | {replay['verify']['seconds']:.1f} s | {replay['verify']['peak_mb']:,.0f} MB | |",
        "",
    ]
    section = "\n".join(lines)
    write_section(args.out, "## Ledger: build the sample", section)


def write_past_report(args, ledger: str, past: dict) -> None:
    rows, today, whole, ours = [], 0.0, 0.0, 0.0
    for name, row in past["metrics"].items():
        t, w, p = row["today"], row["replay_all"], row["past"]
        today, whole, ours = today + t["ms"], whole + w["ms"], ours + p["ms"]
        rows.append(
            f"| {name} | {t['ms']:,.0f} | {w['ms']:,.0f} ({w['cpu_ms']:,.0f}) | {p['ms']:,.0f} ({p['cpu_ms']:,.0f}) "
            f"| {w['ms'] / p['ms']:.1f}x | {p['ms'] / t['ms']:.1f}x | {'same' if row['same'] else 'MISMATCH'} |"
        )
    lines = [
        "## Ledger: every metric by region on a past date at 1M problems",
        "",
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores (load average "
        f"{past['load_start']:.1f} at the start, {past['load_end']:.1f} at the end), Python "
        f"{platform.python_version()}; `python -m bench.ledger_bench` (or `--past LEDGER`) on `{Path(ledger).name}`: "
        f"each metric by region, best of {PAST_REPEAT}, warm, ms (CPU ms of the process in brackets). "
        f"Past date {past['day']}. Baselines in the same run: the same metric today (the current-state "
        "tables, no replay) and on the past date replaying every record (`ALWAYS_REPLAY`, the replay "
        "before unchanged problems were read from the current-state table); results cross-checked.",
        "",
        "| metric | today | past date, every record replayed | past date | speed-up | past / today | results |",
        "|---|---:|---:|---:|---:|---:|---|",
        *rows,
        f"| all | {today:,.0f} | {whole:,.0f} | {ours:,.0f} | {whole / ours:.1f}x | {ours / today:.1f}x | |",
        "",
        past_target(past["metrics"]),
        "",
    ]
    write_section(args.out, "## Ledger: every metric by region on a past date", "\n".join(lines))


PAST_TARGET_MS = 100


# What a metric's own query does over a million problems, for the ones that may take longer than
# the target with no replay at all (named in the report only when the figures say so).
OWN_COST = {
    "on-time-rate": "the deadline in force on the day each problem was rectified",
    "overdue": "a listing of every open problem with its deadline extensions",
    "recurrence": "the problems grouped by unit and category across rounds",
    "scoreboard": "a composite of other metrics",
}


def _verb(names: list[str], one: str, many: str) -> str:
    return one if len(names) == 1 else many


def past_target(metrics: dict) -> str:
    """How many metrics meet the past-date target, and, from the figures, why the others do not."""
    over = [name for name, row in metrics.items() if row["past"]["ms"] > PAST_TARGET_MS]
    if not over:
        return f"Target (≤ {PAST_TARGET_MS} ms for every metric by region on a past date): met."
    slow_today = [name for name in over if metrics[name]["today"]["ms"] > PAST_TARGET_MS]
    replay_bound = [name for name in over if name not in slow_today]
    text = (
        f"Target (≤ {PAST_TARGET_MS} ms by region on a past date): met by {len(metrics) - len(over)} of "
        f"{len(metrics)} metrics; not by {', '.join(over)}."
    )
    if slow_today:
        costs = "; ".join(f"{name}: {OWN_COST[name]}" for name in slow_today if name in OWN_COST)
        text += (
            f" {', '.join(slow_today)} {_verb(slow_today, 'takes', 'take')} over {PAST_TARGET_MS} ms today "
            "as well, with no replay at all (the today column): the cost is the metric's own query over a "
            f"million problems{f' ({costs})' if costs else ''}."
        )
    if replay_bound:
        text += (
            f" {', '.join(replay_bound)} {_verb(replay_bound, 'is', 'are')} within it today; on the past "
            "date the extra time is replaying the problems changed after it (found by their `changed_at`)."
        )
    return text


def write_verify_report(args, runs: dict[str, list[dict]], hashed: dict) -> None:
    biggest = list(runs.values())[-1]
    events = biggest[0]["events"]
    best = min(biggest, key=lambda r: r["seconds"])
    lines = [
        "## Ledger: verify",
        "",
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores (load average "
        f"{os.getloadavg()[0]:.1f} at the end), Python {platform.python_version()}; `python -m bench.ledger_bench`: "
        "all of `toolkit verify` (chain, head, projections and current tables recomputed from the events, "
        "published copy), three runs each in its own process (DuckDB memory limit 500 MB, spilling beyond it). "
        f"Baseline in the same run: `hashlib.sha256` over {events:,} event-sized bodies in a Python loop "
        f"({hashed['seconds']:.1f} s), the least a chain checked event by event in Python would cost.",
        "",
        "| ledger | events | time (best / worst of 3) | peak memory | ratio of best to the hashlib loop |",
        "|---|---:|---:|---:|---:|",
    ]
    for path, results in runs.items():
        times = sorted(r["seconds"] for r in results)
        peak = max(r["peak_mb"] for r in results)
        ratio = times[0] / (hashed["seconds"] * results[0]["events"] / events)
        lines.append(
            f"| `{Path(path).name}` | {results[0]['events']:,} | {times[0]:.1f} s / {times[-1]:.1f} s "
            f"| {peak:,.0f} MB | {ratio:.2f}x |"
        )
    parts = best["parts"]
    lines += [
        "",
        f"`sample-xN.duckdb` is `toolkit sample --scale N`. Parts of the best run on the biggest: chain "
        f"{parts.get('chain', 0):.1f} s, projections and current tables recomputed and compared "
        f"{parts.get('derived', 0):.1f} s (side by side with the chain), published copy "
        f"{parts.get('published', 0):.1f} s. (The hashlib loop is scaled to each ledger's events.)",
    ]
    write_section(args.out, "## Ledger: verify", "\n".join([*lines, ""]))


if __name__ == "__main__":
    main()
