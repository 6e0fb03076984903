"""Altair charts over metric results: the same chart objects in apps, notebooks and reports.

Charts take the small DataFrames the metrics return (never the ledger) and a language; labels
come from ``toolkit.labels``. Fonts name Noto Sans CJK first so Chinese renders in Chromium,
vl-convert (reports) and JupyterLab alike.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from toolkit.labels import text

CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif"


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
            x=alt.X("region:N", title=text("region", lang), sort="-y", axis=alt.Axis(labelAngle=0)),
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
