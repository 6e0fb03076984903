"""Altair charts over metric results: the same chart objects in apps, notebooks and reports.

Charts take the small DataFrames the metrics return (never the ledger) and a language; labels
come from ``toolkit.labels``. Fonts name Noto Sans CJK first so Chinese renders in Chromium,
vl-convert (reports) and JupyterLab alike.

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
LABEL_LIMIT = 180


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=CJK_FONT).configure_axis(labelFontSize=12, titleFontSize=13)


def problems_by_region(df: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """Stacked bars: rectified vs not yet, per region, with the rectification rate in the tooltip.

    ``df``: the rectification-rate metric grouped by region (region, problems, rectified, rate).
    A click on a bar selects its region (``selection`` param named ``region``).
    """
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "region": df["region"],
                    "status": text("rectified", lang),
                    "count": df["rectified"],
                    "rate": df["rate"],
                }
            ),
            pd.DataFrame(
                {
                    "region": df["region"],
                    "status": "未整改" if lang == "zh" else "Not yet",
                    "count": df["problems"] - df["rectified"],
                    "rate": df["rate"],
                }
            ),
        ]
    )
    pick = alt.selection_point(name="region", fields=["region"], on="click")
    return (
        alt.Chart(long, title=text("by_region_title", lang))
        .mark_bar()
        .encode(
            x=alt.X(
                "region:N",
                title=text("region", lang),
                sort="-y",
                axis=alt.Axis(labelAngle=0, labelLimit=LABEL_LIMIT),
            ),
            y=alt.Y("count:Q", title=text("problems", lang)),
            color=alt.Color(
                "status:N", title=text("status", lang), scale=alt.Scale(range=["#2f6eb5", "#d9822b"])
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("region:N", title=text("region", lang)),
                alt.Tooltip("status:N", title=text("status", lang)),
                alt.Tooltip("count:Q", title=text("count", lang)),
                alt.Tooltip("rate:Q", title=text("rectification_rate", lang), format=".1%"),
            ],
        )
        .add_params(pick)
        .properties(width="container", height=320)
    )


BAND_COLOURS = {"blue": "#2f6eb5", "green": "#3a9a5b", "yellow": "#e0b000", "red": "#c8372d"}
WARNING_COLOURS = {"red": "#c8372d", "yellow": "#e0b000", "green": "#3a9a5b", "none": "#9aa5b1"}


def trend_by_round(df: pd.DataFrame, lang: str = "zh") -> alt.LayerChart:
    """Problems found (bars) and rectification rate (line) round by round, oldest first.

    ``df``: rectification rate by round with ``round_name`` and ``start``.
    """
    base = alt.Chart(df.assign(label=df["round_name"])).encode(
        x=alt.X(
            "label:N",
            sort=alt.SortField("start"),
            title=text("round", lang),
            axis=alt.Axis(labelAngle=-35, labelLimit=LABEL_LIMIT),
        )
    )
    bars = base.mark_bar(color="#9fbbe0").encode(
        y=alt.Y("problems:Q", title=text("problems", lang)),
        tooltip=[
            alt.Tooltip("full_name:N", title=text("round", lang))
            if "full_name" in df
            else alt.Tooltip("label:N", title=text("round", lang)),
            alt.Tooltip("problems:Q", title=text("problems", lang)),
            alt.Tooltip("rectified:Q", title=text("rectified", lang)),
            alt.Tooltip("rate:Q", format=".1%", title=text("rectification_rate", lang)),
        ],
    )
    line = base.mark_line(point=True, color="#c8372d").encode(
        y=alt.Y(
            "rate:Q",
            title=text("rectification_rate", lang),
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        )
    )
    return (
        alt.layer(bars, line, title=text("trend_title", lang))
        .resolve_scale(y="independent")
        .properties(width="container", height=260)
    )


def peer_bars(
    df: pd.DataFrame, indicator_label: str, lang: str = "zh", *, percent: bool = True
) -> alt.LayerChart:
    """Each region's value against its peers' median; low outliers in red. Click selects a region."""
    pick = alt.selection_point(name="region", fields=["region"], on="click")
    data = df.assign(
        flag=df["low_outlier"].map({True: text("low_outlier", lang), False: text("normal", lang)})
    )
    fmt = ".1%" if percent else ".2f"
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "region:N",
                sort="-y",
                title=text("region", lang),
                axis=alt.Axis(labelAngle=0, labelLimit=LABEL_LIMIT),
            ),
            y=alt.Y("value:Q", title=indicator_label, axis=alt.Axis(format="%" if percent else "~g")),
            color=alt.Color(
                "flag:N",
                title="",
                scale=alt.Scale(
                    domain=[text("normal", lang), text("low_outlier", lang)], range=["#2f6eb5", "#c8372d"]
                ),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                "region:N",
                alt.Tooltip("value:Q", format=fmt),
                alt.Tooltip("peer_median:Q", format=fmt),
                "flag:N",
            ],
        )
        .add_params(pick)
    )
    median = (
        alt.Chart(data)
        .mark_tick(color="#333", thickness=2, size=30)
        .encode(x=alt.X("region:N", sort="-y"), y="peer_median:Q")
    )
    return alt.layer(bars, median, title=text("peer_title", lang)).properties(width="container", height=280)


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
    fmt: str = "~g",
    height: int | None = None,
) -> alt.Chart:
    """Horizontal bars of ``value`` per ``key``, largest first; optional click selection on ``key``."""
    enc = {
        "y": alt.Y(f"{key}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        "x": alt.X(f"{value}:Q", title=title, axis=alt.Axis(format=fmt)),
        "tooltip": [alt.Tooltip(f"{key}:N", title=" "), alt.Tooltip(f"{value}:Q", format=fmt, title=title)],
    }
    if colour and colours:
        enc["color"] = alt.Color(
            f"{colour}:N", scale=alt.Scale(domain=list(colours), range=list(colours.values())), title=""
        )
    chart = alt.Chart(df).mark_bar(color="#2f6eb5").encode(**enc)
    if selection:
        pick = alt.selection_point(name=selection, fields=[key], on="click")
        chart = chart.encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5))).add_params(pick)
    return chart.properties(width="container", height=height or max(120, 22 * len(df)))
