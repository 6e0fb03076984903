"""整改 Rectification tracker: open items by three-colour warning, sortable, filterable, exportable.

The warning preset (江津 or 南京) is a switch; the list shows days to/after the deadline and how
many times it was extended; the filtered list downloads as an Excel workbook, written like every
workbook the toolkit makes (``toolkit.reports.workbook``: text is never a formula). The list
holds no free text (descriptions, titles), so there is no person's name to mask in it.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from toolkit import labels, metrics
from toolkit.apps.shell import Context, launch
from toolkit.models import DeadlineKind
from toolkit.reports.workbook import Column, Sheet, workbook_bytes
from toolkit.safe_html import Markup
from toolkit.widgets import card_row, download_link, heading, kpi_card, message, table

COLOURS = ("red", "yellow", "green", "none")
HEX = {"red": "#c8372d", "yellow": "#b08900", "green": "#3a9a5b", "none": "#5a6473"}
SORTS = {"days_left": True, "extensions": False, "region": True, "unit_name": True}


PRESETS = ("jiangjin", "nanjing")
NUMBERS = ("days_left", "extensions")


def export_bytes(df: pd.DataFrame, columns: dict[str, str]) -> bytes:
    """The list as an .xlsx (headers as shown, counts as numbers), built in memory."""
    sheet = Sheet(
        "整改跟踪", df, tuple(Column(h, c, "int" if c in NUMBERS else "text") for c, h in columns.items())
    )
    return workbook_bytes([sheet])


def render(ctx: Context) -> list[w.Widget]:
    preset = w.ToggleButtons(
        options=[("江津（提前预警）", "jiangjin"), ("南京（逾期10天红色）", "nanjing")],
        value=ctx.param("preset", PRESETS, "jiangjin", "preset"),
        description=ctx.t("preset"),
        style={"description_width": "64px"},
    )
    preset.add_class("xc-preset")
    colour = w.Dropdown(
        options=[(labels.text("all", ctx.lang), "all")] + [(ctx.t(c), c) for c in COLOURS],
        value=ctx.param("colour", ("all", *COLOURS), "all", "colour"),
        description=ctx.t("colour"),
        style={"description_width": "48px"},
        layout=w.Layout(width="200px"),
    )
    colour.add_class("xc-colour")
    sort = w.Dropdown(
        options=[
            (ctx.t("days_left"), "days_left"),
            (ctx.t("extensions"), "extensions"),
            (ctx.t("region"), "region"),
            (ctx.t("unit"), "unit_name"),
        ],
        value="days_left",
        description="排序" if ctx.lang == "zh" else "Sort",
        style={"description_width": "40px"},
        layout=w.Layout(width="200px"),
    )
    sort.add_class("xc-sort")
    body = w.VBox()

    def draw(_=None) -> None:
        ctx.params["preset"] = preset.value
        items = metrics.overdue(
            ctx.ledger, as_of=ctx.as_of, filters=ctx.filters, by="region", rules=preset.value
        )
        summary = metrics.overdue_summary(
            ctx.ledger, as_of=ctx.as_of, filters=ctx.filters, rules=preset.value
        ).iloc[0]
        cards = card_row(
            [kpi_card("open", ctx.t("open_items"), labels.number(summary["open"]))]
            + [
                kpi_card(
                    c,
                    ctx.t(c),
                    labels.number(summary[c]),
                    labels.percent(summary[c] / summary["open"] if summary["open"] else None),
                    colour=HEX[c],
                )
                for c in COLOURS
            ]
            + [
                kpi_card(
                    "escalated", ctx.t("escalated"), labels.number(summary["escalated"]), colour=HEX["red"]
                )
            ]
        )
        shown = items if colour.value == "all" else items[items["colour"] == colour.value]
        shown = shown.sort_values(sort.value, ascending=SORTS[sort.value], kind="stable")
        if shown.empty:
            body.children = [cards, message(ctx.t("no_data"), "info")]
            return
        view = shown.assign(
            colour_label=shown["colour"],
            due_text=[
                labels.date(d.date(), ctx.lang) if not pd.isna(d) else labels.vocab(k, DeadlineKind, ctx.lang)
                for d, k in zip(shown["due"], shown["deadline"], strict=True)
            ],
            escalated_text=["是" if e else "" for e in shown["escalated"]],
        )
        columns = {
            "id": "编号",
            "region": ctx.t("region"),
            "unit_name": ctx.t("unit"),
            "category": ctx.t("category"),
            "due_text": ctx.t("due"),
            "days_left": ctx.t("days_left"),
            "extensions": ctx.t("extensions"),
            "colour_label": ctx.t("colour"),
            "escalated_text": ctx.t("escalated"),
        }
        dot = {
            "colour_label": lambda c: Markup("<span style='color:{}'>●</span> {}").format(HEX[c], ctx.t(c))
        }
        html_table = table(view, columns, css_class="xc-tracker", markup=dot)
        export = view.assign(colour_label=[ctx.t(c) for c in view["colour"]])
        link = download_link(
            export_bytes(export, columns),
            f"整改跟踪_{ctx.as_of.isoformat()}.xlsx",
            ctx.t("export"),
        )
        body.children = [cards, link, html_table]

    for control in (preset, colour, sort):
        control.observe(draw, names="value")
    draw()
    return [
        w.HBox([preset, colour, sort], layout=w.Layout(flex_flow="row wrap", gap="8px")),
        heading(ctx.t("open_items")),
        body,
    ]


def app() -> w.Widget:
    return launch("tracker", render)
