"""Tables as formatted Excel sheets, for the reports offices hand in (and the reconcile list).

Why a helper of its own: every report sheet looks the same as the ledger export (bold header on
the export's blue fill, frozen header row, widths from the headers), and the cells keep exact
values: counts as integers, rates as fractions shown ``0.0%``, amounts in 万元 shown with two
decimals, dates as date cells. So a test (or an analyst) reads the same numbers the metrics
returned, not text that only looks like them. Every cell is written through
``toolkit.safe_xlsx``: ledger text stays text, never a formula, whatever it begins with.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from toolkit.ingest.export import DATE_FORMAT, HEADER_FILL, WAN_FORMAT
from toolkit.safe_xlsx import guard_workbook, set_cell

PERCENT_FORMAT = "0.0%"
DELTA_FORMAT = "+#,##0;-#,##0;0"
PP_FORMAT = "+0.0%;-0.0%;0.0%"
FORMATS = {
    "rate": PERCENT_FORMAT,
    "wan": WAN_FORMAT,
    "date": DATE_FORMAT,
    "delta": DELTA_FORMAT,
    "pp": PP_FORMAT,
}


def kind_of(column: Column, record: dict) -> str:
    """The column's kind, or the row's when the column says ``row:<column>``."""
    if column.kind.startswith("row:"):
        return record[column.kind[4:]]
    return column.kind


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of a report table.

    Attributes:
      header: the Chinese header written in the sheet (and in the Word table).
      source: the DataFrame column it comes from.
      kind: text, wide (long text), int, rate (a fraction), wan (元 shown as 万元), date,
        delta (a change in a count), pp (a change in a rate, in percentage points), or
        ``row:<column>``: the kind is named per row in that column (an indicator table mixes
        counts and rates in one column).
    """

    header: str
    source: str
    kind: str = "text"


@dataclasses.dataclass(frozen=True)
class Sheet:
    """A titled table: what a report section shows, in Word and in Excel alike."""

    title: str
    frame: pd.DataFrame
    columns: tuple[Column, ...]
    note: str = ""


def cell_value(value, kind: str):
    """The exact value for an Excel cell (None for missing), by column kind."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if kind in ("int", "delta"):
        return int(value)
    if kind in ("rate", "pp"):
        return float(value)
    if kind == "wan":
        return int(value) / 10_000
    if kind == "date" and isinstance(value, dt.datetime):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


NOTICE_SHEET = "说明"


def workbook_bytes(sheets: list[Sheet], *, notice: str = "") -> bytes:
    """One worksheet per ``Sheet`` (title cut to Excel's 31 characters), returned as .xlsx bytes;
    ``notice`` (names shown unmasked, say) goes first, on a sheet of its own, in red."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if notice:
        add_notice_sheet(wb, [notice])
    for sheet in sheets:
        write_sheet(wb.create_sheet(sheet.title[:31]), sheet)
    guard_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def add_notice_sheet(wb, lines: list[str], *, warn: bool = True) -> None:
    """A first sheet 说明 holding ``lines`` (what the file shows, whether names are masked)."""
    ws = wb.create_sheet(NOTICE_SHEET, 0)
    for i, line in enumerate(lines, start=1):
        set_cell(ws, i, 1, line).font = Font(bold=warn, color="C00000" if warn else None)
    ws.column_dimensions["A"].width = 90


def write_sheet(ws, sheet: Sheet) -> None:
    row0 = 1
    if sheet.note:
        set_cell(ws, 1, 1, sheet.note).font = Font(italic=True)
        row0 = 2
    for j, column in enumerate(sheet.columns, start=1):
        cell = set_cell(ws, row0, j, column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, record in enumerate(sheet.frame.to_dict("records"), start=row0 + 1):
        for j, column in enumerate(sheet.columns, start=1):
            kind = kind_of(column, record)
            cell = set_cell(ws, i, j, cell_value(record.get(column.source), kind))
            if kind in FORMATS:
                cell.number_format = FORMATS[kind]
            elif kind == "wide":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for j, column in enumerate(sheet.columns, start=1):
        width = 40 if column.kind == "wide" else max(10, len(column.header) * 2 + 2)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = ws.cell(row=row0 + 1, column=1)
    # Printed (or converted to PDF) it fits the page width: offices print these to sign them.
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
