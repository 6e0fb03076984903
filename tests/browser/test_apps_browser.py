"""The five apps as a leader uses them, in headless Chromium on `toolkit serve` over the sample ledger.

Each test checks figures shown against the metrics library, a click or deep link that changes
what is shown, and that no request left the machine. Screenshots land in test-artifacts/screenshots.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import Ledger, labels, listings, metrics
from toolkit.filters import Filters
from toolkit.masking import mask_name

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def app_server(serve_notebooks, sample_path):
    return serve_notebooks(NOTEBOOKS, ledger=str(sample_path))


@pytest.fixture(scope="module")
def ledger(sample_path):
    with Ledger.open(sample_path) as led:
        yield led


def kpi(page, key: str) -> str:
    return page.locator(f"[data-kpi='{key}']").first.inner_text()


def click_centre(page, locator) -> None:
    """Click the middle of a chart mark, as a person would (scrolled into view first)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def click_until(page, locator, expected, tries: int = 3) -> None:
    """Click a chart mark until ``expected`` shows (a chart can be drawn before its click handler
    is bound on a busy machine; a person would click again)."""
    for attempt in range(tries):
        click_centre(page, locator)
        try:
            expected.wait_for(timeout=30_000)
            return
        except Exception:
            if attempt == tries - 1:
                raise


def open_app(page, wait_for_voila, server, notebook: str, selector: str, **query) -> None:
    page.goto(server.url(notebook, **query), wait_until="commit")
    wait_for_voila(page, selector=selector)


def test_overview_figures_drill_and_language(
    app_server, page, wait_for_voila, screenshot, request_monitor, ledger
):
    open_app(page, wait_for_voila, app_server, "overview.ipynb", "[data-kpi='rectification_rate']")
    page.wait_for_selector(".mark-rect path", state="attached")
    head = metrics.headline(ledger).iloc[0]
    ontime = metrics.on_time_rate(ledger).iloc[0]
    assert kpi(page, "problems") == labels.number(head["problems"])
    assert kpi(page, "rectification_rate") == labels.percent(head["rate"])
    assert kpi(page, "on_time_rate") == labels.percent(ontime["rate"])
    assert (
        f"{labels.number(head['rectified'])} / {labels.number(head['problems'])}"
        in page.locator("[data-kpi-note='rectification_rate']").inner_text()
    )
    assert (
        kpi(page, "recovered")
        == labels.yuan(metrics.outcomes(ledger).iloc[0]["recovered_yuan"])
        == "3,842万元"
    )
    screenshot("app-overview")

    # click the first region bar of the peer chart: every panel filters to that region
    bars = page.locator(".xc-peers .mark-rect path")
    bars.first.wait_for(state="attached")
    click_centre(page, bars.first)
    page.wait_for_function(
        "document.querySelector('.xc-filter-region select').value !== '全部'", timeout=60_000
    )
    region = page.locator(".xc-filter-region select").input_value()
    page.wait_for_function(
        f"(() => {{ const el = document.querySelector(\"[data-kpi='problems']\"); return el && el.innerText === '{labels.number(metrics.headline(ledger, filters=Filters(region=region)).iloc[0]['problems'])}'; }})()",
        timeout=60_000,
    )
    screenshot("app-overview-drilled")

    page.get_by_role("button", name="English").click()
    page.get_by_text("Rectification rate").first.wait_for(timeout=60_000)
    assert page.locator(".xc-filter-region select").input_value() == region  # filters survive the switch
    screenshot("app-overview-english")
    assert request_monitor.external == [], request_monitor.external


def test_round_deep_link_and_unit_click(
    app_server, page, wait_for_voila, screenshot, request_monitor, ledger
):
    round_id = "R7-CITY-08"
    open_app(page, wait_for_voila, app_server, "round.ipynb", f"[data-round='{round_id}']", round=round_id)
    head = metrics.headline(ledger, filters=Filters(round=round_id)).iloc[0]
    assert kpi(page, "problems") == labels.number(head["problems"])
    assert kpi(page, "units") == labels.number(head["units"])
    screenshot("app-round")
    bars = page.locator(".mark-rect path")
    bars.first.wait_for(state="attached")
    link = page.locator("a.xc-open-unit").first
    click_until(page, bars.first, link)
    top = listings.round_units(ledger, round_id).iloc[0]
    assert top["unit_name"] in link.inner_text()
    screenshot("app-round-unit-opened")
    assert request_monitor.external == []


def test_unit_portrait_deep_link_masks_names(
    app_server, page, wait_for_voila, screenshot, request_monitor, ledger
):
    clues = ledger.table("clues").execute()
    unit_id = clues.groupby("unit_id").size().sort_values(ascending=False).index[0]
    open_app(page, wait_for_voila, app_server, "unit.ipynb", ".xc-problems", unit=unit_id)
    problems = listings.unit_problems(ledger, unit_id)
    assert kpi(page, "problems") == labels.number(len(problems))
    text = page.locator(".xc-body").inner_text()
    for subject in clues.loc[clues["unit_id"] == unit_id, "subject"]:
        assert subject not in text  # 被反映人 masked
        assert mask_name(subject) in text
    screenshot("app-unit")
    page.locator("button.xc-report-button").first.click()  # 一报一单 for this unit, built on click
    link = page.locator("a.xc-download").first
    link.wait_for(timeout=120_000)
    assert link.get_attribute("href").startswith(
        "data:application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert link.get_attribute("download").startswith("一报一单_")
    assert request_monitor.external == []


def test_tracker_colours_match_the_warning_metric(
    app_server, page, wait_for_voila, screenshot, request_monitor, ledger
):
    open_app(page, wait_for_voila, app_server, "tracker.ipynb", ".xc-tracker")
    summary = metrics.overdue_summary(ledger).iloc[0]
    assert kpi(page, "red") == labels.number(summary["red"])
    assert kpi(page, "open") == labels.number(summary["open"])
    screenshot("app-tracker")
    page.get_by_role("button", name="南京（逾期10天红色）").click()
    nanjing = metrics.overdue_summary(ledger, rules="nanjing").iloc[0]
    page.wait_for_function(
        f"document.querySelector(\"[data-kpi='red']\").innerText === '{labels.number(nanjing['red'])}'",
        timeout=60_000,
    )
    assert (
        page.locator("a.xc-download")
        .first.get_attribute("href")
        .startswith("data:application/vnd.openxmlformats")
    )
    assert request_monitor.external == []


def test_scoreboard_bands_and_weights(app_server, page, wait_for_voila, screenshot, request_monitor, ledger):
    open_app(page, wait_for_voila, app_server, "scoreboard.ipynb", ".xc-score")
    board = (
        metrics.scoreboard(ledger, by="region").dropna(subset=["score"]).sort_values("score", ascending=False)
    )
    first_row = page.locator(".xc-score tbody tr").first.inner_text()
    assert board.iloc[0]["region"] in first_row and f"{board.iloc[0]['score']:.1f}" in first_row
    screenshot("app-scoreboard")
    assert request_monitor.external == []


def test_a_filter_with_no_data_says_so(app_server, page, wait_for_voila, screenshot, request_monitor):
    open_app(
        page,
        wait_for_voila,
        app_server,
        "overview.ipynb",
        ".xc-message",
        sector="人防",
        unit_kind="village",
        lang="en",
    )
    assert "No data for these filters" in page.locator(".xc-message").first.inner_text()
    assert page.locator(".xc-filter-sector select").input_value() == "人防"
    screenshot("app-overview-empty-filter")
    assert request_monitor.external == []


@pytest.mark.parametrize(
    ("notebook", "query", "sentences"),
    [
        ("unit.ipynb", {"unit": "U999999"}, ["未找到单位“U999999”"]),
        (
            "overview.ipynb",
            {"region": "火星区", "as_of": "2021-13-01", "lang": "en"},
            ['Region "火星区" is not in the ledger', 'As-of date "2021-13-01" not understood'],
        ),
    ],
)
def test_a_link_naming_nothing_says_so_and_shows_nothing_else(
    app_server, page, wait_for_voila, screenshot, request_monitor, notebook, query, sentences
):
    open_app(page, wait_for_voila, app_server, notebook, ".xc-link-error", **query)
    text = page.locator(".xc-link-error").first.inner_text()
    assert all(s in text for s in sentences), text
    assert page.locator("[data-kpi]").count() == 0 and page.locator(".xc-problems").count() == 0
    assert page.locator(".mark-rect").count() == 0  # no chart of another round or region
    screenshot(f"app-link-error-{notebook.split('.')[0]}")
    assert request_monitor.external == []


def test_an_empty_ledger_gets_a_sentence_not_a_traceback(voila_server, page, wait_for_voila, screenshot):
    """``voila_server`` serves the apps over a ledger with no records yet."""
    page.goto(voila_server.url("tracker.ipynb"), wait_until="commit")
    wait_for_voila(page, selector=".xc-message")
    text = page.locator(".xc-message").first.inner_text()
    assert "台账中还没有数据" in text
    assert "Traceback" not in page.content()
    screenshot("app-empty-ledger")


def test_only_the_apps_are_served(app_server):
    """Workshop solutions and the analyst's import page (it writes) never reach a leader."""
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(app_server.url("overview.ipynb"), timeout=120) as ok:
        assert ok.status == 200
    for hidden in ("analyst/import.ipynb", "workshop/solutions/01_认识台账.ipynb"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(app_server.url(urllib.request.quote(hidden)), timeout=60)
        assert err.value.code == 404
