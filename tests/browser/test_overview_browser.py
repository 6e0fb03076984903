"""The first app, as a leader sees it: `toolkit serve` on the sample ledger, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import Ledger, labels, metrics

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def app_server(serve_notebooks, sample_path):
    return serve_notebooks(NOTEBOOKS, ledger=str(sample_path))


def test_overview_shows_the_ledgers_headline_figures(app_server, page, wait_for_voila, screenshot, request_monitor, sample_path):
    page.goto(app_server.url("overview.ipynb"), wait_until="commit")
    wait_for_voila(page, selector="[data-kpi='problems']")
    page.wait_for_selector(".mark-rect path", state="attached")
    shot = screenshot("overview")

    with Ledger.open(sample_path) as ledger:
        head = metrics.headline(ledger).iloc[0]
    shown = {el.get_attribute("data-kpi"): el.inner_text() for el in page.query_selector_all(".kpi-value")}
    assert shown["problems"] == labels.number(head["problems"]) == "10,782"
    assert shown["units"] == labels.number(head["units"])
    assert shown["clues"] == labels.number(head["clues"])
    assert shown["rectification_rate"] == labels.percent(head["rate"])
    assert page.get_by_text("巡察工作总览").first.is_visible()
    assert page.get_by_text("各地区发现问题与整改情况").first.is_visible()
    assert len(page.query_selector_all(".mark-rect path")) == 24  # 12 regions x 2 statuses
    assert request_monitor.external == [], request_monitor.external
    assert shot.stat().st_size > 20_000
