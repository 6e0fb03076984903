"""Kernels come back and the server is hardened: ``toolkit serve`` checked end to end in Chromium.

Two servers. The five real apps over the sample ledger (the session server the other app tests
use): a browser opens and closes each, reloads one, and every page's kernel must be gone within
seconds while the preheated pool stays full. A small server of our own (two tiny notebooks, a
pool of 1 each, ``--max-kernels 3`` so that one page fills it, ``--connect-timeout 5``) for the
bare GET, the cap, the Host check, secrets, and kernel errors.

Kernels are counted as processes under ``toolkit serve`` (``VoilaServer.kernels()``); a page's
kernel is known by the ``kernelId`` in its page config. Waits poll up to a generous deadline.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.test_serve_browser import write_notebook
from toolkit.kernel import ERROR_SENTENCE
from toolkit.serve import DEFAULT_NOTEBOOK_DIR

NOTEBOOKS = DEFAULT_NOTEBOOK_DIR  # the app notebook shipped in the package
APPS = ("overview.ipynb", "round.ipynb", "unit.ipynb", "tracker.ipynb", "scoreboard.ipynb")
DEADLINE_S = 45  # a closed page's kernel goes at once; only a busy 2-core box needs this long
SENTENCE = ERROR_SENTENCE.splitlines()[0]


def kernel_ids(server) -> set[str]:
    """Ids of the kernels running under ``server`` (from their connection file ``kernel-<id>.json``)."""
    ids = set()
    for process in server.kernels():
        try:
            found = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(process.cmdline()))
        except Exception:  # noqa: BLE001 - a kernel exiting while we look
            continue
        if found:
            ids.add(found.group(1))
    return ids


def open_pages(server) -> set[str]:
    """Kernels the server says serve a page and has not shut down yet (from its log)."""
    log = server.log()
    served = set(re.findall(r"Kernel ([0-9a-f-]{36}) serves a page", log))
    return served - set(re.findall(r"Kernel shutdown: ([0-9a-f-]{36})", log))


def readable(frame: str | bytes) -> str:
    """A websocket frame as text, JSON ``\\uXXXX`` escapes undone (so a leak cannot hide in them)."""
    text = frame.decode("utf-8", errors="replace") if isinstance(frame, bytes) else frame
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def page_kernel_id(page) -> str:
    return page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def wait_until(predicate, what: str, deadline_s: float = DEADLINE_S) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"not within {deadline_s} s: {what}")


def fetch(url: str, *, host: str | None = None, method: str = "GET") -> tuple[int, str, dict]:
    """(status, body, headers) of one request, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    if host:
        request.add_header("Host", host)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=120) as response:
            return response.status, response.read().decode(errors="replace"), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace"), dict(err.headers)


# ---------------------------------------------------------------- the real apps


@pytest.fixture(scope="module")
def app_server(serve_notebooks, sample_path):
    return serve_notebooks(NOTEBOOKS, ledger=str(sample_path))


def test_closed_and_reloaded_pages_give_their_kernels_back(app_server, browser, wait_for_voila):
    pool = 2 * len(list(NOTEBOOKS.glob("*.ipynb")))  # one pool per served notebook
    wait_until(lambda: len(kernel_ids(app_server)) >= pool, f"the pool of {pool} kernels to fill", 180)
    before = kernel_ids(app_server)  # the pool, and kernels of earlier tests' pages not yet returned
    context = browser.new_context(locale="zh-CN")
    returned = []
    try:
        for visit, app in enumerate(APPS):
            page = context.new_page()
            page.goto(app_server.url(app), wait_until="commit")
            wait_for_voila(page)
            kernel = page_kernel_id(page)
            assert kernel in kernel_ids(app_server)
            if visit == 0:  # a reload: the old page's kernel goes, the new page has its own
                page.reload(wait_until="commit")
                wait_for_voila(page)
                wait_until(
                    lambda k=kernel: k not in kernel_ids(app_server), f"reloaded {app} to return {kernel}"
                )
                returned.append(kernel)
                kernel = page_kernel_id(page)
            page.close(run_before_unload=True)
            wait_until(lambda k=kernel: k not in kernel_ids(app_server), f"closed {app} to return {kernel}")
            returned.append(kernel)
    finally:
        context.close()
    wait_until(
        lambda: pool <= len(kernel_ids(app_server)) <= len(before),
        f"back to the pool of {pool} (had {len(before)} before)",
    )
    log = app_server.log()
    for kernel in returned:  # given back by the page's beacon, not by a timeout
        assert f"204 POST /voila/api/shutdown/{kernel}" in log, kernel
    assert "403 POST /voila/api/shutdown" not in log


# ---------------------------------------------------------------- a small server of our own

HELLO = [
    ("markdown", "# 内核回收测试"),
    (
        "code",
        "from toolkit.kernel import prepare_kernel, query_string\n"
        "prepare_kernel()\n"
        "raw_query = query_string()  # once: under preheating it waits for the request",
    ),
    (
        "code",
        "import html, os, ipywidgets as w\n"
        "dump = repr(sorted(os.environ.items())) + '|' + raw_query\n"
        "w.HTML('<pre class=\"env-dump\">' + html.escape(dump) + '</pre>')",
    ),
]
ERRORS = [
    ("markdown", "# 出错测试"),
    ("code", "from toolkit.kernel import start_app\nledger, params = start_app()"),
    (
        "code",
        "import ipywidgets as w\n"
        "def boom_target(comm, msg):\n"
        "    raise RuntimeError('机密-comm /srv/secret-path')\n"
        "get_ipython().kernel.comm_manager.register_target('xuncha-boom', boom_target)\n"
        "boom = w.Button(description='出错按钮')\n"
        "boom.add_class('xuncha-boom')\n"
        "def fail(_):\n"
        "    raise ValueError('机密-callback /srv/secret-path')\n"
        "boom.on_click(fail)\n"
        "out = w.Output()\n"
        "out.add_class('xuncha-out')\n"
        "boom_out = w.Button(description='输出区出错')\n"
        "boom_out.add_class('xuncha-boom-out')\n"
        "def fail_in_output(_):\n"
        "    with out:\n"
        "        raise ValueError('机密-output /srv/secret-path')\n"
        "boom_out.on_click(fail_in_output)\n"
        "display(boom, boom_out, out)",
    ),
]
SMALL_OPTIONS = ("--pool-size", "1", "--max-kernels", "3", "--connect-timeout", "5", "--idle-timeout", "20")


@pytest.fixture(scope="module")
def small_server(tmp_path_factory, serve_notebooks):
    apps = tmp_path_factory.mktemp("small-apps")
    write_notebook(apps / "hello.ipynb", HELLO, title="内核回收")
    write_notebook(apps / "errors.ipynb", ERRORS, title="出错测试")
    return serve_notebooks(apps, options=SMALL_OPTIONS)


def only_the_pool(server) -> bool:
    return not open_pages(server) and len(kernel_ids(server)) == 2


@pytest.fixture
def pool_only(small_server):
    """Start (and end) each test with no page open and the two preheated kernels running."""
    wait_until(lambda: only_the_pool(small_server), "only the preheated pool running", 120)
    yield small_server
    wait_until(lambda: only_the_pool(small_server), "pages of this test to give their kernels back", 120)


def test_a_page_no_browser_opened_gives_its_kernel_back(pool_only):
    status, body, _ = fetch(pool_only.url("hello.ipynb"))  # like curl: no websocket, ever
    assert status == 200 and "<title>内核回收 · 巡察台账</title>" in body
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', body).group(1)
    assert kernel in kernel_ids(pool_only)  # the GET took a kernel...
    wait_until(lambda: kernel not in kernel_ids(pool_only), "a bare GET's kernel to be reclaimed")
    assert f"Giving back kernel {kernel}: its page was never opened by a browser" in pool_only.log()


def test_a_full_server_says_so_in_chinese_with_503(
    pool_only, page, wait_for_voila, screenshot, request_monitor
):
    page.goto(pool_only.url("hello.ipynb"), wait_until="commit")
    wait_for_voila(page, text="内核回收测试")  # the one page place is taken
    status, body, headers = fetch(pool_only.url("errors.ipynb"))
    assert status == 503
    assert body.index("访问人数较多，请稍后再试") < body.index("Too many people")
    assert headers.get("Retry-After") == "30"
    busy = page.context.new_page()
    response = busy.goto(pool_only.url("errors.ipynb"))
    assert response.status == 503
    assert busy.get_by_text("访问人数较多，请稍后再试").is_visible()
    assert busy.title() == "访问人数较多 · 巡察台账"
    screenshot("serve-busy")  # the first page; the busy one is below
    busy.screenshot(path=str(Path(screenshot("serve-busy")).with_name("serve-busy-page.png")), full_page=True)
    assert len(kernel_ids(pool_only)) == 3  # refused without taking a kernel
    kernel = page_kernel_id(page)
    page.close(run_before_unload=True)
    wait_until(lambda: kernel not in kernel_ids(pool_only), "the page's kernel to come back")
    status, body, _ = fetch(pool_only.url("errors.ipynb"))
    assert status == 200 and "<title>出错测试 · 巡察台账</title>" in body  # a place is free again
    assert request_monitor.external == []


def test_a_forged_host_header_is_refused(pool_only):
    before = kernel_ids(pool_only)
    for path in (pool_only.url(), pool_only.url("hello.ipynb")):
        assert fetch(path, host="rebind.example.com")[0] == 403
        assert fetch(path, host=f"rebind.example.com:{pool_only.port}")[0] == 403
    assert (
        fetch(
            pool_only.url("hello.ipynb").replace("voila/render", "voila/api/shutdown"), host="evil.example"
        )[0]
        == 403
    )
    assert fetch(pool_only.url(), host=f"localhost:{pool_only.port}")[0] == 200
    assert kernel_ids(pool_only) == before  # no page was rendered for a forged Host
    assert "Blocking request with non-local 'Host' rebind.example.com" in pool_only.log()


def test_the_token_appears_only_in_the_banner(pool_only, page, wait_for_voila, request_monitor):
    token = pool_only.token
    page.goto(pool_only.url("hello.ipynb", round="R9"), wait_until="commit")
    wait_for_voila(page, selector=".env-dump")
    dump = page.locator(".env-dump").inner_text()
    assert "round=R9" in dump  # the kernel got the query string...
    assert token not in dump and "XUNCHA_SERVE_TOKEN" not in dump  # ...but not the token
    assert token not in page.content()
    assert page.context.cookies()  # the token was traded for the login cookie
    kernel = page_kernel_id(page)
    # the page guard told the server a browser is here (plain URL; Voila's own request adds ?<time>)
    assert f"{pool_only.base_url}api/kernels/{kernel}" in request_monitor.all
    page.close(run_before_unload=True)
    wait_until(lambda: kernel not in kernel_ids(pool_only), "the page's kernel to come back")
    assert fetch(pool_only.url("missing.ipynb"))[0] == 404
    assert fetch(pool_only.url())[0] == 200
    assert fetch(pool_only.url(), host="evil.example")[0] == 403  # logged as a warning, with its URL
    log = pool_only.log()
    banner = [line for line in log.splitlines() if token in line]
    assert banner == [f"    {pool_only.base_url}?token={token}"], banner
    assert "404 GET /voila/render/missing.ipynb (" in log  # a page's token is dropped once checked
    assert "403 GET /?token=*** (" in log  # any other URL's is masked
    assert "200 GET /voila/render/hello.ipynb?round=R9 " in log


def test_kernel_errors_reach_the_browser_as_a_sentence(pool_only, page, wait_for_voila, screenshot):
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(readable(data))))
    page.goto(pool_only.url("errors.ipynb"), wait_until="commit")
    wait_for_voila(page, selector=".xuncha-boom")
    notice = page.locator("#xuncha-notice-error")

    page.locator(".xuncha-boom").click()  # a callback that raises
    notice.wait_for(state="visible")
    assert notice.inner_text().startswith(SENTENCE)
    page.locator(".xuncha-boom-out").click()  # one that raises inside an Output widget
    page.locator(".xuncha-out").get_by_text(SENTENCE).wait_for(state="visible")
    screenshot("serve-kernel-error")

    replies = page.evaluate(  # a comm_open to a target that fails, on a socket of our own
        """async (kernelId) => {
          const id = () => Math.random().toString(16).slice(2) + Date.now();
          const ws = new WebSocket(`ws://${location.host}/api/kernels/${kernelId}/channels?session_id=${id()}`);
          await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
          const got = [];
          ws.onmessage = (e) => got.push(typeof e.data === "string" ? e.data : "[binary]");
          ws.send(JSON.stringify({
            header: {msg_id: id(), username: "t", session: id(), msg_type: "comm_open", version: "5.3",
                     date: new Date().toISOString()},
            parent_header: {}, metadata: {}, channel: "shell", buffers: [],
            content: {comm_id: id(), target_name: "xuncha-boom", data: {}}}));
          for (let i = 0; i < 60 && !got.some((m) => m.includes('"msg_type": "error"')); i++) {
            await new Promise((r) => setTimeout(r, 250));
          }
          ws.close();
          return got;
        }""",
        page_kernel_id(page),
    )
    replies = [readable(m) for m in replies]
    errors = [json.loads(m) for m in replies if '"msg_type": "error"' in m]
    assert errors, replies
    assert errors[0]["content"]["evalue"] == ERROR_SENTENCE

    shown = page.locator("body").inner_text()
    for leak in ("Traceback", "机密", "secret-path", "ValueError", "RuntimeError"):
        assert leak not in shown, leak
        for data in [*frames, *replies]:
            assert leak not in data, (leak, data[:300])
    log = pool_only.log()  # the real tracebacks are on the server, for the operator
    assert "机密-callback /srv/secret-path" in log and "机密-output /srv/secret-path" in log
    assert "Exception opening comm with target: xuncha-boom" in log and "机密-comm" in log

    page.evaluate(  # the kernel goes away under an open page (here: the shutdown API, with _xsrf)
        """async (kernelId) => {
          const xsrf = document.cookie.match("\\\\b_xsrf=([^;]*)\\\\b")[1];
          const r = await fetch(`/voila/api/shutdown/${kernelId}`, {method: "POST", headers: {"X-XSRFToken": xsrf}});
          if (r.status !== 204) throw new Error(`shutdown answered ${r.status}`);
        }""",
        page_kernel_id(page),
    )
    lost = page.locator("#xuncha-notice-lost")
    lost.wait_for(state="visible", timeout=60_000)
    assert lost.inner_text().startswith("与服务器的连接已断开，请刷新页面。")
    screenshot("serve-connection-lost")
