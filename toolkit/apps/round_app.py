"""轮次 Round: one round's units, problem categories, rectification progress, clues; click a unit to open it."""

from __future__ import annotations

from urllib.parse import urlencode

import ipywidgets as w
import pandas as pd

from toolkit import charts, labels, listings, metrics
from toolkit.apps.shell import Context, launch
from toolkit.apps.unit import portrait
from toolkit.filters import scoped
from toolkit.kernel import jupyter_chart
from toolkit.models import Disposal, ProblemStatus, RoundKind
from toolkit.safe_html import Markup
from toolkit.widgets import card_row, heading, html, kpi_card, message, table

STATUS_COLOURS = {
    "open": "#c8372d",
    "in_progress": "#e0b000",
    "ongoing": "#9aa5b1",
    "rectified": "#3a9a5b",
    "closed": "#2f6eb5",
}


def current_round(ctx: Context) -> str | None:
    """The round in the filter bar, else the latest round with problems under the filters."""
    if ctx.filters.round:
        return ctx.filters.round
    rounds = listings.rounds(ctx.ledger, as_of=ctx.as_of, filters=ctx.filters)
    rounds = rounds[rounds["problems"] > 0]
    return rounds.iloc[0]["round"] if len(rounds) else None


def info(ctx: Context, round_id: str) -> w.HTML:
    r = ctx.ledger.table("rounds")
    row = r.filter(r.id == round_id).execute().iloc[0]
    kind = labels.vocab(row["round_kind"], RoundKind, ctx.lang)
    dates = f"{labels.date(row['start'].date(), ctx.lang)} — {labels.date(row['end'].date(), ctx.lang)}"
    return html(
        Markup(
            "<div class='xc-round-info' style='font-size:15px'><b data-round='{}'>{}</b>　{}　{}　{} {}</div>"
        ).format(
            round_id,
            row["name"],
            kind,
            dates,
            "反馈" if ctx.lang == "zh" else "feedback",
            labels.date(row["feedback_on"].date(), ctx.lang),
        )
    )


def render(ctx: Context) -> list[w.Widget]:
    round_id = current_round(ctx)
    if round_id is None:
        return [message(ctx.t("pick_round"), "info")]
    filters = ctx.filters.replace(round=round_id)
    args = dict(as_of=ctx.as_of, filters=filters)
    head = metrics.headline(ctx.ledger, **args).iloc[0]
    conv = metrics.case_conversion(ctx.ledger, **args).iloc[0]
    out = metrics.outcomes(ctx.ledger, **args).iloc[0]
    ontime = metrics.on_time_rate(ctx.ledger, **args).iloc[0]
    cards = card_row(
        [
            kpi_card("units", ctx.t("units"), labels.number(head["units"])),
            kpi_card("problems", ctx.t("problems"), labels.number(head["problems"])),
            kpi_card(
                "rectification_rate",
                ctx.t("rectification_rate"),
                labels.percent(head["rate"]),
                f"{labels.number(head['rectified'])} / {labels.number(head['problems'])}",
            ),
            kpi_card(
                "on_time_rate",
                ctx.t("on_time_rate"),
                labels.percent(ontime["rate"]),
                f"{labels.number(ontime['on_time'])} / {labels.number(ontime['due_passed'])}",
            ),
            kpi_card(
                "clues",
                ctx.t("clues"),
                labels.number(head["clues"]),
                f"{ctx.t('case_conversion')} {labels.percent(conv['rate'])}",
            ),
            kpi_card(
                "sanctioned",
                ctx.t("sanctioned"),
                labels.number(out["sanctioned"]) + ctx.t("persons"),
                labels.yuan(out["recovered_yuan"], ctx.lang),
            ),
        ]
    )
    units = listings.round_units(ctx.ledger, round_id, as_of=ctx.as_of, filters=ctx.filters)
    detail = w.VBox()
    detail.add_class("xc-unit-detail")
    widgets = [info(ctx, round_id), cards]
    if units.empty:
        return widgets + [message(ctx.t("no_data"), "info")]
    # Two units of one name (城关镇党委 in two counties) get their region, so a click opens the right one.
    twice = units["unit_name"].duplicated(keep=False)
    units["label"] = [
        f"{n}（{r}）" if d else n for n, r, d in zip(units["unit_name"], units["region"], twice, strict=True)
    ]
    unit_chart = jupyter_chart(
        charts.themed(
            charts.ranked_bars(
                units.head(40), "label", "problems", ctx.t("problems"), ctx.lang, selection="unit"
            )
        )
    )

    def open_unit(change) -> None:
        picked = change["new"].value
        if not picked:
            return
        row = units.loc[units["label"] == picked[0]["label"]].iloc[0]
        unit_id, name = row["unit"], row["unit_name"]
        link = html(
            Markup("<a class='xc-open-unit' href='unit.ipynb?{}' target='_blank'>{}：{}</a>").format(
                urlencode({"unit": unit_id, "lang": ctx.lang}), ctx.t("open_portrait"), name
            )
        )
        detail.children = [heading(name), link, *portrait(ctx, unit_id, compact=True)]

    unit_chart.selections.observe(open_unit, ["unit"])
    by_cat = metrics.rectification_rate(ctx.ledger, **args, by="category")
    status = _status_counts(ctx, filters)
    clues = _clues(ctx, filters)
    return widgets + [
        heading(ctx.t("units_in_round")),
        unit_chart,
        detail,
        heading(ctx.t("by_category")),
        jupyter_chart(
            charts.themed(charts.ranked_bars(by_cat, "category", "problems", ctx.t("problems"), ctx.lang))
        ),
        heading(ctx.t("progress")),
        jupyter_chart(
            charts.themed(
                charts.ranked_bars(
                    status,
                    "label",
                    "count",
                    ctx.t("count"),
                    ctx.lang,
                    colour="status",
                    colours={k: STATUS_COLOURS[k] for k in status["status"]},
                )
            )
        ),
        heading(ctx.t("clue_list")),
        clues,
    ]


def _status_counts(ctx: Context, filters) -> pd.DataFrame:
    problems = scoped(ctx.ledger.as_of(ctx.as_of), "problems", filters)
    df = problems.group_by("status").aggregate(count=problems.count()).execute()
    df["label"] = [labels.vocab(s, ProblemStatus, ctx.lang) for s in df["status"]]
    return df


def _clues(ctx: Context, filters) -> w.Widget:
    df = listings.clues(ctx.ledger, as_of=ctx.as_of, filters=filters, masker=ctx.masker)
    if df.empty:
        return message(ctx.t("no_data"), "info")
    df["disposal"] = [
        labels.vocab(d, Disposal, ctx.lang) if isinstance(d, str) else "待处置" for d in df["disposal"]
    ]
    df["recovered_yuan"] = [labels.yuan(v, ctx.lang) if v else "—" for v in df["recovered_yuan"]]
    df["transferred_on"] = [labels.date(d.date(), ctx.lang) for d in df["transferred_on"]]
    cols = {
        "id": "编号",
        "unit_name": ctx.t("unit"),
        "title": "线索",
        "transferred_on": "移交时间",
        "disposal": "处置方式",
        "sanctioned": ctx.t("sanctioned"),
        "prosecuted": ctx.t("prosecuted"),
        "recovered_yuan": ctx.t("recovered"),
    }
    return table(df, cols)


def app() -> w.Widget:
    return launch("round", render)
