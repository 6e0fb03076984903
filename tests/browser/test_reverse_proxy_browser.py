"""Behind an office's reverse proxy: ``toolkit serve --base-url /xuncha/`` reached through a proxy
configured as docs/deploy.md says (tests/browser/reverse_proxy.py plays nginx).

The app loads through the proxy, its kernel's websocket passes the server's origin check, a view
switch works without a page load, and a closed page gives its kernel back (the shutdown beacon goes
through the proxy too).
"""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import start_server, stop_server
from tests.browser.reverse_proxy import Proxy

KPI = "[data-kpi='problems']"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, sample_path):
    log = tmp_path_factory.mktemp("proxied") / "serve.log"
    server = start_server(None, str(sample_path), log, pool_size=1, options=("--base-url", "/xuncha/"))
    proxy = Proxy(server.port).start()
    yield server, proxy
    proxy.stop()
    stop_server(server)


def test_the_app_behind_a_proxy_under_a_base_url(proxied, browser, screenshot, request_monitor):
    server, proxy = proxied
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.on("request", lambda req: request_monitor.record(req.url))
    page = context.new_page()
    try:
        page.goto(f"{proxy.public}/xuncha/?token={server.token}", wait_until="commit")
        page.wait_for_selector(KPI, timeout=120_000)
        assert page.url.startswith(f"{proxy.public}/xuncha/voila/render/app.ipynb")
        assert page.locator(KPI).first.inner_text().strip()
        # charts fetch the Vega bundle from the server by URL: it must resolve under the base URL
        page.wait_for_selector(".xc-chart .mark-rect path", state="attached", timeout=60_000)
        bundles = [u for u in request_monitor.all if "/voila/static/vega-bundle-" in u]
        assert bundles and all(u.startswith(f"{proxy.public}/xuncha/voila/static/") for u in bundles)
        page.evaluate("window.__xcMarker = 1")
        page.locator(".xc-nav").get_by_role("button", name="轮次").click()
        page.wait_for_function("new URLSearchParams(location.search).get('view') === 'round'", timeout=60_000)
        assert page.evaluate("window.__xcMarker") == 1  # no page load
        assert page.url.startswith(f"{proxy.public}/xuncha/")
        busy = len(server.kernels())
    finally:
        page.close(run_before_unload=True)
        context.close()
    deadline = time.monotonic() + 60
    while len(server.kernels()) >= busy and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(server.kernels()) < busy, "the closed page's kernel was not given back through the proxy"
    assert "Traceback" not in server.log()
