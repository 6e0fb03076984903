"""The rejects workbook: rejected rows handed back to the analyst, fixable and re-importable.

One sheet per source sheet, holding that sheet's original header and the rejected rows with their
cells as read (dates stay dates), then three columns the importer ignores: 错误列 (the column at
fault, e.g. ``G 整改时限``), 错误原因 (the reasons, Chinese / English) and 原始位置 (file, sheet,
row). What the original took from outside the row (the round from ``--round`` or the title, the
unit from the 填报单位 line) is written into 巡察轮次 / 被巡察单位 columns, so the rejects file
imports on its own. A last sheet 错误明细 lists every fault, one per line.

The analyst corrects the cells, saves, and runs the same import on the rejects file: fixed rows
are accepted, rows still wrong come back with their reasons, rows that meanwhile got in count as
duplicates.

The workbook is written streaming (openpyxl ``write_only``), so a million rejected rows take no
more memory than one, and every cell goes through ``safe_xlsx.text_cell``: text stays text (a
cell starting with ``=`` is never a formula) and a control character never aborts the save.
The file is written to a temporary name beside the target and renamed when complete, so a
killed import never leaves half a workbook under the name the analyst will open.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from toolkit.ingest.report import DETAIL_SHEET, ImportReport, RejectedRow
from toolkit.safe_xlsx import text_cell

ERROR_HEADERS = ("错误列", "错误原因", "原始位置")
DETAIL_HEADERS = ("文件", "工作表", "行号", "列", "表头", "错误原因", "reason")
ERROR_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
DATE_FORMAT = "yyyy-mm-dd"


def write_rejects(report: ImportReport, path: str | os.PathLike) -> Path | None:
    """Write the rejects workbook; None (and no file) when nothing was rejected."""
    if not report.rejected_rows:
        return None
    path = Path(path)
    groups: dict[tuple[str, str], list[RejectedRow]] = {}
    for rej in report.rejected_rows:
        groups.setdefault((rej.file, rej.sheet), []).append(rej)
    wb = openpyxl.Workbook(write_only=True)
    names: set[str] = set()
    for (file, sheet), rows in groups.items():
        ws = wb.create_sheet(_sheet_name(f"{Path(file).stem}-{sheet}", names))
        _write_group(ws, rows)
    detail = wb.create_sheet(DETAIL_SHEET)
    _widths(detail, DETAIL_HEADERS)
    detail.append(_header_cells(detail, DETAIL_HEADERS))
    for e in report.errors:
        values = [e.file, e.sheet, e.row, e.column, e.header, e.reason_zh, e.reason_en]
        detail.append([text_cell(detail, v) for v in values])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".拒收行-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return path


def _write_group(ws, rows: list[RejectedRow]) -> None:
    headers = list(rows[0].headers)
    extra = []
    for rej in rows:
        for key in rej.context:
            if key not in headers and key not in extra:
                extra.append(key)
    _widths(ws, [*headers, *extra, *ERROR_HEADERS])
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, [*headers, *extra, *ERROR_HEADERS]))
    for rej in rows:
        cells = list(rej.cells[: len(headers)]) + [None] * max(0, len(headers) - len(rej.cells))
        for key, value in rej.context.items():
            if key in headers and cells[headers.index(key)] in (None, ""):
                cells[headers.index(key)] = value
        faulty = {headers.index(e.header) for e in rej.errors if e.column and e.header in headers}
        where = "；".join(f"{e.column} {e.header}".strip() for e in rej.errors)
        why = "；".join(f"{e.reason_zh} / {e.reason_en}" for e in rej.errors)
        values = [
            *cells,
            *(rej.context.get(k) for k in extra),
            where,
            why,
            f"{rej.file} [{rej.sheet}] 第{rej.row}行",
        ]
        row = []
        for j, value in enumerate(values):
            cell = text_cell(ws, value)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            if j in faulty:
                cell.fill = ERROR_FILL
            row.append(cell)
        ws.append(row)


def _header_cells(ws, headers) -> list:
    cells = []
    for header in headers:
        cell = text_cell(ws, header)
        cell.font = BOLD
        cells.append(cell)
    return cells


def _widths(ws, headers) -> None:
    for j, header in enumerate(headers, start=1):
        width = 40 if header in ("错误原因", "reason") else min(max(len(str(header)) * 2 + 2, 10), 30)
        ws.column_dimensions[get_column_letter(j)].width = width


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", wanted)
    base = "".join(ch for ch in base if ch.isprintable())[:28].strip("'") or "拒收"
    name, n = base, 1
    while name.lower() in used:  # Excel compares sheet names without case
        n += 1
        name = f"{base[:26]}_{n}"
    used.add(name.lower())
    return name
