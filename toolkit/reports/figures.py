"""Charts for the reports, rendered to PNG offline (vl-convert) with Chinese text intact.

Why: a report travels as a file, so its charts are pictures. They are the same altair objects
the apps draw (``toolkit.charts``; the ones only reports need live here), given a fixed width
(a page has no container to fill) and rendered by vl-convert, which draws text with the fonts
it has registered: the system font directory is registered once, so the CJK font that
``toolkit.charts.CJK_FONT`` names (Noto Sans CJK, Debian's fonts-noto-cjk) is found and
Chinese labels do not come out as boxes.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import altair as alt
import pandas as pd

from toolkit.charts import themed

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
COLOUR_ZH = {"red": "红色", "yellow": "黄色", "green": "绿色", "none": "未预警"}
COLOUR_HEX = {"红色": "#d62728", "黄色": "#e8b417", "绿色": "#2ca02c", "未预警": "#b0b0b0"}


@functools.cache
def _register_fonts() -> None:
    import vl_convert

    for directory in FONT_DIRS:
        if Path(directory).is_dir():
            vl_convert.register_font_directory(directory)


def png(chart: alt.TopLevelMixin, *, width: int = 560, height: int = 300) -> bytes:
    """The chart as PNG bytes (2x scale, so it stays sharp when Word shrinks it to the page)."""
    _register_fonts()
    chart = chart.properties(width=width, height=height)
    buf = io.BytesIO()
    themed(chart).save(buf, format="png", scale_factor=2)
    return buf.getvalue()


def overdue_by_region(df: pd.DataFrame) -> alt.Chart:
    """Stacked bars of open problems per region by warning colour (三色预警).

    ``df``: ``overdue_summary`` by region (region, red, yellow, green, none)."""
    long = df.melt(id_vars=["region"], value_vars=list(COLOUR_ZH), var_name="colour", value_name="count")
    long["colour"] = long["colour"].map(COLOUR_ZH)
    return (
        alt.Chart(long, title="各地区整改三色预警")
        .mark_bar()
        .encode(
            x=alt.X("region:N", title="地区", sort="-y", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title="未整改问题（个）"),
            color=alt.Color(
                "colour:N",
                title="预警",
                sort=list(COLOUR_HEX),
                scale=alt.Scale(domain=list(COLOUR_HEX), range=list(COLOUR_HEX.values())),
            ),
        )
    )


def problems_by_year(df: pd.DataFrame) -> alt.Chart:
    """A unit's problems per year found, rectified or not (the portrait's five years at a glance).

    ``df``: one row per problem with ``round_start`` and ``rectified``."""
    years = pd.to_datetime(df["round_start"]).dt.year.astype(str)
    state = df["rectified"].map({True: "已整改", False: "未整改"})
    counts = pd.DataFrame({"year": years, "state": state}).value_counts().rename("count").reset_index()
    return (
        alt.Chart(counts, title="历次巡察发现问题及整改情况")
        .mark_bar()
        .encode(
            x=alt.X("year:N", title="巡察年度", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title="问题（个）"),
            color=alt.Color(
                "state:N",
                title="整改状态",
                scale=alt.Scale(domain=["已整改", "未整改"], range=["#2f6eb5", "#d9822b"]),
            ),
        )
    )
