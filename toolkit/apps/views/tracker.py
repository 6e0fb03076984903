"""整改跟踪 Rectification tracker: open items by three-colour warning, sortable, paged, exportable.

The warning rules (江津 or 南京) and the colour shown are part of the state (so a link keeps
them); the list says 逾期 N 天 / 剩余 N 天 and sorts by the number behind it. The download is the
list as the leader filtered it: real date cells, a bold frozen header with filters, column widths,
and a first sheet 说明 naming the filters, the rules and the data date. Workbooks are written
through ``toolkit.reports.workbook`` / ``toolkit.safe_xlsx`` (text is never a formula). The list
holds no free text (descriptions, titles), so there is no person's name to mask in it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import ipywidgets as w
import pandas as pd

from toolkit import labels
from toolkit.apps.context import Context, scope_text
from toolkit.apps.state import COLOURS, PRESETS
from toolkit.apps.table import Col, data_table
from toolkit.apps.views.common import scope
from toolkit.charts import WARNING_COLOURS
from toolkit.models import DeadlineKind
from toolkit.widgets import card_row, kpi_card, message, note, panel, report_button, row

WARNINGS = ("red", "yellow", "green", "none")
HEX = {"red": "#c8372d", "yellow": "#b08900", "green": "#3a9a5b", "none": "#5a6473"}
SHEET = "整改跟踪"


def prefetch(ctx: Context) -> Iterator[None]:
    ctx.metric("overdue", by="region", rules=ctx.state.preset)
    yield
    ctx.metric("overdue_summary", rules=ctx.state.preset)
    yield


def items(ctx: Context) -> pd.DataFrame:
    df = ctx.metric("overdue", by="region", rules=ctx.state.preset)
    if ctx.state.colour != "all":
        df = df[df["colour"] == ctx.state.colour]
    return df.sort_values(["days_left", "id"], kind="stable", na_position="last").reset_index(drop=True)


def due_text(row, lang: str) -> str:
    if pd.isna(row.due):
        return labels.vocab(row.deadline, DeadlineKind, lang)
    return labels.date(row.due.date(), lang)


def export_bytes(ctx: Context, df: pd.DataFrame) -> bytes:
    """The list as .xlsx: 说明 first (filters, rules, data date), then the list with real dates,
    a bold frozen header with filters and widths fitted to the content."""
    # here, not at the top: openpyxl and the report modules are a third of a second of every
    # kernel's start, and only a download needs them
    import openpyxl
    from openpyxl.utils import get_column_letter

    from toolkit.reports.workbook import Column, Sheet, add_notice_sheet, write_sheet
    from toolkit.safe_xlsx import guard_workbook

    lang = ctx.lang
    frame = df.assign(
        colour_text=[labels.text(c, lang) for c in df["colour"]],
        days_text=[labels.days_to_due(d, lang) if pd.notna(d) else "—" for d in df["days_left"]],
        deadline_text=[labels.vocab(k, DeadlineKind, lang) for k in df["deadline"]],
        escalated_text=[labels.text("yes", lang) if e else "" for e in df["escalated"]],
        days_number=[None if pd.isna(d) else int(d) for d in df["days_left"]],
    )
    columns = (
        Column(ctx.t("id"), "id"),
        Column(ctx.t("region"), "region"),
        Column(ctx.t("unit"), "unit_name"),
        Column(ctx.t("category"), "category"),
        Column(ctx.t("due"), "due", "date"),
        Column(ctx.t("days_number"), "days_number", "int"),
        Column(ctx.t("days_left"), "days_text"),
        Column(ctx.t("extensions"), "extensions", "int"),
        Column(ctx.t("colour"), "colour_text"),
        Column(ctx.t("escalated"), "escalated_text"),
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    write_sheet(ws, Sheet(SHEET, frame, columns))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    for j, column in enumerate(columns, start=1):
        longest = max([len(str(v)) for v in frame[column.source].head(500)] + [len(column.header)], default=4)
        ws.column_dimensions[get_column_letter(j)].width = min(44, max(10, longest * 1.8 + 2))
    said = lambda key, value: f"{ctx.t(key)}{labels.colon(lang)}{value}"  # noqa: E731
    colour = labels.text(ctx.state.colour, lang) if ctx.state.colour != "all" else ctx.t("all")
    add_notice_sheet(
        wb,
        [
            ctx.t("export_title"),
            scope_text(ctx),
            said("colour_rule", ctx.t("rules_" + ctx.state.preset)),
            said("colour", colour),
            said("data_as_of", labels.date(ctx.facts.data_date, lang))
            + " · "
            + said("export_made", labels.published_at(dt.datetime.now(), lang)),
            ctx.t("export_rows", n=labels.number(len(frame))),
            ctx.t("masked_note"),
        ],
        warn=False,
    )
    guard_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def controls(ctx: Context) -> w.Widget:
    preset = w.ToggleButtons(
        options=[(ctx.t(f"preset_{p}"), p) for p in PRESETS],
        value=ctx.state.preset,
        description=ctx.t("preset"),
    )
    preset.add_class("xc-preset")
    preset.style.button_width = "auto"
    preset.observe(lambda c: ctx.go(preset=c["new"]), names="value")
    colour = w.Dropdown(
        options=[(ctx.t("all") if c == "all" else ctx.t(c), c) for c in COLOURS],
        value=ctx.state.colour,
        description=ctx.t("colour"),
        layout=w.Layout(width="200px"),
    )
    colour.add_class("xc-colour")
    colour.observe(lambda c: ctx.go(colour=c["new"]), names="value")
    return row([preset, colour], "xc-no-print")


def cards(ctx: Context) -> w.Widget:
    summary = ctx.metric("overdue_summary", rules=ctx.state.preset).iloc[0]
    share = lambda c: labels.percent(summary[c] / summary["open"] if summary["open"] else None)  # noqa: E731
    return card_row(
        [kpi_card("open", ctx.t("open_items"), labels.number(summary["open"]))]
        + [kpi_card(c, ctx.t(c), labels.number(summary[c]), share(c), colour=HEX[c]) for c in WARNINGS]
        + [kpi_card("escalated", ctx.t("escalated"), labels.number(summary["escalated"]), colour=HEX["red"])]
    )


def render(ctx: Context) -> list[w.Widget]:
    lang = ctx.lang
    widgets = [
        controls(ctx),
        note(ctx.t("rules_" + ctx.state.preset), "xc-rules"),
        scope(ctx),
        cards(ctx),
    ]
    shown = items(ctx)
    if shown.empty:
        return widgets + [message(ctx.t("no_data"), "info")]
    shown = shown.assign(due_text=[due_text(r, lang) for r in shown.itertuples()])
    table = data_table(
        shown,
        [
            Col("unit_name", ctx.t("unit")),
            Col("region", ctx.t("region")),
            Col("category", ctx.t("category")),
            Col("due", ctx.t("due"), show=lambda d: labels.date(d.date(), lang) if pd.notna(d) else "—"),
            Col(
                "days_left",
                ctx.t("days_left"),
                show=lambda d: labels.days_to_due(d, lang) if pd.notna(d) else "—",
                numeric=True,
            ),
            Col("extensions", ctx.t("extensions"), numeric=True),
            Col("colour", ctx.t("colour"), show=lambda c: labels.text(c, lang), dots=WARNING_COLOURS),
            Col("escalated", ctx.t("escalated")),
            Col("id", ctx.t("id")),
        ],
        lang,
        css_class="xc-tracker",
    )
    export = report_button(
        ctx.t("export"),
        f"整改跟踪_{ctx.as_of.isoformat()}.xlsx",
        lambda: export_bytes(ctx, shown),
        busy=ctx.t("report_busy"),
        failed=ctx.t("report_failed"),
        download=ctx.t("download", name="{name}"),
    )
    export.add_class("xc-no-print")
    return widgets + [panel(ctx.t("open_items"), export, table, scope=ctx.t("tracker_scope"))]
