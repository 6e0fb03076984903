"""Benchmark: kernels and memory of the apps' server after 50 page visits, kernels coming back or not.

A visit is what a leader does: open an app in Chromium, wait until it has loaded, close the tab.
The five apps are visited in turn. Two servers, one after the other, in the same run:

- ``toolkit serve`` as shipped: a closed page gives its kernel back;
- the baseline, Voila 0.5 started as ``toolkit serve`` started it before kernels came back (same
  template, pool and ledger; 30-minute cull; the page's shutdown beacon refused for want of an
  ``_xsrf`` cookie), i.e. the leak being fixed.

Counted: kernel processes and the resident memory (RSS) of the server's whole process tree, with
the pool full before the first visit, right after the last, and after letting it settle. The
baseline stops early (and says so) when the machine's available memory drops below
``--min-free-gb``: each leaked kernel holds ~300 MB.

    python -m bench.serve_bench LEDGER [--visits 50] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.common import write_section
from toolkit import serve
from toolkit.kernel import LEDGER_ENV

APPS = ("overview.ipynb", "round.ipynb", "unit.ipynb", "tracker.ipynb", "scoreboard.ipynb")
CHROMIUM = os.environ.get("XUNCHA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
SETTLE_S = 90


@dataclass
class Run:
    name: str
    pool: int
    idle: tuple[int, float] = (0, 0.0)
    after: tuple[int, float] = (0, 0.0)
    settled: tuple[int, float] = (0, 0.0)
    settle_s: float | None = None
    visits: int = 0
    visit_s: list[float] = field(default_factory=list)
    stopped: str = ""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(pid: int) -> tuple[int, float]:
    """(kernel processes, RSS of the whole tree in MB) under ``pid``."""
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0.0
    rss = 0
    for process in tree:
        try:
            rss += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return len(serve.kernel_processes(pid)), rss / 2**20


def wait_quiet(pid: int, deadline_s: float = 300, busy_percent: float = 15) -> None:
    """Wait until the server's processes are nearly idle (the pool has pre-run its notebooks)."""
    end, calm = time.monotonic() + deadline_s, 0
    while time.monotonic() < end and calm < 2:
        tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        for process in tree:
            process.cpu_percent(None)
        time.sleep(2)
        used = 0.0
        for process in tree:
            try:
                used += process.cpu_percent(None)
            except psutil.NoSuchProcess:
                continue
        calm = calm + 1 if used < busy_percent else 0


def wait_until(predicate, deadline_s: float) -> float | None:
    """Seconds until ``predicate()`` held, or None if it did not within ``deadline_s``."""
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.5)
    return None


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def shipped(ledger: str, port: int, token: str, tmp: Path) -> tuple[list[str], dict]:
    argv = [
        sys.executable,
        "-m",
        "toolkit.cli",
        "serve",
        "--ledger",
        ledger,
        "--port",
        str(port),
        "--token",
        token,
    ]
    return argv, {}


def baseline(ledger: str, port: int, token: str, tmp: Path) -> tuple[list[str], dict]:
    """Voila standalone with the options ``toolkit serve`` gave it before kernels came back."""
    cmd = serve.voila_command(
        ledger,
        port=port,
        token=token,
        notebook_dir=serve.served_copy(serve.DEFAULT_NOTEBOOK_DIR, tmp / "apps"),
        template_root=serve.template_root(tmp),
    )
    ours = ("--XunchaVoila.", "--MappingKernelManager.")
    argv = [a for a in cmd.argv if not a.startswith(ours)]
    argv[argv.index("toolkit.serve")] = "voila"
    argv += [
        f"--token={token}",
        "--MappingKernelManager.cull_idle_timeout=1800",
        "--MappingKernelManager.cull_interval=300",
    ]
    env = {k: v for k, v in cmd.env.items() if k != serve.TOKEN_ENV}
    return argv, env


def run(name: str, command, ledger: str, visits: int, browser, min_free_gb: float) -> Run:
    port, token = free_port(), "bench-" + secrets.token_hex(8)
    result = Run(
        name=name, pool=2 * len(list(serve.DEFAULT_NOTEBOOK_DIR.glob("*.ipynb")))
    )  # one pool per notebook
    with tempfile.TemporaryDirectory(prefix="xuncha-serve-bench-") as tmp:
        argv, env = command(ledger, port, token, Path(tmp))
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed below, after the server
        proc = subprocess.Popen(
            argv, env={**os.environ, **env, LEDGER_ENV: ledger}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}/"
            if wait_until(lambda: answers(base), 120) is None:
                raise RuntimeError(f"{name}: server did not answer")
            if wait_until(lambda: measure(proc.pid)[0] >= result.pool, 300) is None:
                raise RuntimeError(f"{name}: the pool of {result.pool} kernels did not fill")
            wait_quiet(proc.pid)
            result.idle = measure(proc.pid)
            context = browser.new_context(locale="zh-CN")
            for visit in range(visits):
                free_gb = psutil.virtual_memory().available / 2**30
                if free_gb < min_free_gb:
                    result.stopped = f"stopped after {visit} visits: {free_gb:.1f} GB of memory left"
                    break
                page = context.new_page()
                start = time.monotonic()
                page.goto(f"{base}voila/render/{APPS[visit % len(APPS)]}?token={token}", wait_until="commit")
                page.wait_for_selector("#rendered_cells", state="visible", timeout=180_000)
                page.wait_for_selector("#loading", state="detached", timeout=180_000)
                result.visit_s.append(time.monotonic() - start)
                page.close(run_before_unload=True)
                result.visits = visit + 1
            context.close()
            result.after = measure(proc.pid)
            result.settle_s = wait_until(lambda: measure(proc.pid)[0] <= result.pool, SETTLE_S)
            wait_quiet(proc.pid, SETTLE_S)  # refilled pool kernels have pre-run their notebooks
            result.settled = measure(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
            log.close()
    print(result, flush=True)
    return result


def row(r: Run) -> str:
    settle = f"{r.settle_s:.0f} s" if r.settle_s is not None else f"not within {SETTLE_S} s"
    median = sorted(r.visit_s)[len(r.visit_s) // 2] if r.visit_s else 0
    return (
        f"| {r.name} | {r.visits} | {median:.1f} s | {r.idle[0]} / {r.idle[1]:,.0f} MB "
        f"| {r.after[0]} / {r.after[1]:,.0f} MB | {r.settled[0]} / {r.settled[1]:,.0f} MB | {settle} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ledger")
    parser.add_argument("--visits", type=int, default=50)
    parser.add_argument("--min-free-gb", type=float, default=8.0)
    parser.add_argument("--out", default="BENCHMARKS.md")
    args = parser.parse_args()
    ledger = str(Path(args.ledger).resolve())
    load = os.getloadavg()[0]  # visit times are only comparable on a quiet machine
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            fixed = run("`toolkit serve`", shipped, ledger, args.visits, browser, args.min_free_gb)
            before = run(
                "baseline: Voila as served before", baseline, ledger, args.visits, browser, args.min_free_gb
            )
        finally:
            browser.close()
    leaked = max(before.after[0] - before.idle[0], 0)
    per_kernel = (before.after[1] - before.idle[1]) / leaked if leaked else 0
    lines = [
        "## Serving: kernels after 50 page visits (`bench/serve_bench.py`)",
        "",
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB, load average {load:.0f} at the start; "
        f"`python -m bench.serve_bench {args.ledger}`. "
        f"A visit: open one of the five apps in headless Chromium, wait until it has loaded, close the tab "
        f"(apps in turn). Kernels are processes under the server; memory is the RSS of the server's whole "
        f"process tree (shared pages counted in each process). Pool: 2 preheated kernels x 5 apps = 10.",
        "",
        "| server | visits | median visit | kernels / RSS, pool ready | right after the visits | settled | back to the pool |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row(fixed),
        row(before),
        "",
        f"Baseline (same run): Voila 0.5 with the options `toolkit serve` used before this change (beacon "
        f"answered 403, kernels culled after 30 idle minutes) kept {leaked} more kernels after {before.visits} "
        f"visits, ~{per_kernel:,.0f} MB each; `toolkit serve` held {fixed.after[0] - fixed.idle[0]} more "
        f"right after its {fixed.visits} visits."
        + (f" Baseline {before.stopped}." if before.stopped else ""),
        "",
    ]
    write_section(args.out, "## Serving: kernels after", "\n".join(lines))


if __name__ == "__main__":
    main()
