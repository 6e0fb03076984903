"""评分 Scoreboard: regions or teams ranked in 蓝绿黄红 bands, weights on sliders.

Each score is traceable: the table shows, for every indicator, its value and the points it
earned, and the page says how points are made (relative to the best group, lower-is-better rates
on their complement) and that weights are normalised. Weights are a what-if of the moment: they
change the chart and table here, not the link.
"""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as w

from toolkit import charts, labels, metrics
from toolkit.apps.context import Context
from toolkit.apps.state import SCORE_GROUPS
from toolkit.apps.table import Col, data_table
from toolkit.apps.views.common import scope
from toolkit.safe_html import Markup, join
from toolkit.widgets import html, message, note, panel

INDICATOR_KEYS = {
    "rectification-rate": "rectification_rate",
    "on-time-rate": "on_time_rate",
    "case-conversion": "case_conversion",
    "clue-yield": "clue_yield",
}


def board(ctx: Context, weights: dict[str, float]):
    key = tuple(sorted(weights.items()))
    return ctx.query(
        "scoreboard",
        lambda: metrics.scoreboard(
            ctx.ledger, as_of=ctx.as_of, filters=ctx.filters, by=ctx.state.by, weights=weights
        ),
        ctx.filters,
        ctx.state.by,
        key,
    )


def prefetch(ctx: Context) -> Iterator[None]:
    board(ctx, dict(metrics.DEFAULT_WEIGHTS))
    yield


def band_mark(band: str, text: str) -> Markup:
    """A coloured square and the band's words (■ 蓝 ≥ 95)."""
    return Markup("<span style='color:{}'>■</span> {}").format(charts.BAND_COLOURS[band], text)


def _value(name: str, value) -> str:
    if value != value:  # NaN
        return "—"
    return f"{value:.2f}" if name == "clue-yield" else labels.percent(value)


def draw(ctx: Context, weights: dict[str, float]) -> list[w.Widget]:
    if not any(v > 0 for v in weights.values()):
        return [message(ctx.t("no_data"), "info")]
    used = {n: v for n, v in weights.items() if v > 0}
    df = board(ctx, used)
    df = df[df["score"].notna()].sort_values("score", ascending=False)
    used = {n: v for n, v in used.items() if n in df.columns}  # by team: no clue indicators
    if df.empty:
        return [message(ctx.t("no_data"), "info")]
    key, lang = ctx.state.by, ctx.lang
    band_names = {b: ctx.t("band_" + b) for b in charts.BAND_COLOURS}
    chart = charts.ranked_bars(
        df.assign(band_label=df["band"].map(band_names)),
        key,
        "score",
        ctx.t("score"),
        lang,
        colour="band_label",
        colours={band_names[b]: c for b, c in charts.BAND_COLOURS.items()},
        fmt=".1f",
        name_title=ctx.t(key),
    )
    columns = [
        Col(key, ctx.t(key)),
        Col("score", ctx.t("score"), show=lambda v: f"{v:.1f}", numeric=True),
        Col("band", ctx.t("band"), show=lambda b: band_names[b], dots=charts.BAND_COLOURS),
    ]
    shown = df.copy()
    for name in used:  # each indicator: its value and the points it earned, sorted by the points
        shown[f"{name}_text"] = [
            f"{_value(name, v)} · {p:.1f}{ctx.t('points')}" if p == p else _value(name, v)
            for v, p in zip(df[name], df[f"{name}_points"], strict=True)
        ]
        label = labels.text(INDICATOR_KEYS[name], lang)
        columns.append(Col(f"{name}_text", label, numeric=True, sort_by=f"{name}_points"))
    rows = data_table(shown, columns, lang, css_class="xc-score")
    return [ctx.chart("score", charts.themed(chart)), rows]


def render(ctx: Context) -> list[w.Widget]:
    group = w.ToggleButtons(
        options=[(ctx.t(g), g) for g in SCORE_GROUPS], value=ctx.state.by, description=ctx.t("group_by")
    )
    group.add_class("xc-score-by")
    group.add_class("xc-no-print")
    group.observe(lambda c: ctx.go(by=c["new"]), names="value")
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
        slider.add_class("xc-wide-control")
    body = w.VBox()

    def redraw(_=None) -> None:
        body.children = draw(ctx, {n: s.value for n, s in sliders.items()})

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    bands = join(
        " ",
        [band_mark(b, f"{ctx.t('band_' + b)} ≥ {cut:g}") for b, cut in metrics.DEFAULT_BANDS]
        + [band_mark("red", ctx.t("band_red"))],
    )
    return [
        group,
        scope(ctx),
        panel(
            ctx.t("weights"),
            w.VBox(list(sliders.values())),
            note(ctx.t("score_how"), "xc-score-how"),
            html(Markup("<div class='xc-bands'>{}</div>").format(bands)),
        ),
        panel(ctx.t("score"), body),
    ]
