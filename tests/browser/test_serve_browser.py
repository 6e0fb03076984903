"""End to end: ``toolkit serve`` + our template + offline altair + deep links, in headless Chromium.

A tiny app notebook (Chinese heading, a Label, a JupyterChart bar chart with a point selection and
the ``?round=`` deep link) is served from a temporary directory, so these tests do not depend on the
real apps, which other tests cover with the same fixtures.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

NOTEBOOK = "smoke.ipynb"
HEADING = "巡察台账冒烟测试"
LOADING = "正在加载巡察台账，请稍候…"

CELLS = [
    ("markdown", f"# {HEADING}"),
    (
        "code",
        "from toolkit.kernel import start_app, jupyter_chart\n"
        "ledger, params = start_app()\n"
        "events = ledger.counts()['events']",
    ),
    (
        "code",
        "import altair as alt, pandas as pd, ipywidgets as w\n"
        "df = pd.DataFrame({'单位': ['甲', '乙', '丙'], '问题数': [3, 5, 2]})\n"
        "sel = alt.selection_point(name='pick', fields=['单位'])\n"
        "chart = jupyter_chart(alt.Chart(df).mark_bar().encode(x='单位:N', y='问题数:Q')\n"
        "                      .add_params(sel).properties(width=300, height=200))\n"
        "label = w.Label('尚未选择', layout=w.Layout(width='300px'))\n"
        "label.add_class('xuncha-picked')\n"
        "def on_pick(change):\n"
        "    value = change['new'].value\n"
        "    label.value = '已选择：' + (value[0]['单位'] if value else '无')\n"
        "chart.selections.observe(on_pick, ['pick'])\n"
        "display(label, chart)",
    ),
    (
        "code",
        "w.HTML(f\"<p class='deep-link'>轮次参数：{params.get('round', '无')}</p>\"\n"
        "       f\"<p class='ledger-events'>台账事件数：{events}</p>\")",
    ),
]

CAPTURE_LOADING_TEXT = """
window.__xunchaLoading = [];
new MutationObserver(() => {
  const el = document.getElementById('loading_text');
  if (el && !window.__xunchaLoading.includes(el.textContent)) window.__xunchaLoading.push(el.textContent);
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def write_notebook(path: Path, cells=CELLS, title: str = "冒烟测试") -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["title"] = title
    new = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb.cells = [new[kind](source) for kind, source in cells]
    nbformat.write(nb, path)


SLOW_CELLS = [
    ("code", "from toolkit.kernel import query_params\nparams = query_params()"),
    ("code", "import time\ntime.sleep(4)  # runs per request: after query_params()"),
    ("markdown", "## 加载完成"),
]
FAILING_CELLS = [
    ("markdown", "# 出错的应用"),
    ("code", "secret = '机密-' + '123'\nraise ValueError(secret)"),
]


@pytest.fixture(scope="module")
def smoke_server(tmp_path_factory, serve_notebooks):
    notebook_dir = tmp_path_factory.mktemp("apps")
    write_notebook(notebook_dir / NOTEBOOK)
    write_notebook(notebook_dir / "slow.ipynb", SLOW_CELLS, title="慢速应用")
    write_notebook(notebook_dir / "failing.ipynb", FAILING_CELLS, title="出错的应用")
    return serve_notebooks(notebook_dir)


def test_app_renders_offline_with_our_template_and_chart_click_reaches_python(
    smoke_server, page, request_monitor, wait_for_voila, screenshot
):
    page.add_init_script(CAPTURE_LOADING_TEXT)
    page.goto(smoke_server.url(NOTEBOOK, round="R1"), wait_until="commit")
    wait_for_voila(page, text=HEADING, selector=".mark-rect path")

    assert page.title() == "冒烟测试 · 巡察台账"
    assert LOADING in page.evaluate("window.__xunchaLoading"), "loading screen was not our template's"
    assert page.get_by_text("轮次参数：R1").is_visible(), "deep link ?round=R1 did not reach the kernel"
    assert page.get_by_text("台账事件数：0").is_visible(), "XUNCHA_LEDGER did not reach the kernel"
    label = page.locator(".xuncha-picked")
    assert label.inner_text() == "尚未选择"
    screenshot("serve-smoke-before-click")

    bar = page.locator(".mark-rect path").first
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "() => document.querySelector('.xuncha-picked').innerText.startsWith('已选择：')", timeout=120_000
    )
    assert label.inner_text() in {"已选择：甲", "已选择：乙", "已选择：丙"}
    screenshot("serve-smoke-after-click")

    assert request_monitor.all, "monitor saw no requests at all"
    assert request_monitor.external == [], f"requests left the machine: {request_monitor.external}"


def test_deep_link_reaches_a_second_preheated_kernel(smoke_server, page, request_monitor, wait_for_voila):
    page.goto(smoke_server.url(NOTEBOOK, round="R7", unit="U3"), wait_until="commit")
    wait_for_voila(page, text="轮次参数：R7")
    assert request_monitor.external == []


def test_loading_screen_is_chinese_while_cells_run(
    smoke_server, page, request_monitor, wait_for_voila, screenshot
):
    page.goto(smoke_server.url("slow.ipynb"), wait_until="commit")
    loading = page.locator("#loading_text")
    loading.wait_for(state="visible", timeout=120_000)
    assert loading.inner_text() == LOADING
    assert page.locator("#loading .xuncha-spinner").is_visible()
    screenshot("serve-loading")
    wait_for_voila(page, text="加载完成")
    assert page.title() == "慢速应用 · 巡察台账"
    assert request_monitor.external == []


def test_errors_show_no_traceback(smoke_server, page, request_monitor, wait_for_voila, screenshot):
    page.goto(smoke_server.url("failing.ipynb"), wait_until="commit")
    wait_for_voila(page, text="出错的应用")
    body = page.locator("body").inner_text()
    assert "机密-123" not in body and "Traceback" not in body and "ValueError" not in body
    assert "此部分加载出错" in body
    screenshot("serve-error")
    assert request_monitor.external == []


def test_app_list_page_is_chinese_and_offline(smoke_server, page, request_monitor, screenshot):
    listed = page.get_by_text("smoke.ipynb").first
    page.goto(smoke_server.url())
    try:
        listed.wait_for(state="visible", timeout=60_000)
    except PlaywrightTimeout:
        # Seen once in a full run on 2 busy cores (never alone, nor beside two CPU hogs): the
        # list page asked for the folder and drew nothing. A person reloads; so does the test,
        # once, and says so. A list still missing after that fails.
        screenshot("serve-app-list-first-try")
        warnings.warn(
            f"the app list was not drawn within 60 s; reloaded once (last requests: {request_monitor.all[-4:]})",
            stacklevel=1,
        )
        page.reload()
        listed.wait_for(state="visible", timeout=120_000)
    assert page.title() == "巡察台账 · 应用列表"
    screenshot("serve-app-list")
    assert request_monitor.external == [], request_monitor.external


def test_request_without_token_is_refused(smoke_server):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for url in (
        smoke_server.url(NOTEBOOK, token=False),
        smoke_server.url(NOTEBOOK, token=False) + "?token=wrong",
    ):
        with pytest.raises(urllib.error.HTTPError) as err:
            opener.open(url, timeout=30)
        status = err.value.code
        assert status in (302, 403), status
        if status == 302:
            assert "login" in err.value.headers["Location"]
        assert HEADING not in err.value.read().decode(errors="replace")


def test_server_binds_loopback_only(smoke_server):
    listeners = _listening_addresses(smoke_server.port)
    if listeners is None:
        pytest.skip("no /proc/net/tcp on this platform")
    assert listeners, "nothing listening on the served port"
    assert set(listeners) <= {"127.0.0.1", "::1"}, listeners
    # and it answers on 127.0.0.1
    with socket.create_connection(("127.0.0.1", smoke_server.port), timeout=5):
        pass


def _listening_addresses(port: int) -> list[str] | None:
    """Local addresses in LISTEN state on ``port``, from /proc/net/tcp{,6} (Linux)."""
    files = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not files[0].exists():
        return None
    found = []
    for f in files:
        if not f.exists():
            continue
        for line in f.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:
                continue
            raw = bytes.fromhex(addr_hex)
            if len(raw) == 4:
                found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
            else:
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                found.append(socket.inet_ntop(socket.AF_INET6, words))
    return found
