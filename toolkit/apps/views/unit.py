"""单位画像 Unit portrait (昆明 一报一单): one unit over the terms, its modules side by side.

The unit is picked by name from a search box narrowed by the filters (or comes from a click in
the round view, or a link). Rounds it was in, its problems and each one's history in sentences,
clues and outcomes (被反映人 masked), look-back recurrences, its region's assignments. The page
says what period it covers, and that its 一报一单 covers the five years up to the date.
A link to a unit the ledger does not have says so (未找到单位“U999999”) and shows no unit.
"""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as w
import pandas as pd

from toolkit import labels, listings
from toolkit.apps.context import Context
from toolkit.apps.history import sentences
from toolkit.apps.table import Col, data_table
from toolkit.apps.views.common import scope
from toolkit.filters import PORTRAIT_YEARS as WINDOW_YEARS
from toolkit.filters import scoped
from toolkit.metrics.base import view_on
from toolkit.models import Disposal, ProblemStatus
from toolkit.safe_html import truncate
from toolkit.widgets import card_row, heading, kpi_card, message, note, panel, report_button, row


def unit_info(ctx: Context, unit_id: str) -> dict | None:
    def compute():
        try:
            return listings.unit_info(ctx.ledger, unit_id)
        except KeyError:
            return None

    return ctx.cache.get(("unit_info", unit_id), compute)


def unit_name(ctx: Context, unit_id: str) -> str | None:
    info = unit_info(ctx, unit_id)
    return info["name"] if info else None


def unit_choices(ctx: Context) -> list[tuple[str, str]]:
    """(label, id) of the units inspected under the filters: 城关镇党委（西山区）."""

    def compute():
        inspections = scoped(view_on(ctx.ledger, ctx.as_of), "inspections", ctx.filters)
        df = inspections.select("unit", "unit_name", "region").distinct().execute()
        df = df.sort_values(["region", "unit_name", "unit"])
        twice = (df["unit_name"] + df["region"]).duplicated(keep=False)
        return [
            (f"{r.unit_name}（{r.region}）" + (f" {r.unit}" if d else ""), r.unit)
            for r, d in zip(df.itertuples(), twice, strict=True)
        ]

    return ctx.query("unit_choices", compute, ctx.filters)


def prefetch(ctx: Context) -> Iterator[None]:
    unit_choices(ctx)
    yield
    if ctx.state.unit and unit_info(ctx, ctx.state.unit):
        problems(ctx, ctx.state.unit)
        yield
        clues(ctx, ctx.state.unit)
        yield


def problems(ctx: Context, unit_id: str) -> pd.DataFrame:
    return ctx.query(
        "unit_problems",
        lambda: listings.unit_problems(ctx.ledger, unit_id, as_of=ctx.as_of, masker=ctx.masker),
        unit_id,
    )


def clues(ctx: Context, unit_id: str) -> pd.DataFrame:
    return ctx.query(
        "unit_clues",
        lambda: listings.unit_clues(ctx.ledger, unit_id, as_of=ctx.as_of, masker=ctx.masker),
        unit_id,
    )


def picker(ctx: Context) -> w.Widget:
    choices = unit_choices(ctx)
    if ctx.state.unit and ctx.state.unit not in {v for _, v in choices}:
        info = unit_info(ctx, ctx.state.unit)
        if info:
            choices = [(f"{info['name']}（{info['region']}）", ctx.state.unit), *choices]
    by_label = dict(choices)
    current = next((label for label, v in choices if v == ctx.state.unit), "")
    box = w.Combobox(
        options=[label for label, _ in choices],
        value=current,
        placeholder=ctx.t("search_unit"),
        description=ctx.t("pick_unit"),
        ensure_option=False,
        continuous_update=False,
        layout=w.Layout(width="520px"),
    )
    box.add_class("xc-unit-pick")
    box.add_class("xc-wide-control")

    def chosen(change) -> None:
        unit_id = by_label.get(change["new"])
        if unit_id and unit_id != ctx.state.unit:
            ctx.go(unit=unit_id)

    box.observe(chosen, names="value")
    return box


def _date(value, lang):
    return labels.date(value.date(), lang) if isinstance(value, pd.Timestamp) and not pd.isna(value) else "—"


def cards(ctx: Context, probs: pd.DataFrame, cls: pd.DataFrame) -> w.Widget:
    t, n = ctx.t, labels.number
    rectified = int(probs["rectified"].sum()) if len(probs) else 0
    return card_row(
        [
            kpi_card("rounds", t("rounds"), n(probs["round"].nunique() if len(probs) else 0)),
            kpi_card("problems", t("problems"), n(len(probs))),
            kpi_card(
                "rectification_rate",
                t("rectification_rate"),
                labels.percent(rectified / len(probs) if len(probs) else None),
                f"{n(rectified)} / {n(len(probs))}",
            ),
            kpi_card("clues", t("clues"), n(len(cls))),
            kpi_card(
                "sanctioned",
                t("sanctioned"),
                n(int(cls["sanctioned"].sum()) if len(cls) else 0) + t("persons"),
                labels.yuan(int(cls["recovered_yuan"].sum()) if len(cls) else 0, ctx.lang),
            ),
        ]
    )


def problems_table(ctx: Context, probs: pd.DataFrame) -> w.Widget:
    lang = ctx.lang
    open_days = probs["days_to_due"].where(~probs["rectified"] & (probs["status"] != "ongoing"))
    shown = probs.assign(open_days=open_days)
    return data_table(
        shown,
        [
            Col("category", ctx.t("category")),
            Col("round_name", ctx.t("round")),
            Col("description", ctx.t("description")),
            Col("status", ctx.t("status"), show=lambda s: labels.vocab(s, ProblemStatus, lang)),
            Col("due", ctx.t("due")),
            Col(
                "open_days",
                ctx.t("days_left"),
                show=lambda d: labels.days_to_due(d, lang) if pd.notna(d) else "—",
            ),
            Col("extensions", ctx.t("extensions"), numeric=True),
            Col("rectified_on", ctx.t("rectified_on")),
            Col("closed_on", ctx.t("closed_on")),
            Col("id", ctx.t("id")),
        ],
        lang,
        css_class="xc-problems",
    )


def history(ctx: Context, probs: pd.DataFrame) -> w.Widget:
    """Pick one problem, read its history as sentences."""
    out = w.VBox()
    out.add_class("xc-history")
    pick = w.Dropdown(
        options=[(truncate(f"{r.category} · {r.round_name} · {r.id}", 80), r.id) for r in probs.itertuples()],
        description=ctx.t("history_pick"),
        layout=w.Layout(width="520px"),
    )
    pick.add_class("xc-history-pick")
    pick.add_class("xc-wide-control")

    def show(_=None) -> None:
        events = listings.problem_history(ctx.ledger, pick.value, as_of=ctx.as_of, masker=ctx.masker)
        out.children = [note(s, "xc-history-line", colour="#1f2933") for s in sentences(events, ctx.lang)]

    pick.observe(show, names="value")
    if len(probs):
        show()
    return w.VBox([pick, out])


def clues_table(ctx: Context, cls: pd.DataFrame) -> w.Widget:
    if cls.empty:
        return message(ctx.t("no_clues"), "info")
    lang = ctx.lang
    return data_table(
        cls,
        [
            Col("title", ctx.t("clue")),
            Col("round_name", ctx.t("round")),
            Col("subject", ctx.t("subject")),
            Col("transferred_on", ctx.t("transferred_on")),
            Col(
                "disposal",
                ctx.t("disposal"),
                show=lambda d: labels.vocab(d, Disposal, lang) if isinstance(d, str) else ctx.t("pending"),
            ),
            Col("sanctioned", ctx.t("sanctioned"), numeric=True),
            Col("prosecuted", ctx.t("prosecuted"), numeric=True),
            Col(
                "recovered_yuan",
                ctx.t("recovered"),
                show=lambda v: labels.yuan(v, lang) if v else "—",
                numeric=True,
            ),
            Col("id", ctx.t("id")),
        ],
        lang,
        css_class="xc-clues",
    )


def portrait_button(ctx: Context, unit_id: str, name: str) -> w.Widget:
    from toolkit.reports import portrait as portrait_report

    button = report_button(
        ctx.t("portrait_report"),
        f"一报一单_{name}.docx",
        lambda: portrait_report(ctx.ledger, unit_id, as_of=ctx.as_of),  # names masked (the default)
        busy=ctx.t("report_busy"),
        failed=ctx.t("report_failed"),
        download=ctx.t("download", name="{name}"),
    )
    button.add_class("xc-no-print")
    return button


def data_heading(text: str) -> w.Widget:
    """A heading made of ledger values (the unit's name): data, in whatever language it was kept."""
    title = heading(text)
    title.add_class("xc-data")
    return title


def portrait(ctx: Context, unit_id: str, info: dict) -> list[w.Widget]:
    probs, cls = problems(ctx, unit_id), clues(ctx, unit_id)
    lang = ctx.lang
    since = ctx.as_of.replace(year=ctx.as_of.year - WINDOW_YEARS)
    per_round = (
        probs.groupby(["round_name", "round_start"], as_index=False)
        .agg(problems=("id", "size"), rectified=("rectified", "sum"))
        .sort_values("round_start")
        if len(probs)
        else pd.DataFrame(columns=["round_name", "round_start", "problems", "rectified"])
    )
    recur = ctx.query(
        "unit_recurrences", lambda: listings.unit_recurrences(ctx.ledger, unit_id, as_of=ctx.as_of), unit_id
    )
    assigned = ctx.query(
        "unit_assignments",
        lambda: listings.unit_assignments(ctx.ledger, info["region"], as_of=ctx.as_of, masker=ctx.masker),
        info["region"],
    )
    no_data = lambda: message(ctx.t("no_data"), "info")  # noqa: E731
    return [
        data_heading(f"{info['name']}　{info['region']} · {info['sector']}"),
        note(
            ctx.t("unit_scope", day=labels.date(ctx.as_of, lang), since=labels.date(since, lang)), "xc-scope"
        ),
        portrait_button(ctx, unit_id, info["name"]),
        cards(ctx, probs, cls),
        panel(
            ctx.t("rounds_of_unit"),
            data_table(
                per_round,
                [
                    Col("round_name", ctx.t("round")),
                    Col("round_start", ctx.t("round_start")),
                    Col("problems", ctx.t("problems"), numeric=True),
                    Col("rectified", ctx.t("rectified"), numeric=True),
                ],
                lang,
                css_class="xc-unit-rounds",
            )
            if len(per_round)
            else no_data(),
        ),
        panel(ctx.t("problems_of_unit"), problems_table(ctx, probs) if len(probs) else no_data()),
        panel(ctx.t("history"), history(ctx, probs) if len(probs) else no_data()),
        panel(ctx.t("clue_list"), clues_table(ctx, cls)),
        panel(
            ctx.t("recurrences"),
            data_table(
                recur,
                [
                    Col("category", ctx.t("category")),
                    Col("first_round", ctx.t("first_found")),
                    Col("again_round", ctx.t("found_again")),
                    Col("again_found", ctx.t("found_again_count"), numeric=True),
                ],
                lang,
                css_class="xc-recur",
            )
            if len(recur)
            else message(ctx.t("no_recurrence"), "info"),
        ),
        panel(
            ctx.t("assignments"),
            data_table(
                assigned,
                [
                    Col("title", ctx.t("matter")),
                    Col("due", ctx.t("due")),
                    Col("reported_on", ctx.t("reported_on")),
                ],
                lang,
                css_class="xc-assign",
            )
            if len(assigned)
            else no_data(),
        ),
    ]


def render(ctx: Context) -> list[w.Widget]:
    wanted = ctx.state.unit
    if wanted and unit_info(ctx, wanted) is None:  # never another unit in its place: say so
        missing = message(ctx.t("unit_not_found", value=truncate(wanted, 60)) + " " + ctx.t("pick_unit_hint"))
        missing.add_class("xc-link-error")
        return [row([picker(ctx)]), missing]
    if not wanted:
        if not unit_choices(ctx):
            return [scope(ctx), message(ctx.t("no_data"), "info")]
        return [row([picker(ctx)]), message(ctx.t("pick_unit_hint"), "info")]
    return [row([picker(ctx)]), *portrait(ctx, wanted, unit_info(ctx, wanted))]
