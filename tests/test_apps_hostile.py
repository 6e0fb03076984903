"""The apps' widget trees over the hostile ledger, and deep links that name nothing (no browser).

Every HTML a widget carries is parsed: no element or attribute the corpus smuggled in may exist
(the browser test checks the same on the page, this one checks every panel quickly), and no
person the ledger records may be readable in the text. Deep links that name an unknown unit,
round or region, or a date not understood, give a sentence and no data.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import ipywidgets as w
import pytest
from toolkit.apps.shell import AppShell

from tests.hostile import PORTRAIT_UNIT, ROUND_ID, known_persons, leaked_names
from toolkit.apps import overview, round_app, scoreboard, tracker, unit

APPS = {"overview": overview, "round": round_app, "unit": unit, "tracker": tracker, "scoreboard": scoreboard}
FORBIDDEN_TAGS = {"script", "img", "svg", "iframe", "object", "embed"}


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
    """Every element the widget tree puts on the page, and all its text (option labels too)."""
    parser = Elements()
    labels = []
    for item in walk(widget):
        if isinstance(item, w.HTML):
            parser.feed(item.value)
        for label in getattr(item, "_options_labels", ()) or ():
            labels.append(label)
    return parser.tags, "\n".join(parser.text + labels)


def unsafe_elements(tags) -> list[str]:
    bad = []
    for tag, attrs in tags:
        if tag in FORBIDDEN_TAGS:
            bad.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                bad.append(f"{tag}[{name}={value}]")
    return bad


def render(ledger, app: str, lang: str = "zh", **params) -> AppShell:
    return AppShell(app, APPS[app].render, ledger=ledger, params={"lang": lang, **params})


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("app", "params"),
    [
        ("overview", {}),
        ("round", {}),  # opens the latest round: the hostile one
        ("round", {"round": ROUND_ID}),
        ("unit", {"unit": PORTRAIT_UNIT}),
        ("tracker", {}),
        ("tracker", {"preset": "nanjing"}),
        ("scoreboard", {}),
        ("scoreboard", {"by": "team"}),
    ],
)
def test_every_panel_shows_hostile_text_inert_and_masked(hostile_ledger, app, params, lang):
    shell = render(hostile_ledger, app, lang, **params)
    tags, text = shown(shell)
    assert unsafe_elements(tags) == []
    assert leaked_names(text, known_persons(hostile_ledger)) == []
    assert "xc-message xc-error" not in "".join(i.value for i in walk(shell) if isinstance(i, w.HTML))
    if app in ("round", "unit"):
        assert "<script>window.__xss=1</script>" in text  # shown as the text it is, not dropped


def test_the_round_app_unit_panel_is_inert_and_masked(hostile_ledger):
    shell = render(hostile_ledger, "round", round=ROUND_ID)
    chart = next(
        i for i in walk(shell) if "unit" in getattr(getattr(i, "selections", None), "trait_names", list)()
    )
    detail = next(i for i in walk(shell) if "xc-unit-detail" in getattr(i, "_dom_classes", ()))
    label = next(iter(chart.spec["datasets"].values()))[0]["label"]  # the bar a leader clicks
    # what the browser sends when the bar is clicked
    chart._vl_selections = {"unit": {"value": {"vlPoint": {"or": [{"label": label}]}}, "store": []}}
    assert detail.children, "a click on a unit opens its panel"
    tags, text = shown(detail)
    assert unsafe_elements(tags) == [] and leaked_names(text, known_persons(hostile_ledger)) == []
    link = next(a for t, a in tags if t == "a" and "xc-open-unit" in a.get("class", ""))
    assert link["href"].startswith("unit.ipynb?unit=") and "<" not in link["href"] and "'" not in link["href"]


def _messages(shell) -> str:
    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", i.value)) for i in walk(shell) if isinstance(i, w.HTML)
    )


def _has(shell, css: str) -> bool:
    return any(css in i.value for i in walk(shell) if isinstance(i, w.HTML))


def test_an_unknown_unit_says_so_and_shows_no_unit(sample_ledger):
    shell = render(sample_ledger, "unit", unit="U999999")
    assert "未找到单位“U999999”" in _messages(shell)
    assert not _has(shell, "xc-problems") and not _has(shell, "data-kpi=")
    picker = next(i for i in walk(shell) if "xc-unit-pick" in getattr(i, "_dom_classes", ()))
    assert picker.value is None
    picker.value = picker.options[0][1]  # the leader picks a unit: now it shows
    assert _has(shell, "xc-problems")
    english = render(sample_ledger, "unit", "en", unit="U999999")
    assert 'Unit "U999999" not found' in _messages(english)


@pytest.mark.parametrize(
    ("params", "sentences"),
    [
        ({"round": "R9-NOPE"}, ["轮次“R9-NOPE”不在台账中"]),
        ({"region": "火星区"}, ["地区“火星区”不在台账中"]),
        ({"as_of": "2021-13-01"}, ["截至日期“2021-13-01”无法识别"]),
        ({"lang": "fr"}, ["语言“fr”无法识别"]),
        (
            {"region": "火星区", "round": "R7-CITY-08", "as_of": "yesterday"},
            ["地区“火星区”不在台账中", "截至日期“yesterday”无法识别"],
        ),
    ],
)
def test_a_link_naming_nothing_shows_a_sentence_and_no_data(sample_ledger, params, sentences):
    for app in ("overview", "round"):
        shell = render(sample_ledger, app, **{"lang": "zh", **params})
        text = _messages(shell)
        assert all(s in text for s in sentences), text
        assert not _has(shell, "data-kpi=") and not _has(shell, "xc-round-info")


def test_the_sentence_goes_once_the_leader_chooses(sample_ledger):
    shell = render(sample_ledger, "round", "en", round="R9-NOPE")
    assert 'Round "R9-NOPE" is not in the ledger' in _messages(shell)
    shell.switch.value = "zh"  # the language switch keeps the sentence, in Chinese
    assert "轮次“R9-NOPE”不在台账中" in _messages(shell)
    shell.bar.controls["round"].value = "R7-CITY-08"
    assert "不在台账中" not in _messages(shell) and _has(shell, "data-round='R7-CITY-08'")


def test_an_apps_own_parameter_not_understood_says_so(sample_ledger):
    shell = render(sample_ledger, "tracker", preset="xyz")
    assert "预警规则“xyz”无法识别" in _messages(shell) and not _has(shell, "xc-tracker")
    shell.bar.controls["region"].value = "西山区"  # any choice: the default rules, for that region
    assert _has(shell, "xc-tracker") and "无法识别" not in _messages(shell)
    board = render(sample_ledger, "scoreboard", "en", by="<img src=x onerror=1>")
    assert 'Score "<img src=x onerror=1>" not understood' in _messages(board)
    assert unsafe_elements(shown(board)[0]) == []


def test_a_very_long_link_value_is_cut_in_the_sentence(sample_ledger):
    text = _messages(render(sample_ledger, "unit", unit="U" + "9" * 5000))
    assert "未找到单位“U" + "9" * 59 + "…”" in text and "9" * 61 not in text


def test_valid_links_keep_working(sample_ledger):
    assert _has(render(sample_ledger, "round", round="R7-CITY-08"), "data-round='R7-CITY-08'")
    unit_shell = render(sample_ledger, "unit", unit="U000517")
    assert _has(unit_shell, "xc-problems") and not _has(unit_shell, "xc-link-error")
    region = render(sample_ledger, "overview", "en", region="西山区", as_of="2024-06-30")
    assert region.bar.filters.region == "西山区" and str(region.bar.as_of) == "2024-06-30"
    assert _has(region, "data-kpi='problems'")


def test_a_filter_bar_refuses_a_value_it_does_not_offer(sample_ledger):
    shell = render(sample_ledger, "overview")
    with pytest.raises(ValueError, match="火星区"):
        shell.bar.set(region="火星区")
    assert shell.bar.unknown(region="火星区", round="R7-CITY-08") == {"region": "火星区"}
