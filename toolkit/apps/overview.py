"""总览 Overview: the term at a glance, trend by round, districts compared; a click on a region drills.

Every figure is a metric computed in the database for the filter bar's ``Filters`` and date; each
rate card shows its numerator and denominator underneath.
"""

from __future__ import annotations

import ipywidgets as w

from toolkit import charts, labels, metrics
from toolkit.apps.shell import Context, launch
from toolkit.kernel import jupyter_chart
from toolkit.widgets import card_row, heading, kpi_card, message, note, report_button

PEER_INDICATORS = ("rectification-rate", "on-time-rate", "clue-yield", "case-conversion")


def ratio_note(numerator, denominator) -> str:
    return f"{labels.number(numerator)} / {labels.number(denominator)}"


def kpis(ctx: Context, head) -> w.HBox:
    """The headline cards, each rate with what it is a rate of (``head``: the headline row)."""
    args = dict(as_of=ctx.as_of, filters=ctx.filters)
    lang = ctx.lang
    cov = metrics.coverage(ctx.ledger, **args)
    cov_row = cov.iloc[0] if len(cov) else None
    ontime = metrics.on_time_rate(ctx.ledger, **args).iloc[0]
    conv = metrics.case_conversion(ctx.ledger, **args).iloc[0]
    out = metrics.outcomes(ctx.ledger, **args).iloc[0]
    warn = metrics.overdue_summary(ctx.ledger, **args).iloc[0]
    cards = [
        kpi_card(
            "coverage",
            ctx.t("coverage"),
            labels.percent(cov_row["rate"]) if cov_row is not None else "—",
            ratio_note(cov_row["inspected"], cov_row["units"]) + f" （{cov_row['term']}）"
            if cov_row is not None
            else "",
        ),
        kpi_card(
            "problems",
            ctx.t("problems"),
            labels.number(head["problems"]),
            f"{ctx.t('units')} {labels.number(head['units'])}",
        ),
        kpi_card(
            "rectification_rate",
            ctx.t("rectification_rate"),
            labels.percent(head["rate"]),
            ratio_note(head["rectified"], head["problems"]),
        ),
        kpi_card(
            "on_time_rate",
            ctx.t("on_time_rate"),
            labels.percent(ontime["rate"]),
            ratio_note(ontime["on_time"], ontime["due_passed"]),
        ),
        kpi_card(
            "clues",
            ctx.t("clues"),
            labels.number(head["clues"]),
            f"{ctx.t('rounds')} {labels.number(head['rounds'])}",
        ),
        kpi_card(
            "case_conversion",
            ctx.t("case_conversion"),
            labels.percent(conv["rate"]),
            ratio_note(conv["cases"], conv["disposed"]),
        ),
        kpi_card(
            "sanctioned",
            ctx.t("sanctioned"),
            labels.number(out["sanctioned"]) + ctx.t("persons"),
            f"{ctx.t('prosecuted')} {labels.number(out['prosecuted'])}{ctx.t('persons')}",
        ),
        kpi_card("recovered", ctx.t("recovered"), labels.yuan(out["recovered_yuan"], lang), ""),
        kpi_card(
            "warnings",
            ctx.t("warnings"),
            labels.number(warn["red"] + warn["yellow"]),
            f"{ctx.t('red')} {labels.number(warn['red'])} · {ctx.t('yellow')} {labels.number(warn['yellow'])}",
            colour="#c8372d",
        ),
    ]
    return card_row(cards)


def trend(ctx: Context) -> w.Widget:
    filters = ctx.filters if (ctx.filters.region or ctx.filters.round) else ctx.filters.replace(level="city")
    df = metrics.rectification_rate(ctx.ledger, as_of=ctx.as_of, filters=filters, by="round")
    if df.empty:
        return message(ctx.t("no_data"), "info")
    rounds = ctx.ledger.table("rounds").select("id", "start", "term", "number").execute().set_index("id")
    df = df.assign(start=df["round"].map(rounds["start"]))
    short = [
        f"{rounds.at[r, 'term']}第{labels.chinese_number(int(rounds.at[r, 'number']))}轮" for r in df["round"]
    ]
    df = df.assign(full_name=df["round_name"], round_name=short).sort_values("start").tail(24)
    return jupyter_chart(charts.themed(charts.trend_by_round(df, ctx.lang)))


def peers(ctx: Context) -> w.Widget:
    """Districts compared on a chosen indicator; a click on a region filters every panel."""
    names = {n: labels.text(n.replace("-", "_"), ctx.lang) for n in PEER_INDICATORS}
    pick = w.Dropdown(
        options=[(v, k) for k, v in names.items()],
        value="rectification-rate",
        description=ctx.t("indicator"),
        style={"description_width": "64px"},
    )
    pick.add_class("xc-peer-indicator")
    box = w.VBox()
    box.add_class("xc-peers")

    def draw(_=None) -> None:
        df = metrics.peer_comparison(
            ctx.ledger,
            as_of=ctx.as_of,
            filters=ctx.filters.replace(region=None),
            by="region",
            indicator=pick.value,
        )
        chart = jupyter_chart(
            charts.themed(
                charts.peer_bars(df, names[pick.value], ctx.lang, percent=pick.value != "clue-yield")
            )
        )
        chart.selections.observe(lambda change: _drill(ctx, change), ["region"])
        low = df.loc[df["low_outlier"], "region"].tolist()
        outliers = note(f"{ctx.t('low_outlier')}：{'、'.join(low) or '—'}", "xc-outliers", colour="#c8372d")
        box.children = [chart, outliers]

    pick.observe(draw, names="value")
    draw()
    return w.VBox([pick, box])


def _drill(ctx: Context, change) -> None:
    picked = change["new"].value
    if picked:
        ctx.refilter(region=picked[0]["region"])


def by_region(ctx: Context) -> w.Widget:
    df = metrics.rectification_rate(
        ctx.ledger, as_of=ctx.as_of, filters=ctx.filters.replace(region=None), by="region"
    )
    chart = jupyter_chart(charts.themed(charts.problems_by_region(df, ctx.lang)))
    chart.selections.observe(lambda change: _drill(ctx, change), ["region"])
    return chart


def last_full_quarter(day) -> str:
    """The last quarter that had ended by ``day`` (2026-11-23 -> 2026Q3)."""
    quarter = (day.month - 1) // 3  # quarters fully before this month's quarter
    return f"{day.year}Q{quarter}" if quarter else f"{day.year - 1}Q4"


def quarterly_button(ctx: Context) -> w.Widget:
    from toolkit.reports import quarterly

    quarter = last_full_quarter(ctx.as_of)
    region = ctx.filters.region
    name = f"季度报告_{region + '_' if region else ''}{quarter}.docx"
    label = f"{ctx.t('quarterly_report')} {quarter}"
    return report_button(label, name, lambda: quarterly(ctx.ledger, quarter, region=region))


def render(ctx: Context) -> list[w.Widget]:
    head = metrics.headline(ctx.ledger, as_of=ctx.as_of, filters=ctx.filters).iloc[0]
    if head["units"] == 0 and head["problems"] == 0:
        return [message(ctx.t("no_data"), "info")]
    return [
        kpis(ctx, head),
        quarterly_button(ctx),
        note(ctx.t("drill_hint")),
        heading(ctx.t("trend_title")),
        trend(ctx),
        heading(ctx.t("peer_title")),
        peers(ctx),
        by_region(ctx),
    ]


def app() -> w.Widget:
    return launch("overview", render)
