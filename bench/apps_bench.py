"""Benchmark: the leaders' app in Chromium, against the five multi-page apps it replaced (same run).

Two servers, one after the other, on the same ledger and machine:

- ``one app``: this checkout's ``toolkit serve`` (one notebook, one pool of 2 kernels);
- ``baseline``: the multi-page apps as they were (``--baseline REF``, default the commit this
  branch left main at), checked out with ``git worktree add`` into a temporary folder and served by
  its own ``toolkit serve`` (five notebooks, a pool of 10 kernels).

Measured, in headless Chromium, as a leader would meet them (median of ``--repeat``):

- first page: from starting ``toolkit serve`` to the first view's figures shown;
- first view, warm: the pool ready and quiet, a new tab until the figures and the first chart show;
- view switch: overview -> 轮次 (the app: a tab; before: a new page), until the round is shown;
  in the app both right after the first view and after the queries it warms have run;
- filter change: a click on a region bar until the cards show that region;
- Back: from the round to the overview (before: a page reload);
- kernel RSS: the page's kernel after the path.

    python -m bench.apps_bench LEDGER [--baseline REF] [--repeat 3] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import write_section
from bench.serve_bench import CHROMIUM, CHROMIUM_ARGS, answers, free_port, wait_quiet, wait_until
from toolkit.serve import kernel_processes

REPO = Path(__file__).resolve().parents[1]
REGION = "西山区"
KPI = "[data-kpi='problems']"


def served_notebooks(checkout: Path) -> Path:
    """The app notebooks of ``checkout``: in the package since the app ships in the wheel, in
    ``notebooks/`` before."""
    shipped = checkout / "toolkit" / "apps" / "served"
    return shipped if shipped.is_dir() else checkout / "notebooks"


@contextmanager
def server(checkout: Path, ledger: str, pool_size: int = 2):
    """``toolkit serve`` of ``checkout`` (its own toolkit package and notebooks); yields
    (base URL, token, process, seconds it took to start answering)."""
    port, token = free_port(), "bench-" + secrets.token_hex(8)
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    argv = [sys.executable, "-m", "toolkit.cli", "serve", "--ledger", ledger, "--port", str(port),
            "--token", token, "--notebook-dir", str(served_notebooks(checkout)), "--pool-size", str(pool_size)]  # fmt: skip
    started = time.monotonic()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, after the server
    proc = subprocess.Popen(
        argv, cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        if wait_until(lambda: answers(f"http://127.0.0.1:{port}/"), 120) is None:
            raise RuntimeError(f"{checkout}: the server did not answer")
        yield f"http://127.0.0.1:{port}/", token, proc, started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        log.close()


def page_kernel_rss(proc, page) -> float:
    """RSS (MB) of the kernel serving ``page``."""
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    for kernel in kernel_processes(proc.pid):
        if kernel_id in " ".join(kernel.cmdline()):
            return kernel.memory_info().rss / 2**20
    return float("nan")


def timed(action, until) -> float:
    start = time.monotonic()
    action()
    until()
    return time.monotonic() - start


def click_region(page, chart: str) -> None:
    bar = page.locator(f"{chart} .mark-rect path[aria-label*='{REGION}']").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def kpi_is(page, value: str) -> None:
    page.wait_for_function(
        "v => document.querySelector(\"[data-kpi='problems']\")?.innerText === v", arg=value, timeout=120_000
    )


def one_app_path(browser, base: str, token: str, proc, region_problems: str, settle_s: float) -> dict:
    page = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}).new_page()
    out = {}
    out["first view"] = timed(
        lambda: page.goto(f"{base}voila/render/app.ipynb?token={token}", wait_until="commit"),
        lambda: (page.wait_for_selector(KPI, timeout=120_000), page.wait_for_selector(".xc-chart .mark-rect path", state="attached")),
    )  # fmt: skip
    page.wait_for_selector(".xc-chart-peers .mark-rect path", state="attached")
    round_tab = page.locator(".xc-nav").get_by_role("button", name="轮次")
    overview_tab = page.locator(".xc-nav").get_by_role("button", name="总览")
    out["view switch, at once"] = timed(round_tab.click, lambda: page.wait_for_selector(".xc-round-info"))
    overview_tab.click()
    page.wait_for_selector(".xc-chart-peers .mark-rect path", state="attached")
    time.sleep(settle_s)  # the leader reads; the app warms what may come next
    out["view switch, warmed"] = timed(round_tab.click, lambda: page.wait_for_selector(".xc-round-info"))
    out["Back"] = timed(
        page.go_back, lambda: page.wait_for_selector(".xc-chart-peers .mark-rect path", state="attached")
    )
    page.wait_for_timeout(500)
    out["filter change (region click)"] = timed(
        lambda: click_region(page, ".xc-chart-peers"), lambda: kpi_is(page, region_problems)
    )
    out["kernel RSS (MB)"] = page_kernel_rss(proc, page)
    page.context.close()
    return out


def baseline_path(browser, base: str, token: str, proc, region_problems: str, settle_s: float) -> dict:
    page = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}).new_page()
    out = {}
    out["first view"] = timed(
        lambda: page.goto(f"{base}voila/render/overview.ipynb?token={token}", wait_until="commit"),
        lambda: (page.wait_for_selector(KPI, timeout=120_000), page.wait_for_selector(".mark-rect path", state="attached")),
    )  # fmt: skip
    page.wait_for_selector(".xc-peers .mark-rect path", state="attached")
    to_round = lambda: page.goto(f"{base}voila/render/round.ipynb", wait_until="commit")  # noqa: E731
    out["view switch, at once"] = timed(
        to_round, lambda: page.wait_for_selector(".xc-round-info", timeout=120_000)
    )
    time.sleep(settle_s)
    out["view switch, warmed"] = out["view switch, at once"]  # a new page each time: nothing warms
    out["Back"] = timed(
        page.go_back,
        lambda: page.wait_for_selector(".xc-peers .mark-rect path", state="attached", timeout=120_000),
    )
    page.wait_for_timeout(500)
    out["filter change (region click)"] = timed(
        lambda: click_region(page, ".xc-peers"), lambda: kpi_is(page, region_problems)
    )
    out["kernel RSS (MB)"] = page_kernel_rss(proc, page)
    page.context.close()
    return out


def measure(name, checkout, ledger, browser, path, region_problems, repeat, settle_s) -> dict:
    runs, first_page = [], None
    with server(checkout, ledger) as (base, token, proc, started):
        page = browser.new_context(locale="zh-CN").new_page()
        url = (
            f"{base}?token={token}"
            if name == "one app"
            else f"{base}voila/render/overview.ipynb?token={token}"
        )
        page.goto(url, wait_until="commit", timeout=180_000)
        page.wait_for_selector(KPI, timeout=180_000)
        first_page = time.monotonic() - started
        page.context.close()
        wait_until(lambda: len(kernel_processes(proc.pid)) >= (2 if name == "one app" else 10), 300)
        wait_quiet(proc.pid)
        for _ in range(repeat):
            runs.append(path(browser, base, token, proc, region_problems, settle_s))
            wait_quiet(proc.pid, 120)
    result = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    result["first page after start"] = first_page
    print(name, result, flush=True)
    return result


def multi_page_commit() -> str:
    """The last commit with the five multi-page apps: the main-line parent of the merge that
    brought the one app (on a branch not yet merged, where it left main)."""
    git = ["git", "-C", str(REPO)]
    merge = subprocess.run(
        [*git, "log", "--merges", "--grep=^Merge one-app", "--format=%P", "-1"],
        capture_output=True,
        text=True,
    ).stdout.split()
    if merge:
        return merge[0]
    return subprocess.run(
        [*git, "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()


def at_scale(args, ledger: str, region_problems: str, load: float) -> None:
    """The one app on a big ledger (``--at-scale``): its own section, with the targets at scale."""
    from playwright.sync_api import sync_playwright

    from toolkit import Ledger

    with Ledger.open(ledger) as led:
        counts = led.counts()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            app = measure(
                "one app", REPO, ledger, browser, one_app_path, region_problems, args.repeat, args.settle
            )
        finally:
            browser.close()
    rows = [
        ("first page after `toolkit serve` starts", "first page after start", ""),
        ("first view, warm (figures and first chart)", "first view", ""),
        ("view switch overview → 轮次, right after the first view", "view switch, at once", "≤ 600 ms"),
        (f"view switch overview → 轮次, after {args.settle:g} s reading", "view switch, warmed", "≤ 600 ms"),
        ("filter change: a click on a region until the cards show it", "filter change (region click)", ""),
        ("Back (round → overview)", "Back", ""),
    ]
    fmt = lambda v: f"{v * 1000:,.0f} ms" if v < 1 else f"{v:.1f} s"  # noqa: E731
    lines = [
        f"## Apps at {counts['problems']:,} problems (`bench/apps_bench.py --at-scale`)",
        "",
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at the "
        f"start; `python -m bench.apps_bench {Path(args.ledger).name} --at-scale` on a ledger of "
        f"{counts['problems']:,} problems and {counts['events']:,} events; headless Chromium at 1440 px, median of "
        f"{args.repeat}; the same path as the section above. No baseline: the five old pages were measured at the "
        "default scale only.",
        "",
        "| step | one app | target |",
        "|---|---:|---|",
        *[f"| {label} | {fmt(app[key])} | {target} |" for label, key, target in rows],
        f"| kernel RSS after the path | {app['kernel RSS (MB)']:,.0f} MB | |",
        "",
    ]
    write_section(args.out, "## Apps at ", "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ledger")
    parser.add_argument(
        "--baseline",
        default=None,
        help="git ref of the multi-page apps (default: the commit before the one app was merged)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--settle", type=float, default=8.0, help="seconds a leader reads before switching")
    parser.add_argument("--out", default="BENCHMARKS.md")
    parser.add_argument(
        "--at-scale",
        action="store_true",
        help="this checkout alone, in its own section (a big ledger: the five old pages are not the point)",
    )
    args = parser.parse_args()
    ledger = str(Path(args.ledger).resolve())
    ref = args.baseline or multi_page_commit()
    from playwright.sync_api import sync_playwright

    from toolkit import Ledger, labels, metrics
    from toolkit.filters import Filters

    with Ledger.open(ledger) as led:
        region_problems = labels.number(
            metrics.headline(led, filters=Filters(region=REGION)).iloc[0]["problems"]
        )
    load = os.getloadavg()[0]
    if args.at_scale:
        return at_scale(args, ledger, region_problems, load)
    baseline_dir = Path(tempfile.mkdtemp(prefix="xuncha-apps-baseline-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(baseline_dir), ref],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                app = measure(
                    "one app", REPO, ledger, browser, one_app_path, region_problems, args.repeat, args.settle
                )
                before = measure(
                    "baseline",
                    baseline_dir,
                    ledger,
                    browser,
                    baseline_path,
                    region_problems,
                    args.repeat,
                    args.settle,
                )
            finally:
                browser.close()
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(baseline_dir)], cwd=REPO, check=False)
        shutil.rmtree(baseline_dir, ignore_errors=True)
    rows = [
        ("first page after `toolkit serve` starts", "first page after start", "≤ 10 s"),
        ("first view, warm (figures and first chart)", "first view", "≤ 1.5 s"),
        ("view switch overview → 轮次, right after the first view", "view switch, at once", "≤ 300 ms"),
        (f"view switch overview → 轮次, after {args.settle:g} s reading", "view switch, warmed", "≤ 300 ms"),
        (
            "filter change: a click on a region until the cards show it",
            "filter change (region click)",
            "≤ 300 ms",
        ),
        ("Back (round → overview)", "Back", ""),
    ]
    fmt = lambda v: f"{v * 1000:,.0f} ms" if v < 1 else f"{v:.1f} s"  # noqa: E731
    lines = [
        "## Apps: the one-page app against the five pages it replaced (`bench/apps_bench.py`)",
        "",
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at the "
        f"start; `python -m bench.apps_bench {args.ledger}`; headless Chromium at 1440 px, median of {args.repeat}. "
        f"Baseline in the same run: the multi-page apps at `{ref[:10]}` (five notebooks, pool of 10), served the same "
        f"way from a `git worktree` of that commit.",
        "",
        "| step | one app | before (five pages) | target |",
        "|---|---:|---:|---|",
        *[f"| {label} | {fmt(app[key])} | {fmt(before[key])} | {target} |" for label, key, target in rows],
        f"| kernel RSS after the path | {app['kernel RSS (MB)']:,.0f} MB | {before['kernel RSS (MB)']:,.0f} MB | |",
        "",
    ]
    write_section(args.out, "## Apps:", "\n".join(lines))


if __name__ == "__main__":
    main()
