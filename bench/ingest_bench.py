"""Benchmark: import a generated 100,000-row 整改台账, python-calamine against openpyxl, and a
plain pandas load of the same workbook as the baseline.

Each case runs in its own process so its peak memory (ru_maxrss) is its own. For each engine two
figures: reading the workbook only (``read_sheets``, which includes the preflight survey), and the
whole import into an empty ledger (read, layout, normalise, validate, one transaction). The
reading figures show what the engine choice is worth; the import figures what an analyst waits
for. A third figure is the preflight survey alone (``preflight.survey``: zip sizes and an expat
pass over every sheet before any engine reads it): what bounding the resources costs.

    python -m bench.ingest_bench [--rows 100000] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.common import FamilyMemory, peak_mb, run_case, write_section

HEADER = [
    "序号",
    "被巡察单位",
    "巡察轮次",
    "问题类别",
    "问题描述",
    "整改时限",
    "整改状态",
    "涉及金额（万元）",
]
STATUSES = ["已完成", "整改中", "基本完成", "未整改", "长期坚持"]


def case_make(path: str, rows: int) -> dict:
    """A plain but realistic ledger: title, header, ``rows`` problems over 500 units, a total line."""
    import openpyxl

    t = time.perf_counter()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("整改台账")
    ws.append(["江州市委巡察反馈问题整改台账（基准测试）"])
    ws.append(["填报时间：2021年12月31日"])  # rectified rows without a date are dated by it
    ws.append(HEADER)
    for i in range(rows):
        due = dt.date(2021, 1 + i % 12, 1 + i % 28)
        deadline = "长期坚持" if i % 50 == 0 else due if i % 3 else due.strftime("%Y年%-m月%-d日")
        ws.append(
            [
                i + 1,
                f"江州市第{i % 500 + 1}单位党组",
                f"七届市委第{i % 10 + 1}轮巡察",
                f"问题类别{i % 12}",
                f"基准问题{i}：资金管理不规范，台账记录不全",
                deadline,
                STATUSES[i % 5] if i % 50 else "长期坚持",
                round((i % 1000) * 1.25, 2),
            ]
        )
    ws.append(["合计"])
    wb.save(path)
    return {"seconds": time.perf_counter() - t, "mb": os.path.getsize(path) / 1e6}


def case_survey(path: str) -> dict:
    from pathlib import Path

    from toolkit.ingest.preflight import survey

    t = time.perf_counter()
    found = survey(Path(path))
    return {"seconds": time.perf_counter() - t, "cells": found.sheets[0].cells, "peak_mb": peak_mb()}


def case_read(path: str, engine: str) -> dict:
    from toolkit.ingest.readers import read_sheets

    t = time.perf_counter()
    sheets = read_sheets(path, engine=engine)
    return {"seconds": time.perf_counter() - t, "rows": len(sheets[0].rows), "peak_mb": peak_mb()}


def case_pandas(path: str) -> dict:
    """Baseline: what pandas alone does with the same workbook: read it (calamine), type the date
    and amount columns column-wise. No layout finding, no rules, no ledger."""
    import pandas as pd

    t = time.perf_counter()
    df = pd.read_excel(path, engine="calamine", header=2, skipfooter=1)
    df["整改时限"] = pd.to_datetime(df["整改时限"], errors="coerce", format="mixed")
    df["涉及金额（万元）"] = pd.to_numeric(df["涉及金额（万元）"], errors="coerce") * 10_000
    return {"seconds": time.perf_counter() - t, "rows": len(df), "peak_mb": peak_mb()}


def case_import(path: str, engine: str, ledger: str) -> dict:
    from toolkit.ingest import import_files

    t = time.perf_counter()
    report = import_files([path], ledger, region="江州市", engine=engine, today=dt.date(2022, 1, 1))
    return {
        "seconds": time.perf_counter() - t,
        "data_rows": report.data_rows,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "duplicates": report.duplicates,
        "peak_mb": peak_mb(),
    }


# Where an import's time goes: (label, module, function) wrapped in the import's own process.
# The wrapped names are the pipeline's steps as ``pipeline`` calls them; the survey is inside the read.
STAGES = (
    ("preflight survey", "toolkit.ingest.readers", "survey"),
    ("read (survey included)", "toolkit.ingest.pipeline", "read_files"),
    ("find the tables", "toolkit.ingest.pipeline", "_find_tables"),
    ("normalise and check rows", "toolkit.ingest.pipeline", "_check_table"),
    ("resolve rounds and units, build records", "toolkit.ingest.pipeline", "_resolve"),
    ("duplicates", "toolkit.ingest.merge", "mark_duplicates"),
    ("findings", "toolkit.ingest.findings", "note_findings"),
    ("write events and tables", "toolkit.ingest.writer", "write_into"),
    ("ledger session (open, lock, commit, publish)", "toolkit.ingest.writer", "session"),
)


def case_family(path: str, ledger: str) -> dict:
    """The whole import once more, its memory and its children's sampled together (a run of its
    own: reading ``/proc`` costs CPU the timed runs and the breakdown should not pay)."""
    from toolkit.ingest import import_files

    with FamilyMemory() as family:
        import_files([path], ledger, region="江州市", engine="calamine", today=dt.date(2022, 1, 1))
    return {"pss_mb": family.peak_mb, "every": family.every}


def case_stages(path: str, ledger: str) -> dict:
    """The whole import once more, with the CPU seconds of each step (``STAGES``) measured."""
    import contextlib
    import importlib

    from toolkit.ingest import import_files

    spent: dict[str, float] = {}

    def timed(label, function):
        def call(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - start

        return call

    def timed_session(label, function):
        @contextlib.contextmanager
        def call(*args, **kwargs):
            start = time.process_time()
            inner = function(*args, **kwargs)
            value = inner.__enter__()
            spent[label] = spent.get(label, 0.0) + time.process_time() - start
            try:
                yield value
            except BaseException as err:
                if not inner.__exit__(type(err), err, err.__traceback__):
                    raise
            else:
                start = time.process_time()
                inner.__exit__(None, None, None)
                spent[label] += time.process_time() - start

        return call

    for label, module, name in STAGES:
        mod = importlib.import_module(module)
        wrap = timed_session if name == "session" else timed
        setattr(mod, name, wrap(label, getattr(mod, name)))  # AttributeError: a step was renamed
    modules_mb = peak_mb()  # the process with its modules imported, before any row is read
    start, cpu = time.perf_counter(), time.process_time()
    import_files([path], ledger, region="江州市", engine="calamine", today=dt.date(2022, 1, 1))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "stages": spent,
        "modules_mb": modules_mb,
        "modules": [m for m in HEAVY_MODULES if m in sys.modules],
        "peak_mb": peak_mb(),
        # the survey's expat pass runs in a forked child (see ``preflight._scan_in_parallel``)
        "children_cpu": children.ru_utime + children.ru_stime,
        "children_peak_mb": children.ru_maxrss / 1024,
    }


# Libraries an import process may hold, named in the report when they are loaded.
HEAVY_MODULES = ("duckdb", "pyarrow", "pandas", "ibis", "openpyxl", "python_calamine")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", default="BENCHMARKS.md")
    parser.add_argument("--case", nargs="+")
    args = parser.parse_args()
    if args.case:
        name, *rest = args.case
        result = {
            "make": lambda: case_make(rest[0], int(rest[1])),
            "survey": lambda: case_survey(rest[0]),
            "read": lambda: case_read(rest[0], rest[1]),
            "import": lambda: case_import(rest[0], rest[1], rest[2]),
            "pandas": lambda: case_pandas(rest[0]),
            "stages": lambda: case_stages(rest[0], rest[1]),
            "family": lambda: case_family(rest[0], rest[1]),
        }[name]()
        print(json.dumps(result, default=str))
        return
    results = {"load": os.getloadavg()[0]}  # other work on the machine slows every figure
    with tempfile.TemporaryDirectory() as tmp:
        book = str(Path(tmp) / "bench.xlsx")
        results["make"] = run_case("bench.ingest_bench", "make", book, str(args.rows))
        results["survey"] = run_case("bench.ingest_bench", "survey", book)
        results["pandas"] = run_case("bench.ingest_bench", "pandas", book)
        for engine in ("calamine", "openpyxl"):
            results[f"read_{engine}"] = median_run([("read", book, engine)] * RUNS)
            results[f"import_{engine}"] = median_run(
                [("import", book, engine, str(Path(tmp) / f"{engine}-{i}.duckdb")) for i in range(RUNS)]
            )
        results["stages"] = run_case("bench.ingest_bench", "stages", book, str(Path(tmp) / "stages.duckdb"))
        results["stages"]["family"] = run_case(
            "bench.ingest_bench", "family", book, str(Path(tmp) / "family.duckdb")
        )
    write_report(args, results)


RUNS = 3  # reads and whole imports: the median of this many runs, each in a fresh process


def median_run(cases: list[tuple[str, ...]]) -> dict:
    """The run of median time among ``cases`` (each a fresh process), with every run's seconds."""
    runs = sorted((run_case("bench.ingest_bench", *case) for case in cases), key=lambda r: r["seconds"])
    return {**runs[len(runs) // 2], "all_seconds": [r["seconds"] for r in runs]}


def write_report(args, r: dict) -> None:
    base_read = r["read_calamine"]["seconds"]
    base_import = r["import_calamine"]["seconds"]
    imp = r["import_calamine"]
    lines = [
        f"## Ingest: import a {args.rows:,}-row 整改台账, calamine vs openpyxl",
        "",
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores (load average {r['load']:.1f} "
        f"at the start), Python {platform.python_version()}; `python -m bench.ingest_bench --rows {args.rows}`.",
        f"Workbook: {r['make']['mb']:.1f} MB, {args.rows:,} data rows over 500 units and 10 rounds; the import created them. "
        f"Outcome: {imp['accepted']:,} accepted, {imp['rejected']:,} rejected, {imp['duplicates']:,} duplicates of {imp['data_rows']:,} rows.",
        "",
        f"Reads and whole imports: the median of {RUNS} runs, each in a fresh process (all {RUNS} in "
        "brackets); the other steps one run each.",
        "",
        "| step | engine | time | rows/s | peak memory | ratio to calamine (same run) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for step, base in (("read", base_read), ("import", base_import)):
        for engine in ("calamine", "openpyxl"):
            x = r[f"{step}_{engine}"]
            label = "read workbook only" if step == "read" else "whole import (one transaction)"
            every = ", ".join(f"{s:.2f}" for s in x["all_seconds"])
            lines.append(
                f"| {label} | {engine} | {x['seconds']:.2f} s ({every}) | {args.rows / x['seconds']:,.0f} | "
                f"{x['peak_mb']:,.0f} MB | {x['seconds'] / base:.1f}x |"
            )
    x = r["survey"]
    lines.append(
        f"| preflight survey only (zip sizes, well-formedness, extents; no engine) | stdlib | {x['seconds']:.1f} s | "
        f"{args.rows / x['seconds']:,.0f} | {x['peak_mb']:,.0f} MB | {x['seconds'] / base_read:.1f}x |"
    )
    x = r["pandas"]
    lines += [
        f"| baseline: `pandas.read_excel` + dates and amounts typed column-wise (no rules, no ledger) | calamine | "
        f"{x['seconds']:.1f} s | {args.rows / x['seconds']:,.0f} | {x['peak_mb']:,.0f} MB | {x['seconds'] / base_read:.1f}x |",
        "",
        f"The whole import takes {base_import / x['seconds']:.1f}x the pandas baseline: the difference is the "
        "preflight survey, finding the table, the rules on every row, duplicate detection and the hash-chained write.",
        "",
        target_sentence(args.rows / imp["seconds"], imp["peak_mb"], r),
        "",
        *stage_table(r["stages"]),
    ]
    lines.append("")
    section = "\n".join(lines)
    write_section(args.out, "## Ingest: import", section)


def stage_table(run: dict) -> list[str]:
    """Where the import's time goes, step by step (CPU seconds, from a separate calamine run)."""
    stages, cpu = run["stages"], run["cpu"]
    lines = [
        f"Where the time goes (a further calamine import, CPU seconds by step; {cpu:.2f} s CPU and "
        f"{run['seconds']:.2f} s wall in all). The survey's expat pass runs in a forked child on the other "
        f"core, beside the survey's byte scan here: its {run['children_cpu']:.2f} s CPU are not in this table, "
        f"nor is its memory in the peak above (the child's RSS peaked at {run['children_peak_mb']:,.0f} MB, most "
        "of it pages shared with this process; it has exited before the rows are read). In one more import, "
        f"the process and its children together peaked at {run['family']['pss_mb']:,.0f} MB PSS (a shared page "
        f"counted once, in shares; sampled every {run['family']['every'] * 1000:.0f} ms).",
        "",
        "| step | CPU | share |",
        "|---|---:|---:|",
    ]
    inner = {"read (survey included)": "preflight survey"}
    for label, _, _ in STAGES:
        spent = stages.get(label, 0.0)
        shown = f"{spent:.2f} s" + (
            f" (of which the survey {stages.get(inner[label], 0.0):.2f} s)" if label in inner else ""
        )
        if label == "preflight survey":
            continue
        lines.append(f"| {label} | {shown} | {spent / cpu:.0%} |")
    rest = cpu - sum(v for k, v in stages.items() if k != "preflight survey")
    lines.append(
        f"| everything else (ledger state, 序号 conflicts, plan) | {rest:.2f} s | {rest / cpu:.0%} |"
    )
    return lines


TARGET_ROWS_S, TARGET_MB = 30_000, 400


def target_sentence(rows_s: float, peak_mb: float, r: dict) -> str:
    """Whether the whole import meets its target and, when it does not, what this run's own
    figures say holds it back."""
    from toolkit.ingest.writer import DATABASE_MEMORY_MB

    target = f"Target (≥ {TARGET_ROWS_S:,} rows/s, ≤ {TARGET_MB} MB)"
    if rows_s >= TARGET_ROWS_S and peak_mb <= TARGET_MB:
        return f"{target}: met by the median run ({rows_s:,.0f} rows/s, {peak_mb:,.0f} MB)."
    run = r["stages"]
    steps = sorted(
        ((label, run["stages"].get(label, 0.0)) for label, _, _ in STAGES if label != "preflight survey"),
        key=lambda item: -item[1],
    )
    largest = ", ".join(f"{label} {spent:.2f} s" for label, spent in steps[:3])
    fixed = r["read_calamine"]["seconds"]  # the survey included: ``read_sheets`` makes it first
    return (
        f"{target}: not met ({rows_s:,.0f} rows/s, {peak_mb:,.0f} MB). The largest steps of the breakdown below "
        f"are {largest} (CPU). Reading the workbook alone, its survey included and no rule at all, takes "
        f"{fixed:.1f} s ({fixed / r['import_calamine']['seconds']:.0%} of the import; the survey alone "
        f"{r['survey']['seconds']:.1f} s): the engine parsing the sheet's XML and the survey's one well-formedness "
        "pass, which no change to the rules can remove. The write JSON-encodes and SHA-256-chains one event per "
        "problem and its status changes, DuckDB compresses them as they are inserted, and the commit builds the current-state tables from the events and "
        f"publishes a copy. Memory: the process holds {run['modules_mb']:,.0f} MB once its modules "
        f"({', '.join(run['modules'])}) are imported; DuckDB may hold {DATABASE_MEMORY_MB} MB during the write "
        "(it spills to disk beyond that); the rest is the rows' records, held from the rules to the write."
    )


if __name__ == "__main__":
    main()
