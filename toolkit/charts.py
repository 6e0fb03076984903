"""Altair charts over metric results: the same chart objects in the app, notebooks and reports.

Charts take the small DataFrames the metrics return (never the ledger) and a language; every word
on them (titles, axes, legends, tooltips) comes from ``toolkit.labels`` in that language. Fonts
name Noto Sans CJK first so Chinese renders in Chromium, vl-convert (reports) and JupyterLab alike.

Made to read on a phone as on a desk: widths follow the container, names sit on the vertical axis
of horizontal bars (they never overlap, however narrow the screen), counts have integer axes
(1,000, never 1e+3 or 0.5), legends sit on top. Region charts take ``focus``: the chosen region
drawn full and the others faded, through a Vega parameter whose value is data, not code.

Ledger text (region, round, unit names, categories) reaches a chart as data, never as markup:
Vega draws axis labels as SVG text and vega-tooltip sanitises tooltips, so ``<img onerror=…>``
in a unit's name shows as those characters (``tests/browser/test_hostile_browser.py`` checks it).
Axis labels are cut at ``LABEL_LIMIT`` pixels so a pasted paragraph does not push the bars away.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from toolkit.labels import text

CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif"
LABEL_LIMIT = 150
BAR_PX = 22  # height of one horizontal bar and its gap
BAND_COLOURS = {"blue": "#2f6eb5", "green": "#3a9a5b", "yellow": "#e0b000", "red": "#c8372d"}
WARNING_COLOURS = {"red": "#c8372d", "yellow": "#e0b000", "green": "#3a9a5b", "none": "#9aa5b1"}
FADED = 0.35


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=CJK_FONT)
        .configure_axis(labelFontSize=12, titleFontSize=13)
        .configure_legend(orient="top", labelFontSize=12, titleFontSize=12)
        .configure_title(fontSize=14, anchor="start")
    )


def count_axis(title: str) -> alt.Axis:
    """An axis for counts: whole numbers with thousands separators, never a half or 1e+1."""
    return alt.Axis(title=title, format=",d", tickMinStep=1)


def _focus(focus: str | None, field: str = "region"):
    """The focus parameter and the opacity it gives each bar (all full when nothing is chosen)."""
    param = alt.param(name="focus", value=focus or "")
    opacity = alt.condition(f"focus === '' || datum.{field} === focus", alt.value(1.0), alt.value(FADED))
    return param, opacity


def names_axis(title: str) -> alt.Axis:
    """The axis of names beside horizontal bars: no title drawn (the names speak), but the title
    is the field's name read out by screen readers (never the column's code name)."""
    return alt.Axis(title=None, labelLimit=LABEL_LIMIT)


def _height(n: int) -> int:
    return max(120, BAR_PX * n + 40)


def problems_by_region(df: pd.DataFrame, lang: str = "zh", focus: str | None = None) -> alt.Chart:
    """Stacked horizontal bars per region: rectified and not yet, the rate in the tooltip.

    ``df``: the rectification-rate metric grouped by region (region, problems, rectified, rate).
    A click on a bar selects its region (selection ``region``); ``focus`` is highlighted.
    """
    done, pending = text("rectified", lang), text("not_rectified", lang)
    long = pd.concat(
        [
            pd.DataFrame(
                {"region": df["region"], "status": done, "count": df["rectified"], "rate": df["rate"]}
            ),
            pd.DataFrame(
                {
                    "region": df["region"],
                    "status": pending,
                    "count": df["problems"] - df["rectified"],
                    "rate": df["rate"],
                }
            ),
        ]
    )
    pick = alt.selection_point(name="region", fields=["region"], on="click")
    focus_param, opacity = _focus(focus)
    return (
        alt.Chart(long, title=text("by_region_title", lang))
        .mark_bar()
        .encode(
            y=alt.Y("region:N", title=text("region", lang), sort="-x", axis=names_axis(text("region", lang))),
            x=alt.X("count:Q", axis=count_axis(text("problems", lang))),
            color=alt.Color(
                "status:N",
                title=text("status", lang),
                scale=alt.Scale(domain=[done, pending], range=["#2f6eb5", "#d9822b"]),
            ),
            opacity=opacity,
            tooltip=[
                alt.Tooltip("region:N", title=text("region", lang)),
                alt.Tooltip("status:N", title=text("status", lang)),
                alt.Tooltip("count:Q", title=text("count", lang), format=",d"),
                alt.Tooltip("rate:Q", title=text("rectification_rate", lang), format=".1%"),
            ],
        )
        .add_params(pick, focus_param)
        .properties(width="container", height=_height(len(df)))
    )


def trend_by_round(df: pd.DataFrame, lang: str = "zh") -> alt.LayerChart:
    """Problems found (bars) and rectification rate (line) round by round, oldest first.

    ``df``: rectification rate by round with ``round_name`` (a short label) and ``start``.
    """
    base = alt.Chart(df.assign(label=df["round_name"])).encode(
        x=alt.X(
            "label:N",
            sort=alt.SortField("start"),
            title=None,
            axis=alt.Axis(labelAngle=-40, labelLimit=90, labelOverlap="greedy"),
        )
    )
    round_tip = (
        alt.Tooltip("full_name:N", title=text("round", lang))
        if "full_name" in df
        else alt.Tooltip("label:N", title=text("round", lang))
    )
    bars = base.mark_bar(color="#9fbbe0").encode(
        y=alt.Y("problems:Q", axis=count_axis(text("problems", lang))),
        tooltip=[
            round_tip,
            alt.Tooltip("problems:Q", title=text("problems", lang), format=",d"),
            alt.Tooltip("rectified:Q", title=text("rectified", lang), format=",d"),
            alt.Tooltip("rate:Q", format=".1%", title=text("rectification_rate", lang)),
        ],
    )
    line = base.mark_line(point=True, color="#c8372d").encode(
        y=alt.Y(
            "rate:Q",
            title=text("rectification_rate", lang),
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=[round_tip, alt.Tooltip("rate:Q", format=".1%", title=text("rectification_rate", lang))],
    )
    return (
        alt.layer(bars, line, title=text("trend_title", lang))
        .resolve_scale(y="independent")
        .properties(width="container", height=260)
    )


def peer_bars(
    df: pd.DataFrame,
    indicator_label: str,
    lang: str = "zh",
    *,
    percent: bool = True,
    focus: str | None = None,
) -> alt.LayerChart:
    """Each region's value against its peers' median (a tick); low outliers in red; click selects."""
    pick = alt.selection_point(name="region", fields=["region"], on="click")
    focus_param, opacity = _focus(focus)
    normal, low = text("normal", lang), text("low_outlier", lang)
    data = df.assign(flag=df["low_outlier"].map({True: low, False: normal}))
    fmt = ".1%" if percent else ".2f"
    y = alt.Y("region:N", sort="-x", title=text("region", lang), axis=names_axis(text("region", lang)))
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("value:Q", title=indicator_label, axis=alt.Axis(format="%" if percent else ".2f")),
            color=alt.Color(
                "flag:N",
                title=text("low_outlier", lang),
                legend=alt.Legend(title=None),
                scale=alt.Scale(domain=[normal, low], range=["#2f6eb5", "#c8372d"]),
            ),
            opacity=opacity,
            tooltip=[
                alt.Tooltip("region:N", title=text("region", lang)),
                alt.Tooltip("value:Q", format=fmt, title=indicator_label),
                alt.Tooltip("peer_median:Q", format=fmt, title=text("peer_median", lang)),
                alt.Tooltip("flag:N", title=text("low_outlier", lang)),
            ],
        )
        .add_params(pick, focus_param)
    )
    median = (
        alt.Chart(data)
        .mark_tick(color="#333", thickness=2, size=16)
        .encode(
            y=alt.Y("region:N", sort="-x", title=text("region", lang)),
            x=alt.X("peer_median:Q", title=indicator_label),  # one axis title for both layers
        )
    )
    return alt.layer(bars, median, title=text("peer_title", lang)).properties(
        width="container", height=_height(len(df))
    )


def ranked_bars(
    df: pd.DataFrame,
    key: str,
    value: str,
    title: str,
    lang: str = "zh",
    *,
    selection: str | None = None,
    colour: str | None = None,
    colours: dict | None = None,
    fmt: str = ",d",
    height: int | None = None,
    chart_title: str | None = None,
    name_title: str | None = None,
) -> alt.Chart:
    """Horizontal bars of ``value`` per ``key``, largest first; optional click selection on ``key``.

    ``colour``/``colours``: the column holding each bar's legend label and {label: hex}.
    ``fmt`` ",d" (the default) makes a count axis; give ".1f" or "%" for other values.
    ``name_title``: what the names are (单位, 问题类别), for screen readers and tooltips.
    """
    axis = count_axis(title) if fmt == ",d" else alt.Axis(title=title, format=fmt)
    enc = {
        "y": alt.Y(f"{key}:N", sort="-x", title=name_title or " ", axis=names_axis(name_title or " ")),
        "x": alt.X(f"{value}:Q", axis=axis),
        "tooltip": [
            alt.Tooltip(f"{key}:N", title=name_title or " "),
            alt.Tooltip(f"{value}:Q", format=fmt, title=title),
        ],
    }
    if colour and colours:
        enc["color"] = alt.Color(
            f"{colour}:N",
            scale=alt.Scale(domain=list(colours), range=list(colours.values())),
            title=title,
            legend=alt.Legend(title=None),
        )
    chart = alt.Chart(df, title=chart_title or alt.Undefined).mark_bar(color="#2f6eb5").encode(**enc)
    if selection:
        pick = alt.selection_point(name=selection, fields=[key], on="click")
        chart = chart.add_params(pick)
    return chart.properties(width="container", height=height or _height(len(df)))
