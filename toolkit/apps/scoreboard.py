"""评分 Scoreboard: regions or teams ranked in blue/green/yellow/red bands, weights on sliders.

Each score is traceable: the table beside the chart shows every indicator's value and the points
it earned, so a leader can see why a district is yellow.
"""

from __future__ import annotations

import ipywidgets as w

from toolkit import charts, labels, metrics
from toolkit.apps.shell import Context, launch
from toolkit.kernel import jupyter_chart
from toolkit.safe_html import Markup, join
from toolkit.widgets import heading, html, message, table

INDICATOR_KEYS = {
    "rectification-rate": "rectification_rate",
    "on-time-rate": "on_time_rate",
    "case-conversion": "case_conversion",
    "clue-yield": "clue_yield",
}


def band_mark(band: str, text: str) -> Markup:
    """A coloured square and the band's words (■ 蓝 ≥ 95)."""
    return Markup("<span style='color:{}'>■</span> {}").format(charts.BAND_COLOURS[band], text)


def render(ctx: Context) -> list[w.Widget]:
    group = w.ToggleButtons(
        options=[(ctx.t("region"), "region"), (ctx.t("team"), "team")],
        value=ctx.param("by", ("region", "team"), "region", "group_by"),
        description=ctx.t("group_by"),
        style={"description_width": "64px"},
    )
    group.add_class("xc-score-by")
    sliders = {
        name: w.FloatSlider(
            value=weight,
            min=0.0,
            max=1.0,
            step=0.05,
            description=labels.text(INDICATOR_KEYS[name], ctx.lang),
            style={"description_width": "110px"},
            layout=w.Layout(width="360px"),
            continuous_update=False,
        )
        for name, weight in metrics.DEFAULT_WEIGHTS.items()
    }
    for name, slider in sliders.items():
        slider.add_class(f"xc-weight-{name}")
    body = w.VBox()

    def draw(_=None) -> None:
        weights = {n: s.value for n, s in sliders.items() if s.value > 0}
        if not weights:
            body.children = [message(ctx.t("no_data"), "info")]
            return
        df = metrics.scoreboard(
            ctx.ledger, as_of=ctx.as_of, filters=ctx.filters, by=group.value, weights=weights
        )
        df = df[df["score"].notna()].sort_values("score", ascending=False)
        if df.empty:
            body.children = [message(ctx.t("no_data"), "info")]
            return
        key = group.value
        chart = charts.ranked_bars(
            df.assign(band_label=df["band"]),
            key,
            "score",
            ctx.t("score"),
            ctx.lang,
            colour="band",
            colours=charts.BAND_COLOURS,
            fmt=".1f",
        )
        used = [n for n in weights if n in df.columns]
        shown = df.assign(
            **{
                f"{n}_text": [labels.percent(v) if n != "clue-yield" else f"{v:.2f}" for v in df[n]]
                for n in used
            }
        )
        shown["score_text"] = [f"{v:.1f}" for v in shown["score"]]
        shown["band_text"] = shown["band"]
        cols = {key: ctx.t(key), "score_text": ctx.t("score"), "band_text": ctx.t("band")} | {
            f"{n}_text": labels.text(INDICATOR_KEYS[n], ctx.lang) for n in used
        }
        grid = table(
            shown,
            cols,
            css_class="xc-score",
            markup={"band_text": lambda b: band_mark(b, ctx.t("band_" + b))},
        )
        body.children = [jupyter_chart(charts.themed(chart)), grid]

    group.observe(draw, names="value")
    for slider in sliders.values():
        slider.observe(draw, names="value")
    draw()
    bands = join(
        " ",
        [band_mark(b, f"{ctx.t('band_' + b)} ≥ {cut:g}") for b, cut in metrics.DEFAULT_BANDS]
        + [band_mark("red", ctx.t("band_red"))],
    )
    return [
        group,
        heading(ctx.t("weights")),
        w.VBox(list(sliders.values())),
        html(Markup("<div style='font-size:13px'>{}</div>").format(bands)),
        body,
    ]


def app() -> w.Widget:
    return launch("scoreboard", render)
