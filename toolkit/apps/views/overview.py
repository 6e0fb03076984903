"""总览 Overview: the term at a glance, trend by round, regions compared; a click on a region filters.

Every figure is a metric computed in the database for the state's filters and date; each rate
card shows its numerator and denominator. The two region charts show every region whatever the
region filter (so a leader can move between them) and keep the chosen one highlighted.
"""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as w

from toolkit import charts, labels
from toolkit.apps.context import Context, scope_text
from toolkit.apps.state import PEER_INDICATORS
from toolkit.apps.views.common import ratio, scope
from toolkit.widgets import card_row, kpi_card, message, note, panel, report_button

TREND_ROUNDS = 24


def _trend_filters(ctx: Context):
    f = ctx.filters
    return f if (f.region or f.round) else f.replace(level="city")


def prefetch(ctx: Context) -> Iterator[None]:
    for name in ("headline", "coverage", "on_time_rate", "case_conversion", "outcomes", "overdue_summary"):
        ctx.metric(name)
        yield
    ctx.metric("rectification_rate", filters=_trend_filters(ctx), by="round")
    yield
    ctx.metric(
        "peer_comparison",
        filters=ctx.filters.replace(region=None),
        by="region",
        indicator=ctx.state.indicator,
    )
    yield
    ctx.metric("rectification_rate", filters=ctx.filters.replace(region=None), by="region")
    yield


def prefetch_regions(ctx: Context) -> Iterator[None]:
    """Every region's figures at once (a click on a region is then answered with no query)."""
    for name in ("headline", "coverage", "on_time_rate", "case_conversion", "outcomes", "overdue_summary"):
        ctx.metric(name, filters=ctx.filters.replace(region=None), by="region")
        yield
    ctx.metric(
        "rectification_rate", filters=ctx.filters.replace(region=None, level=None), by=["region", "round"]
    )
    yield


def cards(ctx: Context, head) -> w.Widget:
    """The headline cards, each rate with what it is a rate of; coverage names its term."""
    cov = ctx.metric("coverage")
    ontime = ctx.metric("on_time_rate").iloc[0]
    conv = ctx.metric("case_conversion").iloc[0]
    out = ctx.metric("outcomes").iloc[0]
    warn = ctx.metric("overdue_summary").iloc[0]
    t, n = ctx.t, labels.number
    if len(cov):
        c = cov.iloc[0]
        coverage = kpi_card(
            "coverage",
            t("coverage"),
            labels.percent(c["rate"]),
            t("coverage_scope", term=c["term"], inspected=n(c["inspected"]), units=n(c["units"])),
        )
    else:
        coverage = kpi_card("coverage", t("coverage"), "—")
    return card_row(
        [
            coverage,
            kpi_card("problems", t("problems"), n(head["problems"]), t("units_note", n=n(head["units"]))),
            kpi_card(
                "rectification_rate",
                t("rectification_rate"),
                labels.percent(head["rate"]),
                ratio(head["rectified"], head["problems"]),
            ),
            kpi_card(
                "on_time_rate",
                t("on_time_rate"),
                labels.percent(ontime["rate"]),
                ratio(ontime["on_time"], ontime["due_passed"]),
            ),
            kpi_card("clues", t("clues"), n(head["clues"]), t("rounds_note", n=n(head["rounds"]))),
            kpi_card(
                "case_conversion",
                t("case_conversion"),
                labels.percent(conv["rate"]),
                t("cases_note", cases=n(conv["cases"]), disposed=n(conv["disposed"])),
            ),
            kpi_card(
                "sanctioned",
                t("sanctioned"),
                n(out["sanctioned"]) + t("persons"),
                t("prosecuted_note", n=n(out["prosecuted"])),
            ),
            kpi_card("recovered", t("recovered"), labels.yuan(out["recovered_yuan"], ctx.lang)),
            kpi_card(
                "warnings",
                t("warnings"),
                n(warn["red"] + warn["yellow"]),
                t("warnings_note", red=n(warn["red"]), yellow=n(warn["yellow"])),
                colour="#c8372d",
            ),
        ]
    )


def trend(ctx: Context) -> w.Widget:
    df = ctx.metric("rectification_rate", filters=_trend_filters(ctx), by="round")
    if df.empty:
        return message(ctx.t("no_data"), "info")
    rounds = ctx.rounds.set_index("id")
    df = df.assign(start=df["round"].map(rounds["start"]), full_name=df["round_name"])
    term, number = df["round"].map(rounds["term"]), df["round"].map(rounds["number"])
    if ctx.lang == "zh":
        short = [f"{t}第{labels.chinese_number(int(n))}轮" for t, n in zip(term, number, strict=True)]
    else:
        short = [f"T{labels.term_order(t)} R{int(n)}" for t, n in zip(term, number, strict=True)]
    df = df.assign(round_name=short).sort_values("start").tail(TREND_ROUNDS)
    return ctx.chart("trend", charts.themed(charts.trend_by_round(df, ctx.lang)))


def _drill(ctx: Context, change) -> None:
    picked = change["new"].value
    if picked and picked[0].get("region") != ctx.state.region:
        ctx.go(region=picked[0]["region"])


def peers(ctx: Context) -> w.Widget:
    """Regions compared on a chosen indicator; a click on a region filters every panel."""
    names = {n: labels.text(n.replace("-", "_"), ctx.lang) for n in PEER_INDICATORS}
    pick = w.Dropdown(
        options=[(v, k) for k, v in names.items()], value=ctx.state.indicator, description=ctx.t("indicator")
    )
    pick.add_class("xc-peer-indicator")
    pick.observe(lambda change: ctx.go(indicator=change["new"]), names="value")
    df = ctx.metric(
        "peer_comparison",
        filters=ctx.filters.replace(region=None),
        by="region",
        indicator=ctx.state.indicator,
    )
    chart = ctx.chart(
        "peers",
        charts.themed(
            charts.peer_bars(
                df,
                names[ctx.state.indicator],
                ctx.lang,
                percent=ctx.state.indicator != "clue-yield",
                focus=ctx.state.region,
            )
        ),
        on_select=("region", lambda change: _drill(ctx, change)),
    )
    low = df.loc[df["low_outlier"], "region"].tolist()
    sep = "、" if ctx.lang == "zh" else ", "
    colon = labels.colon(ctx.lang)
    outliers = note(f"{ctx.t('low_outlier')}{colon}{sep.join(low) or '—'}", "xc-outliers", colour="#c8372d")
    box = w.VBox([pick, chart, outliers])
    box.add_class("xc-peers")
    return box


def by_region(ctx: Context) -> w.Widget:
    df = ctx.metric("rectification_rate", filters=ctx.filters.replace(region=None), by="region")
    chart = ctx.chart(
        "regions",
        charts.themed(charts.problems_by_region(df, ctx.lang, focus=ctx.state.region)),
        on_select=("region", lambda change: _drill(ctx, change)),
    )
    box = w.VBox([chart])
    box.add_class("xc-regions")
    return box


def last_full_quarter(day) -> str:
    """The last quarter that had ended by ``day`` (2026-11-23 -> 2026Q3)."""
    quarter = (day.month - 1) // 3
    return f"{day.year}Q{quarter}" if quarter else f"{day.year - 1}Q4"


def quarterly_button(ctx: Context) -> w.Widget:
    from toolkit.reports import quarterly

    quarter = last_full_quarter(ctx.as_of)
    region = ctx.filters.region
    name = f"季度报告_{region + '_' if region else ''}{quarter}.docx"
    button = report_button(
        f"{ctx.t('quarterly_report')} {quarter}",
        name,
        lambda: quarterly(ctx.ledger, quarter, region=region),
        busy=ctx.t("report_busy"),
        failed=ctx.t("report_failed"),
        download=ctx.t("download", name="{name}"),
    )
    button.add_class("xc-no-print")
    return button


def render(ctx: Context) -> list[w.Widget]:
    head = ctx.metric("headline").iloc[0]
    if head["units"] == 0 and head["problems"] == 0:
        return [scope(ctx), message(ctx.t("no_data"), "info")]
    regions_scope = scope_text(ctx, skip=("region",)) + " · " + ctx.t("regions_scope")
    return [
        scope(ctx),
        cards(ctx, head),
        quarterly_button(ctx),
        note(ctx.t("drill_hint"), "xc-note xc-no-print"),
        panel(
            ctx.t("trend_title"),
            trend(ctx),
            scope=scope_text(ctx) + " · " + ctx.t("trend_scope"),
            css_class="xc-trend",
        ),
        panel(ctx.t("peer_title"), peers(ctx), scope=regions_scope),
        panel(ctx.t("by_region_title"), by_region(ctx), scope=regions_scope),
    ]
