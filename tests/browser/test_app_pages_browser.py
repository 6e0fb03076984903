"""Every view in both languages, on a desk screen, on a 390 px phone and on A4 paper.

Each view is reached by its tab (no page load), in Chinese and in English, at 1440 and 390 px;
a screenshot of each lands in test-artifacts/screenshots (app-<width>-<lang>-<view>.png). In
English the words of the page itself (headings, labels, buttons, table headers, chart axes and
legends) hold no Chinese: only data values (a region's name) may. In Chinese no code word of the
ledger (``open``, ``status_changed``, ``blue``…) or JSON shows anywhere. On the phone nothing is
wider than the screen. Printed to A4 PDF, every panel's title is in the PDF's text.
"""

from __future__ import annotations

import contextlib
import re
import subprocess

import pytest

from toolkit.serve import DEFAULT_NOTEBOOK_DIR

NOTEBOOKS = DEFAULT_NOTEBOOK_DIR  # the app notebook shipped in the package
VIEWS = {  # tab (zh, en), and what shows once the view is drawn
    "overview": ("总览", "Overview", ".xc-chart-regions .mark-rect path"),
    "round": ("轮次", "Round", ".xc-chart-round-progress .mark-rect path"),
    "unit": ("单位画像", "Unit portrait", ".xc-problems table"),
    "tracker": ("整改跟踪", "Rectification tracker", ".xc-tracker table"),
    "scoreboard": ("评分", "Scoreboard", ".xc-chart-score .mark-rect path"),
}
CHROME = (  # the page's own words (data values live elsewhere: cells, notes, names on axes)
    ".xc-app h2, .xc-app h3:not(.xc-data *), .xc-app th, .kpi-label, .xc-app .widget-label:not(.xc-crumbs *), "
    ".xc-nav button, .xc-app .widget-toggle-button:not(.xc-lang *), .xc-app .widget-button:not(.xc-crumbs *), "
    ".xc-table-info, .xc-table-foot button, .xc-rules, .xc-score-how, .xc-stamp, "
    ".role-axis-title text, .role-legend-title text, .role-legend-label text"
)
CODE_WORDS = re.compile(
    r"\b(open|in_progress|rectified|closed|ongoing|status_changed|added|closed_out|deadline_extended|"
    r"blue|green|yellow|red|none|None|NaN|null|true|false|jiangjin|nanjing)\b|\{\"|\":"
)


@pytest.fixture(scope="module")
def app_server(serve_notebooks, sample_path):
    return serve_notebooks(NOTEBOOKS, ledger=str(sample_path))


def chrome_with_chinese(page) -> list[str]:
    """The page's own words still in Chinese, once the redrawn charts have had time to settle."""
    script = f"""() => [...document.querySelectorAll({CHROME!r})].map(e => e.textContent.trim())
                     .filter(t => /[\u3400-\u9fff\uff01-\uff5e]/.test(t))"""
    with contextlib.suppress(Exception):  # the assertion below names what is left
        page.wait_for_function(f"({script})().length === 0", timeout=15_000)
    return sorted(set(page.evaluate(script)))


@pytest.mark.parametrize("width", [1440, 390])
def test_every_view_in_both_languages(app_server, page, screenshot, request_monitor, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(app_server.url("app.ipynb", unit="U000517", view="overview"), wait_until="commit")
    page.wait_for_selector(VIEWS["overview"][2], state="attached", timeout=120_000)
    page.evaluate("window.__xcMarker = 1")
    for lang in ("zh", "en"):
        if lang == "en":
            page.locator(".xc-lang").get_by_role("button", name="English").click()
            page.wait_for_function("location.search.includes('lang=en')")
        for view, (zh, en, ready) in VIEWS.items():
            page.locator(".xc-nav").get_by_role("button", name=zh if lang == "zh" else en).click()
            # the overview is the default view: its link names it only beside a unit (else the unit's)
            expected = "[null, 'overview']" if view == "overview" else f"[{view!r}]"
            page.wait_for_function(f"{expected}.includes(new URLSearchParams(location.search).get('view'))")
            page.wait_for_selector(ready, state="attached", timeout=60_000)
            page.wait_for_timeout(300)  # charts settle to their width
            where = f"{view} in {lang} at {width} px"
            if lang == "en":
                assert chrome_with_chinese(page) == [], where
            else:
                found = CODE_WORDS.findall(page.locator(".xc-app").inner_text())
                assert found == [], (where, found)
            if width == 390:
                wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                assert wide <= 1, (where, wide)
            screenshot(f"app-{width}-{lang}-{view}")
    assert page.evaluate("window.__xcMarker") == 1  # ten views, two languages: one page
    assert request_monitor.external == []


def test_the_phone_shows_cards_two_by_two(app_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_server.url("app.ipynb"), wait_until="commit")
    page.wait_for_selector("[data-kpi='problems']", timeout=120_000)
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.xc-kpi')].map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert tops[0] == tops[1] and tops[2] == tops[3] and tops[1] < tops[2], tops
    page.wait_for_selector(".xc-chart-trend svg")
    svg = page.evaluate("() => document.querySelector('.xc-chart-trend svg').getBoundingClientRect().width")
    assert 300 < svg <= 390  # the chart fills the phone's width, no more


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        (
            {},
            [
                "范围：",
                "巡察全覆盖率",
                "逐轮发现问题与整改率",
                "各地区比对",
                "各地区发现问题与整改情况",
                "红黄预警",
            ],
        ),
        (
            {"view": "unit", "unit": "U000517"},
            [
                "本页为该单位全部届次的记录",
                "历次巡察",
                "问题及整改状态",
                "状态变化记录",
                "问题线索及处置",
                "回头看",
                "所在地区交办事项",
            ],
        ),
    ],
)
def test_printing_to_a4_prints_every_panel(app_server, page, tmp_path, query, titles):
    page.goto(app_server.url("app.ipynb", **query), wait_until="commit")
    page.wait_for_selector("[data-kpi]", timeout=120_000)
    page.wait_for_timeout(1500)  # the last charts drawn
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.count("\f")
    flat = re.sub(r"\s+", "", text)
    missing = [t for t in titles if t not in flat]
    assert missing == [], (missing, text[:2000])
    assert pages >= 2  # the page flows onto more sheets instead of being cut at the first
    assert "清除筛选" not in flat and "生成季度报告" not in flat  # controls are not printed
    assert flat.count("总览") >= 1  # the breadcrumbs say where this is
