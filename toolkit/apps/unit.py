"""单位 Unit / 廉情画像: one unit over the terms, its modules side by side (昆明 一报一单).

Rounds it was in, its problems with their status history, clues and outcomes, the assignments of
its region, and the look-back view: categories found again after rectification. Names of persons
are masked everywhere here: 被反映人, and any name in a title, description or history entry.
A link to a unit the ledger does not have says so (未找到单位“U999999”) and shows no unit.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from toolkit import labels, listings
from toolkit.apps.shell import Context, launch
from toolkit.models import Disposal, ProblemStatus
from toolkit.safe_html import truncate
from toolkit.widgets import card_row, heading, kpi_card, message, report_button, table


def _fmt_date(value, lang: str) -> str:
    return labels.date(value.date(), lang) if isinstance(value, pd.Timestamp) and not pd.isna(value) else "—"


def problems_table(ctx: Context, df: pd.DataFrame) -> w.Widget:
    shown = df.copy()
    shown["status"] = [labels.vocab(s, ProblemStatus, ctx.lang) for s in shown["status"]]
    for col in ("due", "rectified_on", "closed_on"):
        shown[col] = [_fmt_date(v, ctx.lang) for v in shown[col]]
    cols = {
        "id": "编号",
        "round_name": ctx.t("round"),
        "category": ctx.t("category"),
        "description": ctx.t("description"),
        "status": ctx.t("status"),
        "due": ctx.t("due"),
        "extensions": ctx.t("extensions"),
        "rectified_on": "整改完成",
        "closed_on": "销号",
    }
    return table(shown, cols, css_class="xc-problems")


def history_picker(ctx: Context, df: pd.DataFrame) -> w.Widget:
    """Pick one problem, see its events: when, what, who, why."""
    out = w.VBox()
    pick = w.Dropdown(
        options=[(f"{r.id} {r.category}", r.id) for r in df.itertuples()],
        description=ctx.t("history"),
        style={"description_width": "90px"},
        layout=w.Layout(width="520px"),
    )
    pick.add_class("xc-history-pick")

    def show(_=None) -> None:
        events = listings.problem_history(ctx.ledger, pick.value, as_of=ctx.as_of, masker=ctx.masker)
        events["at"] = [_fmt_date(v, ctx.lang) for v in events["at"]]
        out.children = [
            table(
                events,
                {"at": "日期", "kind": "事件", "by": "记录人", "why": "事由", "payload": "内容"},
                css_class="xc-history",
            )
        ]

    pick.observe(show, names="value")
    if len(df):
        show()
    return w.VBox([pick, out])


def clues_table(ctx: Context, unit_id: str) -> w.Widget:
    df = listings.unit_clues(ctx.ledger, unit_id, as_of=ctx.as_of, masker=ctx.masker)
    if df.empty:
        return message("无问题线索" if ctx.lang == "zh" else "No clues", "info")
    df["disposal"] = [
        labels.vocab(d, Disposal, ctx.lang) if isinstance(d, str) else "待处置" for d in df["disposal"]
    ]
    df["transferred_on"] = [_fmt_date(v, ctx.lang) for v in df["transferred_on"]]
    df["recovered_yuan"] = [labels.yuan(v, ctx.lang) if v else "—" for v in df["recovered_yuan"]]
    cols = {
        "id": "编号",
        "round_name": ctx.t("round"),
        "title": "线索",
        "subject": "被反映人",
        "transferred_on": "移交时间",
        "disposal": "处置方式",
        "sanctioned": ctx.t("sanctioned"),
        "prosecuted": ctx.t("prosecuted"),
        "recovered_yuan": ctx.t("recovered"),
    }
    return table(df, cols, css_class="xc-clues")


def portrait(
    ctx: Context, unit_id: str, *, compact: bool = False, info: dict | None = None
) -> list[w.Widget]:
    """The portrait's panels (the round app shows a compact one inline)."""
    problems = listings.unit_problems(ctx.ledger, unit_id, as_of=ctx.as_of, masker=ctx.masker)
    clues = listings.unit_clues(ctx.ledger, unit_id, as_of=ctx.as_of, masker=ctx.masker)
    rectified = int(problems["rectified"].sum()) if len(problems) else 0
    cards = card_row(
        [
            kpi_card(
                "rounds", ctx.t("rounds"), labels.number(problems["round"].nunique() if len(problems) else 0)
            ),
            kpi_card("problems", ctx.t("problems"), labels.number(len(problems))),
            kpi_card(
                "rectification_rate",
                ctx.t("rectification_rate"),
                labels.percent(rectified / len(problems) if len(problems) else None),
                f"{rectified} / {len(problems)}",
            ),
            kpi_card("clues", ctx.t("clues"), labels.number(len(clues))),
            kpi_card(
                "sanctioned",
                ctx.t("sanctioned"),
                labels.number(int(clues["sanctioned"].sum()) if len(clues) else 0) + ctx.t("persons"),
                labels.yuan(int(clues["recovered_yuan"].sum()) if len(clues) else 0, ctx.lang),
            ),
        ]
    )
    panels = [
        cards,
        heading(ctx.t("problems_of_unit")),
        problems_table(ctx, problems) if len(problems) else message(ctx.t("no_data"), "info"),
    ]
    if compact:
        return panels
    per_round = (
        problems.groupby(["round_name", "round_start"], as_index=False)
        .agg(problems=("id", "size"), rectified=("rectified", "sum"))
        .sort_values("round_start")
        if len(problems)
        else problems
    )
    recur = listings.unit_recurrences(ctx.ledger, unit_id, as_of=ctx.as_of)
    info = info or listings.unit_info(ctx.ledger, unit_id)
    assigned = listings.unit_assignments(ctx.ledger, info["region"], as_of=ctx.as_of, masker=ctx.masker)
    assigned["reported_on"] = [_fmt_date(v, ctx.lang) for v in assigned["reported_on"]]
    assigned["due"] = [_fmt_date(v, ctx.lang) for v in assigned["due"]]
    return [
        heading(ctx.t("rounds_of_unit")),
        table(
            per_round,
            {"round_name": ctx.t("round"), "problems": ctx.t("problems"), "rectified": ctx.t("rectified")},
            css_class="xc-unit-rounds",
        )
        if len(per_round)
        else message(ctx.t("no_data"), "info"),
        *panels,
        history_picker(ctx, problems),
        heading(ctx.t("clue_list")),
        clues_table(ctx, unit_id),
        heading(ctx.t("recurrences")),
        table(
            recur,
            {
                "category": ctx.t("category"),
                "first_round": "首次发现",
                "again_round": "再次发现",
                "again_found": "再次发现数",
            },
            css_class="xc-recur",
        )
        if len(recur)
        else message("未发现同类问题复发" if ctx.lang == "zh" else "No recurrence", "info"),
        heading(ctx.t("assignments")),
        table(
            assigned, {"title": "事项", "due": ctx.t("due"), "reported_on": "报告时间"}, css_class="xc-assign"
        )
        if len(assigned)
        else message(ctx.t("no_data"), "info"),
    ]


def portrait_button(ctx: Context, unit_id: str, name: str) -> w.Widget:
    from toolkit.reports import portrait as portrait_report

    return report_button(
        ctx.t("portrait_report"),
        f"一报一单_{name}.docx",
        lambda: portrait_report(ctx.ledger, unit_id, as_of=ctx.as_of),  # names masked (the default)
    )


def unit_choices(ctx: Context) -> list[tuple[str, str]]:
    from toolkit.filters import scoped

    inspections = scoped(ctx.ledger.as_of(ctx.as_of), "inspections", ctx.filters)
    df = (
        inspections.select("unit", "unit_name", "region")
        .distinct()
        .execute()
        .sort_values(["region", "unit_name"])
    )
    return [(f"{r.unit_name}（{r.region}）", r.unit) for r in df.itertuples()]


def render(ctx: Context) -> list[w.Widget]:
    choices = unit_choices(ctx)
    wanted = ctx.params.get("unit")
    if not choices and not wanted:
        return [message(ctx.t("no_data"), "info")]
    ids = [v for _, v in choices]
    missing = None
    if wanted and wanted not in ids:
        try:
            info = listings.unit_info(ctx.ledger, wanted)
            choices = [(f"{info['name']}（{info['region']}）", wanted)] + choices
        except KeyError:  # never another unit in its place: say so, let the leader pick
            missing = message(
                labels.text("unit_not_found", ctx.lang, value=truncate(wanted, 60))
                + " "
                + ctx.t("pick_unit_hint")
            )
            missing.add_class("xc-link-error")
            wanted = None
    picker = w.Dropdown(
        options=choices,
        value=None if missing else (wanted or (choices[0][1] if choices else None)),
        description=ctx.t("pick_unit"),
        style={"description_width": "64px"},
        layout=w.Layout(width="520px"),
    )
    picker.add_class("xc-unit-pick")
    body = w.VBox()

    def show(_=None) -> None:
        if picker.value is None:
            body.children = [missing or message(ctx.t("pick_unit_hint"), "info")]
            return
        ctx.params["unit"] = picker.value
        info = listings.unit_info(ctx.ledger, picker.value)
        title = f"{info['name']}　{info['region']} · {info['sector']}"
        body.children = [
            heading(title),
            portrait_button(ctx, picker.value, info["name"]),
            *portrait(ctx, picker.value, info=info),
        ]

    picker.observe(show, names="value")
    show()
    return [picker, body]


def app() -> w.Widget:
    return launch("unit", render)
