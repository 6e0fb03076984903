"""The app's widget trees over the hostile ledger, and links that name nothing (no browser).

Every HTML a widget carries is parsed: no element or attribute the corpus smuggled in may exist
(the browser test checks the same on the page, this one checks every view quickly), and no
person the ledger records may be readable in the text, table cells and option labels included.
Links that name an unknown unit, round or region, or a value not understood, give a sentence
and no data; the next choice the leader makes clears it.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import ipywidgets as w
import pytest

from tests.hostile import PORTRAIT_UNIT, ROUND_ID, known_persons, leaked_names
from toolkit.apps.router import App as _App
from toolkit.apps.router import Prepared
from toolkit.apps.table import DataTable

FORBIDDEN_TAGS = {"script", "img", "svg", "iframe", "object", "embed"}
_PREPARED: dict[int, Prepared] = {}


def App(ledger, query: str) -> _App:
    """The app for ``query``; what it reads before the link (filter choices, caches) is shared
    between the tests of one ledger, as one leader's kernel shares it between views."""
    if id(ledger) not in _PREPARED:
        _PREPARED[id(ledger)] = Prepared.of(ledger)
    return _App(ledger, query, _PREPARED[id(ledger)])


class Elements(HTMLParser):
    """Start tags with their attributes, and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._skip += tag == "style"

    def handle_endtag(self, tag):
        self._skip -= tag == "style"

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)


def shown(widget) -> tuple[list[tuple[str, dict]], str]:
    """Every element the widget tree puts on the page, and all its text (options, cells too)."""
    parser = Elements()
    texts = []
    for item in walk(widget):
        if isinstance(item, w.HTML):
            parser.feed(item.value)
        if isinstance(item, DataTable):
            texts += [c["label"] for c in item.columns] + [cell for row in item.rows for cell in row]
        texts += list(getattr(item, "_options_labels", ()) or ())
        if isinstance(item, w.Combobox):
            texts += list(item.options) + [item.value]
        for name in ("description", "tooltip", "placeholder"):
            texts.append(str(getattr(item, name, "") or ""))
    return parser.tags, "\n".join(parser.text + texts)


def unsafe_elements(tags) -> list[str]:
    bad = []
    for tag, attrs in tags:
        if tag in FORBIDDEN_TAGS:
            bad.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                bad.append(f"{tag}[{name}={value}]")
    return bad


def _messages(app) -> str:
    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", i.value)) for i in walk(app) if isinstance(i, w.HTML)
    )


def _has(app, css: str) -> bool:
    return any(css in i.value for i in walk(app) if isinstance(i, w.HTML)) or any(
        css in getattr(i, "_dom_classes", ()) for i in walk(app)
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "query",
    [
        "view=overview",
        "view=overview&region=火星<img src=x onerror=window.__xss=1>区",
        f"view=round&round={ROUND_ID}",
        f"view=unit&unit={PORTRAIT_UNIT}",
        "view=tracker",
        "view=tracker&preset=nanjing",
        "view=scoreboard",
        "view=scoreboard&by=team",
    ],
)
def test_every_view_shows_hostile_text_inert_and_masked(hostile_ledger, query, lang):
    app = App(hostile_ledger, f"{query}&lang={lang}")
    tags, text = shown(app)
    assert unsafe_elements(tags) == []
    assert leaked_names(text, known_persons(hostile_ledger)) == []
    assert not _has(app, "xc-error") and not _has(app, "xc-link-error"), _messages(app)[:500]
    if "round" in query or "unit" in query:
        assert "<script>window.__xss=1</script>" in text  # shown as the text it is, not dropped


def test_a_click_on_a_hostile_unit_opens_its_portrait_inert_and_masked(hostile_ledger):
    app = App(hostile_ledger, f"view=round&round={ROUND_ID}")
    chart = next(i for i in walk(app) if "xc-chart-round-units" in getattr(i, "_dom_classes", ()))
    label = next(iter(chart.spec["datasets"].values()))[0]["label"]  # the bar a leader clicks
    # what the browser sends when the bar is clicked
    chart._vl_selections = {"unit": {"value": {"vlPoint": {"or": [{"label": label}]}}, "store": []}}
    assert app.state.view == "unit" and app.state.round == ROUND_ID and app.state.unit
    assert "<" not in app.url.query and "'" not in app.url.query  # the unit id is quoted in the URL
    tags, text = shown(app)
    assert unsafe_elements(tags) == [] and leaked_names(text, known_persons(hostile_ledger)) == []
    assert _has(app, "xc-problems")


def test_an_unknown_unit_says_so_and_shows_no_unit(sample_ledger):
    app = App(sample_ledger, "view=unit&unit=U999999")
    assert "未找到单位“U999999”" in _messages(app)
    assert not _has(app, "xc-problems") and not _has(app, "data-kpi=")
    picker = next(i for i in walk(app) if "xc-unit-pick" in getattr(i, "_dom_classes", ()))
    assert picker.value == ""
    picker.value = picker.options[0]  # the leader picks a unit: now it shows
    assert _has(app, "xc-problems") and app.state.unit != "U999999"
    english = App(sample_ledger, "view=unit&unit=U999999&lang=en")
    assert 'Unit "U999999" not found' in _messages(english)


@pytest.mark.parametrize(
    ("query", "sentences"),
    [
        ("round=R9-NOPE", ["轮次“R9-NOPE”不在台账中"]),
        ("region=火星区", ["地区“火星区”不在台账中"]),
        ("as_of=2021-13-01", ["截至日期“2021-13-01”无法识别"]),
        ("lang=fr", ["语言“fr”无法识别"]),
        ("view=map", ["页面“map”无法识别"]),
        (
            "region=火星区&round=R7-CITY-08&as_of=yesterday",
            ["地区“火星区”不在台账中", "截至日期“yesterday”无法识别"],
        ),
    ],
)
def test_a_link_naming_nothing_shows_a_sentence_and_no_data(sample_ledger, query, sentences):
    for view in ("overview", "round"):
        app = App(sample_ledger, f"view={view}&{query}" if "view=" not in query else query)
        text = _messages(app)
        assert all(s in text for s in sentences), text
        assert not _has(app, "data-kpi=") and not _has(app, "xc-round-info")


def test_the_sentence_goes_once_the_leader_chooses(sample_ledger):
    app = App(sample_ledger, "view=round&lang=en&round=R9-NOPE")
    assert 'Round "R9-NOPE" is not in the ledger' in _messages(app)
    app.bar.controls["region"].value = "西山区"  # any choice: the data for it, no sentence
    assert "not in the ledger" not in _messages(app) and _has(app, "xc-round-info")
    assert app.state.region == "西山区" and app.state.round is None


def test_a_value_not_understood_is_cut_in_the_sentence_and_escaped(sample_ledger):
    text = _messages(App(sample_ledger, "view=unit&unit=U" + "9" * 5000))
    assert "未找到单位“U" + "9" * 59 + "…”" in text and "9" * 61 not in text
    board = App(sample_ledger, "view=scoreboard&lang=en&by=<img src=x onerror=1>")
    assert 'Score by "<img src=x onerror=1>" not understood' in _messages(board)
    assert unsafe_elements(shown(board)[0]) == []


def test_valid_links_keep_working(sample_ledger):
    assert _has(App(sample_ledger, "view=round&round=R7-CITY-08"), "data-round='R7-CITY-08'")
    unit_app = App(sample_ledger, "unit=U000517")  # an old unit.ipynb link: the unit view
    assert (
        unit_app.state.view == "unit"
        and _has(unit_app, "xc-problems")
        and not _has(unit_app, "xc-link-error")
    )
    region = App(sample_ledger, "lang=en&region=西山区&as_of=2024-06-30")
    assert region.state.region == "西山区" and str(region.state.as_of) == "2024-06-30"
    assert _has(region, "data-kpi='problems'")
