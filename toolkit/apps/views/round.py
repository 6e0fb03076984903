"""轮次 Round: one round's units, problem categories, rectification progress and clues.

Which round: the one in the filter bar; with none chosen, the latest round (under the term and
region filters) whose rectification period has ended on the state's date: every dated problem of
it is past its deadline, so its 整改率 means something. The page says which round and why. A
click on a unit opens its portrait (the round stays chosen, so the breadcrumbs lead back).
"""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as w
import pandas as pd

from toolkit import charts, labels, listings
from toolkit.apps.context import Context
from toolkit.apps.table import Col, data_table
from toolkit.apps.views.common import ratio, scope
from toolkit.filters import scoped
from toolkit.metrics.base import view_on
from toolkit.models import Disposal, ProblemStatus, RoundKind
from toolkit.safe_html import Markup
from toolkit.widgets import card_row, html, kpi_card, message, note, panel

STATUS_COLOURS = {
    "open": "#c8372d",
    "in_progress": "#e0b000",
    "ongoing": "#9aa5b1",
    "rectified": "#3a9a5b",
    "closed": "#2f6eb5",
}
TOP_UNITS = 40


def round_deadlines(ctx: Context) -> pd.DataFrame:
    """Per round under the filters (the round filter aside): its problems and last deadline."""
    filters = ctx.filters.replace(round=None)

    def compute():
        problems = scoped(view_on(ctx.ledger, ctx.as_of), "problems", filters)
        return (
            problems.group_by("round")
            .aggregate(problems=problems.count(), last_due=problems.due.max())
            .order_by("round")
            .execute()
        )

    return ctx.query("round_deadlines", compute, filters)


def default_round(ctx: Context) -> tuple[str, str] | None:
    """(round id, the sentence saying why it is shown) when no round is chosen; None if none."""
    df = round_deadlines(ctx)
    df = df[df["problems"] > 0].merge(ctx.rounds, left_on="round", right_on="id")
    if df.empty:
        return None
    df = df.sort_values(["start", "id"], ascending=[False, True])
    ended = df[pd.to_datetime(df["last_due"]).dt.date <= ctx.as_of]
    if len(ended):
        row = ended.iloc[0]
        due = labels.date(pd.Timestamp(row["last_due"]).date(), ctx.lang)
        return row["id"], ctx.t("round_default", name=row["name"], due=due)
    row = df.iloc[0]
    return row["id"], ctx.t("round_none_ended", name=row["name"])


def shown_round(ctx: Context) -> tuple[str | None, str]:
    if ctx.state.round:
        return ctx.state.round, ""
    found = default_round(ctx)
    return found if found else (None, "")


def prefetch(ctx: Context) -> Iterator[None]:
    round_id, _ = shown_round(ctx)
    yield
    if round_id is None:
        return
    filters = ctx.filters.replace(round=round_id)
    for name in ("headline", "case_conversion", "outcomes", "on_time_rate"):
        ctx.metric(name, filters=filters)
        yield
    round_units(ctx, round_id)
    yield
    ctx.metric("rectification_rate", filters=filters, by="category")
    yield
    status_counts(ctx, filters)
    yield
    round_row(ctx, round_id)
    yield
    clue_list(ctx, filters)
    yield


def round_row(ctx: Context, round_id: str) -> pd.Series:
    r = ctx.ledger.table("rounds")
    return ctx.query("round_row", lambda: r.filter(r.id == round_id).execute().iloc[0], round_id)


def clue_list(ctx: Context, filters) -> pd.DataFrame:
    return ctx.query(
        "clues",
        lambda: listings.clues(ctx.ledger, as_of=ctx.as_of, filters=filters, masker=ctx.masker),
        filters,
    )


def info(ctx: Context, round_id: str) -> w.HTML:
    row = round_row(ctx, round_id)
    kind = labels.vocab(row["round_kind"], RoundKind, ctx.lang)
    dates = f"{labels.date(row['start'].date(), ctx.lang)} — {labels.date(row['end'].date(), ctx.lang)}"
    return html(
        Markup("<div class='xc-round-info'><b data-round='{}'>{}</b>　{}　{}　{} {}</div>").format(
            round_id,
            row["name"],
            kind,
            dates,
            ctx.t("feedback"),
            labels.date(row["feedback_on"].date(), ctx.lang),
        )
    )


def round_units(ctx: Context, round_id: str) -> pd.DataFrame:
    return ctx.query(
        "round_units",
        lambda: listings.round_units(ctx.ledger, round_id, as_of=ctx.as_of, filters=ctx.filters),
        round_id,
        ctx.filters,
    )


def status_counts(ctx: Context, filters) -> pd.DataFrame:
    def compute():
        problems = scoped(view_on(ctx.ledger, ctx.as_of), "problems", filters)
        # ordered: a group-by on two threads returns its groups in any order, and the chart's
        # data (and so what the page sends) would differ from one drawing to the next
        return problems.group_by("status").aggregate(count=problems.count()).order_by("status").execute()

    return ctx.query("status_counts", compute, filters)


def cards(ctx: Context, filters) -> w.Widget:
    head = ctx.metric("headline", filters=filters).iloc[0]
    conv = ctx.metric("case_conversion", filters=filters).iloc[0]
    out = ctx.metric("outcomes", filters=filters).iloc[0]
    ontime = ctx.metric("on_time_rate", filters=filters).iloc[0]
    t, n = ctx.t, labels.number
    return card_row(
        [
            kpi_card("units", t("units"), n(head["units"])),
            kpi_card("problems", t("problems"), n(head["problems"])),
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
            kpi_card(
                "clues",
                t("clues"),
                n(head["clues"]),
                f"{t('case_conversion')} {labels.percent(conv['rate'])}",
            ),
            kpi_card(
                "sanctioned",
                t("sanctioned"),
                n(out["sanctioned"]) + t("persons"),
                labels.yuan(out["recovered_yuan"], ctx.lang),
            ),
        ]
    )


def units_chart(ctx: Context, round_id: str, units: pd.DataFrame) -> w.Widget:
    # Two units of one name (城关镇党委 in two counties) get their region, so a click opens the right one.
    twice = units["unit_name"].duplicated(keep=False)
    units = units.assign(
        label=[
            f"{n}（{r}）" if d else n
            for n, r, d in zip(units["unit_name"], units["region"], twice, strict=True)
        ]
    ).head(TOP_UNITS)

    def open_unit(change) -> None:
        picked = change["new"].value
        if picked:
            found = units.loc[units["label"] == picked[0]["label"], "unit"]
            if len(found):
                ctx.go(view="unit", unit=found.iloc[0], round=round_id)

    return ctx.chart(
        "round-units",
        charts.themed(
            charts.ranked_bars(
                units,
                "label",
                "problems",
                ctx.t("problems"),
                ctx.lang,
                selection="unit",
                name_title=ctx.t("unit"),
            )
        ),
        on_select=("unit", open_unit),
    )


def progress_chart(ctx: Context, filters) -> w.Widget:
    status = status_counts(ctx, filters)
    status["label"] = [labels.vocab(s, ProblemStatus, ctx.lang) for s in status["status"]]
    colours = {
        labels.vocab(k, ProblemStatus, ctx.lang): v
        for k, v in STATUS_COLOURS.items()
        if k in set(status["status"])
    }
    return ctx.chart(
        "round-progress",
        charts.themed(
            charts.ranked_bars(
                status,
                "label",
                "count",
                ctx.t("count"),
                ctx.lang,
                colour="label",
                colours=colours,
                name_title=ctx.t("status"),
            )
        ),
    )


def clues_table(ctx: Context, filters) -> w.Widget:
    df = clue_list(ctx, filters)
    if df.empty:
        return message(ctx.t("no_clues"), "info")
    disposal = lambda d: labels.vocab(d, Disposal, ctx.lang) if isinstance(d, str) else ctx.t("pending")  # noqa: E731
    money = lambda v: labels.yuan(v, ctx.lang) if v else "—"  # noqa: E731
    return data_table(
        df,
        [
            Col("unit_name", ctx.t("unit")),
            Col("title", ctx.t("clue")),
            Col("transferred_on", ctx.t("transferred_on")),
            Col("disposal", ctx.t("disposal"), show=disposal),
            Col("sanctioned", ctx.t("sanctioned"), numeric=True),
            Col("prosecuted", ctx.t("prosecuted"), numeric=True),
            Col("recovered_yuan", ctx.t("recovered"), show=money, numeric=True),
            Col("id", ctx.t("id")),
        ],
        ctx.lang,
        css_class="xc-clues",
    )


def render(ctx: Context) -> list[w.Widget]:
    round_id, why = shown_round(ctx)
    if round_id is None:
        return [scope(ctx), message(ctx.t("no_data"), "info")]
    filters = ctx.filters.replace(round=round_id)
    widgets = [info(ctx, round_id)]
    if why:
        widgets.append(note(why, "xc-round-why", colour="#7a4b00"))
    widgets += [scope(ctx), cards(ctx, filters)]
    units = round_units(ctx, round_id)
    if units.empty:
        return widgets + [message(ctx.t("no_data"), "info")]
    return widgets + [
        panel(ctx.t("units_in_round"), units_chart(ctx, round_id, units), css_class="xc-round-units"),
        panel(
            ctx.t("by_category"),
            ctx.chart(
                "round-categories",
                charts.themed(
                    charts.ranked_bars(
                        ctx.metric("rectification_rate", filters=filters, by="category"),
                        "category",
                        "problems",
                        ctx.t("problems"),
                        ctx.lang,
                        name_title=ctx.t("category"),
                    )
                ),
            ),
        ),
        panel(ctx.t("progress"), progress_chart(ctx, filters)),
        panel(ctx.t("clue_list"), clues_table(ctx, filters)),
    ]
