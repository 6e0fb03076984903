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
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from toolkit.ingest.report import ImportReport, RejectedRow

ERROR_HEADERS = ("错误列", "错误原因", "原始位置")
DETAIL_HEADERS = ("文件", "工作表", "行号", "列", "表头", "错误原因", "reason")
DETAIL_SHEET = "错误明细"
ERROR_FILL = PatternFill("solid", fgColor="FFF2CC")


def write_rejects(report: ImportReport, path: str | os.PathLike) -> Path | None:
    """Write the rejects workbook; None (and no file) when nothing was rejected."""
    if not report.rejected_rows:
        return None
    path = Path(path)
    groups: dict[tuple[str, str], list[RejectedRow]] = {}
    for rej in report.rejected_rows:
        groups.setdefault((rej.file, rej.sheet), []).append(rej)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    names: set[str] = set()
    for (file, sheet), rows in groups.items():
        ws = wb.create_sheet(_sheet_name(f"{Path(file).stem}-{sheet}", names))
        _write_group(ws, rows)
    detail = wb.create_sheet(DETAIL_SHEET)
    detail.append(DETAIL_HEADERS)
    for e in report.errors:
        detail.append([e.file, e.sheet, e.row, e.column, e.header, e.reason_zh, e.reason_en])
    _bold_header(detail, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _write_group(ws, rows: list[RejectedRow]) -> None:
    headers = list(rows[0].headers)
    extra = []
    for rej in rows:
        for key in rej.context:
            if key not in headers and key not in extra:
                extra.append(key)
    ws.append([*headers, *extra, *ERROR_HEADERS])
    _bold_header(ws, 1)
    for excel_row, rej in enumerate(rows, start=2):
        cells = list(rej.cells[: len(headers)]) + [None] * max(0, len(headers) - len(rej.cells))
        for key, value in rej.context.items():
            if key in headers and cells[headers.index(key)] in (None, ""):
                cells[headers.index(key)] = value
        where = "；".join(f"{e.column} {e.header}".strip() for e in rej.errors)
        why = "；".join(f"{e.reason_zh} / {e.reason_en}" for e in rej.errors)
        ws.append(
            [
                *cells,
                *(rej.context.get(k) for k in extra),
                where,
                why,
                f"{rej.file} [{rej.sheet}] 第{rej.row}行",
            ]
        )
        for e in rej.errors:
            if e.column and e.header in headers:
                ws.cell(excel_row, headers.index(e.header) + 1).fill = ERROR_FILL
    for j, header in enumerate([*headers, *extra, *ERROR_HEADERS], start=1):
        width = 40 if header in ("错误原因",) else min(max(len(str(header)) * 2 + 2, 10), 30)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"


def _bold_header(ws, row: int) -> None:
    for cell in ws[row]:
        cell.font = Font(bold=True)


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", wanted)[:28] or "拒收"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:26]}_{n}"
    used.add(name)
    return name
