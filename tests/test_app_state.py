"""The app's pieces without a browser: state <-> URL, answers from cached results, words.

* a state survives its URL and back (every state is a link), and an old page's link reads right;
* a region's figures answered from every region's grouped result equal the metric filtered to
  that region, for every region (the cache's shortcut is exact);
* the default round is the latest whose every deadline has passed (an independent computation);
* the English app says nothing in Chinese but data, the Chinese one no code word or JSON;
* histories are sentences; days to a deadline say 逾期 / 剩余;
* the tracker's workbook has date cells, a bold frozen header with filters and a 说明 sheet;
* Word reports are A4.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import ipywidgets as w
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit import labels, listings, metrics
from toolkit.apps.context import BY_REGION_SLICES, CACHE_SIZE, ChartSlots, Context, DataCache, Facts
from toolkit.apps.history import sentence, sentences
from toolkit.apps.router import App, Prepared
from toolkit.apps.state import CHOICES, VIEWS, AppState, parse_query
from toolkit.apps.table import DataTable
from toolkit.apps.views import round as round_view
from toolkit.apps.views import tracker
from toolkit.filters import Filters

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]")
CODE_WORDS = re.compile(
    r"\b(open|in_progress|status_changed|added|closed_out|deadline_extended|blue|green|yellow|red|"
    r"None|NaN|null|jiangjin|nanjing)\b|\{\""
)


@given(
    view=st.sampled_from(VIEWS),
    lang=st.sampled_from(CHOICES["lang"]),
    region=st.none() | TEXT,
    round_=st.none() | TEXT,
    unit=st.none() | TEXT,
    as_of=st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
    preset=st.sampled_from(CHOICES["preset"]),
    colour=st.sampled_from(CHOICES["colour"]),
)
def test_a_state_survives_its_url(view, lang, region, round_, unit, as_of, preset, colour):
    state = AppState(
        view=view,
        lang=lang,
        region=region,
        round=round_,
        unit=unit,
        as_of=as_of,
        preset=preset,
        colour=colour,
    )
    back, bad = parse_query(state.to_query())
    assert bad == [] and back == state


def test_old_links_and_bad_values():
    assert parse_query("unit=U1&token=secret") == (AppState(view="unit", unit="U1"), [])
    assert "token" not in AppState(view="unit", unit="U1").to_query()
    state, bad = parse_query("lang=fr&as_of=2021-13-01&preset=xyz&region=西山区")
    assert state == AppState(region="西山区") and {b.key for b in bad} == {"lang", "as_of", "preset"}
    assert AppState().to_query() == "" and AppState(view="round").to_query() == "view=round"


def test_a_region_answered_from_every_regions_result_is_that_regions_metric(sample_ledger):
    prepared = Prepared.of(sample_ledger)
    regions = [r for _, r in prepared.options["zh"]["region"]]
    for state in (AppState(), AppState(term="六届")):
        wide = Context(
            sample_ledger, state, DataCache(), ChartSlots(), prepared.facts, None, None, prepared.rounds
        )
        for name in BY_REGION_SLICES:
            wide.metric(name, filters=state.filters, by="region")
        for region in regions:
            one = wide.metric.__self__.__class__(  # a context whose cache has only the grouped results
                sample_ledger,
                state.replace(region=region),
                wide.cache,
                ChartSlots(),
                prepared.facts,
                None,
                None,
                prepared.rounds,
            )
            for name in BY_REGION_SLICES:
                direct = getattr(metrics, name)(sample_ledger, filters=state.filters.replace(region=region))
                sliced = one.metric(name)
                pd.testing.assert_frame_equal(
                    sliced.reset_index(drop=True), direct[list(sliced.columns)].reset_index(drop=True),
                    check_dtype=False, obj=f"{name} {region} {state.term}",
                )  # fmt: skip


def test_the_default_round_is_the_latest_whose_deadlines_all_passed(sample_ledger):
    day = dt.date(2024, 6, 30)
    problems = sample_ledger.table("problems").execute()
    rounds = sample_ledger.table("rounds").execute().set_index("id")
    found = problems[pd.to_datetime(problems["found_on"]).dt.date <= day]
    last_due = found.groupby("round_id")["due"].max()
    ended = last_due[pd.to_datetime(last_due).dt.date <= day].index
    expected = rounds.loc[ended].sort_values(["start"]).index[-1]
    app = App(sample_ledger, f"view=round&as_of={day.isoformat()}")
    default, why = round_view.default_round(app.context())
    assert default == expected and rounds.at[expected, "name"] in why
    assert any(f"data-round='{expected}'" in i.value for i in walk(app) if isinstance(i, w.HTML))
    assert app.state.round is None  # shown, not chosen: the other views keep every round


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)


def ui_words(app: App) -> list[str]:
    """The page's own words: labels, buttons, headers, table texts, chart titles and legends
    (data values, such as a region on an axis or in a cell, are not among them)."""
    words = []
    for item in walk(app):
        classes = set(getattr(item, "_dom_classes", ()))
        if classes & {"xc-crumbs", "xc-crumb", "xc-lang"}:
            continue  # breadcrumbs name the region, round and unit: data
        for name in ("description", "tooltip", "placeholder"):
            if not (name == "placeholder" and "xc-filter-round" in classes):  # the round shown: data
                words.append(str(getattr(item, name, "") or ""))
        if isinstance(item, w.ToggleButtons) and "xc-lang" not in item._dom_classes:
            words += list(item._options_labels)
        if isinstance(item, DataTable):
            words += [c["label"] for c in item.columns] + list(item.texts.values())
        spec = getattr(item, "spec", None)
        if isinstance(spec, dict):
            words += chart_words(spec)
        if (
            isinstance(item, w.HTML)
            and "xc-data" not in classes
            and ("<h3>" in item.value or "kpi-label" in item.value)
        ):
            words += re.findall(r"<h3>([^<]*)</h3>|<div class='kpi-label'>([^<]*)</div>", item.value)
    flat = []
    for word in words:
        flat += [x for x in word if x] if isinstance(word, tuple) else [word]
    return flat


def chart_words(spec) -> list[str]:
    """Titles (axes, legends, tooltips) anywhere in a Vega-Lite spec, and legend domains."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                found.append(value)
            elif key == "datasets":
                continue
            elif key == "domain" and isinstance(value, list) and spec.get("range"):
                found += [str(v) for v in value]
            else:
                found += chart_words(value)
    elif isinstance(spec, list):
        for value in spec:
            found += chart_words(value)
    return found


@pytest.mark.parametrize("view", VIEWS)
def test_the_english_app_speaks_english_and_the_chinese_one_no_code(sample_ledger, view):
    prepared = Prepared.of(sample_ledger)
    english = App(sample_ledger, f"view={view}&lang=en&unit=U000517&region=西山区", prepared)
    chinese = [w for w in ui_words(english) if CJK.search(w)]
    assert chinese == [], chinese
    zh = App(sample_ledger, f"view={view}&unit=U000517&region=西山区", prepared)
    text = "\n".join(ui_words(zh)) + "\n".join(
        re.sub(r"<[^>]+>", " ", i.value) for i in walk(zh) if isinstance(i, w.HTML)
    )
    text += "\n".join(cell for t in walk(zh) if isinstance(t, DataTable) for row in t.rows for cell in row)
    assert CODE_WORDS.findall(text) == []


def test_a_history_is_sentences(sample_ledger):
    events = listings.problem_history(sample_ledger, "P00000001")
    zh, en = sentences(events, "zh"), sentences(events, "en")
    assert zh[0].startswith("2017年5月19日 西山区委第一巡察组记录了此问题，整改时限2017年11月15日")
    assert zh[1] == "2017年6月10日 西山区巡察办将状态改为整改中，事由：报送整改方案。"
    assert en[1] == "2017-06-10 西山区巡察办 changed the status to In progress. Reason: 报送整改方案."
    assert not any(CODE_WORDS.search(s) or "{" in s for s in zh + en)
    odd = sentence(dt.date(2021, 1, 2), "corrected", "某办", "", "not json", "zh")
    assert odd == "2021年1月2日 某办更正了记录。"


def test_days_to_a_deadline_are_words():
    assert labels.days_to_due(-3415) == "逾期 3,415 天" and labels.days_to_due(12) == "剩余 12 天"
    assert labels.days_to_due(0) == "今日到期" and labels.days_to_due(None) == "—"
    assert labels.days_to_due(-2, "en") == "2 days overdue"


def test_the_tracker_workbook_is_a_working_list(sample_ledger):
    app = App(sample_ledger, "view=tracker&preset=nanjing&colour=red&region=西山区")
    data = tracker.export_bytes(app.context(), tracker.items(app.context()))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["说明", "整改跟踪"]
    notes = "\n".join(str(c.value) for row in book["说明"].iter_rows() for c in row if c.value)
    assert "西山区" in notes and "南京规则" in notes and "预警：红色" in notes and "数据截至" in notes
    sheet = book["整改跟踪"]
    assert [c.value for c in sheet[1]][:6] == ["编号", "地区", "单位", "问题类别", "整改时限", "距时限天数"]
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:J{sheet.max_row}"
    expected = metrics.overdue(sample_ledger, rules="nanjing", filters=Filters(region="西山区"))
    expected = expected[expected["colour"] == "red"]
    assert sheet.max_row - 1 == len(expected)
    dates = [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(d, dt.datetime) for d in dates if d is not None) and any(dates)
    assert sheet.column_dimensions["C"].width > 10


def test_word_reports_are_a4(sample_ledger):
    import docx

    from toolkit.reports import portrait

    document = docx.Document(io.BytesIO(portrait(sample_ledger, "U000517")))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    width = section.page_width - section.left_margin - section.right_margin
    assert all(shape.width <= width for shape in document.inline_shapes)


def test_the_page_says_how_current_the_data_is(sample_ledger):
    facts = Facts.of(sample_ledger)
    events = sample_ledger.table("events").execute()
    assert facts.data_date == events["at"].max().date()
    assert facts.written_at == events["recorded_at"].max().to_pydatetime()
    json.dumps(str(facts))  # printable


def test_pickers_search_by_name_and_are_narrowed_by_the_filter(sample_ledger):
    app = App(sample_ledger, "view=unit&region=西山区")
    picker = next(i for i in walk(app) if "xc-unit-pick" in getattr(i, "_dom_classes", ()))
    assert picker.options and all(o.endswith("（西山区）") or "（西山区）" in o for o in picker.options)
    picker.value = picker.options[3]  # typed and chosen from the list
    assert app.state.unit and app.state.view == "unit" and app.state.region == "西山区"
    rounds = app.bar.controls["round"]
    names = set(app.rounds.loc[app.rounds["regions"].apply(lambda r: "西山区" in r), "label"])
    assert set(rounds.options) == names and len(names) < len(app.rounds)
    rounds.value = "七届西山区委第三"  # half typed: nothing happens yet
    assert app.state.round is None
    rounds.value = sorted(names)[0]
    assert app.state.round == app.rounds.set_index("label").at[sorted(names)[0], "id"]
    assert "round=" in app.url.query


def test_a_served_file_that_is_no_ledger_is_a_sentence_not_a_trace(tmp_path, monkeypatch):
    from toolkit.apps.router import launch

    junk = tmp_path / "ledger.duckdb"
    junk.write_bytes(b"PK\x03\x04 not a database at all" * 100)
    monkeypatch.setenv("XUNCHA_LEDGER", str(junk))
    page = launch()
    text = " ".join(getattr(i, "value", "") for i in walk(page) if isinstance(getattr(i, "value", None), str))
    assert "账本" in text and ("无法读取" in text or "不是巡察台账" in text), text
    assert "Traceback" not in text and str(junk) in text

    monkeypatch.setenv("XUNCHA_LEDGER", str(tmp_path / "nowhere.duckdb"))
    text = " ".join(
        getattr(i, "value", "") for i in walk(launch()) if isinstance(getattr(i, "value", None), str)
    )
    assert "nowhere.duckdb" in text and "Traceback" not in text


def test_what_a_waiting_kernel_prepares_answers_every_views_first_draw(sample_ledger):
    """``Prepared.ahead`` (run while a preheated kernel waits for its page) leaves nothing for the
    first draw of any view with no filter to compute."""
    from toolkit.apps.router import App

    prepared = Prepared.of(sample_ledger, warm=True)
    for _ in prepared.ahead(sample_ledger):
        pass
    assert prepared.masker is not None
    warmed = len(prepared.cache._items)
    app = App(sample_ledger, "", prepared)
    for view in ("round", "tracker", "scoreboard", "overview"):
        app.go(view=view)
    assert len(prepared.cache._items) == warmed
    assert warmed < CACHE_SIZE  # nothing warmed was pushed out by what came after it


def page_content(app: App) -> list:
    """What a page shows: every text, value and chart spec of its widget tree, in order."""
    out = []
    for item in walk(app):
        for name in ("value", "description", "placeholder", "options", "spec"):
            value = getattr(item, name, None)
            if value is not None and not callable(value):
                out.append((type(item).__name__, name, repr(value)))
    return out


@pytest.mark.parametrize(
    "query",
    [
        "",
        "view=round&region=西山区",
        "lang=en&view=scoreboard",
        "region=火星区",
        "as_of=2021-13-01&view=tracker",
    ],
)
def test_an_app_built_before_its_request_shows_what_the_link_names(sample_ledger, query):
    """A preheated kernel draws the overview before the request and then follows the link: the
    page must be the one an app built for the link would show."""
    ahead = App(sample_ledger, "", Prepared.of(sample_ledger))
    before = page_content(ahead)
    ahead.follow(query)
    direct = App(sample_ledger, query, Prepared.of(sample_ledger))
    assert ahead.state == direct.state
    assert ahead.url.query == direct.url.query
    assert [e.text("zh") for e in ahead.link_errors] == [e.text("zh") for e in direct.link_errors]
    assert page_content(ahead) == page_content(direct)
    assert (before == page_content(direct)) == (query == "")  # the comparison sees a difference
