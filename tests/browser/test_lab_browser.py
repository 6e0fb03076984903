"""The analyst's JupyterLab, for real: ``jupyter lab`` with the settings the repository carries
(``toolkit.lab``), headless Chromium, no internet.

One server for the module (copies of the analyst's notebooks and of the sample ledger in a
temporary folder, JupyterLab's own settings and workspaces there too, so neither the repository
nor the user's home is touched): the exploration notebook runs with every chart drawn at a real
width, the menus are Chinese, and nothing is requested from outside 127.0.0.1; the import page
checks a file, maps the unit, imports and says what it wrote. Screenshots go to
``test-artifacts/screenshots/lab-*.png``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser.conftest import free_port
from toolkit import Ledger, lab
from toolkit.ingest import examples
from toolkit.store import copy_ledger

REPO = Path(__file__).resolve().parents[2]
ANALYST = REPO / "notebooks" / "analyst"
EXPLORE = "探索地区与轮次.ipynb"
IMPORT = "import.ipynb"
START_TIMEOUT_S = 120
RUN_TIMEOUT_MS = 300_000
MENUS_ZH = ["文件", "编辑", "查看", "运行", "内核", "标签页", "设置", "帮助"]


class Lab:
    def __init__(self, root: Path, ledger: Path, token: str, port: int, proc, log: Path) -> None:
        self.root, self.ledger, self.token, self.port, self.proc, self.log = (
            root,
            ledger,
            token,
            port,
            proc,
            log,
        )

    def url(self, notebook: str) -> str:
        """The notebook alone (``reset``: no tab restored from an earlier visit)."""
        return f"http://127.0.0.1:{self.port}/lab/tree/{quote(notebook)}?reset&token={self.token}"


@pytest.fixture(scope="module")
def jupyterlab(sample_path, tmp_path_factory):
    """``jupyter lab`` as ``make lab`` starts it, rooted in a temporary copy of notebooks/analyst."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(ANALYST, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    ledger = copy_ledger(sample_path, base / "ledger.duckdb")  # as an office moves a ledger
    token = "lab-" + os.urandom(8).hex()
    port = free_port()
    env = lab.environment(
        XUNCHA_LEDGER=str(ledger),
        JUPYTERLAB_SETTINGS_DIR=str(base / "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
    )
    argv = lab.command(
        root,
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
    )
    log = base / "lab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Lab(root, ledger, token, port, proc, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert proc.poll() is None, f"jupyter lab exited:\n{log.read_text(errors='replace')}"
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
            break
        assert time.monotonic() < deadline, f"jupyter lab did not answer:\n{log.read_text(errors='replace')}"
        time.sleep(0.5)
    yield server
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def answer_dialog(page, dialog) -> str:
    """Answer one JupyterLab dialog with its default button (Escape if it has none); its text."""
    text = " ".join(dialog.inner_text(timeout=5_000).split())
    warnings.warn(f"JupyterLab dialog answered with its default button: {text}", stacklevel=1)
    accept = dialog.locator(".jp-Dialog-button.jp-mod-accept")
    if accept.count():
        accept.first.click(no_wait_after=True)
    with contextlib.suppress(Exception):
        dialog.wait_for(state="hidden", timeout=5_000)
        return text
    page.keyboard.press("Escape")
    return text


def answer_dialogs(page) -> None:
    """Answer any JupyterLab dialog that stands in the way of a click.

    On a loaded machine JupyterLab may put up a modal (a kernel that took too long to start,
    a lost server connection, a kernel restarted) that would block every click behind it until
    the test times out. Playwright's locator handler answers it before each action, and says
    what it answered as a warning in the test report rather than hiding it. (Waits are not
    actions: ``run_all`` looks for dialogs itself while it waits.)
    """
    page.add_locator_handler(page.locator(".jp-Dialog").first, lambda dialog: answer_dialog(page, dialog))


def open_notebook(page, server: Lab, notebook: str) -> None:
    answer_dialogs(page)
    page.goto(server.url(notebook), wait_until="commit")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=RUN_TIMEOUT_MS)


NOTEBOOK_STATE = r"""() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const cells = panel ? [...panel.querySelectorAll('.jp-CodeCell')] : [];
    const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return {
        prompts: cells.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || ''),
        errors: [...(panel ? panel.querySelectorAll(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']") : [])]
            .map(e => e.textContent.slice(-2000)),
        kernel: indicator ? indicator.getAttribute('data-status') : null,
        dialog: !!document.querySelector('.jp-Dialog'),
    };
}"""


def run_all_once(page) -> None:
    """运行 → 运行所有单元格, from the Chinese menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text="运行").first.click(timeout=60_000)
    page.locator(".lm-Menu-item", has_text="运行所有单元格").first.click(timeout=60_000)


def run_all(page, server: Lab) -> None:
    """Run every cell from the menu and wait until each has an execution count.

    A cell that fails ends the wait at once with its traceback. On a loaded machine a click
    can be swallowed while the page settles, a kernel restart can drop the queued cells, a
    lost reply can leave a cell at [*]: when the kernel has been idle and the page unchanged
    for 20 s with cells still unrun, the menu is used again (and said as a warning). A run
    that never finishes fails with what the page showed and the end of JupyterLab's log, so
    the cause is in the report.
    """
    run_all_once(page)
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    last_prompts, quiet_since, reruns, dialogs = None, time.monotonic(), 0, []
    while True:
        state = page.evaluate(NOTEBOOK_STATE)
        prompts = state["prompts"]
        assert not state["errors"], "a cell failed:\n" + "\n".join(state["errors"])
        if prompts and all(re.search(r"\[\d+\]", p) for p in prompts):
            return
        if time.monotonic() > deadline:
            log = server.log.read_text(errors="replace")[-4000:]
            pytest.fail(
                f"the notebook did not finish running: {state}; dialogs answered: {dialogs}\n"
                f"JupyterLab log (end):\n{log}"
            )
        if state["dialog"]:
            dialogs.append(answer_dialog(page, page.locator(".jp-Dialog").first))
            continue
        if state["kernel"] != "idle" or prompts != last_prompts:
            last_prompts, quiet_since = prompts, time.monotonic()  # at work: wait on
        elif time.monotonic() - quiet_since > 20 and reruns < 3:
            # an idle kernel and nothing changing, yet cells unrun (or a reply that never came)
            reruns += 1
            warnings.warn(
                f"cells left unrun with an idle kernel ({prompts}); running all again", stacklevel=1
            )
            page.keyboard.press("Escape")
            run_all_once(page)
            quiet_since = time.monotonic()
        time.sleep(1)


def test_exploration_notebook_in_jupyterlab(jupyterlab, page, request_monitor, screenshot):
    with Ledger.open(jupyterlab.ledger) as ledger:
        problems = ledger.counts()["problems"]
    open_notebook(page, jupyterlab, EXPLORE)
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert menus == MENUS_ZH
    run_all(page, jupyterlab)
    page.wait_for_selector(".dt-info", timeout=RUN_TIMEOUT_MS)  # the grid of every problem, last cell
    screenshot("lab-explore-top")
    charts = page.locator(".jp-OutputArea-output .vega-embed")
    assert charts.count() == 4
    widths = []
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        chart.locator("svg").first.wait_for(state="visible", timeout=60_000)
        widths.append(chart.locator("svg").first.bounding_box()["width"])
        if i in (0, 2):
            screenshot("lab-explore-regions" if i == 0 else "lab-explore-trend")
    assert all(w > 300 for w in widths), widths
    info = page.locator(".dt-info").first
    info.scroll_into_view_if_needed()
    assert f"共 {problems:,} 行" in info.inner_text()
    page.locator(".dt-search input, .dataTables_filter input").first.fill("青溪")
    page.wait_for_function(
        "n => document.querySelector('.dt-info').textContent.includes(`（从 ${n} 行中筛选）`)",
        arg=f"{problems:,}",
        timeout=30_000,
    )
    screenshot("lab-explore-grid")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0
    assert not page.get_by_text("Error loading script").count()
    assert not page.get_by_text(re.compile("Jupyter news|Jupyter 新闻|官方新闻")).count()
    assert request_monitor.external == []


def test_import_page_in_jupyterlab(jupyterlab, page, request_monitor, screenshot, tmp_path):
    with Ledger.open(jupyterlab.ledger) as ledger:
        before = ledger.counts()
    example = examples.county_ledger(tmp_path / "青溪县_整改台账.xlsx")
    open_notebook(page, jupyterlab, IMPORT)
    run_all(page, jupyterlab)
    page.get_by_text("试运行（只检查）").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_text("试运行（只检查）").click()
    page.get_by_text("请先点“选择文件”").wait_for(timeout=60_000)
    with page.expect_file_chooser() as chooser:  # the button opens the browser's file dialog
        page.get_by_role("button", name="选择文件").click()
    chooser.value.set_files(str(example))
    page.get_by_text("试运行（只检查）").click()
    page.get_by_text("试运行结果（没有写入）").wait_for(timeout=RUN_TIMEOUT_MS)
    assert page.get_by_text("县住房和城乡建设局党组（青溪县）").count()
    screenshot("lab-import-dry-run")
    page.get_by_role("button", name="改用已有单位：青溪住房和城乡建设局党组").click()
    confirm = page.locator("button", has_text="确认导入（写入 8 行）")
    # checked again with the existing unit: nothing left to create, so nothing to tick first
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some(b => b.textContent.includes('确认导入（写入 8 行）') && !b.disabled)",
        timeout=RUN_TIMEOUT_MS,
    )
    # the new unit is no longer proposed (the page's updates arrive as separate messages: wait for it)
    proposed = page.get_by_text("县住房和城乡建设局党组（青溪县）")
    proposed.first.wait_for(state="detached", timeout=30_000)
    assert proposed.count() == 0
    confirm.click()
    page.get_by_text("已写入账本").wait_for(timeout=RUN_TIMEOUT_MS)
    written = page.locator(".xc-message", has_text="已写入账本").inner_text()
    with Ledger.open(jupyterlab.ledger) as ledger:
        after = ledger.counts()
    assert after["problems"] == before["problems"] + 8
    assert "接收 8 行（拒收 3 行，重复 0 行）" in written
    assert f"导入前 {before['events']:,} 条，导入后 {after['events']:,} 条" in written
    screenshot("lab-import-written")
    assert request_monitor.external == []
