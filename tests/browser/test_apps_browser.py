"""The leaders' app as a leader uses it, in headless Chromium on `toolkit serve` over the sample ledger.

One page, one kernel: the leader's path (overview, a click on a region, 轮次, a unit, Back, Back)
is checked at every step for the view, the filter, the selection and the URL, and for the page
never loading again (a marker set on the window survives, the load event fired once). Old links
(round.ipynb?round=…) and new ones open the app on their view; a link without the token gets the
Chinese token page and then the linked state. Figures shown are compared with the metrics.
Screenshots (1440 and 390 px wide) land in test-artifacts/screenshots.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

from toolkit import Ledger, labels, listings, metrics
from toolkit.filters import Filters
from toolkit.masking import mask_name
from toolkit.serve import DEFAULT_NOTEBOOK_DIR

NOTEBOOKS = DEFAULT_NOTEBOOK_DIR  # the app notebook shipped in the package
REGION = "西山区"


@pytest.fixture(scope="module")
def app_server(serve_notebooks, sample_path):
    return serve_notebooks(NOTEBOOKS, ledger=str(sample_path))


@pytest.fixture(scope="module")
def ledger(sample_path):
    with Ledger.open(sample_path) as led:
        yield led


def kpi(page, key: str) -> str:
    return page.locator(f"[data-kpi='{key}']").first.inner_text()


def state_of(page) -> dict[str, str]:
    """The app's state as the address bar says it (path must be the app's, no token)."""
    parts = urlsplit(page.url)
    assert parts.path.endswith("/voila/render/app.ipynb"), page.url
    query = dict(parse_qsl(parts.query))
    assert "token" not in query, page.url
    return query


def click_mark(page, mark, until, tries: int = 3) -> None:
    """Click the middle of a chart mark until ``until()`` holds (a chart may be drawn before its
    click handler is bound on a busy machine; a person would click again)."""
    for attempt in range(tries):
        mark.scroll_into_view_if_needed()
        box = mark.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            until()
            return
        except Exception:
            if attempt == tries - 1:
                raise


def open_app(page, server, selector: str, **query) -> None:
    page.goto(server.url("app.ipynb", **query), wait_until="commit")
    page.wait_for_selector(selector, timeout=120_000)


def wait_state(page, **expected) -> None:
    """Wait until the URL names exactly ``expected`` (None: absent) for those keys."""
    page.wait_for_function(
        """(expected) => { const q = new URLSearchParams(location.search);
           return Object.entries(expected).every(([k, v]) => v === null ? !q.has(k) : q.get(k) === v); }""",
        arg=expected,
        timeout=60_000,
    )


def default_round(ledger, region: str, day: dt.date) -> str:
    """The latest round of the region whose every dated problem's deadline has passed (oracle)."""
    problems = ledger.table("problems").execute()
    units = ledger.table("units").execute().set_index("id")
    rounds = ledger.table("rounds").execute().set_index("id")
    mine = problems[problems["unit_id"].map(units["region"]) == region]
    last_due = mine.groupby("round_id")["due"].max()
    ended = last_due[pd.to_datetime(last_due).dt.date <= day].index
    return rounds.loc[ended].sort_values("start").index[-1]


def test_the_leaders_path_is_one_page(app_server, page, screenshot, request_monitor, ledger):
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_server.url(), wait_until="commit")  # the server's root opens the app
    page.wait_for_selector("[data-kpi='problems']", timeout=120_000)
    assert state_of(page) == {}  # the token left the address bar
    head = metrics.headline(ledger).iloc[0]
    assert kpi(page, "problems") == labels.number(head["problems"])
    assert kpi(page, "rectification_rate") == labels.percent(head["rate"])
    page.evaluate("window.__xcMarker = 'first load'")
    page.locator(".xc-chart-peers .mark-rect path").first.wait_for(state="attached")
    screenshot("app-1440-overview")

    # a click on a region: every panel filters, both region charts keep it highlighted
    bar = page.locator(f".xc-chart-peers .mark-rect path[aria-label*='{REGION}']").first
    click_mark(page, bar, lambda: wait_state(page, region=REGION, view=None))
    region_head = metrics.headline(ledger, filters=Filters(region=REGION)).iloc[0]
    page.wait_for_function(
        "n => document.querySelector(\"[data-kpi='problems']\").innerText === n",
        arg=labels.number(region_head["problems"]),
    )
    assert page.locator(".xc-filter-region select").input_value() == REGION
    for chart in (".xc-chart-peers", ".xc-chart-regions"):
        page.wait_for_function(
            """([chart, region]) => { const bars = [...document.querySelectorAll(chart + ' .mark-rect path')]
                 .filter(p => p.getAttribute('aria-roledescription') === 'bar');
               const mine = bars.filter(p => (p.getAttribute('aria-label') || '').includes(region));
               const others = bars.filter(p => !(p.getAttribute('aria-label') || '').includes(region));
               return mine.length && mine.every(p => p.getAttribute('opacity') === '1')
                   && others.length && others.every(p => p.getAttribute('opacity') === '0.35'); }""",
            arg=[chart, REGION],
        )
    assert "清除筛选" in page.locator(".xc-crumbs").inner_text()
    screenshot("app-1440-overview-region")

    # 轮次: the filter follows; with no round chosen, the round shown is named and explained
    page.locator(".xc-nav").get_by_role("button", name="轮次").click()
    wait_state(page, view="round", region=REGION)
    round_id = default_round(ledger, REGION, dt.date.today())
    page.wait_for_selector(f"[data-round='{round_id}']")
    assert "整改期限已过的最近一轮" in page.locator(".xc-round-why").inner_text()
    assert page.locator(".xc-filter-region select").input_value() == REGION
    round_head = metrics.headline(ledger, filters=Filters(region=REGION, round=round_id)).iloc[0]
    assert kpi(page, "problems") == labels.number(round_head["problems"])
    screenshot("app-1440-round")

    # a unit: its portrait, the round now chosen, the breadcrumbs lead back
    top = listings.round_units(ledger, round_id, filters=Filters(region=REGION)).iloc[0]
    unit_bar = page.locator(".xc-chart-round-units .mark-rect path").first
    unit_bar.wait_for(state="attached")
    click_mark(page, unit_bar, lambda: wait_state(page, view="unit", unit=top["unit"], round=round_id))
    page.wait_for_selector(".xc-problems")
    crumbs = page.locator(".xc-crumbs").inner_text().split()
    round_name = ledger.table("rounds").execute().set_index("id").at[round_id, "name"]
    assert crumbs[:7] == ["总览", "›", REGION, "›", round_name, "›", top["unit_name"]], crumbs
    assert kpi(page, "problems") == labels.number(len(listings.unit_problems(ledger, top["unit"])))
    screenshot("app-1440-unit")

    page.go_back()  # the round again, as it was
    wait_state(page, view="round", region=REGION, unit=None)
    page.wait_for_selector(f"[data-round='{round_id}']")
    page.go_back()  # the overview with the region
    wait_state(page, view=None, region=REGION)
    page.wait_for_function(
        "n => document.querySelector(\"[data-kpi='problems']\")?.innerText === n",
        arg=labels.number(region_head["problems"]),
    )
    assert page.locator(".xc-filter-region select").input_value() == REGION
    page.go_forward()
    wait_state(page, view="round", region=REGION)

    # the clear-filter button: back to the whole ledger, as a new entry
    page.locator(".xc-clear").click()
    wait_state(page, view="round", region=None)
    assert page.evaluate("window.__xcMarker") == "first load" and len(loads) == 1, loads
    assert request_monitor.external == [], request_monitor.external


@pytest.mark.parametrize(
    ("link", "query", "selector", "state"),
    [
        ("round.ipynb", {"round": "R7-CITY-08"}, "[data-round='R7-CITY-08']", {"view": "round", "round": "R7-CITY-08"}),
        ("unit.ipynb", {"unit": "U000517"}, ".xc-problems", {"view": "unit", "unit": "U000517"}),
        ("tracker.ipynb", {"preset": "nanjing"}, ".xc-tracker", {"view": "tracker", "preset": "nanjing"}),
        ("scoreboard.ipynb", {"by": "team"}, ".xc-score", {"view": "scoreboard", "by": "team"}),
        ("overview.ipynb", {"region": REGION, "lang": "en"}, "[data-kpi='problems']", {"region": REGION, "lang": "en"}),
        ("app.ipynb", {"view": "round", "round": "R7-CITY-08", "lang": "en"}, "[data-round='R7-CITY-08']",
         {"view": "round", "round": "R7-CITY-08", "lang": "en"}),
    ],
)  # fmt: skip
def test_old_and_new_links_open_the_app_on_their_view(app_server, page, ledger, link, query, selector, state):
    page.goto(app_server.url(link, **query), wait_until="commit")
    page.wait_for_selector(selector, timeout=120_000)
    assert state_of(page) == state
    if "round" in query:
        head = metrics.headline(ledger, filters=Filters(round=query["round"])).iloc[0]
        assert kpi(page, "problems") == labels.number(head["problems"])
    if link == "overview.ipynb":
        head = metrics.headline(ledger, filters=Filters(region=REGION)).iloc[0]
        assert kpi(page, "problems") == labels.number(head["problems"])
        assert page.get_by_text("Rectification rate").first.is_visible()


def test_the_old_links_redirect_without_a_kernel(app_server):
    """The server answers the five old pages with a redirect to the app, parameters kept."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for old, view in (("round.ipynb", "round"), ("unit.ipynb", "unit"), ("overview.ipynb", "overview")):
        with pytest.raises(urllib.error.HTTPError) as err:
            opener.open(app_server.url(old, token=False, region=REGION), timeout=30)
        assert err.value.code == 302
        location = urlsplit(err.value.headers["Location"])
        assert location.path.endswith("/voila/render/app.ipynb")
        assert dict(parse_qsl(location.query)) == {"view": view, "region": REGION}


def test_a_link_without_the_token_asks_for_it_in_chinese(app_server, browser, screenshot):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(app_server.url("round.ipynb", token=False, round="R7-CITY-08"), wait_until="commit")
        page.wait_for_selector(".xuncha-login", timeout=60_000)
        assert page.title() == "请输入访问令牌 · 巡察台账"
        assert "访问令牌" in page.locator("main").inner_text()
        page.fill("#password_input", "wrong")
        page.click("#login_submit")
        page.wait_for_selector(".error")
        assert "访问令牌不正确" in page.locator(".error").inner_text()
        page.screenshot(path=str(screenshot("token-page").with_name("token-page-390.png")), full_page=True)
        page.fill("#password_input", app_server.token)
        page.click("#login_submit")
        page.wait_for_selector("[data-round='R7-CITY-08']", timeout=120_000)  # on to the linked state
        assert state_of(page) == {"view": "round", "round": "R7-CITY-08"}
    finally:
        context.close()


def test_a_link_naming_nothing_says_so_and_shows_nothing_else(app_server, page, screenshot):
    open_app(
        page, app_server, ".xc-link-error", view="overview", region="火星区", as_of="2021-13-01", lang="en"
    )
    text = page.locator(".xc-link-error").first.inner_text()
    assert 'Region "火星区" is not in the ledger' in text and 'As-of date "2021-13-01" not understood' in text
    assert page.locator("[data-kpi]").count() == 0 and page.locator(".mark-rect").count() == 0
    page.locator(".xc-nav").get_by_role("button", name="Round").click()  # the leader chooses: data again
    page.wait_for_selector(".xc-round-info", timeout=60_000)
    open_app(page, app_server, ".xc-link-error", view="unit", unit="U999999")
    assert "未找到单位“U999999”" in page.locator(".xc-link-error").inner_text()
    assert page.locator(".xc-problems").count() == 0
    screenshot("app-link-error-unit")


def test_a_unit_portrait_masks_names_and_offers_its_report(app_server, page, screenshot, ledger):
    clues = ledger.table("clues").execute()
    unit_id = clues.groupby("unit_id").size().sort_values(ascending=False).index[0]
    open_app(page, app_server, ".xc-problems", view="unit", unit=unit_id)
    text = page.locator(".xc-body").inner_text()
    for subject in clues.loc[clues["unit_id"] == unit_id, "subject"]:
        assert subject not in text and mask_name(subject) in text
    history = page.locator(".xc-history").inner_text()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 .+记录了此问题", history), history
    assert "status_changed" not in text and "{" not in history
    assert "近五年" in page.locator(".xc-body").inner_text()  # the report's period is said
    page.locator(".xc-report .widget-button").first.click()
    link = page.locator("a.xc-download").first
    link.wait_for(timeout=120_000)
    assert link.get_attribute("download").startswith("一报一单_")


def test_the_tracker_sorts_pages_and_exports(app_server, page, ledger):
    open_app(page, app_server, ".xc-tracker", view="tracker")
    summary = metrics.overdue_summary(ledger).iloc[0]
    assert kpi(page, "red") == labels.number(summary["red"])
    first = page.locator(".xc-tracker tbody tr").first.inner_text()
    assert "逾期" in first and "天" in first  # 逾期 N 天, never a bare -3415
    assert page.locator(".xc-tracker tbody tr").count() == 25
    info = page.locator(".xc-table-info").first
    assert info.inner_text() == f"第 1–25 条，共 {labels.number(summary['open'])} 条"
    page.locator(".xc-page-next").first.click()
    assert info.inner_text().startswith("第 26–50 条")
    header = page.locator(".xc-tracker th", has_text="延期次数")
    header.click()
    header.click()  # descending: the most extended first
    most = metrics.overdue(ledger)["extensions"].max()
    assert page.locator(".xc-tracker tbody tr").first.locator("td").nth(5).inner_text() == str(most)
    assert header.get_attribute("aria-sort") == "descending"
    page.locator(".xc-report .widget-button").first.click()
    link = page.locator("a.xc-download").first
    link.wait_for(timeout=60_000)
    assert link.get_attribute("href").startswith("data:application/vnd.openxmlformats")


def test_an_empty_ledger_gets_a_sentence_not_a_traceback(voila_server, page, screenshot):
    """``voila_server`` serves the app over a ledger with no records yet."""
    page.goto(voila_server.url(), wait_until="commit")
    page.wait_for_selector(".xc-message", timeout=120_000)
    assert "台账中还没有数据" in page.locator(".xc-message").first.inner_text()
    assert "Traceback" not in page.content()


def test_only_the_app_is_served(app_server):
    """Workshop solutions and the analyst's import page (it writes) never reach a leader."""
    with urllib.request.urlopen(app_server.url("app.ipynb"), timeout=120) as ok:
        assert ok.status == 200
    for hidden in ("analyst/import.ipynb", "workshop/solutions/01_认识台账.ipynb"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(app_server.url(urllib.request.quote(hidden)), timeout=60)
        assert err.value.code == 404
