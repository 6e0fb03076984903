"""The app's first view, as a leader sees it: `toolkit serve` on the sample ledger, in headless Chromium."""

from __future__ import annotations

import pytest

from toolkit import Ledger, labels, metrics
from toolkit.serve import DEFAULT_NOTEBOOK_DIR

NOTEBOOKS = DEFAULT_NOTEBOOK_DIR  # the app notebook shipped in the package


@pytest.fixture(scope="module")
def app_server(serve_notebooks, sample_path):
    return serve_notebooks(NOTEBOOKS, ledger=str(sample_path))


def test_the_first_view_shows_the_ledgers_headline_figures(
    app_server, page, screenshot, request_monitor, sample_path
):
    page.goto(app_server.url(), wait_until="commit")
    page.wait_for_selector("[data-kpi='problems']", timeout=120_000)
    page.wait_for_selector(".xc-chart-peers .mark-rect path", state="attached")

    with Ledger.open(sample_path) as ledger:
        head = metrics.headline(ledger).iloc[0]
        coverage = metrics.coverage(ledger).iloc[0]
        events = ledger.table("events").execute()
    shown = {el.get_attribute("data-kpi"): el.inner_text() for el in page.query_selector_all(".kpi-value")}
    assert shown["problems"] == labels.number(head["problems"]) == "10,782"
    assert labels.number(head["units"]) in page.locator("[data-kpi-note='problems']").inner_text()
    assert shown["clues"] == labels.number(head["clues"])
    assert shown["rectification_rate"] == labels.percent(head["rate"])
    # every figure says its scope: coverage is one term's, the page says how current the data is
    assert coverage["term"] in page.locator("[data-kpi-note='coverage']").inner_text()
    stamp = page.locator(".xc-stamp").inner_text()
    assert f"数据截至：{labels.date(events['at'].max().date())}" in stamp and "更新于" in stamp
    assert "范围：全部届次 · 全部地区 · 截至" in page.locator(".xc-scope").first.inner_text()
    bars = page.query_selector_all(".xc-chart-peers .mark-rect path[aria-roledescription='bar']")
    assert len(bars) == 12  # 12 regions, each against the median of the others (a tick)
    assert request_monitor.external == [], request_monitor.external
    assert screenshot("overview").stat().st_size > 20_000
